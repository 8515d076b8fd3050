# ctest Build.Stages.ForbiddenHeadersFail (tests/CMakeLists.txt): a stage that includes a package
# it must not use fails to build. For each (stage, header) pair the probe `#include <header>` is
# compiled twice: with the stage's poison folder (cmake/ForbidHeaders.cmake) it must fail with
# the stage's message; without it, it must compile (so the failure is the poison's, not a
# missing header).
#
# It also reads compile_commands.json: every source of a stage must be compiled with the stage's
# poison folder on its include path, so the folder is not only there but in force.
#
# -D: CXX (compiler), FORBIDDEN (build/forbidden), HDF5_INCLUDE (HDF5's include dir), WORK (scratch),
#     COMMANDS (compile_commands.json), SOURCE (the source tree)
file(MAKE_DIRECTORY "${WORK}")
set(cases
  "cascade_engine|yaml-cpp/yaml.h" "cascade_engine|hdf5.h" "cascade_engine|tbb/parallel_for.h"
  "cascade_engine|oneapi/tbb/task_arena.h" "cascade_engine|CLI/CLI.hpp" "cascade_engine|fmt/format.h"
  "cascade_models|yaml-cpp/yaml.h" "cascade_models|hdf5.h" "cascade_models|tbb/task_arena.h"
  "cascade_models|CLI/CLI.hpp"
  "cascade_scenario|hdf5.h" "cascade_scenario|tbb/parallel_for.h"
  "cascade_ensemble|hdf5.h" "cascade_ensemble|yaml-cpp/yaml.h"
  "cascade_results|yaml-cpp/yaml.h" "cascade_results|tbb/parallel_for.h"
  "cascade_analysis|hdf5.h" "cascade_analysis|tbb/parallel_for.h" "cascade_analysis|yaml-cpp/yaml.h")
set(failures "")
foreach(c IN LISTS cases)
  string(REPLACE "|" ";" parts "${c}")
  list(GET parts 0 stage)
  list(GET parts 1 header)
  string(MAKE_C_IDENTIFIER "${stage}_${header}" name)
  set(src "${WORK}/${name}.cpp")
  file(WRITE "${src}" "#include <${header}>\nint main() { return 0; }\n")
  execute_process(COMMAND "${CXX}" -std=c++20 -fsyntax-only -I${FORBIDDEN}/${stage} -I${HDF5_INCLUDE} "${src}"
                  RESULT_VARIABLE poisoned OUTPUT_VARIABLE out ERROR_VARIABLE err)
  execute_process(COMMAND "${CXX}" -std=c++20 -fsyntax-only -I${HDF5_INCLUDE} "${src}"
                  RESULT_VARIABLE plain OUTPUT_QUIET ERROR_VARIABLE plain_err)
  if(poisoned EQUAL 0)
    list(APPEND failures "${stage}: <${header}> compiled")
  elseif(NOT err MATCHES "${stage} must not include")
    list(APPEND failures "${stage}: <${header}> failed without the stage's message: ${err}")
  endif()
  if(NOT plain EQUAL 0)
    list(APPEND failures "<${header}> does not compile even without the poison: ${plain_err}")
  endif()
endforeach()
# Which stage compiles which folder (CMakeLists.txt).
set(stage_of_models "cascade_models")
set(stage_of_scenario "cascade_scenario")
set(stage_of_plan "cascade_engine")
set(stage_of_book "cascade_engine")
set(stage_of_engine "cascade_engine")
set(stage_of_ensemble "cascade_ensemble")
set(stage_of_results "cascade_results")
set(stage_of_analysis "cascade_analysis")
set(checked 0)
file(READ "${COMMANDS}" json)
string(JSON entries LENGTH "${json}")
math(EXPR last "${entries} - 1")
foreach(i RANGE ${last})
  string(JSON file GET "${json}" ${i} file)
  string(JSON command GET "${json}" ${i} command)
  if(file MATCHES "^${SOURCE}/(models|sim/([a-z]+))/")
    set(folder "${CMAKE_MATCH_2}")
    if(NOT folder)
      set(folder models)
    endif()
    set(stage "${stage_of_${folder}}")
    if(stage)
      math(EXPR checked "${checked} + 1")
      string(FIND "${command}" "-I${FORBIDDEN}/${stage}" at)
      if(at LESS 0)
        list(APPEND failures "${file} is compiled without -I${FORBIDDEN}/${stage}")
      endif()
    endif()
  endif()
endforeach()
if(checked LESS 40)
  list(APPEND failures "only ${checked} stage sources found in ${COMMANDS}")
endif()
if(failures)
  string(REPLACE ";" "\n  " text "${failures}")
  message(FATAL_ERROR "stage boundaries not enforced:\n  ${text}")
endif()
list(LENGTH cases n)
message(STATUS "${n} forbidden includes fail to build; ${checked} stage sources compiled with their poison folder")
