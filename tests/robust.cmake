# tests/robust.cmake -- robustness (issue 8): the store on a failing disk
# (a fault-injecting SQLite VFS), hostile HTTP clients against a real
# ffstore serve, the agent's spool on a full file system, and the hostile
# input corpus through every reader.  Included from tests/CMakeLists.txt
# inside the FF_SERVER_SIDE block.

# The failing SQLite VFS (the only file of tests/ with <sqlite3.h>).
add_library(ff_faultvfs STATIC faultvfs.c)
target_link_libraries(ff_faultvfs PUBLIC ff_store PkgConfig::SQLITE)

# In process: the upload path and ffstore load under write, fsync and
# disk-full faults.
ff_unit_test(test_storefault ff_store ff_faultvfs)
set_tests_properties(test_storefault PROPERTIES TIMEOUT 300)

# ff-faultstore: the code of `ffstore load` and `ffstore serve` over the
# failing VFS, for store_faults.sh.
add_executable(ff-faultstore faultstore.c
               ${CMAKE_SOURCE_DIR}/store/cmd_load.c
               ${CMAKE_SOURCE_DIR}/store/cmd_util.c)
target_link_libraries(ff-faultstore PRIVATE ff_faultvfs ff_store)
ff_script_test(store_faults store_faults.sh)
set_tests_properties(store_faults PROPERTIES TIMEOUT 300)

# The agent's spool on a full (tmpfs) file system; root only.
ff_script_test(agent_spoolfull agent_spoolfull.sh)
set_tests_properties(agent_spoolfull PROPERTIES TIMEOUT 120)

# Hostile HTTP clients against a real ffstore serve: 1,000 idle and
# byte-at-a-time connections while an agent uploads, oversized requests.
add_executable(ff-slowclients slowclients.c)
ff_script_test(store_hostile store_hostile.sh)
set_tests_properties(store_hostile PROPERTIES TIMEOUT 300)

# The hostile input corpus (tests/data/hostile/MANIFEST) through every
# reader.
ff_script_test(hostile hostile.sh)
set_tests_properties(hostile PROPERTIES TIMEOUT 300)
