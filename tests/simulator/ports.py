# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Local ports for simulators, listeners and proxies started by tests and tools."""

from __future__ import annotations

import socket


def free_port(host="127.0.0.1"):
    """A TCP port of host that is free now (the operating system's pick)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]
