"""S3 multipart uploads: CreateMultipartUpload, UploadPart, UploadPartCopy (with ranges),
CompleteMultipartUpload (part order and size rules), AbortMultipartUpload, ListParts,
ListMultipartUploads; multipart ETags ("MD5 of the part MD5s"-N) and checksums; `aws s3 cp` of
a file large enough for the CLI to upload in parts, and boto3's managed transfer."""
import base64
import hashlib
import os
import shutil
import tempfile
import unittest

import botocore.exceptions
from boto3.s3.transfer import TransferConfig

from nimbus_harness import NimbusTestCase
from test_s3_support import checksum

ClientError = botocore.exceptions.ClientError
BUCKET = "multipart-bucket"
MiB = 1024 * 1024


def multipart_etag(parts):
    digests = b"".join(hashlib.md5(p).digest() for p in parts)
    return '"%s-%d"' % (hashlib.md5(digests).hexdigest(), len(parts))


class S3MultipartTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        self.s3 = self.client("s3")
        self.s3.create_bucket(Bucket=BUCKET)

    def upload(self, key, parts, **create):
        up = self.s3.create_multipart_upload(Bucket=BUCKET, Key=key, **create)
        done = []
        for i, data in enumerate(parts, 1):
            r = self.s3.upload_part(Bucket=BUCKET, Key=key, UploadId=up["UploadId"],
                                    PartNumber=i, Body=data)
            done.append({"PartNumber": i, "ETag": r["ETag"]})
        return up["UploadId"], done

    def test_complete_assembles_parts_with_multipart_etag(self):
        parts = [os.urandom(5 * MiB), os.urandom(5 * MiB), b"tail"]
        upload_id, done = self.upload("assembled", parts, ContentType="text/x-parts",
                                      Metadata={"origin": "mpu"})
        r = self.s3.complete_multipart_upload(Bucket=BUCKET, Key="assembled", UploadId=upload_id,
                                              MultipartUpload={"Parts": done})
        self.assertEqual(r["ETag"], multipart_etag(parts))
        self.assertEqual(r["Key"], "assembled")
        self.assertEqual(r["Bucket"], BUCKET)
        g = self.s3.get_object(Bucket=BUCKET, Key="assembled")
        self.assertEqual(g["Body"].read(), b"".join(parts))
        self.assertEqual(g["ETag"], multipart_etag(parts))
        self.assertEqual(g["ContentType"], "text/x-parts")
        self.assertEqual(g["Metadata"], {"origin": "mpu"})
        # The upload is gone once completed.
        self.assertNotIn("Uploads", self.s3.list_multipart_uploads(Bucket=BUCKET))
        with self.assertRaises(ClientError) as ctx:
            self.s3.list_parts(Bucket=BUCKET, Key="assembled", UploadId=upload_id)
        self.assertAwsError(ctx, "NoSuchUpload", 404)

    def test_get_by_part_number(self):
        parts = [b"a" * (5 * MiB), b"bcd"]
        upload_id, done = self.upload("by-part", parts)
        self.s3.complete_multipart_upload(Bucket=BUCKET, Key="by-part", UploadId=upload_id,
                                          MultipartUpload={"Parts": done})
        g = self.s3.get_object(Bucket=BUCKET, Key="by-part", PartNumber=2)
        self.assertEqual(g["Body"].read(), b"bcd")
        self.assertEqual(g["PartsCount"], 2)
        self.assertEqual(g["ContentRange"], "bytes %d-%d/%d" % (5 * MiB, 5 * MiB + 2, 5 * MiB + 3))
        h = self.s3.head_object(Bucket=BUCKET, Key="by-part", PartNumber=1)
        self.assertEqual(h["ContentLength"], 5 * MiB)
        with self.assertRaises(ClientError) as ctx:
            self.s3.get_object(Bucket=BUCKET, Key="by-part", PartNumber=3)
        self.assertAwsError(ctx, "InvalidPartNumber", 416)
        attrs = self.s3.get_object_attributes(Bucket=BUCKET, Key="by-part",
                                              ObjectAttributes=["ObjectParts", "ObjectSize"])
        self.assertEqual(attrs["ObjectParts"]["TotalPartsCount"], 2)
        self.assertEqual(attrs["ObjectSize"], 5 * MiB + 3)

    def test_empty_last_part(self):
        parts = [b"a" * (5 * MiB), b""]
        upload_id, done = self.upload("empty-tail", parts)
        r = self.s3.complete_multipart_upload(Bucket=BUCKET, Key="empty-tail", UploadId=upload_id,
                                              MultipartUpload={"Parts": done})
        self.assertEqual(r["ETag"], multipart_etag(parts))
        g = self.s3.get_object(Bucket=BUCKET, Key="empty-tail", PartNumber=2)
        self.assertEqual(g["Body"].read(), b"")
        self.assertEqual(g["ContentLength"], 0)
        self.assertEqual(self.s3.head_object(Bucket=BUCKET, Key="empty-tail")["ContentLength"],
                         5 * MiB)

    def test_small_non_last_part_is_entity_too_small(self):
        upload_id, done = self.upload("small", [b"tiny", b"tail"])
        with self.assertRaises(ClientError) as ctx:
            self.s3.complete_multipart_upload(Bucket=BUCKET, Key="small", UploadId=upload_id,
                                              MultipartUpload={"Parts": done})
        err = self.assertAwsError(ctx, "EntityTooSmall", 400)
        self.assertEqual(err["Error"]["MinSizeAllowed"], "5242880")
        self.assertEqual(err["Error"]["ProposedSize"], "4")
        # A single small part is fine: the last part has no minimum.
        r = self.s3.complete_multipart_upload(Bucket=BUCKET, Key="small", UploadId=upload_id,
                                              MultipartUpload={"Parts": done[:1]})
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key="small")["Body"].read(), b"tiny")
        self.assertEqual(r["ETag"], multipart_etag([b"tiny"]))

    def test_parts_out_of_order_are_invalid_part_order(self):
        upload_id, done = self.upload("order", [b"a" * (5 * MiB), b"b"])
        with self.assertRaises(ClientError) as ctx:
            self.s3.complete_multipart_upload(Bucket=BUCKET, Key="order", UploadId=upload_id,
                                              MultipartUpload={"Parts": list(reversed(done))})
        err = self.assertAwsError(ctx, "InvalidPartOrder", 400)
        self.assertEqual(err["Error"]["UploadId"], upload_id)

    def test_unknown_part_or_wrong_etag_is_invalid_part(self):
        upload_id, done = self.upload("invalid", [b"x"])
        for parts in ([{"PartNumber": 2, "ETag": done[0]["ETag"]}],
                      [{"PartNumber": 1, "ETag": '"00000000000000000000000000000000"'}]):
            with self.assertRaises(ClientError) as ctx:
                self.s3.complete_multipart_upload(Bucket=BUCKET, Key="invalid",
                                                  UploadId=upload_id,
                                                  MultipartUpload={"Parts": parts})
            err = self.assertAwsError(ctx, "InvalidPart", 400)
            self.assertEqual(err["Error"]["PartNumber"], str(parts[0]["PartNumber"]))

    def test_unknown_upload_is_no_such_upload(self):
        for call in (lambda: self.s3.upload_part(Bucket=BUCKET, Key="k", UploadId="nope",
                                                 PartNumber=1, Body=b"x"),
                     lambda: self.s3.list_parts(Bucket=BUCKET, Key="k", UploadId="nope"),
                     lambda: self.s3.abort_multipart_upload(Bucket=BUCKET, Key="k",
                                                            UploadId="nope"),
                     lambda: self.s3.complete_multipart_upload(
                         Bucket=BUCKET, Key="k", UploadId="nope",
                         MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"x"'}]})):
            with self.assertRaises(ClientError) as ctx:
                call()
            err = self.assertAwsError(ctx, "NoSuchUpload", 404)
            self.assertEqual(err["Error"]["UploadId"], "nope")

    def test_part_number_out_of_range(self):
        up = self.s3.create_multipart_upload(Bucket=BUCKET, Key="pn")
        for n in (0, 10001):
            with self.assertRaises(ClientError) as ctx:
                self.client("s3", parameter_validation=False).upload_part(
                    Bucket=BUCKET, Key="pn", UploadId=up["UploadId"], PartNumber=n, Body=b"x")
            self.assertAwsError(ctx, "InvalidArgument", 400)

    def test_complete_without_parts_is_malformed(self):
        up = self.s3.create_multipart_upload(Bucket=BUCKET, Key="empty")
        status, _, body = self.server.http(
            "POST", "/%s/empty?uploadId=%s" % (BUCKET, up["UploadId"]),
            body=b"<CompleteMultipartUpload></CompleteMultipartUpload>")
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>MalformedXML</Code>", body)
        status, _, body = self.server.http(
            "POST", "/%s/empty?uploadId=%s" % (BUCKET, up["UploadId"]), body=b"<oops")
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>MalformedXML</Code>", body)

    def test_abort_removes_the_upload_and_its_parts(self):
        upload_id, _ = self.upload("aborted", [b"part"])
        r = self.s3.abort_multipart_upload(Bucket=BUCKET, Key="aborted", UploadId=upload_id)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        with self.assertRaises(ClientError) as ctx:
            self.s3.list_parts(Bucket=BUCKET, Key="aborted", UploadId=upload_id)
        self.assertAwsError(ctx, "NoSuchUpload", 404)
        with self.assertRaises(ClientError):
            self.s3.head_object(Bucket=BUCKET, Key="aborted")

    def test_list_parts_with_paging(self):
        up = self.s3.create_multipart_upload(Bucket=BUCKET, Key="lp")
        etags = {}
        for n in (1, 2, 3, 5):
            etags[n] = self.s3.upload_part(Bucket=BUCKET, Key="lp", UploadId=up["UploadId"],
                                           PartNumber=n, Body=b"p%d" % n)["ETag"]
        # Re-uploading a part number replaces it.
        etags[2] = self.s3.upload_part(Bucket=BUCKET, Key="lp", UploadId=up["UploadId"],
                                       PartNumber=2, Body=b"second try")["ETag"]
        r = self.s3.list_parts(Bucket=BUCKET, Key="lp", UploadId=up["UploadId"], MaxParts=2)
        self.assertEqual([p["PartNumber"] for p in r["Parts"]], [1, 2])
        self.assertEqual(r["Parts"][1]["ETag"], etags[2])
        self.assertEqual(r["Parts"][1]["Size"], len(b"second try"))
        self.assertTrue(r["IsTruncated"])
        self.assertEqual(r["NextPartNumberMarker"], 2)
        r = self.s3.list_parts(Bucket=BUCKET, Key="lp", UploadId=up["UploadId"],
                               PartNumberMarker=2)
        self.assertEqual([p["PartNumber"] for p in r["Parts"]], [3, 5])
        self.assertFalse(r["IsTruncated"])
        self.assertEqual(r["StorageClass"], "STANDARD")
        self.assertIn("ID", r["Initiator"])

    def test_list_multipart_uploads(self):
        ids = {}
        for key in ("b/2", "a", "b/1", "c"):
            ids[key] = self.s3.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
        second_a = self.s3.create_multipart_upload(Bucket=BUCKET, Key="a")["UploadId"]
        r = self.s3.list_multipart_uploads(Bucket=BUCKET)
        self.assertEqual([(u["Key"], u["UploadId"]) for u in r["Uploads"]],
                         [("a", ids["a"]), ("a", second_a), ("b/1", ids["b/1"]),
                          ("b/2", ids["b/2"]), ("c", ids["c"])])
        r = self.s3.list_multipart_uploads(Bucket=BUCKET, Delimiter="/")
        self.assertEqual([p["Prefix"] for p in r["CommonPrefixes"]], ["b/"])
        self.assertEqual([u["Key"] for u in r["Uploads"]], ["a", "a", "c"])
        r = self.s3.list_multipart_uploads(Bucket=BUCKET, MaxUploads=2)
        self.assertTrue(r["IsTruncated"])
        self.assertEqual((r["NextKeyMarker"], r["NextUploadIdMarker"]), ("a", second_a))
        r = self.s3.list_multipart_uploads(Bucket=BUCKET, KeyMarker=r["NextKeyMarker"],
                                           UploadIdMarker=r["NextUploadIdMarker"])
        self.assertEqual([u["Key"] for u in r["Uploads"]], ["b/1", "b/2", "c"])
        r = self.s3.list_multipart_uploads(Bucket=BUCKET, Prefix="b/")
        self.assertEqual([u["Key"] for u in r["Uploads"]], ["b/1", "b/2"])

    def test_upload_part_copy_with_ranges(self):
        source = os.urandom(6 * MiB)
        self.s3.put_object(Bucket=BUCKET, Key="source", Body=source)
        up = self.s3.create_multipart_upload(Bucket=BUCKET, Key="copied")
        p1 = self.s3.upload_part_copy(Bucket=BUCKET, Key="copied", UploadId=up["UploadId"],
                                      PartNumber=1, CopySource={"Bucket": BUCKET, "Key": "source"},
                                      CopySourceRange="bytes=0-%d" % (5 * MiB - 1))
        p2 = self.s3.upload_part_copy(Bucket=BUCKET, Key="copied", UploadId=up["UploadId"],
                                      PartNumber=2, CopySource="%s/source" % BUCKET,
                                      CopySourceRange="bytes=%d-%d" % (5 * MiB, 6 * MiB - 1))
        self.assertEqual(p1["CopyPartResult"]["ETag"],
                         '"%s"' % hashlib.md5(source[:5 * MiB]).hexdigest())
        self.s3.complete_multipart_upload(
            Bucket=BUCKET, Key="copied", UploadId=up["UploadId"],
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": p1["CopyPartResult"]["ETag"]},
                                       {"PartNumber": 2, "ETag": p2["CopyPartResult"]["ETag"]}]})
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key="copied")["Body"].read(), source)
        for bad in ("bytes=0-%d" % (6 * MiB), "bytes=5-", "0-10"):
            with self.subTest(range=bad):
                with self.assertRaises(ClientError) as ctx:
                    self.s3.upload_part_copy(Bucket=BUCKET, Key="copied", UploadId="any",
                                             PartNumber=3, CopySource="%s/source" % BUCKET,
                                             CopySourceRange=bad)
                self.assertIn(ctx.exception.response["Error"]["Code"],
                              ("InvalidArgument", "NoSuchUpload"))
        up2 = self.s3.create_multipart_upload(Bucket=BUCKET, Key="copied2")
        with self.assertRaises(ClientError) as ctx:
            self.s3.upload_part_copy(Bucket=BUCKET, Key="copied2", UploadId=up2["UploadId"],
                                     PartNumber=1, CopySource="%s/source" % BUCKET,
                                     CopySourceRange="bytes=0-%d" % (6 * MiB))
        self.assertAwsError(ctx, "InvalidArgument", 400)

    def test_composite_checksum(self):
        # COMPOSITE: the checksum of the concatenated part checksums, "-N".
        parts = [os.urandom(5 * MiB), b"end"]
        up = self.s3.create_multipart_upload(Bucket=BUCKET, Key="composite",
                                             ChecksumAlgorithm="SHA256")
        self.assertEqual(up["ChecksumAlgorithm"], "SHA256")
        self.assertEqual(up["ChecksumType"], "COMPOSITE")
        done = []
        for i, data in enumerate(parts, 1):
            r = self.s3.upload_part(Bucket=BUCKET, Key="composite", UploadId=up["UploadId"],
                                    PartNumber=i, Body=data, ChecksumSHA256=checksum("SHA256", data))
            self.assertEqual(r["ChecksumSHA256"], checksum("SHA256", data))
            done.append({"PartNumber": i, "ETag": r["ETag"], "ChecksumSHA256": r["ChecksumSHA256"]})
        r = self.s3.complete_multipart_upload(Bucket=BUCKET, Key="composite",
                                              UploadId=up["UploadId"],
                                              MultipartUpload={"Parts": done})
        raw = b"".join(base64.b64decode(checksum("SHA256", p)) for p in parts)
        expected = base64.b64encode(hashlib.sha256(raw).digest()).decode() + "-2"
        self.assertEqual(r["ChecksumSHA256"], expected)
        h = self.s3.head_object(Bucket=BUCKET, Key="composite", ChecksumMode="ENABLED")
        self.assertEqual(h["ChecksumSHA256"], expected)
        self.assertEqual(h["ChecksumType"], "COMPOSITE")

    def test_full_object_crc_checksum(self):
        parts = [os.urandom(5 * MiB), b"end"]
        up = self.s3.create_multipart_upload(Bucket=BUCKET, Key="full", ChecksumAlgorithm="CRC32",
                                             ChecksumType="FULL_OBJECT")
        done = []
        for i, data in enumerate(parts, 1):
            r = self.s3.upload_part(Bucket=BUCKET, Key="full", UploadId=up["UploadId"],
                                    PartNumber=i, Body=data, ChecksumAlgorithm="CRC32")
            done.append({"PartNumber": i, "ETag": r["ETag"], "ChecksumCRC32": r["ChecksumCRC32"]})
        whole = checksum("CRC32", b"".join(parts))
        r = self.s3.complete_multipart_upload(Bucket=BUCKET, Key="full", UploadId=up["UploadId"],
                                              MultipartUpload={"Parts": done},
                                              ChecksumCRC32=whole, ChecksumType="FULL_OBJECT")
        self.assertEqual(r["ChecksumCRC32"], whole)
        self.assertEqual(r["ChecksumType"], "FULL_OBJECT")
        # A part read carries no full-object checksum (it would not match the part's bytes).
        g = self.s3.get_object(Bucket=BUCKET, Key="full", PartNumber=2, ChecksumMode="ENABLED")
        self.assertEqual(g["Body"].read(), b"end")
        self.assertNotIn("ChecksumCRC32", g)
        g = self.s3.get_object(Bucket=BUCKET, Key="full", ChecksumMode="ENABLED")
        self.assertEqual(g["ChecksumCRC32"], whole)
        self.assertEqual(g["Body"].read(), b"".join(parts))

    def test_checksum_type_rules(self):
        with self.assertRaises(ClientError) as ctx:
            self.s3.create_multipart_upload(Bucket=BUCKET, Key="k", ChecksumAlgorithm="SHA1",
                                            ChecksumType="FULL_OBJECT")
        self.assertAwsError(ctx, "InvalidRequest", 400)

    def test_boto3_managed_transfer_in_parts(self):
        data = os.urandom(12 * MiB)
        tmp = tempfile.mkdtemp()
        try:
            path = os.path.join(tmp, "in.bin")
            with open(path, "wb") as f:
                f.write(data)
            cfg = TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB)
            self.s3.upload_file(path, BUCKET, "managed.bin", Config=cfg)
            head = self.s3.head_object(Bucket=BUCKET, Key="managed.bin")
            self.assertTrue(head["ETag"].endswith('-3"'), head["ETag"])
            out = os.path.join(tmp, "out.bin")
            self.s3.download_file(BUCKET, "managed.bin", out, Config=cfg)
            with open(out, "rb") as f:
                self.assertEqual(f.read(), data)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def test_cli_cp_of_a_50_mb_file_uses_multipart(self):
        # The CLI switches to multipart above 8 MB (8 MB parts): 50 MB is 7 parts.
        tmp = tempfile.mkdtemp()
        try:
            path = os.path.join(tmp, "big.bin")
            block = os.urandom(MiB)
            with open(path, "wb") as f:
                for i in range(50):
                    f.write(block[i:] + block[:i])
            code, _, err = self.server.aws("s3", "cp", path, "s3://%s/big.bin" % BUCKET)
            self.assertEqual(code, 0, err)
            head = self.s3.head_object(Bucket=BUCKET, Key="big.bin")
            self.assertEqual(head["ContentLength"], 50 * MiB)
            self.assertTrue(head["ETag"].endswith('-7"'), head["ETag"])
            back = os.path.join(tmp, "back.bin")
            code, _, err = self.server.aws("s3", "cp", "s3://%s/big.bin" % BUCKET, back)
            self.assertEqual(code, 0, err)
            with open(path, "rb") as a, open(back, "rb") as b:
                self.assertEqual(hashlib.sha256(a.read()).digest(),
                                 hashlib.sha256(b.read()).digest())
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
