# Copyright (c) voiceops.pbx contributors
# BSD 2-Clause License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
#
# Private to the voiceops.pbx collection: no compatibility promise outside it.

"""Long lists in short messages: the first few items and a count; the full list stays in the result."""

from __future__ import annotations

# Items a message names before it counts the rest. A bulk task of 5,000 extensions used to fail
# with a message of half a megabyte.
SHOWN = 5


def brief(items, key, separator="; ", shown=SHOWN):
    """The first items of a list joined for a message, then how many more there are and the result
    key that holds them all, e.g. "a; b; c; d; e; ... and 4,995 more; every one is in `problems`"."""
    items = [str(item) for item in items]
    if len(items) <= shown:
        return separator.join(items)
    return "%s%s... and %s more; every one is in `%s`" % (
        separator.join(items[:shown]), separator, format(len(items) - shown, ","), key)
