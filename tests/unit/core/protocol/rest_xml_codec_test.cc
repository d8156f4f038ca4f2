// rest-xml (S3, CloudFront): requests as botocore 1.43 serializes them (captured with the
// client's before-send event), decoded documents, and response bytes that botocore's
// RestXMLParser reads back into the same values.
#include <gtest/gtest.h>

#include "core/protocol/codec.h"
#include "rest_test_util.h"

namespace nimbus::protocol {
namespace {

using testing::Json;
using testing::MakeRequest;

constexpr std::string_view kMalformedXml =
    "The XML you provided was not well-formed or did not validate against our published schema";

class RestXmlTest : public ::testing::Test {
 protected:
  const Codec& codec_ = *CodecFor("rest-xml");
  const ServiceModel& s3_ = *GetModel("s3");
  const ServiceModel& cloudfront_ = *GetModel("cloudfront");

  std::string Op(const http::Request& r) { return testing::Resolve(codec_, s3_, r); }
  std::string Op(std::string method, std::string target, http::HeaderList headers = {}) {
    return Op(MakeRequest(std::move(method), std::move(target), std::move(headers)));
  }

  Result<Document> Decode(const ServiceModel& model, const http::Request& r) {
    auto op = codec_.ResolveOperation(model, r);
    if (!op) return op.error();
    return codec_.DecodeInput(model, **op, r);
  }
  Result<Document> Decode(const http::Request& r) { return Decode(s3_, r); }
};

TEST_F(RestXmlTest, ResolvesS3OperationsSharingAUri) {
  EXPECT_EQ(Op("GET", "/bkt/dir/a%20b%2Bc.txt?partNumber=1"), "GetObject");
  EXPECT_EQ(Op("GET", "/bkt?list-type=2&prefix=dir%2F&max-keys=5&delimiter=%2F&encoding-type=url"),
            "ListObjectsV2");
  EXPECT_EQ(Op("GET", "/bkt?prefix=dir%2F&encoding-type=url"), "ListObjects");
  EXPECT_EQ(Op("GET", "/bkt?list-type=1"), "ListObjects");
  EXPECT_EQ(Op("GET", "/bkt/"), "ListObjects");
  EXPECT_EQ(Op("GET", "/bkt?tagging"), "GetBucketTagging");
  EXPECT_EQ(Op("GET", "/bkt/key?tagging"), "GetObjectTagging");
  EXPECT_EQ(Op("GET", "/bkt?location"), "GetBucketLocation");
  EXPECT_EQ(Op("GET", "/bkt?lifecycle"), "GetBucketLifecycleConfiguration");
  EXPECT_EQ(Op("GET", "/bkt?analytics"), "ListBucketAnalyticsConfigurations");
  EXPECT_EQ(Op("GET", "/bkt?analytics&id=a1"), "GetBucketAnalyticsConfiguration");
  EXPECT_EQ(Op("GET", "/"), "ListBuckets");
  EXPECT_EQ(Op("GET", "/?max-buckets=5"), "ListBuckets");
  // Only ListDirectoryBuckets declares max-directory-buckets.
  EXPECT_EQ(Op("GET", "/?continuation-token=t&max-directory-buckets=0"), "ListDirectoryBuckets");
  EXPECT_EQ(Op("PUT", "/bkt"), "CreateBucket");
  EXPECT_EQ(Op("HEAD", "/bkt"), "HeadBucket");
  EXPECT_EQ(Op("HEAD", "/bkt/k"), "HeadObject");
  EXPECT_EQ(Op("POST", "/bkt?delete"), "DeleteObjects");
  EXPECT_EQ(Op("POST", "/bkt/big?uploads"), "CreateMultipartUpload");
  EXPECT_EQ(Op("POST", "/bkt/big?uploadId=u1"), "CompleteMultipartUpload");
  EXPECT_EQ(Op("GET", "/bkt/big?uploadId=u1"), "ListParts");
  EXPECT_EQ(Op("DELETE", "/bkt/big?uploadId=u1"), "AbortMultipartUpload");
  EXPECT_EQ(Op("DELETE", "/bkt/big"), "DeleteObject");
  EXPECT_EQ(Op("PUT", "/bkt/big"), "PutObject");
  EXPECT_EQ(Op("PUT", "/bkt/big?uploadId=u1&partNumber=2"), "UploadPart");
  EXPECT_EQ(Op("PUT", "/bkt/big", {{"x-amz-copy-source", "src/k"}}), "CopyObject");
  EXPECT_EQ(Op("PUT", "/bkt/big?uploadId=u1&partNumber=2", {{"x-amz-copy-source", "src/k"}}),
            "UploadPartCopy");
  // The JS SDK's x-id names the operation outright.
  EXPECT_EQ(Op("GET", "/?x-id=ListDirectoryBuckets"), "ListDirectoryBuckets");
  EXPECT_EQ(Op("GET", "/bkt/k?x-id=GetObject"), "GetObject");
}

TEST_F(RestXmlTest, GreedyKeyKeepsSlashesAndTrailingSlash) {
  auto doc = Decode(MakeRequest("GET", "/bkt/folder/"));
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(*doc, Json(R"({"Bucket":"bkt","Key":"folder/"})"));
  auto leading = Decode(MakeRequest("GET", "/bkt//a%2Fb"));
  ASSERT_TRUE(leading) << leading.error().message;
  EXPECT_EQ(*leading, Json(R"({"Bucket":"bkt","Key":"/a/b"})"));
}

TEST_F(RestXmlTest, VirtualHostedBucketComesFromHost) {
  auto get = MakeRequest("GET", "/k/x", {{"x-amz-checksum-mode", "ENABLED"}}, "",
                         "bkt.s3.localhost.localstack.cloud:4566");
  EXPECT_EQ(Op(get), "GetObject");
  auto doc = Decode(get);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(*doc, Json(R"({"Bucket":"bkt","Key":"k/x","ChecksumMode":"ENABLED"})"));

  auto list = MakeRequest("GET", "/?list-type=2&encoding-type=url", {}, "",
                          "my.bkt.s3.us-east-1.amazonaws.com");
  EXPECT_EQ(Op(list), "ListObjectsV2");
  auto listed = Decode(list);
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(*listed, Json(R"({"Bucket":"my.bkt","EncodingType":"url"})"));
  EXPECT_EQ(Op(MakeRequest("PUT", "/", {}, "", "bkt.s3.localhost")), "CreateBucket");
}

TEST_F(RestXmlTest, PutObjectDecodesHeadersMetadataAndRawBody) {
  auto r = MakeRequest("PUT", "/bkt/dir/a%20b%2Bc.txt",
                       {{"x-amz-meta-Color", "blue"},
                        {"x-amz-meta-x", "y"},
                        {"Content-Type", "text/plain"},
                        {"Expires", "Wed, 02 Jan 2030 03:04:05 GMT"},
                        {"x-amz-object-lock-legal-hold", "ON"},
                        {"Expect", "100-continue"},
                        {"x-amz-checksum-crc32", "NhCmhg=="},
                        {"x-amz-sdk-checksum-algorithm", "CRC32"},
                        {"x-amz-server-side-encryption-bucket-key-enabled", "true"},
                        {"Content-Length", "5"}},
                       "hello");
  EXPECT_EQ(Op(r), "PutObject");
  auto doc = Decode(r);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(*doc, Json(R"({"Body":"hello","Bucket":"bkt","Key":"dir/a b+c.txt",
      "Metadata":{"color":"blue","x":"y"},"ContentType":"text/plain",
      "Expires":"Wed, 02 Jan 2030 03:04:05 GMT",
      "ObjectLockLegalHoldStatus":"ON","ChecksumCRC32":"NhCmhg==","ChecksumAlgorithm":"CRC32",
      "BucketKeyEnabled":true,"ContentLength":5})"));

  auto empty = Decode(MakeRequest("PUT", "/bkt/empty"));
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, Json(R"({"Body":"","Bucket":"bkt","Key":"empty"})"));
}

TEST_F(RestXmlTest, ListObjectsV2DecodesQueryAndHeaderList) {
  auto r = MakeRequest("GET", "/bkt?list-type=2&prefix=dir%2F&max-keys=5&delimiter=%2F",
                       {{"x-amz-optional-object-attributes", "RestoreStatus"}});
  auto doc = Decode(r);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(*doc, Json(R"({"Bucket":"bkt","Prefix":"dir/","MaxKeys":5,"Delimiter":"/",
      "OptionalObjectAttributes":["RestoreStatus"]})"));
}

TEST_F(RestXmlTest, BadNumbersAnswerInvalidArgument) {
  auto doc = Decode(MakeRequest("GET", "/bkt?list-type=2&max-keys=abc"));
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code, "InvalidArgument");
  EXPECT_EQ(doc.error().http_status, 400);
  EXPECT_EQ(doc.error().message,
            "Invalid value 'abc' for query parameter 'max-keys': expected an integer.");
  auto header = Decode(MakeRequest("PUT", "/bkt/k", {{"Content-Length", "five"}}, "hello"));
  ASSERT_FALSE(header);
  EXPECT_EQ(header.error().code, "InvalidArgument");
  EXPECT_EQ(header.error().message,
            "Invalid value 'five' for header 'Content-Length': expected an integer.");
  auto date = Decode(MakeRequest("GET", "/bkt/k", {{"If-Modified-Since", "yesterday"}}));
  ASSERT_FALSE(date);
  EXPECT_EQ(date.error().message,
            "Invalid value 'yesterday' for header 'If-Modified-Since': expected a timestamp.");
  auto utf8 = Decode(MakeRequest("GET", "/bkt/%FF%FE"));
  ASSERT_FALSE(utf8);
  EXPECT_EQ(utf8.error().code, "InvalidArgument");
}

TEST_F(RestXmlTest, DeleteObjectsDecodesFlattenedListBody) {
  auto r =
      MakeRequest("POST", "/bkt?delete",
                  {{"x-amz-checksum-crc32", "dseE2A=="}, {"x-amz-sdk-checksum-algorithm", "CRC32"}},
                  "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Object><Key>a</Key>"
                  "</Object><Object><Key>b&amp;c</Key><VersionId>v1</VersionId></Object>"
                  "<Quiet>true</Quiet></Delete>");
  EXPECT_EQ(Op(r), "DeleteObjects");
  auto doc = Decode(r);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(*doc, Json(R"({"Delete":{"Objects":[{"Key":"a"},{"Key":"b&c","VersionId":"v1"}],
      "Quiet":true},"Bucket":"bkt","ChecksumAlgorithm":"CRC32"})"));
}

TEST_F(RestXmlTest, CreateBucketDecodesLocationConstraint) {
  auto r =
      MakeRequest("PUT", "/bkt", {{"Content-Length", "153"}},
                  "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                  "<LocationConstraint>eu-west-1</LocationConstraint>"
                  "</CreateBucketConfiguration>");
  EXPECT_EQ(Op(r), "CreateBucket");
  auto doc = Decode(r);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(*doc, Json(R"({"CreateBucketConfiguration":{"LocationConstraint":"eu-west-1"},
      "Bucket":"bkt"})"));

  auto bare = Decode(MakeRequest("PUT", "/bkt"));
  ASSERT_TRUE(bare);
  EXPECT_EQ(*bare, Json(R"({"Bucket":"bkt"})"));
}

TEST_F(RestXmlTest, PutBucketTaggingDecodesWrappedListWithNamedItems) {
  auto r = MakeRequest("PUT", "/bkt?tagging", {},
                       "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet><Tag>"
                       "<Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value><![CDATA[<2>]]>"
                       "</Value></Tag></TagSet></Tagging>");
  EXPECT_EQ(Op(r), "PutBucketTagging");
  auto doc = Decode(r);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(*doc, Json(R"({"Tagging":{"TagSet":[{"Key":"a","Value":"1"},{"Key":"b","Value":"<2>"}]},
      "Bucket":"bkt"})"));
}

TEST_F(RestXmlTest, PutBucketAclDecodesPrefixedAttribute) {
  auto r = MakeRequest(
      "PUT", "/bkt?acl", {},
      "<AccessControlPolicy xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><AccessControlList>"
      "<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xsi:type=\"CanonicalUser\"><ID>abc</ID></Grantee><Permission>READ</Permission></Grant>"
      "</AccessControlList><Owner><ID>abc</ID></Owner></AccessControlPolicy>");
  EXPECT_EQ(Op(r), "PutBucketAcl");
  auto doc = Decode(r);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(*doc, Json(R"({"AccessControlPolicy":{"Grants":[{"Grantee":{"Type":"CanonicalUser",
      "ID":"abc"},"Permission":"READ"}],"Owner":{"ID":"abc"}},"Bucket":"bkt"})"));
}

TEST_F(RestXmlTest, MalformedXmlIsRejected) {
  for (std::string body :
       {std::string("<Delete><Object><Key>a</Key></Delete>"), std::string("not xml at all"),
        std::string("<Delete><Quiet>maybe</Quiet></Delete>"),
        std::string("<Delete><Object><Key>\xff</Key></Object></Delete>")}) {
    auto doc = Decode(MakeRequest("POST", "/bkt?delete", {}, body));
    ASSERT_FALSE(doc) << body;
    EXPECT_EQ(doc.error().code, "MalformedXML");
    EXPECT_EQ(doc.error().http_status, 400);
    EXPECT_EQ(doc.error().message, kMalformedXml);
  }
}

TEST_F(RestXmlTest, HostileXmlDoesNotCrash) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<Object>";
  auto unclosed = Decode(MakeRequest("POST", "/bkt?delete", {}, "<Delete>" + deep));
  ASSERT_FALSE(unclosed);
  EXPECT_EQ(unclosed.error().code, "MalformedXML");

  // Deeply nested but matched elements of a recursive-looking path stop at the depth limit.
  std::string nested = "<LifecycleConfiguration>";
  for (int i = 0; i < 200; ++i) nested += "<Rule><Filter><And>";
  nested += "</And></Filter></Rule>";
  auto doc = Decode(MakeRequest("PUT", "/bkt?lifecycle", {}, nested));
  ASSERT_FALSE(doc);

  std::string entities =
      "<!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]>"
      "<Delete><Object><Key>&b;</Key></Object></Delete>";
  auto expanded = Decode(MakeRequest("POST", "/bkt?delete", {}, entities));
  if (expanded) {
    // Custom entities are never expanded.
    EXPECT_EQ((*expanded).at("Delete").at("Objects").at(0).at("Key"), "&b;");
  }
}

TEST_F(RestXmlTest, CloudFrontInputWithoutPayloadReadsOperationRoot) {
  auto r = MakeRequest("POST", "/2020-05-31/function", {},
                       "<CreateFunctionRequest xmlns=\"http://cloudfront.amazonaws.com/doc/"
                       "2020-05-31/\"><Name>fn</Name><FunctionConfig><Comment>c</Comment>"
                       "<Runtime>cloudfront-js-2.0</Runtime></FunctionConfig>"
                       "<FunctionCode>ZnVuY3Rpb24=</FunctionCode></CreateFunctionRequest>");
  EXPECT_EQ(testing::Resolve(codec_, cloudfront_, r), "CreateFunction");
  auto doc = Decode(cloudfront_, r);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(*doc, Json(R"({"Name":"fn","FunctionConfig":{"Comment":"c",
      "Runtime":"cloudfront-js-2.0"},"FunctionCode":"function"})"));
}

TEST_F(RestXmlTest, UnknownMethodIsMethodNotAllowed) {
  auto op = codec_.ResolveOperation(s3_, MakeRequest("PATCH", "/bkt/key"));
  ASSERT_FALSE(op);
  EXPECT_EQ(op.error().code, "MethodNotAllowed");
  EXPECT_EQ(op.error().http_status, 405);
  http::Response resp;
  codec_.EncodeError(s3_, op.error(), "RID", &resp);
  EXPECT_EQ(resp.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>MethodNotAllowed</Code>"
            "<Message>The specified method is not allowed against this resource.</Message>"
            "<Method>PATCH</Method><ResourceType>OBJECT</ResourceType><RequestId>RID</RequestId>"
            "<HostId>" +
                std::string(resp.Header("x-amz-id-2")) + "</HostId></Error>");
}

TEST_F(RestXmlTest, ListObjectsV2OutputIsListBucketResult) {
  const Operation& op = *s3_.FindOperation("ListObjectsV2");
  Document out = Json(R"({"Name":"bkt","Prefix":"","KeyCount":1,"MaxKeys":1000,
      "IsTruncated":false,"Contents":[{"Key":"a&b","LastModified":1700000000,
      "ETag":"\"abc\"","Size":5,"StorageClass":"STANDARD"}],
      "CommonPrefixes":[{"Prefix":"dir/"}]})");
  http::Response resp;
  codec_.EncodeOutput(s3_, op, out, "RID", &resp);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.Header("content-type"), "application/xml");
  EXPECT_EQ(resp.Header("x-amz-request-id"), "RID");
  EXPECT_FALSE(resp.Header("x-amz-id-2").empty());
  EXPECT_EQ(resp.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes>"
            "<Contents><ETag>&quot;abc&quot;</ETag><Key>a&amp;b</Key>"
            "<LastModified>2023-11-14T22:13:20Z</LastModified><Size>5</Size>"
            "<StorageClass>STANDARD</StorageClass></Contents>"
            "<IsTruncated>false</IsTruncated><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys>"
            "<Name>bkt</Name><Prefix></Prefix></ListBucketResult>");
}

TEST_F(RestXmlTest, GetObjectOutputWritesHeadersAndRawBody) {
  const Operation& op = *s3_.FindOperation("GetObject");
  Document out = Json(R"({"Body":"hello","ContentType":"text/plain","ContentLength":5,
      "ETag":"\"5d41\"","LastModified":1700000000,"Metadata":{"color":"blue"},
      "DeleteMarker":false,"TagCount":2})");
  http::Response resp;
  codec_.EncodeOutput(s3_, op, out, "RID", &resp);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "hello");
  EXPECT_EQ(resp.Header("Content-Type"), "text/plain");
  EXPECT_EQ(resp.Header("Content-Length"), "5");
  EXPECT_EQ(resp.Header("ETag"), "\"5d41\"");
  EXPECT_EQ(resp.Header("Last-Modified"), "Tue, 14 Nov 2023 22:13:20 GMT");
  EXPECT_EQ(resp.Header("x-amz-meta-color"), "blue");
  EXPECT_EQ(resp.Header("x-amz-delete-marker"), "false");
  EXPECT_EQ(resp.Header("x-amz-tagging-count"), "2");
  EXPECT_EQ(resp.Header("x-amz-request-id"), "RID");
}

TEST_F(RestXmlTest, HeaderValuesCannotInjectHeaders) {
  const Operation& op = *s3_.FindOperation("HeadObject");
  Document out = Json(R"({"Metadata":{"a":"x\r\nSet-Cookie: y"}})");
  http::Response resp;
  codec_.EncodeOutput(s3_, op, out, "RID", &resp);
  EXPECT_EQ(resp.Header("x-amz-meta-a"), "x  Set-Cookie: y");
}

TEST_F(RestXmlTest, PutObjectOutputHasOnlyHeaders) {
  const Operation& op = *s3_.FindOperation("PutObject");
  Document out = Json(R"({"ETag":"\"5d41\"","VersionId":"v1"})");
  http::Response resp;
  codec_.EncodeOutput(s3_, op, out, "RID", &resp);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "");
  EXPECT_EQ(resp.Header("ETag"), "\"5d41\"");
  EXPECT_EQ(resp.Header("x-amz-version-id"), "v1");
  EXPECT_EQ(resp.Header("content-type"), "");
}

TEST_F(RestXmlTest, GetBucketLocationRootIsTheValue) {
  const Operation& op = *s3_.FindOperation("GetBucketLocation");
  Document out = Json(R"({"LocationConstraint":"eu-west-1"})");
  http::Response resp;
  codec_.EncodeOutput(s3_, op, out, "RID", &resp);
  EXPECT_EQ(resp.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">eu-west-1"
            "</LocationConstraint>");
}

TEST_F(RestXmlTest, GetBucketTaggingAndAclOutputs) {
  Document tags = Json(R"({"TagSet":[{"Key":"a","Value":"1"}]})");
  http::Response tagged;
  codec_.EncodeOutput(s3_, *s3_.FindOperation("GetBucketTagging"), tags, "RID", &tagged);
  EXPECT_EQ(tagged.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet><Tag><Key>a</Key>"
            "<Value>1</Value></Tag></TagSet></Tagging>");

  Document acl = Json(R"({"Owner":{"ID":"abc"},"Grants":[{"Grantee":{"ID":"abc",
      "Type":"CanonicalUser"},"Permission":"FULL_CONTROL"}]})");
  http::Response resp;
  codec_.EncodeOutput(s3_, *s3_.FindOperation("GetBucketAcl"), acl, "RID", &resp);
  EXPECT_EQ(resp.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<AccessControlPolicy xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<AccessControlList><Grant><Grantee "
            "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\">"
            "<ID>abc</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>"
            "</AccessControlList><Owner><ID>abc</ID></Owner></AccessControlPolicy>");
}

TEST_F(RestXmlTest, S3ErrorEnvelope) {
  ApiError err("NoSuchKey", 404, "The specified key does not exist.");
  err.extra["Key"] = "a<b";
  err.headers.emplace_back("x-amz-delete-marker", "true");
  http::Response resp;
  codec_.EncodeError(s3_, err, "RID", &resp);
  EXPECT_EQ(resp.status, 404);
  EXPECT_EQ(resp.Header("content-type"), "application/xml");
  EXPECT_EQ(resp.Header("x-amz-request-id"), "RID");
  EXPECT_EQ(resp.Header("x-amz-delete-marker"), "true");
  std::string host_id(resp.Header("x-amz-id-2"));
  EXPECT_FALSE(host_id.empty());
  EXPECT_EQ(resp.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>"
            "<Message>The specified key does not exist.</Message><Key>a&lt;b</Key>"
            "<RequestId>RID</RequestId><HostId>" +
                host_id + "</HostId></Error>");
}

TEST_F(RestXmlTest, CloudFrontErrorEnvelope) {
  ApiError err("NoSuchDistribution", 404, "The specified distribution does not exist.");
  http::Response resp;
  codec_.EncodeError(cloudfront_, err, "RID", &resp);
  EXPECT_EQ(resp.status, 404);
  EXPECT_EQ(resp.Header("x-amzn-RequestId"), "RID");
  EXPECT_EQ(resp.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse "
            "xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Error><Type>Sender</Type>"
            "<Code>NoSuchDistribution</Code><Message>The specified distribution does not "
            "exist.</Message></Error><RequestId>RID</RequestId></ErrorResponse>");
}

TEST_F(RestXmlTest, CloudFrontStructurePayloadOutput) {
  const Operation& op = *cloudfront_.FindOperation("CreateFunction");
  Document out =
      Json(R"({"ETag":"E1","Location":"https://cloudfront.amazonaws.com/2020-05-31/function/fn",
      "FunctionSummary":{"Name":"fn","Status":"UNPUBLISHED"}})");
  http::Response resp;
  codec_.EncodeOutput(cloudfront_, op, out, "RID", &resp);
  EXPECT_EQ(resp.status, 201);
  EXPECT_EQ(resp.Header("ETag"), "E1");
  EXPECT_EQ(resp.Header("Location"), "https://cloudfront.amazonaws.com/2020-05-31/function/fn");
  EXPECT_EQ(resp.Header("x-amzn-RequestId"), "RID");
  EXPECT_EQ(resp.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FunctionSummary "
            "xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Name>fn</Name>"
            "<Status>UNPUBLISHED</Status></FunctionSummary>");
}

}  // namespace
}  // namespace nimbus::protocol
