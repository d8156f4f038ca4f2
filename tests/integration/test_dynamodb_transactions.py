"""DynamoDB transactions: TransactWriteItems (ConditionCheck/Put/Update/Delete, all or nothing,
CancellationReasons, client-token idempotency) and TransactGetItems, atomic and isolated under
concurrent load."""
import random
import threading
import unittest

import botocore.exceptions

from nimbus_harness import NimbusTestCase

ClientError = botocore.exceptions.ClientError


def create(ddb, name):
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")


def key(pk):
    return {"pk": {"S": pk}}


class DynamoDbTransactionsTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.ddb = self.client("dynamodb")
        create(self.ddb, "acct")
        create(self.ddb, "audit")

    def get(self, table, pk):
        return self.ddb.get_item(TableName=table, Key=key(pk), ConsistentRead=True).get("Item")

    def test_write_transaction_applies_every_action(self):
        """Put, Update, Delete and ConditionCheck across tables commit together."""
        self.ddb.put_item(TableName="acct", Item={"pk": {"S": "a"}, "bal": {"N": "10"}})
        self.ddb.put_item(TableName="acct", Item={"pk": {"S": "old"}})
        self.ddb.put_item(TableName="audit", Item={"pk": {"S": "lock"}, "open": {"BOOL": True}})
        self.ddb.transact_write_items(TransactItems=[
            {"ConditionCheck": {"TableName": "audit", "Key": key("lock"),
                                "ConditionExpression": "#o = :t",
                                "ExpressionAttributeNames": {"#o": "open"},
                                "ExpressionAttributeValues": {":t": {"BOOL": True}}}},
            {"Update": {"TableName": "acct", "Key": key("a"), "UpdateExpression": "SET bal = bal - :n",
                        "ConditionExpression": "bal >= :n",
                        "ExpressionAttributeValues": {":n": {"N": "4"}}}},
            {"Put": {"TableName": "acct", "Item": {"pk": {"S": "b"}, "bal": {"N": "4"}},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Delete": {"TableName": "acct", "Key": key("old")}},
        ])
        self.assertEqual(self.get("acct", "a")["bal"], {"N": "6"})
        self.assertEqual(self.get("acct", "b")["bal"], {"N": "4"})
        self.assertIsNone(self.get("acct", "old"))

    def test_failed_condition_cancels_everything(self):
        """One failed condition cancels the whole transaction: TransactionCanceledException with
        a reason per action (None / ConditionalCheckFailed, with the item when asked) and
        nothing written."""
        self.ddb.put_item(TableName="acct", Item={"pk": {"S": "a"}, "bal": {"N": "1"}})
        with self.assertRaises(ClientError) as ctx:
            self.ddb.transact_write_items(TransactItems=[
                {"Put": {"TableName": "acct", "Item": {"pk": {"S": "new"}}}},
                {"Update": {"TableName": "acct", "Key": key("a"),
                            "UpdateExpression": "SET bal = bal - :n",
                            "ConditionExpression": "bal >= :n",
                            "ExpressionAttributeValues": {":n": {"N": "5"}},
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}])
        err = self.assertAwsError(ctx, "TransactionCanceledException", 400)
        self.assertEqual(err["Error"]["Message"],
                         "Transaction cancelled, please refer cancellation reasons for specific "
                         "reasons [None, ConditionalCheckFailed]")
        reasons = err["CancellationReasons"]
        self.assertEqual(reasons[0], {"Code": "None"})
        self.assertEqual(reasons[1]["Code"], "ConditionalCheckFailed")
        self.assertEqual(reasons[1]["Message"], "The conditional request failed")
        self.assertEqual(reasons[1]["Item"], {"pk": {"S": "a"}, "bal": {"N": "1"}})
        self.assertIsNone(self.get("acct", "new"))
        self.assertEqual(self.get("acct", "a")["bal"], {"N": "1"})

    def test_update_error_inside_a_transaction_cancels_it(self):
        """An update that cannot apply (wrong operand type) cancels with a ValidationError
        reason."""
        self.ddb.put_item(TableName="acct", Item={"pk": {"S": "s"}, "v": {"S": "text"}})
        with self.assertRaises(ClientError) as ctx:
            self.ddb.transact_write_items(TransactItems=[
                {"Update": {"TableName": "acct", "Key": key("s"), "UpdateExpression": "ADD v :n",
                            "ExpressionAttributeValues": {":n": {"N": "1"}}}}])
        err = self.assertAwsError(ctx, "TransactionCanceledException", 400)
        self.assertEqual(err["CancellationReasons"][0]["Code"], "ValidationError")

    def test_validation_errors(self):
        """Two actions on one item, unknown tables, and more than 100 actions are refused
        before anything runs."""
        with self.assertRaises(ClientError) as ctx:
            self.ddb.transact_write_items(TransactItems=[
                {"Put": {"TableName": "acct", "Item": {"pk": {"S": "x"}}}},
                {"Delete": {"TableName": "acct", "Key": key("x")}}])
        err = self.assertAwsError(ctx, "ValidationException", 400)
        self.assertEqual(err["Error"]["Message"],
                         "Transaction request cannot include multiple operations on one item")
        with self.assertRaises(ClientError) as ctx:
            self.ddb.transact_write_items(TransactItems=[
                {"Put": {"TableName": "nope", "Item": {"pk": {"S": "x"}}}}])
        self.assertAwsError(ctx, "ResourceNotFoundException", 400)
        raw = self.client("dynamodb", parameter_validation=False)
        with self.assertRaises(ClientError) as ctx:
            raw.transact_write_items(TransactItems=[
                {"Put": {"TableName": "acct", "Item": {"pk": {"S": "x%d" % i}}}} for i in range(101)])
        self.assertAwsError(ctx, "ValidationException", 400)
        self.ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": "acct", "Item": {"pk": {"S": "x%d" % i}}}} for i in range(100)])
        self.assertEqual(self.ddb.scan(TableName="acct", Select="COUNT")["Count"], 100)

    def test_client_request_token_is_idempotent(self):
        """A retry with the same ClientRequestToken succeeds without applying twice; the same
        token with other parameters is IdempotentParameterMismatchException."""
        items = [{"Update": {"TableName": "acct", "Key": key("ctr"), "UpdateExpression": "ADD n :one",
                             "ExpressionAttributeValues": {":one": {"N": "1"}}}}]
        self.ddb.transact_write_items(TransactItems=items, ClientRequestToken="tok-1")
        self.ddb.transact_write_items(TransactItems=items, ClientRequestToken="tok-1")
        self.assertEqual(self.get("acct", "ctr")["n"], {"N": "1"})
        items[0]["Update"]["ExpressionAttributeValues"][":one"] = {"N": "2"}
        with self.assertRaises(ClientError) as ctx:
            self.ddb.transact_write_items(TransactItems=items, ClientRequestToken="tok-1")
        self.assertAwsError(ctx, "IdempotentParameterMismatchException", 400)
        self.ddb.transact_write_items(TransactItems=items, ClientRequestToken="tok-2")
        self.assertEqual(self.get("acct", "ctr")["n"], {"N": "3"})

    def test_transact_get_items(self):
        """TransactGetItems answers one response per Get, in order, empty for missing items,
        with projections."""
        self.ddb.put_item(TableName="acct", Item={"pk": {"S": "a"}, "x": {"N": "1"}, "y": {"N": "2"}})
        self.ddb.put_item(TableName="audit", Item={"pk": {"S": "b"}})
        r = self.ddb.transact_get_items(TransactItems=[
            {"Get": {"TableName": "acct", "Key": key("a"), "ProjectionExpression": "y"}},
            {"Get": {"TableName": "acct", "Key": key("missing")}},
            {"Get": {"TableName": "audit", "Key": key("b")}}], ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["Responses"], [{"Item": {"y": {"N": "2"}}}, {}, {"Item": key("b")}])
        self.assertEqual(len(r["ConsumedCapacity"]), 2)

    def test_transfers_under_concurrent_load_conserve_the_total(self):
        """Many threads move money between accounts with conditional transactions while others
        read all accounts in one TransactGetItems: no read ever sees money created or lost, no
        balance goes negative, and the final total is the initial one."""
        accounts = ["acc%d" % i for i in range(6)]
        self.ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": "acct", "Item": {"pk": {"S": a}, "bal": {"N": "50"}}}}
            for a in accounts])
        total = 50 * len(accounts)
        problems = []
        stop = threading.Event()

        def mover(seed):
            rng = random.Random(seed)
            client = self.client("dynamodb")
            for _ in range(40):
                src, dst = rng.sample(accounts, 2)
                n = str(rng.randint(1, 20))
                try:
                    client.transact_write_items(TransactItems=[
                        {"Update": {"TableName": "acct", "Key": key(src),
                                    "UpdateExpression": "SET bal = bal - :n",
                                    "ConditionExpression": "bal >= :n",
                                    "ExpressionAttributeValues": {":n": {"N": n}}}},
                        {"Update": {"TableName": "acct", "Key": key(dst),
                                    "UpdateExpression": "SET bal = bal + :n",
                                    "ExpressionAttributeValues": {":n": {"N": n}}}}])
                except ClientError as e:
                    if e.response["Error"]["Code"] != "TransactionCanceledException":
                        problems.append(e.response["Error"])

        def auditor():
            client = self.client("dynamodb")
            while not stop.is_set():
                r = client.transact_get_items(TransactItems=[
                    {"Get": {"TableName": "acct", "Key": key(a)}} for a in accounts])
                balances = [int(x["Item"]["bal"]["N"]) for x in r["Responses"]]
                if sum(balances) != total or min(balances) < 0:
                    problems.append(balances)

        movers = [threading.Thread(target=mover, args=(i,)) for i in range(6)]
        auditors = [threading.Thread(target=auditor) for _ in range(2)]
        for t in movers + auditors:
            t.start()
        for t in movers:
            t.join()
        stop.set()
        for t in auditors:
            t.join()
        self.assertEqual(problems, [])
        final = [int(self.get("acct", a)["bal"]["N"]) for a in accounts]
        self.assertEqual(sum(final), total)


if __name__ == "__main__":
    unittest.main()
