#!/usr/bin/env bash
# Redraws the console's pictures in docs/ (console.png, console-phone.png): builds the server,
# starts it on a free port with a throwaway database, and runs the browser test's script
# (tests/clients/console.mjs, headless Chromium) with SCREENSHOTS=docs.
#
#   docs/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."

command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
(cd tests/clients && [ -d node_modules/puppeteer-core ] || npm ci --no-audit --no-fund)
cargo build --quiet --bin litekv-server

work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
target/debug/litekv-server --bind "127.0.0.1:$port" --resp-bind off --token shots-rw --read-only-token shots-ro \
  --database-url "sqlite://$work/db.sqlite3" --log-level warn >"$work/log" 2>&1 &
server_pid=$!
trap 'kill -TERM "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 0.1
done

(cd tests/clients && LITEKV_URL="http://127.0.0.1:$port" LITEKV_TOKEN=shots-rw LITEKV_READ_ONLY_TOKEN=shots-ro \
  SCREENSHOTS="$PWD/../../docs" node console.mjs)
ls -l docs/console.png docs/console-phone.png
