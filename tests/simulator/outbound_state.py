# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Registration state of the Predictive Outbound extensions, seeds and scheduled changes.

One state per extension number::

    {"registered": bool, "enabled": bool, "owned": bool, "clientip": str or None, "serverip": str or None}

``clientip`` and ``serverip`` are None exactly when the extension is not registered. The
store is not locked: the API holds its lock around every use.
"""

from __future__ import annotations

import heapq
import itertools

from .yeastar_seed import generated, vendor_sample

SERVER_IP = "192.168.5.150"
# Yeastar statuses that mean a live SIP/IAX registration; FXS ports never register over SIP.
_ONLINE = ("Registered", "Ringing", "Busy", "Hold")
_STATE_KEYS = ("registered", "enabled", "owned", "clientip", "serverip")


def number_key(number):
    return (len(number), number)


def client_ip_for(number):
    """A plausible, stable phone address: 1002 -> 192.168.5.102, 1100 -> 192.168.6.100."""
    value = int(number)
    block, host = divmod(value, 100)
    return "192.168.%d.%d" % (5 + (block - 10) % 240, 100 + host)


def check_number(number):
    """An extension number as a string of digits, else ``ValueError``."""
    if isinstance(number, int) and not isinstance(number, bool):
        number = str(number)
    if not isinstance(number, str) or not number.isdigit():
        raise ValueError("an extension number must be digits: %r" % (number,))
    return number


def _check_ip(value, name):
    if value is not None and (not isinstance(value, str) or not value):
        raise ValueError("%s must be a non-empty string or null" % name)
    return value


def _check_keys(keys):
    unknown = set(keys) - set(_STATE_KEYS)
    if unknown:
        raise ValueError("unknown extension keys: %s" % ", ".join(sorted(unknown)))


def make_state(number, registered=True, enabled=True, owned=True, clientip=None, serverip=None):
    """A complete, consistent state; addresses are filled in (or cleared) to match ``registered``."""
    for name, value in (("registered", registered), ("enabled", enabled), ("owned", owned)):
        if not isinstance(value, bool):
            raise ValueError("%s must be true or false" % name)
    if not registered:
        return {"registered": False, "enabled": enabled, "owned": owned, "clientip": None, "serverip": None}
    return {"registered": True, "enabled": enabled, "owned": owned,
            "clientip": _check_ip(clientip, "clientip") or client_ip_for(number),
            "serverip": _check_ip(serverip, "serverip") or SERVER_IP}


def state_from(item):
    """(number, state) from a number, or a dict with ``extnumber`` and state keys or Yeastar ``status``/``type``.

    A bare number is registered; a Yeastar record is registered when its status is live and it is not FXS.
    """
    if not isinstance(item, dict):
        return check_number(item), make_state(check_number(item))
    number = check_number(item.get("extnumber"))
    if "status" in item or "type" in item:
        registered = item.get("status") in _ONLINE and item.get("type", "SIP") != "FXS"
        return number, make_state(number, registered=registered)
    _check_keys(set(item) - {"extnumber"})
    return number, make_state(number, **{key: item[key] for key in _STATE_KEYS if key in item})


class Registrations:
    """Extension states by number, plus changes scheduled on the API clock."""

    def __init__(self, items):
        self._states = {}
        self._schedule = []
        self._on_query = {}  # number: [[status queries still to come, changes], ...]
        self._sequence = itertools.count()
        self.epoch = 0  # grows when extensions are added; tokens issued earlier answer 1010
        self.replace(items)

    @classmethod
    def from_options(cls, extensions=None, first_extension=1000):
        """``extensions``: None (the Yeastar vendor sample's numbers), a count, or a list of items (see ``state_from``)."""
        if extensions is None:
            items = vendor_sample()
        elif isinstance(extensions, int) and not isinstance(extensions, bool):
            items = generated(extensions, first_extension)
        else:
            items = list(extensions)
        return cls(items)

    def numbers(self):
        return sorted(self._states, key=number_key)

    def get(self, number):
        state = self._states.get(number)
        return dict(state) if state is not None else None

    def all(self):
        return {number: dict(self._states[number]) for number in self.numbers()}

    def replace(self, items):
        """Set every extension at once; drops the schedule. New numbers count as added."""
        table = {}
        for item in items:
            number, state = state_from(item)
            if number in table:
                raise ValueError("duplicate extension number %s" % number)
            table[number] = state
        if self._states and set(table) - set(self._states):
            self.epoch += 1
        self._states = table
        self._schedule = []
        self._on_query = {}

    def add(self, item):
        number, state = state_from(item)
        if number in self._states:
            raise ValueError("extension %s exists already" % number)
        self._states[number] = state
        self.epoch += 1
        return number

    def remove(self, number):
        if self._states.pop(check_number(number), None) is None:
            raise KeyError("no extension %s" % number)

    def update(self, number, **changes):
        """Change some of registered, enabled, owned, clientip, serverip; addresses follow ``registered``."""
        number = check_number(number)
        if number not in self._states:
            raise KeyError("no extension %s" % number)
        _check_keys(changes)
        current = self._states[number]
        merged = dict(current, **changes)
        if merged["registered"] and not current["registered"]:
            merged["clientip"] = changes.get("clientip")
            merged["serverip"] = changes.get("serverip")
        self._states[number] = make_state(number, **merged)
        return dict(self._states[number])

    def schedule(self, number, due, **changes):
        """Apply ``changes`` (as ``update``) once the clock reaches ``due``."""
        number = check_number(number)
        if number not in self._states:
            raise KeyError("no extension %s" % number)
        _check_keys(changes)
        make_state(number, **dict(self._states[number], **changes))  # validate now, not when due
        heapq.heappush(self._schedule, (due, next(self._sequence), number, changes))

    def schedule_on_query(self, number, queries, **changes):
        """Apply ``changes`` (as ``update``) just before the ``queries``-th status query naming ``number`` is answered,
        so that answer shows them: the same round for any client, whatever its timing or batching."""
        number = check_number(number)
        if number not in self._states:
            raise KeyError("no extension %s" % number)
        if isinstance(queries, bool) or not isinstance(queries, int) or queries < 1:
            raise ValueError("on_query must be a whole number of 1 or more")
        _check_keys(changes)
        make_state(number, **dict(self._states[number], **changes))
        self._on_query.setdefault(number, []).append([queries, changes])

    def queried(self, number):
        """One status query names ``number``: apply the changes whose query this is."""
        waiting = self._on_query.get(number)
        if not waiting:
            return
        for entry in waiting:
            entry[0] -= 1
        for _left, changes in [entry for entry in waiting if entry[0] <= 0]:
            if number in self._states:
                self.update(number, **changes)
        self._on_query[number] = [entry for entry in waiting if entry[0] > 0]

    def apply_due(self, now):
        """Apply every scheduled change whose time has come, oldest first; skip removed extensions."""
        while self._schedule and self._schedule[0][0] <= now:
            _due, _seq, number, changes = heapq.heappop(self._schedule)
            if number in self._states:
                self.update(number, **changes)

    def scheduled(self, now):
        timed = [dict(changes, extnumber=number, in_seconds=round(max(0.0, due - now), 3))
                 for due, _seq, number, changes in sorted(self._schedule)]
        return timed + [dict(changes, extnumber=number, on_query=left)
                        for number in sorted(self._on_query, key=number_key) for left, changes in self._on_query[number]]

    def clear_schedule(self):
        self._schedule = []
        self._on_query = {}
