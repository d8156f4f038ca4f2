#pragma once

// JSON Schema draft 4, the subset API Gateway models use to validate request bodies: type,
// properties, required, additionalProperties, patternProperties, items, additionalItems,
// minItems/maxItems, uniqueItems, enum, minimum/maximum (with draft-4 boolean exclusive*),
// multipleOf, minLength/maxLength (in code points), pattern (ECMAScript, searched),
// minProperties/maxProperties, allOf/anyOf/oneOf/not and $ref. "format" and unknown keywords
// are ignored, as draft 4 allows.

#include <boost/json/value.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace nimbus::apigateway {

namespace json = boost::json;

// Resolves a "$ref" that is not local to the schema being checked (another model: "#/definitions/
// Pet", "https://apigateway.amazonaws.com/restapis/<id>/models/Pet"): the referenced schema, or
// nullptr when it names nothing (the instance then fails validation).
using SchemaResolver = std::function<const json::value*(std::string_view ref)>;

// Strings longer than this are not matched against "pattern": std::regex recurses per character
// (up to about 2 KB of stack each with nested groups), so they fail a pattern check instead of
// risking a server thread's stack.
constexpr size_t kMaxPatternSubject = 1024;

// Validates `instance` against `schema`. nullopt when it conforms, else the first violation
// ("instance.name: expected type string"). `resolve` may be empty. Cyclic or deep references
// stop at a fixed depth and count as violations; a bad regular expression counts as a violation.
std::optional<std::string> ValidateJsonSchema(const json::value& schema,
                                              const json::value& instance,
                                              const SchemaResolver& resolve = {});

}  // namespace nimbus::apigateway
