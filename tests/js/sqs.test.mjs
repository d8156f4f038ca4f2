// SQS through the AWS SDK for JavaScript v3: JSON protocol, the SDK's MD5 checks of bodies on
// send and receive (and the attribute digests, which the SDK does not check, against our own
// computation), batches with per-entry failures, long polling, FIFO, dead-letter queues and their
// redrive, and query-compatible error names.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  SQSClient, CreateQueueCommand, SendMessageCommand, SendMessageBatchCommand,
  ReceiveMessageCommand, DeleteMessageCommand, GetQueueAttributesCommand, GetQueueUrlCommand,
  QueueDoesNotExist, ChangeMessageVisibilityCommand, ListDeadLetterSourceQueuesCommand,
  StartMessageMoveTaskCommand, ListMessageMoveTasksCommand, ResourceNotFoundException,
  DeleteMessageBatchCommand, EmptyBatchRequest, BatchEntryIdsNotDistinct,
} from "@aws-sdk/client-sqs";
import { startNimbus } from "./harness.mjs";
import { md5, md5OfMessageAttributes } from "./sqs-digest.mjs";

let nimbus;
let sqs;
before(async () => {
  nimbus = await startNimbus();
  sqs = new SQSClient(nimbus.config);  // md5 checks are on by default
});
after(async () => { await nimbus.stop(); });

const attrs = {
  text: { DataType: "String", StringValue: "héllo wörld" },
  count: { DataType: "Number", StringValue: "42" },
  blob: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 2, 250]) },
  "foo.bar": { DataType: "String.label", StringValue: "x" },
  "bin.custom": { DataType: "Binary.gif", BinaryValue: new TextEncoder().encode("GIF89a") },
  float: { DataType: "Number.float", StringValue: "-1.5e3" },
};

async function arnOf(QueueUrl) {
  const r = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return r.Attributes.QueueArn;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test("send and receive pass the SDK's MD5 checks", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "js-md5" }));
  const sent = await sqs.send(new SendMessageCommand({
    QueueUrl, MessageBody: "body ✓ 😀", MessageAttributes: attrs }));
  assert.match(sent.MessageId, /^[0-9a-f-]{36}$/);
  assert.equal(sent.MD5OfMessageBody, md5("body ✓ 😀"));
  assert.equal(sent.MD5OfMessageAttributes, md5OfMessageAttributes(attrs));
  const got = await sqs.send(new ReceiveMessageCommand({
    QueueUrl, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] }));
  assert.equal(got.Messages.length, 1);
  const m = got.Messages[0];
  assert.equal(m.Body, "body ✓ 😀");
  assert.equal(m.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
  assert.equal(m.MD5OfBody, md5("body ✓ 😀"));
  assert.equal(m.MD5OfMessageAttributes, md5OfMessageAttributes(m.MessageAttributes));
  assert.deepEqual(Object.keys(m.MessageAttributes).sort(), Object.keys(attrs).sort());
  for (const [name, a] of Object.entries(attrs)) {
    assert.equal(m.MessageAttributes[name].DataType, a.DataType, name);
    if (a.BinaryValue) assert.deepEqual([...m.MessageAttributes[name].BinaryValue], [...a.BinaryValue]);
    else assert.equal(m.MessageAttributes[name].StringValue, a.StringValue, name);
  }
  assert.equal(m.Attributes.ApproximateReceiveCount, "1");
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
});

test("a filtered receive's attribute digest covers what is returned", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "js-filter" }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageAttributes: attrs }));
  const got = await sqs.send(new ReceiveMessageCommand({
    QueueUrl, MessageAttributeNames: ["foo.*", "count"] }));
  const m = got.Messages[0];
  assert.deepEqual(Object.keys(m.MessageAttributes).sort(), ["count", "foo.bar"]);
  assert.equal(m.MD5OfMessageAttributes, md5OfMessageAttributes(m.MessageAttributes));
});

test("batch send passes the per-entry MD5 checks", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "js-batch" }));
  const r = await sqs.send(new SendMessageBatchCommand({
    QueueUrl,
    Entries: Array.from({ length: 10 }, (_, i) => ({
      Id: `e${i}`, MessageBody: `message ${i}`,
      MessageAttributes: { i: { DataType: "Number", StringValue: String(i) } },
    })),
  }));
  assert.equal(r.Successful.length, 10);
  assert.equal(r.Failed?.length ?? 0, 0);
  const got = await sqs.send(new ReceiveMessageCommand({
    QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"] }));
  assert.equal(got.Messages.length, 10);
  const attrsOut = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl, AttributeNames: ["ApproximateNumberOfMessagesNotVisible"] }));
  assert.equal(attrsOut.Attributes.ApproximateNumberOfMessagesNotVisible, "10");
});

test("FIFO order and deduplication", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({
    QueueName: "js.fifo", Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" } }));
  for (const body of ["one", "two", "two", "three"]) {
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body, MessageGroupId: "g" }));
  }
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
  assert.deepEqual(got.Messages.map((m) => m.Body), ["one", "two", "three"]);
});

test("a missing queue is a QueueDoesNotExist with the legacy code", async () => {
  await assert.rejects(
    sqs.send(new GetQueueUrlCommand({ QueueName: "js-missing" })),
    (e) => e instanceof QueueDoesNotExist && e.$metadata.httpStatusCode === 400 &&
      e.Code === "AWS.SimpleQueueService.NonExistentQueue");
});

test("an invalid parameter is named by its query code", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "js-errors" }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" }));
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  await assert.rejects(
    sqs.send(new ChangeMessageVisibilityCommand({
      QueueUrl, ReceiptHandle: got.Messages[0].ReceiptHandle, VisibilityTimeout: 50000 })),
    (e) => e.name === "InvalidParameterValue" && e.$metadata.httpStatusCode === 400);
});

test("a batch with one bad entry sends the others and names the failure", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "js-batch-fail" }));
  const r = await sqs.send(new SendMessageBatchCommand({
    QueueUrl,
    Entries: [
      { Id: "ok1", MessageBody: "first" },
      { Id: "badattr", MessageBody: "x",
        MessageAttributes: { n: { DataType: "Number", StringValue: "not a number" } } },
      { Id: "baddelay", MessageBody: "y", DelaySeconds: 901 },
      { Id: "ok2", MessageBody: "second",
        MessageAttributes: { s: { DataType: "String", StringValue: "v" } } },
    ],
  }));
  assert.deepEqual(r.Successful.map((e) => e.Id), ["ok1", "ok2"]);
  assert.equal(r.Successful[1].MD5OfMessageAttributes,
               md5OfMessageAttributes({ s: { DataType: "String", StringValue: "v" } }));
  assert.deepEqual(r.Failed.map((f) => [f.Id, f.Code, f.SenderFault]),
                   [["badattr", "InvalidParameterValue", true],
                    ["baddelay", "InvalidParameterValue", true]]);
  assert.equal(r.Failed[0].Message,
               "Can't cast the value of message (user) attribute 'n' to a number.");
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
  assert.deepEqual(got.Messages.map((m) => m.Body).sort(), ["first", "second"]);
  const del = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: [
    { Id: "a", ReceiptHandle: got.Messages[0].ReceiptHandle },
    { Id: "b", ReceiptHandle: "not-a-handle" }] }));
  assert.deepEqual(del.Successful.map((e) => e.Id), ["a"]);
  assert.deepEqual(del.Failed.map((f) => [f.Id, f.Code]), [["b", "ReceiptHandleIsInvalid"]]);
});

test("whole-batch errors are the SDK's named exceptions", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "js-batch-errors" }));
  await assert.rejects(
    sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [] })),
    (e) => e instanceof EmptyBatchRequest && e.name === "EmptyBatchRequest" &&
      e.Code === "AWS.SimpleQueueService.EmptyBatchRequest");
  await assert.rejects(
    sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [
      { Id: "x", MessageBody: "1" }, { Id: "x", MessageBody: "2" }] })),
    (e) => e instanceof BatchEntryIdsNotDistinct &&
      e.Code === "AWS.SimpleQueueService.BatchEntryIdsNotDistinct");
});

test("a long poll returns as soon as a message arrives", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "js-long-poll" }));
  const started = Date.now();
  const poll = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
  await sleep(500);
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "wake up" }));
  const got = await poll;
  const elapsed = Date.now() - started;
  assert.equal(got.Messages?.[0]?.Body, "wake up");
  assert.ok(elapsed >= 450 && elapsed < 3000, `returned after ${elapsed} ms`);
});

test("a long poll of an empty queue waits its WaitTimeSeconds and answers no messages", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "js-long-empty" }));
  const started = Date.now();
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
  const elapsed = Date.now() - started;
  assert.equal(got.Messages, undefined);
  assert.ok(elapsed >= 950 && elapsed < 3000, `returned after ${elapsed} ms`);
});

test("FIFO groups: one group's in-flight message holds back its group only", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({
    QueueName: "js-groups.fifo", Attributes: { FifoQueue: "true" } }));
  const sent = [];
  for (const [group, body] of [["a", "a1"], ["a", "a2"], ["b", "b1"], ["b", "b2"]]) {
    const r = await sqs.send(new SendMessageCommand({
      QueueUrl, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: body }));
    sent.push(BigInt(r.SequenceNumber));
  }
  assert.deepEqual([...sent].sort((x, y) => (x < y ? -1 : 1)), sent, "sequence numbers increase");
  const dup = await sqs.send(new SendMessageCommand({
    QueueUrl, MessageBody: "other body", MessageGroupId: "a", MessageDeduplicationId: "a1" }));
  assert.equal(BigInt(dup.SequenceNumber), sent[0], "a duplicate answers the first send");
  const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }));
  assert.equal(first.Messages[0].Body, "a1");
  // a1 is in flight: group a is blocked, b is served in order.
  const next = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10,
                                                          MessageSystemAttributeNames: ["All"] }));
  assert.deepEqual(next.Messages.map((m) => m.Body), ["b1", "b2"]);
  assert.equal(next.Messages[0].Attributes.MessageGroupId, "b");
  assert.equal(next.Messages[0].Attributes.MessageDeduplicationId, "b1");
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first.Messages[0].ReceiptHandle }));
  const rest = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
  assert.deepEqual(rest.Messages.map((m) => m.Body), ["a2"]);
});

test("FIFO sends without a group or deduplication id are refused", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({
    QueueName: "js-strict.fifo", Attributes: { FifoQueue: "true" } }));
  await assert.rejects(
    sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "m", MessageDeduplicationId: "d" })),
    (e) => e.name === "MissingParameter" && e.$metadata.httpStatusCode === 400 &&
      e.message === "The request must contain the parameter MessageGroupId.");
  await assert.rejects(
    sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "m", MessageGroupId: "g" })),
    (e) => e.name === "InvalidParameterValue" &&
      e.message === "The queue should either have ContentBasedDeduplication enabled or " +
        "MessageDeduplicationId provided explicitly");
});

test("over-received messages move to the dead-letter queue and are redriven back", async () => {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: "js-dlq" }));
  const dlqArn = await arnOf(dlq.QueueUrl);
  const src = await sqs.send(new CreateQueueCommand({ QueueName: "js-dlq-source", Attributes: {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) } }));
  const srcArn = await arnOf(src.QueueUrl);
  const sources = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.QueueUrl }));
  assert.deepEqual(sources.queueUrls, [src.QueueUrl]);
  await sqs.send(new SendMessageCommand({ QueueUrl: src.QueueUrl, MessageBody: "poison",
    MessageAttributes: { k: { DataType: "String", StringValue: "v" } } }));
  for (let i = 1; i <= 2; ++i) {
    const r = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: src.QueueUrl, VisibilityTimeout: 0, MessageSystemAttributeNames: ["All"] }));
    assert.equal(r.Messages[0].Attributes.ApproximateReceiveCount, String(i));
  }
  // The third receive finds the count reached: the message goes to the dead-letter queue.
  const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl: src.QueueUrl }));
  assert.equal(third.Messages, undefined);
  const dead = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: dlq.QueueUrl, VisibilityTimeout: 0, MessageAttributeNames: ["All"],
    MessageSystemAttributeNames: ["All"] }));
  const m = dead.Messages[0];
  assert.equal(m.Body, "poison");
  assert.equal(m.Attributes.DeadLetterQueueSourceArn, srcArn);
  assert.equal(m.MessageAttributes.k.StringValue, "v");
  assert.equal(m.MD5OfMessageAttributes, md5OfMessageAttributes(m.MessageAttributes));

  const task = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
  assert.ok(task.TaskHandle);
  let tasks;
  for (let i = 0; i < 50; ++i) {
    tasks = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
    if (tasks.Results[0].Status !== "RUNNING") break;
    await sleep(100);
  }
  assert.equal(tasks.Results[0].Status, "COMPLETED");
  assert.equal(tasks.Results[0].ApproximateNumberOfMessagesMoved, 1);
  assert.equal(tasks.Results[0].ApproximateNumberOfMessagesToMove, 1);
  assert.equal(tasks.Results[0].SourceArn, dlqArn);
  const back = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: src.QueueUrl, MessageSystemAttributeNames: ["All"] }));
  assert.equal(back.Messages[0].Body, "poison");
  assert.equal(back.Messages[0].Attributes.ApproximateReceiveCount, "1");
});

test("a move task needs a dead-letter queue as its source", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "js-not-dlq" }));
  await assert.rejects(
    sqs.send(new StartMessageMoveTaskCommand({ SourceArn: await arnOf(QueueUrl) })),
    (e) => e.name === "InvalidParameterValue" &&
      e.message === "Source queue must be configured as a Dead Letter Queue.");
  await assert.rejects(
    sqs.send(new StartMessageMoveTaskCommand({
      SourceArn: "arn:aws:sqs:us-east-1:000000000000:js-nowhere" })),
    (e) => e instanceof ResourceNotFoundException && e.$metadata.httpStatusCode === 404);
});

test("LocalStack's queue URL forms name the same queue", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "js-url-forms" }));
  assert.equal(QueueUrl, `${nimbus.endpoint}/000000000000/js-url-forms`);
  // With an explicit endpoint the SDK sends to it whatever host the QueueUrl names.
  const forms = [
    "http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/js-url-forms",
    "http://localhost:4566/queue/us-east-1/000000000000/js-url-forms",
    "http://elsewhere.example/000000000000/js-url-forms/",
  ];
  for (const url of forms) {
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: url }));
  }
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
  assert.deepEqual(got.Messages.map((m) => m.Body).sort(), [...forms].sort());
  await assert.rejects(
    sqs.send(new SendMessageCommand({
      QueueUrl: "http://localhost:4566/queue/eu-west-1/000000000000/js-url-forms",
      MessageBody: "x" })),
    (e) => e instanceof QueueDoesNotExist);
  await assert.rejects(
    sqs.send(new SendMessageCommand({ QueueUrl: "http://localhost:4566/js-url-forms",
                                      MessageBody: "x" })),
    (e) => e.name === "InvalidAddress" && e.$metadata.httpStatusCode === 404 &&
      e.message === "The address http://localhost:4566/js-url-forms is not valid for this endpoint.");
});
