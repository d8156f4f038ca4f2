#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "services/dynamodb/partiql/parser.h"

namespace nimbus::dynamodb::partiql {
namespace {

std::string Error(std::string_view text) {
  auto st = Parse(text);
  return st ? "ok" : st.error().message;
}

TEST(PartiqlParserTest, SelectWithIndexProjectionAndWhere) {
  auto st = Parse(
      R"(select a, "b".c[2], m['k'] FROM "Music"."ByAlbum" WHERE "Artist" = ? AND sk BETWEEN 1 AND 5 ORDER BY sk DESC;)");
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(st->kind, StatementKind::kSelect);
  EXPECT_EQ(st->table, "Music");
  EXPECT_EQ(st->index, "ByAlbum");
  ASSERT_EQ(st->projection.size(), 3u);
  EXPECT_EQ(PathText(st->projection[1]), "b.c[2]");
  EXPECT_EQ(PathText(st->projection[2]), "m.k");
  ASSERT_TRUE(st->where.has_value());
  EXPECT_EQ(st->where->kind, ExprKind::kAnd);
  EXPECT_EQ(st->where->args[1].kind, ExprKind::kBetween);
  EXPECT_EQ(st->parameters, 1u);
  EXPECT_TRUE(st->descending);
}

TEST(PartiqlParserTest, LiteralsBecomeAttributeValues) {
  auto st = Parse(
      "INSERT INTO t VALUE {'pk': ?, 'n': -1.5e3, 's': 'it''s', 'b': TRUE, 'z': NULL, "
      "'l': [1, 'x', [?]], 'ss': <<'a', 'b'>>, 'ns': <<1, 2>>, 'm': {'k': false}}");
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(st->kind, StatementKind::kInsert);
  EXPECT_EQ(st->parameters, 2u);
  EXPECT_EQ(json::serialize(st->item),
            R"({"M":{"pk":{"?":0},"n":{"N":"-1.5e3"},"s":{"S":"it's"},"b":{"BOOL":true},)"
            R"("z":{"NULL":true},"l":{"L":[{"N":"1"},{"S":"x"},{"L":[{"?":1}]}]},)"
            R"("ss":{"SS":["a","b"]},"ns":{"NS":["1","2"]},"m":{"M":{"k":{"BOOL":false}}}}})");
}

TEST(PartiqlParserTest, UpdateDeleteAndExists) {
  auto up = Parse(
      "UPDATE \"t\" SET a = a + ?, l = list_append(l, [1]) SET s = set_add(s, <<'x'>>) "
      "REMOVE old, m.k WHERE pk = 'p' AND v IS NOT MISSING RETURNING MODIFIED NEW *");
  ASSERT_TRUE(up.ok()) << up.error().message;
  EXPECT_EQ(up->kind, StatementKind::kUpdate);
  ASSERT_EQ(up->updates.size(), 5u);
  EXPECT_EQ(up->updates[0].value.kind, ExprKind::kPlus);
  EXPECT_TRUE(up->updates[4].remove);
  EXPECT_EQ(up->returning, "UPDATED_NEW");
  auto del = Parse("DELETE FROM t WHERE pk = 1 RETURNING ALL OLD *");
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->returning, "ALL_OLD");
  auto ex = Parse("EXISTS(SELECT * FROM t WHERE pk = 'a' AND v > 1)");
  ASSERT_TRUE(ex.ok());
  EXPECT_EQ(ex->kind, StatementKind::kExists);
}

TEST(PartiqlParserTest, OperatorsAndComments) {
  auto st = Parse(
      "-- leading comment\nSELECT * FROM t /* inline */ WHERE NOT (a <> 1 OR b IN [1, 2]) "
      "AND begins_with(c, 'x') AND d IS MISSING AND e NOT IN (3) AND f != 2");
  ASSERT_TRUE(st.ok()) << st.error().message;
}

TEST(PartiqlParserTest, MalformedStatementsAnswerValidationErrors) {
  const std::string prefix = "Statement wasn't well formed, can't be processed: ";
  EXPECT_EQ(Error(""), prefix + "Empty statement");
  EXPECT_EQ(Error("   -- only a comment"), prefix + "Empty statement");
  EXPECT_EQ(Error("FETCH * FROM t"), prefix + "Expected data manipulation");
  EXPECT_EQ(Error("SELECT * FROM t WHERE a = 'oops"), prefix + "Unterminated string literal");
  EXPECT_EQ(Error("SELECT * FROM \"t"), prefix + "Unterminated quoted identifier");
  EXPECT_EQ(Error("SELECT * FROM t /* never closed"), prefix + "Unterminated comment");
  EXPECT_EQ(Error("SELECT * FROM t WHERE"), prefix + "Unexpected end of statement");
  EXPECT_EQ(Error("SELECT * FROM t WHERE a = 1 b"), prefix + "Unexpected token after expression");
  EXPECT_EQ(Error("SELECT * FROM t; SELECT * FROM t"),
            prefix + "Unexpected token after expression");
  EXPECT_EQ(Error("SELECT * FROM select"), prefix + "Unexpected keyword: SELECT");
  EXPECT_EQ(Error("SELECT * FROM t WHERE a = #"), prefix + "Unexpected character: #");
  EXPECT_EQ(Error("UPDATE t WHERE pk = 1"), prefix + "Unexpected keyword: WHERE");
  EXPECT_EQ(Error("INSERT INTO t VALUE {'pk': <<?>>}"), "Unsupported data type in Bag");
  EXPECT_EQ(Error("SELECT * FROM t WHERE a[x] = 1"), prefix + "Unexpected token: x");
}

TEST(PartiqlParserTest, DeepNestingIsRefusedNotOverflowed) {
  const std::string prefix = "Statement wasn't well formed, can't be processed: ";
  std::string parens = "SELECT * FROM t WHERE " + std::string(5000, '(') + "a = 1" +
                       std::string(5000, ')');
  EXPECT_EQ(Error(parens), prefix + "Statement is nested too deeply");
  std::string lists = "INSERT INTO t VALUE {'pk': 'a', 'l': " + std::string(5000, '[') +
                      std::string(5000, ']') + "}";
  EXPECT_EQ(Error(lists), prefix + "Statement is nested too deeply");
  std::string nots = "SELECT * FROM t WHERE ";
  for (int i = 0; i < 3000; ++i) nots += "NOT ";
  nots += "a = 1";
  EXPECT_EQ(Error(nots), prefix + "Statement is nested too deeply");
  std::string calls = "SELECT * FROM t WHERE ";
  for (int i = 0; i < 3000; ++i) calls += "f(";
  EXPECT_EQ(Error(calls), prefix + "Statement is nested too deeply");
  // Long but flat: fine.
  std::string flat = "SELECT * FROM t WHERE a = 1";
  for (int i = 0; i < 1000; ++i) flat += " AND a = 1";
  EXPECT_EQ(Error(flat), "ok");
}

}  // namespace
}  // namespace nimbus::dynamodb::partiql
