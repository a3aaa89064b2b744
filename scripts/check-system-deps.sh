#!/usr/bin/env bash
# One line at the start of `make test`: which tests will be skipped on this machine, and the one
# command that installs what they need. Silent when everything is there.
missing=()
{ command -v chromium || command -v chromium-browser; } >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 \
  || missing+=("the browser test (no chromium/chromedriver)")
command -v redis-server >/dev/null 2>&1 || missing+=("the distributed-mode tests (no redis-server)")
if [ ${#missing[@]} -gt 0 ]; then
  joined=$(printf '%s and ' "${missing[@]}")
  echo "make test: will skip ${joined% and }; install them with: sudo make system-deps"
fi
exit 0
