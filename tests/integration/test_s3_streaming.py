"""S3 request bodies over 8 MiB are streamed to disk as they arrive instead of being read whole
first: a single PutObject or UploadPart may be up to 5 GiB (S3's limit, answered EntityTooLarge
with ProposedSize and MaxSizeAllowed above it, before any of the body is read), and is checked
like any other upload (Content-MD5, x-amz-checksum-* headers and aws-chunked trailers,
x-amz-content-sha256 in strict mode). `Expect: 100-continue` is answered only when the body is
wanted. Other operations and other services read large bodies whole, with their old limits."""
import hashlib
import http.client
import json
import os
import re
import socket
import tempfile
import threading
import unittest

import botocore.config
import botocore.exceptions
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from nimbus_harness import ACCESS_KEY, SECRET_KEY, NimbusServer, NimbusTestCase
from test_s3_support import checksum, chunked_with_trailer, content_md5, sigv4_headers

MIB = 1 << 20
MAX_UPLOAD = 5 * 1024 ** 3  # 5 GiB


def body_of(size, seed=0):
    """`size` bytes that differ from block to block (a misplaced piece shows)."""
    block = hashlib.sha256(b"%d" % seed).digest() * (MIB // 32)
    out = bytearray()
    i = 0
    while len(out) < size:
        out += i.to_bytes(8, "big") + block[8:]
        i += 1
    return bytes(out[:size])


def exchange(port, head, body=b"", wait_continue=False, timeout=10):
    """Sends a request head (and `body`, after a 100 Continue when `wait_continue`); returns
    (interim lines before the final answer, status, headers, body) of the final answer."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(head)
        f = s.makefile("rb")
        interim = []
        if wait_continue:
            line = f.readline()
            interim.append(line)
            if line.startswith(b"HTTP/1.1 100"):
                f.readline()  # the empty line ending the interim answer
                s.sendall(body)
                line = f.readline()
        else:
            if body:
                s.sendall(body)
            line = f.readline()
        status = int(line.split()[1])
        headers = {}
        while True:
            h = f.readline()
            if h in (b"\r\n", b""):
                break
            k, v = h.decode().split(":", 1)
            headers[k.strip().lower()] = v.strip()
        data = f.read(int(headers.get("content-length", "0")))
        return interim, status, headers, data
    finally:
        s.close()


def xml_value(data, name):
    m = re.search(rb"<%s>(.*?)</%s>" % (name.encode(), name.encode()), data)
    return m.group(1).decode() if m else None


class S3StreamingTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.s3 = self.client("s3")
        self.s3.create_bucket(Bucket="stream")

    def blob_files(self):
        root = os.path.join(self.server.data_dir, "blobs")
        return sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs)

    def assertNoObject(self, key):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.head_object(Bucket="stream", Key=key)
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)

    def put_head(self, key, length, extra=""):
        return ("PUT /stream/%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: %d\r\n%s\r\n"
                % (key, self.server.port, length, extra)).encode()

    def test_put_object_streamed_round_trip_with_md5_and_checksum(self):
        data = body_of(20 * MIB + 123)
        r = self.s3.put_object(Bucket="stream", Key="big", Body=data, ContentMD5=content_md5(data),
                               ChecksumAlgorithm="SHA256", Metadata={"k": "v"})
        self.assertEqual(r["ETag"], '"%s"' % hashlib.md5(data).hexdigest())
        self.assertEqual(r["ChecksumSHA256"], checksum("SHA256", data))
        head = self.s3.head_object(Bucket="stream", Key="big", ChecksumMode="ENABLED")
        self.assertEqual(head["ContentLength"], len(data))
        self.assertEqual(head["ChecksumSHA256"], checksum("SHA256", data))
        self.assertEqual(head["Metadata"], {"k": "v"})
        self.assertEqual(self.s3.get_object(Bucket="stream", Key="big")["Body"].read(), data)
        got = self.s3.get_object(Bucket="stream", Key="big", Range="bytes=%d-%d" % (9 * MIB, 9 * MIB + 9))
        self.assertEqual(got["Body"].read(), data[9 * MIB:9 * MIB + 10])

    def test_streamed_body_failing_a_check_leaves_no_object_and_no_blob(self):
        data = body_of(9 * MIB)
        before = self.blob_files()
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.put_object(Bucket="stream", Key="bad-md5", Body=data,
                               ContentMD5=content_md5(data[:-1]))
        self.assertAwsError(ctx, "BadDigest", 400)
        self.assertNoObject("bad-md5")
        status, _, body = exchange(self.server.port, self.put_head(
            "bad-crc", len(data), "x-amz-checksum-crc32: %s\r\n" % checksum("CRC32", b"x")),
            data)[1:]
        self.assertEqual((status, xml_value(body, "Code")), (400, "BadDigest"))
        self.assertEqual(xml_value(body, "Message"),
                         "The CRC32 you specified did not match the calculated checksum.")
        self.assertNoObject("bad-crc")
        # A malformed Content-MD5 is refused before the body is read.
        _, status, _, body = exchange(self.server.port, self.put_head(
            "bad-form", len(data), "Content-MD5: nope\r\nExpect: 100-continue\r\n"),
            data, wait_continue=True)
        self.assertEqual((status, xml_value(body, "Code")), (400, "InvalidDigest"))
        self.assertEqual(self.blob_files(), before)

    def test_over_5_gib_is_entity_too_large_before_the_body(self):
        for extra, wait in (("Expect: 100-continue\r\n", True), ("", False)):
            interim, status, headers, body = exchange(
                self.server.port, self.put_head("huge", MAX_UPLOAD + 1, extra), wait_continue=wait)
            self.assertEqual([l for l in interim if l.startswith(b"HTTP/1.1 100")], [])
            self.assertEqual(status, 400)
            self.assertEqual(xml_value(body, "Code"), "EntityTooLarge")
            self.assertEqual(xml_value(body, "Message"),
                             "Your proposed upload exceeds the maximum allowed size")
            self.assertEqual(xml_value(body, "ProposedSize"), str(MAX_UPLOAD + 1))
            self.assertEqual(xml_value(body, "MaxSizeAllowed"), str(MAX_UPLOAD))
            self.assertEqual(headers.get("connection"), "close")
        # aws-chunked: the decoded length counts.
        head = dict(sigv4_headers("127.0.0.1", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"))
        head.update({"Content-Encoding": "aws-chunked", "Content-Length": str(MAX_UPLOAD + 100),
                     "x-amz-decoded-content-length": str(MAX_UPLOAD + 1),
                     "x-amz-trailer": "x-amz-checksum-crc32"})
        raw = "PUT /stream/huge HTTP/1.1\r\n" + "".join(
            "%s: %s\r\n" % kv for kv in head.items()) + "\r\n"
        _, status, _, body = exchange(self.server.port, raw.encode())
        self.assertEqual((status, xml_value(body, "Code")), (400, "EntityTooLarge"))
        self.assertEqual(xml_value(body, "ProposedSize"), str(MAX_UPLOAD + 1))
        # UploadPart has the same limit.
        upload = self.s3.create_multipart_upload(Bucket="stream", Key="parts")["UploadId"]
        raw = ("PUT /stream/parts?partNumber=1&uploadId=%s HTTP/1.1\r\nHost: x\r\n"
               "Content-Length: %d\r\n\r\n" % (upload, MAX_UPLOAD + 1)).encode()
        _, status, _, body = exchange(self.server.port, raw)
        self.assertEqual((status, xml_value(body, "Code")), (400, "EntityTooLarge"))
        self.assertNoObject("huge")
        # The server goes on serving.
        self.assertEqual(self.s3.list_objects_v2(Bucket="stream")["KeyCount"], 0)

    def test_expect_continue_then_body(self):
        data = body_of(9 * MIB, 3)
        interim, status, headers, _ = exchange(
            self.server.port, self.put_head("continued", len(data), "Expect: 100-continue\r\n"),
            data, wait_continue=True)
        self.assertEqual(interim, [b"HTTP/1.1 100 Continue\r\n"])
        self.assertEqual(status, 200)
        self.assertEqual(headers["etag"], '"%s"' % hashlib.md5(data).hexdigest())
        # An error found before the body (no such bucket) is answered instead of 100 Continue.
        raw = ("PUT /no-such-bucket/k HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n"
               "Expect: 100-continue\r\n\r\n" % len(data)).encode()
        interim, status, _, body = exchange(self.server.port, raw, data, wait_continue=True)
        self.assertFalse(interim[0].startswith(b"HTTP/1.1 100"), interim)
        self.assertEqual((status, xml_value(body, "Code")), (404, "NoSuchBucket"))

    def test_refused_body_sent_without_expect_still_gets_the_answer(self):
        """A client that sends the body at once (no Expect) to a request refused unread reads
        the error, not a connection reset: the server drains what follows for a moment."""
        n = 40 * MIB
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        s.sendall(b"PUT /no-such-bucket/k HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % n)
        sender = threading.Thread(target=lambda: s.sendall(b"x" * n), daemon=True)
        sender.start()
        answer = b""
        while True:
            piece = s.recv(65536)
            if not piece:
                break
            answer += piece
        sender.join(10)
        s.close()
        self.assertTrue(answer.startswith(b"HTTP/1.1 404 Not Found\r\n"), answer[:100])
        self.assertIn(b"<Code>NoSuchBucket</Code>", answer)

    def test_aws_chunked_body_with_checksum_trailer(self):
        data = body_of(10 * MIB + 7, 4)
        value = checksum("CRC32C", data)
        for key, trailer, expect in (("chunked", value, 200),
                                     ("chunked-bad", checksum("CRC32C", b"other"), 400)):
            body = chunked_with_trailer(data, "x-amz-checksum-crc32c", trailer, chunk=1000 * 1000)
            head = dict(sigv4_headers("127.0.0.1", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"))
            head.update({"Content-Encoding": "aws-chunked", "Content-Length": str(len(body)),
                         "x-amz-decoded-content-length": str(len(data)),
                         "x-amz-trailer": "x-amz-checksum-crc32c",
                         "x-amz-sdk-checksum-algorithm": "CRC32C"})
            raw = "PUT /stream/%s HTTP/1.1\r\n" % key + "".join(
                "%s: %s\r\n" % kv for kv in head.items()) + "\r\n"
            _, status, headers, resp = exchange(self.server.port, raw.encode(), body)
            self.assertEqual(status, expect, resp)
            if expect == 200:
                self.assertEqual(headers["x-amz-checksum-crc32c"], value)
            else:
                self.assertEqual(xml_value(resp, "Code"), "BadDigest")
        head = self.s3.head_object(Bucket="stream", Key="chunked", ChecksumMode="ENABLED")
        self.assertEqual(head["ChecksumCRC32C"], value)
        self.assertEqual(head["ETag"], '"%s"' % hashlib.md5(data).hexdigest())
        self.assertEqual(self.s3.get_object(Bucket="stream", Key="chunked")["Body"].read(), data)
        self.assertNoObject("chunked-bad")
        # Framing cut short: IncompleteBody, nothing stored.
        body = chunked_with_trailer(data, "x-amz-checksum-crc32c", value, chunk=1000 * 1000)
        body = body[:len(body) - 40] + b"\r\n\r\n"
        head = dict(sigv4_headers("127.0.0.1", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"))
        head.update({"Content-Encoding": "aws-chunked", "Content-Length": str(len(body)),
                     "x-amz-trailer": "x-amz-checksum-crc32c"})
        raw = "PUT /stream/cut HTTP/1.1\r\n" + "".join(
            "%s: %s\r\n" % kv for kv in head.items()) + "\r\n"
        _, status, _, resp = exchange(self.server.port, raw.encode(), body)
        self.assertEqual((status, xml_value(resp, "Code")), (400, "IncompleteBody"), resp)
        self.assertNoObject("cut")

    def test_transfer_encoding_chunked_body(self):
        data = body_of(9 * MIB + 5, 5)
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        pieces = (data[i:i + 300000] for i in range(0, len(data), 300000))
        conn.request("PUT", "/stream/te", body=pieces, encode_chunked=True)
        r = conn.getresponse()
        self.assertEqual(r.status, 200, r.read())
        r.read()
        conn.close()
        self.assertEqual(self.s3.get_object(Bucket="stream", Key="te")["Body"].read(), data)

    def test_upload_part_streamed(self):
        upload = self.s3.create_multipart_upload(Bucket="stream", Key="mpu",
                                                 ChecksumAlgorithm="CRC32")["UploadId"]
        one, two = body_of(12 * MIB, 6), body_of(3 * MIB, 7)
        p1 = self.s3.upload_part(Bucket="stream", Key="mpu", UploadId=upload, PartNumber=1,
                                 Body=one, ChecksumAlgorithm="CRC32")
        self.assertEqual(p1["ETag"], '"%s"' % hashlib.md5(one).hexdigest())
        self.assertEqual(p1["ChecksumCRC32"], checksum("CRC32", one))
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.s3.upload_part(Bucket="stream", Key="mpu", UploadId=upload, PartNumber=3,
                                Body=one, ContentMD5=content_md5(two))
        self.assertAwsError(ctx, "BadDigest", 400)
        p2 = self.s3.upload_part(Bucket="stream", Key="mpu", UploadId=upload, PartNumber=2,
                                 Body=two, ChecksumAlgorithm="CRC32")
        parts = self.s3.list_parts(Bucket="stream", Key="mpu", UploadId=upload)["Parts"]
        self.assertEqual([(p["PartNumber"], p["Size"]) for p in parts],
                         [(1, len(one)), (2, len(two))])
        self.s3.complete_multipart_upload(
            Bucket="stream", Key="mpu", UploadId=upload,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": p1["ETag"]},
                                       {"PartNumber": 2, "ETag": p2["ETag"]}]})
        self.assertEqual(self.s3.get_object(Bucket="stream", Key="mpu")["Body"].read(), one + two)

    def test_other_operations_read_large_bodies_whole(self):
        # A tagging body over the stream threshold is read whole and parsed as always.
        tagging = (b"<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"
                   + b" " * (9 * MIB))
        self.s3.put_object(Bucket="stream", Key="tagged", Body=b"x")
        status, _, body = self.server.http("PUT", "/stream/tagged?tagging", tagging,
                                           {"Content-Type": "application/xml"}, timeout=30)
        self.assertEqual(status, 200, body[:300])
        self.assertEqual(self.s3.get_object_tagging(Bucket="stream", Key="tagged")["TagSet"],
                         [{"Key": "k", "Value": "v"}])
        # Over 64 MiB: what S3 answers for an XML body too big, before reading it.
        raw = ("PUT /stream/tagged?tagging HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
               % (65 * MIB)).encode()
        _, status, _, body = exchange(self.server.port, raw)
        self.assertEqual((status, xml_value(body, "Code")), (400, "MaxMessageLengthExceeded"))
        # Other services keep the plain 413 for bodies over 64 MiB.
        raw = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
               b"X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: %d\r\n\r\n"
               % (65 * MIB))
        _, status, _, body = exchange(self.server.port, raw)
        self.assertEqual((status, body), (413, b"Request entity too large\n"))
        # ...and read bodies between the threshold and 64 MiB whole (here: too long a name).
        ddb = self.client("dynamodb")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            ddb.describe_table(TableName="t" * (9 * MIB))
        self.assertAwsError(ctx, "ValidationException", 400)


class S3StreamingStrictAuthTest(unittest.TestCase):
    """Strict mode: a streamed body is held to the x-amz-content-sha256 its signature covers."""

    @classmethod
    def setUpClass(cls):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump([{"access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY,
                        "account_id": "000000000000"}], f)
        cls.cred_file = f.name
        cls.server = NimbusServer("--auth", "strict", "--credentials", cls.cred_file).start()
        cls.s3 = cls.server.client("s3")
        cls.s3.create_bucket(Bucket="strict")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        os.unlink(cls.cred_file)

    def signed_put(self, key, body, signed_body=None, sign_payload=True):
        """A PUT of `body` signed (with the right key) for `signed_body`'s SHA-256, or for
        UNSIGNED-PAYLOAD when not `sign_payload`."""
        url = "%s/strict/%s" % (self.server.endpoint, key)
        req = AWSRequest(method="PUT", url=url, data=signed_body or body,
                         headers={"Content-Length": str(len(body))})
        req.context["client_config"] = botocore.config.Config(
            s3={"payload_signing_enabled": sign_payload})
        S3SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", "us-east-1").add_auth(req)
        head = "PUT /strict/%s HTTP/1.1\r\n" % key + "".join(
            "%s: %s\r\n" % (k, v) for k, v in req.headers.items()) + \
            "Host: 127.0.0.1:%d\r\n\r\n" % self.server.port
        return exchange(self.server.port, head.encode(), body)[1:]

    def test_signed_payload_hash_is_checked_at_the_end_of_the_body(self):
        data = body_of(9 * MIB, 8)
        r = self.s3.put_object(Bucket="strict", Key="ok", Body=data)
        self.assertEqual(r["ETag"], '"%s"' % hashlib.md5(data).hexdigest())
        status, headers, _ = self.signed_put("signed", data)
        self.assertEqual(status, 200)
        status, _, body = self.signed_put("tampered", data, signed_body=data[:-1] + b"!")
        self.assertEqual((status, xml_value(body, "Code")), (400, "XAmzContentSHA256Mismatch"))
        with self.assertRaises(botocore.exceptions.ClientError):
            self.s3.head_object(Bucket="strict", Key="tampered")
        status, headers, _ = self.signed_put("unsigned", data, sign_payload=False)
        self.assertEqual(status, 200)
        self.assertEqual(self.s3.get_object(Bucket="strict", Key="unsigned")["Body"].read(), data)
        # A wrong secret is refused before the body is read.
        req_status = exchange(self.server.port, (
            "PUT /strict/nope HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n"
            "Expect: 100-continue\r\n\r\n" % len(data)).encode(), data, wait_continue=True)
        self.assertEqual(req_status[0], [b"HTTP/1.1 403 Forbidden\r\n"])
        self.assertEqual(req_status[1], 403)

    def signed_chunked_put(self, key, data, tamper_at=None, chunk=MIB):
        """A STREAMING-AWS4-HMAC-SHA256-PAYLOAD upload: the seed signature from botocore, each
        chunk signed over the previous signature (S3 API Reference, "Transferring Payload in
        Multiple Chunks"); `tamper_at` flips one byte after signing."""
        pieces = [data[i:i + chunk] for i in range(0, len(data), chunk)] + [b""]
        sig_len = len(";chunk-signature=") + 64
        length = sum(len(b"%x" % len(p)) + sig_len + 2 + len(p) + 2 for p in pieces)

        class StreamingAuth(S3SigV4Auth):
            def payload(self, request):
                return "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"

        url = "%s/strict/%s" % (self.server.endpoint, key)
        req = AWSRequest(method="PUT", url=url, headers={
            "Content-Encoding": "aws-chunked", "Content-Length": str(length),
            "x-amz-decoded-content-length": str(len(data))})
        auth = StreamingAuth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", "us-east-1")
        auth.add_auth(req)
        amz_date = req.headers["X-Amz-Date"]
        scope = "%s/us-east-1/s3/aws4_request" % amz_date[:8]
        key_bytes = auth._sign(("AWS4" + SECRET_KEY).encode(), amz_date[:8])
        for part in ("us-east-1", "s3", "aws4_request"):
            key_bytes = auth._sign(key_bytes, part)
        previous = req.headers["Authorization"].rsplit("Signature=", 1)[1]
        body = b""
        empty = hashlib.sha256(b"").hexdigest()
        for p in pieces:
            sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous, empty,
                             hashlib.sha256(p).hexdigest()])
            previous = auth._sign(key_bytes, sts, hex=True)
            body += b"%x;chunk-signature=%s\r\n%s\r\n" % (len(p), previous.encode(), p)
        self.assertEqual(len(body), length)
        if tamper_at is not None:
            at = body.index(data[tamper_at:tamper_at + 64])
            body = body[:at] + bytes([body[at] ^ 1]) + body[at + 1:]
        head = "PUT /strict/%s HTTP/1.1\r\n" % key + "".join(
            "%s: %s\r\n" % (k, v) for k, v in req.headers.items()) + \
            "Host: 127.0.0.1:%d\r\n\r\n" % self.server.port
        return exchange(self.server.port, head.encode(), body)[1:]

    def test_signed_chunks_are_checked_as_they_stream(self):
        data = body_of(10 * MIB + 3, 9)
        status, headers, resp = self.signed_chunked_put("chunks", data)
        self.assertEqual(status, 200, resp)
        self.assertEqual(headers["etag"], '"%s"' % hashlib.md5(data).hexdigest())
        self.assertEqual(self.s3.get_object(Bucket="strict", Key="chunks")["Body"].read(), data)
        status, _, resp = self.signed_chunked_put("chunks-tampered", data, tamper_at=5 * MIB + 9)
        self.assertEqual((status, xml_value(resp, "Code")), (403, "SignatureDoesNotMatch"))
        with self.assertRaises(botocore.exceptions.ClientError):
            self.s3.head_object(Bucket="strict", Key="chunks-tampered")


if __name__ == "__main__":
    unittest.main()
