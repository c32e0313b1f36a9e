# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""HTTP(S) plumbing shared by the simulators: server, request handler, fault answers.

The server knows nothing about any PBX API. It hands each request to ``server.app``,
which provides ``endpoint_of(path)``, ``handle_api(method, path, query, body, client_ip)``
returning ``(payload, result)``, ``handle_admin(method, route, body)`` returning
``(status, payload)``, and the ``faults``, ``recorder`` and ``access_log`` objects.
"""

from __future__ import annotations

import json
import socket
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .faults import DEFAULT_GARBAGE_BODY, DEFAULT_HTTP_BODY

ADMIN_PREFIX = "/__sim__/"
JSON_TYPE = "application/json; charset=UTF-8"
HTML_TYPE = "text/html; charset=UTF-8"
MAX_BODY = 1024 * 1024


def encode_json(payload):
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class SimHTTPServer(ThreadingHTTPServer):
    """Threaded HTTP/1.1 server; TLS per connection; can cut every open connection."""

    daemon_threads = True

    def __init__(self, address, handler_class, app, ssl_context=None):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.app = app
        self.ssl_context = ssl_context
        self._open = set()
        self._open_lock = threading.Lock()
        self._connections_accepted = 0
        super().__init__(address, handler_class)

    def server_bind(self):
        # HTTPServer.server_bind resolves the host name (getfqdn), which can stall for seconds.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def get_request(self):
        sock, address = super().get_request()
        if self.ssl_context is not None:
            # The TLS handshake happens on first read, in the connection's own thread.
            sock = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def process_request(self, request, client_address):
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def number_connection(self):
        """A number for a newly accepted connection: 1, 2, 3... (a client port may be reused)."""
        with self._open_lock:
            self._connections_accepted += 1
            return self._connections_accepted

    def shutdown_request(self, request):
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self):
        """Cut every kept-alive connection, so a stopped simulator answers nobody."""
        with self._open_lock:
            connections = list(self._open)
        for sock in connections:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):
        error = sys.exc_info()[1]
        self.app.access_log.line("%s connection error: %s: %s" % (client_address[0], type(error).__name__, error))


class SimRequestHandler(BaseHTTPRequestHandler):
    """Reads the whole request, applies faults, and answers with a Content-Length."""

    protocol_version = "HTTP/1.1"
    server_version = "pbx-simulator"
    sys_version = ""
    timeout = 60
    disable_nagle_algorithm = True

    def setup(self):
        super().setup()
        # One handler serves one connection, however many requests it carries (keep-alive).
        self.connection_number = self.server.number_connection()

    def do_POST(self):
        self._serve()

    do_GET = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_POST

    def log_request(self, code="-", size="-"):
        """Calls are logged once, by ``_serve``, without the query string."""

    def log_message(self, format, *args):
        self.server.app.access_log.line("%s %s" % (self.client_address[0], format % args))

    def _serve(self):
        app = self.server.app
        client_ip = self.client_address[0]
        started = time.monotonic()
        try:
            body = self._read_body()
        except ValueError as error:
            self.close_connection = True
            self._send(400, str(error).encode("utf-8"), "text/plain; charset=UTF-8")
            return
        url = urlsplit(self.path)
        if url.path.startswith(ADMIN_PREFIX):
            status, payload = app.handle_admin(self.command, url.path[len(ADMIN_PREFIX):], body)
            self._send(status, encode_json(payload), JSON_TYPE)
            app.access_log.line("%s admin %s %s -> %d" % (client_ip, self.command, url.path, status))
            return
        self._serve_api(url, body, started)

    def _serve_api(self, url, body, started):
        """An API call (JSON body, token in the query string)."""
        app = self.server.app
        query = parse_qs(url.query, keep_blank_values=True)
        self._answer_call(app.endpoint_of(url.path), (query.get("token") or [""])[0], started,
                          lambda: app.handle_api(self.command, url.path, query, body, self.client_address[0]))

    def _answer_call(self, endpoint, token, started, handle):
        """Count the call, apply the endpoint's pending fault, let handle() return (payload, result)
        unless the fault keeps the call from being processed, answer, record and log it."""
        app = self.server.app
        client_ip = self.client_address[0]
        app.recorder.count(endpoint)
        delay, fault = app.faults.take(endpoint)
        if delay:
            time.sleep(delay)
        payload, result = None, None
        if fault is None or fault.process:
            payload, result = handle()
        try:
            if fault is None:
                self._send(200, encode_json(payload), JSON_TYPE)
            else:
                result = self._send_fault(fault, payload)
        except OSError as error:
            self.close_connection = True
            result = "%s, not delivered: %s" % (result or fault.kind, type(error).__name__)
        seconds = time.monotonic() - started
        app.recorder.record({"endpoint": endpoint, "method": self.command, "result": result, "client_ip": client_ip,
                             "connection": self.connection_number, "fault": fault.kind if fault else None}, seconds)
        app.access_log.call(client_ip, self.command, endpoint, token, result, seconds)

    def _send_fault(self, fault, payload):
        """Answer as the fault says; return the result for the call log."""
        if fault.kind == "errno":
            self._send(200, encode_json({"status": "Failed", "errno": fault.errno}), JSON_TYPE)
            return fault.errno
        if fault.kind == "http":
            reason = self.responses.get(fault.status, ("Error",))[0]
            text = fault.body if fault.body is not None else DEFAULT_HTTP_BODY.format(code=fault.status, reason=reason)
            self._send(fault.status, text.encode("utf-8"), HTML_TYPE)
            return "http-%d" % fault.status
        if fault.kind == "drop":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return "dropped"
        if fault.kind == "truncate":
            whole = encode_json(payload if payload is not None else {"status": "Failed", "errno": "30001"})
            self._send(200, whole[:max(1, len(whole) // 2)], JSON_TYPE)
            return "truncated"
        text = fault.body if fault.body is not None else DEFAULT_GARBAGE_BODY
        self._send(200, text.encode("utf-8"), HTML_TYPE)
        return "garbage"

    def _send(self, status, data, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        try:
            size = int(length)
        except ValueError:
            raise ValueError("bad Content-Length")
        if size < 0 or size > MAX_BODY:
            raise ValueError("Content-Length out of range")
        return self.rfile.read(size)

    def _read_chunked(self):
        parts = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise ValueError("bad chunk size")
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            total += size
            if total > MAX_BODY:
                raise ValueError("body too large")
            parts.append(self.rfile.read(size))
            self.rfile.readline(1024)
