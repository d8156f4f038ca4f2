"""DynamoDB items: PutItem, GetItem, UpdateItem, DeleteItem with condition, update and
projection expressions, return values, capacity, DynamoDB's types and limits, and hostile input
(always a 400, never a 500)."""
import json
import re
import threading
import unittest

import botocore.exceptions

from nimbus_harness import NimbusServer, NimbusTestCase

ClientError = botocore.exceptions.ClientError


def create(ddb, name="items", range_type=None, **extra):
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    defs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if range_type:
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        defs.append({"AttributeName": "sk", "AttributeType": range_type})
    ddb.create_table(TableName=name, KeySchema=keys, AttributeDefinitions=defs,
                     BillingMode="PAY_PER_REQUEST", **extra)


class DynamoDbItemsTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.ddb = self.client("dynamodb")
        self.raw = self.client("dynamodb", parameter_validation=False)
        create(self.ddb)

    def put(self, item, **kw):
        return self.ddb.put_item(TableName="items", Item=item, **kw)

    def get(self, pk, **kw):
        return self.ddb.get_item(TableName="items", Key={"pk": {"S": pk}}, **kw).get("Item")

    def update(self, pk, expr, values=None, names=None, **kw):
        args = dict(TableName="items", Key={"pk": {"S": pk}}, UpdateExpression=expr, **kw)
        if values is not None:
            args["ExpressionAttributeValues"] = values
        if names is not None:
            args["ExpressionAttributeNames"] = names
        return self.ddb.update_item(**args)

    def assertValidation(self, ctx, message=None):
        err = self.assertAwsError(ctx, "ValidationException", 400)
        if message is not None:
            self.assertEqual(err["Error"]["Message"], message)
        return err

    def expect_validation(self, fn, message=None, **kw):
        with self.assertRaises(ClientError) as ctx:
            fn(**kw)
        return self.assertValidation(ctx, message)

    # --- types -------------------------------------------------------------------------------

    def test_every_type_round_trips(self):
        """S, N, B, BOOL, NULL, L, M, SS, NS, BS are stored and returned as given (B as bytes)."""
        item = {"pk": {"S": "all"}, "s": {"S": "text"}, "n": {"N": "42"},
                "b": {"B": b"\x00\xffbytes"}, "t": {"BOOL": True}, "z": {"NULL": True},
                "l": {"L": [{"S": "a"}, {"N": "1"}, {"L": []}]},
                "m": {"M": {"k": {"S": "v"}, "inner": {"M": {}}}},
                "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": [b"\x01", b"\x02"]},
                "empty": {"S": ""}, "emptyb": {"B": b""}}
        self.put(item)
        got = self.get("all")
        self.assertEqual(got["b"], {"B": b"\x00\xffbytes"})
        self.assertEqual(sorted(got["ss"]["SS"]), ["x", "y"])
        self.assertEqual(sorted(got["bs"]["BS"]), [b"\x01", b"\x02"])
        for k in ("s", "n", "t", "z", "l", "m", "empty", "emptyb"):
            self.assertEqual(got[k], item[k], k)

    def test_numbers_come_back_canonical(self):
        """Numbers are exact decimals in canonical form: 1.50 -> 1.5, -0 -> 0, 1e3 -> 1000; 38
        significant digits survive."""
        self.put({"pk": {"S": "n"}, "a": {"N": "1.50"}, "b": {"N": "-0"}, "c": {"N": "1e3"},
                  "d": {"N": "3.1415926535897932384626433832795028841"},
                  "e": {"N": "0.000100"}, "ns": {"NS": ["01", "2.0"]}})
        got = self.get("n")
        self.assertEqual(got["a"], {"N": "1.5"})
        self.assertEqual(got["b"], {"N": "0"})
        self.assertEqual(got["c"], {"N": "1000"})
        self.assertEqual(got["d"], {"N": "3.1415926535897932384626433832795028841"})
        self.assertEqual(got["e"], {"N": "0.0001"})
        self.assertEqual(sorted(got["ns"]["NS"]), ["1", "2"])

    def test_number_limits(self):
        """Numbers beyond 38 digits or the magnitude range are ValidationExceptions with
        DynamoDB's messages."""
        for n, message in [
                ("1e126", "Number overflow. Attempting to store a number with magnitude larger "
                          "than supported range"),
                ("1e-131", "Number underflow. Attempting to store a number with magnitude smaller "
                           "than supported range"),
                ("1.23456789012345678901234567890123456789",
                 "Attempting to store more than 38 significant digits in a Number"),
                ("NaN", "The parameter cannot be converted to a numeric value: NaN"),
                (" 1", "The parameter cannot be converted to a numeric value:  1")]:
            self.expect_validation(self.raw.put_item, message, TableName="items",
                                   Item={"pk": {"S": "x"}, "n": {"N": n}})

    def test_attribute_value_shape_errors(self):
        """An attribute value with no type, two types, an empty or duplicated set, or NULL
        false is rejected as DynamoDB rejects it."""
        cases = [
            ({}, "Supplied AttributeValue is empty, must contain exactly one of the supported "
                 "datatypes"),
            ({"S": "a", "N": "1"}, "Supplied AttributeValue has more than one datatypes set, must "
                                   "contain exactly one of the supported datatypes"),
            ({"SS": []}, "One or more parameter values were invalid: An string set  may not be "
                         "empty"),
            ({"NS": ["1", "1.0"]}, "Input collection contains duplicates"),
            ({"SS": ["a", "a"]}, "One or more parameter values were invalid: Input collection "
                                 "[a, a] contains duplicates."),
            ({"NULL": False}, "One or more parameter values were invalid: Null attribute value "
                              "types must have the value of true"),
        ]
        for value, message in cases:
            with self.subTest(value=value):
                self.expect_validation(self.raw.put_item, message, TableName="items",
                                       Item={"pk": {"S": "x"}, "v": value})

    def test_key_rules(self):
        """Keys: missing or mistyped key attributes, empty key strings, extra key attributes and
        oversized hash keys are ValidationExceptions."""
        self.expect_validation(self.raw.put_item, "One or more parameter values were invalid: "
                               "Missing the key pk in the item", TableName="items",
                               Item={"x": {"S": "a"}})
        self.expect_validation(self.raw.put_item, "One or more parameter values were invalid: "
                               "Type mismatch for key pk expected: S actual: N",
                               TableName="items", Item={"pk": {"N": "1"}})
        self.expect_validation(self.raw.put_item, "One or more parameter values are not valid. "
                               "The AttributeValue for a key attribute cannot contain an empty "
                               "string value. Key: pk", TableName="items", Item={"pk": {"S": ""}})
        for key in [{"pk": {"N": "1"}}, {"pk": {"S": "a"}, "x": {"S": "b"}}, {"x": {"S": "a"}}]:
            self.expect_validation(self.raw.get_item,
                                   "The provided key element does not match the schema",
                                   TableName="items", Key=key)
        self.expect_validation(self.raw.put_item, "One or more parameter values were invalid: "
                               "Size of hashkey has exceeded the maximum size limit of2048 bytes",
                               TableName="items", Item={"pk": {"S": "k" * 2049}})

    def test_item_size_limit_is_400_kb(self):
        """An item just under 400 KB is stored; one over is 'Item size has exceeded the maximum
        allowed size' (PutItem) and 'Item size to update ...' (UpdateItem)."""
        self.put({"pk": {"S": "big"}, "v": {"S": "x" * (400 * 1024 - 10)}})
        self.assertEqual(len(self.get("big")["v"]["S"]), 400 * 1024 - 10)
        self.expect_validation(self.raw.put_item, "Item size has exceeded the maximum allowed size",
                               TableName="items", Item={"pk": {"S": "big"},
                                                        "v": {"S": "x" * (400 * 1024)}})
        self.expect_validation(self.update, "Item size to update has exceeded the maximum "
                               "allowed size", pk="big", expr="SET w = :w",
                               values={":w": {"S": "y" * 100}})

    def test_nesting_deeper_than_32_is_rejected(self):
        """Documents nest up to 32 levels; deeper is a 400."""
        v = {"S": "leaf"}
        for _ in range(31):
            v = {"L": [v]}
        self.put({"pk": {"S": "deep"}, "v": v})
        self.assertEqual(self.get("deep")["v"], v)
        for _ in range(3):
            v = {"M": {"x": v}}
        with self.assertRaises(ClientError) as ctx:
            self.raw.put_item(TableName="items", Item={"pk": {"S": "deep"}, "v": v})
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)

    # --- PutItem / GetItem / DeleteItem -------------------------------------------------------

    def test_put_replaces_get_missing_and_missing_table(self):
        """PutItem replaces the whole item; GetItem of a missing item has no Item; a missing
        table is ResourceNotFoundException 'Requested resource not found'."""
        self.put({"pk": {"S": "a"}, "x": {"S": "1"}})
        self.put({"pk": {"S": "a"}, "y": {"S": "2"}})
        self.assertEqual(self.get("a"), {"pk": {"S": "a"}, "y": {"S": "2"}})
        self.assertIsNone(self.get("none"))
        with self.assertRaises(ClientError) as ctx:
            self.ddb.get_item(TableName="nope", Key={"pk": {"S": "a"}})
        err = self.assertAwsError(ctx, "ResourceNotFoundException", 400)
        self.assertEqual(err["Error"]["Message"], "Requested resource not found")

    def test_return_values_on_put_and_delete(self):
        """PutItem/DeleteItem ReturnValues=ALL_OLD return the replaced item; other values are
        'Return values set to invalid value'."""
        self.assertNotIn("Attributes", self.put({"pk": {"S": "r"}, "v": {"N": "1"}},
                                                ReturnValues="ALL_OLD"))
        r = self.put({"pk": {"S": "r"}, "v": {"N": "2"}}, ReturnValues="ALL_OLD")
        self.assertEqual(r["Attributes"], {"pk": {"S": "r"}, "v": {"N": "1"}})
        self.expect_validation(self.ddb.put_item, "Return values set to invalid value",
                               TableName="items", Item={"pk": {"S": "r"}}, ReturnValues="ALL_NEW")
        r = self.ddb.delete_item(TableName="items", Key={"pk": {"S": "r"}}, ReturnValues="ALL_OLD")
        self.assertEqual(r["Attributes"], {"pk": {"S": "r"}, "v": {"N": "2"}})
        self.assertIsNone(self.get("r"))
        r = self.ddb.delete_item(TableName="items", Key={"pk": {"S": "r"}}, ReturnValues="ALL_OLD")
        self.assertNotIn("Attributes", r)

    def test_conditional_put_and_delete(self):
        """attribute_not_exists makes put-if-absent; a failed condition is
        ConditionalCheckFailedException 'The conditional request failed', carrying the item
        when ReturnValuesOnConditionCheckFailure=ALL_OLD."""
        cond = dict(ConditionExpression="attribute_not_exists(pk)")
        self.put({"pk": {"S": "c"}, "v": {"N": "1"}}, **cond)
        with self.assertRaises(ClientError) as ctx:
            self.put({"pk": {"S": "c"}, "v": {"N": "2"}}, **cond)
        err = self.assertAwsError(ctx, "ConditionalCheckFailedException", 400)
        self.assertEqual(err["Error"]["Message"], "The conditional request failed")
        self.assertNotIn("Item", err)
        with self.assertRaises(ClientError) as ctx:
            self.put({"pk": {"S": "c"}, "v": {"N": "2"}},
                     ReturnValuesOnConditionCheckFailure="ALL_OLD", **cond)
        self.assertEqual(ctx.exception.response["Item"], {"pk": {"S": "c"}, "v": {"N": "1"}})
        with self.assertRaises(ClientError) as ctx:
            self.ddb.delete_item(TableName="items", Key={"pk": {"S": "c"}},
                                 ConditionExpression="v = :two",
                                 ExpressionAttributeValues={":two": {"N": "2"}})
        self.assertAwsError(ctx, "ConditionalCheckFailedException", 400)
        self.ddb.delete_item(TableName="items", Key={"pk": {"S": "c"}},
                             ConditionExpression="v = :one",
                             ExpressionAttributeValues={":one": {"N": "1.0"}})
        self.assertIsNone(self.get("c"))

    def test_every_comparator_and_function(self):
        """=, <>, <, <=, >, >=, BETWEEN, IN, attribute_exists, attribute_not_exists,
        attribute_type, begins_with, contains, size, AND/OR/NOT with precedence."""
        self.put({"pk": {"S": "f"}, "n": {"N": "10"}, "s": {"S": "hello world"},
                  "ss": {"SS": ["red", "blue"]}, "l": {"L": [{"S": "a"}, {"N": "2"}]},
                  "m": {"M": {"deep": {"M": {"x": {"N": "1"}}}}}, "b": {"B": b"\x01\x02\x03"}})
        values = {":5": {"N": "5"}, ":10": {"N": "10"}, ":20": {"N": "20"}, ":hel": {"S": "hel"},
                  ":world": {"S": "world"}, ":red": {"S": "red"}, ":S": {"S": "S"},
                  ":L": {"S": "L"}, ":two": {"N": "2"}, ":b12": {"B": b"\x01\x02"},
                  ":a": {"S": "a"}}
        true = ["n = :10", "n <> :5", "n < :20", "n <= :10", "n > :5", "n >= :10",
                "n BETWEEN :5 AND :10", "n IN (:5, :10)", "attribute_exists(m.deep.x)",
                "attribute_not_exists(nope)", "attribute_type(s, :S)", "attribute_type(l, :L)",
                "begins_with(s, :hel)", "begins_with(b, :b12)", "contains(s, :world)",
                "contains(ss, :red)", "contains(l, :a)", "size(l) = :two", "size(ss) < :5",
                "NOT n = :5", "n = :5 OR n = :10 AND s = :hel OR size(s) > :10",
                "NOT (n = :5 OR n = :20)", "nope <> :5", "l[1] = :two", "(n = :10)"]
        false = ["n = :5", "n BETWEEN :20 AND :20", "n IN (:5)", "attribute_exists(nope)",
                 "attribute_type(s, :L)", "begins_with(s, :world)", "contains(ss, :hel)",
                 "nope = :5", "nope < :5", "n < :hel", "NOT n = :10",
                 "(n = :5 OR n = :10) AND s = :hel"]
        for expr in true + false:
            used = {k: v for k, v in values.items() if k in re.findall(r":\w+", expr)}
            with self.subTest(expr=expr):
                try:
                    self.ddb.put_item(TableName="items", Item={"pk": {"S": "probe"}},
                                      ConditionExpression="attribute_not_exists(pk)")
                    self.ddb.delete_item(TableName="items", Key={"pk": {"S": "probe"}})
                    self.ddb.update_item(TableName="items", Key={"pk": {"S": "f"}},
                                         UpdateExpression="SET touched = :t",
                                         ConditionExpression=expr,
                                         ExpressionAttributeValues=dict(used, **{":t": {"N": "1"}}))
                    outcome = True
                except ClientError as e:
                    self.assertEqual(e.response["Error"]["Code"],
                                     "ConditionalCheckFailedException", e.response)
                    outcome = False
                self.assertEqual(outcome, expr in true)

    # --- UpdateItem ---------------------------------------------------------------------------

    def test_update_set_arithmetic_and_functions(self):
        """SET with + and -, if_not_exists, list_append, nested map and list paths; UpdateItem
        creates the item when missing."""
        v = {":one": {"N": "1"}, ":zero": {"N": "0"}}
        self.update("u", "SET n = if_not_exists(n, :zero) + :one", v)
        one = {":one": {"N": "1"}}
        self.update("u", "SET n = n + :one, m = :m", dict(one, **{":m": {"M": {"a": {"N": "5"}}}}))
        self.update("u", "SET d = n - :one, m.a = m.a - :one, m.b = :one", one)
        self.update("u", "SET l = list_append(if_not_exists(l, :e), :x)",
                    {":e": {"L": []}, ":x": {"L": [{"S": "a"}, {"S": "b"}]}})
        self.update("u", "SET l = list_append(:x, l)", {":x": {"L": [{"S": "z"}]}})
        self.update("u", "SET l[1] = :y", {":y": {"S": "A"}})
        got = self.get("u")
        self.assertEqual(got["n"], {"N": "2"})
        self.assertEqual(got["d"], {"N": "1"})
        self.assertEqual(got["m"], {"M": {"a": {"N": "4"}, "b": {"N": "1"}}})
        self.assertEqual(got["l"], {"L": [{"S": "z"}, {"S": "A"}, {"S": "b"}]})

    def test_update_remove_add_delete(self):
        """REMOVE (attributes, map keys, list indexes), ADD (numbers and sets), DELETE (from
        sets; an emptied set disappears)."""
        self.put({"pk": {"S": "r"}, "a": {"S": "x"}, "l": {"L": [{"N": "0"}, {"N": "1"}, {"N": "2"}]},
                  "m": {"M": {"k": {"S": "v"}, "keep": {"S": "v"}}}, "s": {"SS": ["a", "b"]}})
        self.update("r", "REMOVE a, l[0], l[2], m.k")
        self.update("r", "ADD c :five, s :cd, ns :ns", {":five": {"N": "5"}, ":cd": {"SS": ["c", "d"]},
                                                         ":ns": {"NS": ["1"]}})
        self.update("r", "ADD c :neg DELETE s :ab", {":neg": {"N": "-7"}, ":ab": {"SS": ["a", "b"]}})
        self.update("r", "DELETE ns :ns", {":ns": {"NS": ["1"]}})
        got = self.get("r")
        self.assertNotIn("a", got)
        self.assertNotIn("ns", got)
        self.assertEqual(got["l"], {"L": [{"N": "1"}]})
        self.assertEqual(got["m"], {"M": {"keep": {"S": "v"}}})
        self.assertEqual(got["c"], {"N": "-2"})
        self.assertEqual(sorted(got["s"]["SS"]), ["c", "d"])

    def test_update_return_values(self):
        """ReturnValues NONE / ALL_OLD / UPDATED_OLD / ALL_NEW / UPDATED_NEW."""
        self.put({"pk": {"S": "rv"}, "a": {"N": "1"}, "b": {"N": "1"}})
        v = {":one": {"N": "1"}}
        self.assertNotIn("Attributes", self.update("rv", "SET a = a + :one", v, ReturnValues="NONE"))
        self.assertEqual(self.update("rv", "SET a = a + :one", v, ReturnValues="ALL_OLD")["Attributes"],
                         {"pk": {"S": "rv"}, "a": {"N": "2"}, "b": {"N": "1"}})
        self.assertEqual(self.update("rv", "SET a = a + :one", v,
                                     ReturnValues="UPDATED_OLD")["Attributes"], {"a": {"N": "3"}})
        self.assertEqual(self.update("rv", "SET a = a + :one", v, ReturnValues="ALL_NEW")["Attributes"],
                         {"pk": {"S": "rv"}, "a": {"N": "5"}, "b": {"N": "1"}})
        self.assertEqual(self.update("rv", "SET a = a + :one", v,
                                     ReturnValues="UPDATED_NEW")["Attributes"], {"a": {"N": "6"}})

    def test_update_runtime_errors(self):
        """Runtime update errors: missing operand, wrong type for + / ADD / list_append, invalid
        nested path, key attribute updates."""
        self.put({"pk": {"S": "e"}, "s": {"S": "x"}})
        cases = [
            ("SET a = nope", None,
             "The provided expression refers to an attribute that does not exist in the item"),
            ("SET a = s + :one", {":one": {"N": "1"}},
             "An operand in the update expression has an incorrect data type"),
            ("ADD s :one", {":one": {"N": "1"}},
             "An operand in the update expression has an incorrect data type"),
            ("SET x.y = :one", {":one": {"N": "1"}},
             "The document path provided in the update expression is invalid for update"),
            ("SET pk = :one", {":one": {"S": "1"}},
             "One or more parameter values were invalid: Cannot update attribute pk. This "
             "attribute is part of the key"),
            ("ADD a :s", {":s": {"S": "x"}},
             "Invalid UpdateExpression: Incorrect operand type for operator or function; "
             "operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"),
            ("SET a = :one, a = :one", {":one": {"N": "1"}},
             "Invalid UpdateExpression: Two document paths overlap with each other; must remove "
             "or rewrite one of these paths; path one: [a], path two: [a]"),
            ("SET a = :one SET b = :one", {":one": {"N": "1"}},
             "Invalid UpdateExpression: The \"SET\" section can only be used once in an update "
             "expression;"),
        ]
        for expr, values, message in cases:
            with self.subTest(expr=expr):
                self.expect_validation(self.update, message, pk="e", expr=expr, values=values)
        self.assertEqual(self.get("e"), {"pk": {"S": "e"}, "s": {"S": "x"}})

    def test_expression_attribute_names_and_values_rules(self):
        """Unused names/values, undefined placeholders, values without expressions, reserved
        words and syntax errors are ValidationExceptions worded as DynamoDB's."""
        self.expect_validation(self.update, "Value provided in ExpressionAttributeValues unused in "
                               "expressions: keys: {:x}", pk="a", expr="SET a = :v",
                               values={":v": {"N": "1"}, ":x": {"N": "2"}})
        self.expect_validation(self.update, "Value provided in ExpressionAttributeNames unused in "
                               "expressions: keys: {#b}", pk="a", expr="SET #a = :v",
                               values={":v": {"N": "1"}}, names={"#a": "a", "#b": "b"})
        self.expect_validation(self.update, "Invalid UpdateExpression: An expression attribute "
                               "value used in expression is not defined; attribute value: :w",
                               pk="a", expr="SET a = :w", values={":v": {"N": "1"}})
        self.expect_validation(self.update, "Invalid UpdateExpression: An expression attribute "
                               "name used in the document path is not defined; attribute name: #n",
                               pk="a", expr="SET #n = :v", values={":v": {"N": "1"}})
        self.expect_validation(self.ddb.put_item, "ExpressionAttributeValues can only be specified "
                               "when using expressions: ConditionExpression is null",
                               TableName="items", Item={"pk": {"S": "a"}},
                               ExpressionAttributeValues={":v": {"N": "1"}})
        self.expect_validation(self.update, "Invalid UpdateExpression: Attribute name is a reserved "
                               "keyword; reserved keyword: name", pk="a", expr="SET name = :v",
                               values={":v": {"N": "1"}})
        err = self.expect_validation(self.update, None, pk="a", expr="SET a = ",
                                     values={":v": {"N": "1"}})
        self.assertTrue(err["Error"]["Message"].startswith(
            "Invalid UpdateExpression: Syntax error; token: \"<EOF>\""), err)
        self.expect_validation(self.ddb.update_item, "ExpressionAttributeValues contains invalid "
                               "value: One or more parameter values were invalid: An string set  "
                               "may not be empty for key :v", TableName="items",
                               Key={"pk": {"S": "a"}}, UpdateExpression="SET a = :v",
                               ExpressionAttributeValues={":v": {"SS": []}})

    def test_projection_expression(self):
        """ProjectionExpression selects top-level and nested attributes and list elements."""
        self.put({"pk": {"S": "p"}, "a": {"N": "1"}, "b": {"N": "2"},
                  "m": {"M": {"x": {"N": "1"}, "y": {"N": "2"}}},
                  "l": {"L": [{"S": "0"}, {"S": "1"}, {"S": "2"}]}})
        got = self.get("p", ProjectionExpression="a, m.y, l[2], l[0], #n",
                       ExpressionAttributeNames={"#n": "nothing"})
        self.assertEqual(got, {"a": {"N": "1"}, "m": {"M": {"y": {"N": "2"}}},
                               "l": {"L": [{"S": "0"}, {"S": "2"}]}})
        self.assertEqual(self.get("p", AttributesToGet=["b"]), {"b": {"N": "2"}})
        self.expect_validation(self.ddb.get_item, "Invalid ProjectionExpression: Two document paths "
                               "overlap with each other; must remove or rewrite one of these "
                               "paths; path one: [m], path two: [m, x]", TableName="items",
                               Key={"pk": {"S": "p"}}, ProjectionExpression="m, m.x")

    def test_consumed_capacity_and_item_collection_metrics(self):
        """ReturnConsumedCapacity TOTAL/INDEXES: 1 WCU per KB written, 0.5 RCU per 4 KB read
        eventually consistent (1 consistent)."""
        r = self.put({"pk": {"S": "cap"}, "v": {"S": "x" * 1500}}, ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"]["TableName"], "items")
        self.assertEqual(r["ConsumedCapacity"]["CapacityUnits"], 2.0)
        r = self.ddb.get_item(TableName="items", Key={"pk": {"S": "cap"}},
                              ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"]["CapacityUnits"], 0.5)
        r = self.ddb.get_item(TableName="items", Key={"pk": {"S": "cap"}}, ConsistentRead=True,
                              ReturnConsumedCapacity="INDEXES")
        self.assertEqual(r["ConsumedCapacity"]["CapacityUnits"], 1.0)
        self.assertEqual(r["ConsumedCapacity"]["Table"]["CapacityUnits"], 1.0)

    # --- legacy parameters ----------------------------------------------------------------------

    def test_legacy_parameters_work_alone_and_refuse_mixing(self):
        """Expected, AttributeUpdates and AttributesToGet work; mixed with expressions they are
        'Can not use both expression and non-expression parameters'."""
        self.put({"pk": {"S": "old"}, "v": {"N": "1"}},
                 Expected={"pk": {"Exists": False}})
        with self.assertRaises(ClientError) as ctx:
            self.put({"pk": {"S": "old"}}, Expected={"v": {"Value": {"N": "2"}}})
        self.assertAwsError(ctx, "ConditionalCheckFailedException")
        self.ddb.update_item(TableName="items", Key={"pk": {"S": "old"}},
                             AttributeUpdates={"v": {"Action": "ADD", "Value": {"N": "4"}},
                                               "w": {"Action": "PUT", "Value": {"S": "x"}}},
                             Expected={"v": {"ComparisonOperator": "LT",
                                             "AttributeValueList": [{"N": "3"}]}})
        self.assertEqual(self.get("old"), {"pk": {"S": "old"}, "v": {"N": "5"}, "w": {"S": "x"}})
        self.expect_validation(
            self.ddb.put_item, "Can not use both expression and non-expression parameters in the "
            "same request: Non-expression parameters: {Expected} Expression parameters: "
            "{ConditionExpression}", TableName="items", Item={"pk": {"S": "old"}},
            Expected={"pk": {"Exists": False}}, ConditionExpression="attribute_not_exists(pk)")

    # --- tables and concurrency -------------------------------------------------------------------

    def test_recreated_table_sees_no_stale_items(self):
        """DeleteTable then CreateTable of the same name starts empty."""
        self.put({"pk": {"S": "stale"}})
        self.ddb.delete_table(TableName="items")
        create(self.ddb)
        self.assertIsNone(self.get("stale"))
        self.assertEqual(self.ddb.describe_table(TableName="items")["Table"]["ItemCount"], 0)

    def test_concurrent_increments_are_atomic(self):
        """UpdateItem read-modify-write is atomic per item: parallel increments lose nothing, and
        parallel put-if-absent admits exactly one writer."""
        self.put({"pk": {"S": "ctr"}, "n": {"N": "0"}})
        errors = []
        winners = []

        def work(i):
            client = self.client("dynamodb")
            try:
                for _ in range(25):
                    client.update_item(TableName="items", Key={"pk": {"S": "ctr"}},
                                       UpdateExpression="SET n = n + :one",
                                       ExpressionAttributeValues={":one": {"N": "1"}})
                try:
                    client.put_item(TableName="items", Item={"pk": {"S": "once"}, "w": {"N": str(i)}},
                                    ConditionExpression="attribute_not_exists(pk)")
                    winners.append(i)
                except ClientError as e:
                    if e.response["Error"]["Code"] != "ConditionalCheckFailedException":
                        raise
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(self.get("ctr")["n"], {"N": "200"})
        self.assertEqual(len(winners), 1)

    def test_hostile_item_input_is_always_a_400(self):
        """Malformed expressions, type mismatches and broken attribute values answer 400s."""
        def post(target, body):
            status, _, data = self.server.http(
                "POST", "/", json.dumps(body).encode(),
                {"Content-Type": "application/x-amz-json-1.0",
                 "X-Amz-Target": "DynamoDB_20120810." + target,
                 "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/dynamodb/"
                                  "aws4_request, SignedHeaders=host, Signature=00"})
            return status, json.loads(data)
        bodies = [
            ("PutItem", {"TableName": "items", "Item": {"pk": {"S": "a"}, "v": None}}),
            ("PutItem", {"TableName": "items", "Item": {"pk": {"S": "a"}, "v": {"L": [None]}}}),
            ("PutItem", {"TableName": "items", "Item": {"pk": {"S": "a"}, "v": {"SS": [None]}}}),
            ("PutItem", {"TableName": "items", "Item": {"pk": {"S": "a"}, "v": {"Q": "x"}}}),
            ("PutItem", {"TableName": "items", "Item": {"pk": {"S": "a"}, "v": {"M": []}}}),
            ("PutItem", {"TableName": "items", "Item": []}),
            ("GetItem", {"TableName": "items", "Key": {"pk": {}}}),
            ("GetItem", {"TableName": "items", "Key": {"pk": {"S": "a"}},
                         "ProjectionExpression": "a[", "ExpressionAttributeNames": {"a": "b"}}),
            ("UpdateItem", {"TableName": "items", "Key": {"pk": {"S": "a"}},
                            "UpdateExpression": "SET a = :v", "ExpressionAttributeValues":
                                {":v": {"N": "1e999999999999999999999"}}}),
            ("UpdateItem", {"TableName": "items", "Key": {"pk": {"S": "a"}},
                            "UpdateExpression": "SET a[99999999999999] = :v",
                            "ExpressionAttributeValues": {":v": {"N": "1"}}}),
            ("UpdateItem", {"TableName": "items", "Key": {"pk": {"S": "a"}},
                            "UpdateExpression": "SET " + "(" * 500 + "a"}),
            ("DeleteItem", {"TableName": "items", "Key": {"pk": {"S": "a"}},
                            "ConditionExpression": "a = :v", "ExpressionAttributeValues": {":v": {}}}),
            ("DeleteItem", {"TableName": "items", "Key": {"pk": {"S": "a"}},
                            "ConditionExpression": "size(:v) > :v",
                            "ExpressionAttributeValues": {":v": {"N": "1"}}}),
            ("PutItem", {"TableName": "items", "Item": {"pk": {"S": "a"}},
                         "ConditionExpression": "a = :v", "ExpressionAttributeValues": []}),
        ]
        for target, body in bodies:
            with self.subTest(body=body):
                status, out = post(target, body)
                self.assertEqual(status, 400, out)
                self.assertIn(out["__type"].split("#")[-1],
                              ("ValidationException", "SerializationException"), out)


class DynamoDbItemDurabilityTest(unittest.TestCase):
    def test_items_survive_kill_9(self):
        """An acknowledged PutItem survives kill -9."""
        server = NimbusServer()
        try:
            server.start()
            ddb = server.client("dynamodb")
            create(ddb)
            for i in range(50):
                ddb.put_item(TableName="items", Item={"pk": {"S": "k%d" % i}, "v": {"N": str(i)}})
            server.kill9()
            server.start()
            ddb = server.client("dynamodb")
            got = ddb.get_item(TableName="items", Key={"pk": {"S": "k49"}})["Item"]
            self.assertEqual(got["v"], {"N": "49"})
            self.assertEqual(ddb.describe_table(TableName="items")["Table"]["ItemCount"], 50)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
