# Integration tests: real clients (AWS CLI, boto3, AWS SDK for JavaScript v3) against a real
# nimbus process. Registered with CTest so one `ctest` runs everything.

# The Python that has boto3 and the AWS CLI, resolved to its real binary (a version-manager shim
# would add a slow hop to every test).
execute_process(
  COMMAND python3 -c "import sys, boto3, awscli; print(sys.executable)"
  OUTPUT_VARIABLE NIMBUS_PYTHON OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE py_result)
if(NOT py_result EQUAL 0)
  message(FATAL_ERROR "python3 with boto3 and awscli is required for the integration tests")
endif()
message(STATUS "Integration tests use ${NIMBUS_PYTHON}")

file(GLOB py_tests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/integration/test_*.py)
foreach(test_file ${py_tests})
  get_filename_component(test_name ${test_file} NAME_WE)
  add_test(NAME integration.${test_name}
           COMMAND ${NIMBUS_PYTHON} -m unittest -v ${test_name}
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/integration)
  set_tests_properties(integration.${test_name} PROPERTIES
    ENVIRONMENT "NIMBUS_BINARY=$<TARGET_FILE:nimbus>;PYTHONDONTWRITEBYTECODE=1"
    LABELS integration TIMEOUT 900)
endforeach()

# AWS SDK for JavaScript v3 (pinned in tests/js/package-lock.json; installed by `make test`).
find_program(NIMBUS_NODE node)
if(NIMBUS_NODE AND EXISTS ${CMAKE_SOURCE_DIR}/tests/js/node_modules)
  file(GLOB js_tests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/js/*.test.mjs)
  foreach(test_file ${js_tests})
    get_filename_component(test_name ${test_file} NAME_WE)
    add_test(NAME js.${test_name} COMMAND ${NIMBUS_NODE} --test ${test_file}
             WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/js)
    set_tests_properties(js.${test_name} PROPERTIES
      ENVIRONMENT "NIMBUS_BINARY=$<TARGET_FILE:nimbus>" LABELS integration TIMEOUT 600)
  endforeach()
endif()
