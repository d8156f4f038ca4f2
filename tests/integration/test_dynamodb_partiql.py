"""DynamoDB PartiQL: ExecuteStatement (SELECT as Query or Scan, INSERT, UPDATE, DELETE,
parameters, literals, paging), BatchExecuteStatement (per-statement errors) and
ExecuteTransaction (atomic, CancellationReasons), through boto3 and the AWS CLI."""
import json
import unittest

import botocore.exceptions

from nimbus_harness import NimbusTestCase

ClientError = botocore.exceptions.ClientError
MALFORMED = "Statement wasn't well formed, can't be processed: "


class DynamoDbPartiqlTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.ddb = self.client("dynamodb")
        self.ddb.create_table(
            TableName="music",
            KeySchema=[{"AttributeName": "artist", "KeyType": "HASH"},
                       {"AttributeName": "song", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "artist", "AttributeType": "S"},
                                  {"AttributeName": "song", "AttributeType": "S"},
                                  {"AttributeName": "album", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[{
                "IndexName": "by_album",
                "KeySchema": [{"AttributeName": "album", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}],
            BillingMode="PAY_PER_REQUEST")
        self.ddb.create_table(
            TableName="kvs", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")

    def run_sql(self, statement, params=None, **kw):
        if params is not None:
            kw["Parameters"] = params
        return self.ddb.execute_statement(Statement=statement, **kw)

    def error(self, statement, params=None, **kw):
        with self.assertRaises(ClientError) as ctx:
            self.run_sql(statement, params, **kw)
        err = ctx.exception.response
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400, err)
        return err["Error"]["Code"], err["Error"]["Message"], err

    def seed(self):
        for artist, song, album, year in [("a1", "s1", "x", 1990), ("a1", "s2", "x", 1995),
                                          ("a1", "s3", "y", 2001), ("a2", "s1", "y", 2010)]:
            self.run_sql('INSERT INTO "music" VALUE {\'artist\': ?, \'song\': ?, '
                         '\'album\': ?, \'year\': ?, \'tags\': [\'t\', {\'n\': 1}]}',
                         [{"S": artist}, {"S": song}, {"S": album}, {"N": str(year)}])

    # --- statements --------------------------------------------------------------------------

    def test_insert_and_literals_round_trip(self):
        out = self.run_sql(
            "INSERT INTO kvs VALUE {'pk': 'lit', 'n': -12.50, 's': 'it''s', 'b': TRUE, "
            "'z': NULL, 'l': [1, 'x'], 'm': {'k': FALSE}, 'ss': <<'a', 'b'>>, 'ns': <<1, 2>>}")
        self.assertEqual(out["Items"], [])
        item = self.ddb.get_item(TableName="kvs", Key={"pk": {"S": "lit"}})["Item"]
        self.assertEqual(item["n"], {"N": "-12.5"})
        self.assertEqual(item["s"], {"S": "it's"})
        self.assertEqual(item["b"], {"BOOL": True})
        self.assertEqual(item["z"], {"NULL": True})
        self.assertEqual(item["l"], {"L": [{"N": "1"}, {"S": "x"}]})
        self.assertEqual(item["m"], {"M": {"k": {"BOOL": False}}})
        self.assertEqual(sorted(item["ss"]["SS"]), ["a", "b"])
        self.assertEqual(sorted(item["ns"]["NS"]), ["1", "2"])

    def test_insert_of_existing_key_is_duplicate(self):
        self.run_sql("INSERT INTO kvs VALUE {'pk': 'a', 'v': 1}")
        code, msg, _ = self.error("INSERT INTO kvs VALUE {'pk': 'a', 'v': 2}")
        self.assertEqual((code, msg), ("DuplicateItemException",
                                       "Duplicate primary key exists in table"))
        item = self.ddb.get_item(TableName="kvs", Key={"pk": {"S": "a"}})["Item"]
        self.assertEqual(item["v"], {"N": "1"})

    def test_insert_with_map_parameter(self):
        self.run_sql("INSERT INTO kvs VALUE ?", [{"M": {"pk": {"S": "p"}, "v": {"N": "3"}}}])
        self.assertEqual(self.ddb.get_item(TableName="kvs", Key={"pk": {"S": "p"}})["Item"],
                         {"pk": {"S": "p"}, "v": {"N": "3"}})

    def test_select_query_with_key_and_filter(self):
        self.seed()
        out = self.run_sql('SELECT song, "year" FROM music WHERE artist = ? AND song >= ? '
                           'AND "year" BETWEEN 1990 AND 2000', [{"S": "a1"}, {"S": "s1"}])
        self.assertEqual(out["Items"], [{"song": {"S": "s1"}, "year": {"N": "1990"}},
                                        {"song": {"S": "s2"}, "year": {"N": "1995"}}])
        out = self.run_sql("SELECT * FROM music WHERE artist = 'a1' AND begins_with(song, 's3')")
        self.assertEqual([i["song"]["S"] for i in out["Items"]], ["s3"])
        out = self.run_sql("SELECT song FROM music WHERE artist = 'a1' ORDER BY song DESC")
        self.assertEqual([i["song"]["S"] for i in out["Items"]], ["s3", "s2", "s1"])

    def test_select_scan_operators_and_nested_paths(self):
        self.seed()

        def songs(where, params=None):
            out = self.run_sql("SELECT artist, song FROM music WHERE " + where, params)
            return sorted((i["artist"]["S"], i["song"]["S"]) for i in out["Items"])

        self.assertEqual(songs("song = 's1'"), [("a1", "s1"), ("a2", "s1")])
        self.assertEqual(songs("album IN ['y'] AND \"year\" > 2005"), [("a2", "s1")])
        self.assertEqual(songs("album = 'x' OR \"year\" = 2010"),
                         [("a1", "s1"), ("a1", "s2"), ("a2", "s1")])
        self.assertEqual(songs("NOT album = 'x'"), [("a1", "s3"), ("a2", "s1")])
        self.assertEqual(songs("tags[1].n = 1 AND artist <> 'a1'"), [("a2", "s1")])
        self.assertEqual(songs("nope IS MISSING AND tags IS NOT MISSING AND artist = 'a2'"),
                         [("a2", "s1")])
        self.assertEqual(songs("contains(tags, 't') AND song IN ('s2', 's3')"),
                         [("a1", "s2"), ("a1", "s3")])
        self.assertEqual(songs("attribute_exists(nope)"), [])
        # the whole table, and through an index
        self.assertEqual(len(self.run_sql('SELECT * FROM "music"')["Items"]), 4)
        out = self.run_sql('SELECT song FROM "music"."by_album" WHERE album = ?', [{"S": "y"}])
        self.assertEqual(sorted(i["song"]["S"] for i in out["Items"]), ["s1", "s3"])

    def test_paging_with_limit_and_next_token(self):
        for i in range(7):
            self.ddb.put_item(TableName="music", Item={"artist": {"S": "p"},
                                                       "song": {"S": "s%d" % i}})
        seen, token, pages = [], None, 0
        while True:
            kw = {"Limit": 3, "ConsistentRead": True}
            if token:
                kw["NextToken"] = token
            out = self.run_sql("SELECT song FROM music WHERE artist = 'p'", **kw)
            seen += [i["song"]["S"] for i in out["Items"]]
            pages += 1
            token = out.get("NextToken")
            if not token:
                break
            self.assertIn("LastEvaluatedKey", out)
        self.assertEqual(seen, ["s%d" % i for i in range(7)])
        self.assertEqual(pages, 3)
        # A token of another statement, and garbage, are refused.
        first = self.run_sql("SELECT song FROM music WHERE artist = 'p'", Limit=1)["NextToken"]
        code, msg, _ = self.error("SELECT * FROM music", NextToken=first)
        self.assertEqual((code, msg), ("ValidationException", "Invalid NextToken"))
        code, _, _ = self.error("SELECT * FROM music", NextToken="!!not-a-token!!")
        self.assertEqual(code, "ValidationException")

    def test_update_set_remove_and_returning(self):
        self.run_sql("INSERT INTO kvs VALUE {'pk': 'u', 'n': 1, 'gone': 'x', 'l': [1], "
                     "'ss': <<'a'>>}")
        out = self.run_sql("UPDATE kvs SET n = n + ?, l = list_append(l, [2]) "
                           "SET ss = set_add(ss, <<'b'>>), m = {'k': 'v'} REMOVE gone "
                           "WHERE pk = ? RETURNING ALL NEW *", [{"N": "4"}, {"S": "u"}])
        item = out["Items"][0]
        self.assertEqual(item["n"], {"N": "5"})
        self.assertEqual(item["l"], {"L": [{"N": "1"}, {"N": "2"}]})
        self.assertEqual(sorted(item["ss"]["SS"]), ["a", "b"])
        self.assertEqual(item["m"], {"M": {"k": {"S": "v"}}})
        self.assertNotIn("gone", item)
        out = self.run_sql("UPDATE kvs SET n = 9 WHERE pk = 'u' RETURNING MODIFIED OLD *")
        self.assertEqual(out["Items"], [{"n": {"N": "5"}}])
        out = self.run_sql("UPDATE kvs SET n = 10 WHERE pk = 'u'")
        self.assertEqual(out["Items"], [])

    def test_update_of_missing_item_and_failed_condition(self):
        code, msg, _ = self.error("UPDATE kvs SET n = 1 WHERE pk = 'missing'")
        self.assertEqual((code, msg), ("ConditionalCheckFailedException",
                                       "The conditional request failed"))
        self.assertNotIn("Item", self.ddb.get_item(TableName="kvs", Key={"pk": {"S": "missing"}}))
        self.run_sql("INSERT INTO kvs VALUE {'pk': 'c', 'n': 1}")
        code, _, err = self.error("UPDATE kvs SET n = 2 WHERE pk = 'c' AND n = 5",
                                  ReturnValuesOnConditionCheckFailure="ALL_OLD")
        self.assertEqual(code, "ConditionalCheckFailedException")
        self.assertEqual(err["Item"], {"pk": {"S": "c"}, "n": {"N": "1"}})
        self.run_sql("UPDATE kvs SET n = 2 WHERE pk = 'c' AND n = 1")
        code, msg, _ = self.error("UPDATE kvs SET n = 3 WHERE n = 2")
        self.assertEqual((code, msg), ("ValidationException", "Where clause does not contain a "
                                       "mandatory equality on all key attributes"))

    def test_delete(self):
        self.seed()
        out = self.run_sql("DELETE FROM music WHERE artist = 'a1' AND song = 's1' "
                           "RETURNING ALL OLD *")
        self.assertEqual(out["Items"][0]["album"], {"S": "x"})
        self.assertEqual(
            self.run_sql("DELETE FROM music WHERE artist = 'a1' AND song = 'zz'")["Items"], [])
        code, _, _ = self.error("DELETE FROM music WHERE artist = 'a1' AND song = 's2' "
                                "AND album = 'nope'")
        self.assertEqual(code, "ConditionalCheckFailedException")
        code, msg, _ = self.error("DELETE FROM music WHERE artist = 'a1'")
        self.assertEqual(msg, "Where clause does not contain a mandatory equality on all key "
                              "attributes")
        self.assertEqual(len(self.run_sql("SELECT * FROM music")["Items"]), 3)

    def test_consumed_capacity(self):
        self.seed()
        out = self.run_sql("SELECT * FROM music WHERE artist = 'a1'",
                           ReturnConsumedCapacity="TOTAL")
        self.assertEqual(out["ConsumedCapacity"]["TableName"], "music")
        self.assertGreater(out["ConsumedCapacity"]["CapacityUnits"], 0)
        out = self.run_sql("INSERT INTO kvs VALUE {'pk': 'cap'}", ReturnConsumedCapacity="TOTAL")
        self.assertEqual(out["ConsumedCapacity"], {"TableName": "kvs", "CapacityUnits": 1.0,
                                                   "WriteCapacityUnits": 1.0})

    # --- errors ------------------------------------------------------------------------------

    def test_errors(self):
        code, msg, _ = self.error("SELECT * FROM nope")
        self.assertEqual((code, msg), ("ResourceNotFoundException",
                                       "Requested resource not found"))
        code, msg, _ = self.error("SELECT * FROM kvs WHERE pk = ? AND v = ?", [{"S": "a"}])
        self.assertEqual((code, msg), ("ValidationException", "Number of parameters in request "
                                       "and statement don't match."))
        code, msg, _ = self.error("SELEC * FROM kvs")
        self.assertEqual((code, msg), ("ValidationException",
                                       MALFORMED + "Expected data manipulation"))
        code, msg, _ = self.error("SELECT * FROM kvs WHERE pk = 'open")
        self.assertEqual(msg, MALFORMED + "Unterminated string literal")
        code, msg, _ = self.error("SELECT * FROM kvs WHERE pk = 1 pk")
        self.assertEqual(msg, MALFORMED + "Unexpected token after expression")
        code, msg, _ = self.error('SELECT * FROM "music"."nope"')
        self.assertEqual(msg, "The table does not have the specified index: nope")
        code, msg, _ = self.error("INSERT INTO kvs VALUE {'v': 1}")
        self.assertEqual((code, msg), ("ValidationException", "One or more parameter values "
                                       "were invalid: Missing the key pk in the item"))
        code, _, _ = self.error("SELECT * FROM kvs WHERE pk = ?", [{"N": "abc"}])
        self.assertEqual(code, "ValidationException")
        code, _, _ = self.error("UPDATE kvs SET pk = 'x' WHERE pk = 'a'")
        self.assertEqual(code, "ValidationException")

    def test_hostile_statements_never_crash(self):
        hostile = [
            "SELECT * FROM kvs WHERE " + "(" * 3000 + "pk = 'a'" + ")" * 3000,
            "INSERT INTO kvs VALUE {'pk': 'a', 'l': " + "[" * 3000 + "]" * 3000 + "}",
            "SELECT * FROM kvs WHERE " + "NOT " * 1500 + "pk = 'a'",
            "SELECT * FROM kvs WHERE pk = '" + "x" * 7000,
            "\x00\x01\x02", "SELECT * FROM kvs WHERE pk = 'é' AND ü = 1", ";;;", "?", "*",
            "INSERT INTO kvs VALUE {'pk': ?", "UPDATE kvs SET WHERE pk = 'a'",
        ]
        for s in hostile:
            with self.subTest(statement=s[:40]):
                code, msg, _ = self.error(s[:8192])
                self.assertEqual(code, "ValidationException", msg)
        # Long flat conditions either run or are refused, never crash the server.
        for s in ["SELECT * FROM kvs WHERE " + " OR ".join(["v = %d" % i for i in range(700)]),
                  "SELECT * FROM kvs WHERE " + " AND ".join(["v <> %d" % i for i in range(700)])]:
            try:
                self.assertEqual(self.run_sql(s)["Items"], [])
            except ClientError as e:
                self.assertEqual(e.response["Error"]["Code"], "ValidationException")
        code, _, _ = self.error("SELECT * FROM kvs WHERE pk = '" + "x" * 9000 + "'")
        self.assertEqual(code, "ValidationException")
        # still serving
        self.assertEqual(self.run_sql("SELECT * FROM kvs")["Items"], [])

    # --- batch -------------------------------------------------------------------------------

    def test_batch_writes_with_per_statement_errors(self):
        self.run_sql("INSERT INTO kvs VALUE {'pk': 'dup'}")
        out = self.ddb.batch_execute_statement(Statements=[
            {"Statement": "INSERT INTO kvs VALUE {'pk': 'b1'}"},
            {"Statement": "INSERT INTO kvs VALUE {'pk': 'dup'}"},
            {"Statement": "UPDATE kvs SET v = 1 WHERE pk = ?", "Parameters": [{"S": "none"}]},
            {"Statement": "DELETE FROM nope WHERE pk = 'x'"},
            {"Statement": "INSERT INTO kvs VALUE {'pk' 'bad'}"},
            {"Statement": "UPDATE kvs SET v = 2 WHERE pk = 'dup'"},
        ])["Responses"]
        self.assertEqual(out[0], {"TableName": "kvs"})
        self.assertEqual(out[1]["Error"], {"Code": "DuplicateItem",
                                           "Message": "Duplicate primary key exists in table"})
        self.assertEqual(out[2]["Error"]["Code"], "ConditionalCheckFailed")
        self.assertEqual(out[3]["Error"]["Code"], "ResourceNotFound")
        self.assertEqual(out[4]["Error"]["Code"], "ValidationError")
        self.assertTrue(out[4]["Error"]["Message"].startswith(MALFORMED))
        self.assertEqual(out[5], {"TableName": "kvs"})
        item = self.ddb.get_item(TableName="kvs", Key={"pk": {"S": "dup"}})["Item"]
        self.assertEqual(item["v"], {"N": "2"})

    def test_batch_reads_and_limits(self):
        self.seed()
        out = self.ddb.batch_execute_statement(Statements=[
            {"Statement": "SELECT * FROM music WHERE artist = ? AND song = ?",
             "Parameters": [{"S": "a1"}, {"S": "s2"}], "ConsistentRead": True},
            {"Statement": "SELECT song FROM music WHERE artist = 'a1' AND song = 'zz'"},
            {"Statement": "SELECT * FROM music WHERE artist = 'a1'"},
        ])["Responses"]
        self.assertEqual(out[0]["TableName"], "music")
        self.assertEqual(out[0]["Item"]["album"], {"S": "x"})
        self.assertEqual(out[1], {"TableName": "music"})
        self.assertEqual(out[2]["Error"]["Code"], "ValidationError")
        with self.assertRaises(ClientError) as ctx:
            self.ddb.batch_execute_statement(Statements=[
                {"Statement": "SELECT * FROM kvs WHERE pk = 'a'"},
                {"Statement": "INSERT INTO kvs VALUE {'pk': 'b'}"}])
        self.assertAwsError(ctx, "ValidationException", 400)
        with self.assertRaises(ClientError) as ctx:
            self.ddb.batch_execute_statement(Statements=[
                {"Statement": "INSERT INTO kvs VALUE {'pk': 'b%d'}" % i} for i in range(26)])
        self.assertAwsError(ctx, "ValidationException", 400)

    # --- transactions ------------------------------------------------------------------------

    def test_transaction_commits_all(self):
        self.run_sql("INSERT INTO kvs VALUE {'pk': 'acct', 'bal': 10}")
        self.run_sql("INSERT INTO kvs VALUE {'pk': 'lock', 'open': TRUE}")
        out = self.ddb.execute_transaction(TransactStatements=[
            {"Statement": "UPDATE kvs SET bal = bal - ? WHERE pk = 'acct' AND bal >= ?",
             "Parameters": [{"N": "4"}, {"N": "4"}]},
            {"Statement": "INSERT INTO kvs VALUE {'pk': 'audit', 'amount': 4}"},
            {"Statement": "EXISTS(SELECT * FROM kvs WHERE pk = 'lock' AND \"open\" = TRUE)"},
        ])
        self.assertNotIn("Responses", out)
        out = self.ddb.execute_transaction(TransactStatements=[
            {"Statement": "SELECT bal FROM kvs WHERE pk = 'acct'"},
            {"Statement": "SELECT * FROM kvs WHERE pk = ?", "Parameters": [{"S": "audit"}]},
            {"Statement": "SELECT * FROM kvs WHERE pk = 'none'"},
        ])
        self.assertEqual(out["Responses"][0], {"Item": {"bal": {"N": "6"}}})
        self.assertEqual(out["Responses"][1]["Item"]["amount"], {"N": "4"})
        self.assertEqual(out["Responses"][2], {})

    def test_transaction_cancel_writes_nothing(self):
        self.run_sql("INSERT INTO kvs VALUE {'pk': 'dup', 'v': 1}")
        self.run_sql("INSERT INTO kvs VALUE {'pk': 'c', 'v': 1}")
        self.run_sql("INSERT INTO kvs VALUE {'pk': 'e', 'v': 1}")
        with self.assertRaises(ClientError) as ctx:
            self.ddb.execute_transaction(TransactStatements=[
                {"Statement": "INSERT INTO kvs VALUE {'pk': 'new'}"},
                {"Statement": "INSERT INTO kvs VALUE {'pk': 'dup'}"},
                {"Statement": "UPDATE kvs SET v = 2 WHERE pk = 'c' AND v = 9",
                 "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
                {"Statement": "EXISTS(SELECT * FROM kvs WHERE pk = 'e' AND v = 1)"},
            ])
        err = self.assertAwsError(ctx, "TransactionCanceledException", 400)
        self.assertEqual(err["Error"]["Message"],
                         "Transaction cancelled, please refer cancellation reasons for specific "
                         "reasons [None, DuplicateItem, ConditionalCheckFailed, None]")
        reasons = err["CancellationReasons"]
        self.assertEqual(reasons[0], {"Code": "None"})
        self.assertEqual(reasons[1], {"Code": "DuplicateItem",
                                      "Message": "Duplicate primary key exists in table"})
        self.assertEqual(reasons[2]["Code"], "ConditionalCheckFailed")
        self.assertEqual(reasons[2]["Item"], {"pk": {"S": "c"}, "v": {"N": "1"}})
        self.assertNotIn("Item", self.ddb.get_item(TableName="kvs", Key={"pk": {"S": "new"}}))
        # EXISTS that fails cancels too
        with self.assertRaises(ClientError) as ctx:
            self.ddb.execute_transaction(TransactStatements=[
                {"Statement": "INSERT INTO kvs VALUE {'pk': 'new'}"},
                {"Statement": "EXISTS(SELECT * FROM kvs WHERE pk = 'e' AND v = 5)"}])
        err = self.assertAwsError(ctx, "TransactionCanceledException", 400)
        self.assertEqual([r["Code"] for r in err["CancellationReasons"]],
                         ["None", "ConditionalCheckFailed"])

    def test_transaction_validation(self):
        with self.assertRaises(ClientError) as ctx:
            self.ddb.execute_transaction(TransactStatements=[
                {"Statement": "SELECT * FROM kvs WHERE pk = 'a'"},
                {"Statement": "INSERT INTO kvs VALUE {'pk': 'b'}"}])
        err = self.assertAwsError(ctx, "ValidationException", 400)
        self.assertEqual(err["Error"]["Message"], "ExecuteTransaction API does not support both "
                         "read and write operations in the same request.")
        with self.assertRaises(ClientError) as ctx:
            self.ddb.execute_transaction(TransactStatements=[
                {"Statement": "INSERT INTO kvs VALUE {'pk': 'same'}"},
                {"Statement": "UPDATE kvs SET v = 1 WHERE pk = 'same'"}])
        err = self.assertAwsError(ctx, "ValidationException", 400)
        self.assertEqual(err["Error"]["Message"],
                         "Transaction request cannot include multiple operations on one item")
        with self.assertRaises(ClientError) as ctx:
            self.ddb.execute_transaction(TransactStatements=[
                {"Statement": "INSERT INTO kvs VALUE {'pk': 'x%d'}" % i} for i in range(101)])
        self.assertAwsError(ctx, "ValidationException", 400)
        with self.assertRaises(ClientError) as ctx:
            self.ddb.execute_transaction(TransactStatements=[
                {"Statement": "SELECT * FROM nope WHERE pk = 'a'"}])
        self.assertAwsError(ctx, "ResourceNotFoundException", 400)

    # --- AWS CLI -----------------------------------------------------------------------------

    def test_cli_execute_statement(self):
        rc, out, err = self.server.aws(
            "dynamodb", "execute-statement", "--statement",
            "INSERT INTO kvs VALUE {'pk': ?, 'n': ?}",
            "--parameters", json.dumps([{"S": "cli"}, {"N": "7"}]))
        self.assertEqual(rc, 0, err)
        rc, out, err = self.server.aws(
            "dynamodb", "execute-statement", "--statement", "SELECT n FROM kvs WHERE pk = 'cli'")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["Items"], [{"n": {"N": "7"}}])
        rc, out, err = self.server.aws(
            "dynamodb", "execute-statement", "--statement", "SELECT * FROM kvs WHERE", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("ValidationException", err)
        self.assertIn(MALFORMED + "Unexpected end of statement", err)


if __name__ == "__main__":
    unittest.main()
