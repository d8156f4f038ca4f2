"""API Gateway API keys, usage plans, throttling and integration timeouts, as AWS answers them
(API Gateway REST API reference: ApiKey, UsagePlan, UsagePlanKey, Usage; developer guide "Usage
plans and API keys for REST APIs", "Throttle requests to your REST APIs", "Throttle requests to
your HTTP APIs"). A method with apiKeyRequired needs an `x-api-key` header naming an enabled key
of a usage plan that lists the API stage, else 403 {"message":"Forbidden"}; a throttle answers
429 {"message":"Too Many Requests"}, an exhausted quota 429 {"message":"Limit Exceeded"}. A
REST API integration that outlives its timeoutInMillis answers 504 {"message":"Endpoint request
timed out"}; an HTTP API's 503 {"message":"Service Unavailable"} (what HTTP APIs answer when a
Lambda integration outlives TimeoutInMillis, serverless/serverless#11222), Lambda included: the
gateway answers while the function runs on."""
import csv
import datetime
import io
import json
import time
import urllib.error
import urllib.request

import botocore.exceptions

from nimbus_harness import NimbusTestCase

ClientError = botocore.exceptions.ClientError
FORBIDDEN = {"message": "Forbidden"}
TOO_MANY = {"message": "Too Many Requests"}
LIMIT_EXCEEDED = {"message": "Limit Exceeded"}


def lambda_uri(function_arn):
    return ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/%s/invocations"
            % function_arn)


class GatewayTestCase(NimbusTestCase):
    server_args = ("--enable-clock-control",)

    def setUp(self):
        super().setUp()
        self.apigw = self.client("apigateway")
        self.account = self.client("sts").get_caller_identity()["Account"]

    def error(self, call, code, status, message=None):
        with self.assertRaises(ClientError) as cm:
            call()
        err = self.assertAwsError(cm, code, status)
        if message is not None:
            self.assertEqual(err["Error"]["Message"], message)
        return err

    def mock_api(self, paths=("/",), stage="prod", api_key_required=True, open_paths=()):
        """A REST API whose GET methods on `paths` and `open_paths` are MOCK integrations
        answering 200 {"ok": true} (those of `paths` with `api_key_required`, those of
        `open_paths` without), deployed to `stage`. Returns the API id."""
        api_id = self.apigw.create_rest_api(name="mocked")["id"]
        ids = {"/": self.apigw.get_rest_api(restApiId=api_id)["rootResourceId"]}
        for path in tuple(paths) + tuple(open_paths):
            if path not in ids:
                ids[path] = self.apigw.create_resource(
                    restApiId=api_id, parentId=ids["/"], pathPart=path.lstrip("/"))["id"]
            base = {"restApiId": api_id, "resourceId": ids[path], "httpMethod": "GET"}
            self.apigw.put_method(authorizationType="NONE",
                                  apiKeyRequired=api_key_required and path in paths, **base)
            self.apigw.put_integration(
                type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'}, **base)
            self.apigw.put_method_response(statusCode="200", **base)
            self.apigw.put_integration_response(
                statusCode="200", responseTemplates={"application/json": '{"ok": true}'}, **base)
        self.apigw.create_deployment(restApiId=api_id, stageName=stage)
        return api_id

    def request(self, api_id, path, method="GET", headers=None, host=None):
        headers = dict(headers or {})
        url = "http://127.0.0.1:%d%s" % (self.server.port, path)
        headers["Host"] = host or "%s.execute-api.localhost:%d" % (api_id, self.server.port)
        req = urllib.request.Request(url, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, e.headers, json.loads(e.read() or b"null")

    def advance(self, seconds):
        status, _, _ = self.server.http("POST", "/_nimbus/clock",
                                        json.dumps({"advance_seconds": seconds}).encode())
        self.assertEqual(status, 200)

    def today(self):
        status, _, body = self.server.http("GET", "/_nimbus/clock")
        self.assertEqual(status, 200)
        now = json.loads(body)["now"]
        return datetime.datetime.fromtimestamp(now, datetime.timezone.utc).date()


class ApiKeysTest(GatewayTestCase):
    def test_create_api_key_generates_a_value_and_answers_aws_fields(self):
        key = self.apigw.create_api_key(name="first", description="d", tags={"team": "a"})
        self.assertEqual(key["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertRegex(key["id"], r"^[a-z0-9]{10}$")
        self.assertRegex(key["value"], r"^[A-Za-z0-9]{40}$")
        self.assertIs(key["enabled"], False)
        self.assertEqual(key["name"], "first")
        self.assertEqual(key["description"], "d")
        self.assertEqual(key["tags"], {"team": "a"})
        self.assertEqual(key["stageKeys"], [])
        self.assertIsInstance(key["createdDate"], datetime.datetime)
        self.assertIsInstance(key["lastUpdatedDate"], datetime.datetime)
        given = self.apigw.create_api_key(name="given", value="v" * 30, enabled=True,
                                          customerId="cust-1")
        self.assertEqual(given["value"], "v" * 30)
        self.assertIs(given["enabled"], True)
        self.assertEqual(given["customerId"], "cust-1")

    def test_get_api_key_shows_the_value_only_when_asked(self):
        key = self.apigw.create_api_key(name="k", enabled=True)
        got = self.apigw.get_api_key(apiKey=key["id"])
        self.assertNotIn("value", got)
        self.assertEqual((got["id"], got["name"], got["enabled"]), (key["id"], "k", True))
        got = self.apigw.get_api_key(apiKey=key["id"], includeValue=True)
        self.assertEqual(got["value"], key["value"])
        self.error(lambda: self.apigw.get_api_key(apiKey="nosuchkey1"), "NotFoundException", 404,
                   "Invalid API Key identifier specified")

    def test_values_are_validated_and_unique(self):
        self.error(lambda: self.apigw.create_api_key(name="short", value="x" * 19),
                   "BadRequestException", 400, "API Key value should be at least 20 characters")
        self.error(lambda: self.apigw.create_api_key(name="long", value="x" * 129),
                   "BadRequestException", 400)
        self.apigw.create_api_key(name="one", value="same-value-0123456789")
        self.error(lambda: self.apigw.create_api_key(name="two", value="same-value-0123456789"),
                   "ConflictException", 409, "API Key already exists")

    def test_get_api_keys_filters_by_name_and_customer(self):
        a1 = self.apigw.create_api_key(name="alpha-1", customerId="c1")
        a2 = self.apigw.create_api_key(name="alpha-2")
        self.apigw.create_api_key(name="beta")
        items = self.apigw.get_api_keys(nameQuery="alpha")["items"]
        self.assertEqual(sorted(k["id"] for k in items), sorted([a1["id"], a2["id"]]))
        self.assertTrue(all("value" not in k for k in items))
        items = self.apigw.get_api_keys(nameQuery="alpha", includeValues=True)["items"]
        self.assertEqual(sorted(k["value"] for k in items), sorted([a1["value"], a2["value"]]))
        items = self.apigw.get_api_keys(customerId="c1")["items"]
        self.assertEqual([k["id"] for k in items], [a1["id"]])
        self.assertEqual(len(self.apigw.get_api_keys()["items"]), 3)
        self.error(lambda: self.apigw.get_api_keys(limit=501), "BadRequestException", 400)

    def test_a_thousand_keys_page_through_import_and_paging(self):
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(["name", "key", "description", "enabled"])
        for i in range(1000):
            w.writerow(["bulk-%04d" % i, "bulk-value-%04d-abcdefghijkl" % i, "n", "true"])
        imported = self.apigw.import_api_keys(body=out.getvalue().encode(), format="csv")
        self.assertEqual(imported["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(len(imported["ids"]), 1000)
        self.assertNotIn("warnings", imported)
        first = self.apigw.get_api_keys(limit=500)
        self.assertEqual(len(first["items"]), 500)
        self.assertIn("position", first)
        second = self.apigw.get_api_keys(limit=500, position=first["position"])
        self.assertEqual(len(second["items"]), 500)
        self.assertNotIn("position", second)
        seen = [k["id"] for k in first["items"] + second["items"]]
        self.assertEqual(sorted(seen), sorted(imported["ids"]))
        pages = self.apigw.get_paginator("get_api_keys").paginate(
            nameQuery="bulk-09", PaginationConfig={"PageSize": 30})
        names = [k["name"] for page in pages for k in page["items"]]
        self.assertEqual(sorted(names), ["bulk-%04d" % i for i in range(900, 1000)])
        # Importing the same values again: each row is a warning, or a failure with
        # failOnWarnings.
        again = self.apigw.import_api_keys(
            body=b"name,key\nx,bulk-value-0000-abcdefghijkl\n", format="csv")
        self.assertEqual(again["ids"], [])
        self.assertEqual(len(again["warnings"]), 1)
        self.error(lambda: self.apigw.import_api_keys(
            body=b"name,key\nx,bulk-value-0000-abcdefghijkl\n", format="csv",
            failOnWarnings=True), "BadRequestException", 400)
        self.error(lambda: self.apigw.import_api_keys(body=b"name,description\nx,y\n",
                                                      format="csv"), "BadRequestException", 400)

    def test_update_api_key_with_patch_operations(self):
        key = self.apigw.create_api_key(name="k")
        api_id = self.mock_api()
        got = self.apigw.update_api_key(apiKey=key["id"], patchOperations=[
            {"op": "replace", "path": "/name", "value": "renamed"},
            {"op": "replace", "path": "/enabled", "value": "true"},
            {"op": "replace", "path": "/description", "value": "about"},
            {"op": "add", "path": "/stages", "value": api_id + "/prod"}])
        self.assertEqual((got["name"], got["enabled"], got["description"]),
                         ("renamed", True, "about"))
        self.assertEqual(got["stageKeys"], [api_id + "/prod"])
        self.assertNotIn("value", got)
        got = self.apigw.update_api_key(apiKey=key["id"], patchOperations=[
            {"op": "remove", "path": "/stages", "value": api_id + "/prod"}])
        self.assertEqual(got["stageKeys"], [])
        self.error(lambda: self.apigw.update_api_key(apiKey=key["id"], patchOperations=[
            {"op": "replace", "path": "/value", "value": "x" * 30}]), "BadRequestException", 400,
            "Invalid patch path '/value' specified for op 'replace'. Please choose supported "
            "operations")
        self.error(lambda: self.apigw.update_api_key(apiKey=key["id"], patchOperations=[
            {"op": "replace", "path": "/enabled", "value": "yes"}]), "BadRequestException", 400)
        self.error(lambda: self.apigw.update_api_key(apiKey=key["id"], patchOperations=[
            {"op": "add", "path": "/stages", "value": api_id + "/nostage"}]),
            "NotFoundException", 404, "Invalid Stage identifier specified")
        self.error(lambda: self.apigw.update_api_key(apiKey="nosuchkey1", patchOperations=[]),
                   "NotFoundException", 404, "Invalid API Key identifier specified")
        self.assertEqual(self.apigw.get_api_key(apiKey=key["id"])["name"], "renamed")

    def test_delete_api_key(self):
        key = self.apigw.create_api_key(name="k", value="deleted-key-value-0123")
        resp = self.apigw.delete_api_key(apiKey=key["id"])
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.error(lambda: self.apigw.get_api_key(apiKey=key["id"]), "NotFoundException", 404)
        self.error(lambda: self.apigw.delete_api_key(apiKey=key["id"]), "NotFoundException", 404)
        # Its value is free again.
        self.apigw.create_api_key(name="k2", value="deleted-key-value-0123")

    def test_tags_on_keys_and_plans(self):
        key = self.apigw.create_api_key(name="k", tags={"a": "1"})
        plan = self.apigw.create_usage_plan(name="p")
        for arn, first in (("arn:aws:apigateway:us-east-1::/apikeys/" + key["id"], {"a": "1"}),
                           ("arn:aws:apigateway:us-east-1::/usageplans/" + plan["id"], {})):
            self.assertEqual(self.apigw.get_tags(resourceArn=arn)["tags"], first)
            self.apigw.tag_resource(resourceArn=arn, tags={"b": "2"})
            self.assertEqual(self.apigw.get_tags(resourceArn=arn)["tags"], dict(first, b="2"))
            self.apigw.untag_resource(resourceArn=arn, tagKeys=["b"])
            self.assertEqual(self.apigw.get_tags(resourceArn=arn)["tags"], first)
        self.apigw.tag_resource(resourceArn="arn:aws:apigateway:us-east-1::/apikeys/" + key["id"],
                                tags={"c": "3"})
        self.assertEqual(self.apigw.get_api_key(apiKey=key["id"])["tags"], {"a": "1", "c": "3"})
        for arn in ("arn:aws:apigateway:us-east-1::/apikeys/nosuchkey1",
                    "arn:aws:apigateway:us-east-1::/usageplans/nosuch",
                    "arn:aws:apigateway:us-east-1::/apikeys/"):
            self.error(lambda: self.apigw.get_tags(resourceArn=arn), "NotFoundException", 404)

    def test_cli(self):
        code, out, _ = self.server.aws("apigateway", "create-api-key", "--name", "cli",
                                       "--enabled")
        self.assertEqual(code, 0)
        self.assertIs(out["enabled"], True)
        code, out, _ = self.server.aws("apigateway", "get-api-keys", "--include-values")
        self.assertEqual([k["name"] for k in out["items"]], ["cli"])
        self.assertEqual(len(out["items"][0]["value"]), 40)
        code, _, err = self.server.aws("apigateway", "get-api-key", "--api-key", "nosuchkey1",
                                       check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("NotFoundException", err)


class UsagePlansTest(GatewayTestCase):
    def test_create_usage_plan_answers_aws_fields(self):
        api_id = self.mock_api()
        plan = self.apigw.create_usage_plan(
            name="gold", description="the gold plan",
            apiStages=[{"apiId": api_id, "stage": "prod"}],
            throttle={"burstLimit": 10, "rateLimit": 5.5},
            quota={"limit": 1000, "period": "WEEK", "offset": 1}, tags={"t": "1"})
        self.assertEqual(plan["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertRegex(plan["id"], r"^[a-z0-9]{6}$")
        self.assertEqual(plan["name"], "gold")
        self.assertEqual(plan["description"], "the gold plan")
        self.assertEqual(plan["apiStages"], [{"apiId": api_id, "stage": "prod"}])
        self.assertEqual(plan["throttle"], {"burstLimit": 10, "rateLimit": 5.5})
        self.assertEqual(plan["quota"], {"limit": 1000, "period": "WEEK", "offset": 1})
        self.assertEqual(plan["tags"], {"t": "1"})
        got = self.apigw.get_usage_plan(usagePlanId=plan["id"])
        for k in ("id", "name", "apiStages", "throttle", "quota"):
            self.assertEqual(got[k], plan[k], k)
        bare = self.apigw.create_usage_plan(name="bare")
        self.assertEqual(bare["apiStages"], [])
        self.assertNotIn("throttle", bare)
        self.assertEqual(sorted(p["name"] for p in self.apigw.get_usage_plans()["items"]),
                         ["bare", "gold"])

    def test_validation_errors(self):
        api_id = self.mock_api()
        self.error(lambda: self.apigw.get_usage_plan(usagePlanId="nosuch"), "NotFoundException",
                   404, "Invalid Usage Plan ID specified")
        self.error(lambda: self.apigw.delete_usage_plan(usagePlanId="nosuch"),
                   "NotFoundException", 404, "Invalid Usage Plan ID specified")
        self.error(lambda: self.apigw.create_usage_plan(
            name="p", apiStages=[{"apiId": api_id, "stage": "nostage"}]),
            "NotFoundException", 404, "Invalid Stage identifier specified")
        self.error(lambda: self.apigw.create_usage_plan(
            name="p", apiStages=[{"apiId": "nosuchapi1", "stage": "prod"}]),
            "NotFoundException", 404,
            "Invalid API identifier specified %s:nosuchapi1" % self.account)
        self.error(lambda: self.apigw.create_usage_plan(
            name="p", throttle={"rateLimit": -1.0}), "BadRequestException", 400)
        self.error(lambda: self.apigw.create_usage_plan(
            name="p", throttle={"burstLimit": -5}), "BadRequestException", 400)
        self.error(lambda: self.apigw.create_usage_plan(
            name="p", quota={"limit": -1, "period": "DAY"}), "BadRequestException", 400)
        self.error(lambda: self.apigw.create_usage_plan(
            name="p", quota={"limit": 10, "period": "DAY", "offset": 1}),
            "BadRequestException", 400)
        self.error(lambda: self.apigw.create_usage_plan(
            name="p", quota={"limit": 10, "period": "WEEK", "offset": 7}),
            "BadRequestException", 400)
        self.error(lambda: self.apigw.create_usage_plan(
            name="p", apiStages=[{"apiId": api_id, "stage": "prod",
                                  "throttle": {"pets": {"burstLimit": 1}}}]),
            "BadRequestException", 400)
        self.assertEqual(self.apigw.get_usage_plans()["items"], [])

    def test_update_usage_plan_with_patch_operations(self):
        api_id = self.mock_api()
        other = self.mock_api(stage="beta")
        plan = self.apigw.create_usage_plan(name="p", apiStages=[{"apiId": api_id,
                                                                  "stage": "prod"}])
        pid = plan["id"]
        got = self.apigw.update_usage_plan(usagePlanId=pid, patchOperations=[
            {"op": "replace", "path": "/name", "value": "renamed"},
            {"op": "replace", "path": "/throttle/rateLimit", "value": "12.5"},
            {"op": "replace", "path": "/throttle/burstLimit", "value": "20"},
            {"op": "replace", "path": "/quota/limit", "value": "500"},
            {"op": "replace", "path": "/quota/period", "value": "MONTH"},
            {"op": "add", "path": "/apiStages", "value": other + ":beta"},
            {"op": "replace", "path": "/apiStages/%s:prod/throttle/~1/GET/burstLimit" % api_id,
             "value": "3"}])
        self.assertEqual(got["name"], "renamed")
        self.assertEqual(got["throttle"], {"rateLimit": 12.5, "burstLimit": 20})
        self.assertEqual(got["quota"], {"limit": 500, "period": "MONTH", "offset": 0})
        self.assertEqual(got["apiStages"], [
            {"apiId": api_id, "stage": "prod", "throttle": {"//GET": {"burstLimit": 3}}},
            {"apiId": other, "stage": "beta"}])
        got = self.apigw.update_usage_plan(usagePlanId=pid, patchOperations=[
            {"op": "remove", "path": "/apiStages", "value": other + ":beta"},
            {"op": "remove", "path": "/throttle"}])
        self.assertEqual([s["apiId"] for s in got["apiStages"]], [api_id])
        self.assertNotIn("throttle", got)
        bad = [
            ([{"op": "remove", "path": "/apiStages", "value": other + ":beta"}],
             "NotFoundException", 404),
            ([{"op": "add", "path": "/apiStages", "value": api_id + ":prod"}],
             "ConflictException", 409),
            ([{"op": "add", "path": "/apiStages", "value": "no-colon"}], "BadRequestException",
             400),
            ([{"op": "replace", "path": "/nosuch", "value": "x"}], "BadRequestException", 400),
            ([{"op": "replace", "path": "/throttle/rateLimit", "value": "-3"}],
             "BadRequestException", 400),
            ([{"op": "replace", "path": "/throttle/burstLimit", "value": "lots"}],
             "BadRequestException", 400),
            ([{"op": "replace", "path": "/quota/period", "value": "YEAR"}],
             "BadRequestException", 400),
            ([{"op": "replace", "path": "/name", "value": ""}], "BadRequestException", 400),
        ]
        for ops, code, status in bad:
            self.error(lambda: self.apigw.update_usage_plan(usagePlanId=pid,
                                                            patchOperations=ops), code, status)
        self.assertEqual(self.apigw.get_usage_plan(usagePlanId=pid)["name"], "renamed")

    def test_usage_plan_keys(self):
        api_id = self.mock_api()
        plan = self.apigw.create_usage_plan(name="p", apiStages=[{"apiId": api_id,
                                                                  "stage": "prod"}])
        other = self.apigw.create_usage_plan(name="o", apiStages=[{"apiId": api_id,
                                                                   "stage": "prod"}])
        key = self.apigw.create_api_key(name="member", enabled=True)
        pk = self.apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"],
                                              keyType="API_KEY")
        self.assertEqual(pk["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual((pk["id"], pk["type"], pk["name"], pk["value"]),
                         (key["id"], "API_KEY", "member", key["value"]))
        got = self.apigw.get_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
        self.assertEqual(got["id"], key["id"])
        keys = self.apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]
        self.assertEqual([k["id"] for k in keys], [key["id"]])
        self.assertEqual(self.apigw.get_usage_plan_keys(usagePlanId=plan["id"],
                                                        nameQuery="zzz")["items"], [])
        plans = self.apigw.get_usage_plans(keyId=key["id"])["items"]
        self.assertEqual([p["id"] for p in plans], [plan["id"]])
        self.error(lambda: self.apigw.create_usage_plan_key(
            usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY"), "ConflictException", 409)
        self.error(lambda: self.apigw.create_usage_plan_key(
            usagePlanId=other["id"], keyId=key["id"], keyType="API_KEY"), "ConflictException",
            409, "Usage Plan %s cannot be added because API Key %s cannot reference multiple "
                 "Usage Plans with the same API Stage: %s:prod" % (other["id"], key["id"], api_id))
        self.error(lambda: self.apigw.create_usage_plan_key(
            usagePlanId=plan["id"], keyId="nosuchkey1", keyType="API_KEY"),
            "NotFoundException", 404, "Invalid API Key identifier specified")
        self.error(lambda: self.apigw.create_usage_plan_key(
            usagePlanId="nosuch", keyId=key["id"], keyType="API_KEY"),
            "NotFoundException", 404, "Invalid Usage Plan ID specified")
        self.error(lambda: self.apigw.create_usage_plan_key(
            usagePlanId=plan["id"], keyId=key["id"], keyType="COGNITO"),
            "BadRequestException", 400)
        self.error(lambda: self.apigw.get_usage_plan_key(usagePlanId=other["id"],
                                                         keyId=key["id"]),
                   "NotFoundException", 404)
        resp = self.apigw.delete_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.assertEqual(self.apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"], [])
        self.error(lambda: self.apigw.delete_usage_plan_key(usagePlanId=plan["id"],
                                                            keyId=key["id"]),
                   "NotFoundException", 404)
        # Deleting a key takes it out of its plans.
        self.apigw.create_usage_plan_key(usagePlanId=other["id"], keyId=key["id"],
                                         keyType="API_KEY")
        self.apigw.delete_api_key(apiKey=key["id"])
        self.assertEqual(self.apigw.get_usage_plan_keys(usagePlanId=other["id"])["items"], [])
        resp = self.apigw.delete_usage_plan(usagePlanId=other["id"])
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.error(lambda: self.apigw.get_usage_plan(usagePlanId=other["id"]),
                   "NotFoundException", 404)

    def test_get_usage_validates_dates(self):
        plan = self.apigw.create_usage_plan(name="p")
        usage = self.apigw.get_usage(usagePlanId=plan["id"], startDate="2026-01-01",
                                     endDate="2026-01-03")
        self.assertEqual((usage["usagePlanId"], usage["startDate"], usage["endDate"]),
                         (plan["id"], "2026-01-01", "2026-01-03"))
        self.assertEqual(usage["items"], {})
        for start, end in (("2026-13-01", "2026-12-31"), ("yesterday", "2026-01-01"),
                           ("2026-02-01", "2026-01-01"), ("2026-01-01", "2026-06-01")):
            self.error(lambda: self.apigw.get_usage(usagePlanId=plan["id"], startDate=start,
                                                    endDate=end), "BadRequestException", 400)
        self.error(lambda: self.apigw.get_usage(usagePlanId="nosuch", startDate="2026-01-01",
                                                endDate="2026-01-01"), "NotFoundException", 404)


class EnforcementTest(GatewayTestCase):
    def plan_with_key(self, api_id, stage="prod", **plan_kw):
        plan = self.apigw.create_usage_plan(name="p", apiStages=[{"apiId": api_id,
                                                                  "stage": stage}], **plan_kw)
        key = self.apigw.create_api_key(name="caller", enabled=True)
        self.apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"],
                                         keyType="API_KEY")
        return plan, key

    def assert_answer(self, answer, status, body, error_type=None):
        got_status, headers, got_body = answer
        self.assertEqual((got_status, got_body), (status, body))
        if error_type:
            self.assertEqual(headers["x-amzn-ErrorType"], error_type)
            self.assertEqual(headers["content-type"], "application/json")

    def test_api_key_required_methods_need_a_key_of_a_plan_of_the_stage(self):
        api_id = self.mock_api(open_paths=("/open",))
        self.assert_answer(self.request(api_id, "/prod/open"), 200, {"ok": True})

        self.assert_answer(self.request(api_id, "/prod"), 403, FORBIDDEN, "ForbiddenException")
        self.assert_answer(self.request(api_id, "/prod", headers={"x-api-key": "not-a-key"}),
                           403, FORBIDDEN, "ForbiddenException")
        # A key in no plan.
        loose = self.apigw.create_api_key(name="loose", enabled=True)
        self.assert_answer(self.request(api_id, "/prod", headers={"x-api-key": loose["value"]}),
                           403, FORBIDDEN, "ForbiddenException")
        # A key of a plan for another stage.
        self.apigw.create_stage(restApiId=api_id, stageName="beta",
                                deploymentId=self.apigw.get_stage(restApiId=api_id,
                                                                  stageName="prod")["deploymentId"])
        _, beta_key = self.plan_with_key(api_id, stage="beta")
        self.assert_answer(self.request(api_id, "/prod", headers={"x-api-key": beta_key["value"]}),
                           403, FORBIDDEN, "ForbiddenException")
        self.assert_answer(self.request(api_id, "/beta", headers={"x-api-key": beta_key["value"]}),
                           200, {"ok": True})
        # The key of a plan of the stage; disabled, it is refused again.
        _, key = self.plan_with_key(api_id)
        self.assert_answer(self.request(api_id, "/prod", headers={"x-api-key": key["value"]}),
                           200, {"ok": True})
        self.assert_answer(self.request(api_id, "/prod", headers={"X-API-Key": key["value"]}),
                           200, {"ok": True})
        self.apigw.update_api_key(apiKey=key["id"], patchOperations=[
            {"op": "replace", "path": "/enabled", "value": "false"}])
        self.assert_answer(self.request(api_id, "/prod", headers={"x-api-key": key["value"]}),
                           403, FORBIDDEN, "ForbiddenException")

    def test_plan_throttle_burst_then_too_many_requests(self):
        api_id = self.mock_api()
        _, key = self.plan_with_key(api_id, throttle={"burstLimit": 3, "rateLimit": 0.01})
        headers = {"x-api-key": key["value"]}
        answers = [self.request(api_id, "/prod", headers=headers)[0] for _ in range(5)]
        self.assertEqual(answers, [200, 200, 200, 429, 429])
        self.assert_answer(self.request(api_id, "/prod", headers=headers), 429, TOO_MANY,
                           "TooManyRequestsException")
        # 0.01 requests a second: 100 seconds later one token is back.
        self.advance(100)
        self.assertEqual(self.request(api_id, "/prod", headers=headers)[0], 200)
        self.assertEqual(self.request(api_id, "/prod", headers=headers)[0], 429)

    def test_per_method_throttle_of_an_api_stage(self):
        api_id = self.mock_api(paths=("/", "/pets"))
        plan, key = self.plan_with_key(api_id, throttle={"burstLimit": 100, "rateLimit": 100})
        self.apigw.update_usage_plan(usagePlanId=plan["id"], patchOperations=[
            {"op": "replace", "path": "/apiStages/%s:prod/throttle/~1pets/GET/burstLimit" % api_id,
             "value": "1"},
            {"op": "replace", "path": "/apiStages/%s:prod/throttle/~1pets/GET/rateLimit" % api_id,
             "value": "0.001"}])
        headers = {"x-api-key": key["value"]}
        self.assertEqual([self.request(api_id, "/prod/pets", headers=headers)[0]
                          for _ in range(3)], [200, 429, 429])
        self.assertEqual([self.request(api_id, "/prod", headers=headers)[0] for _ in range(3)],
                         [200, 200, 200])

    def test_quota_then_limit_exceeded_and_get_usage(self):
        api_id = self.mock_api()
        plan, key = self.plan_with_key(api_id, quota={"limit": 3, "period": "DAY"})
        headers = {"x-api-key": key["value"]}
        self.assertEqual([self.request(api_id, "/prod", headers=headers)[0] for _ in range(3)],
                         [200, 200, 200])
        self.assert_answer(self.request(api_id, "/prod", headers=headers), 429, LIMIT_EXCEEDED,
                           "LimitExceededException")
        day1 = self.today()
        usage = self.apigw.get_usage(usagePlanId=plan["id"], startDate=day1.isoformat(),
                                     endDate=day1.isoformat())
        self.assertEqual(usage["items"], {key["id"]: [[3, 0]]})
        # A new day, a new quota.
        self.advance(86400)
        day2 = self.today()
        self.assertEqual(self.request(api_id, "/prod", headers=headers)[0], 200)
        usage = self.apigw.get_usage(usagePlanId=plan["id"], startDate=day1.isoformat(),
                                     endDate=day2.isoformat(), keyId=key["id"])
        self.assertEqual(usage["items"], {key["id"]: [[3, 0], [1, 2]]})
        # UpdateUsage sets what remains of the period.
        updated = self.apigw.update_usage(usagePlanId=plan["id"], keyId=key["id"],
                                          patchOperations=[{"op": "replace", "path": "/remaining",
                                                            "value": "0"}])
        self.assertEqual(updated["items"], {key["id"]: [[3, 0]]})
        self.assertEqual(self.request(api_id, "/prod", headers=headers)[1]["x-amzn-ErrorType"],
                         "LimitExceededException")
        self.error(lambda: self.apigw.update_usage(
            usagePlanId=plan["id"], keyId=key["id"],
            patchOperations=[{"op": "replace", "path": "/remaining", "value": "-1"}]),
            "BadRequestException", 400)
        self.error(lambda: self.apigw.update_usage(
            usagePlanId=plan["id"], keyId="nosuchkey1",
            patchOperations=[{"op": "replace", "path": "/remaining", "value": "1"}]),
            "NotFoundException", 404)

    def test_throttled_and_refused_requests_do_not_count(self):
        api_id = self.mock_api()
        plan, key = self.plan_with_key(api_id, throttle={"burstLimit": 1, "rateLimit": 0.001},
                                       quota={"limit": 100, "period": "MONTH"})
        headers = {"x-api-key": key["value"]}
        self.assertEqual([self.request(api_id, "/prod", headers=headers)[0] for _ in range(4)],
                         [200, 429, 429, 429])
        self.request(api_id, "/prod")
        day = self.today().isoformat()
        usage = self.apigw.get_usage(usagePlanId=plan["id"], startDate=day, endDate=day)
        self.assertEqual(usage["items"], {key["id"]: [[1, 99]]})

    def test_concurrent_burst_admits_exactly_the_burst(self):
        import concurrent.futures
        api_id = self.mock_api()
        _, key = self.plan_with_key(api_id, throttle={"burstLimit": 10, "rateLimit": 0.001})
        headers = {"x-api-key": key["value"]}
        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(lambda _: self.request(api_id, "/prod", headers=headers)[0],
                                     range(40)))
        self.assertEqual((statuses.count(200), statuses.count(429)), (10, 30))

    def test_hostile_input(self):
        api_id = self.mock_api()
        plan, key = self.plan_with_key(api_id)
        pid = plan["id"]
        for ops in ([{"op": "move", "path": "/name", "from": "/description"}],
                    [{"op": "replace", "path": "/throttle/rateLimit"}],
                    [{"op": "replace", "path": "/throttle/rateLimit", "value": "nan"}],
                    [{"op": "replace", "path": "/throttle/burstLimit",
                      "value": "99999999999999999999999"}],
                    [{"op": "replace", "path": "/quota/offset", "value": "-1"}],
                    [{"op": "replace", "path": "/apiStages/%s:prod/throttle/pets" % api_id,
                      "value": "1"}],
                    [{"op": "replace", "path": "/apiStages/nosuch:prod/throttle/~1/GET/rateLimit",
                      "value": "1"}],
                    [{"op": "replace", "path": "", "value": "1"}]):
            with self.assertRaises(ClientError) as cm:
                self.apigw.update_usage_plan(usagePlanId=pid, patchOperations=ops)
            self.assertIn(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], (400, 404),
                          ops)
        for key_id in ("..%2F..%2Fx", "a" * 2000, "%00"):
            status, _, body = self.server.http("GET", "/apikeys/" + key_id)
            self.assertEqual(status, 404, body)
            status, _, body = self.server.http("GET", "/usageplans/%s/keys/%s" % (pid, key_id))
            self.assertEqual(status, 404, body)
        self.error(lambda: self.apigw.import_api_keys(body=b"\x00\xff\xfe,\n\"", format="csv"),
                   "BadRequestException", 400)
        self.error(lambda: self.apigw.create_api_key(name="n" * 10, tags={
            "t%d" % i: "v" for i in range(51)}), "BadRequestException", 400)
        huge = "v" * 100000
        self.error(lambda: self.apigw.create_api_key(name="huge", value=huge),
                   "BadRequestException", 400)
        # Header values that are not keys, however long or odd, are refused.
        for value in ("x" * 8000, " ", key["value"][:-1], key["value"].lower()):
            self.assertEqual(self.request(api_id, "/prod", headers={"x-api-key": value})[0], 403)
        self.assertEqual(self.request(api_id, "/prod", headers={"x-api-key": key["value"]})[0],
                         200)

    def test_stage_method_settings_throttle(self):
        api_id = self.mock_api(paths=("/", "/pets"), api_key_required=False)
        stage = self.apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
            {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "2"},
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "0.001"},
            {"op": "replace", "path": "/~1pets/GET/throttling/burstLimit", "value": "0"},
            {"op": "replace", "path": "/~1pets/GET/metrics/enabled", "value": "true"}])
        settings = stage["methodSettings"]
        self.assertEqual(settings["*/*"]["throttlingBurstLimit"], 2)
        self.assertEqual(settings["*/*"]["throttlingRateLimit"], 0.001)
        self.assertEqual(settings["*/*"]["loggingLevel"], "OFF")
        self.assertIs(settings["pets/GET"]["metricsEnabled"], True)
        self.assertEqual(settings["pets/GET"]["throttlingBurstLimit"], 0)
        self.assertEqual(self.apigw.get_stage(restApiId=api_id, stageName="prod")["methodSettings"],
                         settings)
        self.assertEqual([self.request(api_id, "/prod")[0] for _ in range(3)], [200, 200, 429])
        self.assert_answer(self.request(api_id, "/prod/pets"), 429, TOO_MANY,
                           "TooManyRequestsException")
        for path, value in (("/*/*/throttling/nosuch", "1"), ("/*/GET/throttling/rateLimit", "1"),
                            ("/~1pets/FETCH/throttling/rateLimit", "1"),
                            ("/*/*/throttling/rateLimit", "-1"),
                            ("/*/*/throttling/burstLimit", "1.5"),
                            ("/*/*/logging/loglevel", "LOUD"),
                            ("/*/*/caching/ttlInSeconds", "99999")):
            self.error(lambda: self.apigw.update_stage(restApiId=api_id, stageName="prod",
                                                       patchOperations=[{"op": "replace",
                                                                         "path": path,
                                                                         "value": value}]),
                       "BadRequestException", 400)


PY_SLOW = """
import json, time
def handler(event, context):
    seconds = (event.get("queryStringParameters") or {}).get("sleep", "0")
    time.sleep(float(seconds))
    print("finished after " + seconds)
    return {"statusCode": 200, "body": json.dumps({"slept": True})}
"""


class IntegrationTimeoutTest(GatewayTestCase):
    reset_between_tests = False
    function_arn = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import test_lambda_support as support
        lam = cls.server.client("lambda")
        cls.function_arn = lam.create_function(
            FunctionName="slow", Runtime=support.PYTHON_RUNTIME, Role=support.ROLE,
            Handler="index.handler", Code={"ZipFile": support.make_zip({"index.py": PY_SLOW})},
            Timeout=10)["FunctionArn"]

    def rest_api(self, timeout):
        api_id = self.apigw.create_rest_api(name="slow")["id"]
        root = self.apigw.get_rest_api(restApiId=api_id)["rootResourceId"]
        base = {"restApiId": api_id, "resourceId": root, "httpMethod": "GET"}
        self.apigw.put_method(authorizationType="NONE", **base)
        self.apigw.put_integration(type="AWS_PROXY", integrationHttpMethod="POST",
                                   uri=lambda_uri(self.function_arn), timeoutInMillis=timeout,
                                   **base)
        self.apigw.create_deployment(restApiId=api_id, stageName="prod")
        return api_id

    def test_rest_lambda_timeout_is_504_while_the_function_runs_on(self):
        api_id = self.rest_api(1000)
        # Warm the function so the timing below is the sleep's.
        self.assertEqual(self.request(api_id, "/prod?sleep=0")[0], 200)
        t0 = time.monotonic()
        status, headers, body = self.request(api_id, "/prod?sleep=4")
        elapsed = time.monotonic() - t0
        self.assertEqual((status, body), (504, {"message": "Endpoint request timed out"}))
        self.assertEqual(headers["x-amzn-ErrorType"], "InternalServerErrorException")
        self.assertGreaterEqual(elapsed, 0.9)
        self.assertLess(elapsed, 3.0)
        # The function was not stopped: it finishes its 4 seconds and logs so.
        self.assertTrue(self.logged("finished after 4"))
        # Within the timeout the answer is the function's.
        status, _, body = self.request(api_id, "/prod?sleep=0.1")
        self.assertEqual((status, body), (200, {"slept": True}))

    def logged(self, text, wait=10):
        logs = self.client("logs")
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                events = logs.filter_log_events(logGroupName="/aws/lambda/slow")["events"]
            except ClientError:
                events = []
            if any(text in e["message"] for e in events):
                return True
            time.sleep(0.1)
        return False

    def test_rest_timeout_bounds(self):
        api_id = self.apigw.create_rest_api(name="bounds")["id"]
        root = self.apigw.get_rest_api(restApiId=api_id)["rootResourceId"]
        base = {"restApiId": api_id, "resourceId": root, "httpMethod": "GET"}
        self.apigw.put_method(authorizationType="NONE", **base)
        for bad in (49, 29001, -1):
            self.error(lambda: self.apigw.put_integration(
                type="AWS_PROXY", integrationHttpMethod="POST",
                uri=lambda_uri(self.function_arn), timeoutInMillis=bad, **base),
                "BadRequestException", 400)
        got = self.apigw.put_integration(type="AWS_PROXY", integrationHttpMethod="POST",
                                         uri=lambda_uri(self.function_arn), **base)
        self.assertEqual(got["timeoutInMillis"], 29000)

    def test_http_api_lambda_timeout_is_503(self):
        v2 = self.client("apigatewayv2")
        api_id = v2.create_api(Name="slow", ProtocolType="HTTP")["ApiId"]
        integration = v2.create_integration(
            ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=self.function_arn,
            PayloadFormatVersion="2.0", TimeoutInMillis=1000)["IntegrationId"]
        v2.create_route(ApiId=api_id, RouteKey="GET /slow", Target="integrations/" + integration)
        v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
        self.assertEqual(self.request(api_id, "/slow?sleep=0")[0], 200)
        t0 = time.monotonic()
        status, headers, body = self.request(api_id, "/slow?sleep=4")
        elapsed = time.monotonic() - t0
        self.assertEqual((status, body), (503, {"message": "Service Unavailable"}))
        self.assertIn("apigw-requestid", headers)
        self.assertLess(elapsed, 3.0)
        unchecked = self.client("apigatewayv2", parameter_validation=False)
        for bad in (49, 30001):
            self.error(lambda: unchecked.update_integration(ApiId=api_id, IntegrationId=integration,
                                                     TimeoutInMillis=bad),
                       "BadRequestException", 400)


class HttpApiThrottleTest(GatewayTestCase):
    def test_route_settings_throttle_each_route(self):
        v2 = self.client("apigatewayv2")
        api_id = v2.create_api(Name="throttled", ProtocolType="HTTP")["ApiId"]
        # An HTTP backend is not needed: an unreachable one answers 500, a throttled route 429
        # before any integration runs.
        integration = v2.create_integration(
            ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="ANY",
            IntegrationUri="http://127.0.0.1:1/", PayloadFormatVersion="1.0")["IntegrationId"]
        for key in ("GET /a", "GET /b", "GET /free"):
            v2.create_route(ApiId=api_id, RouteKey=key, Target="integrations/" + integration)
        v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True,
                        DefaultRouteSettings={"ThrottlingBurstLimit": 2,
                                              "ThrottlingRateLimit": 0.001},
                        RouteSettings={"GET /free": {"ThrottlingBurstLimit": 1000,
                                                     "ThrottlingRateLimit": 1000.0},
                                       "GET /b": {"ThrottlingBurstLimit": 0}})
        self.assertEqual([self.request(api_id, "/a")[0] for _ in range(4)], [500, 500, 429, 429])
        status, headers, body = self.request(api_id, "/a")
        self.assertEqual((status, body), (429, TOO_MANY))
        self.assertIn("apigw-requestid", headers)
        self.assertEqual(self.request(api_id, "/b")[0], 429)
        self.assertEqual([self.request(api_id, "/free")[0] for _ in range(5)], [500] * 5)
        # Lifting the limit in the stage lifts the throttle.
        v2.update_stage(ApiId=api_id, StageName="$default",
                        DefaultRouteSettings={"ThrottlingBurstLimit": 100,
                                              "ThrottlingRateLimit": 100.0})
        self.assertEqual(self.request(api_id, "/a")[0], 500)
