# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tokens, login lockout and the update rate limit. Callers hold the API lock."""

from __future__ import annotations

import collections

from .tokens import TokenTable

NO_SUCH_TOKEN = "20004"
TOKEN_BLANK = "20005"
TOKEN_EXPIRED = "20006"


class TokenStore(TokenTable):
    """Tokens live ``lifetime`` seconds after their last use; expired ones answer 20006, unknown 20004."""

    clock_key = "last"

    def issue(self, now, lifetime):
        return self._issue(now, lifetime)

    def check(self, token, now, lifetime):
        """Return None and refresh the token when it is alive, else the errno."""
        if not token:
            return TOKEN_BLANK
        entry = self._tokens.get(token)
        if entry is None:
            return NO_SUCH_TOKEN
        if entry["expired"] or now - entry["last"] > lifetime:
            entry["expired"] = True
            return TOKEN_EXPIRED
        entry["last"] = now
        return None

    def revoke(self, token=None):
        """Forget one token (or all), so it answers 20004; return how many."""
        if token:
            return 1 if self._tokens.pop(token, None) is not None else 0
        count = len(self._tokens)
        self._tokens = {}
        return count

    def alive(self, now, lifetime):
        return [token for token, entry in self._tokens.items() if not entry["expired"] and now - entry["last"] <= lifetime]

    def summary(self, now, lifetime):
        alive = self.alive(now, lifetime)
        return {"active": len(alive), "expired": len(self._tokens) - len(alive),
                "prefixes": sorted(token[:4] for token in alive)}


class LoginGuard:
    """Consecutive failed logins per client IP; after ``max_failures`` the IP is blocked."""

    def __init__(self):
        self._failures = {}
        self._blocked_until = {}

    def blocked(self, ip, now):
        until = self._blocked_until.get(ip)
        if until is None:
            return False
        if now < until:
            return True
        del self._blocked_until[ip]
        self._failures.pop(ip, None)
        return False

    def failed(self, ip, now, max_failures, lockout_seconds):
        self._failures[ip] = self._failures.get(ip, 0) + 1
        if max_failures and self._failures[ip] >= max_failures:
            self._blocked_until[ip] = now + lockout_seconds

    def succeeded(self, ip):
        self._failures.pop(ip, None)

    def unblock(self, ip=None):
        if ip:
            self._failures.pop(ip, None)
            self._blocked_until.pop(ip, None)
        else:
            self._failures = {}
            self._blocked_until = {}

    def summary(self, now):
        ips = set(self._failures) | set(self._blocked_until)
        return {ip: {"failures": self._failures.get(ip, 0),
                     "blocked_seconds_left": max(0.0, round(self._blocked_until.get(ip, now) - now, 3))}
                for ip in sorted(ips)}


class RateLimiter:
    """At most ``count`` applied changes per ``seconds`` (sliding window); None means no limit."""

    def __init__(self):
        self._stamps = collections.deque()

    def allows(self, now, limit):
        if not limit:
            return True
        count, seconds = limit
        while self._stamps and now - self._stamps[0] >= seconds:
            self._stamps.popleft()
        return len(self._stamps) < count

    def record(self, now):
        self._stamps.append(now)
        while len(self._stamps) > 10000:
            self._stamps.popleft()
