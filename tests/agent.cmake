# Tests of agent/: the collapsers, `ffagent collapse`, and the reference
# conformance cases (skipped when ../shared is absent).
foreach(t perf dtrace pmc procstat collapse)
  ff_unit_test(test_${t} ff_agent)
endforeach()
# test_collapse runs the ffagent binary and the benchmark's generator; the
# conformance script runs ffagent too.
add_dependencies(test_collapse ffagent ffgen-perfgen)
ff_script_test(conformance_collapse conformance_collapse.sh)
