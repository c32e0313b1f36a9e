# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reserved and refused local ports (tests/simulator/ports.py)."""

from __future__ import annotations

import socket

import pytest

from ansible_collections.voiceops.pbx.tests.simulator.ports import refused_port, reserved_port, reserved_ports


def bind(port, reuse):
    sock = socket.socket()
    if reuse:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
        sock.listen()
    finally:
        sock.close()


def test_a_reserved_port_is_taken_for_a_plain_bind_and_free_for_a_server_that_reuses_addresses():
    port = reserved_port()
    with pytest.raises(OSError):
        bind(port, reuse=False)
    bind(port, reuse=True)


def test_reserved_ports_are_consecutive_and_each_reserved():
    ports = reserved_ports(3)
    assert ports == list(range(ports[0], ports[0] + 3))
    for port in ports:
        with pytest.raises(OSError):
            bind(port, reuse=False)


def test_a_refused_port_refuses_connections_and_is_held_until_the_end_of_the_with():
    with refused_port() as port:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5)
        with pytest.raises(OSError):
            bind(port, reuse=True)
