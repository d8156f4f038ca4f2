// Reading and writing API definitions: JSON through Boost.JSON with a depth limit, YAML through
// yaml.cc; JSON pointers and the operations of OpenAPI path items.
#include "services/execute_api/openapi_common.h"

#include <boost/json.hpp>
#include <cctype>
#include <cstdlib>

#include "services/execute_api/yaml.h"

namespace nimbus::execute_api {

std::optional<json::value> ParseApiDefinition(std::string_view body, std::string* error) {
  if (body.size() > kMaxDefinitionBytes) {
    *error = "The API definition is larger than the 6 MB API Gateway accepts.";
    return std::nullopt;
  }
  size_t first = 0;
  while (first < body.size() && std::isspace(static_cast<unsigned char>(body[first]))) ++first;
  if (first == body.size()) {
    *error = "The API definition is empty.";
    return std::nullopt;
  }
  if (body[first] == '{' || body[first] == '[') {
    json::error_code ec;
    json::parse_options opts;
    opts.max_depth = kMaxDefinitionDepth;
    json::value v = json::parse(body, ec, {}, opts);
    if (ec) {
      *error = "Invalid JSON: " + ec.message();
      return std::nullopt;
    }
    return v;
  }
  return ParseYaml(body, error);
}

const json::value* ResolvePointer(const json::value& root, std::string_view ref) {
  if (ref.empty() || ref[0] != '#') return nullptr;
  ref.remove_prefix(1);
  const json::value* at = &root;
  while (!ref.empty()) {
    if (ref[0] != '/') return nullptr;
    ref.remove_prefix(1);
    size_t slash = ref.find('/');
    std::string_view raw = ref.substr(0, slash);
    std::string token;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token.push_back(raw[i + 1] == '0' ? '~' : '/');
        ++i;
      } else {
        token.push_back(raw[i]);
      }
    }
    ref = slash == std::string_view::npos ? std::string_view() : ref.substr(slash);
    if (at->is_object()) {
      at = at->get_object().if_contains(token);
    } else if (at->is_array()) {
      char* end = nullptr;
      unsigned long i = std::strtoul(token.c_str(), &end, 10);
      if (token.empty() || *end || i >= at->get_array().size()) return nullptr;
      at = &at->get_array()[i];
    } else {
      return nullptr;
    }
    if (!at) return nullptr;
  }
  return at;
}

std::string OperationMethod(std::string_view key) {
  static constexpr std::string_view kMethods[] = {"get",  "put",     "post",  "delete",
                                                  "head", "options", "patch", "trace"};
  if (key == "x-amazon-apigateway-any-method") return "ANY";
  for (auto m : kMethods) {
    if (m == key) {
      std::string out(key);
      for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return out;
    }
  }
  return "";
}

bool IsPathItemField(std::string_view key) {
  return key == "parameters" || key == "summary" || key == "description" || key == "servers" ||
         key == "$ref" || key.rfind("x-", 0) == 0;
}

}  // namespace nimbus::execute_api
