"""Invoke after a control-plane change: a warm function answers with what was changed from the
very next invocation (configuration, code, versions and aliases, concurrency, deletion, reset),
and a payload that is not JSON gets the same error whatever was invoked before."""
import json
import unittest

import botocore.exceptions

from test_lambda_support import LambdaTestCase, make_zip

CODE = """import os
def handler(event, context):
    return {"tag": TAG, "env": os.environ.get("COLOR"), "version": context.function_version,
            "arn": context.invoked_function_arn}
"""


def code(tag):
    return {"app.py": "TAG = %r\n" % tag + CODE}


def answer(resp):
    return json.loads(resp["Payload"].read())


class InvokeAfterChangesTest(LambdaTestCase):
    def invoke(self, name, **kw):
        return answer(self.lam.invoke(FunctionName=name, Payload=b"{}", **kw))

    def test_configuration_update_is_seen_by_the_next_invoke(self):
        self.create("cfg", code("one"), "app.handler", Environment={"Variables": {"COLOR": "red"}})
        self.assertEqual(self.invoke("cfg")["env"], "red")
        self.assertEqual(self.invoke("cfg")["env"], "red")
        self.lam.update_function_configuration(FunctionName="cfg",
                                               Environment={"Variables": {"COLOR": "blue"}})
        self.assertEqual(self.invoke("cfg")["env"], "blue")

    def test_code_update_is_seen_by_the_next_invoke(self):
        self.create("code", code("one"), "app.handler")
        self.assertEqual(self.invoke("code")["tag"], "one")
        self.lam.update_function_code(FunctionName="code", ZipFile=make_zip(code("two")))
        self.assertEqual(self.invoke("code")["tag"], "two")
        self.assertEqual(self.invoke("code", Qualifier="$LATEST")["tag"], "two")

    def test_alias_follows_publish_and_update_alias(self):
        self.create("al", code("one"), "app.handler")
        self.lam.publish_version(FunctionName="al")
        self.lam.create_alias(FunctionName="al", Name="live", FunctionVersion="1")
        first = self.invoke("al", Qualifier="live")
        self.assertEqual((first["tag"], first["version"]), ("one", "1"))
        self.assertTrue(first["arn"].endswith(":function:al:live"), first)
        self.lam.update_function_code(FunctionName="al", ZipFile=make_zip(code("two")))
        self.assertEqual(self.invoke("al", Qualifier="live")["tag"], "one")
        self.lam.publish_version(FunctionName="al")
        self.lam.update_alias(FunctionName="al", Name="live", FunctionVersion="2")
        second = self.invoke("al", Qualifier="live")
        self.assertEqual((second["tag"], second["version"]), ("two", "2"))
        self.assertEqual(self.invoke("al", Qualifier="1")["tag"], "one")
        self.lam.delete_alias(FunctionName="al", Name="live")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.invoke("al", Qualifier="live")
        self.assertAwsError(ctx, "ResourceNotFoundException", 404)

    def test_concurrency_change_is_seen_by_the_next_invoke(self):
        self.create("conc", code("one"), "app.handler")
        self.assertEqual(self.invoke("conc")["tag"], "one")
        self.lam.put_function_concurrency(FunctionName="conc", ReservedConcurrentExecutions=0)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.invoke("conc")
        err = self.assertAwsError(ctx, "TooManyRequestsException", 429)
        self.assertEqual(err["Reason"], "ReservedFunctionConcurrentInvocationLimitExceeded")
        self.lam.delete_function_concurrency(FunctionName="conc")
        self.assertEqual(self.invoke("conc")["tag"], "one")

    def test_deleted_and_recreated_function(self):
        self.create("gone", code("one"), "app.handler")
        self.assertEqual(self.invoke("gone")["tag"], "one")
        self.lam.delete_function(FunctionName="gone")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.invoke("gone")
        err = self.assertAwsError(ctx, "ResourceNotFoundException", 404)
        self.assertEqual(err["Error"]["Message"],
                         "Function not found: arn:aws:lambda:us-east-1:000000000000:function:gone")
        self.create("gone", code("two"), "app.handler")
        self.assertEqual(self.invoke("gone")["tag"], "two")

    def test_reset_forgets_the_function(self):
        self.create("wiped", code("one"), "app.handler")
        self.assertEqual(self.invoke("wiped")["tag"], "one")
        status, _, _ = self.server.reset()
        self.assertEqual(status, 200)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.invoke("wiped")
        self.assertAwsError(ctx, "ResourceNotFoundException", 404)

    def test_payload_that_is_not_json_after_warm_invokes(self):
        self.create("badjson", code("one"), "app.handler")
        self.assertEqual(self.invoke("badjson")["tag"], "one")
        for body, detail in [(b"{not json", "syntax error"), (b"{} x", "extra data"),
                             (b"[1,", "incomplete JSON"), (b"[" * 40 + b"]" * 40, "too deep")]:
            with self.assertRaises(botocore.exceptions.ClientError) as ctx:
                self.lam.invoke(FunctionName="badjson", Payload=body)
            err = self.assertAwsError(ctx, "InvalidRequestContentException", 400)
            self.assertEqual(err["Error"]["Message"],
                             "Could not parse request body into json: Could not parse payload "
                             "into json: " + detail, body)
        self.assertEqual(self.invoke("badjson")["tag"], "one")


if __name__ == "__main__":
    unittest.main()
