"""DynamoDB Streams (ListStreams, DescribeStream, GetShardIterator, GetRecords) with every view
type and iterator type, records in commit order per key; and TTL: the sweeper deletes expired
items (stream records marked as service deletions) while reads still see them until then."""
import base64
import json
import threading
import time
import unittest

import botocore.exceptions

from nimbus_harness import NimbusTestCase

ClientError = botocore.exceptions.ClientError


class DynamoDbStreamsTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.ddb = self.client("dynamodb")
        self.streams = self.client("dynamodbstreams")

    def create(self, name, view="NEW_AND_OLD_IMAGES", **extra):
        spec = {"StreamEnabled": True, "StreamViewType": view} if view else {"StreamEnabled": False}
        return self.ddb.create_table(
            TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST", StreamSpecification=spec,
            **extra)["TableDescription"]

    def records(self, arn, iterator_type="TRIM_HORIZON", **kw):
        shard = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        it = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                             ShardIteratorType=iterator_type, **kw)["ShardIterator"]
        return self.streams.get_records(ShardIterator=it)

    def test_insert_modify_remove_records(self):
        """Put, update and delete produce INSERT, MODIFY and REMOVE records, in order, with keys,
        old and new images (binary values intact) and increasing sequence numbers."""
        arn = self.create("events")["LatestStreamArn"]
        self.ddb.put_item(TableName="events", Item={"pk": {"S": "a"}, "v": {"N": "1"},
                                                    "b": {"B": b"\x00\x01"}})
        self.ddb.update_item(TableName="events", Key={"pk": {"S": "a"}},
                             UpdateExpression="SET v = :two", ExpressionAttributeValues={":two": {"N": "2"}})
        self.ddb.delete_item(TableName="events", Key={"pk": {"S": "a"}})
        recs = self.records(arn)["Records"]
        self.assertEqual([r["eventName"] for r in recs], ["INSERT", "MODIFY", "REMOVE"])
        first, second, third = (r["dynamodb"] for r in recs)
        self.assertEqual(first["Keys"], {"pk": {"S": "a"}})
        self.assertEqual(first["NewImage"]["b"], {"B": b"\x00\x01"})
        self.assertNotIn("OldImage", first)
        self.assertEqual(second["OldImage"]["v"], {"N": "1"})
        self.assertEqual(second["NewImage"]["v"], {"N": "2"})
        self.assertNotIn("NewImage", third)
        self.assertEqual(third["OldImage"]["v"], {"N": "2"})
        seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in recs]
        self.assertEqual(seqs, sorted(set(seqs)))
        self.assertEqual(recs[0]["eventSource"], "aws:dynamodb")
        self.assertEqual(recs[0]["awsRegion"], "us-east-1")
        self.assertEqual(first["StreamViewType"], "NEW_AND_OLD_IMAGES")
        self.assertGreater(first["SizeBytes"], 0)

    def test_view_types_and_unchanged_writes(self):
        """KEYS_ONLY records carry only keys, NEW_IMAGE only new images; a write that changes
        nothing leaves no record."""
        keys_arn = self.create("keysonly", view="KEYS_ONLY")["LatestStreamArn"]
        new_arn = self.create("newonly", view="NEW_IMAGE")["LatestStreamArn"]
        for table in ("keysonly", "newonly"):
            self.ddb.put_item(TableName=table, Item={"pk": {"S": "k"}, "v": {"S": "x"}})
            self.ddb.put_item(TableName=table, Item={"pk": {"S": "k"}, "v": {"S": "x"}})
            self.ddb.put_item(TableName=table, Item={"pk": {"S": "k"}, "v": {"S": "y"}})
        recs = self.records(keys_arn)["Records"]
        self.assertEqual([r["eventName"] for r in recs], ["INSERT", "MODIFY"])
        self.assertEqual(set(recs[1]["dynamodb"]), {"ApproximateCreationDateTime", "Keys",
                                                     "SequenceNumber", "SizeBytes", "StreamViewType"})
        recs = self.records(new_arn)["Records"]
        self.assertEqual(recs[1]["dynamodb"]["NewImage"]["v"], {"S": "y"})
        self.assertNotIn("OldImage", recs[1]["dynamodb"])

    def test_list_and_describe_streams(self):
        """ListStreams lists the streams of the account's tables (filtered by table); a table
        without a stream has none; DescribeStream describes the one shard."""
        arn = self.create("withstream")["LatestStreamArn"]
        self.create("nostream", view=None)
        streams = self.streams.list_streams()["Streams"]
        self.assertEqual(streams, [{"StreamArn": arn, "TableName": "withstream",
                                    "StreamLabel": arn.split("/stream/")[1]}])
        self.assertEqual(self.streams.list_streams(TableName="nostream")["Streams"], [])
        d = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]
        self.assertEqual(d["StreamStatus"], "ENABLED")
        self.assertEqual(d["TableName"], "withstream")
        self.assertEqual(d["KeySchema"], [{"AttributeName": "pk", "KeyType": "HASH"}])
        self.assertEqual(len(d["Shards"]), 1)
        self.assertTrue(d["Shards"][0]["ShardId"].startswith("shardId-"))
        with self.assertRaises(ClientError) as ctx:
            self.streams.describe_stream(StreamArn=arn.replace("withstream", "missing"))
        self.assertAwsError(ctx, "ResourceNotFoundException", 400)

    def test_iterator_types_and_paging(self):
        """TRIM_HORIZON, LATEST, AT_ and AFTER_SEQUENCE_NUMBER, Limit and NextShardIterator."""
        arn = self.create("iters")["LatestStreamArn"]
        for i in range(5):
            self.ddb.put_item(TableName="iters", Item={"pk": {"S": "k%d" % i}})
        recs = self.records(arn)["Records"]
        seqs = [r["dynamodb"]["SequenceNumber"] for r in recs]
        self.assertEqual(len(seqs), 5)
        at = self.records(arn, "AT_SEQUENCE_NUMBER", SequenceNumber=seqs[2])["Records"]
        self.assertEqual([r["dynamodb"]["SequenceNumber"] for r in at], seqs[2:])
        after = self.records(arn, "AFTER_SEQUENCE_NUMBER", SequenceNumber=seqs[2])["Records"]
        self.assertEqual([r["dynamodb"]["SequenceNumber"] for r in after], seqs[3:])
        latest = self.records(arn, "LATEST")
        self.assertEqual(latest["Records"], [])
        self.ddb.put_item(TableName="iters", Item={"pk": {"S": "new"}})
        r = self.streams.get_records(ShardIterator=latest["NextShardIterator"])
        self.assertEqual([x["dynamodb"]["Keys"]["pk"]["S"] for x in r["Records"]], ["new"])
        shard = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        it = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        got = []
        for _ in range(4):
            r = self.streams.get_records(ShardIterator=it, Limit=2)
            got += r["Records"]
            it = r["NextShardIterator"]
        self.assertEqual(len(got), 6)

    def test_iterator_errors(self):
        """A malformed iterator is a ValidationException, an expired one
        ExpiredIteratorException, an unknown shard ResourceNotFoundException."""
        arn = self.create("iterr")["LatestStreamArn"]
        with self.assertRaises(ClientError) as ctx:
            self.streams.get_records(ShardIterator="garbage")
        self.assertAwsError(ctx, "ValidationException", 400)
        shard = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        it = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        token = json.loads(base64.b64decode(it))
        token["x"] = 0
        with self.assertRaises(ClientError) as ctx:
            self.streams.get_records(
                ShardIterator=base64.b64encode(json.dumps(token).encode()).decode())
        self.assertAwsError(ctx, "ExpiredIteratorException", 400)
        with self.assertRaises(ClientError) as ctx:
            self.streams.get_shard_iterator(StreamArn=arn, ShardId="shardId-00000000000000000000-00000000",
                                            ShardIteratorType="LATEST")
        self.assertAwsError(ctx, "ResourceNotFoundException", 400)

    def test_records_follow_commit_order_per_key(self):
        """Concurrent updates of one item appear in the stream in the order they committed."""
        arn = self.create("ordered")["LatestStreamArn"]
        self.ddb.put_item(TableName="ordered", Item={"pk": {"S": "k"}, "n": {"N": "0"}})

        def bump():
            c = self.client("dynamodb")
            for _ in range(20):
                c.update_item(TableName="ordered", Key={"pk": {"S": "k"}},
                              UpdateExpression="SET n = n + :one",
                              ExpressionAttributeValues={":one": {"N": "1"}})
        threads = [threading.Thread(target=bump) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        shard = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        it = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        values = []
        while True:
            r = self.streams.get_records(ShardIterator=it)
            if not r["Records"]:
                break
            values += [int(x["dynamodb"]["NewImage"]["n"]["N"]) for x in r["Records"]]
            it = r["NextShardIterator"]
        self.assertEqual(values, list(range(81)))

    def test_batch_and_transaction_writes_are_streamed(self):
        """BatchWriteItem and TransactWriteItems write stream records too."""
        arn = self.create("multi")["LatestStreamArn"]
        self.ddb.batch_write_item(RequestItems={"multi": [
            {"PutRequest": {"Item": {"pk": {"S": "b%d" % i}}}} for i in range(3)]})
        self.ddb.transact_write_items(TransactItems=[
            {"Delete": {"TableName": "multi", "Key": {"pk": {"S": "b0"}}}},
            {"Put": {"TableName": "multi", "Item": {"pk": {"S": "t"}}}}])
        names = [r["eventName"] for r in self.records(arn)["Records"]]
        self.assertEqual(sorted(names), ["INSERT"] * 4 + ["REMOVE"])

    def test_disabling_and_reenabling_makes_a_new_stream(self):
        """UpdateTable disabling the stream stops records; enabling again makes a new stream ARN."""
        first = self.create("toggle")["LatestStreamArn"]
        self.ddb.update_table(TableName="toggle", StreamSpecification={"StreamEnabled": False})
        self.assertEqual(self.streams.list_streams(TableName="toggle")["Streams"], [])
        time.sleep(0.002)
        second = self.ddb.update_table(TableName="toggle", StreamSpecification={
            "StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})["TableDescription"]["LatestStreamArn"]
        self.assertNotEqual(first, second)
        self.ddb.put_item(TableName="toggle", Item={"pk": {"S": "x"}})
        self.assertEqual(len(self.records(second)["Records"]), 1)


class DynamoDbTtlTest(NimbusTestCase):
    def test_sweeper_deletes_expired_items_only(self):
        """With TTL on, the sweeper deletes items whose TTL (epoch seconds) has passed and leaves
        future, non-numeric and more-than-five-years-old TTLs alone; expired items stay readable
        until swept; the REMOVE record is a service deletion."""
        ddb = self.client("dynamodb")
        arn = ddb.create_table(
            TableName="ttl", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "OLD_IMAGE"},
        )["TableDescription"]["LatestStreamArn"]
        ddb.update_time_to_live(TableName="ttl", TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "exp"})
        now = int(time.time())
        items = {"expired": {"N": str(now - 60)}, "future": {"N": str(now + 3600)},
                 "text": {"S": str(now - 60)}, "ancient": {"N": str(now - 6 * 365 * 86400)}}
        for pk, exp in items.items():
            ddb.put_item(TableName="ttl", Item={"pk": {"S": pk}, "exp": exp})
        ddb.put_item(TableName="ttl", Item={"pk": {"S": "none"}})
        self.assertIn("Item", ddb.get_item(TableName="ttl", Key={"pk": {"S": "expired"}}))
        status, _, body = self.server.http("POST", "/_nimbus/dynamodb/ttl/sweep")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body), {"deleted": 1})
        left = sorted(i["pk"]["S"] for i in ddb.scan(TableName="ttl")["Items"])
        self.assertEqual(left, ["ancient", "future", "none", "text"])
        streams = self.client("dynamodbstreams")
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        removes = [r for r in streams.get_records(ShardIterator=it)["Records"]
                   if r["eventName"] == "REMOVE"]
        self.assertEqual(len(removes), 1)
        self.assertEqual(removes[0]["userIdentity"], {"PrincipalId": "dynamodb.amazonaws.com",
                                                      "Type": "Service"})
        self.assertEqual(removes[0]["dynamodb"]["OldImage"]["pk"], {"S": "expired"})


if __name__ == "__main__":
    unittest.main()
