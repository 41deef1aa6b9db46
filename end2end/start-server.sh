#!/usr/bin/env bash
# Starts the debug `aftercall` on a fresh SQLite database for the browser tests.
set -euo pipefail
PORT="${1:-3199}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DATA="$(mktemp -d)"
export AFTERCALL_SERVER__SITE_ROOT="$ROOT/target/site"
export AFTERCALL_JOBS__POLL_INTERVAL_MS=200
export AFTERCALL_SMTP__URL=""
# The browser tests' webhook receivers and LLM stand-ins listen on loopback, which the
# outbound policy refuses by default.
export AFTERCALL_OUTBOUND__ALLOW_PRIVATE='["127.0.0.0/8"]'
export AFTERCALL_SECRETS__KEY_FILE="$DATA/aftercall.key"
# Every test signs up or in from 127.0.0.1: a budget that the whole suite fits in (the
# throttle itself is tested in server/tests/it/security/throttle.rs).
export AFTERCALL_AUTH__IP_ATTEMPTS_PER_MINUTE=500
exec "$ROOT/target/debug/aftercall" serve --addr "127.0.0.1:$PORT" --database-url "sqlite://$DATA/e2e.db?mode=rwc"
