#!/usr/bin/env bash
# npm test: everything the suite needs that touches the network happens first (Chromium and
# redis-server from Debian's packages if missing), then typecheck and lint, then the whole vitest suite inside a network
# namespace whose only interface is loopback (WebRTC, the signal server and Chromium can reach
# nothing but 127.0.0.0/8 and ::1).
set -euo pipefail
cd "$(dirname "$0")/../.."

# Debian packages the suite needs: Chromium for the browser tests, redis-server for the signaling
# cluster tests (they start their own on a loopback port; nothing is started as a service).
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "npm test: installing Debian's ${missing[*]} (needs root and the package mirror)" >&2
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  fi
fi

npm run -s typecheck
npm run -s lint

run_isolated() {
  if [ "${LOOPBACK_ONLY:-}" = 1 ]; then
    exec "$@"
  elif [ -x ../shared/tools/loopback-only ]; then
    exec ../shared/tools/loopback-only "$@"
  else
    # The project's own wrapper: a fresh network namespace with only lo.
    local inner='ip link set lo up 2>/dev/null || true
      if ip -o link show 2>/dev/null | grep -v ": lo:" | grep -q .; then echo "refusing: interface other than lo present" >&2; exit 97; fi
      export LOOPBACK_ONLY=1; exec "$@"'
    if unshare --net true 2>/dev/null; then exec unshare --net -- bash -c "$inner" run-tests "$@"; fi
    if unshare -rn true 2>/dev/null; then exec unshare -rn -- bash -c "$inner" run-tests "$@"; fi
    echo "npm test: cannot create a loopback-only network namespace (unshare failed)" >&2
    exit 97
  fi
}

run_isolated npx vitest run "$@"
