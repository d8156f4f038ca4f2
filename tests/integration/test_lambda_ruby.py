"""Ruby functions (ruby3.2, ruby3.3, ruby3.4 run on the machine's `ruby`): the handler contract of
AWS's Ruby runtimes (`event:`/`context:` keywords, FILE.METHOD and FILE.CLASS.METHOD handlers,
errors as `Function<Class>`, load failures as `Init<Class>`), the standard environment, timeouts
and a handler that calls nimbus's DynamoDB through the AWS SDK for Ruby."""
import base64
import json
import shutil
import unittest

from test_lambda_support import LambdaTestCase

APP = r'''
require "json"

def handler(event:, context:)
  puts "hello from ruby"
  {
    "event" => event,
    "aws_request_id" => context.aws_request_id,
    "function_name" => context.function_name,
    "function_version" => context.function_version,
    "invoked_function_arn" => context.invoked_function_arn,
    "memory_limit_in_mb" => context.memory_limit_in_mb,
    "log_group_name" => context.log_group_name,
    "log_stream_name" => context.log_stream_name,
    "remaining" => context.get_remaining_time_in_millis,
    "env" => %w[AWS_LAMBDA_FUNCTION_NAME AWS_LAMBDA_FUNCTION_VERSION AWS_LAMBDA_FUNCTION_MEMORY_SIZE
                AWS_LAMBDA_LOG_GROUP_NAME AWS_LAMBDA_LOG_STREAM_NAME AWS_REGION _HANDLER
                LAMBDA_TASK_ROOT LAMBDA_RUNTIME_DIR TZ AWS_ACCESS_KEY_ID].to_h { |k| [k, ENV[k]] }
  }
end

def boom(event:, context:)
  [1, 2, 3].first("two")
end

def slow(event:, context:)
  sleep 5
end

module Shop
  class Orders
    def self.total(event:, context:)
      event["items"].sum { |i| i["price"] * i["qty"] }
    end
  end
end
'''

DYNAMO = r'''
require "uri"
require "aws-sdk-v1"

# The AWS SDK for Ruby (version 1, as Debian packages it), pointed at nimbus with the endpoint
# and credentials the runtime's environment carries.
def handler(event:, context:)
  uri = URI(ENV.fetch("AWS_ENDPOINT_URL"))
  ddb = AWS::DynamoDB::Client.new(api_version: "2012-08-10", region: ENV["AWS_REGION"],
                                  dynamo_db_endpoint: uri.host, dynamo_db_port: uri.port,
                                  use_ssl: false)
  ddb.put_item(table_name: "rb-items",
               item: { "pk" => { s: event["id"] }, "by" => { s: "ruby" } })
  begin
    # The SDK predates condition expressions: its legacy Expected form.
    ddb.put_item(table_name: "rb-items", item: { "pk" => { s: event["id"] } },
                 expected: { "pk" => { exists: false } })
    conflict = nil
  rescue AWS::DynamoDB::Errors::ConditionalCheckFailedException => e
    conflict = e.class.name
  end
  got = ddb.get_item(table_name: "rb-items", key: { "pk" => { s: event["id"] } })
  { "Item" => got[:item].transform_values { |v| v.transform_keys { |k| k.to_s.upcase } },
    "conflict" => conflict }
end
'''


@unittest.skipUnless(shutil.which("ruby"), "ruby is not installed (scripts/deps.sh installs it)")
class RubyRuntimeTest(LambdaTestCase):
    def invoke(self, name, event=None, **kw):
        resp = self.lam.invoke(FunctionName=name, Payload=json.dumps(event or {}).encode(), **kw)
        return resp, json.loads(resp["Payload"].read())

    def test_echo_event_context_and_environment(self):
        for runtime in ("ruby3.2", "ruby3.3", "ruby3.4"):
            name = "rb-echo-" + runtime.replace(".", "")
            self.create(name, {"app.rb": APP}, "app.handler", runtime=runtime, MemorySize=256)
            resp, out = self.invoke(name, {"a": [1, 2]}, LogType="Tail")
            self.assertNotIn("FunctionError", resp)
            self.assertEqual(out["event"], {"a": [1, 2]})
            self.assertEqual(out["aws_request_id"], resp["ResponseMetadata"]["RequestId"])
            self.assertEqual(out["function_name"], name)
            self.assertEqual(out["function_version"], "$LATEST")
            self.assertEqual(out["invoked_function_arn"],
                             "arn:aws:lambda:us-east-1:000000000000:function:" + name)
            self.assertEqual(out["memory_limit_in_mb"], "256")
            self.assertEqual(out["log_group_name"], "/aws/lambda/" + name)
            self.assertTrue(out["log_stream_name"].endswith("]" + out["log_stream_name"][-32:]))
            self.assertTrue(0 < out["remaining"] <= 3000, out["remaining"])
            env = out["env"]
            self.assertEqual(env["AWS_LAMBDA_FUNCTION_NAME"], name)
            self.assertEqual(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST")
            self.assertEqual(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256")
            self.assertEqual(env["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/" + name)
            self.assertEqual(env["AWS_LAMBDA_LOG_STREAM_NAME"], out["log_stream_name"])
            self.assertEqual(env["AWS_REGION"], "us-east-1")
            self.assertEqual(env["_HANDLER"], "app.handler")
            self.assertEqual(env["LAMBDA_TASK_ROOT"], "/var/task")
            self.assertEqual(env["LAMBDA_RUNTIME_DIR"], "/var/runtime")
            self.assertEqual(env["TZ"], ":UTC")
            self.assertTrue(env["AWS_ACCESS_KEY_ID"])
            log = base64.b64decode(resp["LogResult"]).decode()
            self.assertIn("hello from ruby\n", log)
            self.assertRegex(log, r"REPORT RequestId: \S+\tDuration: [\d.]+ ms")

    def test_class_method_handler(self):
        self.create("rb-class", {"app.rb": APP}, "app.Shop::Orders.total", runtime="ruby3.3")
        _, out = self.invoke("rb-class", {"items": [{"price": 3, "qty": 2},
                                                    {"price": 10, "qty": 1}]})
        self.assertEqual(out, 16)

    def test_raised_error_as_aws_reports_it(self):
        self.create("rb-boom", {"app.rb": APP}, "app.boom", runtime="ruby3.3")
        resp, err = self.invoke("rb-boom")
        self.assertEqual(resp["FunctionError"], "Unhandled")
        self.assertEqual(err["errorType"], "Function<TypeError>")
        self.assertEqual(err["errorMessage"], "no implicit conversion of String into Integer")
        line = APP.split("\n").index('  [1, 2, 3].first("two")') + 1
        self.assertEqual(err["stackTrace"][0], "/var/task/app.rb:%d:in `first'" % line)
        self.assertTrue(all(f.startswith("/var/task/") for f in err["stackTrace"]), err)

    def test_load_errors_are_init_errors(self):
        self.create("rb-nofile", {"app.rb": APP}, "missing.handler", runtime="ruby3.3")
        resp, err = self.invoke("rb-nofile")
        self.assertEqual(resp["FunctionError"], "Unhandled")
        self.assertEqual(err["errorType"], "Init<LoadError>")
        self.assertEqual(err["errorMessage"], "cannot load such file -- /var/task/missing")
        self.create("rb-syntax", {"app.rb": "def handler(event:, context:\n  1\n"},
                    "app.handler", runtime="ruby3.3")
        _, err = self.invoke("rb-syntax")
        self.assertEqual(err["errorType"], "Init<SyntaxError>")
        self.create("rb-nomethod", {"app.rb": APP}, "app.nowhere", runtime="ruby3.3")
        _, err = self.invoke("rb-nomethod")
        self.assertEqual(err["errorType"], "Init<NoMethodError>")
        self.create("rb-badspec", {"app.rb": APP}, "app", runtime="ruby3.3")
        _, err = self.invoke("rb-badspec")
        self.assertEqual(err["errorType"], "Init<ArgumentError>")

    def test_timeout(self):
        self.create("rb-slow", {"app.rb": APP}, "app.slow", runtime="ruby3.3", Timeout=1)
        resp, err = self.invoke("rb-slow")
        self.assertEqual(resp["FunctionError"], "Unhandled")
        self.assertEqual(err["errorType"], "Sandbox.Timedout")
        self.assertTrue(err["errorMessage"].endswith("Task timed out after 1.00 seconds"), err)

    def test_handler_calls_nimbus_dynamodb(self):
        ddb = self.client("dynamodb")
        ddb.create_table(TableName="rb-items", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        self.create("rb-ddb", {"app.rb": DYNAMO}, "app.handler", runtime="ruby3.3", Timeout=30)
        resp, out = self.invoke("rb-ddb", {"id": "r1"})
        self.assertNotIn("FunctionError", resp, out)
        self.assertEqual(out, {"Item": {"pk": {"S": "r1"}, "by": {"S": "ruby"}},
                               "conflict": "AWS::DynamoDB::Errors::ConditionalCheckFailedException"})
        item = ddb.get_item(TableName="rb-items", Key={"pk": {"S": "r1"}})["Item"]
        self.assertEqual(item["by"], {"S": "ruby"})


if __name__ == "__main__":
    unittest.main()
