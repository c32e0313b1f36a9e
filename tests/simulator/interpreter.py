# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which Python runs the simulator: the project's .venv, which has trustme (TLS) and PyYAML (YAML seeds)."""

from __future__ import annotations

import importlib.util
import os
import sys
import textwrap

# tests/simulator/interpreter.py -> the checkout (tests/..) -> its .venv, made by `make demo` or tools/venv.sh
CHECKOUT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV_PYTHON = os.path.join(CHECKOUT, ".venv", "bin", "python")
NEEDED = (("trustme", "for HTTPS, the default"), ("yaml", "for YAML seed files"))


def venv_command():
    """How to start the simulator with the project's venv, from tests/."""
    return "%s -m simulator" % os.path.relpath(VENV_PYTHON, os.path.join(CHECKOUT, "tests"))


def missing_module_message(module, executable=None):
    """One line for a simulator that cannot start because this Python lacks ``module``."""
    return ("this Python (%s) has no module %r; start the simulator with the project's venv, from tests/: "
            "%s ... (`make demo` creates .venv)" % (executable or sys.executable, module, venv_command()))


def help_text(executable=None):
    """What --help says about the interpreter, with the modules this one lacks."""
    missing = ["%s (%s)" % (module, purpose) for module, purpose in NEEDED if importlib.util.find_spec(module) is None]
    state = "it lacks " + " and ".join(missing) if missing else "it has trustme and PyYAML"
    return textwrap.fill("Run it with the project's venv, from tests/: %s (`make demo` creates .venv). This Python is %s:"
                         " %s." % (venv_command(), executable or sys.executable, state), 100)
