// Pure parts of the Lambda service: names, alias routing, paging, log lines, the sandbox
// command line and deployment package unpacking.
#include "services/lambda/lambda.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "services/lambda/runtime/environment.h"
#include "services/lambda/runtime/runtimes.h"
#include "services/lambda/runtime/sandbox.h"
#include "services/lambda/runtime/zip.h"

namespace nimbus::lambda {
namespace {

namespace fs = std::filesystem;

TEST(FunctionNameTest, AcceptsNamesPartialArnsAndArns) {
  auto r = ParseFunctionName("my-fn", "123456789012", "us-east-1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->name, "my-fn");
  EXPECT_EQ(r->qualifier, "");
  r = ParseFunctionName("my-fn:live", "123456789012", "us-east-1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->qualifier, "live");
  r = ParseFunctionName("123456789012:function:my-fn:3", "123456789012", "us-east-1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->name, "my-fn");
  EXPECT_EQ(r->qualifier, "3");
  r = ParseFunctionName("arn:aws:lambda:us-east-1:123456789012:function:my-fn:$LATEST",
                        "123456789012", "us-east-1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->name, "my-fn");
  EXPECT_EQ(r->qualifier, "$LATEST");
}

TEST(FunctionNameTest, RejectsOtherRegionsAndMalformedNames) {
  auto r = ParseFunctionName("arn:aws:lambda:eu-west-1:123456789012:function:f", "123456789012",
                             "us-east-1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "ResourceNotFoundException");
  for (const char* bad : {"", "a b", "a:b:c:d:e", "arn:aws:s3:::bucket", "f:"}) {
    auto e = ParseFunctionName(bad, "123456789012", "us-east-1");
    ASSERT_FALSE(e.ok()) << bad;
    EXPECT_EQ(e.error().code, "InvalidParameterValueException") << bad;
  }
}

TEST(AliasRoutingTest, WeightsSplitTheRoll) {
  json::object alias{
      {"FunctionVersion", "1"},
      {"RoutingConfig", json::object{{"AdditionalVersionWeights", json::object{{"2", 0.25}}}}}};
  EXPECT_EQ(PickAliasVersion(alias, 0.0), "2");
  EXPECT_EQ(PickAliasVersion(alias, 0.2499), "2");
  EXPECT_EQ(PickAliasVersion(alias, 0.25), "1");
  EXPECT_EQ(PickAliasVersion(alias, 0.99), "1");
  json::object plain{{"FunctionVersion", "$LATEST"}};
  EXPECT_EQ(PickAliasVersion(plain, 0.1), "$LATEST");
}

// Invoke's payload check answers json::parse's error (its message is in
// InvalidRequestContentException) without building the value.
TEST(PayloadCheckTest, SameVerdictAndErrorAsJsonParse) {
  std::string deep(33, '[');
  deep += std::string(33, ']');
  std::string ok_deep(32, '[');
  ok_deep += std::string(32, ']');
  const std::vector<std::string> cases = {
      "{}", "[]", "1", "-1.5e300", "\"s\"", "null", "true", "  {\"a\": [1, 2, {\"b\": null}]}  \n",
      "18446744073709551615", "1e999", ok_deep, "{", "}", "{\"a\":}", "{\"a\" 1}", "[1,]",
      "{\"a\":1,}", "nul", "tru", "01", "1.", "-", "\"unterminated", "\"bad \\q escape\"",
      "\"\\ud800\"", "{} {}", "{}x", "1 2", "/* c */ {}", "{\"a\":1} // c", "\xff",
      "\"\xc3\x28\"", std::string("\"a\0b\"", 5), "\"tab\there\"", deep, "NaN", "'s'", "{'a':1}",
      "[1 2]", "{\"a\":1 \"b\":2}", " ", "\t\r\n"};
  for (const auto& text : cases) {
    json::error_code expected;
    json::parse(text, expected);
    json::error_code got = JsonSyntaxError(text);
    EXPECT_EQ(got.failed(), expected.failed()) << text;
    EXPECT_EQ(got.message(), expected.message()) << text;
  }
}

TEST(PagingTest, MarkerIsTheLastKeyOfThePreviousPage) {
  std::vector<std::string> keys{"$LATEST", "1", "2", "10"};
  EXPECT_EQ(MarkerStart(keys, ""), 0u);
  EXPECT_EQ(MarkerStart(keys, "1"), 2u);
  EXPECT_EQ(MarkerStart(keys, "10"), 4u);
  std::vector<std::string> names{"a", "c", "e"};
  EXPECT_EQ(MarkerStart(names, "b"), 1u);  // a deleted marker: the next name after it
}

TEST(LogLinesTest, ReportLineAsAwsWritesIt) {
  EXPECT_EQ(runtime::ReportLine("rid", 1.234, 128, 40, -1),
            "REPORT RequestId: rid\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 "
            "MB\tMax Memory Used: 40 MB\t");
  EXPECT_EQ(runtime::ReportLine("rid", 0.2, 256, 0, 12.345),
            "REPORT RequestId: rid\tDuration: 0.20 ms\tBilled Duration: 1 ms\tMemory Size: 256 "
            "MB\tMax Memory Used: 0 MB\tInit Duration: 12.35 ms\t");
}

TEST(LogLinesTest, TailIsTheLastBytes) {
  std::vector<runtime::LogEvent> log{{1, "START"}, {2, std::string(5000, 'x')}, {3, "END"}};
  std::string tail = runtime::LogTail(log, 4096);
  EXPECT_EQ(tail.size(), 4096u);
  EXPECT_EQ(tail.substr(tail.size() - 4), "END\n");
  EXPECT_EQ(runtime::LogTail({{1, "a"}, {2, "b"}}, 4096), "a\nb\n");
}

TEST(LogLinesTest, StreamNameHasDateVersionAndId) {
  // 2024-01-31T00:00:00Z
  std::string name = runtime::NewLogStreamName(1706659200000, "$LATEST");
  EXPECT_EQ(name.substr(0, 20), "2024/01/31/[$LATEST]");
  EXPECT_EQ(name.size(), 52u);
}

TEST(SandboxTest, BubblewrapMountsTheLayout) {
  runtime::SandboxLayout layout{
      "/data/code/abc", "/data/runtimes", "", "/data/tmp/e1", {"/tmp/hidden-not-bound"}};
  std::vector<std::string> root{"/bin -> usr/bin", "/etc", "/proc", "/tmp", "/usr", "/var"};
  auto argv = runtime::SandboxArgv(runtime::Isolation::kBubblewrap, "/usr/bin/bwrap", layout,
                                   {"/usr/bin/python3", "/var/runtime/python/bootstrap.py"}, root);
  auto joined = [&] {
    std::string s;
    for (const auto& a : argv) s += a + " ";
    return s;
  }();
  EXPECT_EQ(argv.front(), "/usr/bin/bwrap");
  EXPECT_NE(joined.find("--symlink usr/bin /bin "), std::string::npos);
  EXPECT_NE(joined.find("--ro-bind /etc /etc "), std::string::npos);
  EXPECT_NE(joined.find("--ro-bind /usr /usr "), std::string::npos);
  EXPECT_EQ(joined.find("--ro-bind /tmp /tmp"), std::string::npos);
  EXPECT_EQ(joined.find("--ro-bind /var /var"), std::string::npos);
  EXPECT_NE(joined.find("--bind /data/tmp/e1 /tmp "), std::string::npos);
  EXPECT_NE(joined.find("--ro-bind /data/code/abc /var/task "), std::string::npos);
  EXPECT_NE(joined.find("--ro-bind /data/runtimes /var/runtime "), std::string::npos);
  EXPECT_NE(joined.find("--unshare-pid"), std::string::npos);
  EXPECT_EQ(joined.find("hidden-not-bound"), std::string::npos);
  EXPECT_NE(joined.find("-- /usr/bin/python3 /var/runtime/python/bootstrap.py"), std::string::npos);
  auto plain = runtime::SandboxArgv(runtime::Isolation::kProcess, "", layout, {"/bin/x"}, root);
  EXPECT_EQ(plain, std::vector<std::string>{"/bin/x"});
  auto paths = runtime::PathsFor(runtime::Isolation::kProcess, layout);
  EXPECT_EQ(paths.task_root, "/data/code/abc");
  EXPECT_EQ(runtime::PathsFor(runtime::Isolation::kBubblewrap, layout).task_root, "/var/task");
}

TEST(RuntimesTest, FamiliesAndEmbeddedClients) {
  EXPECT_EQ(runtime::FamilyOf("python3.12"), runtime::RuntimeFamily::kPython);
  EXPECT_EQ(runtime::FamilyOf("nodejs20.x"), runtime::RuntimeFamily::kNode);
  EXPECT_EQ(runtime::FamilyOf("provided.al2023"), runtime::RuntimeFamily::kProvided);
  EXPECT_EQ(runtime::FamilyOf("java17"), runtime::RuntimeFamily::kJava);
  EXPECT_EQ(runtime::FamilyOf("java21"), runtime::RuntimeFamily::kJava);
  EXPECT_EQ(runtime::FamilyOf("java11"), runtime::RuntimeFamily::kUnknown);
  EXPECT_EQ(runtime::FamilyOf("java8.al2"), runtime::RuntimeFamily::kUnknown);
  EXPECT_EQ(runtime::FamilyOf("ruby3.3"), runtime::RuntimeFamily::kRuby);
  EXPECT_EQ(runtime::FamilyOf("ruby3.2"), runtime::RuntimeFamily::kRuby);
  EXPECT_EQ(runtime::FamilyOf("dotnet8"), runtime::RuntimeFamily::kUnknown);
  bool python = false, node = false, ruby = false;
  for (const auto* f = runtime::kEmbeddedRuntimeFiles; f->path; ++f) {
    python = python || std::string(f->path) == "python/bootstrap.py";
    node = node || std::string(f->path) == "node/bootstrap.mjs";
    ruby = ruby || std::string(f->path) == "ruby/bootstrap.rb";
    EXPECT_GT(f->size, 0u);
  }
  EXPECT_TRUE(python);
  EXPECT_TRUE(node);
  EXPECT_TRUE(ruby);
}

TEST(RuntimesTest, CustomRuntimeNeedsABootstrap) {
  runtime::RuntimeCatalog catalog;
  runtime::RuntimeCommand cmd;
  std::string error;
  runtime::SandboxPaths paths{"/var/task", "/var/runtime", "", "/tmp"};
  EXPECT_FALSE(catalog.Command("provided.al2", paths, "/nonexistent", "", 128, &cmd, &error));
  EXPECT_EQ(error, "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]");
  EXPECT_FALSE(catalog.Command("dotnet8", paths, "/nonexistent", "", 128, &cmd, &error));
}

TEST(RuntimesTest, JavaRuntimesPickTheirJdkOrTheNewestNewerOne) {
  std::vector<runtime::JavaInstallation> jdks = {
      {"/jvm/17/bin/java", 17}, {"/jvm/25/bin/java", 25}, {"/jvm/11/bin/java", 11}};
  EXPECT_EQ(runtime::ChooseJava("java17", jdks), "/jvm/17/bin/java");
  EXPECT_EQ(runtime::ChooseJava("java21", jdks), "/jvm/25/bin/java");
  EXPECT_EQ(runtime::ChooseJava("java25", jdks), "/jvm/25/bin/java");
  EXPECT_EQ(runtime::ChooseJava("java21", {{"/jvm/17/bin/java", 17}}), "");
  EXPECT_EQ(runtime::JavaHeapMb(128), 64);
  EXPECT_EQ(runtime::JavaHeapMb(512), 448);
  EXPECT_EQ(runtime::JavaHeapMb(1024), 896);
}

// A zip with an executable "bootstrap", "../evil.txt" and "dir/a.txt" (stored).
const char kZip[] =
    "\x50\x4b\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x21\x00\x1d\x9d\xfb\x04\x0a\x00\x00\x00"
    "\x0a\x00\x00\x00\x09\x00\x00\x00\x62\x6f\x6f\x74\x73\x74\x72\x61\x70\x23\x21\x2f\x62\x69"
    "\x6e\x2f\x73\x68\x0a\x50\x4b\x03\x04\x14\x00\x00\x00\x00\x00\x34\x1c\x79\x5d\x83\x16\xdc"
    "\x8c\x01\x00\x00\x00\x01\x00\x00\x00\x0b\x00\x00\x00\x2e\x2e\x2f\x65\x76\x69\x6c\x2e\x74"
    "\x78\x74\x78\x50\x4b\x03\x04\x14\x00\x00\x00\x00\x00\x34\x1c\x79\x5d\x86\xa6\x10\x36\x05"
    "\x00\x00\x00\x05\x00\x00\x00\x09\x00\x00\x00\x64\x69\x72\x2f\x61\x2e\x74\x78\x74\x68\x65"
    "\x6c\x6c\x6f\x50\x4b\x01\x02\x14\x03\x14\x00\x00\x00\x00\x00\x00\x00\x21\x00\x1d\x9d\xfb"
    "\x04\x0a\x00\x00\x00\x0a\x00\x00\x00\x09\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xed"
    "\x81\x00\x00\x00\x00\x62\x6f\x6f\x74\x73\x74\x72\x61\x70\x50\x4b\x01\x02\x14\x03\x14\x00"
    "\x00\x00\x00\x00\x34\x1c\x79\x5d\x83\x16\xdc\x8c\x01\x00\x00\x00\x01\x00\x00\x00\x0b\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x01\x31\x00\x00\x00\x2e\x2e\x2f\x65\x76\x69"
    "\x6c\x2e\x74\x78\x74\x50\x4b\x01\x02\x14\x03\x14\x00\x00\x00\x00\x00\x34\x1c\x79\x5d\x86"
    "\xa6\x10\x36\x05\x00\x00\x00\x05\x00\x00\x00\x09\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x80\x01\x5b\x00\x00\x00\x64\x69\x72\x2f\x61\x2e\x74\x78\x74\x50\x4b\x05\x06\x00\x00"
    "\x00\x00\x03\x00\x03\x00\xa7\x00\x00\x00\x87\x00\x00\x00\x00\x00";

class UnzipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("nimbus-unzip-" + std::to_string(::getpid()));
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(UnzipTest, KeepsEntriesInsideAndModes) {
  std::string zip(kZip, sizeof kZip - 1);
  std::string dir = (root_ / "code").string();
  auto r = runtime::UnzipTo(zip, dir, 1 << 20);
  ASSERT_EQ(r.status, runtime::UnzipStatus::kOk) << r.message;
  EXPECT_EQ(r.unzipped_bytes, 10u + 1u + 5u);
  std::ifstream a(root_ / "code/dir/a.txt");
  std::string content((std::istreambuf_iterator<char>(a)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "hello");
  EXPECT_TRUE(fs::exists(root_ / "code/evil.txt"));  // "../" dropped, kept inside
  EXPECT_FALSE(fs::exists(root_ / "evil.txt"));
  struct stat st;
  ASSERT_EQ(::stat((root_ / "code/bootstrap").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
}

TEST_F(UnzipTest, LimitsAndCorruption) {
  std::string zip(kZip, sizeof kZip - 1);
  auto big = runtime::UnzipTo(zip, (root_ / "small").string(), 8);
  EXPECT_EQ(big.status, runtime::UnzipStatus::kTooLarge);
  EXPECT_FALSE(fs::exists(root_ / "small"));
  auto bad = runtime::UnzipTo("not a zip at all", (root_ / "bad").string(), 1 << 20);
  EXPECT_EQ(bad.status, runtime::UnzipStatus::kCorrupt);
  EXPECT_FALSE(fs::exists(root_ / "bad"));
}

}  // namespace
}  // namespace nimbus::lambda
