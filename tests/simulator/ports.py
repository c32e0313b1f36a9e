# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Local ports for tests, without the race of "pick a free port, let someone bind it later".

A server the tests start themselves binds port 0 and says which port it got (``sim.port``, the
ready file of ``python -m simulator``). These helpers are for the rest:

- ``reserved_ports``: ports that a server started later must bind to, because it cannot bind
  port 0 (the event source is told its ``listen_port``; ``--first-port`` numbers a fleet). Each is
  left in TCP TIME_WAIT for about a minute: meanwhile the system gives it to no bind of port 0
  and to no outgoing connection, while a server binding it with SO_REUSEADDR gets it (http.server,
  socketserver and asyncio, so aiohttp, set SO_REUSEADDR).
- ``refused_port``: a port that stays bound, never listening, for as long as the ``with`` lasts:
  a connection to it is refused and no one else can take it. It may be the port of a server
  just stopped, to keep it refused.
"""

from __future__ import annotations

import contextlib
import socket

ATTEMPTS = 50


def _bound(host, port, reuse=False):
    """A socket bound to (host, port), or None; without reuse (SO_REUSEADDR) a port held in TIME_WAIT counts as taken."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    if reuse:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        return None
    return sock


def _park_in_time_wait(sock):
    """Close a bound socket so that its port stays in TIME_WAIT, reusable only with SO_REUSEADDR."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.listen(1)
    with sock, socket.create_connection(sock.getsockname()[:2], timeout=5) as client:
        accepted, _address = sock.accept()
        accepted.close()  # this side closes first: the TIME_WAIT is on the reserved port
        client.recv(1)  # the close has arrived
    # the client's close ends the connection; its side, the one-off port, is free again at once


def _consecutive_bound(count, host):
    """count sockets bound to consecutive ports of host, the first one picked by the system; or None."""
    first = _bound(host, 0)
    held = [first]
    start = first.getsockname()[1]
    for port in range(start + 1, min(start + count, 65536)):
        sock = _bound(host, port)
        if sock is None:
            break
        held.append(sock)
    if len(held) == count:
        return held
    for sock in held:
        sock.close()
    return None


def reserved_ports(count=1, host="127.0.0.1"):
    """count consecutive ports of host, reserved for servers that bind them with SO_REUSEADDR (see above)."""
    for _attempt in range(ATTEMPTS):
        held = _consecutive_bound(count, host)
        if held is not None:
            ports = [sock.getsockname()[1] for sock in held]
            for sock in held:
                _park_in_time_wait(sock)
            return ports
    raise OSError("no %d consecutive free ports on %s" % (count, host))


def reserved_port(host="127.0.0.1"):
    """One port of host, reserved for a server that binds it with SO_REUSEADDR (see above)."""
    return reserved_ports(1, host)[0]


@contextlib.contextmanager
def refused_port(host="127.0.0.1", port=0):
    """A port of host where connections are refused, held (bound, not listening) until the ``with`` ends.

    port 0: one the system picks; else that port, which a stopped server just left (its closed
    connections may be in TIME_WAIT, so it is bound with SO_REUSEADDR).
    """
    sock = _bound(host, port, reuse=port != 0)
    if sock is None:
        raise OSError("port %d of %s is taken" % (port, host))
    with sock:
        yield sock.getsockname()[1]
