"""InvokeWithResponseStream: the answer as an event stream (PayloadChunk events, then
InvokeComplete), read by boto3's event stream parser, which checks every message's CRCs.
Node handlers stream through `awslambda.streamifyResponse`; other handlers' answers come as one
chunk. Errors raised after streaming began reach InvokeComplete's ErrorCode/ErrorDetails."""
import base64
import json

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
