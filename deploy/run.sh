#!/usr/bin/env bash
# Install what is missing, build, and run tcardd on this machine with its own embedded PostgreSQL
# under ./var and the demo data. Extra arguments go to tcardd. TCARD_LISTEN overrides the address.
set -euo pipefail

TCARD_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export TCARD_REPO
cd "$TCARD_REPO"
# shellcheck source=deploy/packages.sh
source deploy/packages.sh

tcard_install_packages runtime
tcard_install_npm

# Release-ish build; warnings do not stop a local run (deploy/test.sh builds with -Werror).
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTCARD_WERROR=OFF -DTCARD_SANITIZE=OFF
cmake --build build -j"$(nproc)"

tcard_add_pg_path

listen="${TCARD_LISTEN:-127.0.0.1:8080}"
cat <<EOF

  tcard is starting at   http://${listen}/
  data (PostgreSQL too): ${TCARD_REPO}/var   (first start: creates it, loads the demo city and
                         prints the accounts with their passwords)
  Ctrl-C stops tcardd and its database.

  Open:  http://${listen}/                             the web UI (log in with an account below)
         http://${listen}/api/v1/openapi.json          every route
  The README's "Try the API" logs in and has curl examples.
EOF
if [[ -f var/initial-accounts.txt ]]; then
  echo
  sed 's/^/  /' var/initial-accounts.txt
  echo "  (admin's password was one-time: once changed, it is the one you chose;"
  echo "   a lost one: build/tcardd --data-dir var --create-admin admin)"
fi
echo

exec build/tcardd --data-dir "$TCARD_REPO/var" --listen "$listen" --web-root "$TCARD_REPO/web" "$@"
