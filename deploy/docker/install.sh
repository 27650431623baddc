#!/bin/sh
# Build and install lifesize-probe the way the image does. The Dockerfile runs these
# steps, and tests/deploy/test_docker.py runs the same script in a fresh virtualenv, so
# they are tested on machines without a Docker engine.
#
#   install.sh wheel SOURCE_DIR WHEEL_DIR
#       the project's wheel (no dependencies) into WHEEL_DIR, built by the backend pinned
#       in SOURCE_DIR/requirements/build.txt (a throwaway virtualenv, no isolated build)
#   install.sh install PREFIX WHEEL_DIR REQUIREMENTS_DIR
#       a virtualenv at PREFIX with the hashed lock REQUIREMENTS_DIR/run.txt (the
#       versions the suite was green with), then the wheel, both installed by uv (from
#       REQUIREMENTS_DIR/uv.txt, into a throwaway folder: seconds where pip takes most of
#       a minute); healthcheck.py and merge_config.py in PREFIX/libexec; then a smoke test:
#       --help, and the simulator loading the demo config and its secrets from the
#       installed package.
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
    prefix=$1 wheels=$2 locks=$3
    # No pip in the runtime: nothing there installs anything (and a venv's pip costs
    # seconds to lay down).
    "$python" -m venv --without-pip "$prefix"
    installer=$(mktemp -d)
    "$python" -m pip install --quiet --target "$installer" --require-hashes -r "$locks/uv.txt"
    # --compile-bytecode as pip does: the image sets PYTHONDONTWRITEBYTECODE, so modules
    # not compiled here would be compiled again by every process, at every start.
    "$installer/bin/uv" pip install --python "$prefix/bin/python" --compile-bytecode \
        --require-hashes -r "$locks/run.txt"
    "$installer/bin/uv" pip install --python "$prefix/bin/python" --compile-bytecode \
        --no-deps "$wheels"/lifesize_probe-*.whl
    rm -rf "$installer"
    mkdir -p "$prefix/libexec"
    cp "$here/healthcheck.py" "$here/merge_config.py" "$prefix/libexec/"
    "$prefix/bin/lifesize-probe" --help >/dev/null
    "$prefix/bin/python" -c 'from probe.simulator import load_simulator; load_simulator(None)'
}

case "${1:-}" in
    wheel) [ $# -eq 3 ] || { echo "usage: $0 wheel SOURCE_DIR WHEEL_DIR" >&2; exit 2; }
           build_wheel "$2" "$3" ;;
    install) [ $# -eq 4 ] || { echo "usage: $0 install PREFIX WHEEL_DIR REQUIREMENTS_DIR" >&2
                               exit 2; }
             install_prefix "$2" "$3" "$4" ;;
    *) echo "usage: $0 wheel SOURCE_DIR WHEEL_DIR | install PREFIX WHEEL_DIR REQUIREMENTS_DIR" >&2
       exit 2 ;;
esac
