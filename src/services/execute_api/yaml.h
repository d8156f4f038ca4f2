#pragma once

// YAML for API definitions: the block subset OpenAPI documents use (block mappings and
// sequences, plain and quoted scalars, |/> block scalars, flow collections, comments; no
// anchors, aliases, tags or multi-document streams), read into JSON values as a YAML 1.2
// core-schema reader would, and JSON values written as block YAML.

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace nimbus::execute_api {

namespace json = boost::json;

// How deep a YAML document may nest; deeper answers an error, never a crash.
constexpr int kMaxYamlDepth = 64;

// The document `text` holds, or nullopt with `*error` "Invalid YAML: line <n>: <what>".
std::optional<json::value> ParseYaml(std::string_view text, std::string* error);

// `v` as block YAML (2-space indent, keys in document order; strings quoted when a YAML 1.2 or
// 1.1 reader would read them as something else). ParseYaml(ToYaml(v)) == v for every JSON value.
std::string ToYaml(const json::value& v);

}  // namespace nimbus::execute_api
