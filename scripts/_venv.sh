# Sourced by scripts/test and scripts/demo: a virtualenv holding exactly the given locks.
#
#   locked_venv VENV LOCK [LOCK ...]
#
# Creates VENV if needed, installs uv into it from requirements/uv.txt (pip, hashes
# required), then the locks with uv (hashes required: what the suite was green with,
# whatever upstream has published since; uv installs a lock in seconds where pip takes
# most of a minute). The project itself is installed by the caller.

locked_venv() {
    local venv=$1
    shift
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    # The machine's pip config names extra indexes that do not exist on every machine;
    # pip warns about each for every package. Only those lines are dropped.
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes \
        -r requirements/uv.txt 2>&1 | { grep -v "^WARNING: Location 'file:" || true; } >&2
    local locks=()
    for lock in "$@"; do locks+=(-r "$lock"); done
    "$venv/bin/uv" pip install --quiet --python "$venv/bin/python" --require-hashes "${locks[@]}"
}
