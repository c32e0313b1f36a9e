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
  - Reads the extension list of a Yeastar S-Series PBX through its HTTPS API (C(extensionlist/query)).
  - Returns the number, display name, status, type and port of each extension.
  - Makes one login, one list call and one logout, whatever the number of extensions.
author:
  - voiceops.pbx contributors
extends_documentation_fragment:
  - voiceops.pbx.yeastar
  - voiceops.pbx.yeastar.action_group
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The module only reads; it behaves the same in check mode.
  diff_mode:
    support: none
options:
  extensions:
    description:
      - Only these extension numbers, as a list (V([1000, "1001"])) or a comma-separated string (V("1000,1001")).
      - Numbers the PBX does not have are listed in RV(missing).
    type: list
    elements: raw
    aliases: [extid]
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

- name: Read two extensions, with the connection from YEASTAR_* environment variables
  voiceops.pbx.yeastar_extension_info:
    extensions: [1000, 1001]
"""

RETURN = r"""
extensions:
  description: The extensions that matched, in the PBX's order.
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
  sample:
    - {number: "1000", name: "1000", status: Idle, type: FXS, port: Span2-Port1}
    - {number: "1002", name: Amy, status: Registered, type: SIP, port: ""}
missing:
  description: Requested extension numbers that the PBX does not have.
  returned: success
  type: list
  elements: str
  sample: ["1099"]
api_calls:
  description: HTTP requests the task sent to the PBX, per API endpoint.
  returned: always
  type: dict
  sample: {login: 1, extensionlist/query: 1, logout: 1}
"""

from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_errors import YeastarError
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_module import YeastarModule
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_extensions import (
    extension_summary,
    parse_extension_numbers,
)


def select(summaries, numbers, statuses, types):
    """The summaries that pass every given filter."""
    wanted = set(numbers) if numbers else None
    return [
        item for item in summaries
        if (wanted is None or item["number"] in wanted)
        and (not statuses or item["status"] in statuses)
        and (not types or item["type"] in types)
    ]


def main():
    module = YeastarModule(
        argument_spec=dict(
            extensions=dict(type="list", elements="raw", aliases=["extid"]),
            status=dict(type="list", elements="str",
                        choices=["Unavailable", "Registered", "Ringing", "Busy", "Hold", "Malfunction", "Idle", "Fxsnoport"]),
            type=dict(type="list", elements="str", choices=["SIP", "IAX", "FXS"]),
        ),
        supports_check_mode=True,
    )
    try:
        numbers = parse_extension_numbers(module.params["extensions"] or [], "extensions")
    except ValueError as err:
        module.fail_json(msg=str(err))

    client = module.client()
    try:
        with client:
            answer = client.call("extensionlist/query")
        summaries = [extension_summary(raw) for raw in answer.get("extlist") or []]
    except (YeastarError, ValueError) as err:
        module.fail_on_error(err, api_calls=dict(client.request_counts))

    known = {item["number"] for item in summaries}
    module.exit_json(
        changed=False,
        extensions=select(summaries, numbers, module.params["status"], module.params["type"]),
        missing=[number for number in numbers if number not in known],
        api_calls=dict(client.request_counts),
    )


if __name__ == "__main__":
    main()
