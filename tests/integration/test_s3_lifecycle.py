"""S3 lifecycle rules executed by the background job: Expiration (Days rounded to the next
midnight UTC, Date, ExpiredObjectDeleteMarker), NoncurrentVersionExpiration (NoncurrentDays,
NewerNoncurrentVersions) and AbortIncompleteMultipartUpload, with prefix, tag and size
filters. Time moves with --enable-clock-control; POST /_nimbus/s3/lifecycle runs the job now."""
import json
import unittest

import botocore.exceptions

from nimbus_harness import NimbusTestCase

BUCKET = "lifecycle-bucket"
DAY = 86400


class S3LifecycleTest(NimbusTestCase):
    server_args = ("--enable-clock-control",)

    def setUp(self):
        super().setUp()
        self.s3 = self.client("s3")
        self.s3.create_bucket(Bucket=BUCKET)

    def rules(self, *rules):
        self.s3.put_bucket_lifecycle_configuration(Bucket=BUCKET,
                                                   LifecycleConfiguration={"Rules": list(rules)})

    def advance_and_run(self, seconds):
        status, _, _ = self.server.http("POST", "/_nimbus/clock",
                                        body=json.dumps({"advance_seconds": seconds}).encode())
        self.assertEqual(status, 200)
        status, _, body = self.server.http("POST", "/_nimbus/s3/lifecycle")
        self.assertEqual(status, 200)
        return json.loads(body)["actions"]

    def keys(self):
        return [o["Key"] for o in self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]

    def test_expiration_days_with_prefix(self):
        self.rules({"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
                    "Expiration": {"Days": 1}})
        self.s3.put_object(Bucket=BUCKET, Key="logs/a", Body=b"x")
        self.s3.put_object(Bucket=BUCKET, Key="data/b", Body=b"x")
        self.assertEqual(self.advance_and_run(0), 0)
        # Days count to the following midnight UTC: two days on, it is due whatever the hour.
        self.assertEqual(self.advance_and_run(2 * DAY + 1), 1)
        self.assertEqual(self.keys(), ["data/b"])

    def test_disabled_rules_do_nothing(self):
        self.rules({"ID": "off", "Status": "Disabled", "Filter": {}, "Expiration": {"Days": 1}})
        self.s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")
        self.assertEqual(self.advance_and_run(3 * DAY), 0)
        self.assertEqual(self.keys(), ["k"])

    def test_expiration_date_and_tag_and_size_filters(self):
        self.rules({"ID": "tagged", "Status": "Enabled",
                    "Filter": {"And": {"Prefix": "", "Tags": [{"Key": "tmp", "Value": "yes"}],
                                       "ObjectSizeGreaterThan": 2}},
                    "Expiration": {"Date": "2020-01-01T00:00:00Z"}})
        self.s3.put_object(Bucket=BUCKET, Key="big-tmp", Body=b"xxxx", Tagging="tmp=yes")
        self.s3.put_object(Bucket=BUCKET, Key="small-tmp", Body=b"x", Tagging="tmp=yes")
        self.s3.put_object(Bucket=BUCKET, Key="big-kept", Body=b"xxxx")
        self.assertEqual(self.advance_and_run(0), 1)
        self.assertEqual(self.keys(), ["big-kept", "small-tmp"])

    def test_versioned_expiration_noncurrent_versions_and_markers(self):
        self.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        self.rules({"ID": "all", "Status": "Enabled", "Filter": {},
                    "Expiration": {"Days": 1},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 1}})
        v1 = self.s3.put_object(Bucket=BUCKET, Key="doc", Body=b"1")["VersionId"]
        # Expiring a current version in a versioned bucket adds a delete marker.
        self.assertEqual(self.advance_and_run(2 * DAY + 1), 1)
        versions = self.s3.list_object_versions(Bucket=BUCKET)
        self.assertEqual([v["VersionId"] for v in versions["Versions"]], [v1])
        self.assertTrue(versions["DeleteMarkers"][0]["IsLatest"])
        # Later the noncurrent version goes; then the lone delete marker is expired.
        self.assertEqual(self.advance_and_run(2 * DAY + 1), 1)
        self.assertNotIn("Versions", self.s3.list_object_versions(Bucket=BUCKET))
        self.rules({"ID": "markers", "Status": "Enabled", "Filter": {},
                    "Expiration": {"ExpiredObjectDeleteMarker": True}})
        self.assertEqual(self.advance_and_run(0), 1)
        self.assertNotIn("DeleteMarkers", self.s3.list_object_versions(Bucket=BUCKET))

    def test_newer_noncurrent_versions_are_kept(self):
        self.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        self.rules({"ID": "keep-2", "Status": "Enabled", "Filter": {},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 1,
                                                    "NewerNoncurrentVersions": 2}})
        ids = [self.s3.put_object(Bucket=BUCKET, Key="k", Body=b"%d" % i)["VersionId"]
               for i in range(5)]
        self.assertEqual(self.advance_and_run(2 * DAY + 1), 2)
        left = [v["VersionId"] for v in self.s3.list_object_versions(Bucket=BUCKET)["Versions"]]
        self.assertEqual(left, list(reversed(ids))[:3])

    def test_abort_incomplete_multipart_uploads(self):
        self.rules({"ID": "abort", "Status": "Enabled", "Filter": {"Prefix": "up/"},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}})
        stale = self.s3.create_multipart_upload(Bucket=BUCKET, Key="up/stale")["UploadId"]
        self.s3.upload_part(Bucket=BUCKET, Key="up/stale", UploadId=stale, PartNumber=1,
                            Body=b"part")
        self.s3.create_multipart_upload(Bucket=BUCKET, Key="other/kept")
        self.assertEqual(self.advance_and_run(2 * DAY + 1), 1)
        uploads = self.s3.list_multipart_uploads(Bucket=BUCKET)["Uploads"]
        self.assertEqual([u["Key"] for u in uploads], ["other/kept"])
        with self.assertRaises(botocore.exceptions.ClientError):
            self.s3.list_parts(Bucket=BUCKET, Key="up/stale", UploadId=stale)


if __name__ == "__main__":
    unittest.main()
