"""S3 listings: ListObjectsV2 (Prefix, Delimiter and CommonPrefixes, MaxKeys, ContinuationToken,
StartAfter, FetchOwner, EncodingType=url) and ListObjects v1 (Marker, NextMarker), in S3's
order: the UTF-8 bytes of the keys."""
import concurrent.futures
import http.client
import time
import unittest
import urllib.parse

import botocore.exceptions

from nimbus_harness import NimbusTestCase

ClientError = botocore.exceptions.ClientError
BUCKET = "listing-bucket"


class S3ListingTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.s3 = self.client("s3")
        self.s3.create_bucket(Bucket=BUCKET)

    def put_all(self, keys):
        for k in keys:
            self.s3.put_object(Bucket=BUCKET, Key=k, Body=k.encode())

    def all_pages(self, op, **kw):
        return list(self.s3.get_paginator(op).paginate(Bucket=BUCKET, **kw))

    def test_keys_list_in_utf8_byte_order(self):
        # S3 lists keys in UTF-8 binary order: uppercase before lowercase, '/' before digits,
        # multi-byte characters after ASCII.
        keys = ["b", "a", "B", "a/b", "a0", "a-", "é", "z", "Z9", "~tilde", "日本"]
        self.put_all(keys)
        listed = [o["Key"] for o in self.s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
        self.assertEqual(listed, sorted(keys, key=lambda k: k.encode("utf-8")))
        v1 = [o["Key"] for o in self.s3.list_objects(Bucket=BUCKET)["Contents"]]
        self.assertEqual(v1, listed)

    def test_entries_carry_size_etag_class_and_dates(self):
        self.s3.put_object(Bucket=BUCKET, Key="one", Body=b"12345")
        o = self.s3.list_objects_v2(Bucket=BUCKET)["Contents"][0]
        self.assertEqual(o["Size"], 5)
        self.assertEqual(o["ETag"], '"827ccb0eea8a706c4c34a16891f84e7b"')
        self.assertEqual(o["StorageClass"], "STANDARD")
        self.assertIn("LastModified", o)
        self.assertNotIn("Owner", o)

    def test_prefix_and_delimiter(self):
        self.put_all(["photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg",
                      "photos/top.jpg", "docs/readme", "root.txt"])
        r = self.s3.list_objects_v2(Bucket=BUCKET, Delimiter="/")
        self.assertEqual([p["Prefix"] for p in r["CommonPrefixes"]], ["docs/", "photos/"])
        self.assertEqual([o["Key"] for o in r["Contents"]], ["root.txt"])
        self.assertEqual(r["KeyCount"], 3)
        r = self.s3.list_objects_v2(Bucket=BUCKET, Prefix="photos/", Delimiter="/")
        self.assertEqual([p["Prefix"] for p in r["CommonPrefixes"]],
                         ["photos/2024/", "photos/2025/"])
        self.assertEqual([o["Key"] for o in r["Contents"]], ["photos/top.jpg"])
        self.assertEqual(r["Prefix"], "photos/")
        self.assertEqual(r["Delimiter"], "/")
        r = self.s3.list_objects_v2(Bucket=BUCKET, Prefix="nothing-here/")
        self.assertNotIn("Contents", r)
        self.assertEqual(r["KeyCount"], 0)

    def test_multi_character_delimiter(self):
        self.put_all(["a--b--c", "a--d", "x"])
        r = self.s3.list_objects_v2(Bucket=BUCKET, Delimiter="--")
        self.assertEqual([p["Prefix"] for p in r["CommonPrefixes"]], ["a--"])
        self.assertEqual([o["Key"] for o in r["Contents"]], ["x"])

    def test_max_keys_and_continuation_tokens(self):
        keys = ["k%03d" % i for i in range(25)]
        self.put_all(keys)
        seen, token, pages = [], None, 0
        while True:
            kw = {"MaxKeys": 10}
            if token:
                kw["ContinuationToken"] = token
            r = self.s3.list_objects_v2(Bucket=BUCKET, **kw)
            pages += 1
            self.assertEqual(r["MaxKeys"], 10)
            self.assertEqual(r["KeyCount"], len(r.get("Contents", [])))
            if token:
                self.assertEqual(r["ContinuationToken"], token)
            seen += [o["Key"] for o in r.get("Contents", [])]
            if not r["IsTruncated"]:
                self.assertNotIn("NextContinuationToken", r)
                break
            token = r["NextContinuationToken"]
        self.assertEqual(seen, keys)
        self.assertEqual(pages, 3)

    def test_paging_with_delimiter_never_repeats_a_common_prefix(self):
        self.put_all(["a/1", "a/2", "a/3", "b", "c/1", "d", "e/1", "e/2"])
        pages = self.all_pages("list_objects_v2", Delimiter="/",
                               PaginationConfig={"PageSize": 2})
        entries = []
        for p in pages:
            entries += [c["Prefix"] for c in p.get("CommonPrefixes", [])]
            entries += [o["Key"] for o in p.get("Contents", [])]
        self.assertEqual(sorted(entries), ["a/", "b", "c/", "d", "e/"])
        self.assertEqual(len(pages), 3)

    def test_start_after(self):
        self.put_all(["a", "b", "c", "d"])
        r = self.s3.list_objects_v2(Bucket=BUCKET, StartAfter="b")
        self.assertEqual([o["Key"] for o in r["Contents"]], ["c", "d"])
        self.assertEqual(r["StartAfter"], "b")
        r = self.s3.list_objects_v2(Bucket=BUCKET, StartAfter="bb")
        self.assertEqual([o["Key"] for o in r["Contents"]], ["c", "d"])

    def test_fetch_owner(self):
        self.put_all(["k"])
        o = self.s3.list_objects_v2(Bucket=BUCKET, FetchOwner=True)["Contents"][0]
        self.assertEqual(len(o["Owner"]["ID"]), 64)

    def test_max_keys_zero_and_over_1000(self):
        self.put_all(["a", "b"])
        r = self.s3.list_objects_v2(Bucket=BUCKET, MaxKeys=0)
        self.assertNotIn("Contents", r)
        self.assertFalse(r["IsTruncated"])
        r = self.s3.list_objects_v2(Bucket=BUCKET, MaxKeys=5000)
        self.assertEqual(r["MaxKeys"], 1000)
        with self.assertRaises(ClientError) as ctx:
            self.client("s3", parameter_validation=False).list_objects_v2(Bucket=BUCKET,
                                                                           MaxKeys=-1)
        self.assertAwsError(ctx, "InvalidArgument", 400)

    def test_bad_continuation_token(self):
        with self.assertRaises(ClientError) as ctx:
            self.s3.list_objects_v2(Bucket=BUCKET, ContinuationToken="garbage!")
        err = self.assertAwsError(ctx, "InvalidArgument", 400)
        self.assertEqual(err["Error"]["Message"], "The continuation token provided is incorrect")

    def test_encoding_type_url_on_the_wire(self):
        # With encoding-type=url, S3 URL-encodes Key, Prefix, Delimiter and StartAfter values.
        self.put_all(["dir one/a+b.txt", "dir one/ü"])
        status, _, body = self.server.http(
            "GET", "/%s?list-type=2&encoding-type=url&prefix=dir%%20one%%2F" % BUCKET)
        self.assertEqual(status, 200)
        self.assertIn(b"<Key>dir%20one/a%2Bb.txt</Key>", body)
        self.assertIn(b"<Key>dir%20one/%C3%BC</Key>", body)
        self.assertIn(b"<Prefix>dir%20one/</Prefix>", body)
        self.assertIn(b"<EncodingType>url</EncodingType>", body)
        # boto3 asks for url encoding itself and decodes the answer.
        keys = [o["Key"] for o in self.s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
        self.assertEqual(keys, ["dir one/a+b.txt", "dir one/ü"])
        status, _, body = self.server.http("GET", "/%s?list-type=2&encoding-type=base64" % BUCKET)
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>InvalidArgument</Code>", body)

    def test_list_objects_v1_marker_and_next_marker(self):
        self.put_all(["a", "b/1", "b/2", "c", "d"])
        r = self.s3.list_objects(Bucket=BUCKET, MaxKeys=2)
        self.assertEqual([o["Key"] for o in r["Contents"]], ["a", "b/1"])
        self.assertTrue(r["IsTruncated"])
        self.assertNotIn("NextMarker", r)  # only with a delimiter
        self.assertEqual(len(r["Contents"][0]["Owner"]["ID"]), 64)  # v1 always has Owner
        r = self.s3.list_objects(Bucket=BUCKET, Marker="b/1")
        self.assertEqual([o["Key"] for o in r["Contents"]], ["b/2", "c", "d"])
        self.assertEqual(r["Marker"], "b/1")
        r = self.s3.list_objects(Bucket=BUCKET, Delimiter="/", MaxKeys=2)
        self.assertEqual([o["Key"] for o in r["Contents"]], ["a"])
        self.assertEqual([p["Prefix"] for p in r["CommonPrefixes"]], ["b/"])
        self.assertEqual(r["NextMarker"], "b/")
        r = self.s3.list_objects(Bucket=BUCKET, Delimiter="/", Marker=r["NextMarker"])
        self.assertEqual([o["Key"] for o in r["Contents"]], ["c", "d"])
        self.assertNotIn("CommonPrefixes", r)
        keys = [o["Key"] for p in self.all_pages("list_objects", PaginationConfig={"PageSize": 2})
                for o in p.get("Contents", [])]
        self.assertEqual(keys, ["a", "b/1", "b/2", "c", "d"])

    def test_listing_a_missing_bucket(self):
        with self.assertRaises(ClientError) as ctx:
            self.s3.list_objects_v2(Bucket="not-a-bucket-here")
        err = self.assertAwsError(ctx, "NoSuchBucket", 404)
        self.assertEqual(err["Error"]["BucketName"], "not-a-bucket-here")

    def test_cli_ls_recursive(self):
        self.put_all(["x/1", "x/2", "y"])
        _, out, _ = self.server.aws("s3", "ls", "s3://%s" % BUCKET)
        self.assertIn("PRE x/", out)
        self.assertIn(" y", out)
        _, out, _ = self.server.aws("s3", "ls", "s3://%s" % BUCKET, "--recursive")
        self.assertEqual([line.split()[-1] for line in out.strip().splitlines()],
                         ["x/1", "x/2", "y"])


class S3LargeListingTest(NimbusTestCase):
    """100,000 keys: a delimiter listing answers from the common prefixes, not by reading every
    key (compare with a full page of keys)."""

    def test_100000_keys(self):
        s3 = self.client("s3")
        s3.create_bucket(Bucket="big-listing")
        port = self.server.port

        def put_range(start):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            for i in range(start, start + 12500):
                key = "dir%d/file%06d" % (i % 8, i)
                conn.request("PUT", "/big-listing/" + urllib.parse.quote(key), body=b"")
                resp = conn.getresponse()
                resp.read()
                assert resp.status == 200, resp.status
            conn.close()

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(put_range, range(0, 100000, 12500)))

        t0 = time.monotonic()
        r = s3.list_objects_v2(Bucket="big-listing", Delimiter="/")
        prefixes_time = time.monotonic() - t0
        self.assertEqual([p["Prefix"] for p in r["CommonPrefixes"]],
                         ["dir%d/" % i for i in range(8)])
        self.assertFalse(r["IsTruncated"])
        t0 = time.monotonic()
        r = s3.list_objects_v2(Bucket="big-listing", Prefix="dir3/", StartAfter="dir3/file050000")
        page_time = time.monotonic() - t0
        self.assertEqual(len(r["Contents"]), 1000)
        self.assertEqual(r["Contents"][0]["Key"], "dir3/file050003")
        self.assertTrue(r["IsTruncated"])
        # Reading 12,500 keys under each prefix would cost far more than one page of 1,000.
        self.assertLess(prefixes_time, max(0.5, page_time * 2))
        count = sum(p["KeyCount"] for p in s3.get_paginator("list_objects_v2").paginate(
            Bucket="big-listing", Prefix="dir0/"))
        self.assertEqual(count, 12500)


if __name__ == "__main__":
    unittest.main()
