"""DynamoDB reads: Query (key conditions, order, filters, paging, Select, GSIs and LSIs), Scan
(filters, paging, parallel segments), the 1 MB page, BatchGetItem and BatchWriteItem."""
import time
import unittest

import botocore.exceptions

from nimbus_harness import NimbusTestCase

ClientError = botocore.exceptions.ClientError


def table(ddb, name, hash_type="S", range_type=None, defs=(), **extra):
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attrs = [{"AttributeName": "pk", "AttributeType": hash_type}]
    if range_type:
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attrs.append({"AttributeName": "sk", "AttributeType": range_type})
    attrs += [{"AttributeName": n, "AttributeType": t} for n, t in defs]
    ddb.create_table(TableName=name, KeySchema=keys, AttributeDefinitions=attrs,
                     BillingMode="PAY_PER_REQUEST", **extra)


class DynamoDbQueryTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.ddb = self.client("dynamodb")
        self.raw = self.client("dynamodb", parameter_validation=False)

    def query(self, name, cond, values, **kw):
        return self.ddb.query(TableName=name, KeyConditionExpression=cond,
                              ExpressionAttributeValues=values, **kw)

    def expect_validation(self, message, fn, **kw):
        with self.assertRaises(ClientError) as ctx:
            fn(**kw)
        err = self.assertAwsError(ctx, "ValidationException", 400)
        if message is not None:
            self.assertEqual(err["Error"]["Message"], message)

    def numbers_table(self):
        table(self.ddb, "nums", range_type="N")
        for sk in ["10", "-5", "100", "2", "0", "-0.5", "3.25", "1e3"]:
            self.ddb.put_item(TableName="nums", Item={"pk": {"S": "p"}, "sk": {"N": sk},
                                                      "odd": {"BOOL": sk in ("-5", "3.25")}})
        self.ddb.put_item(TableName="nums", Item={"pk": {"S": "other"}, "sk": {"N": "1"}})

    def sks(self, resp):
        return [i["sk"]["N"] for i in resp["Items"]]

    # --- Query --------------------------------------------------------------------------------

    def test_query_orders_numbers_numerically_both_ways(self):
        """A partition comes back in numeric sort-key order; ScanIndexForward=false reverses."""
        self.numbers_table()
        p = {":p": {"S": "p"}}
        order = ["-5", "-0.5", "0", "2", "3.25", "10", "100", "1000"]
        self.assertEqual(self.sks(self.query("nums", "pk = :p", p)), order)
        self.assertEqual(self.sks(self.query("nums", "pk = :p", p, ScanIndexForward=False)),
                         order[::-1])

    def test_query_sort_key_operators(self):
        """=, <, <=, >, >=, BETWEEN on a numeric sort key; the value may come first."""
        self.numbers_table()
        cases = [("sk = :a", {":a": "2"}, ["2"]),
                 ("sk < :a", {":a": "2"}, ["-5", "-0.5", "0"]),
                 ("sk <= :a", {":a": "2"}, ["-5", "-0.5", "0", "2"]),
                 ("sk > :a", {":a": "10"}, ["100", "1000"]),
                 ("sk >= :a", {":a": "10"}, ["10", "100", "1000"]),
                 ("sk BETWEEN :a AND :b", {":a": "-1", ":b": "3.25"}, ["-0.5", "0", "2", "3.25"]),
                 (":a < sk", {":a": "100"}, ["1000"])]
        for cond, vals, expected in cases:
            values = {k: {"N": v} for k, v in vals.items()}
            values[":p"] = {"S": "p"}
            with self.subTest(cond=cond):
                self.assertEqual(self.sks(self.query("nums", "pk = :p AND " + cond, values)),
                                 expected)

    def test_string_and_binary_sort_orders(self):
        """S sort keys order by UTF-8 bytes and support begins_with; B sort keys order by
        unsigned bytes."""
        table(self.ddb, "strs", range_type="S")
        words = ["b", "a", "B", "ab", "é", "z", "aa", "a\u0000b", "\U0001F600"]
        for w in words:
            self.ddb.put_item(TableName="strs", Item={"pk": {"S": "p"}, "sk": {"S": w}})
        got = [i["sk"]["S"] for i in self.query("strs", "pk = :p", {":p": {"S": "p"}})["Items"]]
        self.assertEqual(got, sorted(words, key=lambda s: s.encode("utf-8")))
        got = [i["sk"]["S"] for i in self.query("strs", "pk = :p AND begins_with(sk, :a)",
                                                {":p": {"S": "p"}, ":a": {"S": "a"}})["Items"]]
        self.assertEqual(got, ["a", "a\u0000b", "aa", "ab"])
        table(self.ddb, "bins", range_type="B")
        blobs = [b"\xff", b"\x01", b"\x80", b"\x7f", b"\x00", b"\x80\x00"]
        for b in blobs:
            self.ddb.put_item(TableName="bins", Item={"pk": {"S": "p"}, "sk": {"B": b}})
        got = [i["sk"]["B"] for i in self.query("bins", "pk = :p", {":p": {"S": "p"}})["Items"]]
        self.assertEqual(got, sorted(blobs))

    def test_limit_paging_filter_select(self):
        """Limit counts items read before the filter; LastEvaluatedKey/ExclusiveStartKey page
        forward and backward; Select=COUNT returns only counts."""
        self.numbers_table()
        p = {":p": {"S": "p"}}
        r = self.query("nums", "pk = :p", p, Limit=3)
        self.assertEqual(self.sks(r), ["-5", "-0.5", "0"])
        self.assertEqual(r["LastEvaluatedKey"], {"pk": {"S": "p"}, "sk": {"N": "0"}})
        r = self.query("nums", "pk = :p", p, Limit=3, ExclusiveStartKey=r["LastEvaluatedKey"])
        self.assertEqual(self.sks(r), ["2", "3.25", "10"])
        r = self.query("nums", "pk = :p", p, ScanIndexForward=False, Limit=2,
                       ExclusiveStartKey={"pk": {"S": "p"}, "sk": {"N": "10"}})
        self.assertEqual(self.sks(r), ["3.25", "2"])
        all_sks = []
        for page in self.ddb.get_paginator("query").paginate(
                TableName="nums", KeyConditionExpression="pk = :p", ExpressionAttributeValues=p,
                PaginationConfig={"PageSize": 3}):
            all_sks += self.sks(page)
        self.assertEqual(len(all_sks), 8)
        r = self.query("nums", "pk = :p", dict(p, **{":t": {"BOOL": True}}),
                       FilterExpression="odd = :t", Limit=4)
        self.assertEqual((r["Count"], r["ScannedCount"]), (1, 4))
        r = self.query("nums", "pk = :p", p, Select="COUNT")
        self.assertNotIn("Items", r)
        self.assertEqual(r["Count"], 8)
        r = self.query("nums", "pk = :p", p, ProjectionExpression="sk", Limit=1,
                       ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["Items"], [{"sk": {"N": "-5"}}])
        self.assertEqual(r["ConsumedCapacity"]["CapacityUnits"], 0.5)

    def test_key_condition_errors(self):
        """Key conditions DynamoDB refuses, with its messages."""
        self.numbers_table()
        p = {":p": {"S": "p"}, ":n": {"N": "1"}}
        cases = [
            ("pk = :p OR sk = :n", "Invalid operator used in KeyConditionExpression: OR"),
            ("pk = :p AND sk <> :n", "Invalid operator used in KeyConditionExpression: <>"),
            ("pk < :p", "Query key condition not supported"),
            ("sk = :n", "Query condition missed key schema element: pk"),
            ("pk = :p AND nothere = :n", "Query condition missed key schema element: sk"),
            ("pk = :p AND sk = :n AND sk = :n",
             "KeyConditionExpressions must only contain one condition per key"),
            ("pk = :n", "One or more parameter values were invalid: Condition parameter type "
                        "does not match schema type"),
            ("pk = :p AND attribute_exists(sk)",
             "Invalid operator used in KeyConditionExpression: attribute_exists"),
        ]
        for cond, message in cases:
            used = {k: v for k, v in p.items() if k in cond}
            with self.subTest(cond=cond):
                self.expect_validation(message, self.raw.query, TableName="nums",
                                       KeyConditionExpression=cond, ExpressionAttributeValues=used)
        self.expect_validation("Either the KeyConditions or KeyConditionExpression parameter must "
                               "be specified in the request.", self.raw.query, TableName="nums")
        self.expect_validation("The table does not have the specified index: nope", self.query,
                               name="nums", cond="pk = :p", values={":p": {"S": "p"}},
                               IndexName="nope")

    def test_hostile_queries_are_validation_errors(self):
        """Malformed key conditions, filters, start keys and projections answer
        ValidationException, never a 500."""
        self.numbers_table()
        v = {":p": {"S": "p"}, ":n": {"N": "1"}, ":s": {"S": "x"}}
        bad = [
            dict(KeyConditionExpression="pk = :p AND sk BETWEEN :n AND nothere"),
            dict(KeyConditionExpression="pk = :p AND sk BETWEEN :n AND :s"),
            dict(KeyConditionExpression="pk = :p AND begins_with(sk, :n)"),
            dict(KeyConditionExpression="pk = :p AND begins_with(sk, :s)"),
            dict(KeyConditionExpression=":p = :p"),
            dict(KeyConditionExpression="pk = pk"),
            dict(KeyConditionExpression="pk = :p AND size(sk) > :n"),
            dict(KeyConditionExpression="pk.x = :p"),
            dict(KeyConditionExpression="pk = :p", FilterExpression="sk = :n"),
            dict(KeyConditionExpression="pk = :p", ExclusiveStartKey={"pk": {"S": "p"}}),
            dict(KeyConditionExpression="pk = :p", ExclusiveStartKey={"pk": {"S": "p"},
                                                                      "sk": {"S": "x"}}),
            dict(KeyConditionExpression="pk = :p", Select="SPECIFIC_ATTRIBUTES"),
            dict(KeyConditionExpression="pk = :p", Select="ALL_PROJECTED_ATTRIBUTES"),
            dict(KeyConditionExpression="pk = :p", ProjectionExpression="a, a.b"),
            dict(KeyConditionExpression="pk = :p )"),
        ]
        for extra in bad:
            used = {k: val for k, val in v.items()
                    if any(k in str(x) for x in extra.values())}
            with self.subTest(extra=extra):
                with self.assertRaises(ClientError) as ctx:
                    args = dict(TableName="nums", **extra)
                    if used:
                        args["ExpressionAttributeValues"] = used
                    self.raw.query(**args)
                self.assertAwsError(ctx, "ValidationException", 400)

    def test_legacy_key_conditions_and_query_filter(self):
        """KeyConditions and QueryFilter (the pre-expression parameters) work."""
        self.numbers_table()
        r = self.ddb.query(TableName="nums", KeyConditions={
            "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
            "sk": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "3"}]}},
            QueryFilter={"odd": {"ComparisonOperator": "EQ", "AttributeValueList": [{"BOOL": False}]}})
        self.assertEqual(self.sks(r), ["10", "100", "1000"])
        self.expect_validation("QueryFilter can only contain non-primary key attributes: Primary "
                               "key attribute: sk", self.ddb.query, TableName="nums",
                               KeyConditions={"pk": {"ComparisonOperator": "EQ",
                                                     "AttributeValueList": [{"S": "p"}]}},
                               QueryFilter={"sk": {"ComparisonOperator": "NOT_NULL"}})

    def test_global_secondary_index(self):
        """A GSI holds only items with its key (sparse), follows updates and deletes, honours its
        projection, pages with index and table keys, and refuses consistent reads."""
        table(self.ddb, "gsi", range_type="S", defs=[("status", "S"), ("when", "N")],
              GlobalSecondaryIndexes=[
                  {"IndexName": "by_status", "KeySchema": [
                      {"AttributeName": "status", "KeyType": "HASH"},
                      {"AttributeName": "when", "KeyType": "RANGE"}],
                   "Projection": {"ProjectionType": "KEYS_ONLY"}}])
        for i, status in enumerate(["open", "done", "open", None, "open"]):
            item = {"pk": {"S": "p%d" % i}, "sk": {"S": "x"}, "when": {"N": str(10 - i)},
                    "payload": {"S": "big"}}
            if status:
                item["status"] = {"S": status}
            self.ddb.put_item(TableName="gsi", Item=item)
        q = dict(TableName="gsi", IndexName="by_status", KeyConditionExpression="#s = :s",
                 ExpressionAttributeNames={"#s": "status"})
        r = self.ddb.query(ExpressionAttributeValues={":s": {"S": "open"}}, **q)
        self.assertEqual([i["pk"]["S"] for i in r["Items"]], ["p4", "p2", "p0"])
        self.assertEqual(set(r["Items"][0]), {"pk", "sk", "status", "when"})
        self.ddb.update_item(TableName="gsi", Key={"pk": {"S": "p2"}, "sk": {"S": "x"}},
                             UpdateExpression="SET #s = :d", ExpressionAttributeNames={"#s": "status"},
                             ExpressionAttributeValues={":d": {"S": "done"}})
        self.ddb.delete_item(TableName="gsi", Key={"pk": {"S": "p4"}, "sk": {"S": "x"}})
        r = self.ddb.query(ExpressionAttributeValues={":s": {"S": "open"}}, **q)
        self.assertEqual([i["pk"]["S"] for i in r["Items"]], ["p0"])
        r = self.ddb.query(ExpressionAttributeValues={":s": {"S": "done"}}, Limit=1, **q)
        self.assertEqual(r["LastEvaluatedKey"], {"pk": {"S": "p2"}, "sk": {"S": "x"},
                                                 "status": {"S": "done"}, "when": {"N": "8"}})
        r = self.ddb.query(ExpressionAttributeValues={":s": {"S": "done"}},
                           ExclusiveStartKey=r["LastEvaluatedKey"], **q)
        self.assertEqual([i["pk"]["S"] for i in r["Items"]], ["p1"])
        self.assertEqual(self.ddb.scan(TableName="gsi", IndexName="by_status")["Count"], 3)
        self.expect_validation("Consistent reads are not supported on global secondary indexes",
                               self.ddb.query, ExpressionAttributeValues={":s": {"S": "open"}},
                               ConsistentRead=True, **q)
        self.expect_validation(
            "One or more parameter values were invalid: Type mismatch for Index Key status "
            "Expected: S Actual: N IndexName: by_status", self.ddb.put_item, TableName="gsi",
            Item={"pk": {"S": "bad"}, "sk": {"S": "x"}, "status": {"N": "1"}})

    def test_local_secondary_index(self):
        """An LSI sorts a partition by another attribute; asking for all attributes of a
        KEYS_ONLY LSI fetches them from the table."""
        table(self.ddb, "lsi", range_type="S", defs=[("rank", "N")], LocalSecondaryIndexes=[
            {"IndexName": "by_rank", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                  {"AttributeName": "rank", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}}])
        for sk, rank in [("a", 3), ("b", 1), ("c", 2)]:
            self.ddb.put_item(TableName="lsi", Item={"pk": {"S": "p"}, "sk": {"S": sk},
                                                     "rank": {"N": str(rank)}, "extra": {"S": sk}})
        r = self.ddb.query(TableName="lsi", IndexName="by_rank", KeyConditionExpression="pk = :p",
                           ExpressionAttributeValues={":p": {"S": "p"}})
        self.assertEqual([i["sk"]["S"] for i in r["Items"]], ["b", "c", "a"])
        self.assertNotIn("extra", r["Items"][0])
        r = self.ddb.query(TableName="lsi", IndexName="by_rank", KeyConditionExpression="pk = :p",
                           ExpressionAttributeValues={":p": {"S": "p"}}, Select="ALL_ATTRIBUTES",
                           ConsistentRead=True)
        self.assertEqual(r["Items"][0]["extra"], {"S": "b"})

    def test_gsi_created_later_is_backfilled(self):
        """UpdateTable adding a GSI backfills the items already in the table."""
        table(self.ddb, "later")
        for i in range(300):
            self.ddb.put_item(TableName="later", Item={"pk": {"S": "k%d" % i},
                                                       "color": {"S": "red" if i % 3 else "blue"}})
        self.ddb.update_table(
            TableName="later", AttributeDefinitions=[{"AttributeName": "color", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "by_color", "KeySchema": [{"AttributeName": "color", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}}])
        for _ in range(200):
            gsi = self.ddb.describe_table(TableName="later")["Table"]["GlobalSecondaryIndexes"][0]
            if gsi["IndexStatus"] == "ACTIVE":
                break
            time.sleep(0.05)
        self.assertEqual(gsi["IndexStatus"], "ACTIVE")
        self.assertEqual(gsi["ItemCount"], 300)
        r = self.ddb.query(TableName="later", IndexName="by_color", KeyConditionExpression="color = :c",
                           ExpressionAttributeValues={":c": {"S": "blue"}}, Select="COUNT")
        self.assertEqual(r["Count"], 100)

    def test_one_megabyte_pages(self):
        """A page stops after 1 MB of items read, with a LastEvaluatedKey to go on from."""
        table(self.ddb, "big", range_type="N")
        blob = "x" * (100 * 1024)
        for i in range(25):
            self.ddb.put_item(TableName="big", Item={"pk": {"S": "p"}, "sk": {"N": str(i)},
                                                     "v": {"S": blob}})
        r = self.query("big", "pk = :p", {":p": {"S": "p"}})
        self.assertLess(r["Count"], 25)
        self.assertGreaterEqual(r["Count"], 9)
        self.assertIn("LastEvaluatedKey", r)
        total = r["Count"]
        while "LastEvaluatedKey" in r:
            r = self.query("big", "pk = :p", {":p": {"S": "p"}},
                           ExclusiveStartKey=r["LastEvaluatedKey"])
            total += r["Count"]
        self.assertEqual(total, 25)
        r = self.ddb.scan(TableName="big", Select="COUNT")
        self.assertIn("LastEvaluatedKey", r)

    # --- Scan ---------------------------------------------------------------------------------

    def test_scan_filter_paging_and_segments(self):
        """Scan with a filter, paging through every item once, and parallel segments that split
        the table without overlap."""
        table(self.ddb, "scan")
        for i in range(200):
            self.ddb.put_item(TableName="scan", Item={"pk": {"S": "k%03d" % i}, "n": {"N": str(i)}})
        r = self.ddb.scan(TableName="scan", FilterExpression="n < :ten",
                          ExpressionAttributeValues={":ten": {"N": "10"}})
        self.assertEqual((r["Count"], r["ScannedCount"]), (10, 200))
        seen = []
        for page in self.ddb.get_paginator("scan").paginate(TableName="scan",
                                                            PaginationConfig={"PageSize": 33}):
            seen += [i["pk"]["S"] for i in page["Items"]]
        self.assertEqual(sorted(seen), ["k%03d" % i for i in range(200)])
        segments = []
        for s in range(4):
            keys = []
            r = {"LastEvaluatedKey": None}
            while "LastEvaluatedKey" in r:
                kw = {"ExclusiveStartKey": r["LastEvaluatedKey"]} if r["LastEvaluatedKey"] else {}
                r = self.ddb.scan(TableName="scan", Segment=s, TotalSegments=4, Limit=20, **kw)
                keys += [i["pk"]["S"] for i in r["Items"]]
            segments.append(set(keys))
        self.assertEqual(sum(len(s) for s in segments), 200)
        self.assertEqual(set().union(*segments), set(seen))
        self.assertTrue(all(len(s) > 10 for s in segments), [len(s) for s in segments])
        self.expect_validation(
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
            "Segment: 4 is not less than TotalSegments: 4", self.ddb.scan, TableName="scan",
            Segment=4, TotalSegments=4)
        self.expect_validation(None, self.ddb.scan, TableName="scan", Segment=1)

    # --- batches ------------------------------------------------------------------------------

    def test_batch_write_and_get(self):
        """BatchWriteItem puts and deletes across tables; BatchGetItem returns the items found,
        with projections; nothing is left unprocessed."""
        table(self.ddb, "bata")
        table(self.ddb, "batb", hash_type="N")
        self.ddb.put_item(TableName="bata", Item={"pk": {"S": "old"}})
        r = self.ddb.batch_write_item(RequestItems={
            "bata": [{"PutRequest": {"Item": {"pk": {"S": "a%d" % i}, "v": {"N": str(i)}}}}
                   for i in range(10)] + [{"DeleteRequest": {"Key": {"pk": {"S": "old"}}}}],
            "batb": [{"PutRequest": {"Item": {"pk": {"N": str(i)}, "w": {"S": "x"}}}}
                   for i in range(5)]}, ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["UnprocessedItems"], {})
        self.assertEqual(len(r["ConsumedCapacity"]), 2)
        r = self.ddb.batch_get_item(RequestItems={
            "bata": {"Keys": [{"pk": {"S": "a1"}}, {"pk": {"S": "old"}}, {"pk": {"S": "a9"}}],
                   "ProjectionExpression": "v"},
            "batb": {"Keys": [{"pk": {"N": "4"}}], "ConsistentRead": True}})
        self.assertEqual(sorted(i["v"]["N"] for i in r["Responses"]["bata"]), ["1", "9"])
        self.assertEqual(r["Responses"]["batb"], [{"pk": {"N": "4"}, "w": {"S": "x"}}])
        self.assertEqual(r["UnprocessedKeys"], {})

    def test_batch_limits_and_errors(self):
        """100 keys per BatchGetItem, 25 requests per BatchWriteItem, no duplicate keys, known
        tables only."""
        table(self.ddb, "blim")
        table(self.ddb, "blim2")
        self.expect_validation("Too many items requested for the BatchGetItem call",
                               self.raw.batch_get_item, RequestItems={
                                   "blim": {"Keys": [{"pk": {"S": str(i)}} for i in range(60)]},
                                   "blim2": {"Keys": [{"pk": {"S": str(i)}} for i in range(41)]}})
        self.expect_validation(None, self.raw.batch_write_item, RequestItems={"blim": [
            {"PutRequest": {"Item": {"pk": {"S": str(i)}}}} for i in range(26)]})
        self.expect_validation("Provided list of item keys contains duplicates",
                               self.ddb.batch_get_item, RequestItems={"blim": {"Keys": [
                                   {"pk": {"S": "a"}}, {"pk": {"S": "a"}}]}})
        self.expect_validation("Provided list of item keys contains duplicates",
                               self.ddb.batch_write_item, RequestItems={"blim": [
                                   {"PutRequest": {"Item": {"pk": {"S": "a"}}}},
                                   {"DeleteRequest": {"Key": {"pk": {"S": "a"}}}}]})
        with self.assertRaises(ClientError) as ctx:
            self.ddb.batch_get_item(RequestItems={"nope": {"Keys": [{"pk": {"S": "a"}}]}})
        self.assertAwsError(ctx, "ResourceNotFoundException", 400)
        # A batch that fails validation writes nothing.
        self.expect_validation(None, self.raw.batch_write_item, RequestItems={"blim": [
            {"PutRequest": {"Item": {"pk": {"S": "fine"}}}},
            {"PutRequest": {"Item": {"pk": {"N": "1"}}}}]})
        self.assertNotIn("Item", self.ddb.get_item(TableName="blim", Key={"pk": {"S": "fine"}}))


if __name__ == "__main__":
    unittest.main()
