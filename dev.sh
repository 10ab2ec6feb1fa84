#!/usr/bin/env bash
# One entry point for a fresh machine: sets up everything the project needs, then runs it.
#   ./dev.sh demo [monitor demo options]   set up, then run the demo end to end
#   ./dev.sh test [pytest options]         set up, then run the whole test suite
#   ./dev.sh setup                         only set up
set -euo pipefail
cd "$(dirname "$0")"

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}

need_python() {
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "error: Python 3.11 or newer is needed as '$PYTHON' (set PYTHON=/path/to/python3.11)" >&2
    exit 2
  fi
}

apt_install() {
  # System packages: Chromium for pages rendered by JavaScript. Needs root or sudo.
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "error: '$*' is missing and installing it needs root: run 'apt-get install $*' as root," >&2
      echo "       or set MONITOR_CHROMIUM=/path/to/chromium" >&2
      exit 2
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: install $* with your system's package manager, or set MONITOR_CHROMIUM" >&2
    exit 2
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

setup() {
  need_python
  local packages=()
  if [ -z "${MONITOR_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1 \
     && ! command -v chromium-browser >/dev/null 2>&1; then
    packages+=(chromium)
  fi
  # Signed, timestamped packages: the tests run a local timestamp authority with `openssl ts`.
  if ! command -v openssl >/dev/null 2>&1; then packages+=(openssl); fi
  # Chinese listings: without a CJK font, screenshots and evidence captures show empty boxes.
  if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]; then
    packages+=(fonts-noto-cjk)
  elif ! command -v fc-list >/dev/null 2>&1 && [ ${#packages[@]} -gt 0 ]; then
    packages+=(fonts-noto-cjk)
  fi
  if [ ${#packages[@]} -gt 0 ]; then
    echo "== installing ${packages[*]} (Debian packages) for JavaScript-rendered shops and Chinese text"
    apt_install "${packages[@]}"
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    echo "== creating the virtual environment $VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  # Reinstall only when the dependencies changed, so repeated runs start quickly.
  local stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    echo "== installing Python packages"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    # setuptools reports, as a warning, that the editable install maps monitor/ and spiders/
    # with an import hook: information about how, not a problem; the one filter drops only it.
    PYTHONWARNINGS="ignore:Editable installation:UserWarning" \
      "$VENV/bin/python" -m pip install -q -e ".[test]"
    rm -f "$VENV"/.installed-*
    touch "$stamp"
  fi
  # The pages' Chinese: compile the gettext catalogues (only those whose .po changed since).
  "$VENV/bin/python" -m monitor.i18n.catalogues compile
}

cmd=${1:-help}
shift || true
case "$cmd" in
  setup) setup ;;
  demo)
    setup
    exec "$VENV/bin/monitor" demo "$@"
    ;;
  test)
    setup
    # Most tests wait on real servers, crawls and browsers: two workers (one per core here),
    # each taking whole files (their fixtures start the servers once), halve the wall time.
    # PYTEST_WORKERS=0 runs in one process; an explicit -n in the options wins.
    parallel=(-n "${PYTEST_WORKERS:-auto}" --dist loadfile)
    for arg in "$@"; do
      case "$arg" in -n|-n*|--numprocesses*) parallel=() ;; esac
    done
    set +e
    "$VENV/bin/python" -m pytest "${parallel[@]}" "$@"
    code=$?
    set -e
    if [ "$code" = 5 ]; then
      echo "error: pytest collected no tests; that is a failure, not a pass" >&2
      exit 1
    fi
    exit "$code"
    ;;
  *)
    echo "usage: ./dev.sh demo|test|setup [options]" >&2
    exit 2
    ;;
esac
