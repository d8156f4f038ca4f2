"""Lambda event source mappings for SQS queues and DynamoDB streams (developer guide, "Using
Lambda with Amazon SQS", "Using AWS Lambda with Amazon DynamoDB", "Lambda event filtering";
API reference, CreateEventSourceMapping): the control plane's fields, defaults, states and
errors, and the pollers end to end. The functions forward each event they get to a "sink"
queue with boto3 (the interpreter's own, as on AWS), where the test reads it."""
import json
import re
import time
import unittest

import botocore.exceptions

from nimbus_harness import NimbusServer
from test_lambda_support import PYTHON_RUNTIME, ROLE, LambdaTestCase, make_zip

ACCOUNT = "000000000000"
FN_ARN = "arn:aws:lambda:us-east-1:%s:function:" % ACCOUNT
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# Forwards the event to $SINK; MODE picks how it answers: "ok", "fail" (always raises),
# "partial" (reports the records whose body contains "bad" as failed), "poison" (raises when a
# stream record's NewImage has id "poison").
RECORDER = """
import json, os
import boto3

sqs = boto3.client("sqs")

def handler(event, context):
    sqs.send_message(QueueUrl=os.environ["SINK"], MessageBody=json.dumps(event))
    mode = os.environ.get("MODE", "ok")
    records = event["Records"]
    if mode == "fail":
        raise RuntimeError("failing on purpose")
    if mode == "partial":
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]}
                                      for r in records if "bad" in r["body"]]}
    if mode == "poison":
        for r in records:
            if r["dynamodb"].get("NewImage", {}).get("id", {}).get("S") == "poison":
                raise RuntimeError("poison record")
    return "ok"
"""


class EsmTestCase(LambdaTestCase):
    def setUp(self):
        super().setUp()
        self.sqs = self.client("sqs")
        self.ddb = self.client("dynamodb")

    def queue(self, name, **attributes):
        url = self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        return url, arn

    def recorder(self, name, mode="ok"):
        sink, _ = self.queue(name + "-sink")
        self.create(name, {"app.py": RECORDER}, "app.handler", Timeout=30,
                    Environment={"Variables": {"SINK": sink, "MODE": mode}})
        return sink

    def events(self, sink, count, timeout=30):
        """The first `count` events the function forwarded to `sink` (fails if fewer come)."""
        out = []
        deadline = time.time() + timeout
        while len(out) < count and time.time() < deadline:
            for m in self.sqs.receive_message(QueueUrl=sink, WaitTimeSeconds=1,
                                              MaxNumberOfMessages=10).get("Messages", []):
                out.append(json.loads(m["Body"]))
                self.sqs.delete_message(QueueUrl=sink, ReceiptHandle=m["ReceiptHandle"])
        self.assertGreaterEqual(len(out), count, out)
        return out

    def no_events(self, sink, seconds):
        msgs = self.sqs.receive_message(QueueUrl=sink, WaitTimeSeconds=seconds).get(
            "Messages", [])
        self.assertEqual(msgs, [])

    def counts(self, url):
        a = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        return int(a["ApproximateNumberOfMessages"]), int(a["ApproximateNumberOfMessagesNotVisible"])

    def wait_drained(self, url, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline and self.counts(url) != (0, 0):
            time.sleep(0.2)
        self.assertEqual(self.counts(url), (0, 0))

    def table_with_stream(self, name, view="NEW_AND_OLD_IMAGES"):
        t = self.ddb.create_table(
            TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
        return t["TableDescription"]["LatestStreamArn"]

    def error(self, code, status, call, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            call(**kw)
        return self.assertAwsError(ctx, code, status)["Error"]["Message"]


class ControlPlaneTest(EsmTestCase):
    def test_sqs_mapping_fields_and_states(self):
        """Create answers State Creating with the SQS defaults; the mapping is then Enabled;
        an update that disables answers Disabling; delete answers Deleting, then it is gone."""
        _, arn = self.queue("src")
        self.recorder("fn")
        m = self.lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="fn")
        self.assertEqual(m["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.assertRegex(m["UUID"], UUID)
        expected = {"UUID": m["UUID"], "BatchSize": 10, "MaximumBatchingWindowInSeconds": 0,
                    "EventSourceArn": arn, "FunctionArn": FN_ARN + "fn", "State": "Creating",
                    "StateTransitionReason": "USER_INITIATED", "FunctionResponseTypes": [],
                    "EventSourceMappingArn": "arn:aws:lambda:us-east-1:%s:event-source-mapping:%s"
                                             % (ACCOUNT, m["UUID"])}
        got = {k: v for k, v in m.items() if k not in ("ResponseMetadata", "LastModified")}
        self.assertEqual(got, expected)
        self.assertLess(abs(m["LastModified"].timestamp() - time.time()), 60)
        g = self.lam.get_event_source_mapping(UUID=m["UUID"])
        self.assertEqual(g["State"], "Enabled")
        self.assertNotIn("StartingPosition", g)
        u = self.lam.update_event_source_mapping(UUID=m["UUID"], Enabled=False, BatchSize=5,
                                                 FunctionResponseTypes=["ReportBatchItemFailures"])
        self.assertEqual(u["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.assertEqual((u["State"], u["BatchSize"], u["FunctionResponseTypes"]),
                         ("Disabling", 5, ["ReportBatchItemFailures"]))
        self.assertEqual(self.lam.get_event_source_mapping(UUID=m["UUID"])["State"], "Disabled")
        u = self.lam.update_event_source_mapping(UUID=m["UUID"], Enabled=True)
        self.assertEqual(u["State"], "Enabling")
        u = self.lam.update_event_source_mapping(UUID=m["UUID"], BatchSize=7)
        self.assertEqual((u["State"], u["BatchSize"]), ("Updating", 7))
        d = self.lam.delete_event_source_mapping(UUID=m["UUID"])
        self.assertEqual((d["ResponseMetadata"]["HTTPStatusCode"], d["State"], d["UUID"]),
                         (202, "Deleting", m["UUID"]))
        for call in (self.lam.get_event_source_mapping, self.lam.delete_event_source_mapping,
                     self.lam.update_event_source_mapping):
            msg = self.error("ResourceNotFoundException", 404, call, UUID=m["UUID"])
            self.assertEqual(msg, "The resource you requested does not exist.")

    def test_stream_mapping_defaults_and_qualified_function(self):
        """A DynamoDB stream mapping gets the stream defaults; a FunctionName with an alias (as
        an ARN) gives a qualified FunctionArn; Enabled=False creates it Disabled."""
        stream = self.table_with_stream("tbl")
        self.recorder("fn")
        self.lam.publish_version(FunctionName="fn")
        self.lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
        m = self.lam.create_event_source_mapping(
            EventSourceArn=stream, FunctionName=FN_ARN + "fn:live", StartingPosition="LATEST",
            Enabled=False)
        got = {k: v for k, v in m.items()
               if k not in ("ResponseMetadata", "LastModified", "UUID", "EventSourceMappingArn")}
        self.assertEqual(got, {
            "StartingPosition": "LATEST", "BatchSize": 100, "MaximumBatchingWindowInSeconds": 0,
            "ParallelizationFactor": 1, "EventSourceArn": stream,
            "FunctionArn": FN_ARN + "fn:live", "LastProcessingResult": "No records processed",
            "State": "Creating", "StateTransitionReason": "User action",
            "DestinationConfig": {"OnFailure": {}}, "MaximumRecordAgeInSeconds": -1,
            "BisectBatchOnFunctionError": False, "MaximumRetryAttempts": -1,
            "TumblingWindowInSeconds": 0, "FunctionResponseTypes": []})
        self.assertEqual(self.lam.get_event_source_mapping(UUID=m["UUID"])["State"], "Disabled")
        u = self.lam.update_event_source_mapping(
            UUID=m["UUID"], MaximumRetryAttempts=3, BisectBatchOnFunctionError=True,
            MaximumRecordAgeInSeconds=3600, FunctionName="fn",
            DestinationConfig={"OnFailure": {"Destination": self.queue("dlq")[1]}})
        self.assertEqual((u["MaximumRetryAttempts"], u["BisectBatchOnFunctionError"],
                          u["MaximumRecordAgeInSeconds"], u["FunctionArn"], u["State"]),
                         (3, True, 3600, FN_ARN + "fn", "Updating"))
        self.assertEqual(u["DestinationConfig"]["OnFailure"]["Destination"],
                         "arn:aws:sqs:us-east-1:%s:dlq" % ACCOUNT)

    def test_create_errors(self):
        """Each check answers AWS's code and message."""
        _, arn = self.queue("src")
        stream = self.table_with_stream("tbl")
        self.recorder("fn")
        create = self.lam.create_event_source_mapping
        self.assertEqual(self.error("InvalidParameterValueException", 400, create,
                                    EventSourceArn=arn, FunctionName="nope"),
                         "Function does not exist")
        self.assertEqual(self.error("InvalidParameterValueException", 400, create,
                                    EventSourceArn=arn, FunctionName="fn:nosuchalias"),
                         "Function does not exist")
        self.assertEqual(
            self.error("InvalidParameterValueException", 400, create,
                       EventSourceArn=arn + "-missing", FunctionName="fn"),
            "Error occurred while ReceiveMessage. SQS Error Code: "
            "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue "
            "does not exist or you do not have access to it.")
        self.assertEqual(
            self.error("InvalidParameterValueException", 400, create, EventSourceArn=arn,
                       FunctionName="fn", StartingPosition="LATEST"),
            "Unsupported StartingPosition parameter for given event source mapping type.")
        self.assertEqual(
            self.error("InvalidParameterValueException", 400, create, EventSourceArn=arn,
                       FunctionName="fn", MaximumRetryAttempts=1),
            "Unsupported MaximumRetryAttempts parameter for given event source mapping type.")
        self.assertEqual(
            self.error("InvalidParameterValueException", 400, create, EventSourceArn=arn,
                       FunctionName="fn", BatchSize=11),
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
            "greater than 10")
        self.error("ValidationException", 400, create, EventSourceArn=arn, FunctionName="fn",
                   BatchSize=10001, MaximumBatchingWindowInSeconds=1)
        self.assertEqual(
            self.error("InvalidParameterValueException", 400, create, EventSourceArn=stream,
                       FunctionName="fn"),
            "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
            "constraint: Member must not be null.")
        self.assertEqual(
            self.error("InvalidParameterValueException", 400, create, EventSourceArn=stream,
                       FunctionName="fn", StartingPosition="AT_TIMESTAMP",
                       StartingPositionTimestamp=1),
            "Unsupported starting position for arn type: " + stream)
        self.assertEqual(
            self.error("InvalidParameterValueException", 400, create, EventSourceArn=stream,
                       FunctionName="fn", StartingPosition="LATEST",
                       DestinationConfig={"OnSuccess": {"Destination": arn}}),
            "Unsupported DestinationConfig parameter for given event source mapping type.")
        self.assertEqual(
            self.error("InvalidParameterValueException", 400, create,
                       EventSourceArn=stream[:stream.index("/stream/")] + "/stream/nope",
                       FunctionName="fn", StartingPosition="LATEST"),
            "Stream not found: " + stream[:stream.index("/stream/")] + "/stream/nope")
        for pattern in ("not json", '{"body": "x"}', '{"body": [{"prefix": 5}]}'):
            self.assertEqual(
                self.error("InvalidParameterValueException", 400, create, EventSourceArn=arn,
                           FunctionName="fn",
                           FilterCriteria={"Filters": [{"Pattern": pattern}]}),
                "Invalid filter pattern definition.")
        self.assertEqual(self.error("InvalidParameterValueException", 400, create,
                                    EventSourceArn="arn:aws:s3:::bucket", FunctionName="fn"),
                         "Unrecognized event source.")
        self.error("NotImplementedException", 501, create, FunctionName="fn",
                   EventSourceArn="arn:aws:kinesis:us-east-1:%s:stream/s" % ACCOUNT,
                   StartingPosition="LATEST")
        m = create(EventSourceArn=arn, FunctionName="fn")
        self.assertEqual(
            self.error("ResourceConflictException", 409, create, EventSourceArn=arn,
                       FunctionName=FN_ARN + "fn"),
            'An event source mapping with SQS arn (" %s ") and function (" fn ") already '
            "exists. Please update or delete the existing mapping with UUID %s"
            % (arn, m["UUID"]))
        s = create(EventSourceArn=stream, FunctionName="fn", StartingPosition="TRIM_HORIZON")
        self.assertEqual(
            self.error("ResourceConflictException", 409, create, EventSourceArn=stream,
                       FunctionName="fn", StartingPosition="LATEST"),
            'The event source arn (" %s ") and function (" fn ") provided mapping already '
            "exists. Please update or delete the existing mapping with UUID %s"
            % (stream, s["UUID"]))
        self.assertEqual(
            self.error("InvalidParameterValueException", 400,
                       self.lam.update_event_source_mapping, UUID=m["UUID"], BatchSize=50),
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
            "greater than 10")
        self.assertEqual(
            self.error("InvalidParameterValueException", 400,
                       self.lam.update_event_source_mapping, UUID=m["UUID"],
                       FunctionName="gone"),
            "Function does not exist")

    def test_list_filters_and_paging(self):
        """ListEventSourceMappings filters by EventSourceArn and FunctionName and pages with
        Marker/MaxItems; the CLI pages through all of them."""
        self.recorder("a")
        self.recorder("b")
        arns = [self.queue("q%d" % i)[1] for i in range(3)]
        uuids = {}
        for i, arn in enumerate(arns):
            uuids[(arn, "a")] = self.lam.create_event_source_mapping(
                EventSourceArn=arn, FunctionName="a", Enabled=False)["UUID"]
        uuids[(arns[0], "b")] = self.lam.create_event_source_mapping(
            EventSourceArn=arns[0], FunctionName="b", Enabled=False)["UUID"]
        listed = self.lam.list_event_source_mappings(EventSourceArn=arns[0])
        self.assertEqual({m["UUID"] for m in listed["EventSourceMappings"]},
                         {uuids[(arns[0], "a")], uuids[(arns[0], "b")]})
        self.assertNotIn("NextMarker", listed)
        listed = self.lam.list_event_source_mappings(FunctionName=FN_ARN + "b")
        self.assertEqual([m["UUID"] for m in listed["EventSourceMappings"]],
                         [uuids[(arns[0], "b")]])
        listed = self.lam.list_event_source_mappings(FunctionName="a", EventSourceArn=arns[2])
        self.assertEqual([m["UUID"] for m in listed["EventSourceMappings"]],
                         [uuids[(arns[2], "a")]])
        self.assertEqual(self.lam.list_event_source_mappings(FunctionName="none")[
            "EventSourceMappings"], [])
        seen, marker = [], None
        while True:
            kw = {"Marker": marker} if marker else {}
            page = self.lam.list_event_source_mappings(MaxItems=3, **kw)
            self.assertLessEqual(len(page["EventSourceMappings"]), 3)
            seen += [m["UUID"] for m in page["EventSourceMappings"]]
            marker = page.get("NextMarker")
            if not marker:
                break
        self.assertEqual(sorted(seen), sorted(uuids.values()))
        _, out, _ = self.server.aws("lambda", "list-event-source-mappings", "--max-items", "2")
        self.assertEqual(len(out["EventSourceMappings"]), 2)
        self.assertIn("NextToken", out)
        _, out, _ = self.server.aws("lambda", "list-event-source-mappings",
                                    "--function-name", "a")
        self.assertEqual(len(out["EventSourceMappings"]), 3)

    def test_cli_and_malformed_input(self):
        """The CLI's create/get/delete work; hostile bodies answer 400s, never a 500."""
        _, arn = self.queue("src")
        self.recorder("fn")
        _, out, _ = self.server.aws("lambda", "create-event-source-mapping", "--function-name",
                                    "fn", "--event-source-arn", arn, "--batch-size", "3",
                                    "--filter-criteria",
                                    '{"Filters": [{"Pattern": "{\\"body\\": [\\"x\\"]}"}]}')
        self.assertEqual((out["BatchSize"], out["State"]), (3, "Creating"))
        self.assertEqual(out["FilterCriteria"], {"Filters": [{"Pattern": '{"body": ["x"]}'}]})
        _, got, _ = self.server.aws("lambda", "get-event-source-mapping", "--uuid", out["UUID"])
        self.assertEqual(got["State"], "Enabled")
        code, _, err = self.server.aws("lambda", "get-event-source-mapping", "--uuid", "nope",
                                       check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("ResourceNotFoundException", err)
        for body in (b"{not json", b'{"FunctionName": 5, "EventSourceArn": "x"}',
                     b'{"FunctionName": "fn", "EventSourceArn": "' + arn.encode() +
                     b'", "BatchSize": "ten"}',
                     b'{"FunctionName": "fn", "EventSourceArn": "' + arn.encode() +
                     b'", "FilterCriteria": {"Filters": [{"Pattern": 7}]}}',
                     b'{"EventSourceArn": "' + arn.encode() + b'"}',
                     b'{"FunctionName": "' + b"x" * 300 + b'"}'):
            status, _, resp = self.server.http(
                "POST", "/2015-03-31/event-source-mappings", body=body,
                headers={"Content-Type": "application/json"})
            self.assertEqual(status, 400, (body, resp))
        status, _, _ = self.server.http("PUT", "/2015-03-31/event-source-mappings/" + out["UUID"],
                                        body=b'{"BatchSize": -1}',
                                        headers={"Content-Type": "application/json"})
        self.assertEqual(status, 400)


class SqsPollerTest(EsmTestCase):
    def test_sqs_event_reaches_the_function(self):
        """Messages arrive as the SQS event's records, and the batch is deleted afterwards."""
        url, arn = self.queue("src")
        sink = self.recorder("fn")
        sent = self.sqs.send_message(
            QueueUrl=url, MessageBody="hello",
            MessageAttributes={"color": {"DataType": "String", "StringValue": "red"},
                               "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}})
        self.lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="fn")
        record = self.events(sink, 1)[0]["Records"][0]
        self.assertEqual(list(record), ["messageId", "receiptHandle", "body", "attributes",
                                        "messageAttributes", "md5OfMessageAttributes",
                                        "md5OfBody", "eventSource", "eventSourceARN",
                                        "awsRegion"])
        self.assertEqual(record["messageId"], sent["MessageId"])
        self.assertEqual(record["body"], "hello")
        self.assertEqual(record["md5OfBody"], sent["MD5OfMessageBody"])
        self.assertEqual(record["md5OfMessageAttributes"], sent["MD5OfMessageAttributes"])
        self.assertEqual((record["eventSource"], record["eventSourceARN"], record["awsRegion"]),
                         ("aws:sqs", arn, "us-east-1"))
        self.assertEqual(record["attributes"]["ApproximateReceiveCount"], "1")
        for k in ("SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"):
            self.assertIn(k, record["attributes"])
        self.assertEqual(record["messageAttributes"], {
            "color": {"stringValue": "red", "stringListValues": [], "binaryListValues": [],
                      "dataType": "String"},
            "blob": {"binaryValue": "AAE=", "stringListValues": [], "binaryListValues": [],
                     "dataType": "Binary"}})
        self.wait_drained(url)
        # A batch: several messages sent together come in one event.
        self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "MessageBody": "m%d" % i} for i in range(3)])
        bodies = []
        for event in self.events(sink, 1):
            bodies += [r["body"] for r in event["Records"]]
        while len(bodies) < 3:
            for event in self.events(sink, 1):
                bodies += [r["body"] for r in event["Records"]]
        self.assertEqual(sorted(bodies), ["m0", "m1", "m2"])
        self.wait_drained(url)

    def test_failure_goes_to_the_dead_letter_queue(self):
        """A failing batch stays on the queue, reappears after the visibility timeout and is
        moved to the queue's dead-letter queue after maxReceiveCount receives."""
        dlq_url, dlq_arn = self.queue("dlq")
        url, arn = self.queue("src", VisibilityTimeout="1", RedrivePolicy=json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"}))
        sink = self.recorder("fn", mode="fail")
        self.sqs.send_message(QueueUrl=url, MessageBody="doomed")
        self.lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="fn")
        events = self.events(sink, 2)
        self.assertEqual([e["Records"][0]["attributes"]["ApproximateReceiveCount"]
                          for e in events], ["1", "2"])
        msgs = self.sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=15).get("Messages", [])
        self.assertEqual([m["Body"] for m in msgs], ["doomed"])
        self.assertEqual(self.counts(url), (0, 0))

    def test_partial_batch_failures(self):
        """With ReportBatchItemFailures only the reported messages stay on the queue."""
        dlq_url, dlq_arn = self.queue("dlq")
        url, arn = self.queue("src", VisibilityTimeout="1", RedrivePolicy=json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"}))
        sink = self.recorder("fn", mode="partial")
        self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "1", "MessageBody": "good-1"}, {"Id": "2", "MessageBody": "bad"},
            {"Id": "3", "MessageBody": "good-2"}])
        self.lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="fn",
                                             FunctionResponseTypes=["ReportBatchItemFailures"])
        msgs = self.sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=20).get("Messages", [])
        self.assertEqual([m["Body"] for m in msgs], ["bad"])
        bodies = []
        while True:
            got = self.sqs.receive_message(QueueUrl=sink, WaitTimeSeconds=1,
                                           MaxNumberOfMessages=10).get("Messages", [])
            if not got:
                break
            for m in got:
                bodies += [r["body"] for r in json.loads(m["Body"])["Records"]]
        self.assertEqual(sorted(bodies), ["bad", "bad", "good-1", "good-2"])
        self.assertEqual(self.counts(url), (0, 0))

    def test_filter_criteria(self):
        """Only matching messages invoke the function; the others are deleted."""
        url, arn = self.queue("src")
        sink = self.recorder("fn")
        self.lam.create_event_source_mapping(
            EventSourceArn=arn, FunctionName="fn", FilterCriteria={"Filters": [
                {"Pattern": json.dumps({"body": {"kind": ["order"], "total": [{"numeric": [">", 10]}]}})},
                {"Pattern": json.dumps({"body": [{"prefix": "urgent:"}]})}]})
        for body in ('{"kind": "order", "total": 50}', '{"kind": "order", "total": 5}',
                     '{"kind": "refund", "total": 50}', "urgent: call back", "plain text"):
            self.sqs.send_message(QueueUrl=url, MessageBody=body)
        self.wait_drained(url)
        bodies = []
        while True:
            got = self.sqs.receive_message(QueueUrl=sink, WaitTimeSeconds=1,
                                           MaxNumberOfMessages=10).get("Messages", [])
            if not got:
                break
            for m in got:
                bodies += [r["body"] for r in json.loads(m["Body"])["Records"]]
        self.assertEqual(sorted(bodies),
                         sorted(['{"kind": "order", "total": 50}', "urgent: call back"]))

    def test_disable_stops_and_delete_removes(self):
        """A disabled mapping leaves messages on the queue; enabling delivers them; after a
        delete nothing is polled."""
        url, arn = self.queue("src")
        sink = self.recorder("fn")
        m = self.lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="fn")
        self.lam.update_event_source_mapping(UUID=m["UUID"], Enabled=False)
        time.sleep(2.5)  # a poll already under way ends
        self.sqs.send_message(QueueUrl=url, MessageBody="waiting")
        self.no_events(sink, 4)
        self.assertEqual(self.counts(url), (1, 0))
        self.lam.update_event_source_mapping(UUID=m["UUID"], Enabled=True)
        self.assertEqual(self.events(sink, 1)[0]["Records"][0]["body"], "waiting")
        self.wait_drained(url)
        self.lam.delete_event_source_mapping(UUID=m["UUID"])
        time.sleep(2.5)
        self.sqs.send_message(QueueUrl=url, MessageBody="after delete")
        self.no_events(sink, 4)
        self.assertEqual(self.counts(url), (1, 0))


class StreamPollerTest(EsmTestCase):
    def test_dynamodb_stream_record_shape(self):
        """INSERT, MODIFY and REMOVE arrive in order in the DynamoDB event format."""
        stream = self.table_with_stream("tbl")
        sink = self.recorder("fn")
        self.ddb.put_item(TableName="tbl", Item={"id": {"S": "before"}})
        self.lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="fn",
                                             StartingPosition="LATEST")
        self.ddb.put_item(TableName="tbl", Item={"id": {"S": "k"}, "n": {"N": "1"},
                                               "b": {"B": b"\x01\x02"}})
        self.ddb.update_item(TableName="tbl", Key={"id": {"S": "k"}},
                             UpdateExpression="SET n = :v",
                             ExpressionAttributeValues={":v": {"N": "2"}})
        self.ddb.delete_item(TableName="tbl", Key={"id": {"S": "k"}})
        records = []
        deadline = time.time() + 30
        while len(records) < 3 and time.time() < deadline:
            for e in self.events(sink, 1):
                records += e["Records"]
        self.assertEqual([r["eventName"] for r in records], ["INSERT", "MODIFY", "REMOVE"])
        seqs = [r["dynamodb"]["SequenceNumber"] for r in records]
        self.assertEqual(seqs, sorted(seqs))
        insert = records[0]
        self.assertEqual(list(insert), ["eventID", "eventName", "eventVersion", "eventSource",
                                        "awsRegion", "dynamodb", "eventSourceARN"])
        self.assertRegex(insert["eventID"], r"^[0-9a-f]{32}$")
        self.assertEqual((insert["eventVersion"], insert["eventSource"], insert["awsRegion"],
                          insert["eventSourceARN"]),
                         ("1.1", "aws:dynamodb", "us-east-1", stream))
        d = insert["dynamodb"]
        self.assertIsInstance(d["ApproximateCreationDateTime"], int)
        self.assertLess(abs(d["ApproximateCreationDateTime"] - time.time()), 120)
        self.assertEqual(d["Keys"], {"id": {"S": "k"}})
        self.assertEqual(d["NewImage"], {"id": {"S": "k"}, "n": {"N": "1"}, "b": {"B": "AQI="}})
        self.assertNotIn("OldImage", d)
        self.assertEqual(d["StreamViewType"], "NEW_AND_OLD_IMAGES")
        self.assertIsInstance(d["SizeBytes"], int)
        self.assertEqual(records[1]["dynamodb"]["OldImage"]["n"], {"N": "1"})
        self.assertEqual(records[1]["dynamodb"]["NewImage"]["n"], {"N": "2"})
        self.assertNotIn("NewImage", records[2]["dynamodb"])
        self.assertEqual(records[2]["dynamodb"]["OldImage"]["id"], {"S": "k"})

    def test_retries_then_on_failure_and_continue(self):
        """A failing batch is retried MaximumRetryAttempts times, its description goes to the
        OnFailure queue, and the records after it are still delivered."""
        stream = self.table_with_stream("tbl")
        sink = self.recorder("fn", mode="poison")
        dlq_url, dlq_arn = self.queue("failures")
        m = self.lam.create_event_source_mapping(
            EventSourceArn=stream, FunctionName="fn", StartingPosition="TRIM_HORIZON",
            BatchSize=1, MaximumRetryAttempts=1,
            DestinationConfig={"OnFailure": {"Destination": dlq_arn}})
        self.ddb.put_item(TableName="tbl", Item={"id": {"S": "poison"}})
        self.ddb.put_item(TableName="tbl", Item={"id": {"S": "fine"}})
        ids = [e["Records"][0]["dynamodb"]["Keys"]["id"]["S"] for e in self.events(sink, 3)]
        self.assertEqual(ids, ["poison", "poison", "fine"])
        msgs = self.sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=10).get("Messages", [])
        self.assertEqual(len(msgs), 1)
        failure = json.loads(msgs[0]["Body"])
        self.assertEqual(failure["requestContext"]["condition"], "RetryAttemptsExhausted")
        self.assertEqual(failure["requestContext"]["approximateInvokeCount"], 2)
        self.assertEqual(failure["requestContext"]["functionArn"], FN_ARN + "fn")
        self.assertEqual(failure["responseContext"],
                         {"statusCode": 200, "executedVersion": "$LATEST",
                          "functionError": "Unhandled"})
        info = failure["DDBStreamBatchInfo"]
        self.assertEqual((info["batchSize"], info["streamArn"]), (1, stream))
        self.assertEqual(info["startSequenceNumber"], info["endSequenceNumber"])
        self.assertTrue(info["shardId"].startswith("shardId-"))
        # The last batch succeeded (its response arrives just after its event reached the sink).
        deadline = time.time() + 10
        while time.time() < deadline and self.lam.get_event_source_mapping(
                UUID=m["UUID"])["LastProcessingResult"] != "OK":
            time.sleep(0.2)
        self.assertEqual(self.lam.get_event_source_mapping(UUID=m["UUID"])[
            "LastProcessingResult"], "OK")

    def test_stream_filter_criteria(self):
        """Stream records no filter matches are skipped."""
        stream = self.table_with_stream("tbl")
        sink = self.recorder("fn")
        self.lam.create_event_source_mapping(
            EventSourceArn=stream, FunctionName="fn", StartingPosition="TRIM_HORIZON",
            FilterCriteria={"Filters": [{"Pattern": json.dumps(
                {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"kind": {"S": ["keep"]}}}})}]})
        self.ddb.put_item(TableName="tbl", Item={"id": {"S": "1"}, "kind": {"S": "drop"}})
        self.ddb.put_item(TableName="tbl", Item={"id": {"S": "2"}, "kind": {"S": "keep"}})
        self.ddb.delete_item(TableName="tbl", Key={"id": {"S": "2"}})
        events = self.events(sink, 1)
        self.assertEqual([r["dynamodb"]["Keys"]["id"]["S"] for r in events[0]["Records"]], ["2"])
        self.no_events(sink, 2)


class RestartTest(unittest.TestCase):
    def test_mappings_survive_a_restart(self):
        """Mappings are stored: after a restart they are listed and their pollers run."""
        server = NimbusServer().start()
        try:
            sqs, lam = server.client("sqs"), server.client("lambda")
            sink = sqs.create_queue(QueueName="sink")["QueueUrl"]
            url = sqs.create_queue(QueueName="src")["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
                "Attributes"]["QueueArn"]
            lam.create_function(FunctionName="fn", Runtime=PYTHON_RUNTIME, Role=ROLE,
                                Handler="app.handler",
                                Code={"ZipFile": make_zip({"app.py": RECORDER})},
                                Environment={"Variables": {"SINK": sink}})
            m = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="fn")
            server.stop()
            server.start()
            sqs, lam = server.client("sqs"), server.client("lambda")
            self.assertEqual(lam.get_event_source_mapping(UUID=m["UUID"])["State"], "Enabled")
            sqs.send_message(QueueUrl=url, MessageBody="after restart")
            got = []
            deadline = time.time() + 30
            while not got and time.time() < deadline:
                got = sqs.receive_message(QueueUrl=sink, WaitTimeSeconds=1).get("Messages", [])
            self.assertTrue(got, server.read_log())
            self.assertEqual(json.loads(got[0]["Body"])["Records"][0]["body"], "after restart")
        finally:
            server.cleanup()

    def test_stream_position_survives_a_restart(self):
        """A stream mapping resumes after the last batch it delivered: nothing twice."""
        server = NimbusServer().start()
        try:
            sqs, lam, ddb = server.client("sqs"), server.client("lambda"), server.client("dynamodb")
            sink = sqs.create_queue(QueueName="sink")["QueueUrl"]
            stream = ddb.create_table(
                TableName="tbl", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
                StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})[
                "TableDescription"]["LatestStreamArn"]
            lam.create_function(FunctionName="fn", Runtime=PYTHON_RUNTIME, Role=ROLE,
                                Handler="app.handler",
                                Code={"ZipFile": make_zip({"app.py": RECORDER})},
                                Environment={"Variables": {"SINK": sink}})
            lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="fn",
                                            StartingPosition="TRIM_HORIZON")

            def delivered(timeout):
                ids, deadline = [], time.time() + timeout
                while time.time() < deadline:
                    for m in sqs.receive_message(QueueUrl=sink, WaitTimeSeconds=1).get(
                            "Messages", []):
                        ids += [r["dynamodb"]["Keys"]["id"]["S"]
                                for r in json.loads(m["Body"])["Records"]]
                        sqs.delete_message(QueueUrl=sink, ReceiptHandle=m["ReceiptHandle"])
                return ids

            ddb.put_item(TableName="tbl", Item={"id": {"S": "first"}})
            self.assertEqual(delivered(6), ["first"])
            server.stop()
            server.start()
            sqs, ddb = server.client("sqs"), server.client("dynamodb")
            ddb.put_item(TableName="tbl", Item={"id": {"S": "second"}})
            self.assertEqual(delivered(6), ["second"])
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
