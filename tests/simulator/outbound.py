# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Simulator of the Predictive Outbound call-center API (PhalApi style), written from the vendor pages.

In-process use (pytest)::

    with OutboundSimulator() as sim:
        form = {"service": "App.Sip_Auth.Login", "appid": sim.appid, "accesskey": sim.accesskey}
        token = requests.post(sim.url, data=form).json()["data"]["result"]["token"]
        form = {"service": "App.Sip_Status.GetSipRegisterStatus", "token": token, "extnumber": "1002,1006"}
        assert [item["code"] for item in requests.post(sim.url, data=form).json()["data"]["result"]] == [1017, 1014]
        assert sim.counters == {"App.Sip_Auth.Login": 1, "App.Sip_Status.GetSipRegisterStatus": 1}

Plain HTTP by default, as the vendor's example (``http://127.0.0.1:8080``); ``tls=True``
serves HTTPS, with ``pki`` shared with the Yeastar simulator so one CA serves both.

Choices where the vendor pages are silent:

- Every call may use any path outside ``/__sim__/``; the ``service`` form field picks the
  operation. Urlencoded and multipart bodies are read (PHP's curl posts an array as
  multipart); fields in the query string fill in what the body lacks, as PHP's ``$_REQUEST``.
  A JSON body is not read as fields, so it answers ret 400 "missing parameter service".
- The HTTP status is always 200, also for ret 400/404/500/60x: PhalApi carries the status
  in ``ret``. Other methods than POST answer ret 400. The order of the checks: ``outbound_api``.
- A blank required field counts as missing (ret 400 naming it). ``extnumber`` is split on
  commas, blanks dropped, duplicates and request order kept, numbers echoed as sent.
- Login: an unknown ``appid`` is ret 601; a wrong ``accesskey`` is ret 200 with data.status 1,
  desc "Authorization failed", errors code "1003". Each login issues a new 32-hex token; the
  earlier ones stay valid. A token lives ``token_lifetime`` seconds (12 hours) from login,
  use does not extend it. Expired, logged-out and unknown tokens all answer ret 600; logout
  with such a token is ret 600 too.
- A business failure is ``data = {"status": 1, "desc", "errors": {"code", "codemsg"}, "reqtime", "rsptime"}``
  without ``result``; logout answers ``result: []``. reqtime/rsptime/authtime use the wall clock,
  token lifetimes and schedules the injectable ``clock``.
- Register status per number: 1012 unknown, else 1011 not owned, else 1013 disabled, else
  1017 registered or 1014 not; clientip/serverip only with 1017, else null. Valid status:
  1012, 1011, 1013 or 1016, items ``{extnumber, code}``. A disabled extension keeps its
  registration flag but reports 1013.
- Code 1010: when extensions are added (``add_extension``, admin ``add``, a ``replace`` with
  new numbers), tokens issued before answer data.status 1 / code 1010 on both status services
  until the client logs in again; logout still works. Off with ``relogin_after_add=False``.
- The default extensions are the numbers of the Yeastar simulator's sample (1000-1006):
  1002-1005 registered (clientip 192.168.5.102-105, serverip 192.168.5.150), the FXS ports
  1000/1001 and the unavailable 1006 not registered (FXS never registers over SIP). A count N
  uses the Yeastar generator (same numbers and live statuses as ``--extensions N``); a bare
  number in a list is registered; a newly added extension is not, unless said so.
- Counters, the call log and faults key calls by ``service`` ("(no service)" when absent).
  A fault of kind ``errno`` answers in the envelope: a 3-digit errno is that ``ret``
  (``{"errno": 600}`` -> ret 600, data []), any other a business failure (``{"errno": "1001"}``
  -> ret 200, data.status 1, errors.code "1001"); ``truncate`` without ``process`` cuts a ret 500
  answer. Call-log results: "ok", the ret ("600") or the business code ("1010").

Admin calls live under ``/__sim__/`` (see ``admin_routes`` and ``python -m simulator --help``);
they are neither counted nor hit by faults.
"""

from __future__ import annotations

import time

from .base import SimulatorBase
from .outbound_api import OutboundApi, OutboundSettings
from .outbound_http import OutboundRequestHandler, read_form
from .outbound_state import Registrations, check_number


class OutboundSimulator(SimulatorBase):
    """A Predictive Outbound API server on a free local port, for tests and demos."""

    name = "outbound"
    handler_class = OutboundRequestHandler

    def __init__(self, host="127.0.0.1", port=0, tls=False, pki=None, ca_path=None, cert_hostnames=None,
                 expired_cert=False, appid="voiceops", accesskey="Outbound@123", token_lifetime=43200,
                 refuse=None, allowed_ips=None, relogin_after_add=True, extensions=None, first_extension=1000,
                 latency=0.0, log=None, clock=time.monotonic, wall_clock=time.time):
        super().__init__(host=host, port=port, tls=tls, ca_path=ca_path, cert_hostnames=cert_hostnames,
                         expired_cert=expired_cert, pki=pki, log=log, latency=latency)
        settings = OutboundSettings(appid=appid, accesskey=accesskey, token_lifetime=token_lifetime, refuse=refuse,
                                    allowed_ips=allowed_ips, relogin_after_add=relogin_after_add)
        self.api = OutboundApi(Registrations.from_options(extensions, first_extension), settings, clock, wall_clock)
        self.api.on_error = lambda error: self.access_log.line("internal error: %s: %s" % (type(error).__name__, error))

    # server hooks

    def endpoint_of(self, path):
        """Calls are counted by service; the request handler reads it from the form."""
        return path

    def handle_api(self, method, path, query, body, client_ip):
        """An urlencoded body (the request handler calls ``handle_form`` itself)."""
        try:
            form = read_form("", body)
        except ValueError as error:
            return self.handle_form(method, {}, client_ip, str(error))
        for key, values in query.items():
            form.setdefault(key, values[0])
        return self.handle_form(method, form, client_ip)

    def handle_form(self, method, form, client_ip, problem=None):
        return self.api.handle(method, form, client_ip, problem)

    def fault_answer(self, code):
        return self.api.fault_answer(code)

    # helpers for tests

    @property
    def url(self):
        """Where every call is posted."""
        return self.base_url + "/"

    @property
    def appid(self):
        return self.api.settings.appid

    @property
    def accesskey(self):
        return self.api.settings.accesskey

    @property
    def settings(self):
        """Runtime settings (access key left out), a copy."""
        return self.api.settings.as_dict()

    def configure(self, **values):
        """Change settings while running: appid, accesskey, token_lifetime, refuse (None, 601-604 or
        {service: code}), allowed_ips, relogin_after_add, company_code, company_name."""
        with self.api.lock:
            self.api.settings.update(values)
            return self.api.settings.as_dict()

    def inject(self, kind, endpoint=None, count=1, service=None, **options):
        """Queue a fault for one service (``service`` or ``endpoint``) or every call; see ``faults``.

        An ``errno`` of 3 digits answers that ``ret`` (e.g. 600); any other a business failure (e.g. "1001").
        """
        return super().inject(kind, endpoint=service or endpoint, count=count, **options)

    # tokens

    @property
    def tokens(self):
        """Tokens alive now, in full."""
        with self.api.lock:
            return self.api.tokens.alive(self.api.clock(), self.api.settings.token_lifetime)

    def issue_token(self):
        """A fresh token, as a login would give (not counted)."""
        with self.api.lock:
            return self.api.tokens.issue(self.api.clock(), self.api.settings.token_lifetime, self.api.store.epoch)

    def expire_tokens(self, token=None):
        """Make one token, or all, answer ret 600; return how many."""
        with self.api.lock:
            return self.api.tokens.expire(token)

    def require_relogin(self):
        """Make every token issued so far answer 1010 on the status services (as an added extension does)."""
        with self.api.lock:
            self.api.store.epoch += 1

    # extensions

    @property
    def registrations(self):
        """``{number: state}`` for every extension, due schedules applied, a copy."""
        with self.api.lock:
            self.api.store.apply_due(self.api.clock())
            return self.api.store.all()

    def extension(self, number):
        """The state of one extension (a copy) or None."""
        with self.api.lock:
            self.api.store.apply_due(self.api.clock())
            return self.api.store.get(check_number(number))

    @property
    def scheduled(self):
        """Pending scheduled changes with the seconds left."""
        with self.api.lock:
            return self.api.store.scheduled(self.api.clock())

    def set_registration(self, number, registered=True, clientip=None, serverip=None):
        """Register (addresses default to plausible ones) or unregister an extension; return its state."""
        changes = {"registered": registered}
        changes.update((key, value) for key, value in (("clientip", clientip), ("serverip", serverip)) if value)
        with self.api.lock:
            return self.api.store.update(number, **changes)

    def set_enabled(self, number, enabled=True):
        with self.api.lock:
            return self.api.store.update(number, enabled=enabled)

    def set_owned(self, number, owned=True):
        with self.api.lock:
            return self.api.store.update(number, owned=owned)

    def schedule(self, number, after_seconds, registered=True, clientip=None, **changes):
        """E.g. ``schedule("1006", 3)``: extension 1006 registers 3 seconds from now (on the simulator clock)."""
        changes["registered"] = registered
        if clientip:
            changes["clientip"] = clientip
        with self.api.lock:
            self.api.store.schedule(number, self.api.clock() + float(after_seconds), **changes)

    def schedule_on_query(self, number, queries, registered=True, **changes):
        """E.g. ``schedule_on_query("1006", 4)``: the 4th status query naming 1006 finds it registered, whatever
        the timing of the client's rounds."""
        with self.api.lock:
            self.api.store.schedule_on_query(number, queries, registered=registered, **changes)

    def add_extension(self, number, registered=False, enabled=True, owned=True, clientip=None, serverip=None):
        """A new extension; tokens issued before it answer 1010 (see ``relogin_after_add``)."""
        item = {"extnumber": number, "registered": registered, "enabled": enabled, "owned": owned,
                "clientip": clientip, "serverip": serverip}
        with self.api.lock:
            return self.api.store.add(item)

    def remove_extension(self, number):
        """Forget an extension: it answers 1012 from now on."""
        with self.api.lock:
            self.api.store.remove(number)

    def set_extensions(self, extensions, first_extension=1000):
        """Replace every extension: a count, or a list of numbers / state dicts; drops the schedule."""
        fresh = Registrations.from_options(extensions, first_extension)
        with self.api.lock:
            self.api.store.replace([dict(state, extnumber=number) for number, state in fresh.all().items()])

    # admin paths

    def admin_routes(self):
        routes = super().admin_routes()
        routes.update({
            ("GET", "tokens"): self._admin_tokens,
            ("POST", "expire-tokens"): lambda body: {"status": "ok", "expired": self.expire_tokens(_opt(body, "token"))},
            ("POST", "require-relogin"): self._admin_require_relogin,
            ("GET", "settings"): lambda body: self.settings,
            ("POST", "settings"): lambda body: self.configure(**(body or {})),
            ("GET", "registrations"): lambda body: {"extensions": self.registrations, "scheduled": self.scheduled},
            ("POST", "registrations"): self._admin_registrations,
        })
        return routes

    def _admin_tokens(self, body):
        with self.api.lock:
            return self.api.tokens.summary(self.api.clock(), self.api.settings.token_lifetime, self.api.store.epoch)

    def _admin_require_relogin(self, body):
        self.require_relogin()
        return {"status": "ok"}

    def _admin_registrations(self, body):
        keys = ("replace", "add", "set", "remove", "schedule")
        if not isinstance(body, dict) or not set(body) & set(keys) or set(body) - set(keys):
            raise ValueError("expected an object with replace, add, set, remove and/or schedule")
        with self.api.lock:
            if "replace" in body:
                self.set_extensions(body["replace"])
            for item in body.get("add") or []:
                self.api.store.add(item)
            for number, changes in (body.get("set") or {}).items():
                self.api.store.update(number, **changes)
            for number in body.get("remove") or []:
                self.remove_extension(number)
            for item in body.get("schedule") or []:
                item = dict(item)
                number = item.pop("extnumber")
                if "on_query" in item:
                    self.api.store.schedule_on_query(number, item.pop("on_query"), **item)
                else:
                    self.schedule(number, item.pop("after", 0), **item)
        return {"status": "ok", "extensions": self.registrations, "scheduled": self.scheduled}


def _opt(body, key):
    return body.get(key) if isinstance(body, dict) else None
