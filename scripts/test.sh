#!/usr/bin/env bash
# Install facs with the test browser (scripts/install.sh --browser) and run every check:
# ruff, mypy, pytest (the web page's end-to-end tests drive Debian's headless chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --browser
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
FACS_REQUIRE_BROWSER=1 .venv/bin/python -m pytest -q "$@"
