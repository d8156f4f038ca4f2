"""CloudWatch Logs: log groups, streams, events, filter patterns, tags, metric and subscription
filters, as AWS answers them to boto3 and the AWS CLI; events survive kill -9."""
import base64
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

import botocore.exceptions

from nimbus_harness import ACCESS_KEY, SECRET_KEY, NimbusServer, NimbusTestCase

ClientError = botocore.exceptions.ClientError
DAY_MS = 24 * 3600 * 1000


def now_ms():
    return int(time.time() * 1000)


def aws_cli_v2():
    """An AWS CLI version 2 (which has `logs tail`), or None."""
    for candidate in ("/usr/bin/aws", "/usr/local/bin/aws"):
        if os.path.exists(candidate):
            try:
                out = subprocess.run([candidate, "--version"], capture_output=True, text=True,
                                     timeout=30).stdout
            except (OSError, subprocess.TimeoutExpired):
                continue
            if out.startswith("aws-cli/2"):
                return candidate
    return None


class LogsTestCase(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.logs = self.client("logs")
        self.raw = self.client("logs", parameter_validation=False)

    def make_stream(self, group="app", stream="s1"):
        try:
            self.logs.create_log_group(logGroupName=group)
        except ClientError as e:
            if e.response["Error"]["Code"] != "ResourceAlreadyExistsException":
                raise
        self.logs.create_log_stream(logGroupName=group, logStreamName=stream)
        return group, stream

    def put(self, group, stream, messages, start=None, step=1):
        start = now_ms() - 60000 if start is None else start
        events = [{"timestamp": start + i * step, "message": m} for i, m in enumerate(messages)]
        return self.logs.put_log_events(logGroupName=group, logStreamName=stream,
                                        logEvents=events)

    def error(self, fn, code, **kwargs):
        with self.assertRaises(ClientError) as ctx:
            fn(**kwargs)
        return self.assertAwsError(ctx, code, 400)["Error"]["Message"]


class LogGroupTest(LogsTestCase):
    def test_create_log_group_describes_with_arns_and_defaults(self):
        # DescribeLogGroups: arn ends in ":*", logGroupArn does not; retentionInDays only when
        # set; storedBytes and metricFilterCount start at 0; logGroupClass defaults to STANDARD.
        before = now_ms()
        self.logs.create_log_group(logGroupName="/aws/lambda/fn", kmsKeyId="arn:aws:kms:k",
                                   tags={"team": "core"})
        g = self.logs.describe_log_groups()["logGroups"][0]
        self.assertEqual(g["logGroupName"], "/aws/lambda/fn")
        self.assertEqual(g["arn"], "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/fn:*")
        self.assertEqual(g["logGroupArn"],
                         "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/fn")
        self.assertGreaterEqual(g["creationTime"], before - 1000)
        self.assertEqual(g["storedBytes"], 0)
        self.assertEqual(g["metricFilterCount"], 0)
        self.assertEqual(g["logGroupClass"], "STANDARD")
        self.assertEqual(g["kmsKeyId"], "arn:aws:kms:k")
        self.assertNotIn("retentionInDays", g)

    def test_create_existing_log_group_is_resource_already_exists(self):
        self.logs.create_log_group(logGroupName="dup")
        msg = self.error(self.logs.create_log_group, "ResourceAlreadyExistsException",
                         logGroupName="dup")
        self.assertEqual(msg, "The specified log group already exists")

    def test_log_group_name_must_match_the_model_pattern(self):
        msg = self.error(self.logs.create_log_group, "InvalidParameterException",
                         logGroupName="bad name!")
        self.assertEqual(msg, "1 validation error detected: Value 'bad name!' at 'logGroupName' "
                              "failed to satisfy constraint: Member must satisfy regular "
                              "expression pattern: [\\.\\-_/#A-Za-z0-9]+")

    def test_empty_log_group_name_fails_length_validation(self):
        msg = self.error(self.raw.create_log_group, "InvalidParameterException", logGroupName="")
        self.assertIn("Member must have length greater than or equal to 1", msg)

    def test_delete_missing_log_group_is_resource_not_found(self):
        msg = self.error(self.logs.delete_log_group, "ResourceNotFoundException",
                         logGroupName="nope")
        self.assertEqual(msg, "The specified log group does not exist.")

    def test_describe_log_groups_prefix_and_paging_in_name_order(self):
        for name in ["b/2", "a/1", "b/1", "b/3", "c"]:
            self.logs.create_log_group(logGroupName=name)
        r = self.logs.describe_log_groups(logGroupNamePrefix="b/", limit=2)
        self.assertEqual([g["logGroupName"] for g in r["logGroups"]], ["b/1", "b/2"])
        r2 = self.logs.describe_log_groups(logGroupNamePrefix="b/", limit=2,
                                           nextToken=r["nextToken"])
        self.assertEqual([g["logGroupName"] for g in r2["logGroups"]], ["b/3"])
        self.assertNotIn("nextToken", r2)
        pages = self.logs.get_paginator("describe_log_groups").paginate(
            PaginationConfig={"PageSize": 2})
        names = [g["logGroupName"] for p in pages for g in p["logGroups"]]
        self.assertEqual(names, ["a/1", "b/1", "b/2", "b/3", "c"])

    def test_describe_log_groups_name_pattern_is_case_insensitive_substring(self):
        for name in ["/aws/lambda/Orders", "/aws/lambda/users", "orders-batch"]:
            self.logs.create_log_group(logGroupName=name)
        r = self.logs.describe_log_groups(logGroupNamePattern="ORDERS")
        self.assertEqual([g["logGroupName"] for g in r["logGroups"]],
                         ["/aws/lambda/Orders", "orders-batch"])

    def test_prefix_and_pattern_are_mutually_exclusive(self):
        self.error(self.logs.describe_log_groups, "InvalidParameterException",
                   logGroupNamePrefix="a", logGroupNamePattern="b")

    def test_malformed_next_token_is_invalid_parameter(self):
        msg = self.error(self.logs.describe_log_groups, "InvalidParameterException",
                         nextToken="not-a-token")
        self.assertEqual(msg, "The specified nextToken is invalid.")

    def test_describe_limit_above_50_fails_validation(self):
        msg = self.error(self.raw.describe_log_groups, "InvalidParameterException", limit=51)
        self.assertIn("Member must have value less than or equal to 50", msg)

    def test_retention_policy_accepts_only_the_listed_periods(self):
        self.logs.create_log_group(logGroupName="r")
        self.logs.put_retention_policy(logGroupName="r", retentionInDays=7)
        self.assertEqual(self.logs.describe_log_groups()["logGroups"][0]["retentionInDays"], 7)
        msg = self.error(self.logs.put_retention_policy, "InvalidParameterException",
                         logGroupName="r", retentionInDays=2)
        self.assertEqual(msg, "1 validation error detected: Value '2' at 'retentionInDays' failed "
                              "to satisfy constraint: Member must satisfy enum value set: [1, 3, "
                              "5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, "
                              "1827, 2192, 2557, 2922, 3288, 3653]")
        self.logs.delete_retention_policy(logGroupName="r")
        self.assertNotIn("retentionInDays", self.logs.describe_log_groups()["logGroups"][0])
        self.error(self.logs.put_retention_policy, "ResourceNotFoundException",
                   logGroupName="missing", retentionInDays=1)
        self.error(self.logs.delete_retention_policy, "ResourceNotFoundException",
                   logGroupName="missing")

    def test_delete_log_group_deletes_its_streams_and_events(self):
        g, s = self.make_stream("gone", "s")
        self.put(g, s, ["one", "two"])
        self.logs.delete_log_group(logGroupName=g)
        self.logs.create_log_group(logGroupName=g)
        self.assertEqual(self.logs.describe_log_streams(logGroupName=g)["logStreams"], [])
        self.logs.create_log_stream(logGroupName=g, logStreamName=s)
        r = self.logs.get_log_events(logGroupName=g, logStreamName=s, startFromHead=True)
        self.assertEqual(r["events"], [])

    def test_log_groups_are_per_account_and_region(self):
        self.logs.create_log_group(logGroupName="shared-name")
        west = self.client("logs", region="us-west-2")
        other = self.client("logs", access_key="111122223333")
        self.assertEqual(west.describe_log_groups()["logGroups"], [])
        self.assertEqual(other.describe_log_groups()["logGroups"], [])
        west.create_log_group(logGroupName="shared-name")
        g = west.describe_log_groups()["logGroups"][0]
        self.assertEqual(g["logGroupArn"],
                         "arn:aws:logs:us-west-2:000000000000:log-group:shared-name")
        self.assertEqual(other.describe_log_groups()["logGroups"], [])

    def test_associate_and_disassociate_kms_key(self):
        self.logs.create_log_group(logGroupName="enc")
        self.logs.associate_kms_key(logGroupName="enc", kmsKeyId="arn:aws:kms:us-east-1:0:key/1")
        g = self.logs.describe_log_groups()["logGroups"][0]
        self.assertEqual(g["kmsKeyId"], "arn:aws:kms:us-east-1:0:key/1")
        self.logs.disassociate_kms_key(logGroupName="enc")
        self.assertNotIn("kmsKeyId", self.logs.describe_log_groups()["logGroups"][0])
        self.error(self.logs.associate_kms_key, "ResourceNotFoundException",
                   logGroupName="missing", kmsKeyId="k")

    def test_stored_bytes_of_a_group_sum_its_messages(self):
        g, s = self.make_stream()
        self.put(g, s, ["abc", "defgh"])
        self.assertEqual(self.logs.describe_log_groups()["logGroups"][0]["storedBytes"], 8)


class LogStreamTest(LogsTestCase):
    def test_create_log_stream_errors(self):
        msg = self.error(self.logs.create_log_stream, "ResourceNotFoundException",
                         logGroupName="nope", logStreamName="s")
        self.assertEqual(msg, "The specified log group does not exist.")
        self.make_stream("g", "s")
        msg = self.error(self.logs.create_log_stream, "ResourceAlreadyExistsException",
                         logGroupName="g", logStreamName="s")
        self.assertEqual(msg, "The specified log stream already exists")
        msg = self.error(self.logs.create_log_stream, "InvalidParameterException",
                         logGroupName="g", logStreamName="a:b")
        self.assertIn("Member must satisfy regular expression pattern: [^:*]*", msg)

    def test_describe_log_streams_reports_event_times_and_tokens(self):
        g, s = self.make_stream("g", "2024/01/01/[$LATEST]abc")
        self.logs.create_log_stream(logGroupName=g, logStreamName="empty")
        t0 = now_ms() - 5000
        self.put(g, s, ["a", "b"], start=t0, step=1000)
        streams = {x["logStreamName"]: x for x in
                   self.logs.describe_log_streams(logGroupName=g)["logStreams"]}
        full = streams[s]
        self.assertEqual(full["firstEventTimestamp"], t0)
        self.assertEqual(full["lastEventTimestamp"], t0 + 1000)
        self.assertGreaterEqual(full["lastIngestionTime"], t0)
        self.assertEqual(full["storedBytes"], 0)  # deprecated for streams: always 0
        self.assertRegex(full["uploadSequenceToken"], r"^\d{56}$")
        self.assertEqual(full["arn"], "arn:aws:logs:us-east-1:000000000000:log-group:g:"
                                      "log-stream:" + s)
        self.assertNotIn("firstEventTimestamp", streams["empty"])
        self.assertNotIn("uploadSequenceToken", streams["empty"])

    def test_describe_log_streams_order_prefix_and_paging(self):
        g, _ = self.make_stream("g", "c")
        for name in ["a", "b"]:
            self.logs.create_log_stream(logGroupName=g, logStreamName=name)
        t = now_ms() - 10000
        self.put(g, "c", ["x"], start=t)
        self.put(g, "a", ["x"], start=t + 1000)
        self.put(g, "b", ["x"], start=t + 2000)
        by_time = self.logs.describe_log_streams(logGroupName=g, orderBy="LastEventTime",
                                                 descending=True)
        self.assertEqual([x["logStreamName"] for x in by_time["logStreams"]], ["b", "a", "c"])
        first = self.logs.describe_log_streams(logGroupName=g, limit=2)
        self.assertEqual([x["logStreamName"] for x in first["logStreams"]], ["a", "b"])
        rest = self.logs.describe_log_streams(logGroupName=g, limit=2,
                                              nextToken=first["nextToken"])
        self.assertEqual([x["logStreamName"] for x in rest["logStreams"]], ["c"])
        desc = self.logs.describe_log_streams(logGroupName=g, descending=True,
                                              logStreamNamePrefix="b")
        self.assertEqual([x["logStreamName"] for x in desc["logStreams"]], ["b"])
        msg = self.error(self.logs.describe_log_streams, "InvalidParameterException",
                         logGroupName=g, orderBy="LastEventTime", logStreamNamePrefix="a")
        self.assertEqual(msg, "Cannot order by LastEventTime with a logStreamNamePrefix.")

    def test_describe_log_streams_by_identifier_arn(self):
        g, s = self.make_stream("ident", "s")
        arn = "arn:aws:logs:us-east-1:000000000000:log-group:ident:*"
        r = self.logs.describe_log_streams(logGroupIdentifier=arn)
        self.assertEqual([x["logStreamName"] for x in r["logStreams"]], [s])
        self.error(self.logs.describe_log_streams, "InvalidParameterException",
                   logGroupIdentifier="ident", logGroupName="ident")
        self.error(self.logs.describe_log_streams, "ResourceNotFoundException",
                   logGroupName="missing")

    def test_delete_log_stream(self):
        g, s = self.make_stream()
        self.put(g, s, ["x"])
        self.logs.delete_log_stream(logGroupName=g, logStreamName=s)
        msg = self.error(self.logs.delete_log_stream, "ResourceNotFoundException",
                         logGroupName=g, logStreamName=s)
        self.assertEqual(msg, "The specified log stream does not exist.")
        self.logs.create_log_stream(logGroupName=g, logStreamName=s)
        r = self.logs.get_log_events(logGroupName=g, logStreamName=s, startFromHead=True)
        self.assertEqual(r["events"], [])


class PutLogEventsTest(LogsTestCase):
    def test_put_and_get_round_trip(self):
        g, s = self.make_stream()
        t = now_ms() - 1000
        r = self.put(g, s, ["hello", "world"], start=t)
        self.assertRegex(r["nextSequenceToken"], r"^\d+$")
        self.assertNotIn("rejectedLogEventsInfo", r)
        events = self.logs.get_log_events(logGroupName=g, logStreamName=s,
                                          startFromHead=True)["events"]
        self.assertEqual([(e["timestamp"], e["message"]) for e in events],
                         [(t, "hello"), (t + 1, "world")])
        self.assertGreaterEqual(events[0]["ingestionTime"], t)

    def test_sequence_tokens_are_accepted_and_ignored(self):
        # Since 2023 PutLogEvents accepts any sequenceToken (no InvalidSequenceTokenException).
        g, s = self.make_stream()
        self.logs.put_log_events(logGroupName=g, logStreamName=s, sequenceToken="bogus",
                                 logEvents=[{"timestamp": now_ms(), "message": "x"}])

    def test_missing_group_or_stream_is_resource_not_found(self):
        msg = self.error(self.logs.put_log_events, "ResourceNotFoundException",
                         logGroupName="nope", logStreamName="s",
                         logEvents=[{"timestamp": now_ms(), "message": "x"}])
        self.assertEqual(msg, "The specified log group does not exist.")
        self.logs.create_log_group(logGroupName="g")
        msg = self.error(self.logs.put_log_events, "ResourceNotFoundException",
                         logGroupName="g", logStreamName="nope",
                         logEvents=[{"timestamp": now_ms(), "message": "x"}])
        self.assertEqual(msg, "The specified log stream does not exist.")

    def test_events_out_of_chronological_order_are_rejected(self):
        g, s = self.make_stream()
        t = now_ms()
        msg = self.error(self.logs.put_log_events, "InvalidParameterException",
                         logGroupName=g, logStreamName=s,
                         logEvents=[{"timestamp": t, "message": "b"},
                                    {"timestamp": t - 1, "message": "a"}])
        self.assertEqual(msg, "Log events in a single PutLogEvents request must be in "
                              "chronological order.")

    def test_batch_spanning_more_than_24_hours_is_rejected(self):
        g, s = self.make_stream()
        t = now_ms() - 2 * DAY_MS
        msg = self.error(self.logs.put_log_events, "InvalidParameterException",
                         logGroupName=g, logStreamName=s,
                         logEvents=[{"timestamp": t, "message": "a"},
                                    {"timestamp": t + DAY_MS + 1, "message": "b"}])
        self.assertEqual(msg, "The batch of log events in a single PutLogEvents request cannot "
                              "span more than 24 hours.")

    def test_batch_over_1mib_counting_26_bytes_per_event_is_rejected(self):
        g, s = self.make_stream()
        t = now_ms()
        # 4 events of 262,118 bytes + 26 overhead = exactly 1,048,576: accepted.
        ok = [{"timestamp": t, "message": "x" * 262118} for _ in range(4)]
        self.logs.put_log_events(logGroupName=g, logStreamName=s, logEvents=ok)
        too_big = ok[:3] + [{"timestamp": t, "message": "x" * 262119}]
        msg = self.error(self.logs.put_log_events, "InvalidParameterException",
                         logGroupName=g, logStreamName=s, logEvents=too_big)
        self.assertEqual(msg, "Upload too large: 1048577 bytes exceeds limit of 1048576")

    def test_more_than_10000_events_fails_validation(self):
        g, s = self.make_stream()
        t = now_ms()
        events = [{"timestamp": t, "message": "m"}] * 10001
        msg = self.error(self.raw.put_log_events, "InvalidParameterException",
                         logGroupName=g, logStreamName=s, logEvents=events)
        self.assertIn("Member must have length less than or equal to 10000", msg)

    def test_empty_message_fails_validation(self):
        g, s = self.make_stream()
        msg = self.error(self.raw.put_log_events, "InvalidParameterException",
                         logGroupName=g, logStreamName=s,
                         logEvents=[{"timestamp": now_ms(), "message": ""}])
        self.assertIn("Member must have length greater than or equal to 1", msg)

    def test_too_old_and_too_new_events_are_reported_not_stored(self):
        # 14 days in the past and 2 hours in the future are the limits; indices as documented:
        # tooOldLogEventEndIndex exclusive, tooNewLogEventStartIndex inclusive.
        g, s = self.make_stream()
        t = now_ms()
        events = [{"timestamp": t - 15 * DAY_MS + 10, "message": "old1"},
                  {"timestamp": t - 15 * DAY_MS + 20, "message": "old2"}]
        r = self.logs.put_log_events(logGroupName=g, logStreamName=s, logEvents=events)
        self.assertEqual(r["rejectedLogEventsInfo"], {"tooOldLogEventEndIndex": 2})
        events = [{"timestamp": t, "message": "now"},
                  {"timestamp": t + 3 * 3600 * 1000, "message": "future"}]
        r = self.logs.put_log_events(logGroupName=g, logStreamName=s, logEvents=events)
        self.assertEqual(r["rejectedLogEventsInfo"], {"tooNewLogEventStartIndex": 1})
        got = self.logs.get_log_events(logGroupName=g, logStreamName=s,
                                       startFromHead=True)["events"]
        self.assertEqual([e["message"] for e in got], ["now"])

    def test_events_older_than_retention_are_expired(self):
        g, s = self.make_stream()
        self.logs.put_retention_policy(logGroupName=g, retentionInDays=1)
        t = now_ms()
        events = [{"timestamp": t - 3 * DAY_MS, "message": "expired"},
                  {"timestamp": t - 3 * DAY_MS + 1, "message": "expired too"}]
        r = self.logs.put_log_events(logGroupName=g, logStreamName=s, logEvents=events)
        self.assertEqual(r["rejectedLogEventsInfo"], {"expiredLogEventEndIndex": 2})

    def test_retention_hides_older_events_from_reads(self):
        g, s = self.make_stream()
        t = now_ms()
        self.put(g, s, ["three days ago"], start=t - 3 * DAY_MS)
        self.put(g, s, ["today"], start=t - 1000)
        self.logs.put_retention_policy(logGroupName=g, retentionInDays=1)
        got = self.logs.get_log_events(logGroupName=g, logStreamName=s,
                                       startFromHead=True)["events"]
        self.assertEqual([e["message"] for e in got], ["today"])
        got = self.logs.filter_log_events(logGroupName=g, startTime=0)["events"]
        self.assertEqual([e["message"] for e in got], ["today"])

    def test_malformed_event_documents_are_answered_not_crashed(self):
        g, s = self.make_stream()
        for body in [{"logGroupName": g, "logStreamName": s, "logEvents": [{"message": "x"}]},
                     {"logGroupName": g, "logStreamName": s, "logEvents": "nope"},
                     {"logGroupName": g, "logStreamName": s, "logEvents": [5]},
                     {"logGroupName": g, "logStreamName": s,
                      "logEvents": [{"timestamp": "soon", "message": "x"}]},
                     {"logGroupName": g, "logStreamName": s,
                      "logEvents": [{"timestamp": -5, "message": "x"}]}]:
            status, _, payload = self.server.http(
                "POST", "/", body=json.dumps(body).encode(),
                headers={"X-Amz-Target": "Logs_20140328.PutLogEvents",
                         "Content-Type": "application/x-amz-json-1.1",
                         "Authorization": "AWS4-HMAC-SHA256 Credential=%s/20240101/us-east-1/"
                                          "logs/aws4_request, SignedHeaders=host, Signature=00"
                                          % ACCESS_KEY})
            self.assertEqual(status, 400, (body, payload))
            error_type = json.loads(payload)["__type"].split("#")[-1]
            self.assertIn(error_type, ("InvalidParameterException", "SerializationException"),
                          payload)


class GetLogEventsTest(LogsTestCase):
    def setUp(self):
        super().setUp()
        self.g, self.s = self.make_stream()
        self.t0 = now_ms() - 100000
        self.put(self.g, self.s, ["m%d" % i for i in range(10)], start=self.t0, step=10)

    def get(self, **kw):
        return self.logs.get_log_events(logGroupName=self.g, logStreamName=self.s, **kw)

    def test_without_start_from_head_returns_the_newest_events_in_order(self):
        r = self.get(limit=3)
        self.assertEqual([e["message"] for e in r["events"]], ["m7", "m8", "m9"])
        self.assertRegex(r["nextForwardToken"], r"^f/\d{56}/s$")
        self.assertRegex(r["nextBackwardToken"], r"^b/\d{56}/s$")

    def test_forward_paging_reaches_the_end_and_repeats_the_token(self):
        r = self.get(startFromHead=True, limit=4)
        seen = [e["message"] for e in r["events"]]
        token = r["nextForwardToken"]
        while True:
            r = self.get(startFromHead=True, limit=4, nextToken=token)
            if r["nextForwardToken"] == token:
                self.assertEqual(r["events"], [])
                break
            seen += [e["message"] for e in r["events"]]
            token = r["nextForwardToken"]
        self.assertEqual(seen, ["m%d" % i for i in range(10)])
        # New events appear on the next poll with the same token (what `get-log-events` polling
        # and CLI pagination rely on).
        self.put(self.g, self.s, ["late"], start=self.t0 + 1000)
        r = self.get(nextToken=token)
        self.assertEqual([e["message"] for e in r["events"]], ["late"])

    def test_backward_paging_walks_to_the_start(self):
        r = self.get(limit=4)
        seen = [e["message"] for e in r["events"]]
        token = r["nextBackwardToken"]
        while True:
            r = self.get(limit=4, nextToken=token)
            if r["nextBackwardToken"] == token:
                break
            seen = [e["message"] for e in r["events"]] + seen
            token = r["nextBackwardToken"]
        self.assertEqual(seen, ["m%d" % i for i in range(10)])

    def test_start_time_inclusive_end_time_exclusive(self):
        r = self.get(startFromHead=True, startTime=self.t0 + 20, endTime=self.t0 + 50)
        self.assertEqual([e["message"] for e in r["events"]], ["m2", "m3", "m4"])

    def test_malformed_token_is_invalid_parameter(self):
        for token in ["f/123", "x/" + "0" * 56, "garbage", "f/" + "9" * 56]:
            msg = self.error(self.get, "InvalidParameterException", nextToken=token)
            self.assertEqual(msg, "The specified nextToken is invalid.")

    def test_missing_stream_is_resource_not_found(self):
        msg = self.error(self.logs.get_log_events, "ResourceNotFoundException",
                         logGroupName=self.g, logStreamName="nope")
        self.assertEqual(msg, "The specified log stream does not exist.")

    def test_limit_above_10000_fails_validation(self):
        msg = self.error(self.raw.get_log_events, "InvalidParameterException",
                         logGroupName=self.g, logStreamName=self.s, limit=10001)
        self.assertIn("Member must have value less than or equal to 10000", msg)


class FilterLogEventsTest(LogsTestCase):
    def setUp(self):
        super().setUp()
        self.g = "svc"
        self.make_stream(self.g, "a")
        self.logs.create_log_stream(logGroupName=self.g, logStreamName="b")
        self.logs.create_log_stream(logGroupName=self.g, logStreamName="other")
        self.t = now_ms() - 60000
        self.logs.put_log_events(logGroupName=self.g, logStreamName="a", logEvents=[
            {"timestamp": self.t, "message": "ERROR disk full"},
            {"timestamp": self.t + 20, "message": '{"level": "ERROR", "latency": 900}'},
            {"timestamp": self.t + 40, "message": "INFO started"}])
        self.logs.put_log_events(logGroupName=self.g, logStreamName="b", logEvents=[
            {"timestamp": self.t + 10, "message": "WARN slow"},
            {"timestamp": self.t + 30, "message": '{"level": "INFO", "latency": 50}'}])
        self.logs.put_log_events(logGroupName=self.g, logStreamName="other", logEvents=[
            {"timestamp": self.t + 5, "message": "ERROR elsewhere"}])

    def messages(self, **kw):
        r = self.logs.filter_log_events(logGroupName=self.g, **kw)
        return [e["message"] for e in r["events"]]

    def test_events_of_all_streams_are_interleaved_by_time(self):
        r = self.logs.filter_log_events(logGroupName=self.g)
        self.assertEqual([(e["logStreamName"], e["timestamp"] - self.t) for e in r["events"]],
                         [("a", 0), ("other", 5), ("b", 10), ("a", 20), ("b", 30), ("a", 40)])
        for e in r["events"]:
            self.assertRegex(e["eventId"], r"^\d{56}$")
            self.assertIn("ingestionTime", e)
        self.assertEqual(len({e["eventId"] for e in r["events"]}), 6)
        self.assertNotIn("nextToken", r)

    def test_plain_terms_quoted_phrases_and_or_terms(self):
        self.assertEqual(self.messages(filterPattern="ERROR"),
                         ["ERROR disk full", "ERROR elsewhere",
                          '{"level": "ERROR", "latency": 900}'])
        self.assertEqual(self.messages(filterPattern="ERROR disk"), ["ERROR disk full"])
        self.assertEqual(self.messages(filterPattern='"disk full"'), ["ERROR disk full"])
        self.assertEqual(self.messages(filterPattern="?WARN ?INFO"),
                         ["WARN slow", '{"level": "INFO", "latency": 50}', "INFO started"])
        self.assertEqual(self.messages(filterPattern="ERROR -disk -level"), ["ERROR elsewhere"])

    def test_json_patterns(self):
        self.assertEqual(self.messages(filterPattern='{ $.level = "ERROR" }'),
                         ['{"level": "ERROR", "latency": 900}'])
        self.assertEqual(self.messages(filterPattern="{ $.latency < 100 }"),
                         ['{"level": "INFO", "latency": 50}'])
        self.assertEqual(
            self.messages(filterPattern='{ $.level = "INFO" || $.latency > 500 }'),
            ['{"level": "ERROR", "latency": 900}', '{"level": "INFO", "latency": 50}'])

    def test_stream_names_and_prefix_select_streams(self):
        self.assertEqual(self.messages(logStreamNames=["b"]),
                         ["WARN slow", '{"level": "INFO", "latency": 50}'])
        msg = self.error(self.logs.filter_log_events, "ResourceNotFoundException",
                         logGroupName=self.g, logStreamNames=["b", "missing"])
        self.assertEqual(msg, "The specified log stream does not exist.")
        self.assertEqual(self.messages(logStreamNamePrefix="oth"), ["ERROR elsewhere"])
        self.error(self.logs.filter_log_events, "InvalidParameterException",
                   logGroupName=self.g, logStreamNames=["a"], logStreamNamePrefix="a")

    def test_start_and_end_time_are_inclusive(self):
        self.assertEqual(self.messages(startTime=self.t + 10, endTime=self.t + 30),
                         ["WARN slow", '{"level": "ERROR", "latency": 900}',
                          '{"level": "INFO", "latency": 50}'])

    def test_paging_with_limit_visits_every_event_once(self):
        seen, token, pages = [], None, 0
        while True:
            kw = {"limit": 2}
            if token:
                kw["nextToken"] = token
            r = self.logs.filter_log_events(logGroupName=self.g, **kw)
            seen += [e["eventId"] for e in r["events"]]
            pages += 1
            token = r.get("nextToken")
            if not token:
                break
        self.assertEqual(len(seen), 6)
        self.assertEqual(len(set(seen)), 6)
        self.assertGreaterEqual(pages, 3)
        everything = self.logs.filter_log_events(logGroupName=self.g)["events"]
        self.assertEqual(seen, [e["eventId"] for e in everything])

    def test_events_with_equal_timestamps_page_without_loss(self):
        self.logs.create_log_stream(logGroupName=self.g, logStreamName="burst")
        same = now_ms() - 1000
        self.logs.put_log_events(logGroupName=self.g, logStreamName="burst", logEvents=[
            {"timestamp": same, "message": "burst %d" % i} for i in range(7)])
        seen, token = [], None
        while True:
            kw = {"limit": 3, "logStreamNames": ["burst"]}
            if token:
                kw["nextToken"] = token
            r = self.logs.filter_log_events(logGroupName=self.g, **kw)
            seen += [e["message"] for e in r["events"]]
            token = r.get("nextToken")
            if not token:
                break
        self.assertEqual(seen, ["burst %d" % i for i in range(7)])

    def test_invalid_patterns_are_invalid_parameter(self):
        msg = self.error(self.logs.filter_log_events, "InvalidParameterException",
                         logGroupName=self.g, filterPattern='{ $.level = "ERROR"')
        self.assertEqual(msg, "If a filter pattern starts with '{' it must end with '}'")
        for bad in ["{ $.level = }", '"unterminated', "[a, b", "{ ((( $.a = 1 }"]:
            msg = self.error(self.logs.filter_log_events, "InvalidParameterException",
                             logGroupName=self.g, filterPattern=bad)
            self.assertEqual(msg, "Invalid filter pattern")
        msg = self.error(self.logs.filter_log_events, "InvalidParameterException",
                         logGroupName=self.g, filterPattern="a@b")
        self.assertEqual(msg, "Invalid character(s) in term 'a@b'")

    def test_malformed_next_token_and_missing_group(self):
        for token in ["zzz", base64.b64encode(b"t1/short").decode()]:
            msg = self.error(self.logs.filter_log_events, "InvalidParameterException",
                             logGroupName=self.g, nextToken=token)
            self.assertEqual(msg, "The specified nextToken is invalid.")
        self.error(self.logs.filter_log_events, "ResourceNotFoundException", logGroupName="no")
        self.error(self.logs.filter_log_events, "InvalidParameterException")

    def test_log_group_identifier_is_accepted(self):
        r = self.logs.filter_log_events(
            logGroupIdentifier="arn:aws:logs:us-east-1:000000000000:log-group:svc",
            filterPattern="WARN")
        self.assertEqual([e["message"] for e in r["events"]], ["WARN slow"])


class LogGroupFieldsTest(LogsTestCase):
    def test_fields_of_recent_json_events_with_percentages(self):
        g, s = self.make_stream()
        self.put(g, s, ['{"level": "INFO", "user": {"id": 1}}', '{"level": "WARN"}',
                        "plain text", '{"level": "ERROR", "user": {"id": 2}}'],
                 start=now_ms() - 5000)
        fields = {f["name"]: f["percent"] for f in
                  self.logs.get_log_group_fields(logGroupName=g)["logGroupFields"]}
        self.assertEqual(fields, {"@ingestionTime": 100, "@log": 100, "@logStream": 100,
                                  "@message": 100, "@timestamp": 100, "level": 75,
                                  "user.id": 50})
        # `time` is in seconds: 8 minutes either side of it.
        old = self.logs.get_log_group_fields(logGroupName=g, time=int(time.time()) - 86400)
        self.assertEqual(old["logGroupFields"], [])
        around = self.logs.get_log_group_fields(logGroupName=g, time=int(time.time()) - 300)
        self.assertEqual(len(around["logGroupFields"]), 7)
        self.error(self.logs.get_log_group_fields, "ResourceNotFoundException",
                   logGroupName="missing")


class TagsTest(LogsTestCase):
    ARN = "arn:aws:logs:us-east-1:000000000000:log-group:tagged"

    def test_legacy_tag_log_group_operations(self):
        self.logs.create_log_group(logGroupName="tagged", tags={"a": "1"})
        self.logs.tag_log_group(logGroupName="tagged", tags={"b": "2"})
        self.assertEqual(self.logs.list_tags_log_group(logGroupName="tagged")["tags"],
                         {"a": "1", "b": "2"})
        self.logs.untag_log_group(logGroupName="tagged", tags=["a"])
        self.assertEqual(self.logs.list_tags_log_group(logGroupName="tagged")["tags"],
                         {"b": "2"})
        self.error(self.logs.list_tags_log_group, "ResourceNotFoundException", logGroupName="x")
        self.error(self.logs.tag_log_group, "ResourceNotFoundException", logGroupName="x",
                   tags={"a": "b"})

    def test_tag_resource_by_arn(self):
        self.logs.create_log_group(logGroupName="tagged")
        self.logs.tag_resource(resourceArn=self.ARN, tags={"env": "dev", "team": "x"})
        self.assertEqual(self.logs.list_tags_for_resource(resourceArn=self.ARN)["tags"],
                         {"env": "dev", "team": "x"})
        self.logs.untag_resource(resourceArn=self.ARN, tagKeys=["team"])
        self.assertEqual(self.logs.list_tags_for_resource(resourceArn=self.ARN)["tags"],
                         {"env": "dev"})
        self.error(self.logs.list_tags_for_resource, "ResourceNotFoundException",
                   resourceArn=self.ARN + "-missing")
        self.error(self.logs.tag_resource, "InvalidParameterException", resourceArn="bogus",
                   tags={"a": "b"})

    def test_more_than_50_tags_is_too_many_tags(self):
        self.logs.create_log_group(logGroupName="tagged",
                                   tags={"k%d" % i: "v" for i in range(40)})
        msg = self.error(self.logs.tag_resource, "TooManyTagsException", resourceArn=self.ARN,
                         tags={"n%d" % i: "v" for i in range(11)})
        self.assertEqual(msg, "A resource can have no more than 50 tags.")


class FiltersTest(LogsTestCase):
    def metric(self, name="errors", pattern="ERROR", group="app"):
        self.logs.put_metric_filter(
            logGroupName=group, filterName=name, filterPattern=pattern,
            metricTransformations=[{"metricName": "Errors", "metricNamespace": "App",
                                    "metricValue": "1"}])

    def test_metric_filters_are_stored_and_counted(self):
        self.logs.create_log_group(logGroupName="app")
        self.metric()
        self.metric("latency", "{ $.latency > 100 }")
        r = self.logs.describe_metric_filters(logGroupName="app")["metricFilters"]
        self.assertEqual([f["filterName"] for f in r], ["errors", "latency"])
        self.assertEqual(r[0]["metricTransformations"][0]["metricName"], "Errors")
        self.assertEqual(r[0]["logGroupName"], "app")
        self.assertIn("creationTime", r[0])
        self.assertEqual(self.logs.describe_log_groups()["logGroups"][0]["metricFilterCount"], 2)
        by_metric = self.logs.describe_metric_filters(metricName="Errors",
                                                      metricNamespace="App")["metricFilters"]
        self.assertEqual(len(by_metric), 2)
        self.error(self.logs.describe_metric_filters, "InvalidParameterException",
                   metricName="Errors")
        self.logs.delete_metric_filter(logGroupName="app", filterName="errors")
        msg = self.error(self.logs.delete_metric_filter, "ResourceNotFoundException",
                         logGroupName="app", filterName="errors")
        self.assertEqual(msg, "The specified metric filter does not exist.")

    def test_metric_filters_limit_is_100_per_group(self):
        self.logs.create_log_group(logGroupName="app")
        for i in range(100):
            self.metric("f%03d" % i)
        with self.assertRaises(ClientError) as ctx:
            self.metric("one-more")
        self.assertAwsError(ctx, "LimitExceededException", 400)
        self.metric("f000", "WARN")  # replacing an existing filter is allowed
        page = self.logs.describe_metric_filters(logGroupName="app", filterNamePrefix="f00")
        self.assertEqual([(f["filterName"], f["filterPattern"]) for f in page["metricFilters"]],
                         [("f00%d" % i, "WARN" if i == 0 else "ERROR") for i in range(10)])

    def test_metric_filter_errors(self):
        with self.assertRaises(ClientError) as ctx:
            self.metric(group="missing")
        self.assertAwsError(ctx, "ResourceNotFoundException", 400)
        self.logs.create_log_group(logGroupName="app")
        with self.assertRaises(ClientError) as ctx:
            self.metric(pattern="{ $.x = ")
        self.assertAwsError(ctx, "InvalidParameterException", 400)

    def test_subscription_filters_limit_is_two_per_group(self):
        self.logs.create_log_group(logGroupName="app")
        for name in ["one", "two"]:
            self.logs.put_subscription_filter(
                logGroupName="app", filterName=name, filterPattern="",
                destinationArn="arn:aws:lambda:us-east-1:000000000000:function:f")
        msg = self.error(self.logs.put_subscription_filter, "LimitExceededException",
                         logGroupName="app", filterName="three", filterPattern="",
                         destinationArn="arn:aws:lambda:us-east-1:000000000000:function:f")
        self.assertEqual(msg, "Resource limit exceeded.")
        # Replacing an existing filter is not a new one.
        self.logs.put_subscription_filter(
            logGroupName="app", filterName="two", filterPattern="ERROR",
            destinationArn="arn:aws:kinesis:us-east-1:000000000000:stream/s")
        subs = self.logs.describe_subscription_filters(logGroupName="app")["subscriptionFilters"]
        self.assertEqual([(f["filterName"], f["filterPattern"], f["distribution"]) for f in subs],
                         [("one", "", "ByLogStream"), ("two", "ERROR", "ByLogStream")])
        self.logs.delete_subscription_filter(logGroupName="app", filterName="one")
        msg = self.error(self.logs.delete_subscription_filter, "ResourceNotFoundException",
                         logGroupName="app", filterName="one")
        self.assertEqual(msg, "The specified subscription filter does not exist.")
        self.error(self.logs.describe_subscription_filters, "ResourceNotFoundException",
                   logGroupName="missing")

    def test_test_metric_filter_reports_matches_and_extracted_values(self):
        r = self.logs.test_metric_filter(
            filterPattern="[ip, user, status = 5*]",
            logEventMessages=["1.1.1.1 bob 500", "2.2.2.2 amy 200", "3.3.3.3 joe 503"])
        self.assertEqual([(m["eventNumber"], m["extractedValues"]["$status"])
                          for m in r["matches"]], [(1, "500"), (3, "503")])

    def test_queries_answer_not_implemented(self):
        with self.assertRaises(ClientError) as ctx:
            self.logs.start_query(logGroupName="app", startTime=0, endTime=1,
                                  queryString="fields @message")
        self.assertEqual(ctx.exception.response["Error"]["Code"], "NotImplementedException")


class DurabilityTest(unittest.TestCase):
    def test_events_and_metadata_survive_kill_9(self):
        data_dir = tempfile.mkdtemp(prefix="nimbus-logs-")
        self.addCleanup(shutil.rmtree, data_dir, True)
        server = NimbusServer(data_dir=data_dir).start()
        try:
            logs = server.client("logs")
            logs.create_log_group(logGroupName="durable", tags={"k": "v"})
            logs.put_retention_policy(logGroupName="durable", retentionInDays=30)
            logs.create_log_stream(logGroupName="durable", logStreamName="s")
            t = now_ms() - 1000
            logs.put_log_events(logGroupName="durable", logStreamName="s",
                                logEvents=[{"timestamp": t, "message": "before crash"}])
            server.kill9()
            server.start()
            logs = server.client("logs")
            g = logs.describe_log_groups()["logGroups"][0]
            self.assertEqual((g["logGroupName"], g["retentionInDays"]), ("durable", 30))
            self.assertEqual(logs.list_tags_log_group(logGroupName="durable")["tags"],
                             {"k": "v"})
            # New events after the restart do not collide with the old ones.
            logs.put_log_events(logGroupName="durable", logStreamName="s",
                                logEvents=[{"timestamp": t, "message": "after restart"}])
            got = logs.get_log_events(logGroupName="durable", logStreamName="s",
                                      startFromHead=True)["events"]
            self.assertEqual([e["message"] for e in got], ["before crash", "after restart"])
            stream = logs.describe_log_streams(logGroupName="durable")["logStreams"][0]
            self.assertEqual(stream["lastEventTimestamp"], t)
        finally:
            server.cleanup()


class CliTest(LogsTestCase):
    def test_cli_create_put_get_filter(self):
        aws = self.server.aws
        aws("logs", "create-log-group", "--log-group-name", "/cli/app")
        aws("logs", "create-log-stream", "--log-group-name", "/cli/app",
            "--log-stream-name", "main")
        t = now_ms() - 5000
        events = [{"timestamp": t + i, "message": m}
                  for i, m in enumerate(["INFO boot", "ERROR failed", "INFO done"])]
        _, out, _ = aws("logs", "put-log-events", "--log-group-name", "/cli/app",
                        "--log-stream-name", "main", "--log-events", json.dumps(events))
        self.assertIn("nextSequenceToken", out)
        _, out, _ = aws("logs", "get-log-events", "--log-group-name", "/cli/app",
                        "--log-stream-name", "main", "--start-from-head")
        self.assertEqual([e["message"] for e in out["events"]],
                         ["INFO boot", "ERROR failed", "INFO done"])
        _, out, _ = aws("logs", "filter-log-events", "--log-group-name", "/cli/app",
                        "--filter-pattern", "ERROR")
        self.assertEqual([e["message"] for e in out["events"]], ["ERROR failed"])
        code, _, err = aws("logs", "create-log-group", "--log-group-name", "/cli/app",
                           check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("ResourceAlreadyExistsException", err)

    def test_cli_filter_paginates_across_pages(self):
        g, s = self.make_stream("many", "s")
        self.put(g, s, ["line %03d" % i for i in range(120)], start=now_ms() - 10000)
        _, out, _ = self.server.aws("logs", "filter-log-events", "--log-group-name", g,
                                    "--page-size", "25")
        self.assertEqual([e["message"] for e in out["events"]],
                         ["line %03d" % i for i in range(120)])

    @unittest.skipUnless(aws_cli_v2(), "`aws logs tail` needs AWS CLI v2 (Debian package awscli)")
    def test_aws_logs_tail_prints_recent_events(self):
        g, _ = self.make_stream("/aws/lambda/tailed", "2024/01/01/[$LATEST]aaa")
        self.logs.create_log_stream(logGroupName=g, logStreamName="2024/01/01/[$LATEST]bbb")
        t = now_ms() - 30000
        self.put(g, "2024/01/01/[$LATEST]aaa", ["START RequestId: 1", "END RequestId: 1"],
                 start=t, step=2)
        self.put(g, "2024/01/01/[$LATEST]bbb", ["hello from bbb"], start=t + 1)
        self.put(g, "2024/01/01/[$LATEST]aaa", ["way too old for --since 10m"],
                 start=now_ms() - 3600 * 1000)
        env = dict(os.environ, AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY,
                   AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
        env.pop("AWS_PROFILE", None)
        proc = subprocess.run([aws_cli_v2(), "--endpoint-url", self.server.endpoint, "logs",
                               "tail", g, "--format", "short"],
                              capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        lines = [line.split(" ", 1)[1] for line in proc.stdout.splitlines()]
        self.assertEqual(lines, ["START RequestId: 1", "hello from bbb", "END RequestId: 1"])
        proc = subprocess.run([aws_cli_v2(), "--endpoint-url", self.server.endpoint, "logs",
                               "tail", g, "--filter-pattern", "hello"],
                              capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(len(proc.stdout.splitlines()), 1)
        self.assertTrue(proc.stdout.rstrip().endswith("2024/01/01/[$LATEST]bbb hello from bbb"),
                        proc.stdout)


    @unittest.skipUnless(aws_cli_v2(), "`aws logs tail` needs AWS CLI v2 (Debian package awscli)")
    def test_aws_logs_tail_follow_prints_new_events_once(self):
        # `tail --follow` polls FilterLogEvents every 5 s from the newest timestamp it has seen
        # and drops events whose eventId it already printed: ids must be stable across calls.
        g, s = self.make_stream("/aws/lambda/follow", "s")
        self.put(g, s, ["first"], start=now_ms() - 1000)
        env = dict(os.environ, AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY,
                   AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
        env.pop("AWS_PROFILE", None)
        proc = subprocess.Popen([aws_cli_v2(), "--endpoint-url", self.server.endpoint, "logs",
                                 "tail", g, "--follow", "--format", "short"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                env=env)
        lines = queue.Queue()
        reader = threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout],
                                  daemon=True)
        reader.start()
        try:
            self.assertEqual(lines.get(timeout=30).rstrip().split(" ", 1)[1], "first")
            self.put(g, s, ["second", "third"], start=now_ms())
            got = [lines.get(timeout=30).rstrip().split(" ", 1)[1] for _ in range(2)]
            self.assertEqual(got, ["second", "third"])
            with self.assertRaises(queue.Empty):
                lines.get(timeout=6)  # the next poll repeats nothing
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            reader.join(timeout=10)


if __name__ == "__main__":
    unittest.main()
