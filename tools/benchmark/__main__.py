# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`python tools/benchmark [options]`: runs the benchmark package as a program."""

import pathlib
import sys

# Run as a directory, Python puts the package itself first on sys.path; its parent belongs there instead.
sys.path[0] = str(pathlib.Path(__file__).resolve().parent.parent)

from benchmark.cli import main  # noqa: E402  (needs the path above)

sys.exit(main())
