# Unit tests of diff/.
foreach(t stat)
  ff_unit_test(test_${t} ff_diff)
endforeach()
ff_script_test(quality quality.sh)
ff_unit_test(test_faults ff_diff)
add_dependencies(test_faults ffgen-fleet)

# Every --help, and the man pages generated from them.
ff_script_test(man_pages man_pages.sh)
ff_script_test(diff_cli diff_cli.sh)
