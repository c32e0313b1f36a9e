# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The reports ("API events") the simulated PBX POSTs to the applications that logged in with a ``port``.

From the vendor pages (spec section C): a login (v1 or v2) naming ``port`` makes the PBX
report to ``http://{IP of the login request}:{port}/{url}``; with ``urltag`` "1" the ``url``
is absolute (``"110.22.2.3:8260/report"``). A heartbeat may move the target (``ipaddr``,
``port``, ``url``, ``urltag``; v1 spells the last ``urlflag``). Each report is a POST with
``User-Agent: WebAPI``, ``Content-Type: application/json``, ``Accept: application/json``
and a JSON body carrying ``sn``, on a new connection; one that did not get 200 is sent
again; reports only flow while the token lives. The body names the report under ``event``
after a v2 login that sent ``version: "2.0.0"``, under ``action`` otherwise (v1, or v2
without ``version``). Reports made here: ``ExtensionStatus`` {extension, status},
``ConfigChange`` {type "extension", extid, operation "add"/"del"/"update"} and ``BootUp``.

Choices where the vendor pages are silent or say "unconfirmed":

- A login without ``port`` (allowed on v2) sets no target: no reports, although the v2
  page calls 8260 the default. A port that is not a number from 1 to 65535 sets no target
  either; the login itself still succeeds.
- ``url`` without a leading slash gets one; no ``url`` means ``/``. An absolute ``url``
  may start with ``http://`` (dropped); without a port it uses the ``port`` field; without
  a path it posts to ``/``. ``urltag`` "1" without ``url`` is the relative form.
- Heartbeat: the body is optional (as in the simulator's API); the fields it names replace
  those of the login, ``ipaddr`` replaces the login request's IP (only the relative form
  uses it). A v2 heartbeat with ``version`` "2.0.0" switches to ``event``, another
  ``version`` to ``action``. v1 heartbeats read ``urlflag`` only (a ``urltag`` there is
  ignored, and a ``url`` without ``urlflag`` is relative, the field's default).
- Every extension is monitored (Extension Status Monitor ticked for all). Every live
  target gets every report, the one whose call caused it included.
- ExtensionStatus comes from the admin call ``extension-status`` (``set_extension_status``)
  and is sent on every such call, even when the status does not change, so a test can
  make the PBX say "1006 is Unregistered" whatever the seed said. The list status
  (extensionlist/query, extension/list) becomes that status, but ``Unregistered`` is listed
  as ``Unavailable`` (the list's word). ``event`` reports (v2) never say ``Idle``, which the
  v2 page does not list: an extension going Idle is reported ``Registered``, as v2 reports
  a busy extension turning idle.
- ConfigChange follows every successful extension/update (v1 and v2; ``extid`` is the
  number after the update, so a v1 renumbering names the new number), v2 extension/add
  and extension/delete (one report per extension, ``"all"`` included). Applied changes
  that a fault (``process``) answers with an error are reported too: the PBX did change.
- A report answered 200 counts as use of its token (the v1 page says so; v2 assumed).
  A dead token (expired, revoked, logged out) loses its pending reports before their next
  attempt. Reports to one token leave in order; a report being resent holds back the later ones.
- ``restart`` (admin ``restart``): every token is forgotten, then ``BootUp`` goes to every
  distinct target that had a live token before (the PBX remembers where it reports). With no
  token to die, a BootUp is tried at most ``BOOTUP_MAX_ATTEMPTS`` times.
- ``sn`` is a setting (default "369451090405", the vendor's sample), ``report_retry_interval``
  too (seconds between attempts, default 1). Values are strings, as in the vendor samples.
"""

from __future__ import annotations

import dataclasses
import urllib.parse

from .yeastar_rules import as_text

STATUSES = ("Registered", "Unregistered", "Ringing", "Busy", "Idle")
LIST_STATUS = {"Unregistered": "Unavailable"}
TARGET_FIELDS = ("port", "url", "urltag")
BOOTUP_MAX_ATTEMPTS = 10
V2_VERSION = "2.0.0"


@dataclasses.dataclass(frozen=True)
class ReportTarget:
    """Where reports go and which key names them ("event" or "action")."""

    host: str
    port: int
    path: str
    key: str

    @property
    def url(self):
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "http://%s:%d%s" % (host, self.port, self.path)


def key_for_version(version):
    """``event`` for a v2 login naming version 2.0.0, else ``action``."""
    return "event" if as_text(version) == V2_VERSION else "action"


def parse_port(value):
    text = as_text(value)
    if text is None or not text.strip().isdigit():
        return None
    port = int(text)
    return port if 0 < port < 65536 else None


def resolve(spec):
    """The ReportTarget of a token's fields {"ip", "key", "port", "url", "urltag"}, or None."""
    port = parse_port(spec.get("port"))
    if port is None:
        return None
    url = (as_text(spec.get("url")) or "").strip()
    if url and (as_text(spec.get("urltag")) or "").strip() == "1":
        return absolute_target(url, port, spec["key"])
    return ReportTarget(spec["ip"], port, "/" + url.lstrip("/"), spec["key"])


def absolute_target(url, port, key):
    """``host[:port][/path]`` (``http://`` allowed) -> ReportTarget; None when it names no host."""
    text = url.split("://", 1)[1] if "://" in url else url
    address, _slash, path = text.partition("/")
    try:
        parsed = urllib.parse.urlsplit("//" + address)
        host, port = parsed.hostname, parsed.port or port
    except ValueError:
        return None
    return ReportTarget(host, port, "/" + path, key) if host else None


def report_body(key, name, sn, fields=None):
    body = {key: name}
    body.update(fields or {})
    body["sn"] = sn
    return body


def reported_status(key, status):
    return "Registered" if key == "event" and status == "Idle" else status


class ReportHub:
    """Each token's report target and the reports made for them. Callers hold the API lock;
    ``alive`` is the list of live tokens, the sender delivers."""

    def __init__(self, sender, sn):
        self.sender = sender
        self._sn = sn  # callable: the serial number setting
        self._specs = {}  # token -> {"ip", "key", "port", "url", "urltag"} as sent

    def login(self, token, client_ip, data, key):
        spec = {"ip": client_ip, "key": key}
        spec.update((name, data[name]) for name in TARGET_FIELDS if name in data)
        self._specs[token] = spec

    def heartbeat(self, token, client_ip, data, key=None):
        spec = self._specs.setdefault(token, {"ip": client_ip, "key": "action"})
        spec.update((name, data[name]) for name in TARGET_FIELDS if name in data)
        if as_text(data.get("ipaddr")):
            spec["ip"] = as_text(data["ipaddr"]).strip()
        if key is not None:
            spec["key"] = key

    def forget(self, token):
        self._specs.pop(token, None)
        self.sender.drop(token)

    def forget_all(self):
        self._specs.clear()
        self.sender.drop_all()

    def targets(self, alive):
        """{token: ReportTarget} of the live tokens that have one."""
        found = {token: resolve(self._specs[token]) for token in alive if token in self._specs}
        return {token: target for token, target in found.items() if target is not None}

    def extension_status(self, alive, number, status):
        for token, target in self.targets(alive).items():
            fields = {"extension": number, "status": reported_status(target.key, status)}
            self._send(token, target, "ExtensionStatus", fields)

    def config_change(self, alive, numbers, operation):
        for token, target in self.targets(alive).items():
            for number in numbers:
                self._send(token, target, "ConfigChange", {"type": "extension", "extid": number, "operation": operation})

    def restart(self, alive):
        """Forget every target and pending report, then BootUp to each distinct target that was live."""
        targets = list(dict.fromkeys(self.targets(alive).values()))
        self._specs.clear()
        self.sender.drop_all()
        for target in targets:
            body = report_body(target.key, "BootUp", self._sn())
            self.sender.submit(("BootUp", target), target, body, None, BOOTUP_MAX_ATTEMPTS)
        return targets

    def _send(self, token, target, name, fields):
        self.sender.submit(token, target, report_body(target.key, name, self._sn(), fields), token)
