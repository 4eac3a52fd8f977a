# Runs the build's layer check (cmake/check_layer_includes.cmake) over a fixture
# folder whose header includes storage/ while its layer may include only events/,
# and fails unless the check refuses it naming the file and the header.
#   -DROOT=<source root>
execute_process(
  COMMAND ${CMAKE_COMMAND} -DROOT=${ROOT} -DLAYER=tests/architecture/fixture/wrong_layer -DALLOW=events
          -DSTAMP=${CMAKE_CURRENT_BINARY_DIR}/wrong_layer.stamp -P ${ROOT}/cmake/check_layer_includes.cmake
  RESULT_VARIABLE result
  ERROR_VARIABLE errors)
if(result EQUAL 0)
  message(FATAL_ERROR "the layer check accepted an include of storage/ from a layer that may include only events/")
endif()
if(NOT errors MATCHES "reads_a_store.h includes \"storage/store.h\"")
  message(FATAL_ERROR "the layer check failed without naming the file and the header:\n${errors}")
endif()
if(errors MATCHES "events/status.h")
  message(FATAL_ERROR "the layer check named an allowed include:\n${errors}")
endif()
message(STATUS "refused as expected:\n${errors}")
