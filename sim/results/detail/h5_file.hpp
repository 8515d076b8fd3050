#pragma once
// A small RAII layer over the HDF5 C API: files, groups, datasets and attributes, no more than
// the results writer and reader need.
//
// Why the C API and not HDF5's C++ bindings: the C library is the one dependency every HDF5
// install has, and the C++ bindings' exceptions lose the error stack. Here every failing call
// throws `h5::Error` whose message names what we were doing and carries HDF5's own messages (the
// API-level one and the root cause); HDF5's automatic printing of the stack to stderr is off.
//
// Handles are move-only and closed in destructors; `File::close()` closes explicitly and reports
// errors, which a destructor cannot. Groups are created with link and attribute creation order
// tracked, so tools (h5py, h5dump, HDF5.jl) list metrics in the order the writer created them.
#include <hdf5.h>

#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace cascade::h5 {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Throws Error("<what>: <HDF5 message> (<root cause>)") from the current HDF5 error stack.
[[noreturn]] void throw_error(const std::string& what);

/// Owns one hid_t; closes it with the matching H5?close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() noexcept = default;
  /// Takes ownership of `id`; throws Error(what) when `id` is negative (the call failed).
  Handle(hid_t id, Closer closer, const std::string& what);
  Handle(Handle&& other) noexcept;
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle();

  hid_t get() const noexcept { return id_; }
  /// Closes now, throwing Error on failure (a destructor swallows it).
  void close();

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

/// Memory (native) and file (little-endian, fixed-width) types of the numbers we store.
template <class T>
hid_t native_type();
template <class T>
hid_t file_type();
template <>
inline hid_t native_type<std::int8_t>() {
  return H5T_NATIVE_INT8;
}
template <>
inline hid_t native_type<std::int32_t>() {
  return H5T_NATIVE_INT32;
}
template <>
inline hid_t native_type<std::int64_t>() {
  return H5T_NATIVE_INT64;
}
template <>
inline hid_t native_type<std::uint64_t>() {
  return H5T_NATIVE_UINT64;
}
template <>
inline hid_t native_type<double>() {
  return H5T_NATIVE_DOUBLE;
}
template <>
inline hid_t file_type<std::int8_t>() {
  return H5T_STD_I8LE;
}
template <>
inline hid_t file_type<std::int32_t>() {
  return H5T_STD_I32LE;
}
template <>
inline hid_t file_type<std::int64_t>() {
  return H5T_STD_I64LE;
}
template <>
inline hid_t file_type<std::uint64_t>() {
  return H5T_STD_U64LE;
}
template <>
inline hid_t file_type<double>() {
  return H5T_IEEE_F64LE;
}

/// A file, group or dataset: something with attributes. `path()` is its name in the file, for
/// error messages.
class Object {
 public:
  hid_t id() const noexcept { return handle_.get(); }
  const std::string& path() const noexcept { return path_; }

  bool has_attribute(const std::string& name) const;
  /// Variable-length UTF-8 string (scalar) / 1-D array of them. Replaces an existing attribute.
  void set_attribute(const std::string& name, const std::string& value);
  void set_attribute(const std::string& name, const char* value) {
    set_attribute(name, std::string(value));
  }
  void set_attribute(const std::string& name, const std::vector<std::string>& values);
  /// Scalar number; overwrites an existing attribute of that name in place.
  template <class T>
  requires std::is_arithmetic_v<T>
  void set_attribute(const std::string& name, T value) {
    set_scalar_attribute(name, native_type<T>(), file_type<T>(), &value);
  }

  /// Reads a string attribute (variable-length or fixed-length, scalar).
  std::string string_attribute(const std::string& name) const;
  /// Reads a 1-D string array attribute (a scalar string reads as one element).
  std::vector<std::string> string_array_attribute(const std::string& name) const;
  /// Reads a scalar numeric attribute, converted to T by HDF5.
  template <class T>
  requires std::is_arithmetic_v<T> T attribute(const std::string& name)
  const {
    T value{};
    read_scalar_attribute(name, native_type<T>(), &value);
    return value;
  }

 protected:
  Object() = default;
  Object(Handle handle, std::string path) : handle_(std::move(handle)), path_(std::move(path)) {}
  std::string child_path(const std::string& name) const;

  Handle handle_;
  std::string path_;

 private:
  void set_scalar_attribute(const std::string& name, hid_t mem_type, hid_t file_type,
                            const void* value);
  void read_scalar_attribute(const std::string& name, hid_t mem_type, void* value) const;
};

class Dataset : public Object {
 public:
  std::vector<hsize_t> dims() const;
  std::size_t size() const;  ///< number of elements
  /// The whole dataset, converted to T by HDF5, in C order.
  template <class T>
  std::vector<T> read() const {
    std::vector<T> out(size());
    read_raw(native_type<T>(), out.data());
    return out;
  }
  bool chunked() const;
  std::vector<hsize_t> chunk_dims() const;  ///< empty when not chunked
  std::vector<H5Z_filter_t> filters() const;

  /// Makes this 1-D dataset an HDF5 dimension scale named after itself: in netCDF-4 terms a
  /// dimension with this dataset as its coordinate variable (HDF5 high-level H5DS API).
  void make_dimension_scale();
  /// True when this dataset is a dimension scale.
  bool is_dimension_scale() const;
  /// Attaches `scale` (a dimension scale) to dimension `axis` of this dataset.
  void attach_dimension_scale(const Dataset& scale, unsigned axis) const;
  /// Name of the dimension scale attached to each dimension ("" where none), e.g. {"row",
  /// "asset"}: the last component of the scale's path.
  std::vector<std::string> dimension_names() const;

 private:
  friend class Group;
  using Object::Object;
  void read_raw(hid_t mem_type, void* out) const;
};

class Group : public Object {
 public:
  Group create_group(const std::string& name);
  Group open_group(const std::string& name) const;
  Dataset open_dataset(const std::string& name) const;
  /// True when a link `name` (may be a relative path "a/b") exists.
  bool exists(const std::string& name) const;
  /// Names of the direct children, in creation order when tracked (else by name).
  std::vector<std::string> children() const;

  /// Deflate level of the datasets written without one: 4.
  static constexpr int kDeflateLevel = 4;
  /// Runs body(j) for j in [0, n) in any order, possibly in parallel (a ForEach of sim/book).
  using ChunkLoop = std::function<void(std::size_t n, const std::function<void(std::size_t)>& body)>;
  /// Creates a dataset of shape `dims` from C-order `data` (product(dims) values) with string
  /// attributes `unit` and `description`. Non-empty datasets are chunked (see chunk_shape) with
  /// shuffle + deflate at `level` (1-9); empty ones are contiguous without filters.
  /// With `chunks` (1-D datasets of several chunks), the chunks are shuffled and deflated
  /// through that loop, as HDF5's filters would (same bytes, same filter pipeline), and written
  /// with H5Dwrite_chunk: the file reads the same, its compression runs in parallel.
  template <class T>
  Dataset write_dataset(const std::string& name, std::span<const hsize_t> dims, const T* data,
                        const std::string& unit, const std::string& description,
                        int level = kDeflateLevel, const ChunkLoop* chunks = nullptr) {
    return write_raw(name, dims, native_type<T>(), file_type<T>(), data, unit, description, level, chunks);
  }
  template <class T>
  Dataset write_dataset(const std::string& name, const std::vector<T>& data,
                        const std::string& unit, const std::string& description,
                        int level = kDeflateLevel, const ChunkLoop* chunks = nullptr) {
    const hsize_t n = data.size();
    return write_dataset<T>(name, std::span<const hsize_t>(&n, 1), data.data(), unit, description, level, chunks);
  }

 protected:
  using Object::Object;

 private:
  Dataset write_raw(const std::string& name, std::span<const hsize_t> dims, hid_t mem_type,
                    hid_t file_type, const void* data, const std::string& unit,
                    const std::string& description, int level, const ChunkLoop* chunks);
};

class File : public Group {
 public:
  /// Creates (truncating) a file for writing.
  static File create(const std::string& path);
  static File open_read_only(const std::string& path);
  /// Flushes and closes, throwing Error on failure. Every Group/Dataset opened from this file
  /// must have been destroyed before (the file is opened with H5F_CLOSE_SEMI).
  void close();

 private:
  using Group::Group;
};

/// Chunk shape for a dataset of shape `dims`: whole trailing dimensions while the chunk stays
/// within `max_elements`, then as many rows of the leading dimension as fit (at least 1).
std::vector<hsize_t> chunk_shape(std::span<const hsize_t> dims, hsize_t max_elements = 65536);

}  // namespace cascade::h5
