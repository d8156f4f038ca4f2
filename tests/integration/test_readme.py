"""The README's services table is what the binary reports (`nimbus coverage --markdown`)."""
import os
import re
import subprocess
import unittest

from nimbus_harness import BINARY, ROOT


class ReadmeTest(unittest.TestCase):
    def test_services_table_matches_the_binary(self):
        with open(os.path.join(ROOT, "README.md")) as f:
            readme = f.read()
        m = re.search(r"<!-- services:begin -->\n(.*?)<!-- services:end -->", readme, re.S)
        self.assertIsNotNone(m)
        actual = subprocess.run([BINARY, "coverage", "--markdown"], capture_output=True,
                                text=True, check=True).stdout
        self.assertEqual(m.group(1), actual,
                         "README services table is stale: run scripts/update_readme.sh")


if __name__ == "__main__":
    unittest.main()
