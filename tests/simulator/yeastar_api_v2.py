# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The endpoints of API v2.0.0 over the same extension store as v1.x.

login (``username`` and ``password`` required; ``port``, ``version``, ``url``, ``urltag``
optional; the answer adds ``"transport":"HTTP"``), heartbeat (body optional), logout,
extension/list, extension/query, extension/update, extension/add and extension/delete.
Extensions are named by ``number``; answers say ``number`` where v1 says ``extnumber`` and
spell the mobile number as the setting ``v2_mobile_key`` says (``mobile`` or ``moblie``).

Choices where the vendor pages are silent:

- extension/query: ``number`` is required (missing or blank: 10004; neither a string nor an
  integer: 10002); ``"all"`` answers every extension, a comma list the existing ones in
  number order, and 10006 when none of them exists. ``loginpassword`` is its MD5 digest.
- extension/update: as v1 with ``number`` for ``extid`` and the v2 field rules
  (``yeastar_rules_v2``); ``extnumber`` is an unknown field (10017).
- extension/add: required fields (10004), then the number (10017), then ``max_extensions``
  (10017 once the PBX holds that many; 0 or None: no limit), then the update rate (10025),
  then the field and cross-field rules. A successful add counts against the update rate.
- extension/delete: ``number`` is ``"all"`` (every extension) or a comma list of numbers
  (digits only, else 10017); when one of them does not exist, 10006 and nothing is deleted.
  Deletes do not count against the update rate. The raw ``number`` of every delete call that
  passes the token check is appended to ``YeastarApi.delete_requests``.
"""

from __future__ import annotations

from .yeastar_endpoints import SUCCESS, Endpoints, failed
from .yeastar_reports import key_for_version
from .yeastar_rules import as_text, is_blank
from .yeastar_rules_v2 import check_new_number, validate_add, validate_update_v2


class V2Endpoints(Endpoints):
    """Handlers of ``/api/v2.0.0/``."""

    def table(self):
        return dict(super().table(), **{
            "extension/list": self.list_extensions, "extension/query": self.query, "extension/update": self.update,
            "extension/add": self.add, "extension/delete": self.delete,
        })

    def report_key(self, data):
        return key_for_version(data.get("version"))

    def heartbeat(self, data, token, client_ip, now):
        key = self.report_key(data) if "version" in data else None
        self.api.reports.heartbeat(token, client_ip, data, key)
        return {"status": SUCCESS}

    def login_answer(self, token):
        return dict(super().login_answer(token), transport="HTTP")

    def _item(self, record_item):
        """An extension/query item of v1 under v2 names."""
        names = {"extnumber": "number", "moblie": self.api.settings.v2_mobile_key}
        return {names.get(key, key): value for key, value in record_item.items()}

    def list_extensions(self, data, token, client_ip, now):
        items = []
        for record in self.api.store.all():
            item = {"number": record["extnumber"], "status": record.get("status", ""), "type": record.get("type", "")}
            if item["type"] == "FXS":
                item["port"] = record.get("port", "")
            item["username"] = record.get("username", "")
            if record.get("agentid"):
                item["agentid"] = record["agentid"]
            items.append(item)
        return {"status": SUCCESS, "extlist": items}

    def query(self, data, token, client_ip, now):
        store = self.api.store
        raw = data.get("number")
        text = as_text(raw)
        if raw is None or (text is not None and is_blank(text)):
            return failed("10004")
        if text is None:
            return failed("10002")
        wanted = store.numbers() if text.strip() == "all" else [part.strip() for part in text.split(",")]
        items = store.info_items(wanted, self.api.settings.omit_empty)
        if not items:
            return failed("10006")
        return {"status": SUCCESS, "extinfos": [self._item(item) for item in items]}

    def validate_update(self, record, fields, numbers):
        return validate_update_v2(record, fields, numbers, self.api.settings.strong_passwords)

    def add(self, data, token, client_ip, now):
        store, settings = self.api.store, self.api.settings
        numbers = store.number_set()
        errno = check_new_number(data, numbers)
        if errno:
            return failed(errno)
        if settings.max_extensions and len(numbers) >= settings.max_extensions:
            return failed("10017")
        if self.rate_limited(now):
            return failed("10025")
        errno, record = validate_add(data, numbers, settings.strong_passwords)
        if errno:
            return failed(errno)
        store.add([record])
        self.config_changed([record["extnumber"]], "add")
        return self.applied(now)

    def delete(self, data, token, client_ip, now):
        store = self.api.store
        raw = data.get("number")
        self.api.delete_requests.append(raw)
        text = as_text(raw)
        if raw is None or (text is not None and is_blank(text)):
            return failed("10004")
        if text is not None and text.strip() == "all":
            deleted = store.numbers()
            store.replace([])
            self.config_changed(deleted, "del")
            return {"status": SUCCESS}
        numbers = [part.strip() for part in text.split(",")] if text is not None else []
        if not numbers or not all(number.isascii() and number.isdigit() for number in numbers):
            return failed("10017")
        existing = store.number_set()
        if any(number not in existing for number in numbers):
            return failed("10006")
        store.delete(numbers)
        self.config_changed(list(dict.fromkeys(numbers)), "del")
        return {"status": SUCCESS}
