#!/usr/bin/env bash
# Builds the documentation site (tools/docs-site.sh) and checks it in a real headless browser: Debian's chromium
# (installed with apt when missing; needs root) driven by puppeteer-core from npm. Every page reachable from the
# index must load, every link inside the site must resolve, every image must render. Prints the counts; exit 1 on
# any failure.
#   tools/docs-check.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${1:-}" = "--no-build" ] || tools/docs-site.sh > /dev/null
chromium=$(command -v chromium || true)
if [ -z "$chromium" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null
  chromium=$(command -v chromium)
fi
(cd tools/docs-check && npm install --no-audit --no-fund --silent)
node tools/docs-check/check.mjs artifacts/site "$chromium"
