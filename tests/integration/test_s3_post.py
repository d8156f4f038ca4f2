"""S3 browser form uploads (POST Object): boto3's generate_presigned_post forms (legacy and
SigV4) upload with a plain multipart/form-data POST; the policy's expiration, conditions,
content-length-range and extra-field rules are enforced; success_action_status and
success_action_redirect answer as S3 does; in strict auth mode the policy signature is checked."""
import base64
import hashlib
import http.client
import json
import os
import tempfile
import unittest

import requests

from nimbus_harness import NimbusServer, NimbusTestCase

BUCKET = "post-bucket"


class S3PostTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.s3 = self.client("s3")
        self.s3.create_bucket(Bucket=BUCKET)

    def post(self, presigned, data=b"form bytes", filename="photo.jpg", extra=None,
             content_type="image/jpeg"):
        fields = dict(presigned["fields"])
        fields.update(extra or {})
        return requests.post(presigned["url"], data=fields,
                             files={"file": (filename, data, content_type)}, timeout=10,
                             allow_redirects=False)

    def test_presigned_post_uploads_with_both_signature_forms(self):
        for signer in ("s3", "s3v4"):
            with self.subTest(signature_version=signer):
                s3 = self.client("s3", signature_version=signer)
                presigned = s3.generate_presigned_post(BUCKET, "uploads/%s.jpg" % signer,
                                                       ExpiresIn=300)
                r = self.post(presigned, data=b"jpeg " + signer.encode())
                self.assertEqual(r.status_code, 204, r.text)
                self.assertTrue(r.headers["ETag"])
                self.assertTrue(r.headers["x-amz-request-id"])
                g = self.s3.get_object(Bucket=BUCKET, Key="uploads/%s.jpg" % signer)
                self.assertEqual(g["Body"].read(), b"jpeg " + signer.encode())
                self.assertEqual(g["ContentType"], "image/jpeg")

    def test_filename_placeholder_metadata_and_status_201(self):
        presigned = self.s3.generate_presigned_post(
            BUCKET, "in/${filename}",
            Fields={"success_action_status": "201", "x-amz-meta-owner": "alice",
                    "Content-Type": "text/plain"},
            Conditions=[["starts-with", "$key", "in/"], {"success_action_status": "201"},
                        {"x-amz-meta-owner": "alice"}, ["starts-with", "$Content-Type", "text/"]])
        r = self.post(presigned, data=b"hello", filename="notes.txt")
        self.assertEqual(r.status_code, 201, r.text)
        self.assertIn("<Key>in/notes.txt</Key>", r.text)
        self.assertIn("<Bucket>%s</Bucket>" % BUCKET, r.text)
        h = self.s3.head_object(Bucket=BUCKET, Key="in/notes.txt")
        self.assertEqual(h["Metadata"], {"owner": "alice"})
        self.assertEqual(h["ContentType"], "text/plain")

    def test_success_action_redirect(self):
        presigned = self.s3.generate_presigned_post(
            BUCKET, "redirected", Fields={"success_action_redirect": "https://app.example/done"},
            Conditions=[{"success_action_redirect": "https://app.example/done"}])
        r = self.post(presigned)
        self.assertEqual(r.status_code, 303, r.text)
        self.assertTrue(r.headers["Location"].startswith(
            "https://app.example/done?bucket=%s&key=redirected&etag=" % BUCKET))

    def test_content_length_range(self):
        presigned = self.s3.generate_presigned_post(
            BUCKET, "limited", Conditions=[["content-length-range", 10, 20]])
        r = self.post(presigned, data=b"x" * 25)
        self.assertEqual(r.status_code, 400)
        self.assertIn("<Code>EntityTooLarge</Code>", r.text)
        r = self.post(presigned, data=b"x" * 5)
        self.assertEqual(r.status_code, 400)
        self.assertIn("<Code>EntityTooSmall</Code>", r.text)
        self.assertEqual(self.post(presigned, data=b"x" * 15).status_code, 204)

    def test_policy_conditions_are_enforced(self):
        presigned = self.s3.generate_presigned_post(BUCKET, "fixed-key", ExpiresIn=300)
        r = self.post(presigned, extra={"key": "other-key"})
        self.assertEqual(r.status_code, 403)
        self.assertIn("<Code>AccessDenied</Code>", r.text)
        self.assertIn("Invalid according to Policy: Policy Condition failed", r.text)
        r = self.post(presigned, extra={"x-amz-meta-sneaky": "1"})
        self.assertEqual(r.status_code, 403)
        self.assertIn("Extra input fields: x-amz-meta-sneaky", r.text)
        # x-ignore-* fields need no condition.
        self.assertEqual(self.post(presigned, extra={"x-ignore-tracking": "1"}).status_code, 204)

    def test_expired_policy(self):
        presigned = self.s3.generate_presigned_post(BUCKET, "late", ExpiresIn=300)
        policy = {"expiration": "2020-01-01T00:00:00Z",
                  "conditions": [{"bucket": BUCKET}, {"key": "late"}]}
        presigned["fields"]["policy"] = base64.b64encode(json.dumps(policy).encode()).decode()
        r = self.post(presigned)
        self.assertEqual(r.status_code, 403)
        self.assertIn("Invalid according to Policy: Policy expired.", r.text)

    def test_policy_that_is_not_a_policy(self):
        presigned = self.s3.generate_presigned_post(BUCKET, "k", ExpiresIn=300)
        for policy in ("%%%not-base64", base64.b64encode(b"not json").decode(),
                       base64.b64encode(b'{"conditions": []}').decode()):
            with self.subTest(policy=policy):
                r = self.post(presigned, extra={"policy": policy})
                self.assertEqual(r.status_code, 400, r.text)
                self.assertIn("<Code>InvalidPolicyDocument</Code>", r.text)

    def test_malformed_forms(self):
        url = "%s/%s" % (self.server.endpoint, BUCKET)
        r = requests.post(url, data=b"--x\r\nnot a form", timeout=10,
                          headers={"Content-Type": "multipart/form-data; boundary=x"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("<Code>MalformedPOSTRequest</Code>", r.text)
        r = requests.post(url, files={"file": ("a", b"x")}, timeout=10)
        self.assertEqual(r.status_code, 400)
        self.assertIn("Bucket POST must contain a field named", r.text)
        r = requests.post(url, data={"key": "k"}, files={"other": ("a", b"x")}, timeout=10)
        self.assertEqual(r.status_code, 400)  # the file travels in the field named "file"
        self.assertIn("exactly one file upload", r.text)
        r = requests.post(url, data={"key": "k"}, timeout=10,
                          headers={"Content-Type": "multipart/form-data; boundary=zz"})
        self.assertEqual(r.status_code, 400)
        r = requests.post("%s/no-such-post-bucket" % self.server.endpoint, data={"key": "k"},
                          files={"file": ("a", b"x")}, timeout=10)
        self.assertEqual(r.status_code, 404)
        self.assertIn("<Code>NoSuchBucket</Code>", r.text)

    def test_tagging_field(self):
        presigned = self.s3.generate_presigned_post(
            BUCKET, "tagged", Fields={"tagging": "<Tagging><TagSet><Tag><Key>a</Key>"
                                                 "<Value>b c</Value></Tag></TagSet></Tagging>"},
            Conditions=[["starts-with", "$tagging", ""]])
        self.assertEqual(self.post(presigned).status_code, 204)
        self.assertEqual(self.s3.get_object_tagging(Bucket=BUCKET, Key="tagged")["TagSet"],
                         [{"Key": "a", "Value": "b c"}])


class S3LargePostTest(NimbusTestCase):
    """Forms whose file is larger than what the server keeps in memory stream to disk: the
    upload may be as large as a PutObject (5 GiB), the fields before the file are limited to
    20 KiB as on S3, and a form that fails its policy or ends early leaves nothing behind."""

    BOUNDARY = "----nimbusFormBoundary7MA4YWxkTrZu0gW"

    def setUp(self):
        super().setUp()
        self.s3 = self.client("s3")
        self.s3.create_bucket(Bucket=BUCKET)

    def blob_files(self):
        root = os.path.join(self.server.data_dir, "blobs")
        return sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs)

    def send_form(self, fields, file_pieces, file_size, complete=True):
        """POSTs a multipart form whose file is `file_pieces` (an iterable of bytes), written as
        it is produced; answers (status, body)."""
        head = b"".join(b"--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (
            self.BOUNDARY.encode(), k.encode(), v.encode()) for k, v in fields.items())
        head += (b"--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
                 b"Content-Type: application/octet-stream\r\n\r\n" % self.BOUNDARY.encode())
        tail = b"\r\n--%s\r\nContent-Disposition: form-data; name=\"after\"\r\n\r\nx\r\n--%s--\r\n" % (
            self.BOUNDARY.encode(), self.BOUNDARY.encode())
        if not complete:
            tail = b""
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=120)
        conn.putrequest("POST", "/%s" % BUCKET)
        conn.putheader("Content-Type", "multipart/form-data; boundary=%s" % self.BOUNDARY)
        conn.putheader("Content-Length", str(len(head) + file_size + len(tail)))
        conn.endheaders()
        try:
            conn.send(head)
            for piece in file_pieces:
                conn.send(piece)
            conn.send(tail)
            if not complete:
                conn.sock.shutdown(1)  # the body ends short of its length
            r = conn.getresponse()
            return r.status, r.read().decode()
        finally:
            conn.close()

    def test_file_larger_than_any_in_memory_body(self):
        # 80 MiB: above the 64 MiB every in-memory request body is limited to.
        piece = bytes(range(256)) * 4096  # 1 MiB
        digest = hashlib.md5()
        for _ in range(80):
            digest.update(piece)
        presigned = self.s3.generate_presigned_post(
            BUCKET, "big/${filename}", ExpiresIn=300,
            Conditions=[["content-length-range", 1, 100 << 20], ["starts-with", "$key", "big/"]])
        status, body = self.send_form(presigned["fields"], (piece for _ in range(80)), 80 << 20)
        self.assertEqual(status, 204, body)
        h = self.s3.head_object(Bucket=BUCKET, Key="big/big.bin")
        self.assertEqual(h["ContentLength"], 80 << 20)
        self.assertEqual(h["ETag"], '"%s"' % digest.hexdigest())
        self.assertEqual(h["ContentType"], "application/octet-stream")
        got = self.s3.get_object(Bucket=BUCKET, Key="big/big.bin", Range="bytes=1048570-1048581")
        self.assertEqual(got["Body"].read(), (piece + piece)[1048570:1048582])

    def test_streamed_file_over_the_policy_range_leaves_nothing(self):
        presigned = self.s3.generate_presigned_post(
            BUCKET, "limited-big", ExpiresIn=300, Conditions=[["content-length-range", 1, 1000]])
        before = self.blob_files()
        piece = b"z" * (1 << 20)
        status, body = self.send_form(presigned["fields"], (piece for _ in range(12)), 12 << 20)
        self.assertEqual(status, 400, body)
        self.assertIn("<Code>EntityTooLarge</Code>", body)
        self.assertEqual(self.blob_files(), before)
        with self.assertRaises(Exception):
            self.s3.head_object(Bucket=BUCKET, Key="limited-big")

    def test_form_cut_short_leaves_nothing(self):
        presigned = self.s3.generate_presigned_post(BUCKET, "cut", ExpiresIn=300)
        before = self.blob_files()
        piece = b"c" * (1 << 20)
        # The body announces 12 MiB and more but ends after the file's bytes, with no delimiter.
        try:
            status, body = self.send_form(presigned["fields"], (piece for _ in range(12)),
                                          (12 << 20) + 100, complete=False)
            self.assertEqual(status, 400, body)
        except (ConnectionError, http.client.HTTPException):
            pass  # the server may close first: the answer could not be heard
        self.assertEqual(self.blob_files(), before)
        with self.assertRaises(Exception):
            self.s3.head_object(Bucket=BUCKET, Key="cut")
        # The server goes on serving.
        self.assertEqual(self.s3.head_bucket(Bucket=BUCKET)["ResponseMetadata"]["HTTPStatusCode"],
                         200)

    def test_streamed_form_without_closing_delimiter_is_malformed(self):
        # Complete per its Content-Length, but the file's part never ends.
        presigned = self.s3.generate_presigned_post(BUCKET, "no-end", ExpiresIn=300)
        before = self.blob_files()
        status, body = self.send_form_raw(presigned["fields"], b"n" * (10 << 20))
        self.assertEqual(status, 400, body)
        self.assertIn("<Code>MalformedPOSTRequest</Code>", body)
        self.assertEqual(self.blob_files(), before)

    def send_form_raw(self, fields, file_bytes):
        head = b"".join(b"--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (
            self.BOUNDARY.encode(), k.encode(), v.encode()) for k, v in fields.items())
        head += (b"--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\n"
                 % self.BOUNDARY.encode())
        r = requests.post("%s/%s" % (self.server.endpoint, BUCKET), data=head + file_bytes,
                          headers={"Content-Type": "multipart/form-data; boundary=%s"
                                   % self.BOUNDARY}, timeout=60)
        return r.status_code, r.text

    def test_fields_before_the_file_are_limited_to_20_kib(self):
        presigned = self.s3.generate_presigned_post(BUCKET, "k", ExpiresIn=300)
        for size in (100, 12 << 20):  # in memory, and streamed
            with self.subTest(file_size=size):
                fields = dict(presigned["fields"], **{"x-ignore-padding": "p" * 21000})
                status, body = self.send_form(fields, [b"f" * size], size)
                self.assertEqual(status, 400, body)
                self.assertIn("<Code>MaxPostPreDataLengthExceeded</Code>", body)
                self.assertIn("<MaxPostPreDataLengthBytes>20480</MaxPostPreDataLengthBytes>", body)
        fields = dict(presigned["fields"], **{"x-ignore-padding": "p" * 15000})
        status, body = self.send_form(fields, [b"f" * 100], 100)
        self.assertEqual(status, 204, body)


class S3StrictPostTest(unittest.TestCase):
    """In strict mode the policy must be signed with the SigV4 key of a known credential."""

    @classmethod
    def setUpClass(cls):
        f = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        json.dump([{"access_key_id": "AKIAPOSTPOLICY000001", "secret_access_key": "post-secret",
                    "account_id": "000000000000"}], f)
        f.close()
        cls.cred_file = f.name
        cls.server = NimbusServer("--auth", "strict", "--credentials", f.name).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        os.unlink(cls.cred_file)

    def test_signed_policy_is_required_and_checked(self):
        s3 = self.server.client("s3", access_key="AKIAPOSTPOLICY000001", secret_key="post-secret",
                                signature_version="s3v4")
        s3.create_bucket(Bucket="strict-post")
        good = s3.generate_presigned_post("strict-post", "signed", ExpiresIn=300)
        r = requests.post(good["url"], data=good["fields"], files={"file": ("f", b"ok")},
                          timeout=10)
        self.assertEqual(r.status_code, 204, r.text)
        forged = dict(good["fields"], **{"x-amz-signature": "0" * 64})
        r = requests.post(good["url"], data=forged, files={"file": ("f", b"no")}, timeout=10)
        self.assertEqual(r.status_code, 403)
        self.assertIn("<Code>SignatureDoesNotMatch</Code>", r.text)
        r = requests.post(good["url"], data={"key": "anonymous"}, files={"file": ("f", b"no")},
                          timeout=10)
        self.assertEqual(r.status_code, 403)
        self.assertIn("<Code>AccessDenied</Code>", r.text)
        self.assertEqual(s3.get_object(Bucket="strict-post", Key="signed")["Body"].read(), b"ok")
        stranger = self.server.client("s3", access_key="AKIAUNKNOWNKEY000001", secret_key="x",
                                      signature_version="s3v4")
        form = stranger.generate_presigned_post("strict-post", "stranger", ExpiresIn=300)
        r = requests.post(form["url"], data=form["fields"], files={"file": ("f", b"no")},
                          timeout=10)
        self.assertEqual(r.status_code, 403)
        self.assertIn("<Code>InvalidAccessKeyId</Code>", r.text)


if __name__ == "__main__":
    unittest.main()
