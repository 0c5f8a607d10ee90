#!/usr/bin/env bash
# System tools the Python packages cannot bring, from Debian's packages when run as root:
# graphviz's `dot`, for `python -m workflows render`; Chromium and its driver, for the console's
# browser tests (tests/test_console_browser.py, which skip without them).
set -euo pipefail

can_install() { [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; }

apt_install() {
  if ! apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  fi
}

if ! command -v dot >/dev/null 2>&1; then
  if can_install; then
    echo "==> installing graphviz (dot) from Debian packages"
    apt_install graphviz
  else
    echo "note: graphviz's 'dot' is missing; 'python -m workflows render' will write Mermaid only." \
         "Install it with your package manager (apt-get install graphviz, brew install graphviz)." >&2
  fi
fi

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  if can_install; then
    echo "==> installing chromium and chromium-driver from Debian packages (console browser tests)"
    apt_install chromium chromium-driver
  else
    echo "note: /usr/bin/chromium or /usr/bin/chromedriver is missing; the console's browser" \
         "tests will skip. Install them with apt-get install chromium chromium-driver." >&2
  fi
fi
