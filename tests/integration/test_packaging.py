"""The Debian package: `cpack -G DEB` builds nimbus_<version>_amd64.deb with the binary, a
systemd unit, defaults and a man page; installing it with dpkg into a clean root (dpkg --root,
maintainer scripts honouring DPKG_ROOT) makes the `nimbus` system user owning /var/lib/nimbus,
and the service's own command line, run as that user, serves; removal keeps the data."""
import glob
import os
import shlex
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.request

import boto3
from botocore.config import Config

from nimbus_harness import BINARY, free_port

BUILD_DIR = os.path.dirname(os.path.realpath(BINARY))


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=300, **kw)


@unittest.skipUnless(shutil.which("cpack") and shutil.which("dpkg"), "needs cpack and dpkg")
class DebianPackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="nimbus-deb-")
        os.chmod(cls.tmp, 0o755)  # the service user must reach the root tree inside
        proc = run("cpack", "-G", "DEB", "-B", cls.tmp, "--config",
                   os.path.join(BUILD_DIR, "CPackConfig.cmake"), cwd=cls.tmp)
        if proc.returncode != 0:
            raise AssertionError("cpack failed:\n" + proc.stdout + proc.stderr)
        cls.debs = glob.glob(os.path.join(cls.tmp, "*.deb"))
        cls.version = run(BINARY, "version").stdout.split()[1]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_package_name_fields_and_contents(self):
        self.assertEqual([os.path.basename(d) for d in self.debs],
                         ["nimbus_%s_amd64.deb" % self.version])
        deb = self.debs[0]
        fields = run("dpkg-deb", "-f", deb, "Package", "Version", "Architecture", "Depends").stdout
        self.assertIn("Package: nimbus", fields)
        self.assertIn("Version: " + self.version, fields)
        self.assertIn("Architecture: amd64", fields)
        self.assertIn("adduser", fields)
        files = run("dpkg-deb", "-c", deb).stdout
        for path in ["./usr/bin/nimbus", "./usr/lib/systemd/system/nimbus.service",
                     "./usr/share/man/man1/nimbus.1", "./etc/default/nimbus"]:
            self.assertIn(path, files)
        control = os.path.join(self.tmp, "control")
        self.assertEqual(run("dpkg-deb", "-e", deb, control).returncode, 0)
        with open(os.path.join(control, "conffiles")) as f:
            self.assertEqual(f.read().split(), ["/etc/default/nimbus"])

    @unittest.skipUnless(os.geteuid() == 0, "installing into a root tree needs root (chown)")
    def test_install_into_a_clean_root_start_as_the_service_user_and_remove(self):
        root = os.path.join(self.tmp, "root")
        for d in ["var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "etc"]:
            os.makedirs(os.path.join(root, d), exist_ok=True)
        for name, line in [("var/lib/dpkg/status", ""), ("var/lib/dpkg/available", ""),
                           ("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"),
                           ("etc/group", "root:x:0:\n"), ("etc/shadow", "root:*:19000:0:99999:7:::\n"),
                           ("etc/gshadow", "root:*::\n")]:
            with open(os.path.join(root, name), "w") as f:
                f.write(line)
        dpkg = ["dpkg", "--root=" + root, "--force-script-chrootless", "--force-depends",
                "--log=" + os.path.join(self.tmp, "dpkg.log")]
        proc = run(*dpkg, "-i", self.debs[0])
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        status = run("dpkg", "--root=" + root, "-s", "nimbus").stdout
        self.assertIn("Status: install ok installed", status)

        # postinst made the system user and its data directory
        with open(os.path.join(root, "etc/passwd")) as f:
            users = {l.split(":")[0]: l.strip().split(":") for l in f if l.strip()}
        self.assertIn("nimbus", users)
        uid, gid, home, shell = int(users["nimbus"][2]), int(users["nimbus"][3]), \
            users["nimbus"][5], users["nimbus"][6]
        self.assertLess(uid, 1000)  # a system user
        self.assertEqual(home, "/var/lib/nimbus")
        self.assertEqual(shell, "/usr/sbin/nologin")
        st = os.stat(os.path.join(root, "var/lib/nimbus"))
        self.assertEqual((st.st_uid, st.st_gid, st.st_mode & 0o777), (uid, gid, 0o750))

        # the unit runs the binary as that user on /var/lib/nimbus
        unit = {}
        with open(os.path.join(root, "usr/lib/systemd/system/nimbus.service")) as f:
            for line in f:
                if "=" in line and not line.startswith("#"):
                    k, v = line.strip().split("=", 1)
                    unit[k] = v
        self.assertEqual((unit["User"], unit["Group"]), ("nimbus", "nimbus"))
        self.assertEqual(unit["StateDirectory"], "nimbus")
        if shutil.which("systemd-analyze"):
            proc = run("systemd-analyze", "verify", "--root=" + root, "nimbus.service")
            self.assertNotIn("Unknown", proc.stderr)

        # start the service's own command line, inside the root, as the nimbus user
        argv = shlex.split(unit["ExecStart"])
        self.assertEqual(argv[0], "/usr/bin/nimbus")
        argv = [root + a if a.startswith("/usr/bin/") or a.startswith("/var/lib/") else a
                for a in argv]
        port = free_port()
        argv += ["--port", str(port)]
        proc = subprocess.Popen(["setpriv", "--reuid=%d" % uid, "--regid=%d" % gid,
                                 "--clear-groups"] + argv,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                cwd=os.path.join(root, "var/lib/nimbus"))
        try:
            endpoint = "http://127.0.0.1:%d" % port
            for _ in range(200):
                try:
                    with urllib.request.urlopen(endpoint + "/_nimbus/health", timeout=1) as r:
                        if r.status == 200:
                            break
                except OSError:
                    if proc.poll() is not None:
                        self.fail("nimbus exited: " + proc.stdout.read().decode())
                    time.sleep(0.05)
            s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test",
                              config=Config(retries={"max_attempts": 1}))
            s3.create_bucket(Bucket="from-the-package")
            s3.put_object(Bucket="from-the-package", Key="k", Body=b"installed")
            self.assertEqual(s3.get_object(Bucket="from-the-package", Key="k")["Body"].read(),
                             b"installed")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            proc.stdout.close()
        self.assertEqual(proc.returncode, 0)
        data = os.path.join(root, "var/lib/nimbus")
        owners = {os.stat(os.path.join(d, n)).st_uid
                  for d, dirs, files in os.walk(data) for n in dirs + files}
        self.assertEqual(owners, {uid})  # everything the service wrote belongs to it

        # removal takes the program away and keeps the data
        proc = run(*dpkg, "-r", "nimbus")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(root, "usr/bin/nimbus")))
        self.assertTrue(os.path.isdir(os.path.join(data, "kv")))


if __name__ == "__main__":
    unittest.main()
