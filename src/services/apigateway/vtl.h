#pragma once

// The subset of the Velocity Template Language that API Gateway mapping templates use
// (developer guide, "Mapping template and access logging variable reference"), evaluated over
// JSON values.
//
// References: $var, $!var, ${var}, property and method chains ($a.b, $a.get('k'), $a[0]),
// $input (body, json(p), path(p), params(), params(name)), $context, $stageVariables and $util
// (escapeJavaScript, base64Encode, base64Decode, urlEncode, urlDecode, parseJson).
// Directives: #set, #if/#elseif/#else/#end, #foreach (with $foreach.hasNext/index/count),
// #break, #stop, ## and #* *# comments, #[[ ]]# unparsed text. Literals: 'single' and
// "double" (interpolated) strings, numbers, true/false/null, [lists], [1..n] ranges, {maps}.
// Operators: || && ! == != < > <= >= + - * / % and their word forms (or, and, not, eq, ...).
//
// Velocity's rules kept: a reference that resolves to nothing renders as its own text unless
// written $!; a directive alone on its line takes the line's whitespace and newline with it;
// maps and lists render as Java's toString ({a=1, b=x}, [1, 2]).
//
// Every evaluation is bounded (Limits): a template past its size, a loop past its iterations,
// nesting past its depth or output past its size is an error, never a crash or a hang.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nimbus::apigateway::vtl {

namespace json = boost::json;

struct Limits {
  size_t max_template_bytes = 300 * 1024;  // API Gateway's quota on one mapping template
  int64_t max_iterations = 10000;          // #foreach iterations in one evaluation, all loops
  int max_depth = 100;                     // nested directives and expressions
  size_t max_output_bytes = 10u << 20;     // what one evaluation may produce (API payload cap)
};

// What a template sees.
struct Bindings {
  std::string body;              // $input.body
  json::object params;           // $input.params(): {"path": {}, "querystring": {}, "header": {}}
  json::object context;          // $context (a template may #set members, e.g. responseOverride)
  json::object stage_variables;  // $stageVariables
};

enum class Failure {
  kNone,
  kTemplate,  // the template is malformed or exceeds a limit
  kBadBody,   // $input.path/json on a body that is not JSON
};

struct Rendered {
  Failure failure = Failure::kNone;
  std::string output;
  std::string error;  // why, when failure is set (for logs; AWS does not show it)
  bool ok() const { return failure == Failure::kNone; }
};

// Evaluates `text` over `bindings` (its context may be changed by #set).
Rendered Render(std::string_view text, Bindings& bindings, const Limits& limits = {});

// The value a JSONPath subset expression picks from `doc`: "$", ".name", "['name']", "[index]",
// "[*]" (a wildcard gives the list of what it matched). nullopt when nothing matches or the
// path is not one of these forms.
std::optional<json::value> JsonPath(const json::value& doc, std::string_view path);

// Java's String.valueOf for a JSON value: strings as they are, maps as {k=v, ...}, lists as
// [a, b], numbers as Java prints them.
std::string ToJavaString(const json::value& v);

// $util.escapeJavaScript: Apache Commons Lang's StringEscapeUtils.escapeJavaScript.
std::string EscapeJavaScript(std::string_view s);
// $util.urlEncode: Java's URLEncoder.encode(s, "UTF-8") (space as '+').
std::string UrlEncodeForm(std::string_view s);

}  // namespace nimbus::apigateway::vtl
