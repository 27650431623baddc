#!/bin/sh
# Build and install lifesize-probe the way the image does. The Dockerfile runs these
# steps, and tests/deploy/test_docker.py runs the same script in a fresh virtualenv, so
# they are tested on machines without a Docker engine.
#
#   install.sh wheel SOURCE_DIR WHEEL_DIR
#       the project's wheel (no dependencies) into WHEEL_DIR
#   install.sh install PREFIX WHEEL_DIR CONFIG_DIR
#       a virtualenv at PREFIX with the wheel and its dependencies; healthcheck.py and
#       merge_config.py in PREFIX/libexec; CONFIG_DIR's demo.yaml and demo-secrets/ where
#       `lifesize-probe demo` (and `simulate` without --config) looks for them; then a
#       smoke test: --help and check-config of the demo config.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}

build_wheel() {
    "$python" -m pip wheel --no-deps --wheel-dir "$2" "$1"
}

install_prefix() {
    prefix=$1 wheels=$2 configs=$3
    "$python" -m venv "$prefix"
    "$prefix/bin/python" -m pip install "$wheels"/lifesize_probe-*.whl
    mkdir -p "$prefix/libexec"
    cp "$here/healthcheck.py" "$here/merge_config.py" "$prefix/libexec/"
    # probe.simulator.DEMO_CONFIG is config/demo.yaml beside the package's parent folder:
    # in a source checkout the repository's, in a wheel install site-packages/config/.
    demo=$("$prefix/bin/python" -c 'from probe.simulator import DEMO_CONFIG; print(DEMO_CONFIG)')
    mkdir -p "$(dirname "$demo")"
    cp "$configs/demo.yaml" "$demo"
    cp -R "$configs/demo-secrets" "$(dirname "$demo")/"
    "$prefix/bin/lifesize-probe" --help >/dev/null
    "$prefix/bin/lifesize-probe" check-config "$demo" >/dev/null
}

case "${1:-}" in
    wheel) [ $# -eq 3 ] || { echo "usage: $0 wheel SOURCE_DIR WHEEL_DIR" >&2; exit 2; }
           build_wheel "$2" "$3" ;;
    install) [ $# -eq 4 ] || { echo "usage: $0 install PREFIX WHEEL_DIR CONFIG_DIR" >&2; exit 2; }
             install_prefix "$2" "$3" "$4" ;;
    *) echo "usage: $0 wheel SOURCE_DIR WHEEL_DIR | install PREFIX WHEEL_DIR CONFIG_DIR" >&2
       exit 2 ;;
esac
