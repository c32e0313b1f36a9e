#!/usr/bin/python
# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: yeastar_extension_info
short_description: List the extensions of a Yeastar S-Series PBX
version_added: 0.1.0
description:
  - Reads the extensions of a Yeastar S-Series PBX through its HTTPS API.
  - Without O(extensions) and O(details), returns the number, display name, status, type and port of each
    extension from one list call (C(extensionlist/query) on API v1.x, C(extension/list) on v2.0.0).
  - The result is the same on every API version (O(api_version)).
  - With O(details=true) or O(extensions), also returns the full settings of each extension from C(extension/query),
    under the option names and in the types of M(voiceops.pbx.yeastar_extension), so that settings read here and
    passed to that module unchanged report no change.
  - Cost, one login, one list call (or one query of every extension, or ceil(N / O(batch_size)) queries for
    N numbers in O(extensions)), one logout.
author:
  - VoiceOps PBX team (@voiceops)
extends_documentation_fragment:
  - voiceops.pbx.yeastar
  - voiceops.pbx.yeastar.action_group
  - ansible.builtin.action_common_attributes
  - voiceops.pbx.attributes
  - voiceops.pbx.attributes.read_only
options:
  extensions:
    description:
      - Only these extension numbers, as a list (V([1000, "1001"])) or a comma-separated string (V("1000,1001")).
      - Numbers the PBX does not have are listed in RV(missing).
    type: list
    elements: raw
    aliases: [extid]
  details:
    description:
      - Return the full settings of each extension in RV(extensions[].settings).
      - Implied by O(extensions).
    type: bool
    default: false
  batch_size:
    description:
      - How many extension numbers of O(extensions) one C(extension/query) call reads.
    type: int
    default: 100
  show_secrets:
    description:
      - Return the registration password, the voicemail PIN and the MD5 digest of the login password in clear.
      - B(Warning) - the result then holds secrets that end up in logs, job output and registered variables;
        an unsalted MD5 digest is easy to crack. Without it, each secret reads V(********).
    type: bool
    default: false
  status:
    description:
      - Only extensions whose current status is one of these.
    type: list
    elements: str
    choices: [Unavailable, Registered, Ringing, Busy, Hold, Malfunction, Idle, Fxsnoport]
  type:
    description:
      - Only extensions of these types.
    type: list
    elements: str
    choices: [SIP, IAX, FXS]
"""

EXAMPLES = r"""
- name: List every extension of the PBX
  voiceops.pbx.yeastar_extension_info:
    host: pbx.example.com
    api_username: api
    api_password: "{{ vault_yeastar_api_password }}"
    ca_path: /etc/pki/yeastar-ca.pem
  register: pbx

- name: Show the SIP extensions that are not registered
  voiceops.pbx.yeastar_extension_info:
    host: pbx.example.com
    api_username: api
    api_password: "{{ vault_yeastar_api_password }}"
    type: SIP
    status: Unavailable
  register: offline

- name: Read the settings of two extensions, with the connection from YEASTAR_* environment variables
  voiceops.pbx.yeastar_extension_info:
    extensions: [1000, 1001]
  register: two

- name: Copy the settings of extension 1000 to 1001 (secrets stay as they are)
  voiceops.pbx.yeastar_extension:
    extensions:
      - "{{ two.extensions[0].settings | combine({'extension': 1001}) }}"

- name: Audit every extension's settings
  voiceops.pbx.yeastar_extension_info:
    details: true
  register: audit
"""

RETURN = r"""
extensions:
  description: The extensions that matched, in the order of O(extensions) if given, otherwise in the PBX's order.
  returned: success
  type: list
  elements: dict
  contains:
    number:
      description: The extension number.
      type: str
      sample: "1002"
    name:
      description: The user's display name (the vendor's C(username)).
      type: str
      sample: Amy
    status:
      description: Current status.
      type: str
      sample: Registered
    type:
      description: Extension type.
      type: str
      sample: SIP
    port:
      description: Hardware port of an FXS extension, empty for the others.
      type: str
      sample: Span2-Port1
    settings:
      description:
        - Every setting of the extension under the option names of M(voiceops.pbx.yeastar_extension), with
          C(extension) holding its number; booleans for on/off fields, integers for counts and seconds.
        - Secrets read V(********) unless O(show_secrets=true).
      returned: when O(details=true) or O(extensions) is set
      type: dict
      sample: {extension: "1000", display_name: "1000", voicemail: true, voicemail_pin: "********", ring_timeout: 30,
               max_call_duration: Follow System, no_answer_forward_to: Voicemail, mobile: ""}
  sample:
    - {number: "1000", name: "1000", status: Idle, type: FXS, port: Span2-Port1}
    - {number: "1002", name: Amy, status: Registered, type: SIP, port: ""}
missing:
  description: Requested extension numbers that the PBX does not have.
  returned: success
  type: list
  elements: str
  sample: ["1099"]
errno:
  description: The vendor's error code (a string such as V(20003)) when the PBX refused a call and the task failed.
  returned: on failure, when the PBX answered an error
  type: str
  sample: "10017"
api_calls:
  description: HTTP requests the task sent to the PBX, per API endpoint.
  returned: always
  type: dict
  sample: {login: 1, extensionlist/query: 1, logout: 1}
retries:
  description:
    - Calls the task repeated, per API endpoint, after a transient failure (connection, timeout, HTTP 5xx,
      errno 30001 or 10025) or after logging in again for a lost token; empty when every call succeeded at once.
    - Each repeat is also counted in RV(api_calls).
  returned: always
  type: dict
  sample: {extensionlist/query: 1}
"""

from ansible_collections.voiceops.pbx.plugins.module_utils._http_transport import ApiClientError, usage
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_module import YeastarModule
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_extensions import (
    extension_summary,
    list_extensions,
    parse_extension_numbers,
    query_all_extensions,
    query_extensions,
)
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_options import extension_info_argument_spec
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_settings import masked, settings_from_answer


def read_details(client, numbers, batch_size, show_secrets):
    if numbers:
        found = query_extensions(client, numbers, batch_size)
        infos = [found[number] for number in numbers if number in found]
    else:
        infos = query_all_extensions(client)
    entries = []
    for info in infos:
        settings = masked(settings_from_answer(info), show_secrets)
        settings["extension"] = info["extnumber"]
        entry = extension_summary(info)
        entry["settings"] = settings
        entries.append(entry)
    return entries


def main():
    module = YeastarModule(
        argument_spec=extension_info_argument_spec(),
        supports_check_mode=True,
    )
    params = module.params
    try:
        numbers = parse_extension_numbers(params["extensions"] or [], "extensions")
    except ValueError as err:
        module.fail_json(msg="Invalid input, nothing was sent to the PBX: %s" % err, **usage(None))
    if params["batch_size"] < 1:
        module.fail_json(msg="batch_size: %s is invalid; it must be 1 or more" % params["batch_size"], **usage(None))

    client = module.client()
    try:
        with client:
            if numbers or params["details"]:
                entries = read_details(client, numbers, params["batch_size"], params["show_secrets"])
            else:
                entries = list_extensions(client)
    except (ApiClientError, ValueError) as err:
        module.fail_on_error(err, **usage(client))

    known = {entry["number"] for entry in entries}
    wanted = set(numbers)
    module.exit_json(
        changed=False,
        extensions=[
            entry for entry in entries
            if (not wanted or entry["number"] in wanted)
            and (not params["status"] or entry["status"] in params["status"])
            and (not params["type"] or entry["type"] in params["type"])
        ],
        missing=[number for number in numbers if number not in known],
        **usage(client)
    )


if __name__ == "__main__":
    main()
