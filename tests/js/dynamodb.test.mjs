// DynamoDB through the AWS SDK for JavaScript v3: the low-level client, the DocumentClient's
// marshalling of JS values, paginators, waiters, and errors the SDK turns into named classes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  DynamoDBClient, CreateTableCommand, DescribeTableCommand, ConditionalCheckFailedException,
  TransactionCanceledException, ResourceNotFoundException, waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient, PutCommand, GetCommand, UpdateCommand, DeleteCommand, QueryCommand,
  BatchWriteCommand, BatchGetCommand, TransactWriteCommand, paginateQuery, paginateScan,
} from "@aws-sdk/lib-dynamodb";
import { startNimbus } from "./harness.mjs";

let nimbus, ddb, doc;
before(async () => {
  nimbus = await startNimbus();
  ddb = new DynamoDBClient(nimbus.config);
  doc = DynamoDBDocumentClient.from(ddb, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
  await ddb.send(new CreateTableCommand({
    TableName: "js-orders",
    AttributeDefinitions: [{ AttributeName: "customer", AttributeType: "S" },
                           { AttributeName: "order", AttributeType: "N" },
                           { AttributeName: "status", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "customer", KeyType: "HASH" },
                { AttributeName: "order", KeyType: "RANGE" }],
    GlobalSecondaryIndexes: [{ IndexName: "by-status",
      KeySchema: [{ AttributeName: "status", KeyType: "HASH" }],
      Projection: { ProjectionType: "ALL" } }],
    BillingMode: "PAY_PER_REQUEST",
  }));
  const waited = await waitUntilTableExists({ client: ddb, maxWaitTime: 60 },
                                            { TableName: "js-orders" });
  assert.equal(waited.state, "SUCCESS");
});
after(async () => { await nimbus.stop(); });

test("DocumentClient round-trips every JS value type", async () => {
  const item = {
    customer: "alice", order: 1, status: "open",
    total: 12.5, big: 1234567890123, negative: -0.25, flag: true, nothing: null,
    tags: new Set(["a", "b"]), counts: new Set([1, 2, 3]),
    bytes: new Uint8Array([0, 1, 2, 255]), blobs: new Set([new Uint8Array([9]), new Uint8Array([8])]),
    lines: [{ sku: "x", qty: 2 }, "free text", 3, [true, null]],
    address: { street: "Main", geo: { lat: 1.5, lon: -2 } }, empty: "",
  };
  await doc.send(new PutCommand({ TableName: "js-orders", Item: item }));
  const { Item } = await doc.send(new GetCommand({ TableName: "js-orders",
                                                   Key: { customer: "alice", order: 1 } }));
  assert.equal(Item.total, 12.5);
  assert.equal(Item.big, 1234567890123);
  assert.equal(Item.negative, -0.25);
  assert.equal(Item.flag, true);
  assert.equal(Item.nothing, null);
  assert.deepEqual(Item.tags, new Set(["a", "b"]));
  assert.deepEqual(Item.counts, new Set([1, 2, 3]));
  assert.deepEqual(Item.bytes, new Uint8Array([0, 1, 2, 255]));
  assert.equal(Item.blobs.size, 2);
  assert.deepEqual(Item.lines, [{ sku: "x", qty: 2 }, "free text", 3, [true, null]]);
  assert.deepEqual(Item.address, { street: "Main", geo: { lat: 1.5, lon: -2 } });
  assert.equal(Item.empty, "");
});

test("UpdateExpression with ALL_NEW, list_append, if_not_exists, ADD and REMOVE", async () => {
  await doc.send(new PutCommand({ TableName: "js-orders",
    Item: { customer: "bob", order: 7, status: "open", n: 1, log: ["a"], gone: "x" } }));
  const r = await doc.send(new UpdateCommand({
    TableName: "js-orders", Key: { customer: "bob", order: 7 },
    UpdateExpression: "SET n = n + :one, #log = list_append(#log, :more), " +
                      "created = if_not_exists(created, :now) ADD seen :set REMOVE gone",
    ExpressionAttributeNames: { "#log": "log" },  // LOG is a reserved word
    ExpressionAttributeValues: { ":one": 1, ":more": ["b", "c"], ":now": 100,
                                 ":set": new Set(["x", "y"]) },
    ReturnValues: "ALL_NEW",
  }));
  assert.deepEqual(r.Attributes, { customer: "bob", order: 7, status: "open", n: 2,
    log: ["a", "b", "c"], created: 100, seen: new Set(["x", "y"]) });
});

test("conditional failures are ConditionalCheckFailedException with the item", async () => {
  await doc.send(new PutCommand({ TableName: "js-orders",
    Item: { customer: "carol", order: 1, status: "paid" } }));
  await assert.rejects(
    doc.send(new PutCommand({ TableName: "js-orders",
      Item: { customer: "carol", order: 1, status: "open" },
      ConditionExpression: "attribute_not_exists(customer)",
      ReturnValuesOnConditionCheckFailure: "ALL_OLD" })),
    (e) => {
      assert.ok(e instanceof ConditionalCheckFailedException);
      assert.equal(e.name, "ConditionalCheckFailedException");
      assert.equal(e.$metadata.httpStatusCode, 400);
      assert.equal(e.message, "The conditional request failed");
      assert.deepEqual(e.Item, { customer: { S: "carol" }, order: { N: "1" },
                                 status: { S: "paid" } });
      return true;
    });
  const { Item } = await doc.send(new GetCommand({ TableName: "js-orders",
                                                   Key: { customer: "carol", order: 1 } }));
  assert.equal(Item.status, "paid");
});

test("paginateQuery walks pages in order; the GSI and Select COUNT agree", async () => {
  const items = [];
  for (let i = 0; i < 60; i++)
    items.push({ customer: "dave", order: i, status: i % 3 === 0 ? "shipped" : "open" });
  for (let i = 0; i < items.length; i += 25) {
    const r = await doc.send(new BatchWriteCommand({ RequestItems: {
      "js-orders": items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    assert.deepEqual(r.UnprocessedItems, {});
  }
  const seen = [];
  let pages = 0;
  for await (const page of paginateQuery({ client: doc, pageSize: 7 }, {
    TableName: "js-orders", KeyConditionExpression: "customer = :c AND #o >= :from",
    ExpressionAttributeNames: { "#o": "order" },
    ExpressionAttributeValues: { ":c": "dave", ":from": 10 }, ScanIndexForward: false })) {
    pages++;
    seen.push(...page.Items.map((it) => it.order));
  }
  assert.equal(pages, 8);  // 50 items, 7 per page (the last page is empty of more)
  assert.deepEqual(seen, Array.from({ length: 50 }, (_, k) => 59 - k));
  const shipped = await doc.send(new QueryCommand({ TableName: "js-orders",
    IndexName: "by-status", KeyConditionExpression: "#s = :s",
    FilterExpression: "customer = :c",
    ExpressionAttributeNames: { "#s": "status" },
    ExpressionAttributeValues: { ":s": "shipped", ":c": "dave" }, Select: "COUNT" }));
  assert.equal(shipped.Count, 20);
  let scanned = 0;
  for await (const page of paginateScan({ client: doc, pageSize: 25 },
                                        { TableName: "js-orders", Segment: 0, TotalSegments: 1 }))
    scanned += page.Count;
  assert.ok(scanned >= 60);
});

test("BatchGet, TransactWrite and TransactionCanceledException reasons", async () => {
  await doc.send(new TransactWriteCommand({ TransactItems: [
    { Put: { TableName: "js-orders", Item: { customer: "erin", order: 1, balance: 100 } } },
    { Put: { TableName: "js-orders", Item: { customer: "erin", order: 2, balance: 0 } } },
  ] }));
  const got = await doc.send(new BatchGetCommand({ RequestItems: { "js-orders": {
    Keys: [{ customer: "erin", order: 1 }, { customer: "erin", order: 2 },
           { customer: "nobody", order: 1 }] } } }));
  assert.deepEqual(got.Responses["js-orders"].map((i) => i.balance).sort(), [0, 100]);

  await assert.rejects(doc.send(new TransactWriteCommand({ TransactItems: [
    { Update: { TableName: "js-orders", Key: { customer: "erin", order: 1 },
                UpdateExpression: "SET balance = balance - :amt",
                ConditionExpression: "balance >= :amt",
                ExpressionAttributeValues: { ":amt": 500 } } },
    { Update: { TableName: "js-orders", Key: { customer: "erin", order: 2 },
                UpdateExpression: "SET balance = balance + :amt",
                ExpressionAttributeValues: { ":amt": 500 } } },
  ] })), (e) => {
    assert.ok(e instanceof TransactionCanceledException);
    assert.deepEqual(e.CancellationReasons.map((r) => r.Code),
                     ["ConditionalCheckFailed", "None"]);
    assert.match(e.message, /^Transaction cancelled, please refer cancellation reasons for specific reasons \[ConditionalCheckFailed, None\]$/);
    return true;
  });
  const after = await doc.send(new GetCommand({ TableName: "js-orders",
                                                Key: { customer: "erin", order: 2 } }));
  assert.equal(after.Item.balance, 0);  // nothing of the cancelled transaction applied
});

test("errors: missing table, bad key type, oversized item, reserved word", async () => {
  await assert.rejects(doc.send(new UpdateCommand({ TableName: "js-orders",
    Key: { customer: "zed", order: 1 }, UpdateExpression: "SET log = :v",
    ExpressionAttributeValues: { ":v": 1 } })),
    (e) => e.name === "ValidationException" && e.message ===
      "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: log");
  await assert.rejects(doc.send(new GetCommand({ TableName: "missing", Key: { id: "x" } })),
    (e) => e instanceof ResourceNotFoundException &&
           e.message === "Requested resource not found");
  await assert.rejects(doc.send(new GetCommand({ TableName: "js-orders",
                                                 Key: { customer: "a", order: "not a number" } })),
    (e) => e.name === "ValidationException" &&
           e.message === "The provided key element does not match the schema");
  await assert.rejects(doc.send(new PutCommand({ TableName: "js-orders",
    Item: { customer: "big", order: 1, blob: "x".repeat(400 * 1024) } })),
    (e) => e.name === "ValidationException" &&
           e.message === "Item size has exceeded the maximum allowed size");
  const d = await ddb.send(new DescribeTableCommand({ TableName: "js-orders" }));
  assert.equal(d.Table.TableStatus, "ACTIVE");
  await doc.send(new DeleteCommand({ TableName: "js-orders", Key: { customer: "big", order: 1 } }));
});
