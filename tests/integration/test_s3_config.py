"""S3 bucket configuration and object tagging: tagging, CORS, policy, lifecycle, encryption,
ownership controls, public access block, website and notification configurations are stored,
validated and returned as S3 does (including the defaults of new buckets); object tags by
version; the owner-only ACLs."""
import json
import unittest

import botocore.exceptions

from nimbus_harness import NimbusServer, NimbusTestCase

ClientError = botocore.exceptions.ClientError
BUCKET = "config-bucket"


class S3ConfigTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.s3 = self.client("s3")
        self.s3.create_bucket(Bucket=BUCKET)

    def assertMissing(self, call, code):
        with self.assertRaises(ClientError) as ctx:
            call(Bucket=BUCKET)
        err = self.assertAwsError(ctx, code, 404)
        self.assertEqual(err["Error"]["BucketName"], BUCKET)

    def test_bucket_tagging(self):
        self.assertMissing(self.s3.get_bucket_tagging, "NoSuchTagSet")
        tags = [{"Key": "env", "Value": "test"}, {"Key": "team", "Value": ""}]
        self.s3.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": tags})
        self.assertEqual(self.s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"], tags)
        r = self.s3.delete_bucket_tagging(Bucket=BUCKET)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertMissing(self.s3.get_bucket_tagging, "NoSuchTagSet")

    def test_bucket_tagging_rules(self):
        bad = [[{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}],
               [{"Key": "aws:reserved", "Value": "x"}],
               [{"Key": "k" * 129, "Value": "x"}],
               [{"Key": "k", "Value": "v" * 257}]]
        for tags in bad:
            with self.subTest(tags=tags[0]["Key"][:10]):
                with self.assertRaises(ClientError) as ctx:
                    self.s3.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": tags})
                self.assertAwsError(ctx, "InvalidTag", 400)

    def test_create_bucket_with_tags(self):
        self.s3.create_bucket(Bucket="tagged-at-birth", CreateBucketConfiguration={
            "Tags": [{"Key": "born", "Value": "tagged"}]})
        self.assertEqual(self.s3.get_bucket_tagging(Bucket="tagged-at-birth")["TagSet"],
                         [{"Key": "born", "Value": "tagged"}])

    def test_cors(self):
        self.assertMissing(self.s3.get_bucket_cors, "NoSuchCORSConfiguration")
        rules = [{"AllowedMethods": ["GET", "PUT"], "AllowedOrigins": ["https://example.com"],
                  "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 300}]
        self.s3.put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRules": rules})
        self.assertEqual(self.s3.get_bucket_cors(Bucket=BUCKET)["CORSRules"], rules)
        with self.assertRaises(ClientError) as ctx:
            self.s3.put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRules": [
                {"AllowedMethods": ["PATCH"], "AllowedOrigins": ["*"]}]})
        err = self.assertAwsError(ctx, "InvalidRequest", 400)
        self.assertIn("Unsupported method is PATCH", err["Error"]["Message"])
        self.s3.delete_bucket_cors(Bucket=BUCKET)
        self.assertMissing(self.s3.get_bucket_cors, "NoSuchCORSConfiguration")

    def test_cors_preflight_and_response_headers(self):
        # S3 answers a browser's OPTIONS preflight from the bucket's CORS rules, unsigned, and
        # adds Access-Control-* headers to requests that carry a matching Origin.
        path = "/%s/photo.jpg" % BUCKET
        preflight = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT",
                     "Access-Control-Request-Headers": "content-type, x-amz-meta-tag"}
        status, _, body = self.server.http("OPTIONS", path, headers=preflight)
        self.assertEqual(status, 403)
        self.assertIn(b"<Code>AccessForbidden</Code>", body)
        self.assertIn(b"CORS is not enabled for this bucket", body)
        self.s3.put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRules": [
            {"AllowedOrigins": ["https://*.example.com"], "AllowedMethods": ["PUT", "GET"],
             "AllowedHeaders": ["content-type", "x-amz-meta-*"], "ExposeHeaders": ["ETag"],
             "MaxAgeSeconds": 600},
            {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]})
        status, headers, _ = self.server.http("OPTIONS", path, headers=preflight)
        self.assertEqual(status, 200)
        self.assertEqual(headers["Access-Control-Allow-Origin"], "https://app.example.com")
        self.assertEqual(headers["Access-Control-Allow-Methods"], "PUT, GET")
        self.assertEqual(headers["Access-Control-Allow-Headers"], "content-type, x-amz-meta-tag")
        self.assertEqual(headers["Access-Control-Max-Age"], "600")
        self.assertEqual(headers["Access-Control-Expose-Headers"], "ETag")
        self.assertEqual(headers["Access-Control-Allow-Credentials"], "true")
        self.assertTrue(headers["x-amz-request-id"])
        denied = dict(preflight, **{"Access-Control-Request-Method": "DELETE"})
        status, _, body = self.server.http("OPTIONS", path, headers=denied)
        self.assertEqual(status, 403)
        self.assertIn(b"This CORS request is not allowed", body)
        status, _, body = self.server.http("OPTIONS", path, headers={"Origin": "https://x.org"})
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>BadRequest</Code>", body)
        status, _, body = self.server.http("OPTIONS", "/no-such-cors-bucket/k", headers=preflight)
        self.assertEqual(status, 403)
        # Actual requests: the matching rule's headers ride on the answer.
        self.s3.put_object(Bucket=BUCKET, Key="photo.jpg", Body=b"jpg")
        status, headers, body = self.server.http("GET", path, headers={"Origin": "https://b.org"})
        self.assertEqual((status, body), (200, b"jpg"))
        self.assertEqual(headers["Access-Control-Allow-Origin"], "*")
        status, headers, _ = self.server.http("GET", path)
        self.assertNotIn("Access-Control-Allow-Origin", headers)

    def test_preflight_is_answered_in_strict_auth_mode_too(self):
        strict = NimbusServer("--auth", "strict").start()
        try:
            status, _, body = strict.http("OPTIONS", "/any-bucket/k", headers={
                "Origin": "https://a.example", "Access-Control-Request-Method": "GET"})
            self.assertEqual(status, 403)
            self.assertIn(b"CORSResponse: Bucket not found", body)
        finally:
            strict.cleanup()

    def test_policy(self):
        self.assertMissing(self.s3.get_bucket_policy, "NoSuchBucketPolicy")
        policy = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::%s/*" % BUCKET}]})
        self.s3.put_bucket_policy(Bucket=BUCKET, Policy=policy)
        self.assertEqual(json.loads(self.s3.get_bucket_policy(Bucket=BUCKET)["Policy"]),
                         json.loads(policy))
        for bad in ("not json", "[1, 2]", json.dumps({"Version": "2012-10-17"})):
            with self.subTest(policy=bad):
                with self.assertRaises(ClientError) as ctx:
                    self.s3.put_bucket_policy(Bucket=BUCKET, Policy=bad)
                self.assertAwsError(ctx, "MalformedPolicy", 400)
        self.s3.delete_bucket_policy(Bucket=BUCKET)
        self.assertMissing(self.s3.get_bucket_policy, "NoSuchBucketPolicy")

    def test_lifecycle(self):
        self.assertMissing(self.s3.get_bucket_lifecycle_configuration,
                           "NoSuchLifecycleConfiguration")
        rules = [{"ID": "expire-logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
                  "Expiration": {"Days": 30}}]
        self.s3.put_bucket_lifecycle_configuration(Bucket=BUCKET,
                                                   LifecycleConfiguration={"Rules": rules})
        got = self.s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
        self.assertEqual(got, rules)
        with self.assertRaises(ClientError) as ctx:
            self.client("s3", parameter_validation=False).put_bucket_lifecycle_configuration(
                Bucket=BUCKET, LifecycleConfiguration={"Rules": [
                    {"ID": "x", "Filter": {}, "Status": "Maybe", "Expiration": {"Days": 1}}]})
        self.assertAwsError(ctx, "MalformedXML", 400)
        self.s3.delete_bucket_lifecycle(Bucket=BUCKET)
        self.assertMissing(self.s3.get_bucket_lifecycle_configuration,
                           "NoSuchLifecycleConfiguration")

    def test_encryption_defaults_to_sse_s3(self):
        # New buckets are encrypted with SSE-S3 (AES256) by default.
        rule = self.s3.get_bucket_encryption(Bucket=BUCKET)[
            "ServerSideEncryptionConfiguration"]["Rules"][0]
        self.assertEqual(rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256")
        cfg = {"Rules": [{"ApplyServerSideEncryptionByDefault": {
            "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/my-key"}, "BucketKeyEnabled": True}]}
        self.s3.put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration=cfg)
        self.assertEqual(self.s3.get_bucket_encryption(Bucket=BUCKET)[
            "ServerSideEncryptionConfiguration"], cfg)
        with self.assertRaises(ClientError) as ctx:
            self.client("s3", parameter_validation=False).put_bucket_encryption(
                Bucket=BUCKET, ServerSideEncryptionConfiguration={"Rules": [
                    {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "ROT13"}}]})
        self.assertAwsError(ctx, "MalformedXML", 400)
        self.s3.delete_bucket_encryption(Bucket=BUCKET)
        self.assertEqual(self.s3.get_bucket_encryption(Bucket=BUCKET)[
            "ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]
            ["SSEAlgorithm"], "AES256")

    def test_ownership_controls(self):
        # New buckets enforce bucket-owner ownership (ACLs disabled) unless told otherwise.
        r = self.s3.get_bucket_ownership_controls(Bucket=BUCKET)
        self.assertEqual(r["OwnershipControls"]["Rules"][0]["ObjectOwnership"],
                         "BucketOwnerEnforced")
        self.s3.put_bucket_ownership_controls(Bucket=BUCKET, OwnershipControls={
            "Rules": [{"ObjectOwnership": "ObjectWriter"}]})
        r = self.s3.get_bucket_ownership_controls(Bucket=BUCKET)
        self.assertEqual(r["OwnershipControls"]["Rules"][0]["ObjectOwnership"], "ObjectWriter")
        self.s3.delete_bucket_ownership_controls(Bucket=BUCKET)
        self.assertMissing(self.s3.get_bucket_ownership_controls, "OwnershipControlsNotFoundError")
        self.s3.create_bucket(Bucket="preferred-owner", ObjectOwnership="BucketOwnerPreferred")
        r = self.s3.get_bucket_ownership_controls(Bucket="preferred-owner")
        self.assertEqual(r["OwnershipControls"]["Rules"][0]["ObjectOwnership"],
                         "BucketOwnerPreferred")
        with self.assertRaises(ClientError) as ctx:
            self.client("s3", parameter_validation=False).put_bucket_ownership_controls(
                Bucket=BUCKET, OwnershipControls={"Rules": [{"ObjectOwnership": "Anyone"}]})
        self.assertAwsError(ctx, "MalformedXML", 400)

    def test_public_access_block(self):
        # New buckets block all public access.
        cfg = self.s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
        self.assertEqual(cfg, {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                               "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
        new = {"BlockPublicAcls": False, "IgnorePublicAcls": True, "BlockPublicPolicy": False,
               "RestrictPublicBuckets": True}
        self.s3.put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration=new)
        self.assertEqual(self.s3.get_public_access_block(Bucket=BUCKET)[
            "PublicAccessBlockConfiguration"], new)
        self.s3.delete_public_access_block(Bucket=BUCKET)
        self.assertMissing(self.s3.get_public_access_block, "NoSuchPublicAccessBlockConfiguration")

    def test_website(self):
        self.assertMissing(self.s3.get_bucket_website, "NoSuchWebsiteConfiguration")
        cfg = {"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "404.html"}}
        self.s3.put_bucket_website(Bucket=BUCKET, WebsiteConfiguration=cfg)
        r = self.s3.get_bucket_website(Bucket=BUCKET)
        self.assertEqual(r["IndexDocument"], {"Suffix": "index.html"})
        self.assertEqual(r["ErrorDocument"], {"Key": "404.html"})
        with self.assertRaises(ClientError) as ctx:
            self.s3.put_bucket_website(Bucket=BUCKET, WebsiteConfiguration={
                "ErrorDocument": {"Key": "e.html"}})
        self.assertAwsError(ctx, "InvalidArgument", 400)
        self.s3.delete_bucket_website(Bucket=BUCKET)
        self.assertMissing(self.s3.get_bucket_website, "NoSuchWebsiteConfiguration")

    def test_notification_configuration(self):
        self.assertEqual({k: v for k, v in self.s3.get_bucket_notification_configuration(
            Bucket=BUCKET).items() if k != "ResponseMetadata"}, {})
        cfg = {"QueueConfigurations": [{
            "Id": "to-queue", "QueueArn": "arn:aws:sqs:us-east-1:000000000000:events",
            "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}]}}}],
            "LambdaFunctionConfigurations": [{
                "LambdaFunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:f",
                "Events": ["s3:ObjectRemoved:Delete"]}]}
        # The destinations do not exist: skip their validation (test_s3_notifications.py
        # covers delivery and the checks).
        self.s3.put_bucket_notification_configuration(Bucket=BUCKET,
                                                      NotificationConfiguration=cfg,
                                                      SkipDestinationValidation=True)
        r = self.s3.get_bucket_notification_configuration(Bucket=BUCKET)
        self.assertEqual(r["QueueConfigurations"], cfg["QueueConfigurations"])
        self.assertEqual(r["LambdaFunctionConfigurations"][0]["LambdaFunctionArn"],
                         cfg["LambdaFunctionConfigurations"][0]["LambdaFunctionArn"])
        for bad in ({"QueueConfigurations": [{"QueueArn": "arn:aws:sns:us-east-1:1:t",
                                              "Events": ["s3:ObjectCreated:*"]}]},
                    {"TopicConfigurations": [{"TopicArn": "arn:aws:sns:us-east-1:1:t",
                                              "Events": ["ObjectCreated"]}]}):
            with self.assertRaises(ClientError) as ctx:
                self.s3.put_bucket_notification_configuration(Bucket=BUCKET,
                                                              NotificationConfiguration=bad)
            self.assertAwsError(ctx, "InvalidArgument", 400)

    def test_logging_request_payment_accelerate_acl(self):
        self.assertNotIn("LoggingEnabled", self.s3.get_bucket_logging(Bucket=BUCKET))
        self.assertEqual(self.s3.get_bucket_request_payment(Bucket=BUCKET)["Payer"],
                         "BucketOwner")
        self.assertNotIn("Status", self.s3.get_bucket_accelerate_configuration(Bucket=BUCKET))
        acl = self.s3.get_bucket_acl(Bucket=BUCKET)
        self.assertEqual(acl["Grants"][0]["Permission"], "FULL_CONTROL")
        self.assertEqual(acl["Grants"][0]["Grantee"]["ID"], acl["Owner"]["ID"])
        self.s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")
        self.assertEqual(self.s3.get_object_acl(Bucket=BUCKET, Key="k")["Owner"]["ID"],
                         acl["Owner"]["ID"])

    def test_acls_are_disabled_by_bucket_owner_enforced(self):
        # New buckets enforce bucket ownership: reading ACLs works, setting them does not.
        self.s3.put_bucket_acl(Bucket=BUCKET, ACL="private")
        self.s3.put_object(Bucket=BUCKET, Key="k", Body=b"x", ACL="bucket-owner-full-control")
        for call in (lambda: self.s3.put_bucket_acl(Bucket=BUCKET, ACL="public-read"),
                     lambda: self.s3.put_object(Bucket=BUCKET, Key="k", Body=b"x",
                                                ACL="public-read"),
                     lambda: self.s3.put_object_acl(Bucket=BUCKET, Key="k",
                                                    GrantRead='uri="http://acs.amazonaws.com/'
                                                              'groups/global/AllUsers"'),
                     lambda: self.s3.copy_object(Bucket=BUCKET, Key="c", CopySource=BUCKET + "/k",
                                                 ACL="public-read"),
                     lambda: self.s3.create_multipart_upload(Bucket=BUCKET, Key="m",
                                                             ACL="public-read-write")):
            with self.assertRaises(ClientError) as ctx:
                call()
            err = self.assertAwsError(ctx, "AccessControlListNotSupported", 400)
            self.assertEqual(err["Error"]["Message"], "The bucket does not allow ACLs")
        with self.assertRaises(ClientError) as ctx:
            self.s3.create_bucket(Bucket="public-at-birth", ACL="public-read")
        self.assertAwsError(ctx, "InvalidBucketAclWithObjectOwnership", 400)
        # With ACLs enabled (ObjectWriter) they are accepted.
        self.s3.put_bucket_ownership_controls(Bucket=BUCKET, OwnershipControls={
            "Rules": [{"ObjectOwnership": "ObjectWriter"}]})
        self.s3.put_bucket_acl(Bucket=BUCKET, ACL="public-read")
        self.s3.put_object(Bucket=BUCKET, Key="k", Body=b"x", ACL="public-read")
        self.s3.put_object_acl(Bucket=BUCKET, Key="k", ACL="public-read")
        self.s3.create_bucket(Bucket="acl-enabled", ObjectOwnership="ObjectWriter",
                              ACL="public-read")
        with self.assertRaises(ClientError) as ctx:
            self.s3.put_object_acl(Bucket=BUCKET, Key="missing", ACL="private")
        self.assertAwsError(ctx, "NoSuchKey", 404)

    def test_object_lock(self):
        with self.assertRaises(ClientError) as ctx:
            self.s3.get_object_lock_configuration(Bucket=BUCKET)
        self.assertAwsError(ctx, "ObjectLockConfigurationNotFoundError", 404)
        self.s3.create_bucket(Bucket="locked-bucket", ObjectLockEnabledForBucket=True)
        r = self.s3.get_object_lock_configuration(Bucket="locked-bucket")
        self.assertEqual(r["ObjectLockConfiguration"]["ObjectLockEnabled"], "Enabled")
        # Object Lock turns versioning on for good.
        self.assertEqual(self.s3.get_bucket_versioning(Bucket="locked-bucket")["Status"],
                         "Enabled")
        with self.assertRaises(ClientError) as ctx:
            self.s3.put_bucket_versioning(Bucket="locked-bucket",
                                          VersioningConfiguration={"Status": "Suspended"})
        self.assertAwsError(ctx, "InvalidBucketState", 409)

    def test_configuration_of_a_missing_bucket(self):
        with self.assertRaises(ClientError) as ctx:
            self.s3.get_bucket_tagging(Bucket="absent-bucket-cfg")
        self.assertAwsError(ctx, "NoSuchBucket", 404)
        with self.assertRaises(ClientError) as ctx:
            self.s3.put_bucket_cors(Bucket="absent-bucket-cfg", CORSConfiguration={
                "CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]})
        self.assertAwsError(ctx, "NoSuchBucket", 404)

    def test_object_tagging(self):
        self.s3.put_object(Bucket=BUCKET, Key="obj", Body=b"x")
        self.assertEqual(self.s3.get_object_tagging(Bucket=BUCKET, Key="obj")["TagSet"], [])
        tags = [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
        self.s3.put_object_tagging(Bucket=BUCKET, Key="obj", Tagging={"TagSet": tags})
        self.assertEqual(self.s3.get_object_tagging(Bucket=BUCKET, Key="obj")["TagSet"], tags)
        self.assertEqual(self.s3.head_object(Bucket=BUCKET, Key="obj")["TagCount"], 2)
        r = self.s3.delete_object_tagging(Bucket=BUCKET, Key="obj")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertEqual(self.s3.get_object_tagging(Bucket=BUCKET, Key="obj")["TagSet"], [])
        with self.assertRaises(ClientError) as ctx:
            self.s3.put_object_tagging(Bucket=BUCKET, Key="obj", Tagging={"TagSet": [
                {"Key": "k%d" % i, "Value": "v"} for i in range(11)]})
        err = self.assertAwsError(ctx, "InvalidTag", 400)
        self.assertEqual(err["Error"]["Message"], "Object tags cannot be greater than 10")
        with self.assertRaises(ClientError) as ctx:
            self.s3.get_object_tagging(Bucket=BUCKET, Key="missing")
        self.assertAwsError(ctx, "NoSuchKey", 404)

    def test_object_tagging_by_version(self):
        self.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        v1 = self.s3.put_object(Bucket=BUCKET, Key="vt", Body=b"1", Tagging="gen=1")["VersionId"]
        v2 = self.s3.put_object(Bucket=BUCKET, Key="vt", Body=b"2")["VersionId"]
        r = self.s3.put_object_tagging(Bucket=BUCKET, Key="vt", VersionId=v1,
                                       Tagging={"TagSet": [{"Key": "gen", "Value": "first"}]})
        self.assertEqual(r["VersionId"], v1)
        self.assertEqual(self.s3.get_object_tagging(Bucket=BUCKET, Key="vt", VersionId=v1)
                         ["TagSet"], [{"Key": "gen", "Value": "first"}])
        latest = self.s3.get_object_tagging(Bucket=BUCKET, Key="vt")
        self.assertEqual((latest["TagSet"], latest["VersionId"]), ([], v2))


if __name__ == "__main__":
    unittest.main()
