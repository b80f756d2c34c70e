# Tests of the agent's collection and shipping side (agent/run.cmake):
# configuration, spool, lock, backoff and splay, runner, uploader, flush,
# and the ffagent run|push|pack|flush|status commands end to end against a
# scripted fake store (ff_fakestore) and, when it is built, the real
# `ffstore serve`.

# A scripted HTTP server on 127.0.0.1 for the upload tests.
add_executable(ff_fakestore fakestore.c)
# Starting and reading it from the C tests.
add_library(ff_agenttest STATIC agenttest.c)
target_link_libraries(ff_agenttest PUBLIC ff_testutil)

foreach(t agentconf backoff collect lockfile runner spool uploader flush)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/test_${t}.c)
    ff_unit_test(test_${t} ff_agent ff_agenttest)
    add_dependencies(test_${t} ff_fakestore)
  endif()
endforeach()

# End to end: the ffagent binary against ff_fakestore (agent_run.sh) and
# against ffstore serve (agent_store.sh; skipped when ffstore is absent).
foreach(t agent_run agent_store)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${t}.sh)
    ff_script_test(${t} ${t}.sh)
    set_tests_properties(${t} PROPERTIES TIMEOUT 600)
  endif()
endforeach()
# test_collect compares with `ffagent collapse`.
if(TARGET test_collect)
  add_dependencies(test_collect ffagent)
endif()
