"""S3 objects: PutObject/GetObject/HeadObject/DeleteObject/DeleteObjects/CopyObject/
GetObjectAttributes as S3 answers them: ETags, stored headers and metadata, Content-MD5 and the
checksum family (headers and aws-chunked trailers), ranges, conditional reads and writes, server-
side copies, and the AWS CLI's `aws s3 cp/ls/rm/sync`."""
import concurrent.futures
import datetime
import hashlib
import os
import shutil
import tempfile
import unittest
import urllib.parse

import botocore.exceptions

from nimbus_harness import NimbusTestCase
from test_s3_support import checksum, chunked_with_trailer, content_md5, sigv4_headers

ClientError = botocore.exceptions.ClientError
BUCKET = "objects-bucket"


def md5_etag(data):
    return '"%s"' % hashlib.md5(data).hexdigest()


class S3ObjectsTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.s3 = self.client("s3")
        self.s3.create_bucket(Bucket=BUCKET)

    def put(self, key, body=b"hello world", **kw):
        return self.s3.put_object(Bucket=BUCKET, Key=key, Body=body, **kw)

    def raw(self, method, key, body=None, headers=None, query=""):
        path = "/%s/%s" % (BUCKET, urllib.parse.quote(key))
        return self.server.http(method, path + query, body=body, headers=headers or {})

    # --- PutObject / GetObject / HeadObject ---------------------------------------------------

    def test_put_then_get_round_trips_bytes_and_etag(self):
        # The ETag of a single-part object is the quoted hex MD5 of its bytes.
        data = os.urandom(100_000)
        r = self.put("blob.bin", data)
        self.assertEqual(r["ETag"], md5_etag(data))
        g = self.s3.get_object(Bucket=BUCKET, Key="blob.bin")
        self.assertEqual(g["Body"].read(), data)
        self.assertEqual(g["ETag"], md5_etag(data))
        self.assertEqual(g["ContentLength"], len(data))
        self.assertEqual(g["AcceptRanges"], "bytes")
        self.assertEqual(g["ContentType"], "binary/octet-stream")
        self.assertLess(abs((g["LastModified"] - datetime.datetime.now(datetime.timezone.utc))
                            .total_seconds()), 60)

    def test_empty_object(self):
        self.put("empty", b"")
        g = self.s3.get_object(Bucket=BUCKET, Key="empty")
        self.assertEqual(g["Body"].read(), b"")
        self.assertEqual(g["ETag"], '"d41d8cd98f00b204e9800998ecf8427e"')

    def test_overwrite_replaces_the_object(self):
        self.put("k", b"first")
        self.put("k", b"second")
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key="k")["Body"].read(), b"second")

    def test_stored_headers_and_user_metadata(self):
        expires = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
        self.put("doc.html", b"<p>hi</p>", ContentType="text/html", ContentEncoding="identity",
                 ContentDisposition='attachment; filename="doc.html"', ContentLanguage="en",
                 CacheControl="max-age=60", Expires=expires, StorageClass="STANDARD_IA",
                 Metadata={"Color": "blue", "shape": "round"})
        for read in (self.s3.get_object, self.s3.head_object):
            with self.subTest(read=read.__name__):
                r = read(Bucket=BUCKET, Key="doc.html")
                self.assertEqual(r["ContentType"], "text/html")
                self.assertEqual(r["ContentEncoding"], "identity")
                self.assertEqual(r["ContentDisposition"], 'attachment; filename="doc.html"')
                self.assertEqual(r["ContentLanguage"], "en")
                self.assertEqual(r["CacheControl"], "max-age=60")
                self.assertEqual(r["StorageClass"], "STANDARD_IA")
                # Metadata names are stored lowercase (HTTP headers are case-insensitive).
                self.assertEqual(r["Metadata"], {"color": "blue", "shape": "round"})
                headers = r["ResponseMetadata"]["HTTPHeaders"]
                self.assertEqual(headers["expires"], "Wed, 02 Jan 2030 03:04:05 GMT")
                self.assertEqual(headers["x-amz-server-side-encryption"], "AES256")

    def test_head_object_reports_length_without_body(self):
        self.put("sized", b"x" * 1234)
        h = self.s3.head_object(Bucket=BUCKET, Key="sized")
        self.assertEqual(h["ContentLength"], 1234)
        self.assertEqual(h["ETag"], md5_etag(b"x" * 1234))

    def test_get_missing_key_is_no_such_key_with_the_key(self):
        with self.assertRaises(ClientError) as ctx:
            self.s3.get_object(Bucket=BUCKET, Key="missing/key.txt")
        err = self.assertAwsError(ctx, "NoSuchKey", 404)
        self.assertEqual(err["Error"]["Key"], "missing/key.txt")
        self.assertEqual(err["Error"]["Message"], "The specified key does not exist.")
        self.assertTrue(err["ResponseMetadata"]["HTTPHeaders"]["x-amz-request-id"])

    def test_head_missing_key_is_404_without_body(self):
        with self.assertRaises(ClientError) as ctx:
            self.s3.head_object(Bucket=BUCKET, Key="missing")
        self.assertAwsError(ctx, "404", 404)
        # The connection stays usable: the next request on it parses.
        self.assertEqual(self.s3.head_bucket(Bucket=BUCKET)["ResponseMetadata"]["HTTPStatusCode"],
                         200)

    def test_object_in_missing_bucket_is_no_such_bucket(self):
        with self.assertRaises(ClientError) as ctx:
            self.s3.put_object(Bucket="no-such-bucket-here", Key="k", Body=b"x")
        err = self.assertAwsError(ctx, "NoSuchBucket", 404)
        self.assertEqual(err["Error"]["BucketName"], "no-such-bucket-here")

    def test_unusual_keys_are_ordinary_keys(self):
        # Keys never touch the filesystem: traversal-looking and odd keys are just keys.
        keys = ["../../etc/passwd", "a/../b", "/leading-slash", "sp ace+plus%percent",
                "unicodé/ключ/鍵", "trailing/", "q?mark&amp=1#hash", "dots/./.."]
        for key in keys:
            with self.subTest(key=key):
                self.put(key, key.encode())
                self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read(),
                                 key.encode())
        listed = [o["Key"] for o in self.s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
        self.assertEqual(sorted(listed, key=lambda k: k.encode()), listed)
        self.assertEqual(set(listed), set(keys))
        self.assertFalse(os.path.exists("/etc/passwd.nimbus"))

    def test_key_longer_than_1024_bytes_is_key_too_long(self):
        with self.assertRaises(ClientError) as ctx:
            self.put("k" * 1025, b"x")
        err = self.assertAwsError(ctx, "KeyTooLongError", 400)
        self.assertEqual(err["Error"]["Message"], "Your key is too long")
        self.put("k" * 1024, b"x")

    def test_user_metadata_over_2_kb_is_metadata_too_large(self):
        with self.assertRaises(ClientError) as ctx:
            self.put("meta", Metadata={"big": "v" * 2100})
        err = self.assertAwsError(ctx, "MetadataTooLarge", 400)
        self.assertEqual(err["Error"]["MaxSizeAllowed"], "2048")
        self.put("meta", Metadata={"a": "v" * 2000})

    def test_invalid_storage_class(self):
        with self.assertRaises(ClientError) as ctx:
            self.client("s3", parameter_validation=False).put_object(
                Bucket=BUCKET, Key="k", Body=b"x", StorageClass="SUPER_FAST")
        self.assertAwsError(ctx, "InvalidStorageClass", 400)

    def test_response_header_overrides(self):
        self.put("override", b"x", ContentType="text/plain")
        g = self.s3.get_object(Bucket=BUCKET, Key="override", ResponseContentType="image/png",
                               ResponseContentDisposition="inline",
                               ResponseCacheControl="no-cache")
        self.assertEqual(g["ContentType"], "image/png")
        self.assertEqual(g["ContentDisposition"], "inline")
        self.assertEqual(g["CacheControl"], "no-cache")

    def test_tagging_header_sets_object_tags(self):
        self.put("tagged", Tagging="a=1&b=two%20words")
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key="tagged")["TagCount"], 2)
        tags = self.s3.get_object_tagging(Bucket=BUCKET, Key="tagged")["TagSet"]
        self.assertEqual(tags, [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "two words"}])

    # --- Content-MD5 and checksums ---------------------------------------------------------------

    def test_content_md5_is_verified(self):
        self.put("md5-ok", b"payload", ContentMD5=content_md5(b"payload"))
        with self.assertRaises(ClientError) as ctx:
            self.put("md5-bad", b"payload", ContentMD5=content_md5(b"other"))
        err = self.assertAwsError(ctx, "BadDigest", 400)
        self.assertEqual(err["Error"]["Message"],
                         "The Content-MD5 you specified did not match what we received.")
        status, _, body = self.raw("PUT", "md5-malformed", body=b"payload",
                                   headers={"Content-MD5": "not-base64!"})
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>InvalidDigest</Code>", body)
        for key in ("md5-bad", "md5-malformed"):
            with self.assertRaises(ClientError):
                self.s3.head_object(Bucket=BUCKET, Key=key)

    def test_each_checksum_algorithm_is_stored_and_returned(self):
        data = b"checksummed bytes " * 100
        for alg in ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"):
            with self.subTest(alg=alg):
                member = "Checksum" + alg
                value = checksum(alg, data)
                r = self.put("sum-" + alg, data, **{member: value})
                self.assertEqual(r[member], value)
                g = self.s3.get_object(Bucket=BUCKET, Key="sum-" + alg, ChecksumMode="ENABLED")
                self.assertEqual(g[member], value)
                self.assertEqual(g["ChecksumType"], "FULL_OBJECT")
                g["Body"].read()
                h = self.s3.head_object(Bucket=BUCKET, Key="sum-" + alg, ChecksumMode="ENABLED")
                self.assertEqual(h[member], value)
                plain = self.s3.head_object(Bucket=BUCKET, Key="sum-" + alg)
                self.assertNotIn(member, plain)

    def test_boto3_default_crc32_trailer_is_stored(self):
        # botocore sends a CRC32 as an aws-chunked trailer by default; S3 keeps it.
        data = os.urandom(5000)
        self.put("trailer", data)
        g = self.s3.get_object(Bucket=BUCKET, Key="trailer", ChecksumMode="ENABLED")
        self.assertEqual(g["ChecksumCRC32"], checksum("CRC32", data))
        self.assertEqual(g["Body"].read(), data)

    def test_object_without_checksum_gets_crc64nvme(self):
        data = b"no checksum sent"
        status, _, _ = self.raw("PUT", "plain", body=data)
        self.assertEqual(status, 200)
        h = self.s3.head_object(Bucket=BUCKET, Key="plain", ChecksumMode="ENABLED")
        self.assertEqual(h["ChecksumCRC64NVME"], checksum("CRC64NVME", data))

    def test_checksum_header_mismatch_is_bad_digest(self):
        status, _, body = self.raw("PUT", "bad-sum", body=b"data",
                                   headers={"x-amz-checksum-crc32": checksum("CRC32", b"other")})
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>BadDigest</Code>", body)
        self.assertIn(b"<Message>The CRC32 you specified did not match the calculated checksum."
                      b"</Message>", body)
        with self.assertRaises(ClientError):
            self.s3.head_object(Bucket=BUCKET, Key="bad-sum")

    def test_checksum_mismatch_for_every_algorithm(self):
        for alg in ("CRC32C", "CRC64NVME", "SHA1", "SHA256"):
            with self.subTest(alg=alg):
                with self.assertRaises(ClientError) as ctx:
                    self.put("bad-" + alg, b"data", **{"Checksum" + alg: checksum(alg, b"else")})
                err = self.assertAwsError(ctx, "BadDigest", 400)
                self.assertEqual(err["Error"]["Message"],
                                 "The %s you specified did not match the calculated checksum."
                                 % alg)

    def test_checksum_trailer_mismatch_is_bad_digest(self):
        data = b"trailer payload"
        host = "127.0.0.1:%d" % self.server.port
        for value, status_expected in ((checksum("CRC32", b"wrong"), 400),
                                       (checksum("CRC32", data), 200)):
            headers = sigv4_headers(host, "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
            headers.update({"Content-Encoding": "aws-chunked",
                            "x-amz-trailer": "x-amz-checksum-crc32",
                            "x-amz-decoded-content-length": str(len(data))})
            status, _, body = self.raw(
                "PUT", "chunked", body=chunked_with_trailer(data, "x-amz-checksum-crc32", value),
                headers=headers)
            self.assertEqual(status, status_expected, body)
        g = self.s3.get_object(Bucket=BUCKET, Key="chunked", ChecksumMode="ENABLED")
        self.assertEqual(g["Body"].read(), data)
        self.assertEqual(g["ChecksumCRC32"], checksum("CRC32", data))
        # aws-chunked is a transfer detail: it is not stored as the object's Content-Encoding.
        self.assertNotIn("ContentEncoding", g)

    def test_malformed_checksum_value_is_invalid_request(self):
        status, _, body = self.raw("PUT", "short-sum", body=b"data",
                                   headers={"x-amz-checksum-sha256": "AAAA"})
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>InvalidRequest</Code>", body)

    def test_two_checksum_headers_are_invalid_request(self):
        status, _, body = self.raw("PUT", "two-sums", body=b"data", headers={
            "x-amz-checksum-crc32": checksum("CRC32", b"data"),
            "x-amz-checksum-sha1": checksum("SHA1", b"data")})
        self.assertEqual(status, 400)
        self.assertIn(b"Multiple checksum Types are not allowed", body)

    # --- Ranges ----------------------------------------------------------------------------------

    def test_range_reads(self):
        data = bytes(range(256)) * 4  # 1024 bytes
        self.put("ranged", data)
        cases = [("bytes=0-9", 0, 9), ("bytes=1000-", 1000, 1023), ("bytes=-24", 1000, 1023),
                 ("bytes=1020-5000", 1020, 1023), ("bytes=-5000", 0, 1023)]
        for header, first, last in cases:
            with self.subTest(range=header):
                g = self.s3.get_object(Bucket=BUCKET, Key="ranged", Range=header)
                self.assertEqual(g["ResponseMetadata"]["HTTPStatusCode"], 206)
                self.assertEqual(g["ContentRange"], "bytes %d-%d/1024" % (first, last))
                self.assertEqual(g["ContentLength"], last - first + 1)
                self.assertEqual(g["Body"].read(), data[first:last + 1])

    def test_head_with_range_is_206(self):
        self.put("ranged-head", b"0123456789")
        h = self.s3.head_object(Bucket=BUCKET, Key="ranged-head", Range="bytes=2-5")
        self.assertEqual(h["ResponseMetadata"]["HTTPStatusCode"], 206)
        self.assertEqual(h["ContentLength"], 4)
        self.assertEqual(h["ContentRange"], "bytes 2-5/10")

    def test_unsatisfiable_range_is_416_invalid_range(self):
        self.put("small", b"0123456789")
        for header in ("bytes=10-", "bytes=100-200", "bytes=-0"):
            with self.subTest(range=header):
                with self.assertRaises(ClientError) as ctx:
                    self.s3.get_object(Bucket=BUCKET, Key="small", Range=header)
                err = self.assertAwsError(ctx, "InvalidRange", 416)
                self.assertEqual(err["Error"]["ActualObjectSize"], "10")
                self.assertEqual(err["Error"]["RangeRequested"], header)

    def test_ranges_s3_ignores_answer_the_whole_object(self):
        # Several ranges, malformed ranges and reversed ranges: S3 answers 200 with everything.
        self.put("whole", b"0123456789")
        for header in ("bytes=0-1,3-4", "bytes=abc", "items=0-1", "bytes=5-2"):
            with self.subTest(range=header):
                g = self.s3.get_object(Bucket=BUCKET, Key="whole", Range=header)
                self.assertEqual(g["ResponseMetadata"]["HTTPStatusCode"], 200)
                self.assertEqual(g["Body"].read(), b"0123456789")

    # --- Conditional reads and writes --------------------------------------------------------------

    def test_conditional_reads(self):
        r = self.put("cond", b"v1")
        etag = r["ETag"]
        lm = self.s3.head_object(Bucket=BUCKET, Key="cond")["LastModified"]
        before = lm - datetime.timedelta(hours=1)
        after = lm + datetime.timedelta(hours=1)
        ok = self.s3.get_object(Bucket=BUCKET, Key="cond", IfMatch=etag)
        self.assertEqual(ok["Body"].read(), b"v1")
        self.s3.get_object(Bucket=BUCKET, Key="cond", IfMatch="*")
        self.s3.get_object(Bucket=BUCKET, Key="cond", IfNoneMatch='"other"')
        self.s3.get_object(Bucket=BUCKET, Key="cond", IfModifiedSince=before)
        self.s3.get_object(Bucket=BUCKET, Key="cond", IfUnmodifiedSince=after)

        with self.assertRaises(ClientError) as ctx:
            self.s3.get_object(Bucket=BUCKET, Key="cond", IfMatch='"nope"')
        err = self.assertAwsError(ctx, "PreconditionFailed", 412)
        self.assertEqual(err["Error"]["Condition"], "If-Match")
        with self.assertRaises(ClientError) as ctx:
            self.s3.get_object(Bucket=BUCKET, Key="cond", IfUnmodifiedSince=before)
        err = self.assertAwsError(ctx, "PreconditionFailed", 412)
        self.assertEqual(err["Error"]["Condition"], "If-Unmodified-Since")
        with self.assertRaises(ClientError) as ctx:
            self.s3.get_object(Bucket=BUCKET, Key="cond", IfNoneMatch=etag)
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 304)
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPHeaders"]["etag"], etag)
        with self.assertRaises(ClientError) as ctx:
            self.s3.get_object(Bucket=BUCKET, Key="cond", IfModifiedSince=after)
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 304)
        with self.assertRaises(ClientError) as ctx:
            self.s3.head_object(Bucket=BUCKET, Key="cond", IfNoneMatch=etag)
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 304)

    def test_condition_precedence(self):
        # RFC 9110 13.2.2, as S3 documents it: If-Match true wins over If-Unmodified-Since false,
        # and If-None-Match false (a match) wins over If-Modified-Since true (304).
        etag = self.put("prec", b"x")["ETag"]
        lm = self.s3.head_object(Bucket=BUCKET, Key="prec")["LastModified"]
        before = lm - datetime.timedelta(hours=1)
        g = self.s3.get_object(Bucket=BUCKET, Key="prec", IfMatch=etag, IfUnmodifiedSince=before)
        self.assertEqual(g["ResponseMetadata"]["HTTPStatusCode"], 200)
        with self.assertRaises(ClientError) as ctx:
            self.s3.get_object(Bucket=BUCKET, Key="prec", IfNoneMatch=etag,
                               IfModifiedSince=before)
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 304)

    def test_conditional_write_if_none_match_star(self):
        self.put("once", b"first", IfNoneMatch="*")
        with self.assertRaises(ClientError) as ctx:
            self.put("once", b"second", IfNoneMatch="*")
        err = self.assertAwsError(ctx, "PreconditionFailed", 412)
        self.assertEqual(err["Error"]["Condition"], "If-None-Match")
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key="once")["Body"].read(), b"first")

    def test_conditional_write_if_match(self):
        etag = self.put("cas", b"v1")["ETag"]
        etag2 = self.put("cas", b"v2", IfMatch=etag)["ETag"]
        with self.assertRaises(ClientError) as ctx:
            self.put("cas", b"v3", IfMatch=etag)
        self.assertAwsError(ctx, "PreconditionFailed", 412)
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key="cas")["ETag"], etag2)
        with self.assertRaises(ClientError) as ctx:
            self.put("never-written", b"x", IfMatch=etag)
        self.assertAwsError(ctx, "NoSuchKey", 404)

    def test_concurrent_conditional_creates_have_one_winner(self):
        # If-None-Match: * is evaluated atomically with the commit: of racing creators, exactly
        # one succeeds.
        def create(i):
            try:
                self.client("s3").put_object(Bucket=BUCKET, Key="race", Body=b"%d" % i,
                                             IfNoneMatch="*")
                return i
            except ClientError as e:
                self.assertEqual(e.response["Error"]["Code"], "PreconditionFailed")
                return None

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            winners = [w for w in pool.map(create, range(16)) if w is not None]
        self.assertEqual(len(winners), 1)
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key="race")["Body"].read(),
                         b"%d" % winners[0])

    def test_if_none_match_other_than_star_is_not_implemented(self):
        with self.assertRaises(ClientError) as ctx:
            self.put("nm", b"x", IfNoneMatch='"abc"')
        self.assertAwsError(ctx, "NotImplemented", 501)

    # --- Deletes -----------------------------------------------------------------------------------

    def test_delete_object_is_204_even_when_absent(self):
        self.put("gone", b"x")
        r = self.s3.delete_object(Bucket=BUCKET, Key="gone")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        r = self.s3.delete_object(Bucket=BUCKET, Key="gone")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        with self.assertRaises(ClientError):
            self.s3.get_object(Bucket=BUCKET, Key="gone")

    def test_conditional_delete(self):
        etag = self.put("cdel", b"x")["ETag"]
        with self.assertRaises(ClientError) as ctx:
            self.s3.delete_object(Bucket=BUCKET, Key="cdel", IfMatch='"other"')
        self.assertAwsError(ctx, "PreconditionFailed", 412)
        self.s3.delete_object(Bucket=BUCKET, Key="cdel", IfMatch=etag)

    def test_delete_objects_reports_each_key(self):
        for k in ("d1", "d2", "d3"):
            self.put(k)
        r = self.s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [
            {"Key": "d1"}, {"Key": "d2"}, {"Key": "never-existed"},
            {"Key": "d3", "VersionId": "not-a-version"}]})
        self.assertEqual(sorted(d["Key"] for d in r["Deleted"]), ["d1", "d2", "never-existed"])
        self.assertEqual(len(r["Errors"]), 1)
        self.assertEqual(r["Errors"][0]["Key"], "d3")
        self.assertEqual(r["Errors"][0]["Code"], "InvalidArgument")
        self.assertEqual(r["Errors"][0]["VersionId"], "not-a-version")
        keys = [o["Key"] for o in self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
        self.assertEqual(keys, ["d3"])

    def test_delete_objects_quiet_reports_only_errors(self):
        self.put("q1")
        r = self.s3.delete_objects(Bucket=BUCKET, Delete={"Quiet": True, "Objects": [
            {"Key": "q1"}, {"Key": "k" * 1100}]})
        self.assertNotIn("Deleted", r)
        self.assertEqual([e["Code"] for e in r["Errors"]], ["KeyTooLongError"])

    def test_delete_objects_limit_is_1000_keys(self):
        with self.assertRaises(ClientError) as ctx:
            self.s3.delete_objects(Bucket=BUCKET, Delete={
                "Objects": [{"Key": "k%d" % i} for i in range(1001)]})
        self.assertAwsError(ctx, "MalformedXML", 400)

    # --- CopyObject --------------------------------------------------------------------------------

    def test_copy_keeps_metadata_with_copy_directive(self):
        self.put("src", b"copied bytes", ContentType="text/plain", Metadata={"m": "1"})
        r = self.s3.copy_object(Bucket=BUCKET, Key="dst", CopySource={"Bucket": BUCKET,
                                                                      "Key": "src"},
                                Metadata={"ignored": "x"}, ContentType="image/gif")
        self.assertEqual(r["CopyObjectResult"]["ETag"], md5_etag(b"copied bytes"))
        g = self.s3.get_object(Bucket=BUCKET, Key="dst")
        self.assertEqual(g["Body"].read(), b"copied bytes")
        self.assertEqual(g["ContentType"], "text/plain")
        self.assertEqual(g["Metadata"], {"m": "1"})

    def test_copy_replaces_metadata_with_replace_directive(self):
        self.put("src", b"x", ContentType="text/plain", Metadata={"m": "1"})
        self.s3.copy_object(Bucket=BUCKET, Key="dst", CopySource="%s/src" % BUCKET,
                            MetadataDirective="REPLACE", Metadata={"n": "2"},
                            ContentType="application/json")
        h = self.s3.head_object(Bucket=BUCKET, Key="dst")
        self.assertEqual(h["Metadata"], {"n": "2"})
        self.assertEqual(h["ContentType"], "application/json")

    def test_copy_across_buckets_with_encoded_source_key(self):
        self.s3.create_bucket(Bucket="other-bucket")
        key = "dir with space/ünï+cödé?.txt"
        self.put(key, b"special")
        self.s3.copy_object(Bucket="other-bucket", Key="copy",
                            CopySource={"Bucket": BUCKET, "Key": key})
        self.assertEqual(self.s3.get_object(Bucket="other-bucket", Key="copy")["Body"].read(),
                         b"special")
        # The raw header form: /bucket/url-encoded-key
        status, _, body = self.server.http("PUT", "/other-bucket/copy2", headers={
            "x-amz-copy-source": "/%s/%s" % (BUCKET, urllib.parse.quote(key))})
        self.assertEqual(status, 200, body)
        self.assertIn(b"<CopyObjectResult", body)

    def test_copy_source_version_id(self):
        self.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        v1 = self.put("ver", b"one")["VersionId"]
        self.put("ver", b"two")
        r = self.s3.copy_object(Bucket=BUCKET, Key="ver-copy",
                                CopySource={"Bucket": BUCKET, "Key": "ver", "VersionId": v1})
        self.assertEqual(r["CopySourceVersionId"], v1)
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key="ver-copy")["Body"].read(), b"one")

    def test_copy_source_conditions(self):
        etag = self.put("csrc", b"x")["ETag"]
        lm = self.s3.head_object(Bucket=BUCKET, Key="csrc")["LastModified"]
        before = lm - datetime.timedelta(hours=1)
        after = lm + datetime.timedelta(hours=1)
        src = {"Bucket": BUCKET, "Key": "csrc"}
        self.s3.copy_object(Bucket=BUCKET, Key="c1", CopySource=src, CopySourceIfMatch=etag)
        self.s3.copy_object(Bucket=BUCKET, Key="c2", CopySource=src,
                            CopySourceIfModifiedSince=before)
        failing = [("CopySourceIfMatch", '"x"', "x-amz-copy-source-If-Match"),
                   ("CopySourceIfNoneMatch", etag, "x-amz-copy-source-If-None-Match"),
                   ("CopySourceIfModifiedSince", after, "x-amz-copy-source-If-Modified-Since"),
                   ("CopySourceIfUnmodifiedSince", before,
                    "x-amz-copy-source-If-Unmodified-Since")]
        for member, value, condition in failing:
            with self.subTest(member=member):
                with self.assertRaises(ClientError) as ctx:
                    self.s3.copy_object(Bucket=BUCKET, Key="c3", CopySource=src,
                                        **{member: value})
                err = self.assertAwsError(ctx, "PreconditionFailed", 412)
                self.assertEqual(err["Error"]["Condition"], condition)

    def test_copy_to_itself_needs_a_change(self):
        self.put("self", b"x", Metadata={"a": "1"})
        with self.assertRaises(ClientError) as ctx:
            self.s3.copy_object(Bucket=BUCKET, Key="self", CopySource=BUCKET + "/self")
        err = self.assertAwsError(ctx, "InvalidRequest", 400)
        self.assertIn("copy an object to itself", err["Error"]["Message"])
        self.s3.copy_object(Bucket=BUCKET, Key="self", CopySource=BUCKET + "/self",
                            MetadataDirective="REPLACE", Metadata={"a": "2"})
        self.assertEqual(self.s3.head_object(Bucket=BUCKET, Key="self")["Metadata"], {"a": "2"})

    def test_copy_from_missing_source(self):
        with self.assertRaises(ClientError) as ctx:
            self.s3.copy_object(Bucket=BUCKET, Key="d", CopySource=BUCKET + "/absent")
        self.assertAwsError(ctx, "NoSuchKey", 404)
        with self.assertRaises(ClientError) as ctx:
            self.s3.copy_object(Bucket=BUCKET, Key="d", CopySource="absent-bucket-x/k")
        self.assertAwsError(ctx, "NoSuchBucket", 404)
        with self.assertRaises(ClientError) as ctx:
            self.s3.copy_object(Bucket=BUCKET, Key="d", CopySource="no-slash-here")
        self.assertAwsError(ctx, "InvalidArgument", 400)

    def test_copy_with_bad_metadata_directive(self):
        self.put("src", b"x")
        with self.assertRaises(ClientError) as ctx:
            self.client("s3", parameter_validation=False).copy_object(
                Bucket=BUCKET, Key="d", CopySource=BUCKET + "/src", MetadataDirective="MERGE")
        self.assertAwsError(ctx, "InvalidArgument", 400)

    # --- GetObjectAttributes --------------------------------------------------------------------

    def test_get_object_attributes(self):
        data = b"attributes!"
        self.put("attrs", data, ChecksumSHA256=checksum("SHA256", data), StorageClass="GLACIER_IR")
        r = self.s3.get_object_attributes(
            Bucket=BUCKET, Key="attrs",
            ObjectAttributes=["ETag", "Checksum", "ObjectSize", "StorageClass", "ObjectParts"])
        self.assertEqual(r["ETag"], hashlib.md5(data).hexdigest())  # unquoted here
        self.assertEqual(r["ObjectSize"], len(data))
        self.assertEqual(r["StorageClass"], "GLACIER_IR")
        self.assertEqual(r["Checksum"]["ChecksumSHA256"], checksum("SHA256", data))
        self.assertNotIn("ObjectParts", r)
        with self.assertRaises(ClientError) as ctx:
            self.s3.get_object_attributes(Bucket=BUCKET, Key="nope", ObjectAttributes=["ETag"])
        self.assertAwsError(ctx, "NoSuchKey", 404)

    # --- AWS CLI -----------------------------------------------------------------------------------

    def test_cli_cp_ls_rm_sync(self):
        tmp = tempfile.mkdtemp()
        try:
            src = os.path.join(tmp, "src")
            os.makedirs(os.path.join(src, "sub"))
            files = {"a.txt": b"alpha", "sub/b.bin": os.urandom(3000), "sub/c d.txt": b"c"}
            for name, data in files.items():
                with open(os.path.join(src, name), "wb") as f:
                    f.write(data)
            code, _, err = self.server.aws("s3", "cp", os.path.join(src, "a.txt"),
                                           "s3://%s/single/a.txt" % BUCKET)
            self.assertEqual(code, 0, err)
            _, out, _ = self.server.aws("s3", "ls", "s3://%s/single/" % BUCKET)
            self.assertIn("a.txt", out)
            code, _, err = self.server.aws("s3", "sync", src, "s3://%s/synced" % BUCKET)
            self.assertEqual(code, 0, err)
            listed = sorted(o["Key"] for o in self.s3.list_objects_v2(
                Bucket=BUCKET, Prefix="synced/")["Contents"])
            self.assertEqual(listed, ["synced/" + n for n in sorted(files)])
            # A second sync uploads nothing (sizes and times match).
            _, out, _ = self.server.aws("s3", "sync", src, "s3://%s/synced" % BUCKET)
            self.assertFalse(out)
            dst = os.path.join(tmp, "dst")
            code, _, err = self.server.aws("s3", "sync", "s3://%s/synced" % BUCKET, dst)
            self.assertEqual(code, 0, err)
            for name, data in files.items():
                with open(os.path.join(dst, name), "rb") as f:
                    self.assertEqual(f.read(), data)
            code, _, err = self.server.aws("s3", "rm", "s3://%s/synced" % BUCKET, "--recursive")
            self.assertEqual(code, 0, err)
            self.assertNotIn("Contents", self.s3.list_objects_v2(Bucket=BUCKET, Prefix="synced/"))
            _, out, _ = self.server.aws("s3api", "head-object", "--bucket", BUCKET, "--key",
                                        "single/a.txt")
            self.assertEqual(out["ContentLength"], 5)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
