"""S3 errors and hostile input: the <Error> document (Code, Message, extra elements, RequestId,
HostId) and x-amz-request-id on every answer; malformed and hostile XML bodies, bad query
values, traversal-looking keys and invalid UTF-8, MethodNotAllowed, and presigned URLs that
work until they expire and then answer AccessDenied "Request has expired"."""
import re
import os
import unittest
import urllib.parse

import botocore.exceptions

from nimbus_harness import NimbusTestCase

ClientError = botocore.exceptions.ClientError
BUCKET = "errors-bucket"


class S3ErrorsTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.s3 = self.client("s3")
        self.s3.create_bucket(Bucket=BUCKET)

    def code_of(self, body):
        m = re.search(rb"<Code>([^<]*)</Code>", body)
        return m.group(1).decode() if m else None

    def test_error_document_shape(self):
        status, headers, body = self.server.http("GET", "/%s/missing.txt" % BUCKET)
        self.assertEqual(status, 404)
        self.assertEqual(headers["Content-Type"], "application/xml")
        self.assertTrue(body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'))
        self.assertIn(b"<Error><Code>NoSuchKey</Code>", body)
        self.assertIn(b"<Key>missing.txt</Key>", body)
        request_id = headers["x-amz-request-id"]
        self.assertIn(("<RequestId>%s</RequestId>" % request_id).encode(), body)
        self.assertIn(b"<HostId>", body)
        self.assertTrue(headers["x-amz-id-2"])

    def test_every_answer_has_a_request_id(self):
        answers = [self.server.http("PUT", "/%s/k" % BUCKET, body=b"x"),
                   self.server.http("GET", "/%s/k" % BUCKET),
                   self.server.http("HEAD", "/%s/k" % BUCKET),
                   self.server.http("GET", "/%s?list-type=2" % BUCKET),
                   self.server.http("DELETE", "/%s/k" % BUCKET),
                   self.server.http("GET", "/no-such-bucket-x?list-type=2")]
        for status, headers, _ in answers:
            self.assertTrue(headers["x-amz-request-id"], status)

    def test_no_such_bucket_names_the_bucket(self):
        status, _, body = self.server.http("GET", "/no-such-bucket-x/k")
        self.assertEqual(status, 404)
        self.assertEqual(self.code_of(body), "NoSuchBucket")
        self.assertIn(b"<BucketName>no-such-bucket-x</BucketName>", body)

    def test_malformed_xml_bodies(self):
        cases = [("PUT", "/new-bucket-xml", b"<CreateBucketConfiguration><LocationConstraint>"),
                 ("PUT", "/%s?versioning" % BUCKET, b"<<<not xml>>>"),
                 ("POST", "/%s?delete" % BUCKET, b"\xff\xfe\x00garbage"),
                 ("POST", "/%s?delete" % BUCKET, b"<Delete>" + b"<a>" * 5000 + b"</a>" * 5000
                  + b"</Delete>"),
                 ("PUT", "/%s?tagging" % BUCKET, b"<Tagging><TagSet><Tag><Key>a</Key>"),
                 ("PUT", "/%s?cors" % BUCKET, b"<CORSConfiguration/>")]
        for method, path, body in cases:
            with self.subTest(path=path, body=body[:20]):
                status, _, answer = self.server.http(method, path, body=body)
                self.assertEqual(status, 400, answer)
                self.assertEqual(self.code_of(answer), "MalformedXML")

    def test_entity_expansion_is_not_performed(self):
        # A "billion laughs" document must neither expand nor crash the server.
        bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
                b'<Tagging><TagSet><Tag><Key>k</Key><Value>&lol3;</Value></Tag></TagSet>'
                b'</Tagging>')
        status, _, _ = self.server.http("PUT", "/%s?tagging" % BUCKET, body=bomb)
        self.assertIn(status, (200, 400))
        tags = self.s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"] if status == 200 else []
        for t in tags:
            self.assertLess(len(t["Value"]), 100)
        self.assertEqual(self.s3.head_bucket(Bucket=BUCKET)["ResponseMetadata"]["HTTPStatusCode"],
                         200)

    def test_bad_query_values_are_invalid_argument(self):
        for path in ("/%s?list-type=2&max-keys=lots" % BUCKET,
                     "/%s/k?partNumber=abc" % BUCKET,
                     "/%s?list-type=2&fetch-owner=perhaps" % BUCKET):
            with self.subTest(path=path):
                status, _, body = self.server.http("GET", path)
                self.assertEqual(status, 400, body)
                self.assertEqual(self.code_of(body), "InvalidArgument")

    def test_unsupported_method_is_method_not_allowed(self):
        status, _, body = self.server.http("PATCH", "/%s/some-key" % BUCKET, body=b"x")
        self.assertEqual(status, 405)
        self.assertEqual(self.code_of(body), "MethodNotAllowed")
        self.assertIn(b"<Method>PATCH</Method>", body)
        self.assertIn(b"<ResourceType>OBJECT</ResourceType>", body)

    def test_traversal_in_the_raw_path_is_an_ordinary_key(self):
        data_dir = self.server.data_dir
        for raw in ("/%s/../../etc/passwd-nimbus" % BUCKET,
                    "/%s/..%%2F..%%2F..%%2Ftmp%%2Fescape-nimbus" % BUCKET,
                    "/%s/%%2e%%2e/%%2e%%2e/x" % BUCKET):
            with self.subTest(path=raw):
                status, _, body = self.server.http("PUT", raw, body=b"stays inside")
                self.assertEqual(status, 200, body)
                status, _, body = self.server.http("GET", raw)
                self.assertEqual((status, body), (200, b"stays inside"))
        self.assertFalse(os.path.exists("/etc/passwd-nimbus"))
        self.assertFalse(os.path.exists("/tmp/escape-nimbus"))
        keys = [o["Key"] for o in self.s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
        self.assertIn("../../etc/passwd-nimbus", keys)
        self.assertIn("../../../tmp/escape-nimbus", keys)
        # Whatever the key, the bytes live in blobs with nimbus-made names.
        for root, _, files in os.walk(data_dir):
            for f in files:
                self.assertNotIn("passwd", f)
                self.assertNotIn("escape", f)

    def test_invalid_utf8_key_is_rejected(self):
        status, _, body = self.server.http("PUT", "/%s/bad%%FFkey" % BUCKET, body=b"x")
        self.assertEqual(status, 400)
        self.assertEqual(self.code_of(body), "InvalidArgument")

    def test_nul_and_control_characters_in_keys(self):
        key = "nul\x00and\x01ctl"
        status, _, _ = self.server.http("PUT", "/%s/%s" % (BUCKET, urllib.parse.quote(key)),
                                        body=b"odd")
        self.assertEqual(status, 200)
        status, _, body = self.server.http("GET", "/%s/%s" % (BUCKET, urllib.parse.quote(key)))
        self.assertEqual((status, body), (200, b"odd"))

    def test_header_values_cannot_split_the_response(self):
        status, _, _ = self.server.http("PUT", "/%s/hdr" % BUCKET, body=b"x", headers={
            "x-amz-meta-note": "line1 line2", "Content-Type": "text/plain"})
        self.assertEqual(status, 200)
        h = self.s3.head_object(Bucket=BUCKET, Key="hdr")
        self.assertEqual(h["Metadata"], {"note": "line1 line2"})

    def test_copy_source_garbage(self):
        for source in ("%zz/key", "/", "bucket-only", "/%s/" % BUCKET):
            with self.subTest(source=source):
                status, _, body = self.server.http("PUT", "/%s/dst" % BUCKET,
                                                   headers={"x-amz-copy-source": source})
                self.assertEqual(status, 400, body)
                self.assertEqual(self.code_of(body), "InvalidArgument")

    def test_huge_range_numbers_are_ignored(self):
        self.s3.put_object(Bucket=BUCKET, Key="r", Body=b"0123")
        status, _, body = self.server.http("GET", "/%s/r" % BUCKET, headers={
            "Range": "bytes=99999999999999999999999999-"})
        self.assertEqual((status, body), (200, b"0123"))

    def test_presigned_get_and_put_work_until_they_expire(self):
        # boto3 presigns S3 with the legacy query signature (Expires) unless told s3v4.
        self.s3.put_object(Bucket=BUCKET, Key="shared.txt", Body=b"presigned")
        for signer in ("s3", "s3v4"):
            with self.subTest(signature_version=signer):
                s3 = self.client("s3", signature_version=signer)
                url = s3.generate_presigned_url("get_object", ExpiresIn=300,
                                                Params={"Bucket": BUCKET, "Key": "shared.txt"})
                path = url[len(self.server.endpoint):]
                status, _, body = self.server.http("GET", path)
                self.assertEqual((status, body), (200, b"presigned"))
                put_url = s3.generate_presigned_url("put_object", ExpiresIn=300,
                                                    Params={"Bucket": BUCKET, "Key": "up.txt"})
                status, _, _ = self.server.http("PUT", put_url[len(self.server.endpoint):],
                                                body=b"uploaded " + signer.encode())
                self.assertEqual(status, 200)
                self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key="up.txt")["Body"].read(),
                                 b"uploaded " + signer.encode())
                # The same URL as if signed in 2020 for five minutes has expired.
                if signer == "s3v4":
                    expired = re.sub(r"X-Amz-Date=\d{8}T\d{6}Z", "X-Amz-Date=20200101T000000Z",
                                     path)
                else:
                    expired = re.sub(r"Expires=\d+", "Expires=1577837100", path)
                status, _, body = self.server.http("GET", expired)
                self.assertEqual(status, 403)
                self.assertEqual(self.code_of(body), "AccessDenied")
                self.assertIn(b"<Message>Request has expired</Message>", body)
                self.assertIn(b"<Expires>2020-01-01T00:05:00Z</Expires>", body)
                self.assertIn(b"<ServerTime>", body)

    def test_cli_presign(self):
        self.s3.put_object(Bucket=BUCKET, Key="cli.txt", Body=b"from cli")
        _, out, _ = self.server.aws("s3", "presign", "s3://%s/cli.txt" % BUCKET,
                                    "--expires-in", "60")
        status, _, body = self.server.http("GET", out.strip()[len(self.server.endpoint):])
        self.assertEqual((status, body), (200, b"from cli"))


if __name__ == "__main__":
    unittest.main()
