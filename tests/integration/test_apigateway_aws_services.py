"""API Gateway AWS service integrations without a function in between.

REST APIs: integrations of type AWS whose uri names a service action
(arn:aws:apigateway:<region>:dynamodb:action/PutItem) or path
(arn:aws:apigateway:<region>:sqs:path/<account>/<queue>); the request template's output is the
request body the service reads in its own wire format, and the service's status code selects the
integration response. HTTP APIs: AWS_PROXY integrations with an IntegrationSubtype
(SQS-SendMessage, ...) whose RequestParameters map the request into the action's parameters."""
import json
import time
import urllib.error
import urllib.request

from botocore.exceptions import ClientError

import test_apigateway_rest as rest

ROLE = "arn:aws:iam::000000000000:role/apigw-to-services"


def invoke(port, api_id, path, method="GET", body=None, headers=None):
    """(status, headers, body bytes) of one invocation by Host."""
    headers = dict(headers or {})
    headers["Host"] = "%s.execute-api.localhost:%d" % (api_id, port)
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=body,
                                 method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


class RestServiceIntegrationTest(rest.RestApiTestCase):
    def setUp(self):
        super().setUp()
        self.sqs = self.client("sqs")
        self.ddb = self.client("dynamodb")

    def resource(self, api_id, path_part, parent=None):
        return self.apigw.create_resource(restApiId=api_id,
                                          parentId=parent or self.root_id(api_id),
                                          pathPart=path_part)["id"]

    def method(self, api_id, resource_id, http_method, uri, templates=None, params=None,
               responses=(("200", None, None),)):
        """A method with an AWS integration to `uri` and the given integration responses
        (status, selectionPattern, response template)."""
        self.apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=http_method,
                              authorizationType="NONE")
        kw = {"requestTemplates": templates} if templates else {}
        if params:
            kw["requestParameters"] = params
        self.apigw.put_integration(restApiId=api_id, resourceId=resource_id,
                                   httpMethod=http_method, type="AWS",
                                   integrationHttpMethod="POST", uri=uri, credentials=ROLE, **kw)
        for status, pattern, template in responses:
            self.apigw.put_method_response(restApiId=api_id, resourceId=resource_id,
                                           httpMethod=http_method, statusCode=status)
            rkw = {}
            if pattern is not None:
                rkw["selectionPattern"] = pattern
            if template is not None:
                rkw["responseTemplates"] = {"application/json": template}
            self.apigw.put_integration_response(restApiId=api_id, resourceId=resource_id,
                                                httpMethod=http_method, statusCode=status, **rkw)

    def call(self, api_id, path, method="GET", body=None, headers=None):
        """An invocation sending JSON (urllib would say application/x-www-form-urlencoded)."""
        headers = dict({"Content-Type": "application/json"}, **(headers or {}))
        status, headers, data = invoke(self.server.port, api_id, path, method,
                                       body.encode() if isinstance(body, str) else body, headers)
        return status, headers, data.decode()

    # --- SQS through a path and a form body -------------------------------------------------

    def sqs_api(self, queue, template, content_type="'application/x-www-form-urlencoded'",
                responses=None):
        api_id = self.apigw.create_rest_api(name="to-sqs")["id"]
        res = self.resource(api_id, "orders")
        params = {"integration.request.header.Content-Type": content_type} if content_type else {}
        self.method(api_id, res, "POST", "arn:aws:apigateway:us-east-1:sqs:path/%s/%s" % (
            self.account, queue), templates={"application/json": template}, params=params,
            responses=responses or (("200", None, None),))
        self.apigw.create_deployment(restApiId=api_id, stageName="prod")
        return api_id

    def test_sqs_send_message_by_path_with_form_template(self):
        url = self.sqs.create_queue(QueueName="orders")["QueueUrl"]
        api_id = self.sqs_api("orders", "Action=SendMessage&MessageBody=$util.urlEncode($input.body)",
                              responses=(("200", None, '{"id": "$input.path(\'$.SendMessageResponse'
                                          '.SendMessageResult.MessageId\')"}'),))
        order = '{"item": "tea & cake", "qty": 2, "note": "50% off?"}'
        status, headers, body = self.call(api_id, "/prod/orders", "POST", order,
                                          {"Content-Type": "application/json"})
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["Content-Type"], "application/json")
        message_id = json.loads(body)["id"]
        self.assertRegex(message_id, r"^[0-9a-f-]{36}$")
        got = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"]
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["Body"], order)
        self.assertEqual(got[0]["MessageId"], message_id)

    def test_sqs_answer_passes_through_as_legacy_json(self):
        self.sqs.create_queue(QueueName="plain")
        api_id = self.sqs_api("plain", "Action=SendMessage&MessageBody=$util.urlEncode($input.body)")
        status, _, body = self.call(api_id, "/prod/orders", "POST", "hello",
                                    {"Content-Type": "application/json"})
        self.assertEqual(status, 200, body)
        doc = json.loads(body)["SendMessageResponse"]
        result = doc["SendMessageResult"]
        self.assertEqual(result["MD5OfMessageBody"], "5d41402abc4b2a76b9719d911017c592")
        self.assertIn("MessageId", result)
        self.assertIsNone(result["MD5OfMessageAttributes"])  # absent members are null
        self.assertTrue(doc["ResponseMetadata"]["RequestId"])

    def test_sqs_xml_when_the_integration_asks_for_it(self):
        self.sqs.create_queue(QueueName="xmlq")
        api_id = self.apigw.create_rest_api(name="to-sqs-xml")["id"]
        res = self.resource(api_id, "orders")
        self.method(api_id, res, "POST", "arn:aws:apigateway:us-east-1:sqs:path/%s/xmlq" %
                    self.account,
                    templates={"application/json": "Action=SendMessage&MessageBody=x"},
                    params={"integration.request.header.Content-Type":
                            "'application/x-www-form-urlencoded'",
                            "integration.request.header.Accept": "'text/xml'"})
        self.apigw.create_deployment(restApiId=api_id, stageName="prod")
        status, _, body = self.call(api_id, "/prod/orders", "POST", "{}")
        self.assertEqual(status, 200, body)
        self.assertIn("<SendMessageResponse", body)
        self.assertIn("<MessageId>", body)

    def test_sqs_error_reaches_the_integration_response(self):
        # No Content-Type mapping: API Gateway sends the template's media type, SQS does not
        # read the form, and its own error (missing action) is what the 4xx response maps.
        self.sqs.create_queue(QueueName="strict")
        api_id = self.sqs_api(
            "strict", "Action=SendMessage&MessageBody=$util.urlEncode($input.body)",
            content_type=None,
            responses=(("200", None, None),
                       ("400", "4\\d\\d", '{"failed": "$input.path(\'$.Error.Code\')"}')))
        status, _, body = self.call(api_id, "/prod/orders", "POST", "{}")
        self.assertEqual(status, 400, body)
        self.assertEqual(json.loads(body), {"failed": "MissingAction"})

    def test_sqs_unknown_queue_answers_the_service_error(self):
        api_id = self.sqs_api("nope", "Action=SendMessage&MessageBody=x",
                              responses=(("200", None, None), ("404", "4\\d\\d", None)))
        status, _, body = self.call(api_id, "/prod/orders", "POST", "{}")
        self.assertEqual(status, 404, body)
        err = json.loads(body)["Error"]
        self.assertEqual(err["Code"], "AWS.SimpleQueueService.NonExistentQueue")
        self.assertEqual(err["Type"], "Sender")

    def test_sqs_action_uri_with_query_string_parameters(self):
        url = self.sqs.create_queue(QueueName="byaction")["QueueUrl"]
        api_id = self.apigw.create_rest_api(name="to-sqs-action")["id"]
        res = self.resource(api_id, "send")
        self.apigw.put_method(restApiId=api_id, resourceId=res, httpMethod="GET",
                              authorizationType="NONE",
                              requestParameters={"method.request.querystring.text": True})
        self.apigw.put_integration(
            restApiId=api_id, resourceId=res, httpMethod="GET", type="AWS",
            integrationHttpMethod="POST", credentials=ROLE,
            uri="arn:aws:apigateway:us-east-1:sqs:action/SendMessage",
            requestParameters={"integration.request.querystring.QueueUrl": "'%s'" % url,
                               "integration.request.querystring.MessageBody":
                                   "method.request.querystring.text"})
        self.apigw.put_method_response(restApiId=api_id, resourceId=res, httpMethod="GET",
                                       statusCode="200")
        self.apigw.put_integration_response(restApiId=api_id, resourceId=res, httpMethod="GET",
                                            statusCode="200")
        self.apigw.create_deployment(restApiId=api_id, stageName="prod")
        status, _, body = self.call(api_id, "/prod/send?text=via%20query")
        self.assertEqual(status, 200, body)
        got = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"]
        self.assertEqual(got[0]["Body"], "via query")

    def test_timeout_and_stage_variables_in_the_uri(self):
        url = self.sqs.create_queue(QueueName="slow")["QueueUrl"]
        api_id = self.apigw.create_rest_api(name="slow")["id"]
        res = self.resource(api_id, "wait")
        self.apigw.put_method(restApiId=api_id, resourceId=res, httpMethod="GET",
                              authorizationType="NONE")
        self.apigw.put_integration(
            restApiId=api_id, resourceId=res, httpMethod="GET", type="AWS",
            integrationHttpMethod="POST", timeoutInMillis=300,
            uri="arn:aws:apigateway:us-east-1:sqs:path/${stageVariables.account}/"
                "${stageVariables.queue}",
            requestParameters={"integration.request.header.Content-Type":
                               "'application/x-www-form-urlencoded'"},
            requestTemplates={"application/json":
                              "Action=ReceiveMessage&WaitTimeSeconds=$input.params('wait')"})
        self.apigw.put_method_response(restApiId=api_id, resourceId=res, httpMethod="GET",
                                       statusCode="200")
        self.apigw.put_integration_response(restApiId=api_id, resourceId=res, httpMethod="GET",
                                            statusCode="200")
        self.apigw.create_deployment(restApiId=api_id, stageName="prod",
                                     variables={"account": self.account, "queue": "slow"})
        status, _, body = self.call(api_id, "/prod/wait?wait=0")
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["ReceiveMessageResponse"]["ReceiveMessageResult"][
            "Messages"], None)
        status, headers, body = self.call(api_id, "/prod/wait?wait=2")
        self.assertEqual(status, 504, body)
        self.assertEqual(json.loads(body), {"message": "Endpoint request timed out"})
        # The receive goes on to its own end (a message sent meanwhile would be received and
        # dropped, as on AWS); after it, the queue serves as before.
        time.sleep(2.2)
        self.sqs.send_message(QueueUrl=url, MessageBody="later")
        status, _, body = self.call(api_id, "/prod/wait?wait=0")
        self.assertEqual(status, 200, body)
        messages = json.loads(body)["ReceiveMessageResponse"]["ReceiveMessageResult"]["Messages"]
        self.assertEqual([m["Body"] for m in messages], ["later"])

    def test_s3_objects_by_path(self):
        s3 = self.client("s3")
        s3.create_bucket(Bucket="docs")
        api_id = self.apigw.create_rest_api(name="to-s3")["id"]
        res = self.resource(api_id, "{key}")
        for m in ("PUT", "GET"):
            self.apigw.put_method(restApiId=api_id, resourceId=res, httpMethod=m,
                                  authorizationType="NONE",
                                  requestParameters={"method.request.path.key": True})
            self.apigw.put_integration(
                restApiId=api_id, resourceId=res, httpMethod=m, type="AWS",
                integrationHttpMethod=m, credentials=ROLE,
                uri="arn:aws:apigateway:us-east-1:s3:path/docs/{key}",
                requestParameters={"integration.request.path.key": "method.request.path.key"})
            for status, pattern in (("200", None), ("404", "404")):
                self.apigw.put_method_response(restApiId=api_id, resourceId=res, httpMethod=m,
                                               statusCode=status)
                self.apigw.put_integration_response(
                    restApiId=api_id, resourceId=res, httpMethod=m, statusCode=status,
                    **({"selectionPattern": pattern} if pattern else {}))
        self.apigw.create_deployment(restApiId=api_id, stageName="prod")
        status, _, body = self.call(api_id, "/prod/a%20b.txt", "PUT", "hello s3",
                                    {"Content-Type": "text/plain"})
        self.assertEqual(status, 200, body)
        got = s3.get_object(Bucket="docs", Key="a b.txt")
        self.assertEqual(got["Body"].read(), b"hello s3")
        self.assertEqual(got["ContentType"], "text/plain")
        status, _, body = self.call(api_id, "/prod/a%20b.txt")
        self.assertEqual((status, body), (200, "hello s3"))
        status, _, body = self.call(api_id, "/prod/missing")
        self.assertEqual(status, 404, body)
        self.assertIn("<Code>NoSuchKey</Code>", body)
        # The virtual-hosted form names the bucket before the service.
        self.apigw.update_integration(
            restApiId=api_id, resourceId=res, httpMethod="GET",
            patchOperations=[{"op": "replace", "path": "/uri",
                              "value": "arn:aws:apigateway:us-east-1:docs.s3:path/{key}"}])
        self.apigw.create_deployment(restApiId=api_id, stageName="prod")
        status, _, body = self.call(api_id, "/prod/a%20b.txt")
        self.assertEqual((status, body), (200, "hello s3"))

    def test_sns_publish_by_action_with_mapped_query_string(self):
        sns = self.client("sns")
        topic = sns.create_topic(Name="events")["TopicArn"]
        url = self.sqs.create_queue(QueueName="fanout")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                      Attributes={"RawMessageDelivery": "true"})
        api_id = self.apigw.create_rest_api(name="to-sns")["id"]
        res = self.resource(api_id, "publish")
        self.method(api_id, res, "POST", "arn:aws:apigateway:us-east-1:sns:action/Publish",
                    params={"integration.request.querystring.TopicArn": "'%s'" % topic,
                            "integration.request.querystring.Message": "method.request.body"},
                    responses=(("200", None, '{"published": "$input.path(\'$.PublishResponse'
                                             '.PublishResult.MessageId\')"}'),
                               ("400", "4\\d\\d", '{"code": "$input.path(\'$.Error.Code\')"}')))
        self.apigw.create_deployment(restApiId=api_id, stageName="prod")
        status, _, body = self.call(api_id, "/prod/publish", "POST", "big news")
        self.assertEqual(status, 200, body)
        self.assertRegex(json.loads(body)["published"], r"^[0-9a-f-]{36}$")
        got = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"]
        self.assertEqual(got[0]["Body"], "big news")
        # An empty body maps no Message: SNS's own error reaches the 4xx response.
        status, _, body = self.call(api_id, "/prod/publish", "POST", "")
        self.assertEqual(status, 400, body)
        self.assertEqual(json.loads(body), {"code": "InvalidParameter"})

    # --- DynamoDB through actions and JSON templates ------------------------------------------

    def pets_api(self):
        self.ddb.create_table(TableName="pets", BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
        api_id = self.apigw.create_rest_api(name="pets")["id"]
        pets = self.resource(api_id, "pets")
        pet = self.resource(api_id, "{id}", pets)
        put = ('{"TableName": "pets", "Item": {"id": {"S": "$input.path(\'$.id\')"}, '
               '"name": {"S": "$util.escapeJavaScript($input.path(\'$.name\'))"}}, '
               '"ConditionExpression": "attribute_not_exists(id)"}')
        self.method(api_id, pets, "POST", "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem",
                    templates={"application/json": put},
                    responses=(("201", None, '{"stored": "$input.json(\'$\')"}'),
                               ("409", "400", '{"error": "$input.path(\'$.__type\')"}'),
                               ("500", "5\\d\\d", None)))
        get = '{"TableName": "pets", "Key": {"id": {"S": "$input.params(\'id\')"}}}'
        self.method(api_id, pet, "GET", "arn:aws:apigateway:us-east-1:dynamodb:action/GetItem",
                    templates={"application/json": get},
                    responses=(("200", None,
                                "#set($item = $input.path('$.Item'))"
                                '{"id": "$item.id.S", '
                                '"name": "$util.escapeJavaScript($item.name.S)"}'),
                               ("400", "4\\d\\d", None)))
        self.apigw.create_deployment(restApiId=api_id, stageName="prod")
        return api_id

    def test_dynamodb_put_item_then_get_item(self):
        api_id = self.pets_api()
        status, headers, body = self.call(api_id, "/prod/pets", "POST",
                                          '{"id": "p1", "name": "Rex \\"the dog\\""}',
                                          {"Content-Type": "application/json"})
        self.assertEqual(status, 201, body)
        self.assertEqual(json.loads(body), {"stored": "{}"})
        item = self.ddb.get_item(TableName="pets", Key={"id": {"S": "p1"}})["Item"]
        self.assertEqual(item, {"id": {"S": "p1"}, "name": {"S": 'Rex "the dog"'}})
        status, _, body = self.call(api_id, "/prod/pets/p1")
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body), {"id": "p1", "name": 'Rex "the dog"'})

    def test_conditional_check_failure_maps_to_the_400_response(self):
        api_id = self.pets_api()
        first = self.call(api_id, "/prod/pets", "POST", '{"id": "p2", "name": "a"}')
        self.assertEqual(first[0], 201, first[2])
        status, _, body = self.call(api_id, "/prod/pets", "POST", '{"id": "p2", "name": "b"}')
        self.assertEqual(status, 409, body)
        self.assertEqual(json.loads(body)["error"],
                         "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException")
        item = self.ddb.get_item(TableName="pets", Key={"id": {"S": "p2"}})["Item"]
        self.assertEqual(item["name"], {"S": "a"})

    def test_template_producing_invalid_json_gets_the_service_error(self):
        api_id = self.pets_api()
        # An id with a quote breaks the template's JSON: DynamoDB's own serialization error.
        status, _, body = self.call(api_id, "/prod/pets", "POST", '{"id": "a\\"b", "name": "x"}')
        self.assertEqual(status, 409, body)
        self.assertIn("SerializationException", json.loads(body)["error"])
        status, _, body = self.call(api_id, "/prod/pets", "POST", "not json at all")
        self.assertEqual(status, 400, body)
        self.assertEqual(json.loads(body)["message"].split(":")[0],
                         "Could not parse request body into json")

    def test_unknown_action_and_hostile_bodies_never_crash(self):
        self.ddb.create_table(TableName="tbl", BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
        api_id = self.apigw.create_rest_api(name="hostile")["id"]
        res = self.resource(api_id, "x")
        self.method(api_id, res, "POST", "arn:aws:apigateway:us-east-1:dynamodb:action/NoSuchAction",
                    responses=(("200", None, None), ("400", "4\\d\\d", None)))
        raw = self.resource(api_id, "raw")
        self.method(api_id, raw, "POST", "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem",
                    responses=(("200", None, None), ("400", "4\\d\\d", None)))
        self.apigw.create_deployment(restApiId=api_id, stageName="prod")
        status, _, body = self.call(api_id, "/prod/x", "POST", "{}")
        self.assertEqual(status, 400, body)
        self.assertIn("UnknownOperationException", json.loads(body)["__type"])
        # Passed-through bodies (no template): garbage, deep nesting, a wrong shape, 1 MB.
        for hostile in (b"\xff\xfe\x00garbage", b"[" * 5000, b'{"TableName": 5}',
                        b'{"TableName": "tbl", "Item": {"k": {"S": "' + b"x" * (1 << 20) + b'"}}}'):
            status, _, body = invoke(self.server.port, api_id, "/prod/raw", "POST", hostile,
                                     {"Content-Type": "application/json"})
            self.assertEqual(status, 400, body[:200])
            self.assertIn("__type", json.loads(body))
        status, _, _ = self.server.http("GET", "/_nimbus/health")
        self.assertEqual(status, 200)

    def test_put_integration_checks_the_service(self):
        api_id = self.apigw.create_rest_api(name="checks")["id"]
        root = self.root_id(api_id)
        self.apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="POST",
                              authorizationType="NONE")
        put = lambda uri: self.apigw.put_integration(  # noqa: E731
            restApiId=api_id, resourceId=root, httpMethod="POST", type="AWS",
            integrationHttpMethod="POST", uri=uri)
        self.error(lambda: put("arn:aws:apigateway:us-east-1:kinesis:action/PutRecord"),
                   "NotImplementedException", 501)
        self.error(lambda: put("arn:aws:apigateway:us-east-1:sqs:nothing/here"),
                   "BadRequestException", 400, "AWS ARN for integration must contain path or action")
        got = put("arn:aws:apigateway:us-east-1:sns:action/Publish")
        self.assertEqual(got["type"], "AWS")
        self.assertEqual(got["uri"], "arn:aws:apigateway:us-east-1:sns:action/Publish")


class HttpApiSubtypeTest(rest.RestApiTestCase):
    def setUp(self):
        super().setUp()
        self.v2 = self.client("apigatewayv2")
        self.sqs = self.client("sqs")
        self.queue_url = self.sqs.create_queue(QueueName="inbox")["QueueUrl"]

    def api(self, route_key, subtype, parameters):
        api_id = self.v2.create_api(Name="to-sqs", ProtocolType="HTTP")["ApiId"]
        integ = self.v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY",
                                           IntegrationSubtype=subtype, CredentialsArn=ROLE,
                                           RequestParameters=parameters)
        self.v2.create_route(ApiId=api_id, RouteKey=route_key,
                             Target="integrations/" + integ["IntegrationId"])
        self.v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
        return api_id, integ

    def call(self, api_id, path, method="POST", body=None, headers=None):
        status, headers, data = invoke(self.server.port, api_id, path, method,
                                       body.encode() if isinstance(body, str) else body, headers)
        return status, headers, data.decode()

    def test_send_receive_delete_through_subtypes(self):
        api_id, integ = self.api("POST /send", "SQS-SendMessage", {
            "QueueUrl": self.queue_url, "MessageBody": "$request.body.msg"})
        self.assertEqual(integ["IntegrationSubtype"], "SQS-SendMessage")
        self.assertEqual(integ["PayloadFormatVersion"], "1.0")
        self.assertEqual(integ["RequestParameters"]["MessageBody"], "$request.body.msg")
        status, headers, body = self.call(api_id, "/send", body='{"msg": "hello there"}')
        self.assertEqual(status, 200, body)
        doc = json.loads(body)
        self.assertEqual(doc["MD5OfMessageBody"], "161bc25962da8fed6d2f59922fb642aa")
        self.assertTrue(headers["apigw-requestid"])

        recv = self.v2.create_integration(
            ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationSubtype="SQS-ReceiveMessage",
            RequestParameters={"QueueUrl": self.queue_url, "MaxNumberOfMessages": "5",
                               "WaitTimeSeconds": "$request.querystring.wait"})
        self.v2.create_route(ApiId=api_id, RouteKey="GET /receive",
                             Target="integrations/" + recv["IntegrationId"])
        status, _, body = self.call(api_id, "/receive?wait=1", "GET")
        self.assertEqual(status, 200, body)
        messages = json.loads(body)["Messages"]
        self.assertEqual([m["Body"] for m in messages], ["hello there"])

        delete = self.v2.create_integration(
            ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationSubtype="SQS-DeleteMessage",
            RequestParameters={"QueueUrl": self.queue_url,
                               "ReceiptHandle": "$request.header.x-receipt"})
        self.v2.create_route(ApiId=api_id, RouteKey="DELETE /message",
                             Target="integrations/" + delete["IntegrationId"])
        status, _, body = self.call(api_id, "/message", "DELETE",
                                    headers={"X-Receipt": messages[0]["ReceiptHandle"]})
        self.assertEqual(status, 200, body)
        attrs = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["ApproximateNumberOfMessages"], "0")
        self.assertEqual(attrs["ApproximateNumberOfMessagesNotVisible"], "0")

    def test_mixed_literals_and_context(self):
        api_id, _ = self.api("POST /orders/{id}", "SQS-SendMessage", {
            "QueueUrl": self.queue_url,
            "MessageBody": "order ${request.path.id} on ${context.stage} (${request.querystring.q})",
            "DelaySeconds": "0"})
        status, _, body = self.call(api_id, "/orders/42?q=rush", body="")
        self.assertEqual(status, 200, body)
        got = self.sqs.receive_message(QueueUrl=self.queue_url, WaitTimeSeconds=1)["Messages"]
        self.assertEqual(got[0]["Body"], "order 42 on $default (rush)")

    def test_missing_value_and_bad_types_answer_the_service_error(self):
        api_id, _ = self.api("POST /send", "SQS-SendMessage", {
            "QueueUrl": self.queue_url, "MessageBody": "$request.body.msg",
            "DelaySeconds": "$request.body.delay"})
        status, _, body = self.call(api_id, "/send", body='{"other": 1}')
        self.assertEqual(status, 400, body)
        self.assertIn("MissingParameter", json.loads(body)["__type"])
        status, _, body = self.call(api_id, "/send", body='{"msg": "x", "delay": "soon"}')
        self.assertEqual(status, 400, body)
        self.assertIn("__type", json.loads(body))
        status, _, body = self.call(api_id, "/send", body=b"\xff[[[not json")
        self.assertEqual(status, 400, body)
        self.assertEqual(self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url, AttributeNames=["ApproximateNumberOfMessages"])[
                "Attributes"]["ApproximateNumberOfMessages"], "0")

    def test_unknown_queue_answers_404_with_the_sqs_error(self):
        api_id, _ = self.api("POST /send", "SQS-SendMessage", {
            "QueueUrl": self.queue_url + "-gone", "MessageBody": "x"})
        status, _, body = self.call(api_id, "/send", body="{}")
        self.assertEqual(status, 400, body)
        self.assertIn("QueueDoesNotExist", json.loads(body)["__type"])

    def test_timeout_answers_503(self):
        api_id = self.v2.create_api(Name="slow", ProtocolType="HTTP")["ApiId"]
        integ = self.v2.create_integration(
            ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationSubtype="SQS-ReceiveMessage",
            TimeoutInMillis=300,
            RequestParameters={"QueueUrl": self.queue_url, "WaitTimeSeconds": "2"})
        self.v2.create_route(ApiId=api_id, RouteKey="GET /wait",
                             Target="integrations/" + integ["IntegrationId"])
        self.v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
        status, _, body = self.call(api_id, "/wait", "GET")
        self.assertEqual(status, 503, body)
        self.assertEqual(json.loads(body), {"message": "Service Unavailable"})

    def test_openapi_import_and_export_carry_the_subtype(self):
        definition = {
            "openapi": "3.0.1", "info": {"title": "imported", "version": "1"},
            "paths": {"/send": {"post": {"x-amazon-apigateway-integration": {
                "type": "aws_proxy", "integrationSubtype": "SQS-SendMessage",
                "payloadFormatVersion": "1.0", "credentials": ROLE,
                "requestParameters": {"QueueUrl": self.queue_url,
                                      "MessageBody": "$request.body"}}}}}}
        api_id = self.v2.import_api(Body=json.dumps(definition))["ApiId"]
        self.v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
        status, _, body = self.call(api_id, "/send", body="raw body")
        self.assertEqual(status, 200, body)
        got = self.sqs.receive_message(QueueUrl=self.queue_url, WaitTimeSeconds=1)["Messages"]
        self.assertEqual(got[0]["Body"], "raw body")
        exported = json.loads(self.v2.export_api(ApiId=api_id, Specification="OAS30",
                                                 OutputType="JSON")["body"].read())
        x = exported["paths"]["/send"]["post"]["x-amazon-apigateway-integration"]
        self.assertEqual(x["integrationSubtype"], "SQS-SendMessage")
        self.assertEqual(x["requestParameters"]["MessageBody"], "$request.body")
        definition["paths"]["/send"]["post"]["x-amazon-apigateway-integration"][
            "integrationSubtype"] = "SQS-Teleport"
        with self.assertRaises(ClientError) as cm:
            self.v2.import_api(Body=json.dumps(definition))
        self.assertAwsError(cm, "BadRequestException", 400)

    def test_create_integration_validation(self):
        api_id = self.v2.create_api(Name="checks", ProtocolType="HTTP")["ApiId"]

        def create(**kw):
            args = {"ApiId": api_id, "IntegrationType": "AWS_PROXY"}
            args.update(kw)
            return self.v2.create_integration(**args)

        def refused(code, status, **kw):
            with self.assertRaises(ClientError) as cm:
                create(**kw)
            return self.assertAwsError(cm, code, status)["Error"]["Message"]

        msg = refused("BadRequestException", 400, IntegrationSubtype="SQS-Explode",
                      RequestParameters={"QueueUrl": "q"})
        self.assertTrue(msg.startswith("Invalid IntegrationSubtype specified: SQS-Explode"), msg)
        msg = refused("BadRequestException", 400, IntegrationSubtype="SQS-SendMessage",
                      RequestParameters={"QueueUrl": self.queue_url})
        self.assertIn("MessageBody", msg)
        msg = refused("BadRequestException", 400, IntegrationSubtype="SQS-PurgeQueue",
                      RequestParameters={"QueueUrl": self.queue_url, "Bogus": "x"})
        self.assertIn("Bogus", msg)
        refused("BadRequestException", 400, IntegrationSubtype="SQS-PurgeQueue",
                PayloadFormatVersion="2.0", RequestParameters={"QueueUrl": self.queue_url})
        refused("BadRequestException", 400, IntegrationType="HTTP_PROXY",
                IntegrationSubtype="SQS-PurgeQueue", IntegrationMethod="POST",
                IntegrationUri="http://example.com",
                RequestParameters={"QueueUrl": self.queue_url})
        msg = refused("NotImplementedException", 501, IntegrationSubtype="EventBridge-PutEvents",
                      RequestParameters={"Detail": "$request.body", "DetailType": "t",
                                         "Source": "s"})
        self.assertIn("events", msg)
        refused("NotImplementedException", 501, IntegrationSubtype="StepFunctions-StartExecution",
                RequestParameters={"StateMachineArn": "arn:aws:states:us-east-1:0:stateMachine:x"})
        refused("NotImplementedException", 501, IntegrationSubtype="Kinesis-PutRecord",
                RequestParameters={"StreamName": "s", "Data": "d", "PartitionKey": "p"})
        ok = create(IntegrationSubtype="SQS-PurgeQueue",
                    RequestParameters={"QueueUrl": self.queue_url})
        self.assertEqual(ok["IntegrationType"], "AWS_PROXY")
        self.assertEqual(ok["TimeoutInMillis"], 30000)
        got = self.v2.get_integration(ApiId=api_id, IntegrationId=ok["IntegrationId"])
        self.assertEqual(got["IntegrationSubtype"], "SQS-PurgeQueue")


if __name__ == "__main__":
    import unittest
    unittest.main()
