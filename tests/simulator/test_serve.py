"""``serve``: the blocking entry point behind ``lifesize-probe simulate``."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from probe.addresses import parse_listen
from probe.cli import main
from probe.cli.simulate import serve
from probe.simulator import demo_config
from tests.ports import free_port


@pytest.fixture
def demo_server() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    listen = f"127.0.0.1:{free_port()}"
    process = subprocess.Popen([sys.executable, "-m", "probe", "simulate", "--listen", listen],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://{listen}"
    try:
        _wait_ready(process, url)
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=60)
        assert process.stderr is not None
        process.stderr.close()


def _wait_ready(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + 120  # a loaded machine starts Python slowly
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.get(f"{url}/_sim/stats", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("the simulator did not come up")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_it_cleanly(demo_server: tuple[subprocess.Popen[bytes], str],
                                   sig: signal.Signals) -> None:
    process, _ = demo_server
    process.send_signal(sig)
    assert process.wait(timeout=60) == 0


def test_without_config_it_serves_the_demo_accounts(
        demo_server: tuple[subprocess.Popen[bytes], str]) -> None:
    _, url = demo_server
    with demo_config() as config:
        password = (config.parent / "demo-secrets" / "acme-alice").read_text().strip()
    good = httpx.post(f"{url}/api/login",
                      json={"username": "alice@acme.example", "password": password})
    bad = httpx.post(f"{url}/api/login",
                     json={"username": "alice@acme.example", "password": "guess"})
    assert (good.status_code, bad.status_code) == (200, 401)


@pytest.mark.parametrize(("listen", "host", "port"), [
    ("127.0.0.1:8088", "127.0.0.1", 8088), ("[::1]:9", "::1", 9), ("localhost:0", "localhost", 0),
])
def test_parse_listen(listen: str, host: str, port: int) -> None:
    assert parse_listen(listen) == (host, port)


@pytest.mark.parametrize("listen", ["8088", ":8088", "host:", "host:http", "h:70000"])
def test_a_bad_listen_address_is_exit_2(listen: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert serve(listen=listen, config_path=None) == 2
    assert "expected HOST:PORT" in capsys.readouterr().err


def test_a_bad_config_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("accounts:\n  - name: a\n    users:\n      - username: u\n"
                      "        password_env: LIFESIZE_PROBE_TEST_UNSET_VARIABLE\n")
    assert serve(listen="127.0.0.1:0", config_path=config) == 2
    assert "LIFESIZE_PROBE_TEST_UNSET_VARIABLE is not set" in capsys.readouterr().err


def test_a_port_in_use_is_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        assert serve(listen=f"127.0.0.1:{sock.getsockname()[1]}", config_path=None) == 1
    assert "cannot listen" in capsys.readouterr().err


def test_the_cli_command_reports_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--listen", "nowhere"]) == 2
    assert "expected HOST:PORT" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--listen", "--simulator"])
def test_the_demo_names_a_bad_address_before_listening(
        option: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", option, "nowhere"]) == 2
    assert f"lifesize-probe demo: {option}: expected HOST:PORT" in capsys.readouterr().err


def test_the_demo_says_when_its_port_is_taken(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        taken = f"127.0.0.1:{sock.getsockname()[1]}"
        assert main(["demo", "--listen", "127.0.0.1:0", "--simulator", taken]) == 1
    assert "lifesize-probe demo: cannot listen" in capsys.readouterr().err
