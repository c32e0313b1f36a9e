# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Predictive Outbound call-center API (PhalApi style): services, envelope, checks.

Every answer is ``{"ret": RET, "data": {...}, "msg": ""}``; when ``ret`` is not 200,
``data`` is ``[]`` and ``msg`` says why. A call goes through these checks, in this
order, and the first that fails decides the answer:

1. POST (else ret 400) with a readable form body (else ret 400);
2. ``service`` present (ret 400) and known (ret 404);
3. the service's required fields present and not blank (ret 400 naming the field);
4. the caller's IP is allowed (ret 604), and no ``refuse`` setting applies (its 601-604);
5. Login: ``appid`` known (else ret 601), ``accesskey`` right (else data.status 1, code 1003);
   other services: ``token`` known and alive (else ret 600);
6. status services: a token issued before an extension was added answers data.status 1,
   code 1010, until the client logs in again (setting ``relogin_after_add``);
7. the service itself.
"""

from __future__ import annotations

import hmac
import threading
import time

from .tokens import TokenTable

LOGIN = "App.Sip_Auth.Login"
LOGOUT = "App.Sip_Auth.Logout"
REGISTER_STATUS = "App.Sip_Status.GetSipRegisterStatus"
VALID_STATUS = "App.Sip_Status.GetSipValidStatus"
REQUIRED = {LOGIN: ("appid", "accesskey"), LOGOUT: ("token",), REGISTER_STATUS: ("token", "extnumber"),
            VALID_STATUS: ("token", "extnumber")}

RET_MESSAGES = {
    200: "", 400: "illegal request", 404: "no such service", 500: "server error",
    600: "token invalid, log in again", 601: "appid not authorized", 602: "appid authorization expired",
    603: "module not licensed", 604: "caller IP not authorized",
}
REFUSALS = (601, 602, 603, 604)
CODE_MESSAGES = {
    "1001": "server connection failed", "1002": "abnormal operation", "1003": "operation failed",
    "1010": "extension exception: extensions were added, log in again for a new token",
    "1011": "extension not owned by this company", "1012": "extension does not exist", "1013": "extension disabled",
    "1014": "extension not registered", "1015": "not in a call", "1016": "extension enabled",
    "1017": "extension registered",
}


def envelope(ret, data=None, msg=None):
    """The PhalApi answer; ``data`` is [] unless ret is 200."""
    if msg is None:
        msg = RET_MESSAGES.get(ret, "error")
    return {"ret": ret, "data": data if ret == 200 else [], "msg": "" if ret == 200 else msg}


def refused(ret, detail=None):
    text = RET_MESSAGES.get(ret, "error")
    return envelope(ret, msg="%s: %s" % (text, detail) if detail else text)


def result_of(answer):
    """What the call log says: "ok", the ret code ("600") or the business code ("1010")."""
    if not isinstance(answer, dict) or answer.get("ret") != 200:
        return str(answer.get("ret")) if isinstance(answer, dict) else "?"
    data = answer.get("data") or {}
    if data.get("status") == 0:
        return "ok"
    return str((data.get("errors") or {}).get("code", "?"))


def _check_refusal(value):
    """None (for None, 0 or "") or one of 601-604."""
    if value in (None, 0, ""):
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or value not in REFUSALS:
        raise ValueError("refuse must be null, one of %s, or {service: code}" % ", ".join(map(str, REFUSALS)))
    return int(value)


def _check_refuse(value):
    """None, one of 601-604 (every call) or {service: code} (those services only)."""
    if not isinstance(value, dict):
        return _check_refusal(value)
    checked = {str(service): _check_refusal(code) for service, code in value.items()}
    return {service: code for service, code in checked.items() if code} or None


class OutboundSettings:
    """Knobs that may change while the simulator runs."""

    def __init__(self, appid="voiceops", accesskey="Outbound@123", token_lifetime=43200.0, refuse=None,
                 allowed_ips=None, relogin_after_add=True, company_code="1", company_name="test"):
        if isinstance(allowed_ips, str):
            allowed_ips = [item.strip() for item in allowed_ips.split(",") if item.strip()]
        self.appid = appid
        self.accesskey = accesskey
        self.token_lifetime = float(token_lifetime)
        self.refuse = _check_refuse(refuse)
        self.allowed_ips = tuple(allowed_ips) if allowed_ips else None
        self.relogin_after_add = relogin_after_add
        self.company_code = company_code
        self.company_name = company_name
        texts = (appid, accesskey, company_code, company_name)
        if not all(isinstance(item, str) and item for item in texts):
            raise ValueError("appid, accesskey, company_code and company_name must be non-empty strings")
        if self.token_lifetime <= 0 or not isinstance(relogin_after_add, bool):
            raise ValueError("token_lifetime must be > 0 and relogin_after_add true or false")

    def update(self, values):
        """Change settings from a dict; unknown names raise ``ValueError``. All or nothing."""
        current = self.as_dict()
        current["accesskey"] = self.accesskey
        unknown = set(values) - set(current)
        if unknown:
            raise ValueError("unknown settings: %s" % ", ".join(sorted(unknown)))
        current.update(values)
        self.__dict__.update(OutboundSettings(**current).__dict__)

    def as_dict(self):
        """Every setting but the access key."""
        refuse = dict(self.refuse) if isinstance(self.refuse, dict) else self.refuse
        return {"appid": self.appid, "token_lifetime": self.token_lifetime, "refuse": refuse,
                "allowed_ips": list(self.allowed_ips) if self.allowed_ips else None,
                "relogin_after_add": self.relogin_after_add, "company_code": self.company_code,
                "company_name": self.company_name}

    def refusal(self, service, client_ip):
        """The ret code refusing this call (604, or the ``refuse`` setting), or None."""
        if self.allowed_ips and client_ip not in self.allowed_ips:
            return 604
        if isinstance(self.refuse, dict):
            return self.refuse.get(service)
        return self.refuse


class Tokens(TokenTable):
    """Tokens live ``lifetime`` seconds from login (use does not extend them); several may be alive."""

    def issue(self, now, lifetime, epoch):
        return self._issue(now, lifetime, epoch=epoch)

    def entry(self, token, now, lifetime):
        """The entry of a live token, else None."""
        entry = self._tokens.get(token)
        if entry is None or entry["expired"]:
            return None
        if now - entry["issued"] > lifetime:
            entry["expired"] = True
            return None
        return entry

    def alive(self, now, lifetime):
        return [token for token in list(self._tokens) if self.entry(token, now, lifetime)]

    def summary(self, now, lifetime, epoch):
        alive = self.alive(now, lifetime)
        return {"active": len(alive), "expired": len(self._tokens) - len(alive),
                "stale": sum(1 for token in alive if self._tokens[token]["epoch"] < epoch),
                "prefixes": sorted(token[:4] for token in alive)}


class OutboundApi:
    """Answers service calls from the registration store; thread-safe (one lock)."""

    def __init__(self, store, settings, clock=time.monotonic, wall_clock=time.time):
        self.store = store
        self.settings = settings
        self.clock = clock
        self.wall_clock = wall_clock
        self.lock = threading.RLock()
        self.tokens = Tokens()
        self.on_error = None
        self._services = {LOGIN: self._login, LOGOUT: self._logout, REGISTER_STATUS: self._register_status,
                          VALID_STATUS: self._valid_status}

    def handle(self, method, form, client_ip, problem=None):
        """Return (answer dict, call-log result). ``problem`` says why the body could not be read."""
        with self.lock:
            reqtime = int(self.wall_clock())
            try:
                answer = self._handle(method, form, client_ip, problem, reqtime)
            except Exception as error:  # a simulator bug must still answer like the server would
                if self.on_error is not None:
                    self.on_error(error)
                answer = refused(500)
        return answer, result_of(answer)

    def fault_answer(self, code):
        """The answer of an ``errno`` fault: a 3-digit code is a ``ret``, any other a business code."""
        code = str(code)
        if len(code) == 3 and code.isdigit():
            return refused(int(code))
        return self._failure(code, int(self.wall_clock()))

    def _handle(self, method, form, client_ip, problem, reqtime):
        if method != "POST":
            return refused(400, "use POST")
        if problem:
            return refused(400, problem)
        service = form.get("service", "").strip()
        if not service:
            return refused(400, "missing parameter service")
        handler = self._services.get(service)
        if handler is None:
            return refused(404, service)
        for field in REQUIRED[service]:
            if not form.get(field, "").strip():
                return refused(400, "missing parameter %s" % field)
        code = self.settings.refusal(service, client_ip)
        if code:
            return refused(code)
        now = self.clock()
        self.store.apply_due(now)
        if service == LOGIN:
            return handler(form, now, reqtime)
        token = form["token"].strip()
        entry = self.tokens.entry(token, now, self.settings.token_lifetime)
        if entry is None:
            return refused(600)
        if service != LOGOUT and self.settings.relogin_after_add and entry["epoch"] < self.store.epoch:
            return self._failure("1010", reqtime)
        return handler(form, token, reqtime)

    def _success(self, desc, result, reqtime):
        return envelope(200, {"status": 0, "desc": desc, "result": result, "reqtime": reqtime,
                              "rsptime": int(self.wall_clock())})

    def _failure(self, code, reqtime, desc=None):
        message = CODE_MESSAGES.get(code, "operation failed")
        return envelope(200, {"status": 1, "desc": desc or message, "errors": {"code": code, "codemsg": message},
                              "reqtime": reqtime, "rsptime": int(self.wall_clock())})

    def _login(self, form, now, reqtime):
        settings = self.settings
        if form["appid"].strip() != settings.appid:
            return refused(601)
        if not hmac.compare_digest(form["accesskey"].strip().encode("utf-8"), settings.accesskey.encode("utf-8")):
            return self._failure("1003", reqtime, desc="Authorization failed")
        token = self.tokens.issue(now, settings.token_lifetime, self.store.epoch)
        authtime = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.wall_clock()))
        result = {"companycode": settings.company_code, "companyname": settings.company_name, "token": token,
                  "authtime": authtime, "authmodel": ""}
        return self._success("Authorization successful", result, reqtime)

    def _logout(self, form, token, reqtime):
        self.tokens.discard(token)
        return self._success("Logout successful", [], reqtime)

    def _register_status(self, form, token, reqtime):
        items = []
        for number in _numbers(form["extnumber"]):
            self.store.queried(number)
            code = self._code_of(number, "1017", "1014")
            state = self.store.get(number) if code == "1017" else None
            items.append({"extnumber": number, "code": int(code), "clientip": state["clientip"] if state else None,
                          "serverip": state["serverip"] if state else None})
        return self._success("get success", items, reqtime) if items else refused(400, "missing parameter extnumber")

    def _valid_status(self, form, token, reqtime):
        items = [{"extnumber": number, "code": int(self._code_of(number, "1016", "1016"))}
                 for number in _numbers(form["extnumber"])]
        return self._success("get success", items, reqtime) if items else refused(400, "missing parameter extnumber")

    def _code_of(self, number, registered_code, unregistered_code):
        """1012 unknown, 1011 not owned, 1013 disabled, else the registered or unregistered code."""
        state = self.store.get(number)
        if state is None:
            return "1012"
        if not state["owned"]:
            return "1011"
        if not state["enabled"]:
            return "1013"
        return registered_code if state["registered"] else unregistered_code


def _numbers(text):
    """The comma list in request order, blanks dropped, duplicates kept."""
    return [part.strip() for part in text.split(",") if part.strip()]
