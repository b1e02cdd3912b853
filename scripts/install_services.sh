#!/usr/bin/env bash
# Install what the cluster tests and a one-machine cluster need beyond requirements.txt:
# Debian's PostgreSQL server and nginx (when missing), and requirements-cluster.txt (Ray, psycopg) into the
# active Python environment. Installing starts no service: the tests start private, loopback-only
# instances (scripts/services.py), and the packages' own system services are kept from starting here.
# Usage (as root or with sudo, inside the project's venv): bash scripts/install_services.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)

if [ "${#missing[@]}" -gt 0 ]; then
  # Debian starts a newly installed service (nginx on 0.0.0.0:80, PostgreSQL's main cluster) unless
  # policy-rc.d says no; say no for this install only, unless the machine already has a policy.
  policy=/usr/sbin/policy-rc.d
  added_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    added_policy=1
  fi
  trap '[ -z "$added_policy" ] || $SUDO rm -f "$policy"' EXIT
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python -m pip install -q -r requirements-cluster.txt
