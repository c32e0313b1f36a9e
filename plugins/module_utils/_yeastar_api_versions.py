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


class ApiV1:
    """API v1.0.0 and v1.1.0: no create or delete; extensions are selected by extid."""

    major = 1
    max_number_length = None
    list_call = "extensionlist/query"
    selector = "extid"
    renumber_field = "extnumber"
    can_create = False

    def __init__(self, name):
        self.name = name

    def login_body(self, username, password_md5):
        # v1 requires the event-report port; nothing listens there, no report is wanted
        return {"username": username, "password": password_md5, "port": EVENT_PORT}

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

    def login_body(self, username, password_md5):
        return {"username": username, "password": password_md5}

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
