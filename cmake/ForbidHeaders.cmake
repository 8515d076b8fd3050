# Stage boundaries as build errors (docs/architecture.md).
#
# cascade_forbid_headers(<target> <package>...) gives <target> a folder of poison headers, searched
# before every other include directory, with the same names as the forbidden packages' headers.
# Each poison header is a single #error naming the target and the package, so an include of
# yaml-cpp, HDF5, TBB, MPI, CLI11 or fmt from a stage that must not use it fails to build (also
# when the package's real headers sit in /usr/include, where any target would find them).
# Packages: yaml-cpp, hdf5, tbb, mpi, cli11, fmt.

function(_cascade_package_headers package out_base out_globs)
  if(package STREQUAL "yaml-cpp")
    set(target yaml-cpp)
    set(globs "yaml-cpp/*")
  elseif(package STREQUAL "tbb")
    set(target TBB::tbb)
    set(globs "tbb/*" "oneapi/*")
  elseif(package STREQUAL "cli11")
    set(target CLI11::CLI11)
    set(globs "CLI/*")
  elseif(package STREQUAL "fmt")
    set(target fmt::fmt)
    set(globs "fmt/*")
  elseif(package STREQUAL "hdf5")
    list(GET HDF5_C_INCLUDE_DIRS 0 base)
    set(${out_base} "${base}" PARENT_SCOPE)
    set(${out_globs} "*.h" PARENT_SCOPE)
    return()
  elseif(package STREQUAL "mpi")
    set(${out_base} "" PARENT_SCOPE)  # mpi.h is written even when MPI is not configured
    set(${out_globs} "" PARENT_SCOPE)
    return()
  else()
    message(FATAL_ERROR "cascade_forbid_headers: unknown package ${package}")
  endif()
  get_target_property(dirs ${target} INTERFACE_INCLUDE_DIRECTORIES)
  list(GET dirs 0 base)
  set(${out_base} "${base}" PARENT_SCOPE)
  set(${out_globs} "${globs}" PARENT_SCOPE)
endfunction()

function(cascade_forbid_headers target)
  set(dir "${CMAKE_BINARY_DIR}/forbidden/${target}")
  file(REMOVE_RECURSE "${dir}")
  foreach(package IN LISTS ARGN)
    _cascade_package_headers(${package} base globs)
    set(headers "")
    if(package STREQUAL "mpi")
      set(headers mpi.h mpi.hpp)
    endif()
    foreach(glob IN LISTS globs)
      file(GLOB_RECURSE found RELATIVE "${base}" "${base}/${glob}")
      list(APPEND headers ${found})
    endforeach()
    if(NOT package STREQUAL "mpi" AND NOT headers)
      message(FATAL_ERROR "cascade_forbid_headers: no headers of ${package} under ${base}")
    endif()
    foreach(h IN LISTS headers)
      file(WRITE "${dir}/${h}"
        "#error \"${target} must not include ${package} (<${h}>): see docs/architecture.md, 'Stages and their libraries'\"\n")
    endforeach()
  endforeach()
  target_include_directories(${target} BEFORE PRIVATE "${dir}")
  set_property(TARGET ${target} PROPERTY CASCADE_FORBIDDEN_DIR "${dir}")
endfunction()
