#!/usr/bin/env bash
# The Debian packages beyond Python that the test suite (and the modes it tests) start for real:
# headless Chromium and its driver (the browser test of Datasette search) with a Japanese font for
# its screenshots, and redis-server (the distributed mode). Run as root, or with sudo:
#     sudo bash scripts/system-deps.sh        (or: make system-deps)
# Without them `make test` still passes; the tests that need them are skipped, and it says so.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
fc-list 2>/dev/null | grep -qi ipagothic || need+=(fonts-ipafont-gothic)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
echo "installing: ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
