"""DynamoDB control plane: CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable,
tags, TTL settings, DescribeLimits, DescribeEndpoints and the table-exists waiter, answered as
DynamoDB answers them (boto3, plus one AWS CLI flow)."""
import json
import unittest

import botocore.exceptions

from nimbus_harness import NimbusServer, NimbusTestCase

ClientError = botocore.exceptions.ClientError


def hash_table(name, **extra):
    args = dict(TableName=name,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST")
    args.update(extra)
    return args


class DynamoDbTablesTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.ddb = self.client("dynamodb")
        self.raw = self.client("dynamodb", parameter_validation=False)

    def assertValidation(self, ctx, message):
        err = self.assertAwsError(ctx, "ValidationException", 400)
        self.assertEqual(err["Error"]["Message"], message)

    # --- CreateTable / DescribeTable ------------------------------------------------------

    def test_create_hash_table_is_active_and_described(self):
        """CreateTable answers the TableDescription; DescribeTable reports ACTIVE, schema, ARN,
        provisioned throughput and zero counts."""
        r = self.ddb.create_table(
            TableName="users", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 3})
        d = r["TableDescription"]
        self.assertEqual(d["TableName"], "users")
        self.assertEqual(d["TableStatus"], "ACTIVE")
        self.assertEqual(d["TableArn"], "arn:aws:dynamodb:us-east-1:000000000000:table/users")
        t = self.ddb.describe_table(TableName="users")["Table"]
        self.assertEqual(t["KeySchema"], [{"AttributeName": "id", "KeyType": "HASH"}])
        self.assertEqual(t["AttributeDefinitions"], [{"AttributeName": "id", "AttributeType": "S"}])
        self.assertEqual(t["ProvisionedThroughput"]["ReadCapacityUnits"], 5)
        self.assertEqual(t["ProvisionedThroughput"]["WriteCapacityUnits"], 3)
        self.assertEqual(t["ItemCount"], 0)
        self.assertEqual(t["TableSizeBytes"], 0)
        self.assertEqual(len(t["TableId"]), 36)
        self.assertIn("CreationDateTime", t)
        self.assertFalse(t["DeletionProtectionEnabled"])

    def test_create_with_indexes_streams_sse_class_tags(self):
        """LSIs and GSIs (KEYS_ONLY / INCLUDE / ALL), on-demand billing, a stream, SSE, table
        class, tags and deletion protection are all accepted and reported back."""
        self.ddb.create_table(
            TableName="orders",
            KeySchema=[{"AttributeName": "customer", "KeyType": "HASH"},
                       {"AttributeName": "order", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "customer", "AttributeType": "S"},
                                  {"AttributeName": "order", "AttributeType": "N"},
                                  {"AttributeName": "placed", "AttributeType": "S"},
                                  {"AttributeName": "status", "AttributeType": "S"}],
            LocalSecondaryIndexes=[{
                "IndexName": "by_placed",
                "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"},
                              {"AttributeName": "placed", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            GlobalSecondaryIndexes=[
                {"IndexName": "by_status",
                 "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                 "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]}},
                {"IndexName": "by_status_placed",
                 "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"},
                               {"AttributeName": "placed", "KeyType": "RANGE"}],
                 "Projection": {"ProjectionType": "ALL"}}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            SSESpecification={"Enabled": True, "SSEType": "KMS"},
            TableClass="STANDARD_INFREQUENT_ACCESS",
            DeletionProtectionEnabled=True,
            Tags=[{"Key": "team", "Value": "checkout"}])
        t = self.ddb.describe_table(TableName="orders")["Table"]
        self.assertEqual(t["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertEqual(t["ProvisionedThroughput"]["ReadCapacityUnits"], 0)
        lsi = t["LocalSecondaryIndexes"][0]
        self.assertEqual(lsi["IndexName"], "by_placed")
        self.assertEqual(lsi["Projection"], {"ProjectionType": "KEYS_ONLY"})
        self.assertEqual(lsi["IndexArn"],
                         "arn:aws:dynamodb:us-east-1:000000000000:table/orders/index/by_placed")
        gsis = {g["IndexName"]: g for g in t["GlobalSecondaryIndexes"]}
        self.assertEqual(gsis["by_status"]["IndexStatus"], "ACTIVE")
        self.assertEqual(gsis["by_status"]["Projection"]["NonKeyAttributes"], ["total"])
        self.assertEqual(gsis["by_status_placed"]["ItemCount"], 0)
        self.assertEqual(t["StreamSpecification"],
                         {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        self.assertTrue(t["LatestStreamArn"].startswith(t["TableArn"] + "/stream/"))
        self.assertEqual(t["LatestStreamArn"], t["TableArn"] + "/stream/" + t["LatestStreamLabel"])
        self.assertEqual(t["SSEDescription"]["Status"], "ENABLED")
        self.assertEqual(t["SSEDescription"]["SSEType"], "KMS")
        self.assertEqual(t["TableClassSummary"]["TableClass"], "STANDARD_INFREQUENT_ACCESS")
        self.assertTrue(t["DeletionProtectionEnabled"])
        tags = self.ddb.list_tags_of_resource(ResourceArn=t["TableArn"])["Tags"]
        self.assertEqual(tags, [{"Key": "team", "Value": "checkout"}])

    def test_create_existing_table_is_resource_in_use(self):
        """A second CreateTable of the same name: ResourceInUseException 'Table already exists'."""
        self.ddb.create_table(**hash_table("dup"))
        with self.assertRaises(ClientError) as ctx:
            self.ddb.create_table(**hash_table("dup"))
        err = self.assertAwsError(ctx, "ResourceInUseException", 400)
        self.assertEqual(err["Error"]["Message"], "Table already exists: dup")

    def test_create_table_validation_messages(self):
        """CreateTable's ValidationException messages, worded as DynamoDB words them."""
        s = [{"AttributeName": "pk", "KeyType": "HASH"}]
        d = [{"AttributeName": "pk", "AttributeType": "S"}]
        cases = [
            (dict(TableName="abc", KeySchema=s, AttributeDefinitions=d),
             "No provisioned throughput specified for the table"),
            (dict(TableName="abc", KeySchema=s, AttributeDefinitions=d, BillingMode="PROVISIONED"),
             "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits "
             "must both be specified when BillingMode is PROVISIONED"),
            (dict(TableName="abc", KeySchema=s, AttributeDefinitions=d,
                  BillingMode="PAY_PER_REQUEST",
                  ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}),
             "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
             "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"),
            (hash_table("abc", AttributeDefinitions=[{"AttributeName": "x", "AttributeType": "S"}]),
             "One or more parameter values were invalid: Some index key attributes are not "
             "defined in AttributeDefinitions. Keys: [pk], AttributeDefinitions: [x]"),
            (hash_table("abc", KeySchema=[{"AttributeName": "pk", "KeyType": "RANGE"}]),
             "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
            (hash_table("abc", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                          {"AttributeName": "pk", "KeyType": "RANGE"}],
                        AttributeDefinitions=d + [{"AttributeName": "x", "AttributeType": "N"}]),
             "Both the Hash Key and the Range Key element in the KeySchema have the same name"),
            (hash_table("abc", AttributeDefinitions=d + [{"AttributeName": "x",
                                                          "AttributeType": "N"}]),
             "One or more parameter values were invalid: Number of attributes in KeySchema does "
             "not exactly match number of attributes defined in AttributeDefinitions"),
            (hash_table("abc", LocalSecondaryIndexes=[{
                "IndexName": "lsi", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}]),
             "One or more parameter values were invalid: Table KeySchema does not have a range "
             "key, which is required when specifying a LocalSecondaryIndex"),
            (hash_table("ab"),
             "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy "
             "constraint: Member must have length greater than or equal to 3"),
            (hash_table("bad name!"),
             "1 validation error detected: Value 'bad name!' at 'tableName' failed to satisfy "
             "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
        ]
        for args, message in cases:
            with self.subTest(message=message):
                with self.assertRaises(ClientError) as ctx:
                    self.raw.create_table(**args)
                self.assertValidation(ctx, message)

    def test_gsi_validation_messages(self):
        """GSI definitions: undefined keys, INCLUDE without NonKeyAttributes, throughput rules,
        duplicate names."""
        d = [{"AttributeName": "pk", "AttributeType": "S"},
             {"AttributeName": "g", "AttributeType": "S"}]
        gsi = {"IndexName": "gsi", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
               "Projection": {"ProjectionType": "ALL"}}
        with self.assertRaises(ClientError) as ctx:
            self.raw.create_table(**hash_table("abc", AttributeDefinitions=d,
                                               GlobalSecondaryIndexes=[gsi, gsi]))
        self.assertValidation(ctx, "One or more parameter values were invalid: Duplicate index "
                                   "name: gsi")
        with self.assertRaises(ClientError) as ctx:
            self.raw.create_table(**hash_table("abc", AttributeDefinitions=d, GlobalSecondaryIndexes=[
                dict(gsi, Projection={"ProjectionType": "KEYS_ONLY", "NonKeyAttributes": ["x"]})]))
        self.assertValidation(ctx, "One or more parameter values were invalid: ProjectionType is "
                                   "KEYS_ONLY, but NonKeyAttributes is specified")
        with self.assertRaises(ClientError) as ctx:
            self.raw.create_table(
                TableName="abc", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=d, GlobalSecondaryIndexes=[gsi],
                ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
        self.assertValidation(ctx, "One or more parameter values were invalid: "
                                   "ProvisionedThroughput must be specified for index: gsi")

    def test_describe_missing_table_names_it(self):
        """DescribeTable of a missing table: 'Requested resource not found: Table: X not found'."""
        with self.assertRaises(ClientError) as ctx:
            self.ddb.describe_table(TableName="nope")
        err = self.assertAwsError(ctx, "ResourceNotFoundException", 400)
        self.assertEqual(err["Error"]["Message"], "Requested resource not found: Table: nope not found")

    def test_table_name_may_be_an_arn(self):
        """Operations accept the table ARN in TableName."""
        arn = self.ddb.create_table(**hash_table("arnt"))["TableDescription"]["TableArn"]
        self.assertEqual(self.ddb.describe_table(TableName=arn)["Table"]["TableName"], "arnt")

    # --- ListTables / DeleteTable -----------------------------------------------------------

    def test_list_tables_pages_in_name_order(self):
        """ListTables: names in order, Limit, LastEvaluatedTableName, ExclusiveStartTableName."""
        for name in ["t-c", "t-a", "t-e", "t-b", "t-d"]:
            self.ddb.create_table(**hash_table(name))
        r = self.ddb.list_tables(Limit=2)
        self.assertEqual(r["TableNames"], ["t-a", "t-b"])
        self.assertEqual(r["LastEvaluatedTableName"], "t-b")
        r = self.ddb.list_tables(Limit=2, ExclusiveStartTableName="t-b")
        self.assertEqual(r["TableNames"], ["t-c", "t-d"])
        r = self.ddb.list_tables(ExclusiveStartTableName="t-d")
        self.assertEqual(r["TableNames"], ["t-e"])
        self.assertNotIn("LastEvaluatedTableName", r)
        names = []
        for page in self.ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 2}):
            names += page["TableNames"]
        self.assertEqual(names, ["t-a", "t-b", "t-c", "t-d", "t-e"])

    def test_tables_are_per_region(self):
        """Tables live in one account and region: another region does not see them."""
        self.ddb.create_table(**hash_table("regional"))
        other = self.client("dynamodb", region="eu-west-1")
        self.assertEqual(other.list_tables()["TableNames"], [])

    def test_delete_table(self):
        """DeleteTable answers DELETING; the table is gone; deleting again is
        ResourceNotFoundException."""
        self.ddb.create_table(**hash_table("gone"))
        d = self.ddb.delete_table(TableName="gone")["TableDescription"]
        self.assertEqual(d["TableStatus"], "DELETING")
        self.assertEqual(self.ddb.list_tables()["TableNames"], [])
        with self.assertRaises(ClientError) as ctx:
            self.ddb.delete_table(TableName="gone")
        err = self.assertAwsError(ctx, "ResourceNotFoundException", 400)
        self.assertEqual(err["Error"]["Message"], "Requested resource not found: Table: gone not found")

    def test_deletion_protection_blocks_delete_until_disabled(self):
        """With DeletionProtectionEnabled, DeleteTable is ResourceInUseException; UpdateTable
        turns the protection off."""
        self.ddb.create_table(**hash_table("kept", DeletionProtectionEnabled=True))
        with self.assertRaises(ClientError) as ctx:
            self.ddb.delete_table(TableName="kept")
        self.assertAwsError(ctx, "ResourceInUseException", 400)
        self.ddb.update_table(TableName="kept", DeletionProtectionEnabled=False)
        self.ddb.delete_table(TableName="kept")

    # --- UpdateTable ---------------------------------------------------------------------------

    def test_update_billing_and_throughput(self):
        """UpdateTable switches billing modes and changes throughput; the same throughput again
        is a ValidationException."""
        self.ddb.create_table(
            TableName="bill", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
        t = self.ddb.update_table(TableName="bill", ProvisionedThroughput={
            "ReadCapacityUnits": 7, "WriteCapacityUnits": 9})["TableDescription"]
        self.assertEqual(t["ProvisionedThroughput"]["ReadCapacityUnits"], 7)
        with self.assertRaises(ClientError) as ctx:
            self.ddb.update_table(TableName="bill", ProvisionedThroughput={
                "ReadCapacityUnits": 7, "WriteCapacityUnits": 9})
        err = self.assertAwsError(ctx, "ValidationException", 400)
        self.assertTrue(err["Error"]["Message"].startswith(
            "The provisioned throughput for the table will not change."))
        t = self.ddb.update_table(TableName="bill", BillingMode="PAY_PER_REQUEST")["TableDescription"]
        self.assertEqual(t["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        with self.assertRaises(ClientError) as ctx:
            self.ddb.update_table(TableName="bill", ProvisionedThroughput={
                "ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
        self.assertValidation(ctx, "One or more parameter values were invalid: Neither "
                                   "ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                                   "BillingMode is PAY_PER_REQUEST")

    def test_update_streams_class_and_nothing(self):
        """UpdateTable enables a stream (a new LatestStreamArn), changes the table class; an
        UpdateTable that changes nothing is a ValidationException; a missing table is
        ResourceNotFoundException."""
        self.ddb.create_table(**hash_table("upd"))
        t = self.ddb.update_table(TableName="upd", StreamSpecification={
            "StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})["TableDescription"]
        self.assertEqual(t["StreamSpecification"]["StreamViewType"], "KEYS_ONLY")
        self.assertIn("LatestStreamArn", t)
        with self.assertRaises(ClientError) as ctx:
            self.ddb.update_table(TableName="upd", StreamSpecification={
                "StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
        self.assertAwsError(ctx, "ValidationException", 400)
        t = self.ddb.update_table(TableName="upd", TableClass="STANDARD_INFREQUENT_ACCESS")
        self.assertEqual(t["TableDescription"]["TableClassSummary"]["TableClass"],
                         "STANDARD_INFREQUENT_ACCESS")
        with self.assertRaises(ClientError) as ctx:
            self.ddb.update_table(TableName="upd")
        self.assertAwsError(ctx, "ValidationException", 400)
        with self.assertRaises(ClientError) as ctx:
            self.ddb.update_table(TableName="nope", DeletionProtectionEnabled=True)
        self.assertAwsError(ctx, "ResourceNotFoundException", 400)

    def test_update_table_creates_and_deletes_gsi(self):
        """GlobalSecondaryIndexUpdates: Create adds the index (backfilled, then ACTIVE), Delete
        removes it; deleting an unknown index is ResourceNotFoundException."""
        self.ddb.create_table(**hash_table("gsis"))
        t = self.ddb.update_table(
            TableName="gsis",
            AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}}])["TableDescription"]
        self.assertEqual(t["GlobalSecondaryIndexes"][0]["IndexName"], "by_g")
        self.assertIn(t["GlobalSecondaryIndexes"][0]["IndexStatus"], ("CREATING", "ACTIVE"))
        for _ in range(100):
            t = self.ddb.describe_table(TableName="gsis")["Table"]
            if t["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE":
                break
        self.assertEqual(t["GlobalSecondaryIndexes"][0]["IndexStatus"], "ACTIVE")
        self.assertIn({"AttributeName": "g", "AttributeType": "S"}, t["AttributeDefinitions"])
        t = self.ddb.update_table(TableName="gsis", GlobalSecondaryIndexUpdates=[
            {"Delete": {"IndexName": "by_g"}}])["TableDescription"]
        self.assertNotIn("GlobalSecondaryIndexes", t)
        with self.assertRaises(ClientError) as ctx:
            self.ddb.update_table(TableName="gsis", GlobalSecondaryIndexUpdates=[
                {"Delete": {"IndexName": "by_g"}}])
        self.assertAwsError(ctx, "ResourceNotFoundException", 400)

    # --- tags, TTL, limits, endpoints --------------------------------------------------------

    def test_tag_untag_list(self):
        """TagResource adds and overwrites, UntagResource removes, ListTagsOfResource lists; an
        unknown table ARN is ResourceNotFoundException, a malformed one ValidationException."""
        arn = self.ddb.create_table(**hash_table("tagged"))["TableDescription"]["TableArn"]
        self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"},
                                                     {"Key": "b", "Value": "2"}])
        self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "3"}])
        tags = {t["Key"]: t["Value"] for t in self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]}
        self.assertEqual(tags, {"a": "3", "b": "2"})
        self.ddb.untag_resource(ResourceArn=arn, TagKeys=["a"])
        self.assertEqual(self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "b", "Value": "2"}])
        with self.assertRaises(ClientError) as ctx:
            self.ddb.list_tags_of_resource(ResourceArn=arn.replace("tagged", "nope"))
        self.assertAwsError(ctx, "ResourceNotFoundException", 400)
        with self.assertRaises(ClientError) as ctx:
            self.ddb.tag_resource(ResourceArn="not-an-arn", Tags=[{"Key": "a", "Value": "1"}])
        self.assertAwsError(ctx, "ValidationException", 400)

    def test_tag_limit_is_limit_exceeded(self):
        """More than 50 tags on a table: LimitExceededException."""
        arn = self.ddb.create_table(**hash_table("many"))["TableDescription"]["TableArn"]
        with self.assertRaises(ClientError) as ctx:
            self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "k%d" % i, "Value": "v"}
                                                         for i in range(51)])
        self.assertAwsError(ctx, "LimitExceededException", 400)

    def test_time_to_live_settings_are_stored(self):
        """DescribeTimeToLive starts DISABLED; UpdateTimeToLive enables it; enabling twice is a
        ValidationException."""
        self.ddb.create_table(**hash_table("ttl"))
        d = self.ddb.describe_time_to_live(TableName="ttl")["TimeToLiveDescription"]
        self.assertEqual(d, {"TimeToLiveStatus": "DISABLED"})
        r = self.ddb.update_time_to_live(TableName="ttl", TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "expires"})
        self.assertEqual(r["TimeToLiveSpecification"], {"Enabled": True, "AttributeName": "expires"})
        d = self.ddb.describe_time_to_live(TableName="ttl")["TimeToLiveDescription"]
        self.assertEqual(d, {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"})
        with self.assertRaises(ClientError) as ctx:
            self.ddb.update_time_to_live(TableName="ttl", TimeToLiveSpecification={
                "Enabled": True, "AttributeName": "expires"})
        self.assertValidation(ctx, "TimeToLive is already enabled")

    def test_describe_limits_and_endpoints(self):
        """DescribeLimits answers the default account and table limits; DescribeEndpoints
        points back at this server."""
        r = self.ddb.describe_limits()
        self.assertEqual(r["TableMaxReadCapacityUnits"], 40000)
        self.assertEqual(r["AccountMaxWriteCapacityUnits"], 80000)
        e = self.ddb.describe_endpoints()["Endpoints"]
        self.assertEqual(e[0]["Address"], "127.0.0.1:%d" % self.server.port)
        self.assertEqual(e[0]["CachePeriodInMinutes"], 1440)

    # --- waiters, CLI, hostile input ------------------------------------------------------------

    def test_waiter_table_exists(self):
        """boto3's table_exists / table_not_exists waiters finish at once."""
        self.ddb.create_table(**hash_table("waited"))
        self.ddb.get_waiter("table_exists").wait(TableName="waited",
                                                 WaiterConfig={"Delay": 1, "MaxAttempts": 3})
        self.ddb.delete_table(TableName="waited")
        self.ddb.get_waiter("table_not_exists").wait(TableName="waited",
                                                     WaiterConfig={"Delay": 1, "MaxAttempts": 3})

    def test_cli_create_wait_describe_list_delete(self):
        """The AWS CLI flow: create-table, wait table-exists, describe-table, list-tables,
        delete-table."""
        self.server.aws("dynamodb", "create-table", "--table-name", "cli-table",
                        "--attribute-definitions", "AttributeName=id,AttributeType=S",
                        "--key-schema", "AttributeName=id,KeyType=HASH",
                        "--billing-mode", "PAY_PER_REQUEST")
        code, _, err = self.server.aws("dynamodb", "wait", "table-exists",
                                       "--table-name", "cli-table")
        self.assertEqual(code, 0, err)
        _, out, _ = self.server.aws("dynamodb", "describe-table", "--table-name", "cli-table")
        self.assertEqual(out["Table"]["TableStatus"], "ACTIVE")
        _, out, _ = self.server.aws("dynamodb", "list-tables")
        self.assertEqual(out["TableNames"], ["cli-table"])
        self.server.aws("dynamodb", "delete-table", "--table-name", "cli-table")
        code, _, err = self.server.aws("dynamodb", "describe-table", "--table-name", "cli-table",
                                       check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("ResourceNotFoundException", err)

    def test_hostile_control_plane_input_is_a_validation_error(self):
        """Nulls inside lists, missing key schemas and wrong JSON types answer 400s, never 500."""
        def post(body):
            status, _, data = self.server.http(
                "POST", "/", json.dumps(body).encode(),
                {"Content-Type": "application/x-amz-json-1.0",
                 "X-Amz-Target": "DynamoDB_20120810.CreateTable",
                 "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/dynamodb/"
                                  "aws4_request, SignedHeaders=host, Signature=00"})
            return status, json.loads(data)
        for body in [{"TableName": "abc", "KeySchema": [None], "AttributeDefinitions": [],
                      "BillingMode": "PAY_PER_REQUEST"},
                     {"TableName": "abc"},
                     {"TableName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}] * 3,
                      "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
                      "BillingMode": "PAY_PER_REQUEST"},
                     {"TableName": "abc", "KeySchema": "x"},
                     {"TableName": 7}]:
            status, out = post(body)
            self.assertEqual(status, 400, (body, out))
            self.assertIn(out["__type"].split("#")[-1],
                          ("ValidationException", "SerializationException"), out)


class DynamoDbTablePersistenceTest(unittest.TestCase):
    def test_tables_survive_restart(self):
        """Table definitions are durable: they survive a restart and kill -9."""
        server = NimbusServer()
        try:
            server.start()
            server.client("dynamodb").create_table(**hash_table("durable", Tags=[
                {"Key": "k", "Value": "v"}]))
            self.assertEqual(server.stop(), 0)
            server.start()
            ddb = server.client("dynamodb")
            self.assertEqual(ddb.describe_table(TableName="durable")["Table"]["TableStatus"],
                             "ACTIVE")
            ddb.create_table(**hash_table("durable2"))
            server.kill9()
            server.start()
            self.assertEqual(server.client("dynamodb").list_tables()["TableNames"],
                             ["durable", "durable2"])
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
