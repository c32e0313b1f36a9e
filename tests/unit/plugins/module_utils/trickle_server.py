# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A slow HTTP server for the request deadline tests: it answers every POST with a JSON body, but
can wait before answering and send the answer one byte at a time, like a PBX (or a middlebox)
that never quite stops talking. Standard library only; also used by the integration tests."""

from __future__ import annotations

import json
import socketserver
import threading
import time

SUCCESS = {"status": "Success", "token": "trickle-token", "ret": 200, "data": {"status": 0, "result": []}}


class TrickleServer:
    """HTTP/1.1 on 127.0.0.1 with keep-alive.

    delay          seconds of silence before each answer
    interval       seconds between two bytes of the answer (0: the answer in one piece)
    headers_at_once  send the status line and headers in one piece, trickle only the body
    give_up_after  close the connection when an answer has been trickling this long
    tls_context    a server-side ssl.SSLContext for HTTPS
    """

    def __init__(self, delay=0.0, interval=0.0, headers_at_once=False, give_up_after=20.0, tls_context=None,
                 answer=None):
        self.delay = delay
        self.interval = interval
        self.headers_at_once = headers_at_once
        self.give_up_after = give_up_after
        self.tls_context = tls_context
        self.body = json.dumps(answer or SUCCESS).encode("utf-8")
        self.requests = 0
        self.connections = 0
        self._lock = threading.Lock()
        self._server = None

    def __enter__(self):
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.trickle = self
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc_info):
        self._server.shutdown()
        self._server.server_close()

    @property
    def host(self):
        return "127.0.0.1"

    @property
    def port(self):
        return self._server.server_address[1]

    def url(self, scheme="http", path="/"):
        return "%s://%s:%s%s" % (scheme, self.host, self.port, path)

    def count(self, what):
        with self._lock:
            setattr(self, what, getattr(self, what) + 1)

    def answer(self):
        """The status line with headers, and the body."""
        head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(self.body))
        return head.encode("ascii"), self.body


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    trickle = None


class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        trickle = self.server.trickle
        trickle.count("connections")
        sock = self.request
        try:
            if trickle.tls_context is not None:
                sock = trickle.tls_context.wrap_socket(sock, server_side=True)
            reader = sock.makefile("rb")
            while _read_request(reader):
                trickle.count("requests")
                time.sleep(trickle.delay)
                if not _send_answer(sock, trickle):
                    break
        except OSError:
            pass
        finally:
            sock.close()


def _read_request(reader):
    """Reads one request; False when the client has closed the connection."""
    length = 0
    line = reader.readline()
    if not line:
        return False
    while line not in (b"\r\n", b"\n", b""):
        name, _colon, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
        line = reader.readline()
    reader.read(length)
    return True


def _send_answer(sock, trickle):
    """Sends one answer as the server is told to; False when it gave up half-way."""
    head, body = trickle.answer()
    if not trickle.interval:
        sock.sendall(head + body)
        return True
    if trickle.headers_at_once:
        sock.sendall(head)
        head = b""
    started = time.monotonic()
    for position in range(len(head + body)):
        if time.monotonic() - started > trickle.give_up_after:
            return False
        sock.sendall((head + body)[position:position + 1])
        time.sleep(trickle.interval)
    return True
