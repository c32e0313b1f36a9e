# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Simulator of the Yeastar S-Series PBX HTTPS API (v1.x and v2.0.0), written from the vendor pages.

In-process use (pytest)::

    with YeastarSimulator(update_rate="3/1") as sim:
        body = {"username": sim.api_username, "password": sim.api_password_md5, "port": "8260"}
        token = requests.post(sim.url("login"), json=body, verify=sim.ca_path).json()["token"]
        assert sim.counters == {"login": 1}
        answer = requests.post(sim.url("extension/list", token, version="v2.0.0"), verify=sim.ca_path).json()

``log`` (a path or a text stream) gets one line per call; by default nothing is logged.

Choices where the vendor pages are silent:

- Both versions are served at once (``api_versions``, default v1.0.0, v1.1.0 and v2.0.0)
  over one extension store, one token table (a v1 token works on v2 and back), one
  lockout, rate limit, fault queue and set of counters (counted per endpoint name, all
  versions together). v2 endpoints and their choices: see ``yeastar_api_v2``.
- Order of the checks and errno of each: see ``yeastar_api``; field rules of
  extension/update: see ``yeastar_rules`` (v1) and ``yeastar_rules_v2`` (v2 update and add).
- extension/query answers in extension-number order. With ``extid`` listing numbers of
  which only some exist, it answers the existing ones; when none exists, errno 10006. A
  blank ``extid`` means every extension; an ``extid`` that is neither a string nor an
  integer answers 10002. Every field of the record is answered (forward
  sub-fields the vendor sample leaves out included, blank when unset), ``port`` for FXS only.
  With ``omit_empty`` (off by default), extension/query answers of both versions leave out
  every field whose value is blank, as the vendor's sample answer leaves out ``atransferext``
  or ``agentid``. List answers always leave out ``port`` but for FXS, and v2 ``agentid`` when blank.
- extension/update accepts integers for string values; a blank ``extid`` is 10004, an
  unknown one 10006, unknown field names and bad values 10017, nothing is applied unless
  every field is valid. ``extnumber`` renumbers: digits, not in use (else 10017).
- Tokens: several may be alive at once (one per login). Expired ones answer 20006 until
  revoked; revoked and logged-out ones answer 20004.
- Lockout: the 5th failed login in a row still answers 20003; from then on every login
  from that IP answers 20002 until the lockout ends; a good login resets the count. A
  login with a blank username, password or port is 10004 and is not counted.
- Rate limit (off by default): successful updates (v1 and v2), v2 adds and apply calls
  share one sliding window; the call past the limit answers 10025 and applies nothing.
- v2 settings: ``strong_passwords`` (default on) switches the vendor's strong-password
  policy; ``v2_mobile_key`` ("mobile" or "moblie") spells the mobile number in v2 query
  answers, since the live spelling is unconfirmed; ``max_extensions`` (default 500, 0 or
  None: no limit) is the capacity extension/add refuses to pass (10017).
- ``delete_requests`` lists the raw ``number`` of every v2 extension/delete call, so tests
  can assert that a client never sends ``"all"``; reset-counters empties it.

Reports ("API events"): after a login naming ``port``, the simulator POSTs ExtensionStatus,
ConfigChange and BootUp reports to the caller from a background thread; see ``yeastar_reports``
for the rules and choices, ``set_extension_status``, ``restart``, ``reports``,
``report_targets`` and ``wait_for_reports`` for tests.

Admin calls live outside ``/api`` under ``/__sim__/`` (see ``admin_routes`` and
``python -m simulator --help``); they are neither counted nor hit by faults.
"""

from __future__ import annotations

import time

import copy

from .base import SimulatorBase
from .yeastar_api import YeastarApi, YeastarSettings, split_path
from .yeastar_reports import LIST_STATUS, STATUSES
from .yeastar_seed import complete, md5_hex
from .yeastar_state import ExtensionStore


class YeastarSimulator(SimulatorBase):
    """A Yeastar S-Series PBX API server on a free local port, for tests and demos."""

    name = "yeastar"

    def __init__(self, host="127.0.0.1", port=0, tls=True, ca_path=None, cert_hostnames=None, expired_cert=False,
                 username="api", password="Yeastar@123", api_versions=("v1.0.0", "v1.1.0", "v2.0.0"),
                 token_lifetime=1800, lockout_seconds=600, max_failed_logins=5, update_rate=None, allowed_ips=None,
                 latency=0.0, extensions=None, first_extension=1000, seed_file=None, state_file=None, log=None, pki=None,
                 clock=time.monotonic, strong_passwords=True, v2_mobile_key="mobile", max_extensions=500,
                 omit_empty=False, sn="369451090405", report_retry_interval=1.0):
        super().__init__(host=host, port=port, tls=tls, ca_path=ca_path, cert_hostnames=cert_hostnames,
                         expired_cert=expired_cert, pki=pki, log=log, latency=latency)
        settings = YeastarSettings(username=username, password=password, api_versions=api_versions,
                                   token_lifetime=token_lifetime, lockout_seconds=lockout_seconds,
                                   max_failed_logins=max_failed_logins, update_rate=update_rate, allowed_ips=allowed_ips,
                                   strong_passwords=strong_passwords, v2_mobile_key=v2_mobile_key,
                                   max_extensions=max_extensions, omit_empty=omit_empty, sn=sn,
                                   report_retry_interval=report_retry_interval)
        store = ExtensionStore.from_options(extensions, first_extension, seed_file, state_file)
        self.api = YeastarApi(store, settings, clock)
        self.api.on_error = lambda error: self.access_log.line("internal error: %s: %s" % (type(error).__name__, error))
        self.api.on_log = self._log_line

    def _log_line(self, text):
        self.access_log.line(text)  # the log of the current run: start() opens a new one

    def start(self):
        """Serve, and send reports, in background threads; return self."""
        super().start()
        self.api.reports.sender.start()
        return self

    def stop(self):
        """Stop sending reports (pending ones are dropped), then stop serving."""
        self.api.reports.sender.stop()
        super().stop()

    # server hooks

    def endpoint_of(self, path):
        return split_path(path)[1]

    def handle_api(self, method, path, query, body, client_ip):
        return self.api.handle(method, path, query, body, client_ip)

    # helpers for tests

    def url(self, endpoint, token=None, version=None):
        """Full URL of an API endpoint, e.g. ``sim.url("extension/query", token)``; ``version``
        defaults to the first accepted one (v1.0.0 unless configured otherwise)."""
        version = version or self.api.settings.api_versions[0]
        return "%s/api/%s/%s%s" % (self.base_url, version, endpoint, "?token=%s" % token if token else "")

    @property
    def api_username(self):
        return self.api.settings.username

    @property
    def api_password(self):
        """The API password in clear (clients send its MD5 digest)."""
        return self.api.settings.password

    @property
    def api_password_md5(self):
        return md5_hex(self.api.settings.password)

    @property
    def settings(self):
        """Runtime settings (password left out), a copy."""
        return self.api.settings.as_dict()

    def configure(self, **values):
        """Change settings while running: username, password, api_versions, token_lifetime,
        lockout_seconds, max_failed_logins, update_rate ("3/1" or None), allowed_ips,
        strong_passwords (bool), v2_mobile_key ("mobile" or "moblie"), max_extensions (0/None: no limit),
        omit_empty (bool: extension/query answers leave out blank fields), sn (the serial number
        reports carry), report_retry_interval (seconds before a report that got no 200 is sent again)."""
        with self.api.lock:
            self.api.settings.update(values)
            return self.api.settings.as_dict()

    # extensions, raw

    @property
    def extensions(self):
        """Every extension record as stored (``moblie``, login password digest), a copy."""
        return self.api.store.all()

    @extensions.setter
    def extensions(self, records):
        self.set_extensions(records)

    def extension(self, number):
        """One stored record (a copy) or None."""
        return self.api.store.get(str(number))

    def set_extensions(self, records):
        """Replace every extension; missing fields get defaults, clear login passwords are hashed."""
        self.api.store.replace([complete(item) for item in records])

    def add_extensions(self, records):
        self.api.store.add([complete(item) for item in records])

    def patch_extension(self, number, **fields):
        """Set raw values on one extension, without any validation (e.g. a hostile name)."""
        self.api.store.patch(str(number), fields)

    def delete_extensions(self, numbers):
        self.api.store.delete(numbers)

    @property
    def delete_requests(self):
        """The raw ``number`` of every v2 extension/delete call since the last reset, a copy."""
        with self.api.lock:
            return copy.deepcopy(self.api.delete_requests)

    def reset_counters(self):
        """Zero the counters, empty the call log, the list of delete requests and the report log."""
        super().reset_counters()
        with self.api.lock:
            self.api.delete_requests.clear()
        self.api.reports.sender.clear_log()

    # reports (see ``yeastar_reports``)

    def set_extension_status(self, number, status):
        """Set an extension's status (Registered, Unregistered, Ringing, Busy or Idle) and report
        ExtensionStatus to every live target, even when the status stays the same; return the listed status."""
        if status not in STATUSES:
            raise ValueError("status must be one of %s" % ", ".join(STATUSES))
        number = str(number)
        with self.api.lock:
            if self.api.store.get(number) is None:
                raise KeyError("no extension %s" % number)
            listed = LIST_STATUS.get(status, status)
            self.api.store.patch(number, {"status": listed})
            self.api.reports.extension_status(self.api.alive_tokens(), number, status)
            return listed

    def restart(self):
        """Simulate a reboot: forget every token (20004 from now on), then report BootUp to every
        target that had a live token; return those targets' URLs."""
        with self.api.lock:
            targets = self.api.reports.restart(self.api.alive_tokens())
            self.api.tokens.revoke()
            return [target.url for target in targets]

    @property
    def reports(self):
        """Every report attempt since the last reset, oldest first: dicts with url, event, body,
        attempt (1 for the first), status (the HTTP status, None when the connection failed) and error."""
        return self.api.reports.sender.entries

    @property
    def report_targets(self):
        """Where reports go now: [{"token", "url", "key"}] for every live token with a target."""
        with self.api.lock:
            targets = self.api.reports.targets(self.api.alive_tokens())
        return [{"token": token, "url": target.url, "key": target.key} for token, target in targets.items()]

    def wait_for_reports(self, count, timeout=5.0, delivered=False):
        """Wait until ``count`` report attempts (answered 200, with ``delivered``) are in ``reports``;
        return ``reports`` then, or raise ``TimeoutError``."""
        return self.api.reports.sender.wait(count, timeout, delivered)

    # tokens and lockout

    @property
    def tokens(self):
        """Tokens alive now, in full."""
        with self.api.lock:
            return self.api.tokens.alive(self.api.clock(), self.api.settings.token_lifetime)

    def expire_tokens(self, token=None):
        """Make one token, or all, time out (20006); return how many."""
        with self.api.lock:
            return self.api.tokens.expire(token)

    def revoke_tokens(self, token=None):
        """Forget one token, or all (20004), with their report targets; return how many."""
        with self.api.lock:
            if token:
                self.api.reports.forget(token)
            else:
                self.api.reports.forget_all()
            return self.api.tokens.revoke(token)

    @property
    def lockouts(self):
        """Failed-login counts and lockouts per client IP."""
        with self.api.lock:
            return self.api.guard.summary(self.api.clock())

    def unblock(self, ip=None):
        """Clear the lockout and failure count of one IP, or of all."""
        with self.api.lock:
            self.api.guard.unblock(ip)

    # admin paths

    def admin_routes(self):
        routes = super().admin_routes()
        routes.update({
            ("GET", "extensions"): lambda body: self.extensions,
            ("POST", "extensions"): self._admin_extensions,
            ("GET", "tokens"): self._admin_tokens,
            ("POST", "expire-tokens"): lambda body: {"status": "ok", "expired": self.expire_tokens(_opt(body, "token"))},
            ("POST", "revoke-tokens"): lambda body: {"status": "ok", "revoked": self.revoke_tokens(_opt(body, "token"))},
            ("GET", "settings"): lambda body: self.settings,
            ("POST", "settings"): lambda body: self.configure(**(body or {})),
            ("GET", "lockouts"): lambda body: self.lockouts,
            ("GET", "deletes"): lambda body: self.delete_requests,
            ("POST", "unblock"): self._admin_unblock,
            ("POST", "extension-status"): self._admin_extension_status,
            ("POST", "restart"): lambda body: {"status": "ok", "bootup": self.restart()},
            ("GET", "reports"): lambda body: self.reports,
            ("GET", "report-targets"): self._admin_report_targets,
        })
        return routes

    def _admin_tokens(self, body):
        with self.api.lock:
            return self.api.tokens.summary(self.api.clock(), self.api.settings.token_lifetime)

    def _admin_extension_status(self, body):
        if not isinstance(body, dict) or "extension" not in body or "status" not in body:
            raise ValueError('expected {"extension": "1006", "status": "Unregistered"}')
        listed = self.set_extension_status(body["extension"], body["status"])
        return {"status": "ok", "listed": listed}

    def _admin_report_targets(self, body):
        return [dict(item, token=item["token"][:4]) for item in self.report_targets]

    def _admin_unblock(self, body):
        self.unblock(_opt(body, "ip"))
        return {"status": "ok"}

    def _admin_extensions(self, body):
        if not isinstance(body, dict) or not set(body) & {"replace", "add", "patch", "delete"}:
            raise ValueError("expected an object with replace, add, patch and/or delete")
        if "replace" in body:
            self.set_extensions(body["replace"])
        if "add" in body:
            self.add_extensions(body["add"])
        for number, fields in (body.get("patch") or {}).items():
            self.patch_extension(number, **fields)
        if "delete" in body:
            self.delete_extensions(body["delete"])
        return {"status": "ok", "extensions": len(self.api.store.numbers())}


def _opt(body, key):
    return body.get(key) if isinstance(body, dict) else None
