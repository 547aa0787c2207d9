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

cargo test --locked "$@"
