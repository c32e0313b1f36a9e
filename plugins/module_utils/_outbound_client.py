# Copyright (c) voiceops.pbx contributors
# BSD 2-Clause License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
#
# Private to the voiceops.pbx collection: no compatibility promise outside it.

"""Client of the Predictive Outbound call-center API (PhalApi style).

Form-encoded POSTs to one URL, the operation named by `service`; answers in the envelope
{"ret": 200, "data": {"status": 0, ...}, "msg": ""}. Knows the wire, nothing about Ansible.
"""

from __future__ import annotations

import time

from ansible_collections.voiceops.pbx.plugins.module_utils._http_transport import (
    ApiClient,
    ApiClientError,
    RetryableTransportError,
    TransportError,
    scrub,
)

LOGIN = "App.Sip_Auth.Login"
LOGOUT = "App.Sip_Auth.Logout"
REGISTER_STATUS = "App.Sip_Status.GetSipRegisterStatus"

RET_MEANINGS = {
    400: "illegal request",
    404: "no such service",
    500: "server error",
    600: "token invalid",
    601: "appid not authorized: ask the call-center administrator to authorize this appid",
    602: "appid authorization expired: the call-center administrator must renew it",
    603: "module not licensed: the call-center licence does not include this API module",
    604: "caller IP not authorized: add this machine's IP address to the API's allowed addresses",
}
CODE_MEANINGS = {
    "1001": "server connection failed",
    "1002": "abnormal operation",
    "1003": "operation failed",
    "1010": "extension exception: extensions changed, a new token is needed",
    "1011": "extension not owned by this company",
    "1012": "extension does not exist",
    "1013": "extension disabled",
    "1014": "extension not registered",
    "1015": "not in a call",
    "1016": "extension enabled",
    "1017": "extension registered",
}
STATE_BY_CODE = {
    "1017": "registered",
    "1014": "unregistered",
    "1013": "disabled",
    "1012": "not_found",
    "1011": "not_owned",
}
TOKEN_RENEWAL_CODE = "1010"
TRANSIENT_CODE = "1001"


class OutboundApiError(ApiClientError):
    """The API refused a call: ret other than 200, or data.status 1 with an error code."""

    def __init__(self, where, call, ret=200, code=None, detail=""):
        self.ret = ret
        self.code = None if code is None else str(code)
        if self.code is None:
            meaning = RET_MEANINGS.get(ret, "a status the API documentation does not list")
            message = "the API answered ret %s (%s)" % (ret, meaning)
        else:
            meaning = CODE_MEANINGS.get(self.code, "a code the API documentation does not list")
            message = "the API answered error code %s (%s)" % (self.code, meaning)
        self.meaning = meaning
        super().__init__(message + (": %s" % detail if detail else ""), where=where, call=call)

    @property
    def token_refused(self):
        return self.ret == 600 or self.code == TOKEN_RENEWAL_CODE

    @property
    def transient(self):
        return self.ret == 500 or self.code == TRANSIENT_CODE


def registration_entry(raw):
    """A GetSipRegisterStatus result entry with a readable state."""
    code = str(raw.get("code"))
    state = STATE_BY_CODE.get(code, "unknown")
    return {
        "extnumber": str(raw.get("extnumber")),
        "code": raw.get("code"),
        "state": state,
        "registered": state == "registered",
        "clientip": raw.get("clientip"),
        "serverip": raw.get("serverip"),
    }


class OutboundClient(ApiClient):
    """One session with the Predictive Outbound API.

    With a token it uses that token; with appid and accesskey it logs in when needed, logs in
    again once when the token is refused, and logs out the token it created when the block ends.
    """

    def __init__(self, url, token=None, appid=None, accesskey=None, validate_certs=True, ca_path=None,
                 timeout=30, retries=3, retry_delay=1.0, session=None, sleep=time.sleep, proxy_url=None, use_proxy=True):
        super().__init__("Predictive Outbound API %s" % url, url=url, validate_certs=validate_certs, ca_path=ca_path,
                         timeout=timeout, retries=retries, retry_delay=retry_delay, session=session, sleep=sleep,
                         proxy_url=proxy_url, use_proxy=use_proxy)
        self.url = url
        self._token = token or None
        self._appid = appid
        self._accesskey = accesskey
        self._own_token = False

    @property
    def can_login(self):
        return bool(self._appid and self._accesskey)

    def login(self):
        if not self.can_login:
            raise ApiClientError("no token: set token, or appid and accesskey so that the module can log in",
                                 where=self.where, call=LOGIN)
        data = self._with_retries(LOGIN, {"appid": self._appid, "accesskey": self._accesskey})
        token = (data.get("result") or {}).get("token") if isinstance(data.get("result"), dict) else None
        if not token:
            raise TransportError("the login answer holds no token", where=self.where, call=LOGIN)
        self._token = token
        self._own_token = True

    def logout(self):
        """Log out a token this client created; a given token is left alone."""
        if not self._own_token:
            return
        token, self._token, self._own_token = self._token, None, False
        try:
            self._send(LOGOUT, {"token": token})
        except ApiClientError:
            pass

    def call(self, service, fields=None):
        """Call a service with the token; returns the answer's data of a successful call."""
        if self._token is None:
            self.login()
        try:
            return self._with_retries(service, dict(fields or {}, token=self._token))
        except OutboundApiError as err:
            if not err.token_refused:
                raise
            if not self.can_login:
                raise ApiClientError(
                    "%s. The given token has expired or must be renewed; set appid and accesskey "
                    "(or OUTBOUND_API_APPID and OUTBOUND_API_ACCESSKEY) so that the module can log in "
                    "for a fresh token, or give a new token." % err.message, where=self.where, call=service) from None
        self._token, self._own_token = None, False
        self.login()
        self.retry_counts[service] += 1
        return self._with_retries(service, dict(fields or {}, token=self._token))

    def register_status(self, numbers, batch_size):
        """Registration entries of the numbers, batch_size numbers per call, in the order asked."""
        found = {}
        for start in range(0, len(numbers), batch_size):
            batch = numbers[start:start + batch_size]
            data = self.call(REGISTER_STATUS, {"extnumber": ",".join(batch)})
            result = data.get("result")
            if not isinstance(result, list):
                raise TransportError("the answer holds no result list", where=self.where, call=REGISTER_STATUS)
            for raw in result:
                if isinstance(raw, dict):
                    entry = registration_entry(raw)
                    found[entry["extnumber"]] = entry
        return [found.get(number) or dict(registration_entry({"extnumber": number}), code=None) for number in numbers]

    def _with_retries(self, service, fields):
        return self._retry.run(service, self.where, lambda: self._send(service, fields), lambda err: err.transient)

    def _send(self, service, fields):
        secrets = (fields.get("token"), self._accesskey)
        answer = self._post(self.url, service, secrets, data=dict(fields, service=service))
        if "ret" not in answer:
            raise RetryableTransportError("the answer is JSON but not an API answer (no 'ret')", where=self.where, call=service)
        ret = _as_int(answer["ret"])
        if ret != 200:
            raise OutboundApiError(self.where, service, ret=ret, detail=scrub(str(answer.get("msg") or ""), secrets))
        data = answer.get("data")
        if not isinstance(data, dict):
            raise TransportError("the answer holds no data object", where=self.where, call=service)
        if str(data.get("status")) == "0":
            return data
        errors = data.get("errors") if isinstance(data.get("errors"), dict) else {}
        raise OutboundApiError(self.where, service, code=errors.get("code", "unknown"),
                               detail=scrub(str(errors.get("codemsg") or ""), secrets))


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value
