// URI template matching and operation resolution shared by rest-json and rest-xml.
#include "core/protocol/rest_binding.h"

#include <gtest/gtest.h>

#include <map>

#include "core/common/encoding.h"
#include "rest_test_util.h"

namespace nimbus::protocol::rest {
namespace {

std::vector<UriSegment> Segments(std::string uri) {
  // Split the way the model loader splits requestUri paths.
  std::vector<UriSegment> out;
  std::string_view path = uri;
  size_t pos = 1;
  while (pos < path.size()) {
    auto slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view seg = path.substr(pos, slash - pos);
    UriSegment s;
    if (seg.front() == '{') {
      s.label = true;
      seg = seg.substr(1, seg.size() - 2);
      if (seg.back() == '+') {
        s.greedy = true;
        seg.remove_suffix(1);
      }
    }
    s.text = std::string(seg);
    out.push_back(s);
    pos = slash + 1;
  }
  return out;
}

TEST(MatchPath, LabelsLiteralsAndGreedy) {
  std::vector<std::string_view> labels;
  EXPECT_TRUE(MatchPath(Segments("/{Bucket}/{Key+}"), "/b/a/b/c", &labels));
  ASSERT_EQ(labels.size(), 2u);
  EXPECT_EQ(labels[0], "b");
  EXPECT_EQ(labels[1], "a/b/c");
  EXPECT_FALSE(MatchPath(Segments("/{Bucket}/{Key+}"), "/b/", nullptr));
  EXPECT_FALSE(MatchPath(Segments("/{Bucket}/{Key+}"), "/b", nullptr));
  EXPECT_TRUE(MatchPath(Segments("/{Bucket}"), "/b/", nullptr));
  EXPECT_FALSE(MatchPath(Segments("/{Bucket}"), "/b//", nullptr));
  EXPECT_TRUE(MatchPath({}, "/", nullptr));
  EXPECT_FALSE(MatchPath({}, "/x", nullptr));
  EXPECT_TRUE(MatchPath(Segments("/2015-03-31/functions/{FunctionName}/policy"),
                        "/2015-03-31/functions/f/policy", &labels));
  EXPECT_FALSE(MatchPath(Segments("/2015-03-31/functions/{FunctionName}/policy"),
                         "/2015-03-31/functions//policy", nullptr));
  EXPECT_TRUE(MatchPath(Segments("/{Key+}/tail/{Id}"), "/a/b/tail/7", &labels));
  ASSERT_EQ(labels.size(), 2u);
  EXPECT_EQ(labels[0], "a/b");
  EXPECT_EQ(labels[1], "7");
  // Literal segments may arrive percent-encoded.
  EXPECT_TRUE(MatchPath(Segments("/restapis"), "/rest%61pis", nullptr));
}

TEST(TextToValue, HeaderListsFollowBotocoreQuoting) {
  Shape str;
  Shape list;
  list.type = ShapeType::kList;
  list.member.shape = &str;
  json::value v;
  ASSERT_TRUE(TextToValue(list, R"(a, "b,c", "d\"e" ,f)", false, &v));
  EXPECT_EQ(v, testing::Json(R"(["a","b,c","d\"e","f"])"));
}

TEST(TextToValue, ScalarsAndJsonValueHeaders) {
  Shape s;
  json::value v;
  s.type = ShapeType::kBoolean;
  EXPECT_TRUE(TextToValue(s, "TRUE", false, &v));
  EXPECT_EQ(v, true);
  EXPECT_FALSE(TextToValue(s, "yes", false, &v));
  s.type = ShapeType::kInteger;
  EXPECT_TRUE(TextToValue(s, "-12", false, &v));
  EXPECT_EQ(v, -12);
  EXPECT_FALSE(TextToValue(s, "2147483648", false, &v));
  EXPECT_FALSE(TextToValue(s, "1.5", false, &v));
  EXPECT_FALSE(TextToValue(s, "", false, &v));
  s.type = ShapeType::kLong;
  EXPECT_TRUE(TextToValue(s, "2147483648", false, &v));
  s.type = ShapeType::kDouble;
  EXPECT_TRUE(TextToValue(s, "1.5", false, &v));
  EXPECT_EQ(v, 1.5);
  s.type = ShapeType::kTimestamp;
  EXPECT_TRUE(TextToValue(s, "2023-11-14T22:13:20Z", false, &v));
  EXPECT_EQ(v, 1700000000.0);
  EXPECT_TRUE(TextToValue(s, "Tue, 14 Nov 2023 22:13:20 GMT", false, &v));
  EXPECT_EQ(v, 1700000000.0);
  s.type = ShapeType::kString;
  EXPECT_TRUE(TextToValue(s, Base64Encode(R"({"a":[1]})"), true, &v));
  EXPECT_EQ(v, testing::Json(R"({"a":[1]})"));
  EXPECT_FALSE(TextToValue(s, "\xff", false, &v));
}

// Every operation of every REST model resolves from a request built from its own URI template
// (labels filled, literal and required query parameters and required headers present), except
// where two operations are indistinguishable on the wire and the deprecated one loses.
TEST(RestIndex, EveryOperationResolvesFromItsOwnTemplate) {
  const std::map<std::string, std::string> kIndistinguishable = {
      {"GetBucketLifecycle", "GetBucketLifecycleConfiguration"},
      {"PutBucketLifecycle", "PutBucketLifecycleConfiguration"},
      {"GetBucketNotification", "GetBucketNotificationConfiguration"},
      {"PutBucketNotification", "PutBucketNotificationConfiguration"},
      {"ListDirectoryBuckets", "ListBuckets"},
  };
  int checked = 0;
  for (const auto& name : ModelNames()) {
    const ServiceModel* model = GetModel(name);
    if (!model || (model->protocol != "rest-json" && model->protocol != "rest-xml")) continue;
    const RestIndex& index = RestIndex::For(*model);
    for (const auto& [op_name, op] : model->operations) {
      std::string path;
      for (const auto& seg : op.path_segments)
        path += "/" + (seg.label ? (seg.greedy ? std::string("k1/k2") : "v1") : seg.text);
      if (path.empty()) path = "/";
      QueryParams query;
      for (const auto& [k, v] : op.uri_query) query.emplace_back(k, v);
      http::HeaderList headers;
      if (op.input)
        for (const auto& m : op.input->members) {
          if (!m.required) continue;
          if (m.location == Location::kQuery) query.emplace_back(m.WireName(), "1");
          std::string lower = m.WireName();
          for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          if (m.location == Location::kHeader) headers.emplace_back(lower, "1");
        }
      auto match = index.Resolve(op.method, path, query, headers);
      ASSERT_NE(match.op, nullptr) << name << " " << op_name << " " << path;
      auto alias = kIndistinguishable.find(op_name);
      std::string expected = alias == kIndistinguishable.end() ? op_name : alias->second;
      EXPECT_EQ(match.op->name, expected) << name << " " << op.method << " " << path;
      query.emplace_back("x-id", op_name);
      EXPECT_EQ(index.Resolve(op.method, path, query, headers).op->name, op_name)
          << name << " x-id " << op_name;
      ++checked;
    }
  }
  EXPECT_GT(checked, 500);
}

TEST(EffectivePath, VirtualHostedBucketOnlyForS3) {
  auto r = testing::MakeRequest("GET", "/k", {}, "", "bkt.s3.amazonaws.com");
  EXPECT_EQ(EffectivePath(*GetModel("s3"), r), "/bkt/k");
  EXPECT_EQ(EffectivePath(*GetModel("lambda"), r), "/k");
  auto plain = testing::MakeRequest("GET", "/bkt/k", {}, "", "s3.amazonaws.com");
  EXPECT_EQ(EffectivePath(*GetModel("s3"), plain), "/bkt/k");
}

}  // namespace
}  // namespace nimbus::protocol::rest
