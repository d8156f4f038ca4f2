"""S3 versioning: PutBucketVersioning/GetBucketVersioning, version ids, delete markers (404 with
x-amz-delete-marker, 405 for a marker named by version), reads and deletes by versionId,
ListObjectVersions (order, IsLatest, paging), and the null version of unversioned and suspended
buckets (S3 User Guide, "Working with objects in a versioning-suspended bucket")."""
import unittest

import botocore.exceptions

from nimbus_harness import NimbusTestCase

ClientError = botocore.exceptions.ClientError
BUCKET = "versioned-bucket"


class S3VersioningTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.s3 = self.client("s3")
        self.s3.create_bucket(Bucket=BUCKET)

    def enable(self, status="Enabled"):
        self.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": status})

    def put(self, key, body):
        return self.s3.put_object(Bucket=BUCKET, Key=key, Body=body)

    def read(self, key, version=None):
        kw = {"VersionId": version} if version else {}
        return self.s3.get_object(Bucket=BUCKET, Key=key, **kw)["Body"].read()

    def versions(self, **kw):
        r = self.s3.list_object_versions(Bucket=BUCKET, **kw)
        out = [(v["Key"], v["VersionId"], v["IsLatest"], "V") for v in r.get("Versions", [])]
        out += [(d["Key"], d["VersionId"], d["IsLatest"], "D") for d in r.get("DeleteMarkers", [])]
        return r, out

    def test_versioning_status(self):
        self.assertNotIn("Status", self.s3.get_bucket_versioning(Bucket=BUCKET))
        self.enable()
        self.assertEqual(self.s3.get_bucket_versioning(Bucket=BUCKET)["Status"], "Enabled")
        self.enable("Suspended")
        self.assertEqual(self.s3.get_bucket_versioning(Bucket=BUCKET)["Status"], "Suspended")

    def test_bad_versioning_status_is_malformed_xml(self):
        with self.assertRaises(ClientError) as ctx:
            self.client("s3", parameter_validation=False).put_bucket_versioning(
                Bucket=BUCKET, VersioningConfiguration={"Status": "Sometimes"})
        self.assertAwsError(ctx, "MalformedXML", 400)

    def test_unversioned_bucket_has_no_version_ids(self):
        r = self.put("plain", b"x")
        self.assertNotIn("VersionId", r)
        self.assertNotIn("VersionId", self.s3.head_object(Bucket=BUCKET, Key="plain"))
        # The one version is the null version.
        self.assertEqual(self.read("plain", "null"), b"x")

    def test_each_put_makes_a_version(self):
        self.enable()
        v1 = self.put("doc", b"one")["VersionId"]
        v2 = self.put("doc", b"two")["VersionId"]
        self.assertNotEqual(v1, v2)
        self.assertEqual(self.read("doc"), b"two")
        self.assertEqual(self.read("doc", v1), b"one")
        h = self.s3.head_object(Bucket=BUCKET, Key="doc", VersionId=v1)
        self.assertEqual(h["VersionId"], v1)
        self.assertEqual(h["ContentLength"], 3)
        r, vs = self.versions()
        self.assertEqual(vs, [("doc", v2, True, "V"), ("doc", v1, False, "V")])

    def test_delete_makes_a_delete_marker(self):
        self.enable()
        v1 = self.put("k", b"data")["VersionId"]
        d = self.s3.delete_object(Bucket=BUCKET, Key="k")
        self.assertTrue(d["DeleteMarker"])
        marker = d["VersionId"]
        self.assertNotEqual(marker, v1)
        with self.assertRaises(ClientError) as ctx:
            self.s3.get_object(Bucket=BUCKET, Key="k")
        err = self.assertAwsError(ctx, "NoSuchKey", 404)
        headers = err["ResponseMetadata"]["HTTPHeaders"]
        self.assertEqual(headers["x-amz-delete-marker"], "true")
        self.assertEqual(headers["x-amz-version-id"], marker)
        with self.assertRaises(ClientError) as ctx:
            self.s3.head_object(Bucket=BUCKET, Key="k")
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPHeaders"]
                         ["x-amz-delete-marker"], "true")
        # The data is still there by version.
        self.assertEqual(self.read("k", v1), b"data")
        # Listings skip a key whose latest version is a delete marker.
        self.assertNotIn("Contents", self.s3.list_objects_v2(Bucket=BUCKET))
        _, vs = self.versions()
        self.assertEqual(vs, [("k", v1, False, "V"), ("k", marker, True, "D")])

    def test_delete_marker_by_version_is_method_not_allowed(self):
        self.enable()
        self.put("k", b"data")
        marker = self.s3.delete_object(Bucket=BUCKET, Key="k")["VersionId"]
        with self.assertRaises(ClientError) as ctx:
            self.s3.get_object(Bucket=BUCKET, Key="k", VersionId=marker)
        err = self.assertAwsError(ctx, "MethodNotAllowed", 405)
        self.assertEqual(err["Error"]["Method"], "GET")
        self.assertEqual(err["Error"]["ResourceType"], "DeleteMarker")
        self.assertEqual(err["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"], "true")
        with self.assertRaises(ClientError) as ctx:
            self.s3.head_object(Bucket=BUCKET, Key="k", VersionId=marker)
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 405)

    def test_deleting_the_delete_marker_restores_the_object(self):
        self.enable()
        self.put("k", b"back")
        marker = self.s3.delete_object(Bucket=BUCKET, Key="k")["VersionId"]
        d = self.s3.delete_object(Bucket=BUCKET, Key="k", VersionId=marker)
        self.assertTrue(d["DeleteMarker"])
        self.assertEqual(d["VersionId"], marker)
        self.assertEqual(self.read("k"), b"back")

    def test_delete_a_version_permanently(self):
        self.enable()
        v1 = self.put("k", b"one")["VersionId"]
        v2 = self.put("k", b"two")["VersionId"]
        d = self.s3.delete_object(Bucket=BUCKET, Key="k", VersionId=v2)
        self.assertEqual(d["VersionId"], v2)
        self.assertNotIn("DeleteMarker", d)
        self.assertEqual(self.read("k"), b"one")
        _, vs = self.versions()
        self.assertEqual(vs, [("k", v1, True, "V")])

    def test_unknown_and_malformed_version_ids(self):
        self.enable()
        v1 = self.put("k", b"one")["VersionId"]
        self.s3.delete_object(Bucket=BUCKET, Key="k", VersionId=v1)
        with self.assertRaises(ClientError) as ctx:
            self.s3.get_object(Bucket=BUCKET, Key="k", VersionId=v1)
        err = self.assertAwsError(ctx, "NoSuchVersion", 404)
        self.assertEqual(err["Error"]["VersionId"], v1)
        self.assertEqual(err["Error"]["Key"], "k")
        with self.assertRaises(ClientError) as ctx:
            self.s3.get_object(Bucket=BUCKET, Key="k", VersionId="../../etc/passwd")
        err = self.assertAwsError(ctx, "InvalidArgument", 400)
        self.assertEqual(err["Error"]["ArgumentName"], "versionId")
        with self.assertRaises(ClientError) as ctx:
            self.s3.delete_object(Bucket=BUCKET, Key="k", VersionId="bogus")
        self.assertAwsError(ctx, "InvalidArgument", 400)

    def test_objects_from_before_versioning_keep_the_null_version(self):
        self.put("old", b"pre-versioning")
        self.enable()
        v = self.put("old", b"versioned")["VersionId"]
        self.assertEqual(self.read("old", "null"), b"pre-versioning")
        _, vs = self.versions()
        self.assertEqual(vs, [("old", v, True, "V"), ("old", "null", False, "V")])

    def test_suspended_bucket_overwrites_only_the_null_version(self):
        self.enable()
        v1 = self.put("k", b"v1")["VersionId"]
        self.enable("Suspended")
        r = self.put("k", b"null-1")
        self.assertEqual(r["VersionId"], "null")
        self.put("k", b"null-2")
        _, vs = self.versions()
        self.assertEqual(vs, [("k", "null", True, "V"), ("k", v1, False, "V")])
        self.assertEqual(self.read("k"), b"null-2")
        self.assertEqual(self.read("k", v1), b"v1")

    def test_suspended_delete_makes_a_null_delete_marker(self):
        self.enable()
        v1 = self.put("k", b"v1")["VersionId"]
        self.enable("Suspended")
        self.put("k", b"null")
        d = self.s3.delete_object(Bucket=BUCKET, Key="k")
        self.assertTrue(d["DeleteMarker"])
        self.assertEqual(d["VersionId"], "null")
        # The null version was replaced by the null delete marker; v1 remains.
        _, vs = self.versions()
        self.assertEqual(vs, [("k", v1, False, "V"), ("k", "null", True, "D")])
        # Re-enabling: new puts get ids again, the null marker stays in history.
        self.enable()
        v3 = self.put("k", b"v3")["VersionId"]
        self.assertNotEqual(v3, "null")
        _, vs = self.versions()
        self.assertEqual([v[1] for v in vs if v[3] == "V"], [v3, v1])

    def test_list_object_versions_paging(self):
        self.enable()
        ids = {}
        for key in ("a", "b"):
            ids[key] = [self.put(key, b"%d" % i)["VersionId"] for i in range(3)]
        seen = []
        kw = {"MaxKeys": 2}
        while True:
            r, vs = self.versions(**kw)
            seen += [(k, v) for k, v, _, _ in vs]
            if not r["IsTruncated"]:
                break
            kw = {"MaxKeys": 2, "KeyMarker": r["NextKeyMarker"],
                  "VersionIdMarker": r["NextVersionIdMarker"]}
        expected = [("a", v) for v in reversed(ids["a"])] + [("b", v) for v in reversed(ids["b"])]
        self.assertEqual(seen, expected)
        r, vs = self.versions(KeyMarker="a")
        self.assertEqual([v[0] for v in vs], ["b", "b", "b"])
        self.assertTrue(vs[0][2])
        r, vs = self.versions(KeyMarker="a", VersionIdMarker=ids["a"][2])
        self.assertEqual([(v[0], v[2]) for v in vs][:2], [("a", False), ("a", False)])
        with self.assertRaises(ClientError) as ctx:
            self.s3.list_object_versions(Bucket=BUCKET, VersionIdMarker=ids["a"][0])
        self.assertAwsError(ctx, "InvalidArgument", 400)

    def test_list_object_versions_with_prefix_and_delimiter(self):
        self.enable()
        for key in ("logs/1", "logs/2", "data/x", "top"):
            self.put(key, b"x")
        r, vs = self.versions(Delimiter="/")
        self.assertEqual([p["Prefix"] for p in r["CommonPrefixes"]], ["data/", "logs/"])
        self.assertEqual([v[0] for v in vs], ["top"])
        r, vs = self.versions(Prefix="logs/")
        self.assertEqual([v[0] for v in vs], ["logs/1", "logs/2"])

    def test_delete_objects_in_a_versioned_bucket(self):
        self.enable()
        v1 = self.put("x", b"1")["VersionId"]
        self.put("y", b"1")
        r = self.s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [
            {"Key": "x", "VersionId": v1}, {"Key": "y"}]})
        by_key = {d["Key"]: d for d in r["Deleted"]}
        self.assertEqual(by_key["x"]["VersionId"], v1)
        self.assertNotIn("DeleteMarker", by_key["x"])
        self.assertTrue(by_key["y"]["DeleteMarker"])
        self.assertTrue(by_key["y"]["DeleteMarkerVersionId"])

    def test_bucket_with_versions_is_not_empty(self):
        self.enable()
        v = self.put("k", b"x")["VersionId"]
        m = self.s3.delete_object(Bucket=BUCKET, Key="k")["VersionId"]
        with self.assertRaises(ClientError) as ctx:
            self.s3.delete_bucket(Bucket=BUCKET)
        err = self.assertAwsError(ctx, "BucketNotEmpty", 409)
        self.assertIn("delete all versions", err["Error"]["Message"])
        self.s3.delete_object(Bucket=BUCKET, Key="k", VersionId=v)
        self.s3.delete_object(Bucket=BUCKET, Key="k", VersionId=m)
        self.s3.delete_bucket(Bucket=BUCKET)

    def test_cli_list_object_versions(self):
        self.enable()
        self.put("cli", b"1")
        self.put("cli", b"2")
        _, out, _ = self.server.aws("s3api", "list-object-versions", "--bucket", BUCKET)
        self.assertEqual(len(out["Versions"]), 2)
        self.assertEqual(sum(v["IsLatest"] for v in out["Versions"]), 1)


if __name__ == "__main__":
    unittest.main()
