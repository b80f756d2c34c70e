# agent/run.cmake -- collection, spool and upload: ffagent run, push,
# pack, flush and status.  Included by agent/CMakeLists.txt.
#
# uploader.c is the only file that includes <curl/curl.h>; the agent uses
# libcurl (opened when the first upload starts, see uploader.c) and zstd
# (through profile/), never SQLite.
if(NOT CURL_FOUND)
  message(FATAL_ERROR "ffagent needs libcurl (pkg-config libcurl): "
                      "install libcurl4-openssl-dev or ftp/curl")
endif()
target_sources(ff_agent PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/agentcmd.c
  ${CMAKE_CURRENT_LIST_DIR}/agentconf.c
  ${CMAKE_CURRENT_LIST_DIR}/agentlog.c
  ${CMAKE_CURRENT_LIST_DIR}/backoff.c
  ${CMAKE_CURRENT_LIST_DIR}/cmd_flush.c
  ${CMAKE_CURRENT_LIST_DIR}/cmd_push.c
  ${CMAKE_CURRENT_LIST_DIR}/cmd_run.c
  ${CMAKE_CURRENT_LIST_DIR}/cmd_status.c
  ${CMAKE_CURRENT_LIST_DIR}/collect.c
  ${CMAKE_CURRENT_LIST_DIR}/flush.c
  ${CMAKE_CURRENT_LIST_DIR}/lockfile.c
  ${CMAKE_CURRENT_LIST_DIR}/runner.c
  ${CMAKE_CURRENT_LIST_DIR}/spool.c
  ${CMAKE_CURRENT_LIST_DIR}/uploader.c
)
# libcurl's headers from pkg-config; the library itself is dlopen()ed by
# its soname, which the build records from the library pkg-config finds.
target_include_directories(ff_agent PRIVATE ${CURL_INCLUDE_DIRS})
target_link_libraries(ff_agent PUBLIC ${CMAKE_DL_LIBS})
find_library(FF_CURL_LIB NAMES curl HINTS ${CURL_LIBRARY_DIRS})
if(FF_CURL_LIB)
  execute_process(COMMAND objdump -p ${FF_CURL_LIB}
                  OUTPUT_VARIABLE ff_curl_dyn ERROR_QUIET)
  string(REGEX MATCH "SONAME +([^ \n]+)" ff_curl_m "${ff_curl_dyn}")
  if(CMAKE_MATCH_1)
    set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/uploader.c
      PROPERTIES COMPILE_DEFINITIONS "FF_CURL_SONAME=\"${CMAKE_MATCH_1}\"")
  endif()
endif()
