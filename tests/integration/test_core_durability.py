"""Durability: every write acknowledged over HTTP survives kill -9 of the server mid-load;
SIGTERM drains and exits 0; --ephemeral leaves nothing on disk."""
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

import botocore.exceptions

from nimbus_harness import ACCESS_KEY, SECRET_KEY, NimbusServer


class KillNineTest(unittest.TestCase):
    def test_acknowledged_writes_survive_kill_9_mid_load(self):
        # Each acknowledged AssumeRole persists a credential; in strict mode a credential works
        # only if the server still knows it, so every acknowledged one must authenticate after
        # the crash.
        cred_file = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        json.dump([{"access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY,
                    "account_id": "000000000000"}], cred_file)
        cred_file.close()
        server = NimbusServer("--auth", "strict", "--credentials", cred_file.name)
        try:
            server.start()
            acknowledged = []
            lock = threading.Lock()
            stop = threading.Event()

            def writer(n):
                sts = server.client("sts")
                i = 0
                while not stop.is_set():
                    try:
                        c = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/w%d" % n,
                                            RoleSessionName="s%d-%d" % (n, i))["Credentials"]
                    except Exception:  # noqa: BLE001 - the server died mid-request
                        return
                    with lock:
                        acknowledged.append(c)
                    i += 1
            threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
            for t in threads:
                t.start()
            time.sleep(1.0)
            server.kill9()
            stop.set()
            for t in threads:
                t.join()
            self.assertGreater(len(acknowledged), 50)
            server.start()
            for c in acknowledged:
                me = server.client("sts", access_key=c["AccessKeyId"],
                                   secret_key=c["SecretAccessKey"],
                                   session_token=c["SessionToken"]).get_caller_identity()
                self.assertEqual(me["Account"], "123456789012")
        finally:
            server.cleanup()
            os.unlink(cred_file.name)


class ShutdownTest(unittest.TestCase):
    def test_sigterm_exits_zero_and_logs_stop(self):
        server = NimbusServer()
        try:
            server.start()
            server.client("sts").get_caller_identity()
            self.assertEqual(server.stop(), 0)
            self.assertIn("nimbus stopped", server.read_log())
        finally:
            server.cleanup()

    def test_sigterm_with_open_keepalive_connection(self):
        server = NimbusServer()
        try:
            server.start()
            import http.client
            conn = http.client.HTTPConnection("127.0.0.1", server.port)
            conn.request("GET", "/_nimbus/health")
            self.assertEqual(conn.getresponse().read()[:1], b"{")
            t0 = time.time()
            self.assertEqual(server.stop(), 0)
            self.assertLess(time.time() - t0, 5)
            conn.close()
        finally:
            server.cleanup()


class EphemeralTest(unittest.TestCase):
    def test_ephemeral_leaves_nothing_on_disk(self):
        cwd = tempfile.mkdtemp(prefix="nimbus-eph-")
        try:
            server = NimbusServer(ephemeral=True)
            server.env["NIMBUS_DATA_DIR"] = os.path.join(cwd, "data")
            old = os.getcwd()
            os.chdir(cwd)
            try:
                server.start()
            finally:
                os.chdir(old)
            server.client("sts").assume_role(RoleArn="arn:aws:iam::123456789012:role/e",
                                             RoleSessionName="eph")
            self.assertEqual(server.stop(), 0)
            server.cleanup()
            self.assertEqual(os.listdir(cwd), [])
        finally:
            shutil.rmtree(cwd, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
