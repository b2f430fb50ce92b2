"""A loopback Slack Socket Mode server (stdlib only): the WebSocket handshake, Slack's envelopes
(`hello`, then `{"envelope_id", "type", "payload", "accepts_response_payload"}`), the app's acks
(`{"envelope_id", "payload"?}`) collected, pings answered. Plus the Web API fake that hands out
its URL from `apps.connections.open`."""

from __future__ import annotations

import base64
import hashlib
import json
import queue
import socket
import struct
import threading
import uuid
from typing import Any

from tests.support.slack_api import FakeSlackApi

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_TEXT, OP_CLOSE, OP_PING, OP_PONG = 0x1, 0x8, 0x9, 0xA
MAX_HANDSHAKE_BYTES = 16 * 1024


class SocketModeSlackApi(FakeSlackApi):
    """The checked fake Web API, answering `apps.connections.open` with a loopback WebSocket URL."""

    def __init__(self, socket_url: str) -> None:
        super().__init__()
        self.socket_url = socket_url

    def _method_payload(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url}
        return super()._method_payload(method, params)


def _read_exactly(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError("socket closed")
        data += chunk
    return data


def _frame(opcode: int, payload: bytes) -> bytes:
    """A final, unmasked frame (server to client)."""
    head = bytes([0x80 | opcode])
    size = len(payload)
    if size < 126:
        return head + bytes([size]) + payload
    if size < 1 << 16:
        return head + bytes([126]) + struct.pack("!H", size) + payload
    return head + bytes([127]) + struct.pack("!Q", size) + payload


def _read_frame(conn: socket.socket) -> tuple[int, bytes]:
    """One frame from the client (masked, as RFC 6455 requires): (opcode, payload)."""
    first, second = _read_exactly(conn, 2)
    size = second & 0x7F
    if size == 126:
        (size,) = struct.unpack("!H", _read_exactly(conn, 2))
    elif size == 127:
        (size,) = struct.unpack("!Q", _read_exactly(conn, 8))
    mask = _read_exactly(conn, 4) if second & 0x80 else b"\0\0\0\0"
    data = _read_exactly(conn, size)
    return first & 0x0F, bytes(b ^ mask[i % 4] for i, b in enumerate(data))


class SocketModeServer:
    """One WebSocket connection at a time on 127.0.0.1; what the app sends lands in `received`."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._conn: socket.socket | None = None
        self._connected = threading.Event()
        self._send_lock = threading.Lock()
        self.received: queue.Queue[dict[str, Any]] = queue.Queue()
        self.handshake_path = ""
        self._thread = threading.Thread(target=self._serve, name="fake-socket-mode", daemon=True)

    @property
    def url(self) -> str:
        """The wss-style URL Slack would hand out (plain ws: on loopback)."""
        return f"ws://127.0.0.1:{self._listener.getsockname()[1]}/link/?ticket=fake-ticket"

    def start(self) -> SocketModeServer:
        """Accept a connection in the background."""
        self._thread.start()
        return self

    def wait_connected(self, timeout: float) -> None:
        """Block until the app has completed the handshake."""
        if not self._connected.wait(timeout):
            raise TimeoutError("the app did not connect over Socket Mode")

    def send(self, message: dict[str, Any]) -> None:
        """Send one JSON text frame to the app."""
        if self._conn is None:
            raise RuntimeError("no connection")
        with self._send_lock:
            self._conn.sendall(_frame(OP_TEXT, json.dumps(message).encode()))

    def hello(self) -> None:
        """Slack's first message on a new connection."""
        self.send(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "fake-socket-mode", "approximate_connection_time": 3600},
                "connection_info": {"app_id": "A0TEST"},
            }
        )

    def envelope(self, kind: str, payload: dict[str, Any]) -> str:
        """Deliver one request (`slash_commands`, `interactive`, `events_api`); its envelope id."""
        envelope_id = str(uuid.uuid4())
        self.send(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        return envelope_id

    def ack_of(self, envelope_id: str, timeout: float) -> dict[str, Any]:
        """The app's acknowledgement of an envelope (other messages are skipped)."""
        while True:
            message = self.received.get(timeout=timeout)
            if message.get("envelope_id") == envelope_id:
                return message

    def close(self) -> None:
        """Close the connection and the listening socket."""
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                with self._send_lock:
                    conn.sendall(_frame(OP_CLOSE, struct.pack("!H", 1000)))
            except OSError:
                pass
            conn.close()
        self._listener.close()

    def _serve(self) -> None:
        try:
            conn, _ = self._listener.accept()
        except OSError:
            return
        try:
            self._handshake(conn)
            self._conn = conn
            self._connected.set()
            self._read_loop(conn)
        except (OSError, ConnectionError, ValueError):
            pass  # the test closed the connection

    def _handshake(self, conn: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = conn.recv(1024)
            if not chunk or len(request) > MAX_HANDSHAKE_BYTES:
                raise ConnectionError("no WebSocket handshake")
            request += chunk
        lines = request.decode("latin-1").split("\r\n")
        self.handshake_path = lines[0].split(" ")[1]
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:] if line)
        }
        digest = hashlib.sha1((headers["sec-websocket-key"] + WS_GUID).encode()).digest()
        accept = base64.b64encode(digest).decode()
        conn.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )

    def _read_loop(self, conn: socket.socket) -> None:
        while True:
            opcode, data = _read_frame(conn)
            if opcode == OP_PING:
                with self._send_lock:
                    conn.sendall(_frame(OP_PONG, data))
            elif opcode == OP_TEXT:
                message = json.loads(data)
                if isinstance(message, dict):
                    self.received.put(message)
            elif opcode == OP_CLOSE:
                return
