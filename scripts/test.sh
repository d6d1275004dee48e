#!/usr/bin/env bash
# Installs what the tests need, builds every module and runs every test, then smoke-tests the edgeloop jar.
# This is the README's test command; .ci/run calls it unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
mvn -B -ntp install "$@"
java -jar sdk-examples/target/edgeloop.jar --version
