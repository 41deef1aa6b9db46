#!/usr/bin/env bash
# Starts the debug `aftercall` on a fresh SQLite database for the browser tests.
set -euo pipefail
PORT="${1:-3199}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DATA="$(mktemp -d)"
export AFTERCALL_SERVER__SITE_ROOT="$ROOT/target/site"
export AFTERCALL_JOBS__POLL_INTERVAL_MS=200
export AFTERCALL_SMTP__URL=""
exec "$ROOT/target/debug/aftercall" serve --addr "127.0.0.1:$PORT" --database-url "sqlite://$DATA/e2e.db?mode=rwc"
