"""Lambda Invoke with real runtimes (Python, Node.js, a provided.al2023 shell bootstrap): the
event and context a handler sees, the standard environment, SDK calls from inside a handler back
to nimbus, thrown errors, init errors, timeouts, memory limits, LogType=Tail, Event and DryRun,
as AWS answers them (developer guide: "Invoke", "Lambda runtime API", "Troubleshoot invocation")."""
import base64
import json
import os
import tempfile
import time
import unittest

import botocore.exceptions

from test_lambda_support import JS_NODE_MODULES, PYTHON_RUNTIME, LambdaTestCase, make_zip

PY_ECHO = """
import os
def handler(event, context):
    print("echo", event)
    env = {k: os.environ.get(k) for k in (
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_REGION", "AWS_DEFAULT_REGION", "_HANDLER",
        "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ", "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API",
        "AWS_ENDPOINT_URL", "GREETING")}
    return {"event": event, "request_id": context.aws_request_id,
            "function_name": context.function_name,
            "function_version": context.function_version,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "invoked_function_arn": context.invoked_function_arn,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "remaining": context.get_remaining_time_in_millis(),
            "env": env, "cwd": os.getcwd()}
"""

PY_SDK = """
import boto3
def handler(event, context):
    me = boto3.client("sts").get_caller_identity()
    return {"Account": me["Account"], "Arn": me["Arn"]}
"""

PY_THROW = """
def handler(event, context):
    raise ValueError("bad input: " + str(event.get("n")))
"""

PY_SLOW = """
import time
def handler(event, context):
    time.sleep(event.get("sleep", 5))
    return "done"
"""

PY_HOG = """
def handler(event, context):
    blocks = []
    for _ in range(64):
        blocks.append(bytearray(16 << 20))
    return len(blocks)
"""

PY_COUNTER = """
count = 0
def handler(event, context):
    global count
    count += 1
    return count
"""

NODE_CJS = """
exports.handler = async (event, context) => {
  console.log('echo', JSON.stringify(event));
  return { event, awsRequestId: context.awsRequestId, functionName: context.functionName,
           memoryLimitInMB: context.memoryLimitInMB,
           invokedFunctionArn: context.invokedFunctionArn,
           remaining: context.getRemainingTimeInMillis(),
           handlerEnv: process.env._HANDLER, region: process.env.AWS_REGION };
};
"""

NODE_ESM = """
export const handler = async (event, context) => ({ esm: true, event,
  requestId: context.awsRequestId });
"""

NODE_CALLBACK = """
exports.handler = function (event, context, callback) {
  setTimeout(() => callback(null, { callback: true, n: event.n }), 10);
};
"""

NODE_THROW = """
exports.handler = async () => { throw new TypeError('not a number'); };
"""

# Work a handler leaves behind (a timer, an immediate, a next tick) runs between invocations at
# the latest; each invocation returns what ran so far.
NODE_LEFTOVERS = """
const ran = [];
let n = 0;
exports.handler = async () => {
  n += 1;
  const seen = ran.slice();
  const tag = n;
  setTimeout(() => ran.push('timeout-' + tag), 1);
  setImmediate(() => ran.push('immediate-' + tag));
  process.nextTick(() => ran.push('tick-' + tag));
  return { n, seen, fd: process.env._NIMBUS_RUNTIME_API_FD ?? null,
           runtimeVars: Object.keys(process.env).filter((k) => k.startsWith('_NIMBUS')) };
};
"""

NODE_BIG = """
exports.handler = (event, context, callback) => {
  callback(null, { echo: event.s, length: event.s.length, pad: 'é'.repeat(event.pad) });
};
"""

NODE_SDK = """
const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
exports.handler = async () => {
  const me = await new STSClient({}).send(new GetCallerIdentityCommand({}));
  return { Account: me.Account, Arn: me.Arn };
};
"""

SHELL_BOOTSTRAP = """#!/bin/sh
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT="$(curl -sS -D "$HEADERS" "$API/invocation/next")"
  ID="$(grep -i Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)"
  curl -sS -X POST "$API/invocation/$ID/response" \
    -d "{\\"shell\\": true, \\"handler\\": \\"$_HANDLER\\", \\"event\\": $EVENT}" >/dev/null
done
"""


def payload(resp):
    return json.loads(resp["Payload"].read())


class PythonRuntimeTest(LambdaTestCase):
    def test_echo_event_context_and_environment(self):
        self.create("py-echo", {"app.py": PY_ECHO}, "app.handler", MemorySize=256, Timeout=30,
                    Environment={"Variables": {"GREETING": "hi"}})
        resp = self.lam.invoke(FunctionName="py-echo", Payload=json.dumps({"a": 1}))
        self.assertEqual(resp["StatusCode"], 200)
        self.assertNotIn("FunctionError", resp)
        self.assertEqual(resp["ExecutedVersion"], "$LATEST")
        out = payload(resp)
        self.assertEqual(out["event"], {"a": 1})
        self.assertEqual(out["request_id"], resp["ResponseMetadata"]["RequestId"])
        self.assertEqual(out["function_name"], "py-echo")
        self.assertEqual(out["function_version"], "$LATEST")
        self.assertEqual(out["memory_limit_in_mb"], 256)
        self.assertEqual(out["invoked_function_arn"],
                         "arn:aws:lambda:us-east-1:000000000000:function:py-echo")
        self.assertEqual(out["log_group_name"], "/aws/lambda/py-echo")
        self.assertRegex(out["log_stream_name"], r"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$")
        self.assertTrue(25000 < out["remaining"] <= 30000, out["remaining"])
        env = out["env"]
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_NAME"], "py-echo")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256")
        self.assertEqual(env["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/py-echo")
        self.assertEqual(env["AWS_LAMBDA_LOG_STREAM_NAME"], out["log_stream_name"])
        self.assertEqual(env["AWS_REGION"], "us-east-1")
        self.assertEqual(env["AWS_DEFAULT_REGION"], "us-east-1")
        self.assertEqual(env["_HANDLER"], "app.handler")
        self.assertEqual(env["TZ"], ":UTC")
        self.assertEqual(env["GREETING"], "hi")
        self.assertTrue(env["AWS_ACCESS_KEY_ID"].startswith("ASIA"))
        self.assertTrue(env["AWS_SECRET_ACCESS_KEY"] and env["AWS_SESSION_TOKEN"])
        self.assertRegex(env["AWS_LAMBDA_RUNTIME_API"], r"^127\.0\.0\.1:\d+$")
        self.assertEqual(env["AWS_ENDPOINT_URL"], self.server.endpoint)
        self.assertEqual(out["cwd"], env["LAMBDA_TASK_ROOT"])
        if "bubblewrap" in self.server_log():
            self.assertEqual(env["LAMBDA_TASK_ROOT"], "/var/task")
            self.assertEqual(env["LAMBDA_RUNTIME_DIR"], "/var/runtime")

    def test_client_context_reaches_the_handler(self):
        code = ("def handler(event, context):\n"
                "    cc = context.client_context\n"
                "    return {'custom': cc.custom, 'env': cc.env,\n"
                "            'app': cc.client.app_title}\n")
        self.create("py-cc", {"app.py": code}, "app.handler")
        cc = {"client": {"app_title": "demo"}, "custom": {"k": "v"}, "env": {"locale": "en"}}
        resp = self.lam.invoke(FunctionName="py-cc",
                               ClientContext=base64.b64encode(json.dumps(cc).encode()).decode())
        self.assertEqual(payload(resp), {"custom": {"k": "v"}, "env": {"locale": "en"},
                                         "app": "demo"})

    def test_warm_environment_is_reused(self):
        self.create("py-counter", {"app.py": PY_COUNTER}, "app.handler")
        counts = [payload(self.lam.invoke(FunctionName="py-counter")) for _ in range(3)]
        self.assertEqual(counts, [1, 2, 3])

    def test_updating_code_starts_a_new_environment(self):
        self.create("py-update", {"app.py": PY_COUNTER}, "app.handler")
        self.assertEqual(payload(self.lam.invoke(FunctionName="py-update")), 1)
        self.lam.update_function_code(
            FunctionName="py-update",
            ZipFile=make_zip({"app.py": "def handler(e, c):\n    return 'v2'\n"}))
        self.assertEqual(payload(self.lam.invoke(FunctionName="py-update")), "v2")

    def test_handler_calls_nimbus_through_the_sdk(self):
        self.create("py-sdk", {"app.py": PY_SDK}, "app.handler", Timeout=30)
        resp = self.lam.invoke(FunctionName="py-sdk")
        self.assertNotIn("FunctionError", resp)
        out = payload(resp)
        self.assertEqual(out["Account"], "000000000000")
        self.assertEqual(out["Arn"],
                         "arn:aws:sts::000000000000:assumed-role/lambda-role/py-sdk")

    def test_thrown_error_is_reported_unhandled(self):
        self.create("py-throw", {"app.py": PY_THROW}, "app.handler")
        resp = self.lam.invoke(FunctionName="py-throw", Payload=b'{"n": 7}', LogType="Tail")
        self.assertEqual(resp["StatusCode"], 200)
        self.assertEqual(resp["FunctionError"], "Unhandled")
        err = payload(resp)
        self.assertEqual(err["errorType"], "ValueError")
        self.assertEqual(err["errorMessage"], "bad input: 7")
        self.assertTrue(any("raise ValueError" in line for line in err["stackTrace"]))
        log = base64.b64decode(resp["LogResult"]).decode()
        self.assertIn("[ERROR] ValueError: bad input: 7", log)
        self.assertIn("END RequestId: " + resp["ResponseMetadata"]["RequestId"], log)

    def test_import_error_is_an_init_error(self):
        self.create("py-init", {"app.py": "import no_such_module\n"}, "app.handler")
        resp = self.lam.invoke(FunctionName="py-init")
        self.assertEqual(resp["FunctionError"], "Unhandled")
        err = payload(resp)
        self.assertEqual(err["errorType"], "Runtime.ImportModuleError")
        self.assertEqual(err["errorMessage"],
                         "Unable to import module 'app': No module named 'no_such_module'")

    def test_missing_handler_function(self):
        self.create("py-nohandler", {"app.py": "x = 1\n"}, "app.main")
        err = payload(self.lam.invoke(FunctionName="py-nohandler"))
        self.assertEqual(err["errorType"], "Runtime.HandlerNotFound")
        self.assertEqual(err["errorMessage"], "Handler 'main' missing on module 'app'")

    def test_timeout_kills_the_environment(self):
        self.create("py-slow", {"app.py": PY_SLOW + PY_COUNTER.replace("handler", "count_")},
                    "app.handler", Timeout=1)
        started = time.time()
        resp = self.lam.invoke(FunctionName="py-slow", Payload=b'{"sleep": 30}', LogType="Tail")
        # One second from the delivery, not the 10-second init window.
        self.assertLess(time.time() - started, 6)
        self.assertEqual(resp["FunctionError"], "Unhandled")
        err = payload(resp)
        rid = resp["ResponseMetadata"]["RequestId"]
        self.assertEqual(err["errorType"], "Sandbox.Timedout")
        self.assertEqual(err["errorMessage"],
                         "RequestId: %s Error: Task timed out after 1.00 seconds" % rid)
        self.assertIn("Task timed out after 1.00 seconds",
                      base64.b64decode(resp["LogResult"]).decode())
        # The next invocation gets a fresh environment and succeeds.
        self.assertEqual(payload(self.lam.invoke(FunctionName="py-slow",
                                                 Payload=b'{"sleep": 0}')), "done")

    def test_exceeding_memory_is_out_of_memory(self):
        if "memory limits: none" in self.server_log():
            self.skipTest("no writable cgroup memory controller on this machine: nimbus runs "
                          "functions without memory limits")
        self.create("py-hog", {"app.py": PY_HOG}, "app.handler", MemorySize=128, Timeout=30)
        resp = self.lam.invoke(FunctionName="py-hog")
        self.assertEqual(resp["FunctionError"], "Unhandled")
        err = payload(resp)
        self.assertEqual(err["errorType"], "Runtime.OutOfMemory")
        self.assertEqual(err["errorMessage"],
                         "RequestId: %s Error: Runtime exited with error: signal: killed"
                         % resp["ResponseMetadata"]["RequestId"])

    def test_log_tail_has_start_end_report(self):
        self.create("py-log", {"app.py": PY_ECHO}, "app.handler")
        resp = self.lam.invoke(FunctionName="py-log", Payload=b'{"k": "v"}', LogType="Tail")
        rid = resp["ResponseMetadata"]["RequestId"]
        log = base64.b64decode(resp["LogResult"]).decode()
        self.assertIn("START RequestId: %s Version: $LATEST" % rid, log)
        self.assertIn("echo {'k': 'v'}", log)
        self.assertIn("END RequestId: %s" % rid, log)
        self.assertRegex(log, r"REPORT RequestId: %s\tDuration: [\d.]+ ms\tBilled Duration: \d+ "
                              r"ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: "
                              r"[\d.]+ ms" % rid)
        warm = self.lam.invoke(FunctionName="py-log", LogType="Tail")
        self.assertNotIn("Init Duration", base64.b64decode(warm["LogResult"]).decode())

    def test_log_tail_is_the_last_4_kb(self):
        self.create("py-chatty", {"app.py": "def handler(e, c):\n    print('x' * 10000)\n"},
                    "app.handler")
        resp = self.lam.invoke(FunctionName="py-chatty", LogType="Tail")
        self.assertEqual(len(base64.b64decode(resp["LogResult"])), 4096)

    def test_event_invocation_runs_asynchronously(self):
        sqs = self.client("sqs")
        queue = sqs.create_queue(QueueName="lambda-async")["QueueUrl"]
        code = ("import boto3, os\n"
                "def handler(event, context):\n"
                "    boto3.client('sqs').send_message(QueueUrl=event['queue'],\n"
                "                                     MessageBody=context.aws_request_id)\n")
        self.create("py-async", {"app.py": code}, "app.handler", Timeout=30)
        resp = self.lam.invoke(FunctionName="py-async", InvocationType="Event",
                               Payload=json.dumps({"queue": queue}))
        self.assertEqual(resp["StatusCode"], 202)
        msgs = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=20).get("Messages", [])
        self.assertEqual([m["Body"] for m in msgs], [resp["ResponseMetadata"]["RequestId"]])

    def test_event_invocation_is_retried_twice(self):
        sqs = self.client("sqs")
        queue = sqs.create_queue(QueueName="lambda-retry")["QueueUrl"]
        code = ("import boto3\n"
                "attempts = 0\n"
                "def handler(event, context):\n"
                "    global attempts\n"
                "    attempts += 1\n"
                "    if attempts < 3:\n"
                "        raise RuntimeError('attempt %d' % attempts)\n"
                "    boto3.client('sqs').send_message(QueueUrl=event['queue'],\n"
                "                                     MessageBody=str(attempts))\n")
        self.create("py-retry", {"app.py": code}, "app.handler", Timeout=30)
        self.lam.invoke(FunctionName="py-retry", InvocationType="Event",
                        Payload=json.dumps({"queue": queue}))
        msgs = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=20).get("Messages", [])
        self.assertEqual([m["Body"] for m in msgs], ["3"])

    def test_dry_run_is_204_and_runs_nothing(self):
        self.create("py-dry", {"app.py": PY_COUNTER}, "app.handler")
        resp = self.lam.invoke(FunctionName="py-dry", InvocationType="DryRun")
        self.assertEqual(resp["StatusCode"], 204)
        self.assertEqual(payload(self.lam.invoke(FunctionName="py-dry")), 1)

    def test_payload_that_is_not_json(self):
        self.create("py-badjson", {"app.py": PY_COUNTER}, "app.handler")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.invoke(FunctionName="py-badjson", Payload=b"{not json")
        self.assertAwsError(ctx, "InvalidRequestContentException", 400)

    def test_payload_over_6_mb(self):
        self.create("py-big", {"app.py": PY_COUNTER}, "app.handler")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.invoke(FunctionName="py-big",
                            Payload=json.dumps({"x": "a" * (6 * 1024 * 1024)}))
        err = self.assertAwsError(ctx, "RequestTooLargeException", 413)
        self.assertEqual(err["Error"]["Message"],
                         "Request must be smaller than 6291456 bytes for the InvokeFunction "
                         "operation")

    def test_reserved_concurrency_zero_throttles(self):
        self.create("py-throttled", {"app.py": PY_COUNTER}, "app.handler")
        self.lam.put_function_concurrency(FunctionName="py-throttled",
                                          ReservedConcurrentExecutions=0)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.invoke(FunctionName="py-throttled")
        err = self.assertAwsError(ctx, "TooManyRequestsException", 429)
        self.assertEqual(err["Error"]["Message"], "Rate Exceeded.")
        self.assertEqual(err["Reason"], "ReservedFunctionConcurrentInvocationLimitExceeded")

    def test_invoke_missing_function(self):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.invoke(FunctionName="nope")
        err = self.assertAwsError(ctx, "ResourceNotFoundException", 404)
        self.assertEqual(err["Error"]["Message"],
                         "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope")

    def test_cli_invoke_writes_the_payload(self):
        import tempfile
        self.create("py-cli", {"app.py": PY_COUNTER}, "app.handler")
        out = os.path.join(tempfile.mkdtemp(), "out.json")
        _, meta, _ = self.server.aws("lambda", "invoke", "--function-name", "py-cli", out)
        self.assertEqual(meta["StatusCode"], 200)
        with open(out) as f:
            self.assertEqual(f.read(), "1")


class StrictAuthTest(LambdaTestCase):
    """Under --auth strict the function's role credentials are keys nimbus knows."""

    @classmethod
    def setUpClass(cls):
        import tempfile
        from nimbus_harness import ACCESS_KEY, SECRET_KEY, NimbusServer
        creds = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        json.dump([{"access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY,
                    "account_id": "111122223333"}], creds)
        creds.close()
        cls.creds_file = creds.name
        cls.server = NimbusServer("--auth", "strict", "--credentials", creds.name,
                                  env=cls.server_env).start()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        os.unlink(cls.creds_file)

    def test_sdk_in_the_handler_is_signed_with_the_role_credentials(self):
        self.lam.create_function(FunctionName="strict-sdk", Runtime=PYTHON_RUNTIME,
                                 Role="arn:aws:iam::111122223333:role/worker",
                                 Handler="app.handler", Timeout=30,
                                 Code={"ZipFile": make_zip({"app.py": PY_SDK})})
        resp = self.lam.invoke(FunctionName="strict-sdk")
        self.assertNotIn("FunctionError", resp)
        self.assertEqual(payload(resp), {
            "Account": "111122223333",
            "Arn": "arn:aws:sts::111122223333:assumed-role/worker/strict-sdk"})


class NodeRuntimeTest(LambdaTestCase):
    # Sandboxed functions get a private /tmp, which hides a checkout under /tmp (and the JS SDK
    # in its tests/js/node_modules that test_handler_calls_nimbus_through_the_js_sdk loads):
    # there, this class runs functions as plain processes.
    if os.path.realpath(JS_NODE_MODULES).startswith(tempfile.gettempdir() + "/"):
        server_env = dict(LambdaTestCase.server_env, NIMBUS_LAMBDA_ISOLATION="process")

    def test_commonjs_async_handler(self):
        self.create("js-echo", {"index.js": NODE_CJS}, "index.handler", runtime="nodejs20.x")
        resp = self.lam.invoke(FunctionName="js-echo", Payload=b'{"a": [1, 2]}', LogType="Tail")
        self.assertNotIn("FunctionError", resp)
        out = payload(resp)
        self.assertEqual(out["event"], {"a": [1, 2]})
        self.assertEqual(out["awsRequestId"], resp["ResponseMetadata"]["RequestId"])
        self.assertEqual(out["functionName"], "js-echo")
        self.assertEqual(out["memoryLimitInMB"], "128")
        self.assertEqual(out["invokedFunctionArn"],
                         "arn:aws:lambda:us-east-1:000000000000:function:js-echo")
        self.assertTrue(0 < out["remaining"] <= 3000)
        self.assertEqual(out["handlerEnv"], "index.handler")
        self.assertEqual(out["region"], "us-east-1")
        log = base64.b64decode(resp["LogResult"]).decode()
        self.assertRegex(log, r"\t%s\tINFO\techo \{\"a\":\[1,2\]\}"
                         % resp["ResponseMetadata"]["RequestId"])

    def test_es_module_handler(self):
        self.create("js-esm", {"index.mjs": NODE_ESM}, "index.handler", runtime="nodejs22.x")
        out = payload(self.lam.invoke(FunctionName="js-esm", Payload=b'{"x": 1}'))
        self.assertEqual(out["esm"], True)
        self.assertEqual(out["event"], {"x": 1})

    def test_callback_handler_in_a_subdirectory(self):
        self.create("js-cb", {"src/cb.js": NODE_CALLBACK}, "src/cb.handler",
                    runtime="nodejs18.x")
        self.assertEqual(payload(self.lam.invoke(FunctionName="js-cb", Payload=b'{"n": 5}')),
                         {"callback": True, "n": 5})

    def test_warm_invocations_see_the_work_left_by_earlier_ones(self):
        self.create("js-left", {"index.js": NODE_LEFTOVERS}, "index.handler",
                    runtime="nodejs20.x")
        outs = []
        for _ in range(3):
            outs.append(payload(self.lam.invoke(FunctionName="js-left")))
            time.sleep(0.02)
        self.assertEqual([o["n"] for o in outs], [1, 2, 3])
        self.assertEqual(outs[0]["seen"], [])
        self.assertIn("tick-1", outs[1]["seen"])
        self.assertIn("immediate-1", outs[1]["seen"])
        self.assertIn("timeout-1", outs[2]["seen"])
        self.assertIn("immediate-2", outs[2]["seen"])
        # nimbus's own variables stay out of the function's environment.
        self.assertIsNone(outs[0]["fd"])
        self.assertEqual(outs[0]["runtimeVars"], [])

    def test_large_and_non_ascii_payloads_both_ways(self):
        self.create("js-big", {"index.js": NODE_BIG}, "index.handler", runtime="nodejs20.x")
        text = "h\u00e9llo \u20ac \U0001d11e " * 40000  # about 600 KB of UTF-8
        for pad in (0, 2_000_000):  # a response of about 4.6 MB
            resp = self.lam.invoke(FunctionName="js-big",
                                   Payload=json.dumps({"s": text, "pad": pad}).encode())
            self.assertNotIn("FunctionError", resp)
            out = payload(resp)
            self.assertEqual(out["echo"], text)
            self.assertEqual(out["length"], len(text.encode("utf-16-le")) // 2)
            self.assertEqual(out["pad"], "\u00e9" * pad)

    def test_thrown_error(self):
        self.create("js-throw", {"index.js": NODE_THROW}, "index.handler", runtime="nodejs20.x")
        resp = self.lam.invoke(FunctionName="js-throw")
        self.assertEqual(resp["FunctionError"], "Unhandled")
        err = payload(resp)
        self.assertEqual(err["errorType"], "TypeError")
        self.assertEqual(err["errorMessage"], "not a number")
        self.assertEqual(err["trace"][0], "TypeError: not a number")

    def test_missing_module_is_an_init_error(self):
        self.create("js-init", {"other.js": "exports.x = 1;"}, "index.handler",
                    runtime="nodejs20.x")
        err = payload(self.lam.invoke(FunctionName="js-init"))
        self.assertEqual(err["errorType"], "Runtime.ImportModuleError")
        self.assertEqual(err["errorMessage"], "Cannot find module 'index'")

    def test_missing_dependency_is_an_init_error(self):
        self.create("js-dep", {"index.js": "require('left-pad-nowhere');\nexports.handler = "
                                           "async () => 1;"}, "index.handler",
                    runtime="nodejs20.x")
        err = payload(self.lam.invoke(FunctionName="js-dep"))
        self.assertEqual(err["errorType"], "Runtime.ImportModuleError")
        self.assertTrue(err["errorMessage"].startswith(
            "Error: Cannot find module 'left-pad-nowhere'"), err)

    @unittest.skipUnless(os.path.isdir(os.path.join(JS_NODE_MODULES, "@aws-sdk", "client-sts")),
                         "the JS SDK is not installed in tests/js (npm ci there)")
    def test_handler_calls_nimbus_through_the_js_sdk(self):
        self.create("js-sdk", {"index.js": NODE_SDK}, "index.handler", runtime="nodejs20.x",
                    Timeout=30, Environment={"Variables": {"NODE_PATH": JS_NODE_MODULES}})
        resp = self.lam.invoke(FunctionName="js-sdk")
        self.assertNotIn("FunctionError", resp, resp)
        out = payload(resp)
        self.assertEqual(out["Account"], "000000000000")
        self.assertEqual(out["Arn"], "arn:aws:sts::000000000000:assumed-role/lambda-role/js-sdk")

    def test_timeout(self):
        code = "exports.handler = () => new Promise((r) => setTimeout(r, 20000));"
        self.create("js-slow", {"index.js": code}, "index.handler", runtime="nodejs20.x",
                    Timeout=1)
        err = payload(self.lam.invoke(FunctionName="js-slow"))
        self.assertEqual(err["errorType"], "Sandbox.Timedout")
        self.assertTrue(err["errorMessage"].endswith("Task timed out after 1.00 seconds"))


class CustomRuntimeTest(LambdaTestCase):
    def test_shell_bootstrap_speaks_the_runtime_api(self):
        self.create("sh-echo", {"bootstrap": SHELL_BOOTSTRAP}, "function.handler",
                    runtime="provided.al2023", modes={"bootstrap": 0o755})
        out = payload(self.lam.invoke(FunctionName="sh-echo", Payload=b'{"q": 1}'))
        self.assertEqual(out, {"shell": True, "handler": "function.handler", "event": {"q": 1}})

    def test_missing_bootstrap(self):
        self.create("sh-none", {"readme.txt": "no bootstrap"}, "x", runtime="provided.al2")
        resp = self.lam.invoke(FunctionName="sh-none")
        self.assertEqual(resp["FunctionError"], "Unhandled")
        err = payload(resp)
        self.assertEqual(err["errorType"], "Runtime.InvalidEntrypoint")
        self.assertIn("Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"
                      if "bubblewrap" in self.server_log() else "Couldn't find valid bootstrap",
                      err["errorMessage"])

    def test_crashing_runtime_is_an_exit_error_and_nimbus_lives_on(self):
        crash = "#!/bin/sh\nexit 3\n"
        self.create("sh-crash", {"bootstrap": crash}, "x", runtime="provided.al2023",
                    modes={"bootstrap": 0o755})
        err = payload(self.lam.invoke(FunctionName="sh-crash"))
        self.assertEqual(err["errorType"], "Runtime.ExitError")
        self.assertTrue(err["errorMessage"].endswith(
            "Error: Runtime exited with error: exit status 3"), err)
        self.assertEqual(self.client("sts").get_caller_identity()["Account"], "000000000000")


if __name__ == "__main__":
    unittest.main()
