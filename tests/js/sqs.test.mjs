// SQS through the AWS SDK for JavaScript v3: JSON protocol, the SDK's MD5 checks of bodies and
// message attributes on send and receive, batches, FIFO, and query-compatible error names.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  SQSClient, CreateQueueCommand, SendMessageCommand, SendMessageBatchCommand,
  ReceiveMessageCommand, DeleteMessageCommand, GetQueueAttributesCommand, GetQueueUrlCommand,
  QueueDoesNotExist, ChangeMessageVisibilityCommand,
} from "@aws-sdk/client-sqs";
import { startNimbus } from "./harness.mjs";

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
};

test("send and receive pass the SDK's MD5 checks", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "js-md5" }));
  const sent = await sqs.send(new SendMessageCommand({
    QueueUrl, MessageBody: "body ✓ 😀", MessageAttributes: attrs }));
  assert.match(sent.MessageId, /^[0-9a-f-]{36}$/);
  const got = await sqs.send(new ReceiveMessageCommand({
    QueueUrl, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] }));
  assert.equal(got.Messages.length, 1);
  const m = got.Messages[0];
  assert.equal(m.Body, "body ✓ 😀");
  assert.equal(m.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
  assert.deepEqual([...m.MessageAttributes.blob.BinaryValue], [0, 1, 2, 250]);
  assert.equal(m.Attributes.ApproximateReceiveCount, "1");
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
});

test("a filtered receive's attribute digest covers what is returned", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "js-filter" }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageAttributes: attrs }));
  const got = await sqs.send(new ReceiveMessageCommand({
    QueueUrl, MessageAttributeNames: ["foo.*", "count"] }));
  assert.deepEqual(Object.keys(got.Messages[0].MessageAttributes).sort(), ["count", "foo.bar"]);
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
