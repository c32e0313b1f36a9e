# Copyright (c) voiceops.pbx contributors
# BSD 2-Clause License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
#
# Private to the voiceops.pbx collection: no compatibility promise outside it.

"""HTTP client for the Yeastar S-Series PBX API (v1.x and v2.0.0).

It knows the wire (session, token, errno, retries, TLS) and nothing about Ansible.
"""

from __future__ import annotations

import hashlib
import socket
import time

from ansible_collections.voiceops.pbx.plugins.module_utils._http_transport import (
    ApiClient,
    ApiClientError,
    RetryableTransportError,
    TransportError,
)
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_api_versions import api_for
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_errors import (
    APPLIED_TOO_OFTEN,
    LOGIN_REFUSED_ERRNOS,
    TOKEN_LOST_ERRNOS,
    TRANSIENT_ERRNOS,
    YeastarApiError,
    YeastarLoginRefused,
)
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_login_refusals import LoginRefusals

READ_ENDPOINTS = frozenset(("login", "heartbeat", "extensionlist/query", "extension/list", "extension/query"))
HEARTBEAT_AFTER = 20 * 60
LOGIN_NOT_REPEATED = ("the login is not repeated, because the PBX may have received it and counts every "
                      "failed login: 5 in a row block this machine's address for 10 minutes")


def md5_hex(text):
    """The lowercase MD5 hex digest the PBX expects for passwords."""
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # nosec B324 - the vendor's protocol


class YeastarClient(ApiClient):
    """One API session with a Yeastar S-Series PBX.

    Use as a context manager: the first call logs in, leaving the block logs out,
    also when the block raised.
    """

    def __init__(self, host, api_username, api_password, port=8088, api_version="v1.0.0",
                 scheme="https", validate_certs=True, ca_path=None, timeout=30,
                 retries=3, retry_delay=1.0, session=None, sleep=time.sleep, clock=time.monotonic,
                 proxy_url=None, use_proxy=True, report_to=None):
        base_url = "%s://%s:%s/api/%s/" % (scheme, _bracketed(host), port, api_version)
        super().__init__("PBX %s" % host, url=base_url, validate_certs=validate_certs, ca_path=ca_path, timeout=timeout,
                         retries=retries, retry_delay=retry_delay, session=session, sleep=sleep,
                         proxy_url=proxy_url, use_proxy=use_proxy)
        self.host = host
        self.api = api_for(api_version)
        # where the PBX is to post event reports (a ReportTarget); None: no report is wanted
        self.report_to = report_to
        self.base_url = base_url
        self._username = api_username
        self._password_md5 = md5_hex(api_password or "")
        self._clock = clock
        self._token = None
        self._login_refused = None
        self._login_refusals = LoginRefusals(host, port, api_username, self._password_md5, lock_timeout=timeout)
        self._last_traffic = None

    def login(self):
        """Log in with the MD5 of the API password; a refusal is final for this client, and for every
        process of this machine with the same PBX and credentials while the PBX's lockout time lasts."""
        if self._login_refused is not None:
            raise self._login_refused
        try:
            answer = self._login_refusals.guard(self._send_login, where=self.where)
        except YeastarLoginRefused as err:
            self._login_refused = err
            raise
        token = answer.get("token")
        if not isinstance(token, str) or not token:
            raise TransportError("the login answer holds no token", where=self.where, call="login")
        self._token = token

    def _send_login(self):
        body = self.api.login_body(self._username, self._password_md5, self.report_to)
        try:
            return self._retry.run("login", self.where, lambda: self._send("login", body, None),
                                   lambda err: err.errno in TRANSIENT_ERRNOS, unsent_only=LOGIN_NOT_REPEATED)
        except YeastarApiError as err:
            if err.errno in LOGIN_REFUSED_ERRNOS:
                raise YeastarLoginRefused(err.errno, where=self.where) from None
            raise

    def logout(self):
        """End the session if there is one; a failure here never hides the task's outcome."""
        token, self._token = self._token, None
        if token is None:
            return
        try:
            self._send("logout", {}, token)
        except ApiClientError:
            pass

    close = logout

    def keepalive(self):
        """Send a heartbeat when the session has been idle long enough to risk its token."""
        if self._token is None or self._last_traffic is None:
            return
        if self._clock() - self._last_traffic >= HEARTBEAT_AFTER:
            self.heartbeat()

    def heartbeat(self):
        """Send a heartbeat now: it renews the token's 30 minutes and names the report target again.
        Without a session it logs in first; a lost token leads to one new login and one repeat."""
        self.call("heartbeat", self.api.heartbeat_body(self._local_address(), self.report_to))

    def call(self, endpoint, body=None):
        """POST to an endpoint; returns the decoded answer of a successful call.

        Reads are repeated after transient failures; writes only after 10025.
        A lost or expired token leads to one new login and one repeat.
        """
        write = endpoint not in READ_ENDPOINTS
        if self._token is None:
            self.login()
        try:
            return self._with_retries(endpoint, body or {}, self._token, write)
        except YeastarApiError as err:
            if err.errno not in TOKEN_LOST_ERRNOS:
                raise
        self._token = None
        self.login()
        self.retry_counts[endpoint] += 1
        return self._with_retries(endpoint, body or {}, self._token, write)

    def _with_retries(self, endpoint, body, token, write):
        def retryable(err):
            return err.errno == APPLIED_TOO_OFTEN or (err.errno in TRANSIENT_ERRNOS and not write)
        return self._retry.run(endpoint, self.where, lambda: self._send(endpoint, body, token), retryable, write)

    def _send(self, endpoint, body, token):
        self._last_traffic = self._clock()
        answer = self._post(self.base_url + endpoint, endpoint, (token,), params={"token": token} if token else None, json=body)
        if "status" not in answer:
            raise RetryableTransportError("the answer is JSON but not an API answer (no 'status')",
                                          where=self.where, call=endpoint)
        if answer["status"] == "Success":
            return answer
        raise YeastarApiError(answer.get("errno", "unknown"), where=self.where, call=endpoint)

    def _local_address(self):
        """The local IP address used to reach the PBX (no packet is sent)."""
        probe = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET, socket.SOCK_DGRAM)
        try:
            probe.connect((self.host, 9))
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"
        finally:
            probe.close()


def _bracketed(host):
    return "[%s]" % host if ":" in host and not host.startswith("[") else host
