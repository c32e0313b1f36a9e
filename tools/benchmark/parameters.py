# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sizes, policies and targets of the benchmark."""

from __future__ import annotations

import pathlib


REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
BATCH = 100                     # the batch_size default of the modules and the inventory plugin
POLICY = {"voicemail": True, "no_answer_forward": True, "no_answer_forward_to": "Voicemail", "ring_timeout": 30}
POLICY_VENDOR = {"hasvoicemail": "on", "noanswerforward": "on", "ntransferto": "Voicemail", "ringtimeout": "30"}
DIFFERING_EVERY = 10            # scenario 3: every 10th extension differs
MEMORY_LIMIT_MB = 150
LARGEST_PBX = 500               # the most extensions an S-Series PBX holds (S300): the single-PBX targets apply up to it
TARGET_SPEEDUP = 100
TARGET_FLOOR_RATIO = 1.5
TARGET_ANSIBLE_FLOOR_RATIO = 1.15  # N > 500: ours / Ansible floor (no ping-floor target there)
TARGET_FLEET_FLOOR_RATIO = 1.5
TARGET_FLEET_INVENTORY_COLD = 1.0
TARGET_INVENTORY_COLD = 1.5
TARGET_INVENTORY_CACHED = 1.2
WAIT_ROUNDS = 4                 # scenario 5: the pending phones register in the 4th poll round (3 intervals of 1 s)
WAIT_PENDING = 20               # scenario 5: phones that register only then
LIFECYCLE = "400,100,100"       # scenario 6: N existing extensions, C created, M deleted (peak N + C <= 500)
LIFECYCLE_SMOKE = "50,10,10"
LIFECYCLE_SMOKE_BATCH = 4       # scenario 6 at the smoke size: small batches, so that the batching shows
FLEET = "20,500"                # scenarios 7 and 8: PBXes, extensions each
FLEET_SMOKE = "3,50"
LIFECYCLE_TITLE = "6 create and delete extensions (API v2.0.0)"
