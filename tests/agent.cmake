# Tests of agent/: the collapsers, `ffagent collapse`, and the reference
# conformance cases (skipped when ../shared is absent).
# collapsetest.c: a collapser run on text in memory, for their tests.
add_library(ff_collapsetest STATIC collapsetest.c)
target_link_libraries(ff_collapsetest PUBLIC ff_agent ff_testutil)
foreach(t perf dtrace pmc procstat)
  ff_unit_test(test_${t} ff_agent ff_collapsetest)
endforeach()
ff_unit_test(test_collapse ff_agent)
# test_collapse runs the ffagent binary and the benchmark's generator; the
# conformance script runs ffagent too.
add_dependencies(test_collapse ffagent ffgen-perfgen)
ff_script_test(conformance_collapse conformance_collapse.sh)
