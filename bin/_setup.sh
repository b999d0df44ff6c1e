# shellcheck shell=bash
# Shared set-up for bin/demo, bin/test and bin/browser-test (sourced, not run).
#
# Installs, idempotently and quietly, what the application needs on a fresh Debian machine that has
# Python 3.11, pip, Node 20/npm: the virtual environment with requirements.txt, the npm assets from
# package-lock.json, GNU gettext, and the compiled message catalogue. Each step is skipped when
# nothing changed since the last run (hash stamps in .venv/ and node_modules/).

YINFA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$YINFA_ROOT" || exit 1

VENV="$YINFA_ROOT/.venv"
PY="$VENV/bin/python"
export PIP_DISABLE_PIP_VERSION_CHECK=1
_YINFA_APT_UPDATED=""

step() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

_sha256() { sha256sum "$1" | cut -d' ' -f1; }

_as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

# apt_install PACKAGE...: install Debian packages, running `apt-get update` at most once per script run.
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install $* by hand"
    if [ -z "$_YINFA_APT_UPDATED" ]; then
        _as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
        _YINFA_APT_UPDATED=1
    fi
    _as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

_find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3; do
        if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    die "Python 3.11 or newer not found (set PYTHON=/path/to/python3.11)"
}

ensure_venv() {
    if [ ! -x "$PY" ]; then
        step "creating the virtual environment in .venv"
        "$(_find_python)" -m venv "$VENV"
    fi
    local stamp="$VENV/.requirements.sha256" want
    want="$(_sha256 requirements.txt)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        step "installing Python packages (requirements.txt)"
        "$PY" -m pip install -q -r requirements.txt
        echo "$want" >"$stamp"
    else
        note "Python packages up to date"
    fi
}

ensure_npm() {
    local stamp="node_modules/.yinfa-lock.sha256" want
    want="$(_sha256 package-lock.json)"
    if [ ! -d node_modules ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        command -v npm >/dev/null 2>&1 || die "npm not found: install Node.js 20 with npm"
        step "installing front-end assets (npm ci)"
        npm ci --no-audit --no-fund --loglevel=error >/dev/null
        echo "$want" >"$stamp"
    else
        note "front-end assets up to date"
    fi
}

ensure_gettext() {
    if ! command -v msgfmt >/dev/null 2>&1; then
        step "installing GNU gettext (apt-get)"
        apt_install gettext
    fi
}

# Compile the .po catalogues into .mo files when a .po changed since the last compile (hash stamp) or a .mo is
# missing. The .po files are touched first because compilemessages skips a .mo newer than its .po, and after
# a git checkout their times say nothing.
compile_messages() {
    local catalogues=() po stamp="$VENV/.messages.sha256" want
    for po in yinfa/locale/*/LC_MESSAGES/*.po; do [ -e "$po" ] && catalogues+=("$po"); done
    if [ "${#catalogues[@]}" -eq 0 ]; then
        note "no message catalogue yet: skipping compilemessages"
        return 0
    fi
    want="$(sha256sum "${catalogues[@]}" | sha256sum | cut -d' ' -f1)"
    if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        local missing=""
        for po in "${catalogues[@]}"; do [ -e "${po%.po}.mo" ] || missing=1; done
        if [ -z "$missing" ]; then
            note "message catalogue up to date"
            return 0
        fi
    fi
    step "compiling the message catalogue"
    touch "${catalogues[@]}"
    "$PY" manage.py compilemessages -v 0 --ignore=.venv --ignore=node_modules --ignore=var --ignore=.git
    echo "$want" >"$stamp"
}

# Everything bin/demo and bin/test need before they run Django.
ensure_installed() {
    # WhiteNoise warns when STATIC_ROOT is missing, even in development where it serves from the finders.
    mkdir -p "${YINFA_VAR_DIR:-$YINFA_ROOT/var}/static"
    ensure_venv
    ensure_npm
    ensure_gettext
    compile_messages
}
