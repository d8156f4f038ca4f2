"""Lambda control plane as AWS answers it (API reference: CreateFunction, GetFunction,
ListFunctions, UpdateFunctionCode/Configuration, DeleteFunction, PublishVersion, aliases,
concurrency, AddPermission/GetPolicy, tags, GetAccountSettings): shapes, paging, states and
waiters, deployment package limits and the error codes and messages AWS uses."""
import io
import json
import os
import unittest
import urllib.request
import zipfile

import botocore.exceptions

from test_lambda_support import PYTHON_RUNTIME, ROLE, LambdaTestCase, make_zip

CODE = {"app.py": "def handler(event, context):\n    return event\n"}
ARN = "arn:aws:lambda:us-east-1:000000000000:function:"


class FunctionsTest(LambdaTestCase):
    def test_create_answers_pending_then_active(self):
        r = self.create("fn", CODE, "app.handler", Description="d", Timeout=10, MemorySize=512,
                        Tags={"team": "a"})
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(r["FunctionName"], "fn")
        self.assertEqual(r["FunctionArn"], ARN + "fn")
        self.assertEqual(r["Runtime"], PYTHON_RUNTIME)
        self.assertEqual(r["Handler"], "app.handler")
        self.assertEqual(r["Role"], ROLE)
        self.assertEqual(r["Timeout"], 10)
        self.assertEqual(r["MemorySize"], 512)
        self.assertEqual(r["Description"], "d")
        self.assertEqual(r["Version"], "$LATEST")
        self.assertEqual(r["PackageType"], "Zip")
        self.assertEqual(r["State"], "Pending")
        self.assertEqual(r["StateReasonCode"], "Creating")
        self.assertEqual(r["CodeSize"], len(make_zip(CODE)))
        self.assertEqual(r["Architectures"], ["x86_64"])
        self.assertEqual(r["EphemeralStorage"], {"Size": 512})
        self.assertRegex(r["LastModified"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")
        self.server.aws("lambda", "wait", "function-active-v2", "--function-name", "fn")
        cfg = self.lam.get_function_configuration(FunctionName="fn")
        self.assertEqual(cfg["State"], "Active")
        self.assertEqual(cfg["LastUpdateStatus"], "Successful")
        self.assertEqual(cfg["CodeSha256"], r["CodeSha256"])

    def test_get_function_has_a_working_code_location(self):
        self.create("fn", CODE, "app.handler", Tags={"k": "v"})
        r = self.lam.get_function(FunctionName="fn")
        self.assertEqual(r["Configuration"]["FunctionName"], "fn")
        self.assertEqual(r["Code"]["RepositoryType"], "S3")
        self.assertEqual(r["Tags"], {"k": "v"})
        with urllib.request.urlopen(r["Code"]["Location"], timeout=10) as resp:
            data = resp.read()
        self.assertEqual(data, make_zip(CODE))
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            self.assertEqual(z.namelist(), ["app.py"])

    def test_get_by_arn_and_partial_arn(self):
        self.create("fn", CODE, "app.handler")
        for name in (ARN + "fn", "000000000000:function:fn", ARN + "fn:$LATEST"):
            self.assertEqual(self.lam.get_function(FunctionName=name)["Configuration"]
                             ["FunctionName"], "fn")

    def test_missing_function(self):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.get_function(FunctionName="ghost")
        err = self.assertAwsError(ctx, "ResourceNotFoundException", 404)
        self.assertEqual(err["Error"]["Message"], "Function not found: " + ARN + "ghost")

    def test_create_twice_is_a_conflict(self):
        self.create("fn", CODE, "app.handler")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.create("fn", CODE, "app.handler")
        err = self.assertAwsError(ctx, "ResourceConflictException", 409)
        self.assertEqual(err["Error"]["Message"], "Function already exist: fn")

    def test_list_functions_pages(self):
        for i in range(5):
            self.create("fn-%d" % i, CODE, "app.handler")
        first = self.lam.list_functions(MaxItems=2)
        self.assertEqual([f["FunctionName"] for f in first["Functions"]], ["fn-0", "fn-1"])
        names = [f["FunctionName"] for page in
                 self.lam.get_paginator("list_functions").paginate(PaginationConfig={
                     "PageSize": 2}) for f in page["Functions"]]
        self.assertEqual(names, ["fn-0", "fn-1", "fn-2", "fn-3", "fn-4"])

    def test_update_configuration_and_waiter(self):
        self.create("fn", CODE, "app.handler")
        r = self.lam.update_function_configuration(
            FunctionName="fn", Timeout=30, MemorySize=1024,
            Environment={"Variables": {"A": "1"}})
        self.assertEqual(r["LastUpdateStatus"], "InProgress")
        self.server.aws("lambda", "wait", "function-updated-v2", "--function-name", "fn")
        cfg = self.lam.get_function_configuration(FunctionName="fn")
        self.assertEqual((cfg["Timeout"], cfg["MemorySize"]), (30, 1024))
        self.assertEqual(cfg["Environment"], {"Variables": {"A": "1"}})
        self.assertEqual(cfg["LastUpdateStatus"], "Successful")

    def test_update_code_changes_the_sha(self):
        before = self.create("fn", CODE, "app.handler")["CodeSha256"]
        r = self.lam.update_function_code(FunctionName="fn",
                                          ZipFile=make_zip({"app.py": "# v2\n"}))
        self.assertNotEqual(r["CodeSha256"], before)
        self.assertNotEqual(r["RevisionId"], before)

    def test_stale_revision_id_is_precondition_failed(self):
        self.create("fn", CODE, "app.handler")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.update_function_configuration(FunctionName="fn", Timeout=5,
                                                   RevisionId="stale")
        self.assertAwsError(ctx, "PreconditionFailedException", 412)

    def test_delete_function(self):
        self.create("fn", CODE, "app.handler")
        r = self.lam.delete_function(FunctionName="fn")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.delete_function(FunctionName="fn")
        self.assertAwsError(ctx, "ResourceNotFoundException", 404)

    def test_reserved_environment_variable(self):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.create("fn", CODE, "app.handler",
                        Environment={"Variables": {"AWS_REGION": "eu-west-1"}})
        err = self.assertAwsError(ctx, "InvalidParameterValueException", 400)
        self.assertTrue(err["Error"]["Message"].endswith(
            "Reserved keys used in this request: AWS_REGION"))

    def test_environment_over_4_kb(self):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.create("fn", CODE, "app.handler", Environment={"Variables": {"BIG": "x" * 4100}})
        err = self.assertAwsError(ctx, "InvalidParameterValueException", 400)
        self.assertIn("exceeded the 4KB limit", err["Error"]["Message"])

    def test_memory_and_timeout_ranges(self):
        lam = self.client("lambda", parameter_validation=False)
        for kw, text in (({"MemorySize": 64}, "greater than or equal to 128"),
                         ({"MemorySize": 10241}, "less than or equal to 10240"),
                         ({"Timeout": 901}, "less than or equal to 900")):
            with self.assertRaises(botocore.exceptions.ClientError) as ctx:
                lam.create_function(FunctionName="fn", Runtime=PYTHON_RUNTIME, Role=ROLE,
                                    Handler="app.handler", Code={"ZipFile": make_zip(CODE)}, **kw)
            err = self.assertAwsError(ctx, "ValidationException", 400)
            self.assertIn(text, err["Error"]["Message"])

    def test_runtime_and_handler_are_required_for_zip(self):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.create_function(FunctionName="fn", Role=ROLE,
                                     Code={"ZipFile": make_zip(CODE)})
        err = self.assertAwsError(ctx, "InvalidParameterValueException", 400)
        self.assertEqual(err["Error"]["Message"], "Runtime and Handler are mandatory parameters "
                         "for functions created with deployment packages.")

    def test_not_a_zip(self):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.create_function(FunctionName="fn", Runtime=PYTHON_RUNTIME, Role=ROLE,
                                     Handler="app.handler", Code={"ZipFile": b"not a zip"})
        err = self.assertAwsError(ctx, "InvalidParameterValueException", 400)
        self.assertIn("Could not unzip uploaded file", err["Error"]["Message"])

    def test_unzipped_over_250_mb(self):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            with z.open("big.bin", "w", force_zip64=True) as f:
                block = b"\0" * (1 << 20)
                for _ in range(251):
                    f.write(block)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.create_function(FunctionName="fn", Runtime=PYTHON_RUNTIME, Role=ROLE,
                                     Handler="app.handler", Code={"ZipFile": buf.getvalue()})
        err = self.assertAwsError(ctx, "InvalidParameterValueException", 400)
        self.assertEqual(err["Error"]["Message"],
                         "Unzipped size must be smaller than 262144000 bytes")

    def test_zipped_over_50_mb(self):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.create_function(FunctionName="fn", Runtime=PYTHON_RUNTIME, Role=ROLE,
                                     Handler="app.handler",
                                     Code={"ZipFile": os.urandom(50 * 1024 * 1024 + 1)})
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 413)

    def test_account_settings(self):
        self.create("fn", CODE, "app.handler")
        r = self.lam.get_account_settings()
        self.assertEqual(r["AccountLimit"]["CodeSizeZipped"], 52428800)
        self.assertEqual(r["AccountLimit"]["CodeSizeUnzipped"], 262144000)
        self.assertEqual(r["AccountLimit"]["ConcurrentExecutions"], 1000)
        self.assertEqual(r["AccountUsage"]["FunctionCount"], 1)


class VersionsAndAliasesTest(LambdaTestCase):
    def test_publish_and_list_versions(self):
        self.create("fn", CODE, "app.handler")
        v1 = self.lam.publish_version(FunctionName="fn", Description="first")
        self.assertEqual(v1["Version"], "1")
        self.assertEqual(v1["FunctionArn"], ARN + "fn:1")
        self.assertEqual(v1["Description"], "first")
        # Publishing an unchanged $LATEST answers the same version.
        self.assertEqual(self.lam.publish_version(FunctionName="fn")["Version"], "1")
        self.lam.update_function_code(FunctionName="fn", ZipFile=make_zip({"app.py": "#2\n"}))
        self.assertEqual(self.lam.publish_version(FunctionName="fn")["Version"], "2")
        versions = [v["Version"] for v in
                    self.lam.list_versions_by_function(FunctionName="fn")["Versions"]]
        self.assertEqual(versions, ["$LATEST", "1", "2"])
        self.assertEqual(self.lam.get_function(FunctionName="fn", Qualifier="1")
                         ["Configuration"]["CodeSha256"], v1["CodeSha256"])

    def test_invoke_a_version_and_an_alias(self):
        self.create("fn", {"app.py": "def handler(e, c):\n    return 'one'\n"}, "app.handler",
                    Publish=True)
        self.lam.update_function_code(FunctionName="fn",
                                      ZipFile=make_zip({"app.py": "def handler(e, c):\n"
                                                                  "    return 'two'\n"}))
        self.lam.publish_version(FunctionName="fn")
        alias = self.lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
        self.assertEqual(alias["AliasArn"], ARN + "fn:live")
        r = self.lam.invoke(FunctionName="fn", Qualifier="live")
        self.assertEqual((r["ExecutedVersion"], r["Payload"].read()), ("1", b'"one"'))
        r = self.lam.invoke(FunctionName="fn:2")
        self.assertEqual((r["ExecutedVersion"], r["Payload"].read()), ("2", b'"two"'))

    def test_weighted_alias_routes_to_both_versions(self):
        self.create("fn", {"app.py": "def handler(e, c):\n    return 1\n"}, "app.handler",
                    Publish=True)
        self.lam.update_function_code(FunctionName="fn", ZipFile=make_zip(
            {"app.py": "def handler(e, c):\n    return 2\n"}))
        self.lam.publish_version(FunctionName="fn")
        self.lam.create_alias(FunctionName="fn", Name="canary", FunctionVersion="1",
                              RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
        seen = {self.lam.invoke(FunctionName="fn", Qualifier="canary")["ExecutedVersion"]
                for _ in range(30)}
        self.assertEqual(seen, {"1", "2"})

    def test_alias_errors_and_lifecycle(self):
        self.create("fn", CODE, "app.handler", Publish=True)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.create_alias(FunctionName="fn", Name="a", FunctionVersion="9")
        err = self.assertAwsError(ctx, "ResourceNotFoundException", 404)
        self.assertEqual(err["Error"]["Message"], "Function not found: " + ARN + "fn:9")
        self.lam.create_alias(FunctionName="fn", Name="a", FunctionVersion="1")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.create_alias(FunctionName="fn", Name="a", FunctionVersion="1")
        err = self.assertAwsError(ctx, "ResourceConflictException", 409)
        self.assertEqual(err["Error"]["Message"], "Alias already exists: " + ARN + "fn:a")
        updated = self.lam.update_alias(FunctionName="fn", Name="a", Description="x")
        self.assertEqual(updated["Description"], "x")
        self.assertEqual([a["Name"] for a in self.lam.list_aliases(FunctionName="fn")["Aliases"]],
                         ["a"])
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.delete_function(FunctionName="fn", Qualifier="1")
        self.assertAwsError(ctx, "ResourceConflictException", 409)
        self.lam.delete_alias(FunctionName="fn", Name="a")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.get_alias(FunctionName="fn", Name="a")
        err = self.assertAwsError(ctx, "ResourceNotFoundException", 404)
        self.assertEqual(err["Error"]["Message"], "Alias not found: " + ARN + "fn:a")
        self.lam.delete_function(FunctionName="fn", Qualifier="1")
        self.assertEqual([v["Version"] for v in
                          self.lam.list_versions_by_function(FunctionName="fn")["Versions"]],
                         ["$LATEST"])


class PolicyConcurrencyTagsTest(LambdaTestCase):
    def test_permissions(self):
        self.create("fn", CODE, "app.handler")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.get_policy(FunctionName="fn")
        self.assertAwsError(ctx, "ResourceNotFoundException", 404)
        r = self.lam.add_permission(FunctionName="fn", StatementId="s3", Action="lambda:InvokeFunction",
                                    Principal="s3.amazonaws.com",
                                    SourceArn="arn:aws:s3:::bucket")
        statement = json.loads(r["Statement"])
        self.assertEqual(statement["Principal"], {"Service": "s3.amazonaws.com"})
        self.assertEqual(statement["Condition"],
                         {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::bucket"}})
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.add_permission(FunctionName="fn", StatementId="s3",
                                    Action="lambda:InvokeFunction", Principal="*")
        self.assertAwsError(ctx, "ResourceConflictException", 409)
        policy = json.loads(self.lam.get_policy(FunctionName="fn")["Policy"])
        self.assertEqual(policy["Version"], "2012-10-17")
        self.assertEqual([s["Sid"] for s in policy["Statement"]], ["s3"])
        self.assertEqual(policy["Statement"][0]["Resource"], ARN + "fn")
        self.lam.remove_permission(FunctionName="fn", StatementId="s3")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.remove_permission(FunctionName="fn", StatementId="s3")
        self.assertAwsError(ctx, "ResourceNotFoundException", 404)

    def test_concurrency(self):
        self.create("fn", CODE, "app.handler")
        self.assertNotIn("ReservedConcurrentExecutions",
                         self.lam.get_function_concurrency(FunctionName="fn"))
        r = self.lam.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=5)
        self.assertEqual(r["ReservedConcurrentExecutions"], 5)
        self.assertEqual(self.lam.get_function(FunctionName="fn")["Concurrency"],
                         {"ReservedConcurrentExecutions": 5})
        self.assertEqual(self.lam.get_account_settings()["AccountLimit"]
                         ["UnreservedConcurrentExecutions"], 995)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=950)
        self.assertAwsError(ctx, "InvalidParameterValueException", 400)
        self.lam.delete_function_concurrency(FunctionName="fn")
        self.assertNotIn("ReservedConcurrentExecutions",
                         self.lam.get_function_concurrency(FunctionName="fn"))

    def test_tags(self):
        self.create("fn", CODE, "app.handler", Tags={"a": "1"})
        self.lam.tag_resource(Resource=ARN + "fn", Tags={"b": "2"})
        self.assertEqual(self.lam.list_tags(Resource=ARN + "fn")["Tags"], {"a": "1", "b": "2"})
        self.lam.untag_resource(Resource=ARN + "fn", TagKeys=["a"])
        self.assertEqual(self.lam.list_tags(Resource=ARN + "fn")["Tags"], {"b": "2"})


if __name__ == "__main__":
    unittest.main()
