# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The token table both simulated APIs keep. Callers hold their API's lock."""

from __future__ import annotations

import secrets

FORGET_AFTER = 24 * 3600


class TokenTable:
    """Issued tokens and what is known of each. A token's age counts from the time stored under
    ``clock_key``; how long it lives is the subclass's rule. Tokens long past their lifetime are
    forgotten when a new one is issued."""

    clock_key = "issued"

    def __init__(self):
        self._tokens = {}

    def _issue(self, now, lifetime, **details):
        for token, entry in list(self._tokens.items()):
            if now - entry[self.clock_key] > lifetime + FORGET_AFTER:
                del self._tokens[token]
        token = secrets.token_hex(16)
        self._tokens[token] = dict(details, expired=False, **{self.clock_key: now})
        return token

    def discard(self, token):
        self._tokens.pop(token, None)

    def expire(self, token=None):
        """Make one token (or all) answer as timed out from now on; return how many were alive."""
        count = 0
        for name in [token] if token else list(self._tokens):
            entry = self._tokens.get(name)
            if entry is not None and not entry["expired"]:
                entry["expired"] = True
                count += 1
        return count
