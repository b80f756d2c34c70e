# Unit tests of profile/.
foreach(t intern stacks fold src stamp ffp func rollup sort)
  ff_unit_test(test_${t} ff_profile)
endforeach()
