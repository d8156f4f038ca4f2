#pragma once

// What the OpenAPI import and export of both API Gateway services share: reading an API
// definition (JSON, or the block subset of YAML; ToYaml writes one), and the small lookups every
// importer makes (JSON pointers, the operations of a path item).

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "services/execute_api/yaml.h"

namespace nimbus::execute_api {

namespace json = boost::json;

// API Gateway's limit on an imported definition ("API Gateway quotas": 6 MB).
constexpr size_t kMaxDefinitionBytes = 6u << 20;
// How deep a definition may nest (objects and arrays); deeper answers an error, never a crash.
constexpr int kMaxDefinitionDepth = kMaxYamlDepth;

// Parses an API definition: JSON when it starts with '{' or '[' (after blanks), else YAML
// (ParseYaml). The result is the document, which need not be an object; nullopt with `*error`
// saying what is wrong and where (line numbers for YAML).
std::optional<json::value> ParseApiDefinition(std::string_view body, std::string* error);

// The value a local JSON pointer ("#/components/schemas/Pet") names in `root`, or nullptr.
const json::value* ResolvePointer(const json::value& root, std::string_view ref);

// The HTTP method an OpenAPI path item key names ("get" → "GET",
// "x-amazon-apigateway-any-method" → "ANY"), or "" when the key is not an operation.
std::string OperationMethod(std::string_view key);

// A path item's keys that are not operations but are valid OpenAPI ("parameters", "summary",
// "description", "servers", "$ref") or extensions ("x-...").
bool IsPathItemField(std::string_view key);

}  // namespace nimbus::execute_api
