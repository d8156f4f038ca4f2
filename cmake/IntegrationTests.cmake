# Integration tests: real clients (AWS CLI, boto3, AWS SDK for JavaScript v3) against a real
# nimbus process. Registered with CTest so one `ctest` runs everything.
