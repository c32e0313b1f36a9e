# Copyright (c) voiceops.pbx contributors
# BSD 2-Clause License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
#
# Private to the voiceops.pbx collection: no compatibility promise outside it.

"""What differs between the API versions of the Yeastar S-Series PBX: endpoint names, the key
that selects an extension, request bodies, and what each version can do.

Everything else (field names, values, errno, session) is shared and lives in the field table and
the client. docs/extension-lifecycle.md maps the versions for users.
"""

from __future__ import annotations

EVENT_PORT = "8260"
V2_FIRMWARE = "30.13.0.30"
VERSION_CHOICES = ("v1.0.0", "v1.1.0", "v2.0.0")
V2_REPORT_FORMAT = "2.0.0"


class ReportTarget:
    """Where the PBX is to post its event reports, as login and heartbeat name it: a port (and a path)
    on the address the client calls from (urltag 0), or an absolute "host:port/path" (urltag 1, for
    a listener the PBX reaches through NAT)."""

    def __init__(self, port, path="/", absolute_url=None):
        self.port = str(port)
        self.path = path
        self.absolute_url = absolute_url

    def fields(self):
        """The port, url and urltag fields of a login or heartbeat body."""
        if self.absolute_url:
            return {"port": self.port, "url": self.absolute_url, "urltag": "1"}
        fields = {"port": self.port, "urltag": "0"}
        relative = self.path.lstrip("/")
        if relative:
            fields["url"] = relative
        return fields


class ApiV1:
    """API v1.0.0 and v1.1.0: no create or delete; extensions are selected by extid."""

    major = 1
    max_number_length = None
    list_call = "extensionlist/query"
    selector = "extid"
    renumber_field = "extnumber"
    can_create = False
    # v1's heartbeat spells login's urltag "urlflag" (sic); v2 spells it urltag in both.
    heartbeat_urltag = "urlflag"

    def __init__(self, name):
        self.name = name

    def login_body(self, username, password_md5, report_to=None):
        """Without report_to (a ReportTarget), no report is wanted: v1 requires the event-report port
        all the same, and nothing listens there."""
        return dict({"username": username, "password": password_md5}, **self._report_fields(report_to))

    def heartbeat_body(self, ipaddr, report_to=None):
        """A heartbeat from ipaddr, this machine's address; with report_to it also says again where to report."""
        fields = self._report_fields(report_to)
        if "urltag" in fields:
            fields[self.heartbeat_urltag] = fields.pop("urltag")
        return dict({"ipaddr": ipaddr}, **fields)

    def _report_fields(self, report_to):
        return report_to.fields() if report_to else {"port": EVENT_PORT}

    def query_body(self, numbers=None):
        """extension/query of these numbers; None: every extension."""
        return {self.selector: ",".join(numbers)} if numbers else {}

    def select(self, number):
        """The start of an update body: the extension it changes."""
        return {self.selector: number}

    def unavailable(self):
        """Why creating or deleting is refused on this version: the firmware and the version that can."""
        return ("needs API v2.0.0 (S-Series firmware %s or later, and api_version: v2.0.0); api_version %s has no "
                "extension/add or extension/delete" % (V2_FIRMWARE, self.name))


class ApiV2(ApiV1):
    """API v2.0.0: extension/add and extension/delete; extensions are selected by number;
    extension/update has no field for a new number."""

    major = 2
    max_number_length = 7
    list_call = "extension/list"
    selector = "number"
    renumber_field = None
    can_create = True
    heartbeat_urltag = "urltag"

    def login_body(self, username, password_md5, report_to=None):
        body = {"username": username, "password": password_md5}
        return dict(body, **self._report_fields(report_to)) if report_to else body

    def _report_fields(self, report_to):
        fields = super()._report_fields(report_to)
        if report_to:
            # reports in the v2 format (an "event" key); without it the PBX sends the v1 format ("action")
            fields["version"] = V2_REPORT_FORMAT
        return fields

    def query_body(self, numbers=None):
        return {self.selector: ",".join(numbers) if numbers else "all"}

    def delete_body(self, numbers):
        """extension/delete of these numbers. Only digit strings pass: the vendor's "all" (every
        extension) cannot be built here, from any input."""
        if not numbers:
            raise ValueError("extension/delete needs at least one extension number")
        for number in numbers:
            if not (isinstance(number, str) and number.isdigit() and number.isascii()):
                raise ValueError("extension/delete takes extension numbers only, not %r" % (number,))
        return {self.selector: ",".join(numbers)}


def api_for(version):
    """The API of a version string such as v1.1.0 or v2.0.0."""
    if version not in VERSION_CHOICES:
        raise ValueError("api_version: %r is not supported; use one of %s" % (version, ", ".join(VERSION_CHOICES)))
    return (ApiV2 if version.startswith("v2.") else ApiV1)(version)
