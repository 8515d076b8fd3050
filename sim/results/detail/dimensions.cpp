#include "sim/results/detail/dimensions.hpp"

#include <fmt/format.h>

#include <numeric>
#include <stdexcept>
#include <vector>

namespace cascade::h5 {

void Dimensions::define(Group& group, const std::string& name, std::uint64_t length,
                        const std::string& description, std::int64_t first) {
  std::vector<std::int64_t> index(static_cast<std::size_t>(length));
  std::iota(index.begin(), index.end(), first);
  Dataset scale =
      group.write_dataset(name, index, "index", fmt::format("dimension {}: {}", name, description));
  adopt(scale);
}

void Dimensions::adopt(Dataset& coordinate) {
  coordinate.make_dimension_scale();
  const std::string& path = coordinate.path();
  scales_.insert_or_assign(path.substr(path.rfind('/') + 1), std::move(coordinate));
}

void Dimensions::attach(const Dataset& dataset, std::initializer_list<const char*> names) const {
  unsigned axis = 0;
  for (const char* name : names) {
    const auto it = scales_.find(name);
    if (it == scales_.end())
      throw std::logic_error(
          fmt::format("results writer: no dimension '{}' for {}", name, dataset.path()));
    dataset.attach_dimension_scale(it->second, axis++);
  }
}

}  // namespace cascade::h5
