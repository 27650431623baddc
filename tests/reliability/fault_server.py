"""Misbehaving HTTP servers on raw loopback sockets, in a process of their own.

``python -m tests.reliability.fault_server CERT KEY`` listens on 127.0.0.1, one free
port per behaviour, prints ``{"kind": port, ...}`` as one JSON line, and serves until
its standard input closes. A separate process keeps the test's own file descriptors and
asyncio tasks to the probe side, so that counting them finds the probe's leaks only.

    kind            what the server does
    reset           answers 200 with half a body, then resets the connection (RST)
    tls_bad_cert    TLS with a self-signed certificate for another name
    tls_not_tls     plain HTTP where the client expects TLS
    hang            accepts, reads the request, never answers
    trickle         sends headers, then one body byte a second, forever
    big_declared    declares a 10 MB body (Content-Length) and sends it
    big_chunked     sends a 10 MB body in chunks, without a length
    invalid_json    200, application/json, a body that is not JSON
    redirect_loop   302 to itself, forever
    too_many        429 with Retry-After: 120
    wrong_type      200 text/html carrying a JSON-looking body
    html            200 text/html, an HTML page (a captive portal, a proxy's error page)
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import struct
import sys
from collections.abc import Awaitable, Callable

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
TEN_MB = 10 * 1024 * 1024
_CHUNK = b"x" * 65536


async def read_request(reader: asyncio.StreamReader) -> bool:
    """Read one request (headers and a Content-Length body); false at end of stream."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        return False
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip() or 0)
    if length:
        await reader.readexactly(length)
    return True


def answer(status: str, body: bytes, content_type: str, *extra: str) -> bytes:
    headers = [f"HTTP/1.1 {status}", f"Content-Type: {content_type}",
               f"Content-Length: {len(body)}", *extra, "", ""]
    return "\r\n".join(headers).encode() + body


async def _until_closed(reader: asyncio.StreamReader) -> None:
    while await reader.read(65536):
        pass


async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    if await read_request(reader):
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000\r\n\r\n{\"token\": \"")
        await writer.drain()
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    await _until_closed(reader)


async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    if not await read_request(reader):
        return
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n")
    while not reader.at_eof():
        writer.write(b"1\r\n \r\n")
        await writer.drain()
        await asyncio.sleep(1.0)


async def _big(writer: asyncio.StreamWriter, *, declared: bool) -> None:
    head = (f"Content-Length: {TEN_MB}" if declared else "Transfer-Encoding: chunked")
    writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{head}\r\n\r\n"
                 .encode())
    for _ in range(TEN_MB // len(_CHUNK)):
        writer.write(_CHUNK if declared else b"%x\r\n%s\r\n" % (len(_CHUNK), _CHUNK))
        await writer.drain()
    if not declared:
        writer.write(b"0\r\n\r\n")


def big(declared: bool) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await read_request(reader):
            await _big(writer, declared=declared)
    return handle


def fixed(data: bytes) -> Handler:
    """Answers every request on the connection with the same bytes."""
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await read_request(reader):
            writer.write(data)
            await writer.drain()
    return handle


async def not_tls(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """What a plain HTTP server says to a TLS ClientHello: 400, at once."""
    await reader.read(1)
    writer.write(answer("400 Bad Request", b"plain HTTP here", "text/plain"))
    await writer.drain()


def redirect_loop() -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await read_request(reader):
            port = writer.get_extra_info("sockname")[1]
            writer.write(answer("302 Found", b"", "text/plain",
                                f"Location: http://127.0.0.1:{port}/api/login"))
            await writer.drain()
    return handle


def handlers() -> dict[str, Handler]:
    return {
        "reset": reset,
        "tls_bad_cert": fixed(answer("200 OK", b'{"token": "t"}', "application/json")),
        "tls_not_tls": not_tls,
        "hang": hang,
        "trickle": trickle,
        "big_declared": big(declared=True),
        "big_chunked": big(declared=False),
        "invalid_json": fixed(answer("200 OK", b'{"token": "t", oops', "application/json")),
        "redirect_loop": redirect_loop(),
        "too_many": fixed(answer("429 Too Many Requests", b'{"error": "slow down"}',
                                 "application/json", "Retry-After: 120")),
        "wrong_type": fixed(answer("200 OK", b'{"token": "t"}', "text/html")),
        "html": fixed(answer("200 OK", b"<html><body>Sign in to the Wi-Fi</body></html>",
                             "text/html; charset=utf-8")),
    }


def _guarded(handler: Handler) -> Handler:
    """Every connection ends closed, whatever the client did to it."""
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, OSError):
            pass
        finally:
            writer.transport.abort()
    return handle


async def serve(cert: str, key: str) -> None:
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    servers, ports = [], {}
    for kind, handler in handlers().items():
        context = tls if kind == "tls_bad_cert" else None
        server = await asyncio.start_server(_guarded(handler), "127.0.0.1", 0, ssl=context,
                                            ssl_handshake_timeout=5 if context else None)
        servers.append(server)
        ports[kind] = server.sockets[0].getsockname()[1]
    print(json.dumps(ports), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the test closes our stdin
    for server in servers:
        server.close()


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1], sys.argv[2]))
