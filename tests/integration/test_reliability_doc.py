# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""docs/reliability.md names the test of each fault: those tests must exist."""

from __future__ import annotations

import os
import pathlib
import re

ROOT = pathlib.Path(os.path.abspath(__file__)).parents[2]


def test_every_test_the_reliability_page_names_exists():
    text = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([\w/]+\.py)::(\w+)`", text))
    assert len(named) > 30
    missing = []
    for path, name in sorted(named):
        source = ROOT / path if path.startswith("tests/") else ROOT / "tests" / "integration" / path
        if not source.is_file() or not re.search(r"^def %s\(" % name, source.read_text(encoding="utf-8"), re.M):
            missing.append("%s::%s" % (path, name))
    assert missing == []
