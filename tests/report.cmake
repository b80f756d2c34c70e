# Tests of report/: unit tests, the flamegraph.pl conformance test, the
# hostile-name and XML test, and the browser test.

add_library(ff_svgframes STATIC ${CMAKE_CURRENT_LIST_DIR}/svgframes.c)

foreach(t obuf xml palette flame flamesvg stackbuf)
  ff_unit_test(test_${t} ff_report ff_svgframes)
endforeach()

# Geometry against flamegraph.pl's reference SVGs (skipped without
# ../shared).
ff_unit_test(test_flame_conformance ff_report ff_svgframes)
add_dependencies(test_flame_conformance ffreport)

# The browser test: tests/browser/ffbrowse drives Debian's chromium over
# the DevTools protocol (skipped when chromium is not installed).
add_executable(ffbrowse ${CMAKE_CURRENT_LIST_DIR}/browser/ffbrowse.c)
target_link_libraries(ffbrowse PRIVATE PkgConfig::JANSSON)
ff_script_test(flame_browser browser/flame_browser.sh)
set_tests_properties(flame_browser PROPERTIES TIMEOUT 300)

# Hostile frame names, well-formed XML, the command line.
ff_script_test(flame_cli flame_cli.sh)

# The HTML comparison report in the browser (ffdiff --html).
if(FF_SERVER_SIDE)
  ff_script_test(report_browser browser/report_browser.sh)
  set_tests_properties(report_browser PROPERTIES TIMEOUT 300)
endif()
