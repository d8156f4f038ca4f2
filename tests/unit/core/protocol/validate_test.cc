// Input validation against the embedded models: where each problem is reported (the path AWS
// names) and how the message is worded.
#include "core/protocol/validate.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace nimbus::protocol {
namespace {

std::string Problems(std::string_view service, std::string_view operation, std::string_view in) {
  const ServiceModel* model = GetModel(service);
  if (!model) return "no model";
  const Operation* op = model->FindOperation(operation);
  if (!op || !op->input) return "no operation";
  auto st = Validate(*op->input, json::parse(in), ValidationOptions());
  if (st) return "ok";
  return st.error().code + ": " + st.error().message;
}

TEST(Validate, ValidInputPasses) {
  EXPECT_EQ(Problems("dynamodb", "BatchWriteItem",
                     R"({"RequestItems":{"tbl":[{"PutRequest":{"Item":{"pk":{"S":"a"},
                         "m":{"M":{"x":{"L":[{"N":"1"}]}}}}}}]}})"),
            "ok");
}

TEST(Validate, MissingMembersNameTheirPathsInModelOrder) {
  EXPECT_EQ(Problems("dynamodb", "PutItem", "{}"),
            "ValidationException: 2 validation errors detected: Value null at 'item' failed to "
            "satisfy constraint: Member must not be null; Value null at 'tableName' failed to "
            "satisfy constraint: Member must not be null");
}

TEST(Validate, NestedListMapAndStructurePaths) {
  EXPECT_EQ(
      Problems("dynamodb", "BatchWriteItem",
               R"({"RequestItems":{"tbl":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}},
                   {"DeleteRequest":{}}]}})"),
      "ValidationException: 1 validation error detected: Value null at "
      "'requestItems.tbl.value.2.member.deleteRequest.key' failed to satisfy constraint: "
      "Member must not be null");
  EXPECT_EQ(Problems("dynamodb", "BatchWriteItem", R"({"RequestItems":{"tbl":[]}})"),
            "ValidationException: 1 validation error detected: Value '[]' at "
            "'requestItems.tbl.value' failed to satisfy constraint: Member must have length "
            "greater than or equal to 1");
}

TEST(Validate, EnumsLengthsAndRanges) {
  EXPECT_EQ(Problems("dynamodb", "Scan", R"({"TableName":"tbl","Select":"SOME","Limit":0})"),
            "ValidationException: 2 validation errors detected: Value '0' at 'limit' failed to "
            "satisfy constraint: Member must have value greater than or equal to 1; Value 'SOME' "
            "at 'select' failed to satisfy constraint: Member must satisfy enum value set: "
            "[ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES, SPECIFIC_ATTRIBUTES, COUNT]");
}

}  // namespace
}  // namespace nimbus::protocol
