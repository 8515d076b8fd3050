#pragma once
// Every dataset of an HDF5 file, by path ("/summary/point", ...): the writer tests' inventory.
#include <doctest/doctest.h>
#include <hdf5.h>

#include <set>
#include <string>

namespace cascade::test {

inline std::set<std::string> all_datasets(const std::string& path) {
  std::set<std::string> names;
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
#if H5_VERSION_GE(1, 12, 0)
  auto visit = [](hid_t, const char* name, const H5O_info2_t* info, void* data) -> herr_t {
#else
  auto visit = [](hid_t, const char* name, const H5O_info_t* info, void* data) -> herr_t {
#endif
    if (info->type == H5O_TYPE_DATASET)
      static_cast<std::set<std::string>*>(data)->insert(std::string("/") + name);
    return 0;
  };
#if H5_VERSION_GE(1, 12, 0)
  REQUIRE(H5Ovisit(file, H5_INDEX_NAME, H5_ITER_INC, visit, &names, H5O_INFO_BASIC) >= 0);
#else
  REQUIRE(H5Ovisit(file, H5_INDEX_NAME, H5_ITER_INC, visit, &names) >= 0);
#endif
  H5Fclose(file);
  return names;
}

}  // namespace cascade::test
