# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The variables of the test command's caller that ansible-test units keeps from pytest.

ansible-test runs pytest with an environment of its own (PATH, HOME, a locale and its own
settings): CI and VOICEOPS_HYPOTHESIS_EXAMPLES of the caller would not reach the tests. tools/test.sh
writes them into tests/output/units-environment.json of the collection copy before it runs
ansible-test units; this file, loaded before the test modules below it are imported, puts them
back. A variable already set (a plain pytest run) is left as it is.
"""

from __future__ import annotations

import json
import os
import pathlib

UNITS_ENVIRONMENT = pathlib.Path(os.path.abspath(__file__)).parents[2] / "output" / "units-environment.json"


def restore_environment(path, environ):
    """Set in environ each variable recorded in the JSON object of path that environ lacks."""
    try:
        with open(path, encoding="utf-8") as handle:
            recorded = json.load(handle)
    except FileNotFoundError:
        return
    for name, value in recorded.items():
        environ.setdefault(name, value)


restore_environment(UNITS_ENVIRONMENT, os.environ)
