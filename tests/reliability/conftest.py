"""Reliability fixtures: a self-signed certificate, misbehaving servers, a refused port."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for a name no probe asks for, made by the ``openssl`` CLI
    (the ``cryptography`` package is not a dependency, and this is all it would do)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=not-the-probe-target.example", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True)
    return cert, key


@pytest.fixture(scope="session")
def fault_ports(certificate: tuple[Path, Path],
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    """``tests/reliability/fault_server.py`` running in its own process: kind → port."""
    log = (tmp_path_factory.mktemp("faults") / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.fault_server", *map(str, certificate)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        assert server.stdout is not None
        ports: dict[str, int] = json.loads(server.stdout.readline())
        yield ports
    finally:
        if server.stdin is not None:
            server.stdin.close()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
        if server.stdout is not None:
            server.stdout.close()
        log.close()


@pytest.fixture(scope="session")
def refused_port() -> Iterator[int]:
    """A loopback port nobody listens on: bound for the session, never listening, so no
    other test (or xdist worker) can take it and answer."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        yield port

