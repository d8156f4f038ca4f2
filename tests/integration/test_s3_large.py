"""A 2 GiB object through the AWS CLI (`aws s3 cp` up, multipart, and down, ranged GETs) and
through one plain GetObject, and a 1 GiB object in one single PutObject, while nimbus's memory
stays flat: bodies go to and from disk, never whole in memory (the issue's `aws s3 cp` of a 2 GB
file). NIMBUS_LARGE_OBJECT_MIB and NIMBUS_LARGE_PUT_MIB set other sizes; a test is skipped when
the disk lacks room for its files and the object."""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from nimbus_harness import ACCESS_KEY, SECRET_KEY, NimbusTestCase

SIZE = int(os.environ.get("NIMBUS_LARGE_OBJECT_MIB", "2048")) << 20
PUT_SIZE = int(os.environ.get("NIMBUS_LARGE_PUT_MIB", "1024")) << 20


def rss_kib(pid, field="VmRSS"):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"%s:\s+(\d+) kB" % field, f.read()).group(1))


class PeakRss:
    """Samples the server's resident set every 20 ms while in use."""

    def __init__(self, pid):
        self.pid, self.peak, self.stop = pid, 0, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.02)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


class LargeObjectTest(NimbusTestCase):
    def setUp(self):
        super().setUp()
        free = shutil.disk_usage(tempfile.gettempdir()).free
        if free < 4 * SIZE + (1 << 30):
            self.skipTest("%d MiB free under %s; a %d MiB object needs %d MiB" % (
                free >> 20, tempfile.gettempdir(), SIZE >> 20, (4 * SIZE + (1 << 30)) >> 20))
        self.work = tempfile.mkdtemp(prefix="nimbus-large-")
        self.addCleanup(shutil.rmtree, self.work, True)

    def cli(self, *args, stdout=None):
        env = dict(os.environ, AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY,
                   AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
        proc = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url",
                               self.server.endpoint] + list(args), env=env, timeout=1200,
                              stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(proc.returncode, 0, proc.stderr[-2000:])
        return proc

    def test_cli_round_trip_and_plain_get_keep_memory_flat(self):
        s3 = self.client("s3")
        s3.create_bucket(Bucket="big")
        # A file of the size, written in 8 MiB blocks that differ (so a misplaced part shows).
        path = os.path.join(self.work, "big.bin")
        digest = hashlib.md5()
        block = os.urandom(1 << 20) * 8
        with open(path, "wb") as f:
            for i in range(SIZE // len(block)):
                chunk = i.to_bytes(8, "big") + block[8:]
                digest.update(chunk)
                f.write(chunk)
        pid = self.server.proc.pid
        base = rss_kib(pid)

        with PeakRss(pid) as up:
            self.cli("s3", "cp", path, "s3://big/object.bin")
        head = s3.head_object(Bucket="big", Key="object.bin")
        self.assertEqual(head["ContentLength"], SIZE)
        self.assertRegex(head["ETag"], r'^"[0-9a-f]{32}-\d+"$')  # multipart

        out = os.path.join(self.work, "down.bin")
        with PeakRss(pid) as down:
            self.cli("s3", "cp", "s3://big/object.bin", out)
        self.assertEqual(os.path.getsize(out), SIZE)
        os.unlink(out)

        # One GetObject without a range: the answer is streamed from disk.
        got = hashlib.md5()
        with PeakRss(pid) as plain:
            body = s3.get_object(Bucket="big", Key="object.bin")["Body"]
            for piece in iter(lambda: body.read(4 << 20), b""):
                got.update(piece)
        self.assertEqual(got.hexdigest(), digest.hexdigest())

        growth = {name: (p.peak - base) >> 10 for name, p in
                  (("upload", up), ("download", down), ("GetObject", plain))}
        print("\nnimbus RSS %d MiB before; growth at peak (MiB): %s (object %d MiB)" % (
            base >> 10, growth, SIZE >> 20), file=sys.stderr)
        # Flat: bounded by the requests in flight (the CLI's 10 parts of 8 MiB), not the size.
        for name, mib in growth.items():
            self.assertLess(mib, 400, "%s grew nimbus by %d MiB" % (name, mib))


class SinglePutObjectTest(NimbusTestCase):
    """One PutObject of 1 GiB (S3 takes up to 5 GiB in one request): the body is written to disk
    as it arrives, so nimbus grows by far less than the body."""

    def setUp(self):
        super().setUp()
        free = shutil.disk_usage(tempfile.gettempdir()).free
        if free < 3 * PUT_SIZE + (1 << 30):
            self.skipTest("%d MiB free under %s; a %d MiB object needs %d MiB" % (
                free >> 20, tempfile.gettempdir(), PUT_SIZE >> 20,
                (3 * PUT_SIZE + (1 << 30)) >> 20))
        self.work = tempfile.mkdtemp(prefix="nimbus-large-put-")
        self.addCleanup(shutil.rmtree, self.work, True)

    def test_one_put_object_of_1_gib_keeps_memory_flat(self):
        s3 = self.client("s3")
        s3.create_bucket(Bucket="single")
        path = os.path.join(self.work, "one.bin")
        digest = hashlib.md5()
        block = os.urandom(1 << 20)
        with open(path, "wb") as f:
            for i in range(PUT_SIZE >> 20):
                chunk = i.to_bytes(8, "big") + block[8:]
                digest.update(chunk)
                f.write(chunk)
        pid = self.server.proc.pid
        base = rss_kib(pid)
        with PeakRss(pid) as up, open(path, "rb") as body:
            r = s3.put_object(Bucket="single", Key="one.bin", Body=body)
        self.assertEqual(r["ETag"], '"%s"' % digest.hexdigest())  # one request: the plain MD5
        head = s3.head_object(Bucket="single", Key="one.bin")
        self.assertEqual(head["ContentLength"], PUT_SIZE)
        self.assertEqual(head["ETag"], '"%s"' % digest.hexdigest())
        got = hashlib.md5()
        body = s3.get_object(Bucket="single", Key="one.bin")["Body"]
        for piece in iter(lambda: body.read(4 << 20), b""):
            got.update(piece)
        self.assertEqual(got.hexdigest(), digest.hexdigest())
        growth = (up.peak - base) >> 10
        print("\nnimbus RSS %d MiB before; growth at peak of one %d MiB PutObject: %d MiB" % (
            base >> 10, PUT_SIZE >> 20, growth), file=sys.stderr)
        self.assertLess(growth, 64, "PutObject grew nimbus by %d MiB" % growth)


if __name__ == "__main__":
    unittest.main()
