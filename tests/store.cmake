# Tests of store/: unit tests (cmocka), then the daemon and crash tests
# against a real ffstore on 127.0.0.1 with an ephemeral port.
foreach(t varint schema sel tokens prep query upload)
  ff_unit_test(test_${t} ff_store)
endforeach()
# ff_hash128 (profile/hash.c) was added for the store.
ff_unit_test(test_hash ff_profile)

# Programs the integration tests and the ingest benchmark use.
add_executable(ff-mkffp mkffp.c)
target_link_libraries(ff-mkffp PRIVATE ff_profile)
if(CURL_FOUND)
  add_executable(ff-upclient upclient.c)
  target_link_libraries(ff-upclient PRIVATE ff_profile PkgConfig::CURL
                        Threads::Threads)
endif()

ff_script_test(store_cli store_cli.sh)
ff_script_test(store_http store_http.sh)
ff_script_test(store_crash store_crash.sh)
set_tests_properties(store_crash PROPERTIES TIMEOUT 300)

# The web page and comparison API (needs ffdiff's library and the renderer
# inside ffstore), and the page in a browser.
ff_script_test(store_web store_web.sh)
ff_script_test(store_browser browser/store_browser.sh)
set_tests_properties(store_browser PROPERTIES TIMEOUT 300)
