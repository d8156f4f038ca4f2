#include "services/apigateway/json_schema.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace nimbus::apigateway {
namespace {

// "" when `instance` conforms to `schema`, else the violation.
std::string Check(std::string_view schema, std::string_view instance,
                  const SchemaResolver& resolve = {}) {
  auto v = ValidateJsonSchema(json::parse(schema), json::parse(instance), resolve);
  return v ? *v : "";
}

TEST(JsonSchemaTest, TypesIncludingIntegerAndUnions) {
  EXPECT_EQ(Check(R"({"type": "string"})", R"("x")"), "");
  EXPECT_EQ(Check(R"({"type": "string"})", "1"),
            "instance: expected type string but found integer");
  EXPECT_EQ(Check(R"({"type": "integer"})", "2.0"), "");
  EXPECT_NE(Check(R"({"type": "integer"})", "2.5"), "");
  EXPECT_EQ(Check(R"({"type": "number"})", "2"), "");
  EXPECT_EQ(Check(R"({"type": ["string", "null"]})", "null"), "");
  EXPECT_EQ(Check(R"({"type": ["string", "null"]})", "true"),
            "instance: instance type boolean is not allowed");
  EXPECT_EQ(Check(R"({"type": "object"})", "[]"), "instance: expected type object but found array");
  EXPECT_EQ(Check("{}", R"({"anything": [1]})"), "");
}

// The pet model of API Gateway's request validation walkthrough.
TEST(JsonSchemaTest, PropertiesRequiredAndAdditionalProperties) {
  const char* pet = R"({"type": "object", "required": ["name", "price"],
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 5},
                   "price": {"type": "number", "minimum": 25, "maximum": 500},
                   "type": {"type": "string", "enum": ["dog", "cat", "fish"]}},
    "additionalProperties": false})";
  EXPECT_EQ(Check(pet, R"({"name": "rex", "price": 30, "type": "dog"})"), "");
  EXPECT_EQ(Check(pet, R"({"name": "rex"})"),
            "instance: object has missing required property price");
  EXPECT_EQ(Check(pet, R"({"name": "rex", "price": 10})"),
            "instance.price: numeric instance is lower than the required minimum");
  EXPECT_EQ(Check(pet, R"({"name": "rex", "price": 501})"),
            "instance.price: numeric instance is greater than the required maximum");
  EXPECT_EQ(Check(pet, R"({"name": "", "price": 30})"), "instance.name: string is too short");
  EXPECT_EQ(Check(pet, R"({"name": "rexrex", "price": 30})"), "instance.name: string is too long");
  EXPECT_EQ(Check(pet, R"({"name": "rex", "price": 30, "type": "bird"})"),
            "instance.type: value is not one of the enumerated values");
  EXPECT_EQ(Check(pet, R"({"name": "rex", "price": 30, "age": 3})"),
            "instance: object instance has a property not allowed by the schema: age");
  EXPECT_EQ(Check(R"({"additionalProperties": {"type": "integer"}})", R"({"a": 1, "b": "x"})"),
            "instance.b: expected type integer but found string");
}

TEST(JsonSchemaTest, ExclusiveBoundsLengthsInCodePointsAndPatterns) {
  EXPECT_NE(Check(R"({"minimum": 1, "exclusiveMinimum": true})", "1"), "");
  EXPECT_EQ(Check(R"({"minimum": 1, "exclusiveMinimum": true})", "1.5"), "");
  EXPECT_NE(Check(R"({"maximum": 1, "exclusiveMaximum": true})", "1"), "");
  EXPECT_EQ(Check(R"({"multipleOf": 0.5})", "2.5"), "");
  EXPECT_NE(Check(R"({"multipleOf": 2})", "3"), "");
  EXPECT_EQ(Check(R"({"maxLength": 2})", R"("éé")"), "");
  EXPECT_EQ(Check(R"({"pattern": "^[a-z]+$"})", R"("abc")"), "");
  EXPECT_EQ(Check(R"({"pattern": "^[a-z]+$"})", R"("abC")"),
            "instance: string does not match pattern ^[a-z]+$");
  EXPECT_EQ(Check(R"({"pattern": "b"})", R"("abc")"), "");  // searched, not anchored
  EXPECT_EQ(Check(R"({"pattern": "(["})", R"("abc")"), "instance: invalid pattern ([");
  std::string long_string = "\"" + std::string(kMaxPatternSubject + 1, 'a') + "\"";
  EXPECT_EQ(Check(R"({"pattern": "(a|b)*"})", long_string),
            "instance: string is too long to match against a pattern");
}

TEST(JsonSchemaTest, ArraysAndCombinators) {
  const char* list = R"({"type": "array", "minItems": 1, "maxItems": 3, "uniqueItems": true,
                         "items": {"type": "integer"}})";
  EXPECT_EQ(Check(list, "[1, 2]"), "");
  EXPECT_EQ(Check(list, "[]"), "instance: array is too short");
  EXPECT_EQ(Check(list, "[1, 2, 3, 4]"), "instance: array is too long");
  EXPECT_EQ(Check(list, "[1, 1.0]"), "instance: array must not contain duplicate elements");
  EXPECT_EQ(Check(list, R"([1, "2"])"), "instance[1]: expected type integer but found string");
  EXPECT_EQ(Check(R"({"items": [{"type": "string"}], "additionalItems": false})", R"(["a", 1])"),
            "instance: array has too many items");
  EXPECT_EQ(Check(R"({"anyOf": [{"type": "string"}, {"type": "integer"}]})", "1"), "");
  EXPECT_NE(Check(R"({"anyOf": [{"type": "string"}, {"type": "integer"}]})", "true"), "");
  EXPECT_NE(Check(R"({"oneOf": [{"type": "number"}, {"type": "integer"}]})", "1"), "");
  EXPECT_EQ(Check(R"({"allOf": [{"minimum": 1}, {"maximum": 3}]})", "2"), "");
  EXPECT_NE(Check(R"({"not": {"type": "null"}})", "null"), "");
  EXPECT_EQ(Check(R"({"minProperties": 1})", "{}"), "instance: object has too few properties");
}

TEST(JsonSchemaTest, ReferencesLocalToOtherModelsAndCycles) {
  const char* local = R"({"definitions": {"id": {"type": "integer"}},
                          "properties": {"id": {"$ref": "#/definitions/id"}}})";
  EXPECT_EQ(Check(local, R"({"id": 1})"), "");
  EXPECT_EQ(Check(local, R"({"id": "1"})"), "instance.id: expected type integer but found string");
  json::value tag = json::parse(R"({"type": "object", "required": ["name"]})");
  SchemaResolver resolve = [&](std::string_view ref) -> const json::value* {
    return ref == "https://apigateway.amazonaws.com/restapis/abc/models/Tag" ? &tag : nullptr;
  };
  const char* pet = R"({"properties": {"tags": {"type": "array", "items":
      {"$ref": "https://apigateway.amazonaws.com/restapis/abc/models/Tag"}}}})";
  EXPECT_EQ(Check(pet, R"({"tags": [{"name": "a"}]})", resolve), "");
  EXPECT_EQ(Check(pet, R"({"tags": [{}]})", resolve),
            "instance.tags[0]: object has missing required property name");
  EXPECT_EQ(Check(R"({"$ref": "#/definitions/Nope"})", "1", resolve),
            "instance: unresolvable reference #/definitions/Nope");
  EXPECT_EQ(Check(R"({"$ref": "#"})", "1"), "instance: the schema nests or refers too deeply");
}

}  // namespace
}  // namespace nimbus::apigateway
