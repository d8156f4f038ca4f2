"""S3 durability: an object is visible only once completely written. Acknowledged PutObjects,
versions, uploads and parts survive kill -9; a PutObject cut off mid-body (client gone, or the
server killed while reading it) leaves no object and no stray data."""
import os
import shutil
import socket
import tempfile
import time
import unittest

import botocore.exceptions

from nimbus_harness import NimbusServer

BUCKET = "durable-bucket"


def partial_put(port, key, declared, sent):
    """Starts a PUT declaring `declared` body bytes, sends `sent` of them; returns the socket."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(("PUT /%s/%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: %d\r\n\r\n"
               % (BUCKET, key, port, declared)).encode())
    s.sendall(b"x" * sent)
    return s


def files_under(root):
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, _, fs in os.walk(root) for f in fs)


class S3DurabilityTest(unittest.TestCase):
    def setUp(self):
        self.data_dir = tempfile.mkdtemp(prefix="nimbus-s3-durable-")
        self.server = NimbusServer(data_dir=self.data_dir).start()

    def tearDown(self):
        self.server.cleanup()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def restart_after_kill9(self):
        self.server.kill9()
        self.server.start()
        return self.server.client("s3")

    def test_acknowledged_objects_survive_kill9(self):
        s3 = self.server.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        bodies = {"k%02d" % i: os.urandom(1000 + i) for i in range(20)}
        for k, b in bodies.items():
            s3.put_object(Bucket=BUCKET, Key=k, Body=b, Metadata={"n": k})
        v1 = s3.put_object(Bucket=BUCKET, Key="versioned", Body=b"one")["VersionId"]
        s3.put_object(Bucket=BUCKET, Key="versioned", Body=b"two")
        up = s3.create_multipart_upload(Bucket=BUCKET, Key="mpu")
        part = s3.upload_part(Bucket=BUCKET, Key="mpu", UploadId=up["UploadId"], PartNumber=1,
                              Body=b"part one")
        s3 = self.restart_after_kill9()
        for k, b in bodies.items():
            g = s3.get_object(Bucket=BUCKET, Key=k)
            self.assertEqual(g["Body"].read(), b)
            self.assertEqual(g["Metadata"], {"n": k})
        self.assertEqual(s3.get_object(Bucket=BUCKET, Key="versioned")["Body"].read(), b"two")
        self.assertEqual(s3.get_object(Bucket=BUCKET, Key="versioned", VersionId=v1)["Body"]
                         .read(), b"one")
        parts = s3.list_parts(Bucket=BUCKET, Key="mpu", UploadId=up["UploadId"])["Parts"]
        self.assertEqual([p["ETag"] for p in parts], [part["ETag"]])
        s3.complete_multipart_upload(Bucket=BUCKET, Key="mpu", UploadId=up["UploadId"],
                                     MultipartUpload={"Parts": [{"PartNumber": 1,
                                                                 "ETag": part["ETag"]}]})
        self.assertEqual(s3.get_object(Bucket=BUCKET, Key="mpu")["Body"].read(), b"part one")

    def test_put_abandoned_mid_body_leaves_no_object(self):
        s3 = self.server.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        s = partial_put(self.server.port, "half", 1_000_000, 400_000)
        s.close()
        time.sleep(0.3)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            s3.head_object(Bucket=BUCKET, Key="half")
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.assertNotIn("Contents", s3.list_objects_v2(Bucket=BUCKET))

    def test_put_cut_off_by_kill9_leaves_no_object(self):
        s3 = self.server.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="before", Body=b"kept")
        blobs_before = files_under(os.path.join(self.data_dir))
        s = partial_put(self.server.port, "interrupted", 8_000_000, 3_000_000)
        time.sleep(0.3)
        s3 = self.restart_after_kill9()
        s.close()
        with self.assertRaises(botocore.exceptions.ClientError):
            s3.head_object(Bucket=BUCKET, Key="interrupted")
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
        self.assertEqual(keys, ["before"])
        self.assertEqual(s3.get_object(Bucket=BUCKET, Key="before")["Body"].read(), b"kept")
        # No blob was made for the interrupted body.
        blob_files = lambda names: [n for n in names if "/s3/" in "/" + n]  # noqa: E731
        self.assertEqual(blob_files(files_under(self.data_dir)), blob_files(blobs_before))

    def test_streamed_put_cut_off_by_kill9_leaves_no_object(self):
        """A body over 8 MiB is written to disk as it arrives (not held in memory); kill -9
        halfway leaves neither an object nor its bytes: the partial blob is a temporary file,
        removed when the store opens again."""
        s3 = self.server.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        blobs_before = files_under(self.data_dir)
        tmp = os.path.join(self.data_dir, "blobs", ".tmp")
        written = lambda: sum(os.path.getsize(os.path.join(tmp, f))  # noqa: E731
                              for f in os.listdir(tmp)) if os.path.isdir(tmp) else 0
        s = partial_put(self.server.port, "streamed", 200_000_000, 60_000_000)
        deadline = time.time() + 20
        while written() < 40_000_000 and time.time() < deadline:
            time.sleep(0.05)
        self.assertGreaterEqual(written(), 40_000_000)  # on disk while the body still arrives
        s3 = self.restart_after_kill9()
        s.close()
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            s3.head_object(Bucket=BUCKET, Key="streamed")
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.assertNotIn("Contents", s3.list_objects_v2(Bucket=BUCKET))
        self.assertEqual(written(), 0)
        blob_files = lambda names: [n for n in names if "blobs/" in n]  # noqa: E731
        self.assertEqual(blob_files(files_under(self.data_dir)), blob_files(blobs_before))

    def test_streamed_put_abandoned_mid_body_leaves_no_blob(self):
        s3 = self.server.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        s = partial_put(self.server.port, "gone", 50_000_000, 20_000_000)
        time.sleep(0.5)
        s.close()
        tmp = os.path.join(self.data_dir, "blobs", ".tmp")
        deadline = time.time() + 10
        while os.path.isdir(tmp) and os.listdir(tmp) and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(os.listdir(tmp) if os.path.isdir(tmp) else [], [])
        with self.assertRaises(botocore.exceptions.ClientError):
            s3.head_object(Bucket=BUCKET, Key="gone")

    def test_large_body_then_pipelined_request_on_one_connection(self):
        """A body over 256 KiB is read straight from the socket: exactly its declared length,
        so the request sent right behind it on the same connection is answered too."""
        s3 = self.server.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        body = bytes(range(256)) * 1200  # 307,200 bytes
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        s.sendall(b"PUT /%s/piped HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s"
                  b"GET /%s/piped HTTP/1.1\r\nHost: x\r\n\r\n"
                  % (BUCKET.encode(), len(body), body, BUCKET.encode()))
        data = b""
        while not data.endswith(body):
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            data += chunk
        s.close()
        self.assertEqual(data.count(b"HTTP/1.1 200 OK\r\n"), 2)
        self.assertTrue(data.endswith(body))
        self.assertEqual(s3.get_object(Bucket=BUCKET, Key="piped")["Body"].read(), body)

    def test_small_objects_live_in_the_record_store(self):
        """Objects up to 4 KiB are kept with their record (no blob file); every read path,
        copy, overwrite, version and delete sees the same bytes as for blob-backed objects,
        and they survive kill -9."""
        s3 = self.server.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        blob_dir = os.path.join(self.data_dir, "blobs", "s3")
        blob_count = lambda: len(files_under(blob_dir)) if os.path.isdir(blob_dir) else 0  # noqa
        small, large = os.urandom(4096), os.urandom(4097)
        s3.put_object(Bucket=BUCKET, Key="small", Body=small)
        self.assertEqual(blob_count(), 0)
        s3.put_object(Bucket=BUCKET, Key="large", Body=large)
        self.assertEqual(blob_count(), 1)
        s3.put_object(Bucket=BUCKET, Key="large", Body=b"now small")  # its blob file goes
        self.assertEqual(blob_count(), 0)
        s3.put_object(Bucket=BUCKET, Key="large", Body=large)
        self.assertEqual(blob_count(), 1)
        self.assertEqual(s3.get_object(Bucket=BUCKET, Key="small")["Body"].read(), small)
        r = s3.get_object(Bucket=BUCKET, Key="small", Range="bytes=10-19")
        self.assertEqual(r["ContentRange"], "bytes 10-19/4096")
        self.assertEqual(r["Body"].read(), small[10:20])
        self.assertEqual(s3.get_object(Bucket=BUCKET, Key="small", Range="bytes=-5")["Body"]
                         .read(), small[-5:])
        # Copies of a small object (CopyObject, UploadPartCopy) read its bytes.
        s3.copy_object(Bucket=BUCKET, Key="copy", CopySource={"Bucket": BUCKET, "Key": "small"})
        self.assertEqual(s3.get_object(Bucket=BUCKET, Key="copy")["Body"].read(), small)
        up = s3.create_multipart_upload(Bucket=BUCKET, Key="assembled")["UploadId"]
        part = s3.upload_part_copy(Bucket=BUCKET, Key="assembled", UploadId=up, PartNumber=1,
                                   CopySource={"Bucket": BUCKET, "Key": "small"},
                                   CopySourceRange="bytes=0-99")
        s3.complete_multipart_upload(Bucket=BUCKET, Key="assembled", UploadId=up,
                                     MultipartUpload={"Parts": [{
                                         "PartNumber": 1,
                                         "ETag": part["CopyPartResult"]["ETag"]}]})
        self.assertEqual(s3.get_object(Bucket=BUCKET, Key="assembled")["Body"].read(),
                         small[:100])
        # Overwrites in both directions, and versions of either kind.
        s3.put_object(Bucket=BUCKET, Key="large", Body=b"now small")
        s3.put_object(Bucket=BUCKET, Key="small", Body=large)
        self.assertEqual(s3.get_object(Bucket=BUCKET, Key="large")["Body"].read(), b"now small")
        self.assertEqual(s3.get_object(Bucket=BUCKET, Key="small")["Body"].read(), large)
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        v1 = s3.put_object(Bucket=BUCKET, Key="v", Body=b"first")["VersionId"]
        s3.put_object(Bucket=BUCKET, Key="v", Body=b"second")
        s3 = self.restart_after_kill9()
        self.assertEqual(s3.get_object(Bucket=BUCKET, Key="v", VersionId=v1)["Body"].read(),
                         b"first")
        self.assertEqual(s3.get_object(Bucket=BUCKET, Key="v")["Body"].read(), b"second")
        self.assertEqual(s3.get_object(Bucket=BUCKET, Key="large")["Body"].read(), b"now small")
        self.assertEqual(s3.get_object(Bucket=BUCKET, Key="copy")["Body"].read(), small)
        s3.delete_object(Bucket=BUCKET, Key="large")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            s3.get_object(Bucket=BUCKET, Key="large")
        self.assertEqual(ctx.exception.response["Error"]["Code"], "NoSuchKey")

    def test_overwritten_unversioned_objects_then_versions(self):
        """In a bucket never versioned an object has one version, the null one, overwritten in
        place: after many overwrites (and kill -9) the last acknowledged bytes are read; tagging
        keeps the bytes; versions written after versioning is enabled sort before the null
        version, which stays readable and deletable by id."""
        s3 = self.server.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        for i in range(50):
            s3.put_object(Bucket=BUCKET, Key="hot", Body=b"round %d" % i)
        s3.put_object_tagging(Bucket=BUCKET, Key="hot",
                              Tagging={"TagSet": [{"Key": "t", "Value": "1"}]})
        s3 = self.restart_after_kill9()
        g = s3.get_object(Bucket=BUCKET, Key="hot")
        self.assertEqual(g["Body"].read(), b"round 49")
        self.assertEqual(g["TagCount"], 1)
        self.assertNotIn("VersionId", g)
        versions = s3.list_object_versions(Bucket=BUCKET)["Versions"]
        self.assertEqual([(v["Key"], v["VersionId"], v["IsLatest"]) for v in versions],
                         [("hot", "null", True)])
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        v1 = s3.put_object(Bucket=BUCKET, Key="hot", Body=b"versioned")["VersionId"]
        self.assertEqual(s3.get_object(Bucket=BUCKET, Key="hot")["Body"].read(), b"versioned")
        self.assertEqual(s3.get_object(Bucket=BUCKET, Key="hot", VersionId="null")["Body"]
                         .read(), b"round 49")
        versions = s3.list_object_versions(Bucket=BUCKET)["Versions"]
        self.assertEqual([(v["VersionId"], v["IsLatest"]) for v in versions],
                         [(v1, True), ("null", False)])
        s3.delete_object(Bucket=BUCKET, Key="hot", VersionId="null")
        versions = s3.list_object_versions(Bucket=BUCKET)["Versions"]
        self.assertEqual([v["VersionId"] for v in versions], [v1])
        # Suspended: a write replaces the null version and is the newest.
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Suspended"})
        s3.put_object(Bucket=BUCKET, Key="hot", Body=b"suspended")
        s3 = self.restart_after_kill9()
        self.assertEqual(s3.get_object(Bucket=BUCKET, Key="hot")["Body"].read(), b"suspended")
        versions = s3.list_object_versions(Bucket=BUCKET)["Versions"]
        self.assertEqual([(v["VersionId"], v["IsLatest"]) for v in versions],
                         [("null", True), (v1, False)])


if __name__ == "__main__":
    unittest.main()
