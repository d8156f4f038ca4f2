#!/usr/bin/env bash
# Rewrites the README's services table from the binary (`nimbus coverage --markdown`).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-build/nimbus}
table=$("$binary" coverage --markdown)
python3 - "$table" <<'PY'
import re, sys
table = sys.argv[1] + "\n"
with open("README.md") as f:
    text = f.read()
text = re.sub(r"(<!-- services:begin -->\n).*?(<!-- services:end -->)",
              lambda m: m.group(1) + table + m.group(2), text, flags=re.S)
with open("README.md", "w") as f:
    f.write(text)
PY
