// rest-json (Lambda, API Gateway): requests as botocore 1.43 serializes them (captured with the
// client's before-send event), decoded documents, and response bytes as botocore's
// RestJSONParser reads them.
#include <gtest/gtest.h>

#include "core/protocol/codec.h"
#include "rest_test_util.h"

namespace nimbus::protocol {
namespace {

using testing::Json;
using testing::MakeRequest;

class RestJsonTest : public ::testing::Test {
 protected:
  const Codec& codec_ = *CodecFor("rest-json");
  const ServiceModel& lambda_ = *GetModel("lambda");
  const ServiceModel& apigw_ = *GetModel("apigateway");

  Result<Document> Decode(const ServiceModel& model, const http::Request& r) {
    auto op = codec_.ResolveOperation(model, r);
    if (!op) return op.error();
    return codec_.DecodeInput(model, **op, r);
  }
};

TEST_F(RestJsonTest, CreateFunctionDecodesJsonBodyWithBase64Blob) {
  auto r = MakeRequest("POST", "/2015-03-31/functions", {{"Content-Type", "application/json"}},
                       R"({"FunctionName": "fn1", "Runtime": "python3.12", )"
                       R"("Role": "arn:aws:iam::000000000000:role/r", "Handler": "app.handler", )"
                       R"("Code": {"ZipFile": "UEsDBA=="}, "Timeout": 30, )"
                       R"("Environment": {"Variables": {"A": "1"}}})");
  EXPECT_EQ(testing::Resolve(codec_, lambda_, r), "CreateFunction");
  auto doc = Decode(lambda_, r);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(*doc, Json(R"({"FunctionName":"fn1","Runtime":"python3.12",
      "Role":"arn:aws:iam::000000000000:role/r","Handler":"app.handler",
      "Code":{"ZipFile":"PK\u0003\u0004"},"Timeout":30,"Environment":{"Variables":{"A":"1"}}})"));
}

TEST_F(RestJsonTest, InvokeTakesRawPayloadAndHeaders) {
  auto r = MakeRequest("POST", "/2015-03-31/functions/fn1/invocations",
                       {{"X-Amz-Invocation-Type", "Event"},
                        {"X-Amz-Log-Type", "Tail"},
                        {"X-Amz-Client-Context", "eyJ4IjoxfQ=="},
                        {"Content-Length", "8"}},
                       R"({"k": 1})");
  EXPECT_EQ(testing::Resolve(codec_, lambda_, r), "Invoke");
  auto doc = Decode(lambda_, r);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(*doc, Json(R"({"Payload":"{\"k\": 1}","FunctionName":"fn1",
      "InvocationType":"Event","LogType":"Tail","ClientContext":"eyJ4IjoxfQ=="})"));
}

TEST_F(RestJsonTest, GetFunctionDecodesPercentEncodedLabelAndQuery) {
  auto r = MakeRequest("GET",
                       "/2015-03-31/functions/"
                       "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Afn1"
                       "?Qualifier=%24LATEST");
  EXPECT_EQ(testing::Resolve(codec_, lambda_, r), "GetFunction");
  auto doc = Decode(lambda_, r);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(*doc, Json(R"({"FunctionName":"arn:aws:lambda:us-east-1:000000000000:function:fn1",
      "Qualifier":"$LATEST"})"));
}

TEST_F(RestJsonTest, ListFunctionsParsesQueryTypes) {
  auto r =
      MakeRequest("GET", "/2015-03-31/functions?MaxItems=10&Marker=abc%20def&FunctionVersion=ALL");
  EXPECT_EQ(testing::Resolve(codec_, lambda_, r), "ListFunctions");
  auto doc = Decode(lambda_, r);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(*doc, Json(R"({"MaxItems":10,"Marker":"abc def","FunctionVersion":"ALL"})"));
}

TEST_F(RestJsonTest, ResolvesMostSpecificLiteralPath) {
  EXPECT_EQ(testing::Resolve(codec_, lambda_,
                             MakeRequest("GET", "/2015-03-31/functions/fn1/configuration")),
            "GetFunctionConfiguration");
  EXPECT_EQ(testing::Resolve(codec_, lambda_, MakeRequest("GET", "/2015-03-31/functions/fn1")),
            "GetFunction");
  EXPECT_EQ(testing::Resolve(codec_, lambda_, MakeRequest("GET", "/2015-03-31/functions/")),
            "ListFunctions");
  EXPECT_EQ(testing::Resolve(codec_, lambda_, MakeRequest("POST", "/2015-03-31/functions")),
            "CreateFunction");
  // A required literal query value picks GetLayerVersionByArn over ListLayers.
  EXPECT_EQ(testing::Resolve(codec_, lambda_,
                             MakeRequest("GET", "/2018-10-31/layers?find=LayerVersion&Arn=x")),
            "GetLayerVersionByArn");
  EXPECT_EQ(testing::Resolve(codec_, lambda_, MakeRequest("GET", "/2018-10-31/layers")),
            "ListLayers");
  EXPECT_EQ(testing::Resolve(codec_, apigw_, MakeRequest("POST", "/restapis?mode=import")),
            "ImportRestApi");
  EXPECT_EQ(testing::Resolve(codec_, apigw_, MakeRequest("POST", "/restapis")), "CreateRestApi");
}

TEST_F(RestJsonTest, LongUriLabelParsesAndRejectsGarbage) {
  auto ok = Decode(lambda_, MakeRequest("GET", "/2018-10-31/layers/lay/versions/7"));
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(*ok, Json(R"({"LayerName":"lay","VersionNumber":7})"));
  auto bad = Decode(lambda_, MakeRequest("GET", "/2018-10-31/layers/lay/versions/seven"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "InvalidParameterValueException");
  EXPECT_EQ(bad.error().http_status, 400);
  EXPECT_EQ(bad.error().message,
            "Invalid value 'seven' for URI label 'VersionNumber': expected an integer.");
}

TEST_F(RestJsonTest, BadQueryNumberAnswersTheModelsParameterError) {
  auto lambda = Decode(lambda_, MakeRequest("GET", "/2015-03-31/functions?MaxItems=ten"));
  ASSERT_FALSE(lambda);
  EXPECT_EQ(lambda.error().code, "InvalidParameterValueException");
  EXPECT_EQ(lambda.error().message,
            "Invalid value 'ten' for query parameter 'MaxItems': expected an integer.");
  auto apigw = Decode(apigw_, MakeRequest("GET", "/restapis?limit=99999999999"));
  ASSERT_FALSE(apigw);
  EXPECT_EQ(apigw.error().code, "BadRequestException");
  EXPECT_EQ(apigw.error().http_status, 400);
}

TEST_F(RestJsonTest, MalformedJsonIsSerializationException) {
  auto r = MakeRequest("POST", "/2015-03-31/functions", {}, R"({"FunctionName": )");
  auto doc = Decode(lambda_, r);
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code, "SerializationException");
  EXPECT_EQ(doc.error().http_status, 400);

  auto array = Decode(lambda_, MakeRequest("POST", "/2015-03-31/functions", {}, "[1,2]"));
  ASSERT_FALSE(array);
  EXPECT_EQ(array.error().code, "SerializationException");

  auto wrong_type =
      Decode(lambda_, MakeRequest("POST", "/2015-03-31/functions", {}, R"({"Timeout":"x"})"));
  ASSERT_FALSE(wrong_type);
  EXPECT_EQ(wrong_type.error().code, "SerializationException");

  std::string deep(100000, '[');
  auto nested = Decode(lambda_, MakeRequest("POST", "/2015-03-31/functions", {}, deep));
  ASSERT_FALSE(nested);
  EXPECT_EQ(nested.error().code, "SerializationException");

  auto utf8 = Decode(lambda_, MakeRequest("POST", "/2015-03-31/functions", {},
                                          "{\"FunctionName\": \"\xff\xfe\"}"));
  ASSERT_FALSE(utf8);
  EXPECT_EQ(utf8.error().code, "SerializationException");
}

TEST_F(RestJsonTest, BodyCannotOverrideUriMembers) {
  auto r = MakeRequest("PUT", "/2015-03-31/functions/fn1/code", {},
                       R"({"FunctionName":"other","Publish":true})");
  EXPECT_EQ(testing::Resolve(codec_, lambda_, r), "UpdateFunctionCode");
  auto doc = Decode(lambda_, r);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(*doc, Json(R"({"FunctionName":"fn1","Publish":true})"));
}

TEST_F(RestJsonTest, QuerystringMapTakesUnboundParameters) {
  auto r = MakeRequest(
      "GET", "/restapis/abc/stages/prod/exports/oas30?extensions=integrations&x-id=GetExport",
      {{"Accept", "application/yaml"}});
  EXPECT_EQ(testing::Resolve(codec_, apigw_, r), "GetExport");
  auto doc = Decode(apigw_, r);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(*doc, Json(R"({"parameters":{"extensions":"integrations"},"restApiId":"abc",
      "stageName":"prod","exportType":"oas30","accepts":"application/yaml"})"));
}

TEST_F(RestJsonTest, UnknownPathIs404UnknownOperation) {
  auto r = MakeRequest("GET", "/2015-03-31/nothing-here");
  auto op = codec_.ResolveOperation(lambda_, r);
  ASSERT_FALSE(op);
  EXPECT_EQ(op.error().code, "UnknownOperationException");
  EXPECT_EQ(op.error().http_status, 404);
  EXPECT_EQ(op.error().message,
            "No operation of Lambda matches the request GET /2015-03-31/nothing-here");
}

TEST_F(RestJsonTest, InvokeOutputWritesStatusHeadersAndRawPayload) {
  const Operation& op = *lambda_.FindOperation("Invoke");
  Document out = Json(R"({"StatusCode":200,"FunctionError":"Unhandled","LogResult":"bG9ncw==",
      "ExecutedVersion":"$LATEST","Payload":"{\"errorMessage\":\"boom\"}"})");
  http::Response resp;
  codec_.EncodeOutput(lambda_, op, out, "req-1", &resp);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, R"({"errorMessage":"boom"})");
  EXPECT_EQ(resp.Header("x-amzn-RequestId"), "req-1");
  EXPECT_EQ(resp.Header("X-Amz-Function-Error"), "Unhandled");
  EXPECT_EQ(resp.Header("X-Amz-Log-Result"), "bG9ncw==");
  EXPECT_EQ(resp.Header("X-Amz-Executed-Version"), "$LATEST");
  EXPECT_EQ(resp.Header("content-type"), "application/json");

  Document event = Json(R"({"StatusCode":202})");
  http::Response accepted;
  codec_.EncodeOutput(lambda_, op, event, "req-2", &accepted);
  EXPECT_EQ(accepted.status, 202);
  EXPECT_EQ(accepted.body, "");
}

TEST_F(RestJsonTest, JsonOutputKeepsOnlyBodyMembersInWireForm) {
  const Operation& op = *apigw_.FindOperation("GetRestApi");
  Document out = Json(R"({"id":"abc","name":"api","createdDate":1700000000,
      "tags":{"k":"v"},"internal":"dropped"})");
  http::Response resp;
  codec_.EncodeOutput(apigw_, op, out, "req-1", &resp);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, R"({"createdDate":1700000000,"id":"abc","name":"api","tags":{"k":"v"}})");
  EXPECT_EQ(resp.Header("content-type"), "application/json");
}

TEST_F(RestJsonTest, OutputWithoutBodyMembersHasEmptyBody) {
  const Operation& op = *lambda_.FindOperation("DeleteFunction");
  Document out = json::object();
  http::Response resp;
  codec_.EncodeOutput(lambda_, op, out, "req-1", &resp);
  EXPECT_EQ(resp.status, op.response_code);
  EXPECT_EQ(resp.body, "");
  EXPECT_EQ(resp.Header("content-type"), "");

  // A shape with body members answers "{}" even when none is set.
  const Operation& list = *lambda_.FindOperation("ListFunctions");
  Document empty = json::object();
  http::Response listed;
  codec_.EncodeOutput(lambda_, list, empty, "req-2", &listed);
  EXPECT_EQ(listed.body, "{}");
}

TEST_F(RestJsonTest, ErrorsCarryCodeHeaderAndMessage) {
  ApiError err("ResourceNotFoundException", 404,
               "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope");
  http::Response resp;
  codec_.EncodeError(lambda_, err, "req-9", &resp);
  EXPECT_EQ(resp.status, 404);
  EXPECT_EQ(resp.Header("x-amzn-ErrorType"), "ResourceNotFoundException");
  EXPECT_EQ(resp.Header("x-amzn-RequestId"), "req-9");
  EXPECT_EQ(resp.Header("content-type"), "application/json");
  EXPECT_EQ(resp.body, R"({"Type":"User","message":"Function not found: )"
                       R"(arn:aws:lambda:us-east-1:000000000000:function:nope"})");

  ApiError conflict("ConflictException", 409, "Unable to complete \"x\"");
  conflict.extra["resourceId"] = "abc";
  http::Response apigw;
  codec_.EncodeError(apigw_, conflict, "req-10", &apigw);
  EXPECT_EQ(apigw.status, 409);
  EXPECT_EQ(apigw.Header("x-amzn-ErrorType"), "ConflictException");
  EXPECT_EQ(apigw.body, R"({"message":"Unable to complete \"x\"","resourceId":"abc"})");
}

}  // namespace
}  // namespace nimbus::protocol
