#!/usr/bin/env bash
# System tools the Python packages cannot bring: graphviz's `dot`, for `python -m workflows render`.
set -euo pipefail
if command -v dot >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing graphviz (dot) from Debian packages"
  if ! apt-get install -y -qq --no-install-recommends graphviz >/dev/null 2>&1; then
    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends graphviz >/dev/null
  fi
else
  echo "note: graphviz's 'dot' is missing; 'python -m workflows render' will write Mermaid only." \
       "Install it with your package manager (apt-get install graphviz, brew install graphviz)." >&2
fi
