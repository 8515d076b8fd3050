#pragma once
// The dimensions of a results file as netCDF-4 sees them (docs/results.md, "Dimensions"): one
// HDF5 dimension scale per named dimension, attached to every dataset that runs along it, so
// xarray (h5netcdf), netCDF-C and Julia's NCDatasets read named dimensions instead of
// phony_dim_0, phony_dim_1, ...
//
// Each dimension is a coordinate variable: a 1-D int64 dataset named after the dimension,
// holding the index along it (the row number of the whole run for `row`, so a shard's rows keep
// their place), made a scale with its own name (netCDF-4's convention for a dimension with a
// coordinate variable). A dimension is visible in its group and the groups below it, as in
// netCDF-4, so `row` and `asset`, defined at the root, serve /summary, /summary/by_asset and
// /timeseries. The writer names the dimensions of every dataset it creates and attaches them
// here; a table added to the schema gets its scales through the same calls.
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>

#include "sim/results/detail/h5_file.hpp"

namespace cascade::h5 {

class Dimensions {
 public:
  /// Creates dimension `name` in `group`: the coordinate variable `group/name` with the values
  /// first, first + 1, ..., first + length - 1. A later dimension of the same name (another
  /// group's `event`) replaces this one for the datasets attached after it.
  void define(Group& group, const std::string& name, std::uint64_t length,
              const std::string& description, std::int64_t first = 0);
  /// Makes the existing 1-D dataset `coordinate` the dimension of its own name (e.g.
  /// /positions/initial/position, whose values are the index already).
  void adopt(Dataset& coordinate);
  /// Attaches the named dimensions to `dataset`, one per axis, in order.
  void attach(const Dataset& dataset, std::initializer_list<const char*> names) const;

 private:
  std::map<std::string, Dataset> scales_;
};

}  // namespace cascade::h5
