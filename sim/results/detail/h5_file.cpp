#include "sim/results/detail/h5_file.hpp"

#include <fmt/format.h>
#include <hdf5_hl.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace cascade::h5 {
namespace {

/// HDF5 prints its error stack to stderr by default; we turn it into exceptions instead.
void silence_automatic_error_printing() {
  static const bool once = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)once;
}

void check(herr_t status, const std::string& what) {
  if (status < 0) throw_error(what);
}

bool check_tri(htri_t status, const std::string& what) {
  if (status < 0) throw_error(what);
  return status > 0;
}

herr_t collect_error(unsigned /*n*/, const H5E_error2_t* err, void* data) {
  auto* messages = static_cast<std::vector<std::string>*>(data);
  if (err->desc != nullptr && err->desc[0] != '\0') messages->emplace_back(err->desc);
  return 0;
}

Handle vl_string_type(H5T_cset_t cset = H5T_CSET_UTF8) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "copying the string type");
  check(H5Tset_size(type.get(), H5T_VARIABLE), "making a variable-length string type");
  check(H5Tset_cset(type.get(), cset), "setting the string character set");
  return type;
}

/// File access: objects left open make H5Fclose fail (H5F_CLOSE_SEMI) instead of silently
/// keeping the file open; file locking is used where the file system supports it and skipped
/// where it does not (NFS, Lustre), instead of failing the run.
Handle file_access(const std::string& what) {
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, what);
  check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI), what);
#if H5_VERSION_GE(1, 10, 7)
  check(H5Pset_file_locking(fapl.get(), true, true), what);
#endif
  return fapl;
}

/// Group (and file) creation properties: link and attribute creation order tracked and indexed.
void track_creation_order(hid_t plist, const std::string& what) {
  const unsigned flags = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
  check(H5Pset_link_creation_order(plist, flags), what);
  check(H5Pset_attr_creation_order(plist, flags), what);
}

std::vector<std::string> read_strings(hid_t attr, const std::string& what) {
  Handle file_type(H5Aget_type(attr), H5Tclose, what);
  if (H5Tget_class(file_type.get()) != H5T_STRING)
    throw Error(fmt::format("{}: not a string attribute", what));
  Handle space(H5Aget_space(attr), H5Sclose, what);
  const hssize_t n_points = H5Sget_simple_extent_npoints(space.get());
  if (n_points < 0) throw_error(what);
  const auto n = static_cast<std::size_t>(n_points);
  std::vector<std::string> out;
  out.reserve(n);
  if (check_tri(H5Tis_variable_str(file_type.get()), what)) {
    Handle mem_type = vl_string_type(H5Tget_cset(file_type.get()));
    std::vector<char*> buffer(n, nullptr);
    if (n > 0) check(H5Aread(attr, mem_type.get(), buffer.data()), what);
    for (char* s : buffer) out.emplace_back(s != nullptr ? s : "");
#if H5_VERSION_GE(1, 12, 0)
    if (n > 0) check(H5Treclaim(mem_type.get(), space.get(), H5P_DEFAULT, buffer.data()), what);
#else
    if (n > 0)
      check(H5Dvlen_reclaim(mem_type.get(), space.get(), H5P_DEFAULT, buffer.data()), what);
#endif
  } else {
    const std::size_t width = H5Tget_size(file_type.get());
    Handle mem_type(H5Tcopy(file_type.get()), H5Tclose, what);
    std::vector<char> buffer(n * width + 1, '\0');
    if (n > 0) check(H5Aread(attr, mem_type.get(), buffer.data()), what);
    for (std::size_t i = 0; i < n; ++i) {
      const char* s = buffer.data() + i * width;
      std::size_t len = 0;
      while (len < width && s[len] != '\0') ++len;
      std::string value(s, len);
      while (!value.empty() && value.back() == ' ') value.pop_back();  // space-padded
      out.push_back(std::move(value));
    }
  }
  return out;
}

}  // namespace

void throw_error(const std::string& what) {
  std::vector<std::string> messages;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &messages);
  H5Eclear2(H5E_DEFAULT);
  std::string message = what;
  if (!messages.empty()) {
    message += ": " + messages.front();
    if (messages.size() > 1 && messages.back() != messages.front())
      message += " (" + messages.back() + ")";
  }
  throw Error(message);
}

// --- Handle -----------------------------------------------------------------------------------

Handle::Handle(hid_t id, Closer closer, const std::string& what) : id_(id), closer_(closer) {
  if (id < 0) throw_error(what);
}

Handle::Handle(Handle&& other) noexcept
    : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    if (id_ >= 0 && closer_ != nullptr) closer_(id_);
    id_ = std::exchange(other.id_, H5I_INVALID_HID);
    closer_ = other.closer_;
  }
  return *this;
}

Handle::~Handle() {
  if (id_ >= 0 && closer_ != nullptr) {
    if (closer_(id_) < 0) H5Eclear2(H5E_DEFAULT);
  }
}

void Handle::close() {
  if (id_ < 0 || closer_ == nullptr) return;
  const hid_t id = std::exchange(id_, H5I_INVALID_HID);
  check(closer_(id), "closing an HDF5 object");
}

// --- Object: attributes -----------------------------------------------------------------------

std::string Object::child_path(const std::string& name) const {
  if (path_.empty() || path_ == "/") return "/" + name;
  return path_ + "/" + name;
}

bool Object::has_attribute(const std::string& name) const {
  return check_tri(H5Aexists(id(), name.c_str()),
                   fmt::format("looking for attribute '{}' on {}", name, path_));
}

void Object::set_attribute(const std::string& name, const std::string& value) {
  const std::string what = fmt::format("writing attribute '{}' on {}", name, path_);
  if (has_attribute(name)) check(H5Adelete(id(), name.c_str()), what);
  Handle type = vl_string_type();
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, what);
  Handle attr(H5Acreate2(id(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose, what);
  const char* data = value.c_str();
  check(H5Awrite(attr.get(), type.get(), &data), what);
}

void Object::set_attribute(const std::string& name, const std::vector<std::string>& values) {
  const std::string what = fmt::format("writing attribute '{}' on {}", name, path_);
  if (has_attribute(name)) check(H5Adelete(id(), name.c_str()), what);
  Handle type = vl_string_type();
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose, what);
  Handle attr(H5Acreate2(id(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose, what);
  std::vector<const char*> data;
  data.reserve(values.size());
  for (const auto& v : values) data.push_back(v.c_str());
  if (!data.empty()) check(H5Awrite(attr.get(), type.get(), data.data()), what);
}

void Object::set_scalar_attribute(const std::string& name, hid_t mem_type, hid_t file_type,
                                  const void* value) {
  const std::string what = fmt::format("writing attribute '{}' on {}", name, path_);
  if (has_attribute(name)) {
    Handle attr(H5Aopen(id(), name.c_str(), H5P_DEFAULT), H5Aclose, what);
    check(H5Awrite(attr.get(), mem_type, value), what);
    return;
  }
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, what);
  Handle attr(H5Acreate2(id(), name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose, what);
  check(H5Awrite(attr.get(), mem_type, value), what);
}

void Object::read_scalar_attribute(const std::string& name, hid_t mem_type, void* value) const {
  const std::string what = fmt::format("reading attribute '{}' of {}", name, path_);
  Handle attr(H5Aopen(id(), name.c_str(), H5P_DEFAULT), H5Aclose, what);
  Handle space(H5Aget_space(attr.get()), H5Sclose, what);
  if (H5Sget_simple_extent_npoints(space.get()) != 1)
    throw Error(fmt::format("{}: not a scalar", what));
  check(H5Aread(attr.get(), mem_type, value), what);
}

std::string Object::string_attribute(const std::string& name) const {
  const std::string what = fmt::format("reading attribute '{}' of {}", name, path_);
  Handle attr(H5Aopen(id(), name.c_str(), H5P_DEFAULT), H5Aclose, what);
  auto values = read_strings(attr.get(), what);
  if (values.size() != 1) throw Error(fmt::format("{}: not a single string", what));
  return std::move(values.front());
}

std::vector<std::string> Object::string_array_attribute(const std::string& name) const {
  const std::string what = fmt::format("reading attribute '{}' of {}", name, path_);
  Handle attr(H5Aopen(id(), name.c_str(), H5P_DEFAULT), H5Aclose, what);
  return read_strings(attr.get(), what);
}

// --- Dataset ----------------------------------------------------------------------------------

std::vector<hsize_t> Dataset::dims() const {
  const std::string what = fmt::format("reading the shape of {}", path_);
  Handle space(H5Dget_space(id()), H5Sclose, what);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) throw_error(what);
  std::vector<hsize_t> out(static_cast<std::size_t>(rank));
  if (rank > 0 && H5Sget_simple_extent_dims(space.get(), out.data(), nullptr) < 0)
    throw_error(what);
  return out;
}

std::size_t Dataset::size() const {
  std::size_t n = 1;
  for (hsize_t d : dims()) n *= static_cast<std::size_t>(d);
  return n;
}

void Dataset::read_raw(hid_t mem_type, void* out) const {
  if (size() == 0) return;
  check(H5Dread(id(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out),
        fmt::format("reading {}", path_));
}

bool Dataset::chunked() const {
  const std::string what = fmt::format("reading the layout of {}", path_);
  Handle plist(H5Dget_create_plist(id()), H5Pclose, what);
  const H5D_layout_t layout = H5Pget_layout(plist.get());
  if (layout < 0) throw_error(what);
  return layout == H5D_CHUNKED;
}

std::vector<hsize_t> Dataset::chunk_dims() const {
  if (!chunked()) return {};
  const std::string what = fmt::format("reading the chunk shape of {}", path_);
  Handle plist(H5Dget_create_plist(id()), H5Pclose, what);
  std::vector<hsize_t> out(dims().size());
  if (H5Pget_chunk(plist.get(), static_cast<int>(out.size()), out.data()) < 0) throw_error(what);
  return out;
}

std::vector<H5Z_filter_t> Dataset::filters() const {
  const std::string what = fmt::format("reading the filters of {}", path_);
  Handle plist(H5Dget_create_plist(id()), H5Pclose, what);
  const int n = H5Pget_nfilters(plist.get());
  if (n < 0) throw_error(what);
  std::vector<H5Z_filter_t> out;
  for (unsigned i = 0; i < static_cast<unsigned>(n); ++i) {
    unsigned flags = 0;
    std::size_t n_values = 0;
    unsigned filter_config = 0;
    const H5Z_filter_t f =
        H5Pget_filter2(plist.get(), i, &flags, &n_values, nullptr, 0, nullptr, &filter_config);
    if (f < 0) throw_error(what);
    out.push_back(f);
  }
  return out;
}

void Dataset::make_dimension_scale() {
  const std::string name = path_.substr(path_.rfind('/') + 1);
  check(H5DSset_scale(id(), name.c_str()), fmt::format("making {} a dimension scale", path_));
}

bool Dataset::is_dimension_scale() const {
  return check_tri(H5DSis_scale(id()),
                   fmt::format("asking whether {} is a dimension scale", path_));
}

void Dataset::attach_dimension_scale(const Dataset& scale, unsigned axis) const {
  check(
      H5DSattach_scale(id(), scale.id(), axis),
      fmt::format("attaching dimension scale {} to dimension {} of {}", scale.path(), axis, path_));
}

namespace {
herr_t scale_name(hid_t /*dataset*/, unsigned /*axis*/, hid_t scale, void* data) {
  const ssize_t n = H5Iget_name(scale, nullptr, 0);
  if (n < 0) return -1;
  std::string name(static_cast<std::size_t>(n) + 1, '\0');
  if (H5Iget_name(scale, name.data(), name.size()) < 0) return -1;
  name.resize(static_cast<std::size_t>(n));
  *static_cast<std::string*>(data) = name.substr(name.rfind('/') + 1);
  return 1;  // the first scale of the dimension
}
}  // namespace

std::vector<std::string> Dataset::dimension_names() const {
  std::vector<std::string> names(dims().size());
  for (std::size_t axis = 0; axis < names.size(); ++axis) {
    const std::string what = fmt::format("reading the dimension scales of {}", path_);
    const int n = H5DSget_num_scales(id(), static_cast<unsigned>(axis));
    if (n < 0) throw_error(what);
    if (n == 0) continue;
    check(H5DSiterate_scales(id(), static_cast<unsigned>(axis), nullptr, scale_name, &names[axis]),
          what);
  }
  return names;
}

// --- Group ------------------------------------------------------------------------------------

Group Group::create_group(const std::string& name) {
  const std::string path = child_path(name);
  const std::string what = fmt::format("creating group {}", path);
  Handle gcpl(H5Pcreate(H5P_GROUP_CREATE), H5Pclose, what);
  track_creation_order(gcpl.get(), what);
  Handle group(H5Gcreate2(id(), name.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), H5Gclose,
               what);
  return Group(std::move(group), path);
}

Group Group::open_group(const std::string& name) const {
  const std::string path = child_path(name);
  Handle group(H5Gopen2(id(), name.c_str(), H5P_DEFAULT), H5Gclose,
               fmt::format("opening group {}", path));
  return Group(std::move(group), path);
}

Dataset Group::open_dataset(const std::string& name) const {
  const std::string path = child_path(name);
  Handle dataset(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), H5Dclose,
                 fmt::format("opening dataset {}", path));
  return Dataset(std::move(dataset), path);
}

bool Group::exists(const std::string& name) const {
  // H5Lexists fails (rather than answering false) when an intermediate group is missing, so
  // walk the components.
  const std::string what = fmt::format("looking for {}", child_path(name));
  std::string prefix;
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t slash = std::min(name.find('/', start), name.size());
    prefix += (prefix.empty() ? "" : "/") + name.substr(start, slash - start);
    if (!check_tri(H5Lexists(id(), prefix.c_str(), H5P_DEFAULT), what)) return false;
    start = slash + 1;
  }
  return true;
}

namespace {
herr_t collect_link(hid_t /*group*/, const char* name, const H5L_info_t* /*info*/, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}
}  // namespace

std::vector<std::string> Group::children() const {
  const std::string what = fmt::format("listing {}", path_);
  Handle gcpl(H5Gget_create_plist(id()), H5Pclose, what);
  unsigned order_flags = 0;
  check(H5Pget_link_creation_order(gcpl.get(), &order_flags), what);
  const H5_index_t index =
      (order_flags & H5P_CRT_ORDER_TRACKED) != 0 ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
  std::vector<std::string> names;
  hsize_t position = 0;
  check(H5Literate(id(), index, H5_ITER_INC, &position, collect_link, &names), what);
  return names;
}

Dataset Group::write_raw(const std::string& name, std::span<const hsize_t> dims, hid_t mem_type,
                         hid_t file_type, const void* data, const std::string& unit,
                         const std::string& description, int level, const ChunkLoop* chunks) {
  const std::string path = child_path(name);
  const std::string what = fmt::format("writing dataset {}", path);
  hsize_t n = 1;
  for (hsize_t d : dims) n *= d;
  Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose,
               what);
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, what);
  level = std::clamp(level, 1, 9);
  std::vector<hsize_t> chunk;
  if (n > 0) {
    chunk = chunk_shape(dims);
    check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), what);
    check(H5Pset_shuffle(dcpl.get()), what);
    check(H5Pset_deflate(dcpl.get(), static_cast<unsigned>(level)), what);
  }
  Handle dataset(
      H5Dcreate2(id(), name.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
      H5Dclose, what);
  const std::size_t element = H5Tget_size(mem_type);
  if (chunks != nullptr && n > 0 && dims.size() == 1 && n > chunk[0] && element == H5Tget_size(file_type) &&
      H5Tequal(mem_type, file_type) > 0) {
    // The filter pipeline by hand: shuffle (byte k of every element together), then zlib's
    // compress2 at `level`, as H5Z's shuffle and deflate filters do. The last chunk is padded
    // with the fill value (0) to its full size, as HDF5 stores an edge chunk.
    const std::size_t per_chunk = static_cast<std::size_t>(chunk[0]);
    const std::size_t count = (static_cast<std::size_t>(n) + per_chunk - 1) / per_chunk;
    std::vector<std::vector<Bytef>> packed(count);
    (*chunks)(count, [&](std::size_t j) {
      const std::size_t first = j * per_chunk;
      const std::size_t m = std::min(per_chunk, static_cast<std::size_t>(n) - first);
      const auto* in = static_cast<const unsigned char*>(data) + first * element;
      std::vector<Bytef> shuffled(per_chunk * element, 0);
      for (std::size_t i = 0; i < m; ++i)
        for (std::size_t b = 0; b < element; ++b) shuffled[b * per_chunk + i] = in[i * element + b];
      uLongf size = compressBound(static_cast<uLong>(shuffled.size()));
      packed[j].resize(size);
      if (compress2(packed[j].data(), &size, shuffled.data(), static_cast<uLong>(shuffled.size()), level) != Z_OK)
        packed[j].clear();  // reported below, on the calling thread
      else
        packed[j].resize(size);
    });
    for (std::size_t j = 0; j < count; ++j) {
      if (packed[j].empty()) throw Error(fmt::format("{}: deflating chunk {}", what, j));
      const hsize_t offset = static_cast<hsize_t>(j * per_chunk);
      check(H5Dwrite_chunk(dataset.get(), H5P_DEFAULT, 0, &offset, packed[j].size(), packed[j].data()), what);
    }
  } else if (n > 0) {
    check(H5Dwrite(dataset.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), what);
  }
  Dataset out(std::move(dataset), path);
  out.set_attribute("unit", unit);
  out.set_attribute("description", description);
  return out;
}

// --- File -------------------------------------------------------------------------------------

File File::create(const std::string& path) {
  silence_automatic_error_printing();
  const std::string what = fmt::format("creating HDF5 file {}", path);
  Handle fcpl(H5Pcreate(H5P_FILE_CREATE), H5Pclose, what);
  track_creation_order(fcpl.get(), what);
  Handle fapl = file_access(what);
  Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), H5Fclose, what);
  return File(std::move(file), "/");
}

File File::open_read_only(const std::string& path) {
  silence_automatic_error_printing();
  const std::string what = fmt::format("opening HDF5 file {}", path);
  Handle fapl = file_access(what);
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose, what);
  return File(std::move(file), "/");
}

void File::close() {
  if (id() < 0) return;
  check(H5Fflush(id(), H5F_SCOPE_LOCAL), "flushing the HDF5 file");
  handle_.close();
}

std::vector<hsize_t> chunk_shape(std::span<const hsize_t> dims, hsize_t max_elements) {
  std::vector<hsize_t> chunk(dims.size(), 1);
  hsize_t budget = std::max<hsize_t>(max_elements, 1);
  for (std::size_t i = dims.size(); i-- > 0;) {
    chunk[i] = std::clamp<hsize_t>(std::min(dims[i], budget), 1, std::max<hsize_t>(dims[i], 1));
    budget = std::max<hsize_t>(budget / chunk[i], 1);
  }
  return chunk;
}

}  // namespace cascade::h5
