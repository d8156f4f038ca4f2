// SNS through the AWS SDK for JavaScript v3 (query protocol, XML answers) delivering to SQS:
// the notification document, raw delivery turning message attributes into SQS attributes (with
// their MD5 digest), filter policies, PublishBatch, FIFO topics to FIFO queues, and the SDK's
// named errors.
import { test, before, after } from "node:test";
import { createHash } from "node:crypto";
import assert from "node:assert/strict";
import {
  SNSClient, CreateTopicCommand, SubscribeCommand, PublishCommand, PublishBatchCommand,
  GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, GetSubscriptionAttributesCommand,
  NotFoundException, InvalidParameterException,
} from "@aws-sdk/client-sns";
import {
  SQSClient, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand,
  DeleteMessageCommand,
} from "@aws-sdk/client-sqs";
import { startNimbus } from "./harness.mjs";
import { md5OfMessageAttributes } from "./sqs-digest.mjs";

let nimbus;
let sns;
let sqs;
before(async () => {
  nimbus = await startNimbus();
  sns = new SNSClient(nimbus.config);
  sqs = new SQSClient(nimbus.config);  // checks MD5OfBody and MD5OfMessageAttributes
});
after(async () => { await nimbus.stop(); });

async function queue(name, attributes = {}) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name,
                                                               Attributes: attributes }));
  const r = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return { url: QueueUrl, arn: r.Attributes.QueueArn };
}

async function topic(name, attributes) {
  return (await sns.send(new CreateTopicCommand({ Name: name, Attributes: attributes }))).TopicArn;
}

async function subscribe(topicArn, queueArn, attributes) {
  const r = await sns.send(new SubscribeCommand({
    TopicArn: topicArn, Protocol: "sqs", Endpoint: queueArn, Attributes: attributes,
    ReturnSubscriptionArn: true }));
  return r.SubscriptionArn;
}

// Receives until `count` messages arrived or `ms` passed, deleting what it receives.
async function receive(url, count, ms = 5000) {
  const got = [];
  const deadline = Date.now() + ms;
  while (got.length < count && Date.now() < deadline) {
    const r = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
      MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] }));
    for (const m of r.Messages ?? []) {
      got.push(m);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    }
  }
  return got;
}

async function assertEmpty(url) {
  const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
  assert.deepEqual(r.Messages ?? [], []);
}

test("CreateTopic is idempotent and its attributes parse", async () => {
  const arn = await topic("js-topic");
  assert.equal(arn, "arn:aws:sns:us-east-1:000000000000:js-topic");
  assert.equal(await topic("js-topic"), arn);
  const r = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
  assert.equal(r.Attributes.TopicArn, arn);
  assert.equal(r.Attributes.Owner, "000000000000");
  assert.equal(r.Attributes.SubscriptionsConfirmed, "0");
  assert.equal(JSON.parse(r.Attributes.Policy).Version, "2008-10-17");
});

test("Publish delivers SNS's notification document with message attributes", async () => {
  const t = await topic("js-envelope");
  const q = await queue("js-envelope-q");
  const sub = await subscribe(t, q.arn);
  const list = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: t }));
  assert.deepEqual(list.Subscriptions.map((s) => [s.SubscriptionArn, s.Protocol, s.Endpoint]),
                   [[sub, "sqs", q.arn]]);
  const sent = await sns.send(new PublishCommand({
    TopicArn: t, Message: "hello ✓", Subject: "greeting",
    MessageAttributes: {
      s: { DataType: "String", StringValue: "text" },
      n: { DataType: "Number", StringValue: "12.5" },
      b: { DataType: "Binary", BinaryValue: new Uint8Array([0, 255, 7]) },
      a: { DataType: "String.Array", StringValue: '["x", 1, true]' },
    } }));
  assert.match(sent.MessageId, /^[0-9a-f-]{36}$/);
  const [m] = await receive(q.url, 1);
  assert.ok(m, "the notification arrived");
  assert.ok(m.Body.startsWith('{\n  "Type" : "Notification",\n'), m.Body);
  const doc = JSON.parse(m.Body);
  assert.equal(doc.MessageId, sent.MessageId);
  assert.equal(doc.TopicArn, t);
  assert.equal(doc.Subject, "greeting");
  assert.equal(doc.Message, "hello ✓");
  assert.equal(doc.SignatureVersion, "1");
  assert.match(doc.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(doc.UnsubscribeURL.includes(encodeURIComponent(sub)) ||
            doc.UnsubscribeURL.includes(sub));
  assert.deepEqual(doc.MessageAttributes, {
    s: { Type: "String", Value: "text" },
    n: { Type: "Number", Value: "12.5" },
    b: { Type: "Binary", Value: Buffer.from([0, 255, 7]).toString("base64") },
    a: { Type: "String.Array", Value: '["x", 1, true]' },
  });
  // Not raw: the SNS attributes stay inside the document.
  assert.equal(m.MessageAttributes, undefined);
});

test("raw delivery makes message attributes SQS attributes with their digest", async () => {
  const t = await topic("js-raw");
  const q = await queue("js-raw-q");
  const sub = await subscribe(t, q.arn, { RawMessageDelivery: "true" });
  const got = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub }));
  assert.equal(got.Attributes.RawMessageDelivery, "true");
  await sns.send(new PublishCommand({
    TopicArn: t, Message: "raw body é",
    MessageAttributes: {
      s: { DataType: "String", StringValue: "text" },
      n: { DataType: "Number.float", StringValue: "3.25" },
      b: { DataType: "Binary", BinaryValue: new Uint8Array([1, 2, 3]) },
    } }));
  const [m] = await receive(q.url, 1);
  assert.ok(m, "the message arrived");
  assert.equal(m.Body, "raw body é");
  assert.equal(m.MessageAttributes.s.StringValue, "text");
  assert.equal(m.MessageAttributes.n.DataType, "Number.float");
  assert.equal(m.MessageAttributes.n.StringValue, "3.25");
  assert.deepEqual([...m.MessageAttributes.b.BinaryValue], [1, 2, 3]);
  assert.equal(Object.keys(m.MessageAttributes).length, 3);
  assert.equal(m.MD5OfMessageAttributes, md5OfMessageAttributes(m.MessageAttributes));
});

test("a filter policy delivers only the matching messages", async () => {
  const t = await topic("js-filter");
  const q = await queue("js-filter-q");
  await subscribe(t, q.arn, {
    RawMessageDelivery: "true",
    FilterPolicy: JSON.stringify({ color: ["red", { prefix: "bl" }],
                                   size: [{ numeric: [">", 10] }] }) });
  const cases = [
    ["red-big", { color: "red", size: 20 }],
    ["red-small", { color: "red", size: 5 }],
    ["blue-big", { color: "blue", size: 11 }],
    ["green-big", { color: "green", size: 50 }],
    ["no-size", { color: "red" }],
  ];
  for (const [message, a] of cases) {
    const attrs = { color: { DataType: "String", StringValue: a.color } };
    if (a.size !== undefined) attrs.size = { DataType: "Number", StringValue: String(a.size) };
    await sns.send(new PublishCommand({ TopicArn: t, Message: message, MessageAttributes: attrs }));
  }
  const got = await receive(q.url, 2);
  assert.deepEqual(got.map((m) => m.Body), ["red-big", "blue-big"]);
  await new Promise((r) => setTimeout(r, 300));
  await assertEmpty(q.url);
});

test("a MessageBody-scoped filter policy looks into the JSON message", async () => {
  const t = await topic("js-body-filter");
  const q = await queue("js-body-filter-q");
  await subscribe(t, q.arn, {
    RawMessageDelivery: "true", FilterPolicyScope: "MessageBody",
    FilterPolicy: JSON.stringify({ order: { kind: ["refund"] } }) });
  for (const kind of ["sale", "refund"]) {
    await sns.send(new PublishCommand({ TopicArn: t,
                                        Message: JSON.stringify({ order: { kind } }) }));
  }
  const got = await receive(q.url, 1);
  assert.deepEqual(got.map((m) => JSON.parse(m.Body).order.kind), ["refund"]);
});

test("PublishBatch publishes the good entries and fails the bad one alone", async () => {
  const t = await topic("js-batch");
  const q = await queue("js-batch-q");
  await subscribe(t, q.arn, { RawMessageDelivery: "true" });
  const r = await sns.send(new PublishBatchCommand({
    TopicArn: t,
    PublishBatchRequestEntries: [
      { Id: "one", Message: "first",
        MessageAttributes: { k: { DataType: "String", StringValue: "v1" } } },
      { Id: "bad", Message: "x", Subject: "" },
      { Id: "two", Message: "second" },
    ] }));
  assert.deepEqual(r.Successful.map((s) => s.Id), ["one", "two"]);
  for (const s of r.Successful) assert.match(s.MessageId, /^[0-9a-f-]{36}$/);
  assert.equal(r.Failed.length, 1);
  assert.equal(r.Failed[0].Id, "bad");
  assert.equal(r.Failed[0].Code, "InvalidParameter");
  assert.equal(r.Failed[0].SenderFault, true);
  const got = await receive(q.url, 2);
  assert.deepEqual(got.map((m) => m.Body), ["first", "second"]);
  assert.equal(got[0].MessageAttributes.k.StringValue, "v1");
});

test("PublishBatch refuses repeated ids as BatchEntryIdsNotDistinct", async () => {
  const t = await topic("js-batch-ids");
  await assert.rejects(
    sns.send(new PublishBatchCommand({ TopicArn: t, PublishBatchRequestEntries: [
      { Id: "same", Message: "a" }, { Id: "same", Message: "b" }] })),
    (e) => e.name === "BatchEntryIdsNotDistinctException" && e.$metadata.httpStatusCode === 400);
});

test("a FIFO topic delivers to a FIFO queue in order, deduplicated", async () => {
  const t = await topic("js-orders.fifo", { FifoTopic: "true", ContentBasedDeduplication: "true" });
  const q = await queue("js-orders-q.fifo", { FifoQueue: "true" });
  await subscribe(t, q.arn, { RawMessageDelivery: "true" });
  const seqs = [];
  let firstTwo;
  for (const body of ["one", "two", "two", "three"]) {
    const r = await sns.send(new PublishCommand({ TopicArn: t, Message: body,
                                                  MessageGroupId: "g1" }));
    assert.match(r.SequenceNumber, /^\d{20}$/);
    if (body === "two") {
      if (firstTwo) assert.equal(r.MessageId, firstTwo);  // the duplicate answers the first id
      firstTwo = r.MessageId;
    }
    seqs.push(BigInt(r.SequenceNumber));
  }
  assert.ok(seqs[0] < seqs[1] && seqs[1] === seqs[2] && seqs[2] < seqs[3]);
  const got = await receive(q.url, 3);
  assert.deepEqual(got.map((m) => m.Body), ["one", "two", "three"]);
  assert.deepEqual(got.map((m) => m.Attributes.MessageGroupId), ["g1", "g1", "g1"]);
  assert.equal(got[0].Attributes.MessageDeduplicationId,
               createHash("sha256").update("one").digest("hex"));
});

test("a FIFO topic requires MessageGroupId", async () => {
  const t = await topic("js-nogroup.fifo", { FifoTopic: "true", ContentBasedDeduplication: "true" });
  await assert.rejects(
    sns.send(new PublishCommand({ TopicArn: t, Message: "m" })),
    (e) => e instanceof InvalidParameterException && e.name === "InvalidParameterException" &&
      e.$metadata.httpStatusCode === 400);
});

test("publishing to a missing topic is NotFound", async () => {
  await assert.rejects(
    sns.send(new PublishCommand({ TopicArn: "arn:aws:sns:us-east-1:000000000000:js-missing",
                                  Message: "m" })),
    (e) => e instanceof NotFoundException && e.name === "NotFoundException" &&
      e.Code === "NotFound" && e.message === "Topic does not exist" &&
      e.$metadata.httpStatusCode === 404);
});

test("a bad topic name and a bad SQS endpoint are InvalidParameter", async () => {
  await assert.rejects(
    sns.send(new CreateTopicCommand({ Name: "bad name!" })),
    (e) => e instanceof InvalidParameterException && e.Code === "InvalidParameter" &&
      e.message === "Invalid parameter: Topic Name" && e.$metadata.httpStatusCode === 400);
  const t = await topic("js-bad-endpoint");
  await assert.rejects(
    sns.send(new SubscribeCommand({ TopicArn: t, Protocol: "sqs", Endpoint: "not-an-arn" })),
    (e) => e instanceof InvalidParameterException &&
      e.message === "Invalid parameter: SQS endpoint ARN");
});

test("a bad filter policy is InvalidParameter naming the reason", async () => {
  const t = await topic("js-bad-filter");
  const q = await queue("js-bad-filter-q");
  await assert.rejects(
    sns.send(new SubscribeCommand({ TopicArn: t, Protocol: "sqs", Endpoint: q.arn,
                                    Attributes: { FilterPolicy: '{"a": "b"}' } })),
    (e) => e instanceof InvalidParameterException &&
      e.message.startsWith("Invalid parameter: Attributes Reason: "));
});
