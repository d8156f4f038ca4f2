"""S3 buckets: CreateBucket (location constraints, ownership conflicts, naming rules), HeadBucket,
DeleteBucket, ListBuckets (paging, prefix), GetBucketLocation, path-style and virtual-hosted
addressing, and the AWS CLI's `aws s3 mb/ls/rb`."""
import unittest

import botocore.exceptions

from nimbus_harness import NimbusTestCase

ClientError = botocore.exceptions.ClientError


class S3BucketsTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.s3 = self.client("s3")

    def test_create_bucket_in_us_east_1_answers_its_location(self):
        # CreateBucket reference: the Location header is "/<bucket>".
        r = self.s3.create_bucket(Bucket="alpha-bucket")
        self.assertEqual(r["Location"], "/alpha-bucket")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertTrue(r["ResponseMetadata"]["HTTPHeaders"]["x-amz-request-id"])

    def test_create_bucket_with_location_constraint(self):
        s3 = self.client("s3", region="eu-west-1")
        s3.create_bucket(Bucket="euro-bucket",
                         CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        self.assertEqual(s3.get_bucket_location(Bucket="euro-bucket")["LocationConstraint"],
                         "eu-west-1")
        head = s3.head_bucket(Bucket="euro-bucket")
        self.assertEqual(head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"],
                         "eu-west-1")
        self.assertEqual(head["BucketRegion"], "eu-west-1")

    def test_us_east_1_bucket_location_is_empty(self):
        # GetBucketLocation answers an empty LocationConstraint (null) for us-east-1.
        self.s3.create_bucket(Bucket="virginia-bucket")
        self.assertIsNone(self.s3.get_bucket_location(Bucket="virginia-bucket").get(
            "LocationConstraint"))

    def test_location_constraint_us_east_1_is_invalid(self):
        with self.assertRaises(ClientError) as ctx:
            self.s3.create_bucket(Bucket="bad-constraint",
                                  CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
        self.assertAwsError(ctx, "InvalidLocationConstraint", 400)

    def test_regional_endpoint_without_constraint_is_illegal(self):
        # A regional endpoint needs the constraint naming its region.
        with self.assertRaises(ClientError) as ctx:
            self.client("s3", region="eu-west-1").create_bucket(Bucket="no-constraint")
        err = self.assertAwsError(ctx, "IllegalLocationConstraintException", 400)
        self.assertIn("unspecified location constraint", err["Error"]["Message"])

    def test_constraint_for_another_region_is_illegal(self):
        with self.assertRaises(ClientError) as ctx:
            self.client("s3", region="eu-west-1").create_bucket(
                Bucket="other-region", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        self.assertAwsError(ctx, "IllegalLocationConstraintException", 400)

    def test_recreating_an_owned_bucket_in_us_east_1_succeeds(self):
        # The us-east-1 legacy quirk: CreateBucket of a bucket you own there answers 200.
        self.s3.create_bucket(Bucket="twice-bucket")
        r = self.s3.create_bucket(Bucket="twice-bucket")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 200)

    def test_recreating_an_owned_bucket_elsewhere_is_already_owned_by_you(self):
        s3 = self.client("s3", region="eu-west-1")
        cfg = {"LocationConstraint": "eu-west-1"}
        s3.create_bucket(Bucket="twice-eu", CreateBucketConfiguration=cfg)
        with self.assertRaises(ClientError) as ctx:
            s3.create_bucket(Bucket="twice-eu", CreateBucketConfiguration=cfg)
        err = self.assertAwsError(ctx, "BucketAlreadyOwnedByYou", 409)
        self.assertEqual(err["Error"]["BucketName"], "twice-eu")

    def test_bucket_names_are_global_across_accounts(self):
        self.s3.create_bucket(Bucket="taken-name")
        other = self.client("s3", access_key="111122223333")
        with self.assertRaises(ClientError) as ctx:
            other.create_bucket(Bucket="taken-name")
        err = self.assertAwsError(ctx, "BucketAlreadyExists", 409)
        self.assertEqual(err["Error"]["BucketName"], "taken-name")
        self.assertEqual(other.list_buckets()["Buckets"], [])

    def test_bucket_name_rules(self):
        # S3 User Guide, "General purpose bucket naming rules".
        bad = ["ab", "a" * 64, "UpperCase", "under_score", "-leading", "trailing-",
               "double..dot", "192.168.5.4", "xn--punycode", "sthree-bucket", "name-s3alias",
               "name--ol-s3", "dot.mrap", "name--table-s3", "amzn-s3-demo-bkt"]
        for name in bad:
            with self.subTest(name=name):
                with self.assertRaises(ClientError) as ctx:
                    self.client("s3", parameter_validation=False).create_bucket(Bucket=name)
                err = self.assertAwsError(ctx, "InvalidBucketName", 400)
                self.assertEqual(err["Error"]["BucketName"], name)
        for name in ["abc", "a" * 63, "my.dotted.bucket", "0-digits-9", "a-b.c-d"]:
            with self.subTest(name=name):
                self.s3.create_bucket(Bucket=name)

    def test_head_bucket_of_missing_bucket_is_404(self):
        with self.assertRaises(ClientError) as ctx:
            self.s3.head_bucket(Bucket="missing-bucket")
        self.assertAwsError(ctx, "404", 404)

    def test_delete_bucket(self):
        self.s3.create_bucket(Bucket="short-lived")
        r = self.s3.delete_bucket(Bucket="short-lived")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        with self.assertRaises(ClientError) as ctx:
            self.s3.delete_bucket(Bucket="short-lived")
        err = self.assertAwsError(ctx, "NoSuchBucket", 404)
        self.assertEqual(err["Error"]["BucketName"], "short-lived")

    def test_delete_non_empty_bucket_is_bucket_not_empty(self):
        self.s3.create_bucket(Bucket="full-bucket")
        self.s3.put_object(Bucket="full-bucket", Key="k", Body=b"x")
        with self.assertRaises(ClientError) as ctx:
            self.s3.delete_bucket(Bucket="full-bucket")
        err = self.assertAwsError(ctx, "BucketNotEmpty", 409)
        self.assertEqual(err["Error"]["BucketName"], "full-bucket")
        self.s3.delete_object(Bucket="full-bucket", Key="k")
        self.s3.delete_bucket(Bucket="full-bucket")

    def test_delete_bucket_drops_in_progress_uploads(self):
        self.s3.create_bucket(Bucket="upload-bucket")
        self.s3.create_multipart_upload(Bucket="upload-bucket", Key="big")
        self.s3.delete_bucket(Bucket="upload-bucket")
        self.s3.create_bucket(Bucket="upload-bucket")
        self.assertNotIn("Uploads", self.s3.list_multipart_uploads(Bucket="upload-bucket"))

    def test_list_buckets_in_name_order_with_creation_dates(self):
        for name in ["charlie-b", "alpha-b", "bravo-b"]:
            self.s3.create_bucket(Bucket=name)
        r = self.s3.list_buckets()
        self.assertEqual([b["Name"] for b in r["Buckets"]], ["alpha-b", "bravo-b", "charlie-b"])
        self.assertTrue(all("CreationDate" in b for b in r["Buckets"]))
        self.assertEqual(len(r["Owner"]["ID"]), 64)
        self.assertNotIn("ContinuationToken", r)

    def test_list_buckets_paging_and_prefix(self):
        for i in range(5):
            self.s3.create_bucket(Bucket="page-%d" % i)
        self.s3.create_bucket(Bucket="other-bucket")
        names, token = [], None
        while True:
            kw = {"MaxBuckets": 2, "Prefix": "page-"}
            if token:
                kw["ContinuationToken"] = token
            r = self.s3.list_buckets(**kw)
            self.assertLessEqual(len(r["Buckets"]), 2)
            self.assertEqual(r["Prefix"], "page-")
            names += [b["Name"] for b in r["Buckets"]]
            token = r.get("ContinuationToken")
            if not token:
                break
        self.assertEqual(names, ["page-%d" % i for i in range(5)])
        paginated = [b["Name"] for p in self.s3.get_paginator("list_buckets").paginate(
            PaginationConfig={"PageSize": 4}) for b in p["Buckets"]]
        self.assertEqual(paginated, ["other-bucket"] + ["page-%d" % i for i in range(5)])

    def test_list_buckets_max_buckets_out_of_range(self):
        with self.assertRaises(ClientError) as ctx:
            self.client("s3", parameter_validation=False).list_buckets(MaxBuckets=0)
        self.assertAwsError(ctx, "InvalidArgument", 400)

    def test_list_buckets_bad_continuation_token(self):
        with self.assertRaises(ClientError) as ctx:
            self.s3.list_buckets(MaxBuckets=1, ContinuationToken="***")
        self.assertAwsError(ctx, "InvalidArgument", 400)

    def test_buckets_are_listed_per_account(self):
        self.s3.create_bucket(Bucket="mine-only")
        other = self.client("s3", access_key="111122223333")
        other.create_bucket(Bucket="theirs-only")
        self.assertEqual([b["Name"] for b in self.s3.list_buckets()["Buckets"]], ["mine-only"])
        self.assertEqual([b["Name"] for b in other.list_buckets()["Buckets"]], ["theirs-only"])

    def test_expected_bucket_owner(self):
        # x-amz-expected-bucket-owner naming another account is AccessDenied.
        self.s3.create_bucket(Bucket="owned-bucket")
        self.s3.head_bucket(Bucket="owned-bucket", ExpectedBucketOwner="000000000000")
        self.s3.put_object(Bucket="owned-bucket", Key="k", Body=b"x",
                           ExpectedBucketOwner="000000000000")
        with self.assertRaises(ClientError) as ctx:
            self.s3.get_object(Bucket="owned-bucket", Key="k", ExpectedBucketOwner="111122223333")
        self.assertAwsError(ctx, "AccessDenied", 403)

    def test_virtual_hosted_style_with_host_header(self):
        # <bucket>.s3.<host> names the bucket in the Host header; the path is the key.
        port = self.server.port
        host = "vhost-bucket.s3.localhost:%d" % port
        status, _, _ = self.server.http("PUT", "/", headers={"Host": host})
        self.assertEqual(status, 200)
        status, _, _ = self.server.http("PUT", "/dir/file.txt", body=b"virtual",
                                        headers={"Host": host})
        self.assertEqual(status, 200)
        status, headers, body = self.server.http("GET", "/dir/file.txt", headers={"Host": host})
        self.assertEqual((status, body), (200, b"virtual"))
        self.assertTrue(headers["x-amz-request-id"])
        # The same object path-style.
        self.assertEqual(self.s3.get_object(Bucket="vhost-bucket", Key="dir/file.txt")["Body"]
                         .read(), b"virtual")
        status, _, body = self.server.http("GET", "/?list-type=2", headers={"Host": host})
        self.assertEqual(status, 200)
        self.assertIn(b"<Key>dir/file.txt</Key>", body)

    def test_boto3_virtual_addressing(self):
        # botocore puts the bucket in front of the endpoint host (<bucket>.s3.localhost); that
        # name does not resolve here, so each request is sent to 127.0.0.1 with its Host kept.
        port = self.server.port
        s3, hosts = self.server.client_via_host("s3", "s3.localhost",
                                                s3={"addressing_style": "virtual"})
        s3.create_bucket(Bucket="vh-boto")
        s3.put_object(Bucket="vh-boto", Key="dir/x y", Body=b"v")
        self.assertEqual(s3.get_object(Bucket="vh-boto", Key="dir/x y")["Body"].read(), b"v")
        self.assertEqual([o["Key"] for o in s3.list_objects_v2(Bucket="vh-boto")["Contents"]],
                         ["dir/x y"])
        self.assertEqual(set(hosts), {"vh-boto.s3.localhost:%d" % port})
        self.assertEqual(self.s3.get_object(Bucket="vh-boto", Key="dir/x y")["Body"].read(), b"v")

    def test_cli_mb_ls_rb(self):
        code, _, err = self.server.aws("s3", "mb", "s3://cli-made-bucket")
        self.assertEqual(code, 0, err)
        _, out, _ = self.server.aws("s3", "ls")
        self.assertIn("cli-made-bucket", out)
        _, out, _ = self.server.aws("s3api", "head-bucket", "--bucket", "cli-made-bucket")
        self.assertEqual(out["BucketRegion"], "us-east-1")
        code, _, err = self.server.aws("s3", "rb", "s3://cli-made-bucket")
        self.assertEqual(code, 0, err)
        _, out, _ = self.server.aws("s3api", "list-buckets")
        self.assertEqual(out["Buckets"], [])


if __name__ == "__main__":
    unittest.main()
