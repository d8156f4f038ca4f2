#pragma once

// What the OpenAPI import and export of both API Gateway services share: reading an API
// definition (JSON, or the block subset of YAML), writing one as YAML, and the small lookups
// every importer makes (JSON pointers, the operations of a path item).

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace nimbus::execute_api {

namespace json = boost::json;

// API Gateway's limit on an imported definition ("API Gateway quotas": 6 MB).
constexpr size_t kMaxDefinitionBytes = 6u << 20;
// How deep a definition may nest (objects and arrays); deeper answers an error, never a crash.
constexpr int kMaxDefinitionDepth = 64;

// Parses an API definition: JSON when it starts with '{' or '[' (after blanks), else YAML
// (block mappings, block sequences, scalars, quoted strings, comments and flow collections on
// one line; no anchors, tags or multi-document streams). The result is the document, which need
// not be an object; nullopt with `*error` saying what is wrong and where (line numbers for YAML).
std::optional<json::value> ParseApiDefinition(std::string_view body, std::string* error);

// `v` as block YAML (2-space indent, keys in document order, strings quoted when they would read
// back as something else). ParseApiDefinition(ToYaml(v)) == v for every JSON value.
std::string ToYaml(const json::value& v);

// The value a local JSON pointer ("#/components/schemas/Pet") names in `root`, or nullptr.
const json::value* ResolvePointer(const json::value& root, std::string_view ref);

// The HTTP method an OpenAPI path item key names ("get" → "GET",
// "x-amazon-apigateway-any-method" → "ANY"), or "" when the key is not an operation.
std::string OperationMethod(std::string_view key);

// A path item's keys that are not operations but are valid OpenAPI ("parameters", "summary",
// "description", "servers", "$ref") or extensions ("x-...").
bool IsPathItemField(std::string_view key);

}  // namespace nimbus::execute_api
