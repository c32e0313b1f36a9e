# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The extension store of the simulated PBX, and its optional state file."""

from __future__ import annotations

import copy
import json
import os
import tempfile
import threading

from .yeastar_seed import FIELDS, LIST_FIELDS, complete, generated, load_file, vendor_sample


def number_key(number):
    """Extension-number order: numerically, then as text."""
    return (int(number), number) if number.isdigit() else (float("inf"), number)


def _pick(record, fields, extras=False):
    """Answer item: ``fields`` in order (``port`` for FXS only), then any extra raw keys."""
    item = {key: record.get(key, "") for key in fields if key != "port" or record.get("type") == "FXS"}
    if extras:
        item.update((key, value) for key, value in record.items() if key not in item and key != "port")
    return item


class ExtensionStore:
    """Extension records by number; thread-safe; saved to ``state_file`` after each change."""

    def __init__(self, records, state_file=None):
        self._lock = threading.RLock()
        self._records = {}
        self.state_file = state_file
        self._set_all(records)

    @classmethod
    def from_options(cls, extensions=None, first_extension=1000, seed_file=None, state_file=None):
        """State file if it exists, else seed file, else ``extensions`` (a count or records), else the vendor sample."""
        if state_file and os.path.exists(state_file):
            records = load_file(state_file, raw=True)
        elif seed_file:
            records = load_file(seed_file)
        elif isinstance(extensions, int) and not isinstance(extensions, bool):
            records = generated(extensions, first_extension)
        elif extensions is not None:
            records = [complete(item) for item in extensions]
        else:
            records = vendor_sample()
        return cls(records, state_file)

    def _set_all(self, records):
        table = {}
        for record in records:
            if record["extnumber"] in table:
                raise ValueError("duplicate extension number %s" % record["extnumber"])
            table[record["extnumber"]] = dict(record)
        self._records = table

    @property
    def lock(self):
        return self._lock

    def numbers(self):
        with self._lock:
            return sorted(self._records, key=number_key)

    def number_set(self):
        """Every extension number, unordered (membership tests without sorting)."""
        with self._lock:
            return set(self._records)

    def get(self, number):
        """A copy of one record, or None."""
        with self._lock:
            record = self._records.get(number)
            return copy.deepcopy(record) if record is not None else None

    def all(self):
        """Copies of every record in extension-number order."""
        with self._lock:
            return [copy.deepcopy(self._records[number]) for number in self.numbers()]

    def list_items(self):
        """The extlist of extensionlist/query, in extension-number order."""
        with self._lock:
            return [_pick(self._records[number], LIST_FIELDS) for number in self.numbers()]

    def info_items(self, numbers, omit_empty=False):
        """The extinfos of extension/query for ``numbers`` that exist, in extension-number order;
        with ``omit_empty``, without the fields whose value is blank."""
        with self._lock:
            wanted = sorted({number for number in numbers if number in self._records}, key=number_key)
            items = [_pick(self._records[number], FIELDS, extras=True) for number in wanted]
        if omit_empty:
            items = [{key: value for key, value in item.items() if value != ""} for item in items]
        return items

    def apply(self, extid, changes):
        """Write validated changes (maybe a new ``extnumber``) to extension ``extid``, then save."""
        with self._lock:
            record = self._records.pop(extid)
            record.update(changes)
            self._records[record["extnumber"]] = record
            self.save()

    def replace(self, records):
        with self._lock:
            self._set_all(records)
            self.save()

    def patch(self, number, fields):
        """Set raw values (no validation at all) on one record."""
        with self._lock:
            if number not in self._records:
                raise KeyError("no extension %s" % number)
            record = dict(self._records[number], **fields)
            new_number = str(record.get("extnumber", number))
            if new_number != number and new_number in self._records:
                raise ValueError("extension %s exists already" % new_number)
            del self._records[number]
            self._records[new_number] = record
            self.save()

    def add(self, records):
        with self._lock:
            for record in records:
                if record["extnumber"] in self._records:
                    raise ValueError("extension %s exists already" % record["extnumber"])
            for record in records:
                self._records[record["extnumber"]] = dict(record)
            self.save()

    def delete(self, numbers):
        with self._lock:
            for number in numbers:
                self._records.pop(str(number), None)
            self.save()

    def save(self):
        """Write the state file atomically (temporary file, then rename)."""
        if not self.state_file:
            return
        with self._lock:
            text = json.dumps({"extensions": self.all()}, indent=2, ensure_ascii=False)
            directory = os.path.dirname(os.path.abspath(self.state_file))
            handle, temporary = tempfile.mkstemp(prefix=".state-", dir=directory)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    stream.write(text + "\n")
                    stream.flush()
                    os.fsync(stream.fileno())
                os.replace(temporary, self.state_file)
            except BaseException:
                os.unlink(temporary)
                raise
