#include "services/execute_api/openapi_common.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace nimbus::execute_api {
namespace {

json::value Parse(std::string_view text) {
  std::string error;
  auto v = ParseApiDefinition(text, &error);
  EXPECT_TRUE(v.has_value()) << error;
  return v ? *v : json::value();
}

std::string Error(std::string_view text) {
  std::string error;
  auto v = ParseApiDefinition(text, &error);
  EXPECT_FALSE(v.has_value()) << json::serialize(*v);
  return error;
}

TEST(ApiDefinitionTest, JsonIsParsedAndMalformedJsonExplained) {
  EXPECT_EQ(Parse(R"({"openapi": "3.0.1", "paths": {}})"),
            json::parse(R"({"openapi": "3.0.1", "paths": {}})"));
  EXPECT_EQ(Parse("  [1, 2]"), json::parse("[1,2]"));
  EXPECT_EQ(Error("{\"a\": "), "Invalid JSON: incomplete JSON");
  EXPECT_EQ(Error(""), "The API definition is empty.");
  EXPECT_EQ(Error("  \n "), "The API definition is empty.");
}

TEST(ApiDefinitionTest, DeepNestingAndHugeBodiesAreRefused) {
  std::string deep(10000, '[');
  EXPECT_NE(Error(deep).find("Invalid JSON"), std::string::npos);
  std::string yaml;
  for (int i = 0; i < 200; ++i) yaml += std::string(i * 2, ' ') + "k:\n";
  EXPECT_NE(Error(yaml).find("nests too deeply"), std::string::npos);
  std::string big(kMaxDefinitionBytes + 1, ' ');
  big[0] = '{';
  EXPECT_EQ(Error(big), "The API definition is larger than the 6 MB API Gateway accepts.");
}

// An OpenAPI document as AWS's examples write it in YAML.
TEST(ApiDefinitionTest, BlockYamlOfAnOpenApiDocument) {
  const char* text = R"(# leading comment
openapi: "3.0.1"
info:
  title: pets   # trailing comment
  version: 1.0
  description: |
    line one
    line two
paths:
  /pets/{id}:
    get:
      parameters:
      - name: id
        in: path
        required: true
      x-amazon-apigateway-integration:
        type: aws_proxy
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations
        payloadFormatVersion: '2.0'
        timeoutInMillis: 3000
    x-amazon-apigateway-any-method:
      responses: {}
x-amazon-apigateway-cors:
  allowOrigins: ["https://a.example", 'https://b.example']
  allowCredentials: false
  maxAge: 300
tags: []
empty:
nulls: ~
)";
  json::value v = Parse(text);
  json::value want = json::parse(R"({
    "openapi": "3.0.1",
    "info": {"title": "pets", "version": 1.0, "description": "line one\nline two\n"},
    "paths": {"/pets/{id}": {
      "get": {
        "parameters": [{"name": "id", "in": "path", "required": true}],
        "x-amazon-apigateway-integration": {
          "type": "aws_proxy",
          "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations",
          "payloadFormatVersion": "2.0",
          "timeoutInMillis": 3000}},
      "x-amazon-apigateway-any-method": {"responses": {}}}},
    "x-amazon-apigateway-cors": {
      "allowOrigins": ["https://a.example", "https://b.example"],
      "allowCredentials": false,
      "maxAge": 300},
    "tags": [],
    "empty": null,
    "nulls": null})");
  EXPECT_EQ(v, want) << json::serialize(v);
}

TEST(ApiDefinitionTest, YamlScalarsSequencesAndQuotes) {
  json::value v = Parse(
      "a: 'it''s'\nb: \"tab\\there \\u00e9\"\nc: -12\nd: 1e3\ne: True\n"
      "f: http://x.y:80/z\nh:\n- 1\n- - 2\n  - 3\n- k: v\n  l: w\n- long\n  words\n");
  EXPECT_EQ(v, json::parse(R"({"a": "it's", "b": "tab\there \u00e9", "c": -12, "d": 1000.0,
                              "e": true, "f": "http://x.y:80/z",
                              "h": [1, [2, 3], {"k": "v", "l": "w"}, "long words"]})"))
      << json::serialize(v);
  EXPECT_NE(Error("f: x: y\n").find("line 1"), std::string::npos);
}

TEST(ApiDefinitionTest, YamlErrorsNameTheLine) {
  EXPECT_EQ(Error("a: 1\n\tb: 2\n"), "Invalid YAML: line 2: tabs cannot indent YAML");
  EXPECT_EQ(Error("a: &anchor 1\n"),
            "Invalid YAML: line 1: YAML anchors, aliases and tags are not supported");
  EXPECT_EQ(Error("a: 1\n  b: 2\n"), "Invalid YAML: line 2: unexpected indentation or content");
  EXPECT_EQ(Error("a:\n  - x\n  y: 1\n"),
            "Invalid YAML: line 3: unexpected indentation or content");
  EXPECT_EQ(Error("a: \"open\n"), "Invalid YAML: line 1: unterminated quoted string");
  EXPECT_EQ(Error("a: [1, 2\n"), "Invalid YAML: line 1: expected ',' or ']' in a flow sequence");
  EXPECT_EQ(Error("---\na: 1\n---\nb: 2\n"), "Invalid YAML: line 3: one YAML document is expected");
}

TEST(ApiDefinitionTest, YamlWriterRoundTrips) {
  json::value doc = json::parse(R"({
    "openapi": "3.0.1",
    "info": {"title": "a: b", "version": "1.0", "x": "", "y": "true", "z": "12", "w": "- no",
             "multi": "two\nlines", "hash": "a #b", "quote": "'q'", "v": "yes"},
    "paths": {"/pets": {"get": {"responses": {"200": {"description": "ok"}},
                                "parameters": [{"name": "id", "in": "path"}, {}, []],
                                "tags": [[1, 2], [], {"a": [null, false, 1.5]}]}}},
    "empty": {}, "list": []})");
  std::string yaml = ToYaml(doc);
  EXPECT_EQ(Parse(yaml), doc) << yaml;
  EXPECT_NE(yaml.find("openapi: \"3.0.1\"\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("\"yes\""), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("    \"200\":\n"), std::string::npos) << yaml;
}

TEST(ApiDefinitionTest, PointersAndOperationKeys) {
  json::value doc = json::parse(R"({"components": {"schemas": {"a/b": {"x": [1, {"y": 2}]}}}})");
  ASSERT_NE(ResolvePointer(doc, "#/components/schemas/a~1b/x/1/y"), nullptr);
  EXPECT_EQ(*ResolvePointer(doc, "#/components/schemas/a~1b/x/1/y"), json::value(2));
  EXPECT_EQ(ResolvePointer(doc, "#/components/schemas/missing"), nullptr);
  EXPECT_EQ(ResolvePointer(doc, "#/components/schemas/a~1b/x/9"), nullptr);
  EXPECT_EQ(ResolvePointer(doc, "http://elsewhere"), nullptr);
  EXPECT_EQ(OperationMethod("get"), "GET");
  EXPECT_EQ(OperationMethod("x-amazon-apigateway-any-method"), "ANY");
  EXPECT_EQ(OperationMethod("GET"), "");
  EXPECT_EQ(OperationMethod("parameters"), "");
  EXPECT_TRUE(IsPathItemField("parameters"));
  EXPECT_TRUE(IsPathItemField("x-custom"));
  EXPECT_FALSE(IsPathItemField("fetch"));
}

}  // namespace
}  // namespace nimbus::execute_api
