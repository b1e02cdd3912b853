#!/usr/bin/env bash
# Install everything the tests need (venv, the requirement files, Debian chromium, PostgreSQL and nginx), then run every test:
# library, AppTest pages, chromium browser tests, and each benchmark in quick mode.
# Usage: bash scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# shellcheck disable=SC1091
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q -r requirements.txt -r requirements-dev.txt

# The cluster tests need PostgreSQL, nginx (Debian) and requirements-cluster.txt (Ray, psycopg).
bash scripts/install_services.sh

# Browser tests drive Debian's chromium (Playwright's own browser download may be unavailable).
if [ -z "${PLAYGROUND_BROWSER:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

export PYTHONUNBUFFERED=1
python -m pytest -p no:cacheprovider --timeout=900 "$@"
