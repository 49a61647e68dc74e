#!/usr/bin/env bash
# Serve the platform locally and run a background task worker beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/quartier db_worker &
worker=$!
trap 'kill $worker 2>/dev/null' EXIT
echo "Quartier runs at http://127.0.0.1:8000 (Ctrl-C stops it)"
.venv/bin/quartier runserver 127.0.0.1:8000
