# agent/run.cmake -- collection, spool and upload: ffagent run, push,
# pack, flush and status.  Included by agent/CMakeLists.txt.
#
# uploader.c is the only file that includes <curl/curl.h>; the agent links
# libcurl and zstd (through profile/), never SQLite.
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
target_link_libraries(ff_agent PUBLIC PkgConfig::CURL)
