# tests/coverage.cmake -- tests written for branch coverage (issue 8,
# scripts/coverage.sh): error paths of profile/, the collapsers and the
# store's ingest path that the module tests do not reach.
ff_unit_test(test_cov_profile ff_profile)
ff_unit_test(test_cov_collapse ff_agent ff_collapsetest)
if(FF_SERVER_SIDE)
  foreach(t upload ingest)
    ff_unit_test(test_cov_${t} ff_store)
  endforeach()
endif()
