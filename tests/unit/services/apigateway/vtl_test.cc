#include "services/apigateway/vtl.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace nimbus::apigateway::vtl {
namespace {

Bindings Sample() {
  Bindings b;
  b.body =
      R"({"name":"Rex","age":3,"tags":["a","b"],"owner":{"id":7},"pets":[{"id":1,"type":"dog"},{"id":2,"type":"cat"}]})";
  b.params = json::object{{"path", json::object{{"id", "42"}}},
                          {"querystring", json::object{{"q", "x y"}}},
                          {"header", json::object{{"x-custom", "c"}}}};
  b.context = json::object{{"requestId", "r-1"},
                           {"stage", "prod"},
                           {"resourcePath", "/pets/{id}"},
                           {"httpMethod", "POST"},
                           {"identity", json::object{{"sourceIp", "127.0.0.1"}}}};
  b.stage_variables = json::object{{"env", "test"}};
  return b;
}

std::string R(std::string_view text, Bindings b = Sample()) {
  auto r = Render(text, b);
  if (!r.ok()) return "ERROR: " + r.error;
  return r.output;
}

// Developer guide, "Mapping template and access logging variable reference".
TEST(VtlTest, InputContextAndStageVariables) {
  EXPECT_EQ(R("$input.path('$.name') $input.path('$.owner.id') $input.path('$.tags[1]')"),
            "Rex 7 b");
  EXPECT_EQ(R("$input.json('$.owner')|$input.json('$.name')|$input.json('$.tags')"),
            R"({"id":7}|"Rex"|["a","b"])");
  EXPECT_EQ(R("$input.path('$.pets[*].type')"), "[dog, cat]");
  EXPECT_EQ(R("$input.path('$')['owner']['id']"), "7");
  EXPECT_EQ(
      R("$input.params('id') $input.params('q') $input.params('X-Custom')|$input.params('none')|"),
      "42 x y c||");
  EXPECT_EQ(R("$input.params().header.get('X-Custom') $input.params().path.id"), "c 42");
  EXPECT_EQ(R("$context.requestId $context.identity.sourceIp $context.stage $context.resourcePath "
              "$context.httpMethod ${stageVariables.env}"),
            "r-1 127.0.0.1 prod /pets/{id} POST test");
  Bindings empty = Sample();
  empty.body = "";
  EXPECT_EQ(R("$input.json('$')|$input.body|", empty), "{}||");
  EXPECT_EQ(R("$input.body"), Sample().body);
}

TEST(VtlTest, MissingReferencesRenderAsWritten) {
  EXPECT_EQ(R("a $nope b $!nope c ${nope} $input.path('$.missing') $!{nope}."),
            "a $nope b  c ${nope} $input.path('$.missing') .");
  EXPECT_EQ(R("cost: $5 and $ and #notadirective #"), "cost: $5 and $ and #notadirective #");
  EXPECT_EQ(R("$context.requestId."), "r-1.");
}

TEST(VtlTest, Util) {
  EXPECT_EQ(R(R"($util.escapeJavaScript("it's \"q\"/	é"))"), R"(it\'s \"q\"\/\t\u00E9)");
  EXPECT_EQ(R("$util.base64Encode('hello') $util.base64Decode('aGVsbG8=')"), "aGVsbG8= hello");
  EXPECT_EQ(R("$util.urlEncode('a b&c/d') $util.urlDecode('a+b%26c')"), "a+b%26c%2Fd a b&c");
  EXPECT_EQ(R("#set($o = $util.parseJson('{\"k\":[1,2]}'))$o.k[1] $o.k.size()"), "2 2");
}

TEST(VtlTest, SetIfForeach) {
  std::string t =
      "#set($root = $input.path('$'))\n"
      "[\n"
      "#foreach($p in $root.pets)\n"
      "  {\"id\": $p.id, \"desc\": \"Item $p.id is a $p.type.\"}#if($foreach.hasNext),#end\n"
      "#end\n"
      "]";
  EXPECT_EQ(R(t),
            "[\n  {\"id\": 1, \"desc\": \"Item 1 is a dog.\"},\n"
            "  {\"id\": 2, \"desc\": \"Item 2 is a cat.\"}\n]");
  EXPECT_EQ(R("#if($input.path('$.age') > 2 && !($context.stage == 'dev'))old#elseif(1 < 2)x"
              "#{else}y#{end}"),
            "old");
  EXPECT_EQ(R("#if($nope)a#elseif($context.stage != 'prod')b#else c#end"), " c");
  EXPECT_EQ(R("#if($context.stage eq 'prod' and 3 ge 3)yes#end"), "yes");
  EXPECT_EQ(R("#set($n = 1 + 2 * 3)$n #set($s = \"id-$input.params('id')\")$s"), "7 id-42");
  EXPECT_EQ(R("#set($l = [1, 'two', true])$l $l.size() #set($m = {'a': 1, \"b\": [2]})$m $m.b[0]"),
            "[1, two, true] 3 {a=1, b=[2]} 2");
  EXPECT_EQ(R("#foreach($i in [1..4])$i#if($i == 2)#break#end#end"), "12");
  EXPECT_EQ(R("#set($l = [])#set($x = $l.add('a'))#set($x = $l.add('b'))$l"), "[a, b]");
  EXPECT_EQ(R("#set($m = {})#set($m.k = 'v')#set($context.responseOverride.status = 400)$m"),
            "{k=v}");
  Bindings b = Sample();
  auto r = Render("#set($context.responseOverride.status = 400)", b);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(b.context.at("responseOverride").at("status"), json::value(400));
  EXPECT_EQ(R("a ## comment\nb #* block\n *# c"), "a b  c");
  // A directive alone on its line takes the line with it (Velocity's "lines" space gobbling).
  EXPECT_EQ(R("#if(false)\n  a\n  #elseif(true)\n  b\n#else\n  c\n  #end\nz"), "  b\nz");
  EXPECT_EQ(R("x #if(true)y#end z\n"), "x y z\n");
  EXPECT_EQ(R("1.5 #set($d = 3 / 2.0)$d $input.path('$.age')"), "1.5 1.5 3");
}

TEST(VtlTest, JsonPathSubset) {
  json::value doc = json::parse(R"({"a":{"b c":[10,20,{"d":true}]}})");
  EXPECT_EQ(JsonPath(doc, "$"), doc);
  EXPECT_EQ(JsonPath(doc, "$.a['b c'][2].d"), json::value(true));
  EXPECT_EQ(JsonPath(doc, "$['a'][\"b c\"][-1]"), json::parse(R"({"d":true})"));
  EXPECT_EQ(JsonPath(doc, "$.a['b c'][*]"), json::parse(R"([10,20,{"d":true}])"));
  EXPECT_FALSE(JsonPath(doc, "$.x"));
  EXPECT_FALSE(JsonPath(doc, "a.b"));
  EXPECT_FALSE(JsonPath(doc, "$[abc]"));
}

TEST(VtlTest, MalformedAndHostileTemplatesAreErrors) {
  Bindings b = Sample();
  for (std::string_view t :
       {"#if($a)x", "#foreach($i in [1..3])x", "#end", "#set($a = )", "#if(", "#* open",
        "$input.path('$.a'", "#set($a = 'x)", "#macro(m)x#end", "#else"}) {
    auto r = Render(t, b);
    EXPECT_EQ(r.failure, Failure::kTemplate) << t;
  }
  // Loops past the iteration limit, including nested ones.
  EXPECT_EQ(Render("#foreach($i in [1..20000])x#end", b).failure, Failure::kTemplate);
  EXPECT_EQ(Render("#foreach($i in [1..5000])#foreach($j in [1..5000])x#end#end", b).failure,
            Failure::kTemplate);
  // Nesting past the depth limit, in directives and in expressions.
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "#if(true)";
  for (int i = 0; i < 200; ++i) deep += "#end";
  EXPECT_EQ(Render(deep, b).failure, Failure::kTemplate);
  EXPECT_EQ(
      Render("#set($x = " + std::string(5000, '(') + "1" + std::string(5000, ')') + ")", b).failure,
      Failure::kTemplate);
  EXPECT_EQ(Render("#set($x = " + std::string(5000, '!') + "true)", b).failure, Failure::kTemplate);
  // Past 300 KB.
  EXPECT_EQ(Render(std::string(300 * 1024 + 1, 'a'), b).failure, Failure::kTemplate);
  EXPECT_TRUE(Render(std::string(300 * 1024, 'a'), b).ok());
  // Output doubling each iteration.
  EXPECT_EQ(Render("#set($s = 'xxxxxxxxxxxxxxxx')#foreach($i in [1..40])#set($s = \"$s$s\")#end", b)
                .failure,
            Failure::kTemplate);
  // A body that is not JSON, asked for as JSON.
  Bindings bad = Sample();
  bad.body = "{not json";
  EXPECT_EQ(Render("$input.json('$')", bad).failure, Failure::kBadBody);
  EXPECT_TRUE(Render("$input.body", bad).ok());
}

}  // namespace
}  // namespace nimbus::apigateway::vtl
