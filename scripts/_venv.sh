# Sourced by scripts/test, scripts/demo and scripts/lock: virtualenvs that hold exactly
# what the hashed locks say.
#
#   uv_venv VENV                 VENV (created if needed) with uv, from requirements/uv.txt
#   locked_venv VENV LOCK...     the same, then the locks installed by uv
#   install_project VENV         the project itself, editable, built by the locked backend
#
# Every install requires hashes: what the suite was green with, whatever upstream has
# published since. uv installs a lock in seconds where pip takes most of a minute; pip
# installs only uv itself.

uv_venv() {
    local venv=$1
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    # The machine's pip config names extra indexes that do not exist on every machine;
    # pip warns about each for every package. Only those lines are dropped.
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes \
        -r requirements/uv.txt 2>&1 | { grep -v "^WARNING: Location 'file:" || true; } >&2
}

locked_venv() {
    local venv=$1
    shift
    uv_venv "$venv"
    local locks=()
    for lock in "$@"; do locks+=(-r "$lock"); done
    "$venv/bin/uv" pip install --quiet --python "$venv/bin/python" --require-hashes "${locks[@]}"
}

install_project() {
    # No isolated build: the build backend is the one the lock put into VENV, not the
    # latest one an isolated build would fetch.
    "$1/bin/uv" pip install --quiet --python "$1/bin/python" --no-deps --no-build-isolation -e .
}
