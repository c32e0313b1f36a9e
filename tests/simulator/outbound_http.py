# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""HTTP side of the Predictive Outbound simulator: form bodies, service counters, PhalApi-shaped faults.

A call is counted, faulted and logged under its ``service`` field (not its path), so the
request handler reads the form before anything else. Admin calls are left to the shared handler.
"""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from urllib.parse import parse_qs

from .httpbase import JSON_TYPE, SimRequestHandler, encode_json

NO_SERVICE = "(no service)"


def _first_values(text):
    return {key: values[0] for key, values in parse_qs(text, keep_blank_values=True).items()}


def _multipart(content_type, body):
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
    if not message.is_multipart():
        raise ValueError("unreadable multipart/form-data body")
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name is None or name in fields:
            continue
        payload = part.get_payload(decode=True) or b""
        fields[name] = payload.decode(part.get_content_charset() or "utf-8")
    return fields


def read_form(content_type, body, query=""):
    """Form fields (first value of each) of an urlencoded or multipart body; query fields fill in, as PHP's $_REQUEST.

    Any other content type (JSON included) is not read as fields. ``ValueError`` on an unreadable body.
    """
    fields = {}
    kind = content_type.split(";", 1)[0].strip().lower()
    try:
        if kind == "multipart/form-data":
            fields = _multipart(content_type, body)
        elif kind in ("", "application/x-www-form-urlencoded"):
            fields = _first_values(body.decode("utf-8"))
    except (UnicodeError, LookupError) as error:
        raise ValueError("unreadable form body: %s" % error)
    for key, value in _first_values(query).items():
        fields.setdefault(key, value)
    return fields


class OutboundRequestHandler(SimRequestHandler):
    """API calls: read the form, count and fault by service, answer HTTP 200 with the PhalApi envelope."""

    def _serve_api(self, url, body, started):
        app = self.server.app
        client_ip = self.client_address[0]
        problem = None
        try:
            form = read_form(self.headers.get("Content-Type", ""), body, url.query)
        except ValueError as error:
            form, problem = {}, str(error)
        endpoint = form.get("service", "").strip() or NO_SERVICE
        self._answer_call(endpoint, form.get("token", ""), started,
                          lambda: app.handle_form(self.command, form, client_ip, problem))

    def _send_fault(self, fault, payload):
        """``errno`` and ``truncate`` answer in the PhalApi envelope; the other kinds as everywhere."""
        app = self.server.app
        if fault.kind == "errno":
            self._send(200, encode_json(app.fault_answer(fault.errno)), JSON_TYPE)
            return fault.errno
        if fault.kind == "truncate" and payload is None:
            payload = app.fault_answer("500")
        return super()._send_fault(fault, payload)
