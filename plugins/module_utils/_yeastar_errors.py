# Copyright (c) voiceops.pbx contributors
# BSD 2-Clause License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
#
# Private to the voiceops.pbx collection: no compatibility promise outside it.

"""The Yeastar S-Series errno table and the errors the PBX answers with."""

from __future__ import annotations

from ansible_collections.voiceops.pbx.plugins.module_utils._http_transport import ApiClientError

ERRNO_MEANINGS = {
    "10002": "unsupported data format",
    "10003": "unsupported API request",
    "10004": "a required parameter is blank",
    "10005": "the call ID does not exist",
    "10006": "the extension does not exist",
    "10007": "the call does not exist",
    "10008": "the extension is not idle",
    "10009": "the extension does not allow being monitored",
    "10010": "the monitor mode does not match",
    "10011": "the called number does not exist",
    "10017": "the extension configuration failed",
    "10024": "the extension has no outbound call permission",
    "10025": "configuration applied too often",
    "10028": "the number cannot be blank",
    "10032": "wrong password",
    "20000": "only JSON is supported",
    "20001": "only POST is supported",
    "20002": "login failed: locked out (IP blocked for 10 minutes)",
    "20003": "login failed: wrong username or password",
    "20004": "no such token",
    "20005": "token is blank",
    "20006": "token timed out",
    "20015": "caller IP not allowed",
    "30001": "internal error (JSON allocation)",
    "30003": "API service not running",
}

TOKEN_LOST_ERRNOS = frozenset(("20004", "20006"))
# A long-lived session (the event source) also logs in again after 20005, as the vendor advises; a
# module's call, which always carries a token, reports it as a fault instead (docs/errors.md).
SESSION_LOST_ERRNOS = TOKEN_LOST_ERRNOS | frozenset(("20005",))
LOGIN_REFUSED_ERRNOS = frozenset(("20002", "20003"))
TRANSIENT_ERRNOS = frozenset(("30001", "10025"))
APPLIED_TOO_OFTEN = "10025"

LOCKOUT_ADVICE = (
    "The PBX blocks the caller's IP address for 10 minutes after 5 failed logins in a row, "
    "so no further login is attempted. Check api_username and api_password against "
    "'Settings > PBX > General > API' on the PBX; to lift a block at once, add this "
    "machine's IP address to the API's allowed list or restart the PBX's API service, "
    "otherwise wait 10 minutes."
)


def errno_meaning(errno):
    """Return the vendor's meaning of an errno, readable even for an unknown one."""
    return ERRNO_MEANINGS.get(str(errno), "an error code the API documentation does not list")


class YeastarApiError(ApiClientError):
    """The PBX answered {"status": "Failed", "errno": ...}."""

    def __init__(self, errno, where=None, call=None, detail=None):
        self.errno = str(errno)
        self.meaning = errno_meaning(self.errno)
        message = "the PBX answered error %s (%s)" % (self.errno, self.meaning)
        if detail:
            message = "%s. %s" % (message, detail)
        super().__init__(message, where=where, call=call)


class YeastarLoginRefused(YeastarApiError):
    """Login refused for credentials or lockout: never retried."""

    def __init__(self, errno, where=None, call="login"):
        super().__init__(errno, where=where, call=call, detail=LOCKOUT_ADVICE)
