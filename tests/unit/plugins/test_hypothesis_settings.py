# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Hypothesis properties draw the same examples on every CI run (derandomized), new ones elsewhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import ansible_collections
import pytest

MODULES = [
    "ansible_collections.voiceops.pbx.tests.unit.plugins.modules.test_yeastar_extension_input",
    "ansible_collections.voiceops.pbx.tests.unit.plugins.module_utils.test_yeastar_field_rules",
    "ansible_collections.voiceops.pbx.tests.unit.plugins.module_utils.test_yeastar_api_v2",
]
PROBE = ("import importlib, json, sys\n"
         "print(json.dumps([importlib.import_module(name).PROPERTY.derandomize for name in sys.argv[1:]]))")


def derandomized(ci):
    """PROPERTY.derandomize of each module, imported by a fresh Python with or without CI."""
    env = {name: value for name, value in os.environ.items() if name != "CI"}
    roots = [os.path.dirname(path) for path in ansible_collections.__path__]  # each holds an ansible_collections/
    env["PYTHONPATH"] = os.pathsep.join(roots + [path for path in sys.path if path])
    if ci is not None:
        env["CI"] = ci
    probe = subprocess.run([sys.executable, "-c", PROBE] + MODULES, env=env, capture_output=True, text=True,
                           timeout=120, check=False)
    assert probe.returncode == 0, probe.stderr
    return json.loads(probe.stdout.splitlines()[-1])


@pytest.mark.parametrize("ci, expected", [("true", True), (None, False)])
def test_the_properties_are_derandomized_exactly_when_ci_is_set(ci, expected):
    assert derandomized(ci) == [expected] * len(MODULES)
