#!/usr/bin/env bash
# One entry point for people and CI: sets up .venv (once, and again when pyproject.toml changes).
#   ./dev.sh start   run the bot on Telegram (or, without BOT_TOKEN, in this terminal)
#   ./dev.sh test    lint, type-check and run every test
#   ./dev.sh chat    talk to the bot's conversations in this terminal
#   ./dev.sh readme  refresh README.md's sample conversation after changing the content
#   ./dev.sh lock    refresh requirements.lock (pinned, hashed) after changing dependencies
set -euo pipefail
cd "$(dirname "$0")"

VENV="${VENV:-.venv}"

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  echo "volnyja-bot needs Python 3.11 or newer; please install it first." >&2
  exit 1
}

setup() {
  if [ ! -x "$VENV/bin/python" ]; then
    "$(find_python)" -m venv "$VENV"
  fi
  local stamp="$VENV/.installed"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[test]'
    touch "$stamp"
  fi
}

has_postgres_server() {
  command -v initdb >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

install_for_tests() {
  # A Debian package the tests need, installed when we can (as root, with apt-get).
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's $1 package for the tests..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$1" >/dev/null ||
      { apt-get update -q >/dev/null &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$1" >/dev/null; }
  fi
}

ensure_postgres_server() {
  # The PostgreSQL half of the tests starts a throwaway server (tests/postgres.py).
  has_postgres_server || install_for_tests postgresql
}

ensure_chromium() {
  # The preview is tested in a real headless browser (tests/test_preview_browser.py).
  command -v chromium >/dev/null 2>&1 || install_for_tests chromium
}

ensure_libfaketime() {
  # The check-ins' end-to-end test moves the running bot's clock (tests/process_clock.py).
  compgen -G '/usr/lib/*/faketime/libfaketimeMT.so.1' >/dev/null ||
    compgen -G '/usr/local/lib/faketime/libfaketimeMT.so.1' >/dev/null ||
    install_for_tests libfaketime
}

command="${1:-}"
shift || true
case "$command" in
  test)
    setup
    ensure_postgres_server
    ensure_chromium
    ensure_libfaketime
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    "$VENV/bin/mypy"
    "$VENV/bin/volnyja-bot" check
    "$VENV/bin/python" -m pytest "$@"
    ;;
  start)
    setup
    if [ -z "${BOT_TOKEN:-}" ] && ! grep -qs '^BOT_TOKEN=..*' .env; then
      cat <<'MSG'
There is no BOT_TOKEN yet, so here is the bot in this terminal instead.
To run it on Telegram:
  1. In Telegram, open @BotFather, send /newbot and follow its questions.
  2. Put the token it gives you in a file named .env in this folder:
       BOT_TOKEN=123456789:AA...
  3. Run ./dev.sh start again.

MSG
      exec "$VENV/bin/volnyja-bot" chat "$@"
    fi
    exec "$VENV/bin/volnyja-bot" run
    ;;
  chat)
    setup
    exec "$VENV/bin/volnyja-bot" chat "$@"
    ;;
  readme)
    setup
    exec "$VENV/bin/volnyja-bot" chat --locale en --name Ales --script "4 1 3 1 1 1 1" \
      --write-readme README.md
    ;;
  lock)
    setup
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check uv
    "$VENV/bin/uv" pip compile pyproject.toml --universal --python-version 3.11 \
      --generate-hashes --quiet --custom-compile-command "./dev.sh lock" -o requirements.lock
    ;;
  *)
    echo "usage: ./dev.sh start | test | chat | readme | lock" >&2
    exit 2
    ;;
esac
