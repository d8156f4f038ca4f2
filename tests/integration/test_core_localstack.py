"""LocalStack host names: clients configured with LocalStack's endpoints
(http://localhost.localstack.cloud:4566, <bucket>.s3.localhost.localstack.cloud,
sqs.<region>.localhost.localstack.cloud queue URLs) work against nimbus unchanged."""
import json
import unittest
from nimbus_harness import NimbusTestCase

DOMAIN = "localhost.localstack.cloud"


class LocalStackHostNamesTest(NimbusTestCase):
    def test_s3_virtual_hosted_under_localstack_domain(self):
        s3, hosts = self.server.client_via_host("s3", "s3." + DOMAIN, s3={"addressing_style": "virtual"})
        s3.create_bucket(Bucket="ls-bucket")
        s3.put_object(Bucket="ls-bucket", Key="a/b.txt", Body=b"localstack style")
        self.assertEqual(s3.get_object(Bucket="ls-bucket", Key="a/b.txt")["Body"].read(),
                         b"localstack style")
        self.assertEqual(set(hosts), {"ls-bucket.s3.%s:%d" % (DOMAIN, self.server.port)})
        # the same object through nimbus's own path-style endpoint
        self.assertEqual(self.client("s3").get_object(Bucket="ls-bucket", Key="a/b.txt")[
            "Body"].read(), b"localstack style")

    def test_s3_path_style_against_the_bare_localstack_host(self):
        s3, hosts = self.server.client_via_host("s3", DOMAIN, s3={"addressing_style": "path"})
        s3.create_bucket(Bucket="ls-path")
        self.assertEqual([b["Name"] for b in s3.list_buckets()["Buckets"]], ["ls-path"])
        self.assertEqual(set(hosts), {"%s:%d" % (DOMAIN, self.server.port)})

    def test_sqs_queue_urls_of_localstack_form_resolve(self):
        sqs, _ = self.server.client_via_host("sqs", "sqs.us-east-1." + DOMAIN)
        sqs.create_queue(QueueName="ls-queue")
        port = self.server.port
        for url in ["http://sqs.us-east-1.%s:%d/000000000000/ls-queue" % (DOMAIN, port),
                    "http://%s:%d/000000000000/ls-queue" % (DOMAIN, port),
                    "http://%s:%d/queue/us-east-1/000000000000/ls-queue" % (DOMAIN, port)]:
            sqs.send_message(QueueUrl=url, MessageBody=url)
        got = self.client("sqs").get_queue_attributes(
            QueueUrl="/000000000000/ls-queue", AttributeNames=["ApproximateNumberOfMessages"])
        self.assertEqual(got["Attributes"]["ApproximateNumberOfMessages"], "3")

    def test_dynamodb_and_sts_through_the_localstack_host(self):
        ddb, hosts = self.server.client_via_host("dynamodb", DOMAIN)
        ddb.create_table(TableName="ls-table",
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         BillingMode="PAY_PER_REQUEST")
        self.assertEqual(ddb.list_tables()["TableNames"], ["ls-table"])
        sts, _ = self.server.client_via_host("sts", DOMAIN)
        self.assertEqual(sts.get_caller_identity()["Account"], "000000000000")

    def test_localstack_health_shape(self):
        status, _, body = self.server.http("GET", "/_localstack/health")
        self.assertEqual(status, 200)
        doc = json.loads(body)
        self.assertEqual(doc["services"]["s3"], "running")
        self.assertEqual(doc["services"]["glue"] if "glue" in doc["services"] else "absent",
                         "absent")
        self.assertIn("version", doc)
        self.assertIn("edition", doc)


if __name__ == "__main__":
    unittest.main()
