#include "sim/ensemble/mpi_rows.hpp"

#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <variant>

#include "sim/results/schema.hpp"

namespace cascade {

namespace {

class Writer {
 public:
  template <class T>
  requires std::is_trivially_copyable_v<T>
  void put(const T& v) {
    const auto* p = reinterpret_cast<const char*>(&v);
    bytes_.insert(bytes_.end(), p, p + sizeof v);
  }
  template <class T>
  void put_vector(const std::vector<T>& v) {
    put(static_cast<std::uint64_t>(v.size()));
    const auto* p = reinterpret_cast<const char*>(v.data());
    bytes_.insert(bytes_.end(), p, p + v.size() * sizeof(T));
  }
  void put_string(const std::string& s) {
    put(static_cast<std::uint64_t>(s.size()));
    bytes_.insert(bytes_.end(), s.begin(), s.end());
  }
  std::vector<char> take() { return std::move(bytes_); }

 private:
  std::vector<char> bytes_;
};

class Reader {
 public:
  explicit Reader(const std::vector<char>& bytes) : bytes_(bytes) {}
  template <class T>
  requires std::is_trivially_copyable_v<T> T get() {
    T v;
    std::memcpy(&v, take(sizeof v), sizeof v);
    return v;
  }
  template <class T>
  std::vector<T> get_vector() {
    const auto n = static_cast<std::size_t>(get<std::uint64_t>());
    if (n > bytes_.size()) fail();
    std::vector<T> v(n);
    if (n > 0) std::memcpy(v.data(), take(n * sizeof(T)), n * sizeof(T));
    return v;
  }
  std::string get_string() {
    const auto n = static_cast<std::size_t>(get<std::uint64_t>());
    if (n > bytes_.size()) fail();
    const char* p = take(n);
    return std::string(p, n);
  }
  bool done() const noexcept { return at_ == bytes_.size(); }

 private:
  const char* take(std::size_t n) {
    if (n > bytes_.size() - at_) fail();
    const char* p = bytes_.data() + at_;
    at_ += n;
    return p;
  }
  [[noreturn]] static void fail() {
    throw std::runtime_error("malformed block of rows from an MPI rank (truncated buffer)");
  }
  const std::vector<char>& bytes_;
  std::size_t at_ = 0;
};

/// A row table (events), column by column of its table, so exactly what the file holds travels.
template <class Row, std::size_t N>
void put_rows(Writer& w, const std::vector<Row>& rows, const Column<Row> (&columns)[N]) {
  w.put(static_cast<std::uint64_t>(rows.size()));
  for (const auto& e : rows)
    for (const auto& c : columns) std::visit([&](auto field) { w.put(e.*field); }, c.field);
}

template <class Row, std::size_t N>
void get_rows(Reader& in, std::vector<Row>& rows, const Column<Row> (&columns)[N]) {
  rows.resize(static_cast<std::size_t>(in.get<std::uint64_t>()));
  for (auto& e : rows)
    for (const auto& c : columns)
      std::visit(
          [&](auto field) {
            using T = std::remove_cvref_t<decltype(e.*field)>;
            e.*field = in.get<T>();
          },
          c.field);
}

}  // namespace

std::vector<char> serialize_rows(const RankRows& rank) {
  Writer w;
  w.put(static_cast<std::int32_t>(rank.status));
  w.put_string(rank.message);
  const RunResults& r = rank.rows;
  w.put(static_cast<std::uint64_t>(r.outcomes.size()));
  for (const auto& o : r.outcomes) {
    w.put(o.point);
    w.put(o.path);
    for (const auto& m : kSummaryMetrics) std::visit([&](auto field) { w.put(o.*field); }, m.field);
    for (const auto& m : kAssetMetrics) std::visit([&](auto field) { w.put_vector(o.*field); }, m.field);
  }
  w.put(static_cast<std::uint64_t>(r.timeseries.size()));
  for (const auto& ts : r.timeseries) {
    w.put(ts.point);
    w.put(ts.path);
    for (const auto& m : kSeriesMetrics) w.put_vector(ts.*m.field);
  }
  put_rows(w, r.events, kEventColumns);
  put_rows(w, r.adl_events, kAdlColumns);
  return w.take();
}

RankRows deserialize_rows(const std::vector<char>& bytes) {
  Reader in(bytes);
  RankRows rank;
  rank.status = static_cast<RankStatus>(in.get<std::int32_t>());
  rank.message = in.get_string();
  RunResults& r = rank.rows;
  r.outcomes.resize(static_cast<std::size_t>(in.get<std::uint64_t>()));
  for (auto& o : r.outcomes) {
    o.point = in.get<std::int32_t>();
    o.path = in.get<std::int64_t>();
    for (const auto& m : kSummaryMetrics)
      std::visit(
          [&](auto field) {
            using T = std::remove_cvref_t<decltype(o.*field)>;
            o.*field = in.get<T>();
          },
          m.field);
    for (const auto& m : kAssetMetrics)
      std::visit(
          [&](auto field) {
            using T = typename std::remove_cvref_t<decltype(o.*field)>::value_type;
            o.*field = in.get_vector<T>();
          },
          m.field);
  }
  r.timeseries.resize(static_cast<std::size_t>(in.get<std::uint64_t>()));
  for (auto& ts : r.timeseries) {
    ts.point = in.get<std::int32_t>();
    ts.path = in.get<std::int64_t>();
    for (const auto& m : kSeriesMetrics) ts.*m.field = in.get_vector<double>();
  }
  get_rows(in, r.events, kEventColumns);
  get_rows(in, r.adl_events, kAdlColumns);
  if (!in.done())
    throw std::runtime_error("malformed block of rows from an MPI rank (trailing bytes)");
  return rank;
}

void append_rows(RunResults& into, RunResults&& more) {
  if (into.outcomes.empty())
    into.outcomes = std::move(more.outcomes);
  else
    into.outcomes.insert(into.outcomes.end(), std::make_move_iterator(more.outcomes.begin()),
                         std::make_move_iterator(more.outcomes.end()));
  into.timeseries.insert(into.timeseries.end(), std::make_move_iterator(more.timeseries.begin()),
                         std::make_move_iterator(more.timeseries.end()));
  into.events.insert(into.events.end(), more.events.begin(), more.events.end());
  into.adl_events.insert(into.adl_events.end(), more.adl_events.begin(), more.adl_events.end());
}

}  // namespace cascade
