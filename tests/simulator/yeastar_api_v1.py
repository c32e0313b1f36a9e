# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The endpoints of API v1.x: extensions named by ``extid``, answers keyed ``extnumber`` and ``moblie``.

login needs ``username``, ``password`` and ``port``; apply, extensionlist/query,
extension/query and extension/update complete the set (no add, no delete).
"""

from __future__ import annotations

from .yeastar_endpoints import SUCCESS, Endpoints, failed
from .yeastar_rules import as_text, validate_update


class V1Endpoints(Endpoints):
    """Handlers of ``/api/v1.x/``."""

    login_fields = ("username", "password", "port")
    selector = "extid"

    def table(self):
        return dict(super().table(), **{
            "apply": self.apply, "extensionlist/query": self.list_extensions,
            "extension/query": self.query, "extension/update": self.update,
        })

    def heartbeat_target(self, data):
        """v1 heartbeats spell ``urltag`` as ``urlflag``: a ``urltag`` there is no heartbeat field and is
        ignored, and a ``url`` without ``urlflag`` takes the field's default, "0" (relative)."""
        fields = {name: value for name, value in data.items() if name not in ("urltag", "urlflag")}
        if "urlflag" in data:
            fields["urltag"] = data["urlflag"]
        elif "url" in data:
            fields["urltag"] = "0"
        return fields

    def apply(self, data, token, client_ip, now):
        if self.rate_limited(now):
            return failed("10025")
        return self.applied(now)

    def list_extensions(self, data, token, client_ip, now):
        return {"status": SUCCESS, "extlist": self.api.store.list_items()}

    def query(self, data, token, client_ip, now):
        store = self.api.store
        extid = data.get("extid")
        omit_empty = self.api.settings.omit_empty
        if extid is None:
            return {"status": SUCCESS, "extinfos": store.info_items(store.numbers(), omit_empty)}
        text = as_text(extid)
        if text is None:
            return failed("10002")
        wanted = [part.strip() for part in text.split(",") if part.strip()]
        items = store.info_items(wanted or store.numbers(), omit_empty)
        if wanted and not items:
            return failed("10006")
        return {"status": SUCCESS, "extinfos": items}

    def validate_update(self, record, fields, numbers):
        return validate_update(record, fields, numbers)
