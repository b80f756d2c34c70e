# tests/fuzz.cmake -- libFuzzer targets for every parser, and their saved
# corpora replayed as ordinary tests.
#
# ff_fuzz_target(NAME SOURCE LIBS...) builds, from tests/SOURCE (which
# defines LLVMFuzzerTestOneInput, see fuzz/fuzz.h):
#   NAME_replay  SOURCE + fuzz/replay.c: runs every file of
#                tests/fuzz/corpus/NAME/ through the target; always
#                built and registered as a test (`ctest -R _replay`);
#   NAME         with -DFUZZ=ON and clang: a libFuzzer binary
#                (-fsanitize=fuzzer,address,undefined), in the target
#                `fuzz_all`; scripts/fuzz.sh builds and runs them.
# Add targets below with the same function (this file is included after
# every component's tests, so all libraries exist here).

set(FF_FUZZ_LIST ${CMAKE_BINARY_DIR}/fuzz-targets.txt)
file(WRITE ${FF_FUZZ_LIST} "")
set(FF_FUZZ_REAL OFF)
if(FUZZ AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  set(FF_FUZZ_REAL ON)
  add_custom_target(fuzz_all)
elseif(FUZZ)
  message(WARNING "FUZZ=ON needs clang: only the corpus replays are built")
endif()

function(ff_fuzz_target name source)
  set(corpus ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/${name})
  add_executable(${name}_replay ${source} fuzz/replay.c)
  target_include_directories(${name}_replay PRIVATE
                             ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
  target_link_libraries(${name}_replay PRIVATE ${ARGN})
  add_test(NAME ${name}_replay COMMAND ${name}_replay ${corpus})
  set_tests_properties(${name}_replay PROPERTIES ENVIRONMENT "${FF_TEST_ENV}")
  if(FF_FUZZ_REAL)
    add_executable(${name} ${source})
    target_include_directories(${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${name} PRIVATE ${ARGN})
    add_dependencies(fuzz_all ${name})
    file(APPEND ${FF_FUZZ_LIST} "${name} ${corpus}\n")
  endif()
endfunction()

ff_fuzz_target(fuzz_perf fuzz/fuzz_perf.c ff_agent)
ff_fuzz_target(fuzz_dtrace fuzz/fuzz_dtrace.c ff_agent)
ff_fuzz_target(fuzz_pmc fuzz/fuzz_pmc.c ff_agent)
ff_fuzz_target(fuzz_procstat fuzz/fuzz_procstat.c ff_agent)
ff_fuzz_target(fuzz_fold fuzz/fuzz_fold.c ff_profile)
ff_fuzz_target(fuzz_ffp fuzz/fuzz_ffp.c ff_profile)
ff_fuzz_target(fuzz_render fuzz/fuzz_render.c ff_report)
ff_fuzz_target(fuzz_html fuzz/fuzz_html.c ff_report)
if(TARGET ff_store)
  ff_fuzz_target(fuzz_upload fuzz/fuzz_upload.c ff_store)
  ff_fuzz_target(fuzz_sel fuzz/fuzz_sel.c ff_store)
endif()
