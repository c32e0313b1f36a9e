# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""PBX API simulators for the voiceops.pbx tests; ``python -m simulator --help`` from tests/."""

from __future__ import annotations

from .outbound import OutboundSimulator
from .ports import refused_port, reserved_port, reserved_ports
from .yeastar import YeastarSimulator
from .yeastar_fleet import YeastarFleet

__all__ = ["OutboundSimulator", "YeastarFleet", "YeastarSimulator", "refused_port", "reserved_port", "reserved_ports"]
