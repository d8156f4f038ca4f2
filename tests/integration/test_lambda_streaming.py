"""InvokeWithResponseStream: the answer as an event stream (PayloadChunk events, then
InvokeComplete), read by boto3's event stream parser, which checks every message's CRCs.
Node handlers stream through `awslambda.streamifyResponse`; other handlers' answers come as one
chunk. Errors raised after streaming began reach InvokeComplete's ErrorCode/ErrorDetails.
As on AWS, each chunk reaches the client as the function writes it (the event stream goes out
with chunked transfer encoding): a chunk written before a pause arrives before the pause ends,
whether Node's runtime client or a custom runtime posting its own chunks and trailers streams it.
Function URLs in RESPONSE_STREAM mode stream the same way, with the status and headers of the
prelude `awslambda.HttpResponseStream.from` writes. A client that goes away mid-stream leaves
the function to finish; its environment stays warm for the next invocation."""
import base64
import http.client
import json
import socket
import sys
import time

import botocore.exceptions

from test_lambda_support import PYTHON_RUNTIME, LambdaTestCase

STREAMER = r'''
exports.handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  responseStream.setContentType("text/plain");
  for (const part of event.parts || []) {
    responseStream.write(part);
    await new Promise((r) => setTimeout(r, 5));
  }
  if (event.big) responseStream.write(Buffer.alloc(event.big, 0x61));
  console.log("streamed for", context.awsRequestId);
  if (event.fail) throw new RangeError("broke after " + (event.parts || []).length);
  responseStream.end();
});
'''

# Writes "first ", pauses, then "second" (or fails, or writes `big` more bytes) and ends.
SLOW = r'''
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.setContentType("text/plain");
  responseStream.write("first ");
  await new Promise((r) => setTimeout(r, event.pause));
  if (event.fail) throw new TypeError("late failure");
  for (let left = event.big || 0; left > 0; left -= 65536)
    responseStream.write(Buffer.alloc(Math.min(left, 65536), 0x62));
  responseStream.write("second");
  responseStream.end();
});
'''

# A function URL's streamed answer: the HTTP prelude, a first event, a pause, a second event.
URL_STREAMER = r'''
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const path = event.rawPath;
  if (path === "/fail") throw new Error("failed before any byte");
  if (path === "/badprelude") {
    responseStream.setContentType("application/vnd.awslambda.http-integration-response");
    responseStream.write("{not json");
    responseStream.write(Buffer.alloc(8));
    responseStream.write("body");
    responseStream.end();
    return;
  }
  if (path === "/plain") {
    responseStream.setContentType("text/plain");
    responseStream.write("no prelude");
    responseStream.end();
    return;
  }
  const out = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 201,
    headers: {"content-type": "text/event-stream", "x-custom": "yes"},
    cookies: ["a=1; Path=/"],
  });
  out.write("data: one\n\n");
  await new Promise((r) => setTimeout(r, 1500));
  out.write("data: two\n\n");
  out.end();
});
'''

# A custom runtime that streams its answer itself: a chunked POST with
# "Lambda-Runtime-Function-Response-Mode: streaming", a chunk per part with a pause between, and
# the error (if asked) in the trailers.
CUSTOM_BOOTSTRAP = r'''#!/usr/bin/env python3
import base64, http.client, json, os, socket, time
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
api = http.client.HTTPConnection(host, int(port))
while True:
    api.request("GET", "/2018-06-01/runtime/invocation/next")
    r = api.getresponse()
    event = json.loads(r.read())
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    s = socket.create_connection((host, int(port)))
    s.sendall(("POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: %s\r\n"
               "Lambda-Runtime-Function-Response-Mode: streaming\r\n"
               "Transfer-Encoding: chunked\r\nContent-Type: text/plain\r\n"
               "Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body"
               "\r\n\r\n" % (rid, host)).encode())
    for i, part in enumerate(event["parts"]):
        if i:
            time.sleep(event["pause"])
        data = part.encode()
        s.sendall(b"%x\r\n%s\r\n" % (len(data), data))
    end = b"0\r\n"
    if event.get("fail"):
        doc = json.dumps({"errorType": "Custom.Failure", "errorMessage": "gave up"}).encode()
        end += (b"Lambda-Runtime-Function-Error-Type: Custom.Failure\r\n"
                b"Lambda-Runtime-Function-Error-Body: " + base64.b64encode(doc) + b"\r\n")
    s.sendall(end + b"\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += s.recv(4096)
    s.close()
'''

PY_ECHO = "def handler(event, context):\n    if event.get('fail'):\n" \
          "        raise ValueError('no good')\n    return {'echo': event}\n"


def read(resp):
    """(bytes of every PayloadChunk, list of chunk sizes, the InvokeComplete event)."""
    data, sizes, complete = b"", [], None
    for event in resp["EventStream"]:
        if "PayloadChunk" in event:
            chunk = event["PayloadChunk"]["Payload"]
            sizes.append(len(chunk))
            data += chunk
        elif "InvokeComplete" in event:
            complete = event["InvokeComplete"]
    return data, sizes, complete


class ResponseStreamingTest(LambdaTestCase):
    def setUp(self):
        super().setUp()
        self.create("streamer", {"index.js": STREAMER}, "index.handler", runtime="nodejs20.x")
        self.create("plain", {"app.py": PY_ECHO}, "app.handler", runtime=PYTHON_RUNTIME)

    def stream(self, name, event, **kw):
        return self.lam.invoke_with_response_stream(FunctionName=name,
                                                    Payload=json.dumps(event).encode(), **kw)

    def test_streamed_chunks_and_completion(self):
        resp = self.stream("streamer", {"parts": ["hello ", "streaming ", "world"]})
        self.assertEqual(resp["StatusCode"], 200)
        self.assertEqual(resp["ExecutedVersion"], "$LATEST")
        self.assertEqual(resp["ResponseStreamContentType"], "application/vnd.amazon.eventstream")
        data, _, complete = read(resp)
        self.assertEqual(data, b"hello streaming world")
        self.assertEqual(complete, {})

    def test_large_stream_comes_in_several_chunks(self):
        data, sizes, complete = read(self.stream("streamer", {"big": 1 << 20}))
        self.assertEqual(data, b"a" * (1 << 20))
        self.assertGreater(len(sizes), 1)
        self.assertEqual(complete, {})

    def test_error_after_streaming_began(self):
        data, _, complete = read(self.stream("streamer", {"parts": ["a", "b"], "fail": True}))
        self.assertEqual(data, b"ab")
        self.assertEqual(complete["ErrorCode"], "RangeError")
        details = json.loads(complete["ErrorDetails"])
        self.assertEqual(details["errorType"], "RangeError")
        self.assertEqual(details["errorMessage"], "broke after 2")

    def test_log_tail(self):
        _, _, complete = read(self.stream("streamer", {"parts": ["x"]}, LogType="Tail"))
        log = base64.b64decode(complete["LogResult"]).decode()
        self.assertIn("START RequestId:", log)
        self.assertIn("streamed for", log)
        self.assertIn("REPORT RequestId:", log)

    def test_buffered_handler_is_one_chunk(self):
        data, sizes, complete = read(self.stream("plain", {"k": 1}))
        self.assertEqual(json.loads(data), {"echo": {"k": 1}})
        self.assertEqual(len(sizes), 1)
        self.assertEqual(complete, {})

    def test_function_error_before_any_chunk(self):
        data, sizes, complete = read(self.stream("plain", {"fail": True}))
        self.assertEqual((data, sizes), (b"", []))
        self.assertEqual(complete["ErrorCode"], "Unhandled")
        err = json.loads(complete["ErrorDetails"])
        self.assertEqual((err["errorType"], err["errorMessage"]), ("ValueError", "no good"))

    def test_plain_invoke_of_a_streaming_handler_buffers(self):
        resp = self.lam.invoke(FunctionName="streamer", Payload=b'{"parts": ["p", "q"]}')
        self.assertNotIn("FunctionError", resp)
        self.assertEqual(resp["Payload"].read(), b"pq")

    def test_dry_run_missing_function_and_bad_payload(self):
        resp = self.lam.invoke_with_response_stream(FunctionName="streamer",
                                                    InvocationType="DryRun")
        self.assertEqual(resp["StatusCode"], 204)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.invoke_with_response_stream(FunctionName="nowhere", Payload=b"{}")
        self.assertAwsError(ctx, "ResourceNotFoundException", 404)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.invoke_with_response_stream(FunctionName="streamer", Payload=b"{not json")
        self.assertAwsError(ctx, "InvalidRequestContentException", 400)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.invoke_with_response_stream(FunctionName="streamer",
                                                 Payload=b'"' + b"x" * (7 << 20) + b'"')
        self.assertAwsError(ctx, "RequestTooLargeException", 413)


def timed_events(resp, t0):
    """[(seconds since t0, event name, event)] as the events arrive."""
    out = []
    for event in resp["EventStream"]:
        name = next(iter(event))
        out.append((time.monotonic() - t0, name, event[name]))
    return out


class ProgressiveStreamingTest(LambdaTestCase):
    """Chunks travel as the function writes them, not when it ends."""

    def setUp(self):
        super().setUp()
        self.create("slow", {"index.js": SLOW}, "index.handler", runtime="nodejs20.x", Timeout=30)
        # A warm environment, so the timings below measure streaming, not a cold start.
        read(self.stream("slow", {"pause": 0}))

    def stream(self, name, event, **kw):
        return self.lam.invoke_with_response_stream(FunctionName=name,
                                                    Payload=json.dumps(event).encode(), **kw)

    def test_first_chunk_arrives_before_the_pause_ends(self):
        t0 = time.monotonic()
        resp = self.stream("slow", {"pause": 1500})
        headers_at = time.monotonic() - t0
        self.assertEqual(resp["ResponseMetadata"]["HTTPHeaders"]["transfer-encoding"], "chunked")
        events = timed_events(resp, t0)
        self.assertEqual([name for _, name, _ in events],
                         ["PayloadChunk", "PayloadChunk", "InvokeComplete"])
        (first_at, _, first), (second_at, _, second), (done_at, _, complete) = events
        sys.stderr.write("\n  headers %.3f s, chunk 1 %.3f s, chunk 2 %.3f s, complete %.3f s\n"
                         % (headers_at, first_at, second_at, done_at))
        self.assertEqual(first["Payload"], b"first ")
        self.assertEqual(second["Payload"], b"second")
        self.assertEqual(complete, {})
        self.assertLess(first_at, 0.7)
        self.assertGreater(second_at - first_at, 1.2)

    def test_error_after_a_pause_comes_after_the_first_chunk(self):
        t0 = time.monotonic()
        events = timed_events(self.stream("slow", {"pause": 1000, "fail": True},
                                          LogType="Tail"), t0)
        self.assertEqual([name for _, name, _ in events], ["PayloadChunk", "InvokeComplete"])
        (first_at, _, first), (done_at, _, complete) = events
        self.assertEqual(first["Payload"], b"first ")
        self.assertLess(first_at, 0.7)
        self.assertGreater(done_at - first_at, 0.7)
        self.assertEqual(complete["ErrorCode"], "TypeError")
        details = json.loads(complete["ErrorDetails"])
        self.assertEqual((details["errorType"], details["errorMessage"]),
                         ("TypeError", "late failure"))
        log = base64.b64decode(complete["LogResult"]).decode()
        self.assertIn("late failure", log)
        self.assertIn("REPORT RequestId:", log)

    def test_custom_runtime_streams_chunk_by_chunk_with_trailers(self):
        self.create("custom", {"bootstrap": CUSTOM_BOOTSTRAP}, "x", runtime="provided.al2023",
                    modes={"bootstrap": 0o755}, Timeout=30)
        read(self.stream("custom", {"parts": ["warm"], "pause": 0}))
        t0 = time.monotonic()
        events = timed_events(self.stream("custom", {"parts": ["a", "b", "c"], "pause": 0.8}),
                              t0)
        self.assertEqual([(name, e.get("Payload")) for _, name, e in events],
                         [("PayloadChunk", b"a"), ("PayloadChunk", b"b"),
                          ("PayloadChunk", b"c"), ("InvokeComplete", None)])
        times = [at for at, _, _ in events]
        sys.stderr.write("\n  chunks at %s s\n" % ", ".join("%.3f" % at for at in times))
        self.assertLess(times[0], 0.5)
        self.assertGreater(times[1] - times[0], 0.6)
        self.assertGreater(times[2] - times[1], 0.6)
        self.assertEqual(events[3][2], {})
        data, _, complete = read(self.stream("custom", {"parts": ["x", "y"], "pause": 0,
                                                        "fail": True}))
        self.assertEqual(data, b"xy")
        self.assertEqual(complete["ErrorCode"], "Custom.Failure")
        self.assertEqual(json.loads(complete["ErrorDetails"]),
                         {"errorType": "Custom.Failure", "errorMessage": "gave up"})

    def wait_for_report(self, request_id, timeout=15):
        """Waits for the REPORT line of an invocation in the function's log."""
        logs = self.client("logs")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                found = logs.filter_log_events(logGroupName="/aws/lambda/slow",
                                               filterPattern='"REPORT RequestId: %s"' % request_id)
                if found["events"]:
                    return
            except logs.exceptions.ResourceNotFoundException:
                pass
            time.sleep(0.1)
        self.fail("no REPORT for %s" % request_id)

    def test_client_gone_mid_stream_then_the_function_is_invoked_again(self):
        for big in (0, 8 << 20):
            resp = self.stream("slow", {"pause": 500, "big": big})
            events = resp["EventStream"]
            first = next(iter(events))
            self.assertEqual(first["PayloadChunk"]["Payload"], b"first ")
            request_id = resp["ResponseMetadata"]["RequestId"]
            events.close()  # the connection goes away while the function pauses
            self.wait_for_report(request_id)
            # The function finished and its environment is warm again: no Init Duration.
            again = self.lam.invoke(FunctionName="slow", LogType="Tail",
                                    Payload=json.dumps({"pause": 0}).encode())
            self.assertNotIn("FunctionError", again)
            self.assertEqual(again["Payload"].read(), b"first second")
            report = base64.b64decode(again["LogResult"]).decode()
            self.assertIn("REPORT RequestId:", report)
            self.assertNotIn("Init Duration", report)
        data, _, complete = read(self.stream("slow", {"pause": 0}))
        self.assertEqual((data, complete), (b"first second", {}))


class StreamingUrlTest(LambdaTestCase):
    """Function URLs with InvokeMode RESPONSE_STREAM answer progressively."""

    def setUp(self):
        super().setUp()
        self.create("urlstream", {"index.js": URL_STREAMER}, "index.handler",
                    runtime="nodejs20.x", Timeout=30)
        self.create("urlplain", {"app.py": PY_ECHO}, "app.handler", runtime=PYTHON_RUNTIME)
        self.hosts = {}
        for name in ("urlstream", "urlplain"):
            url = self.lam.create_function_url_config(FunctionName=name, AuthType="NONE",
                                                      InvokeMode="RESPONSE_STREAM")["FunctionUrl"]
            self.hosts[name] = "%s.lambda-url.us-east-1.localhost:%d" % (
                url.split("//")[1].split(".")[0], self.server.port)
        self.get("urlstream", "/plain")  # warm

    def open(self, name, path):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        conn.request("GET", path, headers={"Host": self.hosts[name]})
        return conn, conn.getresponse()

    def get(self, name, path):
        conn, r = self.open(name, path)
        out = (r.status, r.headers, r.read())
        conn.close()
        return out

    def test_prelude_status_headers_then_body_as_written(self):
        t0 = time.monotonic()
        conn, r = self.open("urlstream", "/events")
        headers_at = time.monotonic() - t0
        self.assertEqual(r.status, 201)
        self.assertEqual(r.headers["content-type"], "text/event-stream")
        self.assertEqual(r.headers["x-custom"], "yes")
        self.assertEqual(r.headers["set-cookie"], "a=1; Path=/")
        self.assertEqual(r.headers["transfer-encoding"], "chunked")
        self.assertTrue(r.headers["x-amzn-RequestId"])
        first = r.read1(65536)
        first_at = time.monotonic() - t0
        rest = r.read()
        rest_at = time.monotonic() - t0
        conn.close()
        sys.stderr.write("\n  headers %.3f s, first bytes %.3f s, rest %.3f s\n"
                         % (headers_at, first_at, rest_at))
        self.assertEqual(first, b"data: one\n\n")
        self.assertEqual(rest, b"data: two\n\n")
        self.assertLess(first_at, 0.7)
        self.assertGreater(rest_at - first_at, 1.2)

    def test_without_prelude_the_declared_content_type(self):
        status, headers, body = self.get("urlstream", "/plain")
        self.assertEqual((status, headers["content-type"], body), (200, "text/plain", b"no prelude"))

    def test_failure_before_any_byte_is_502(self):
        status, _, body = self.get("urlstream", "/fail")
        self.assertEqual((status, body), (502, b"Internal Server Error"))

    def test_malformed_prelude_is_502_and_the_function_still_works(self):
        status, _, body = self.get("urlstream", "/badprelude")
        self.assertEqual((status, body), (502, b"Internal Server Error"))
        status, _, body = self.get("urlstream", "/plain")
        self.assertEqual((status, body), (200, b"no prelude"))

    def test_buffered_handler_answers_as_in_buffered_mode(self):
        status, headers, body = self.get("urlplain", "/x")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["echo"]["rawPath"], "/x")

    def test_http10_client_gets_the_body_until_the_connection_closes(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=30) as sock:
            sock.sendall(("GET /events HTTP/1.0\r\nHost: %s\r\n\r\n"
                          % self.hosts["urlstream"]).encode())
            answer = b""
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
        head, _, body = answer.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.0 201"), head)
        self.assertNotIn(b"chunked", head.lower())
        self.assertEqual(body, b"data: one\n\ndata: two\n\n")

    def test_client_gone_mid_stream_then_again(self):
        conn, r = self.open("urlstream", "/events")
        self.assertEqual(r.read1(65536), b"data: one\n\n")
        conn.close()
        time.sleep(2.0)
        status, _, body = self.get("urlstream", "/events")
        self.assertEqual((status, body), (201, b"data: one\n\ndata: two\n\n"))
