#!/bin/sh
# Build and install lifesize-probe the way the image does. The Dockerfile runs these
# steps, and tests/deploy/test_docker.py runs the same script in a fresh virtualenv, so
# they are tested on machines without a Docker engine.
#
#   install.sh wheel SOURCE_DIR WHEEL_DIR
#       the project's wheel (no dependencies) into WHEEL_DIR, built by the backend pinned
#       in SOURCE_DIR/requirements/build.txt (a throwaway virtualenv, no isolated build)
#   install.sh install PREFIX WHEEL_DIR LOCK
#       a virtualenv at PREFIX with the hashed lock LOCK (requirements/run.txt: the
#       versions the suite was green with), then the wheel; healthcheck.py and
#       merge_config.py in PREFIX/libexec; then a smoke test: --help, and the simulator
#       loading the demo config and its secrets from the installed package.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}

build_wheel() {
    source=$1 wheels=$2
    builder=$(mktemp -d)
    "$python" -m venv "$builder"
    "$builder/bin/python" -m pip install --require-hashes -r "$source/requirements/build.txt"
    "$builder/bin/python" -m pip wheel --no-deps --no-build-isolation --wheel-dir "$wheels" \
        "$source"
    rm -rf "$builder"
}

install_prefix() {
    prefix=$1 wheels=$2 lock=$3
    "$python" -m venv "$prefix"
    "$prefix/bin/python" -m pip install --require-hashes -r "$lock"
    "$prefix/bin/python" -m pip install --no-deps "$wheels"/lifesize_probe-*.whl
    mkdir -p "$prefix/libexec"
    cp "$here/healthcheck.py" "$here/merge_config.py" "$prefix/libexec/"
    "$prefix/bin/lifesize-probe" --help >/dev/null
    "$prefix/bin/python" -c 'from probe.simulator import load_simulator; load_simulator(None)'
}

case "${1:-}" in
    wheel) [ $# -eq 3 ] || { echo "usage: $0 wheel SOURCE_DIR WHEEL_DIR" >&2; exit 2; }
           build_wheel "$2" "$3" ;;
    install) [ $# -eq 4 ] || { echo "usage: $0 install PREFIX WHEEL_DIR LOCK" >&2; exit 2; }
             install_prefix "$2" "$3" "$4" ;;
    *) echo "usage: $0 wheel SOURCE_DIR WHEEL_DIR | install PREFIX WHEEL_DIR LOCK" >&2
       exit 2 ;;
esac
