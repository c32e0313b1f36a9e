#!/usr/bin/python
# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: sip_register_status
short_description: Registration state of extensions from the Predictive Outbound API, with waiting
version_added: 0.1.0
description:
  - Reads whether extensions are registered, with the phone's and the server's IP address, through
    C(App.Sip_Status.GetSipRegisterStatus) of the Predictive Outbound call-center API.
  - Can wait until every extension is registered (or unregistered), for example right after phones were provisioned.
  - Large lists are read in batches; a wait asks only for the extensions that are not there yet, one call per round.
author:
  - VoiceOps PBX team (@voiceops)
extends_documentation_fragment:
  - voiceops.pbx.outbound
  - voiceops.pbx.outbound.action_group
  - ansible.builtin.action_common_attributes
  - voiceops.pbx.attributes
  - voiceops.pbx.attributes.read_only
options:
  extnumber:
    description:
      - Extension numbers, as a list (V([1000, "1001"])) or a comma-separated string (V("1000,1001")).
    type: list
    elements: raw
    required: true
    aliases: [extensions]
  batch_size:
    description:
      - How many extension numbers one status call carries.
    type: int
    default: 100
  wait_for:
    description:
      - Poll until every extension is V(registered), or until none is registered (V(unregistered)).
      - Without it, the state is read once.
      - When waiting for V(registered), an extension that does not exist or is not owned by this company fails at once.
    type: str
    choices: [registered, unregistered]
  timeout:
    description:
      - Seconds to wait with O(wait_for) before failing; the failure names the extensions that never got there.
      - Each HTTP request has its own deadline, O(request_timeout).
    type: int
    default: 300
  interval:
    description:
      - Seconds between two polls with O(wait_for).
    type: float
    default: 2
notes:
  - One of O(token), or O(appid) with O(accesskey), is required.
"""

EXAMPLES = r"""
- name: Read the registration state of three extensions
  voiceops.pbx.sip_register_status:
    url: http://callcenter.example.com:8080
    appid: "{{ outbound_appid }}"
    accesskey: "{{ vault_outbound_accesskey }}"
    extnumber: [1002, 1003, 1004]
  register: reg

- name: Show the phones that are offline
  ansible.builtin.debug:
    msg: "Not registered: {{ reg.unregistered | join(', ') }}"

- name: Wait up to 5 minutes for newly provisioned phones to register (connection from OUTBOUND_API_* variables)
  voiceops.pbx.sip_register_status:
    extensions: "{{ new_phones }}"
    wait_for: registered
    timeout: 300
    interval: 5

- name: With a token obtained elsewhere
  voiceops.pbx.sip_register_status:
    url: http://callcenter.example.com:8080
    token: "{{ outbound_token }}"
    extnumber: "1002,1003"
"""

RETURN = r"""
extensions:
  description: One entry per requested extension, in the order asked.
  returned: success, and on a wait timeout
  type: list
  elements: dict
  contains:
    extnumber:
      description: The extension number.
      type: str
      sample: "1002"
    code:
      description: The API's status code (1017 registered, 1014 not registered, 1013 disabled, 1012 unknown, 1011 not owned).
      type: int
      sample: 1017
    state:
      description: The code in words.
      type: str
      choices: [registered, unregistered, disabled, not_found, not_owned, unknown]
      sample: registered
    registered:
      description: Whether the extension is registered.
      type: bool
      sample: true
    clientip:
      description: IP address of the registered phone; null when not registered.
      type: str
      sample: 192.168.5.102
    serverip:
      description: IP address of the server the phone registered with; null when not registered.
      type: str
      sample: 192.168.5.150
registered:
  description: The registered extension numbers.
  returned: success, and on a wait timeout
  type: list
  elements: str
  sample: ["1002", "1003"]
unregistered:
  description: The extension numbers that are not registered, whatever the reason.
  returned: success, and on a wait timeout
  type: list
  elements: str
  sample: ["1004"]
rounds:
  description: How many polling rounds were made (1 without O(wait_for)).
  returned: always
  type: int
  sample: 3
elapsed:
  description: Seconds spent, waiting included.
  returned: always
  type: float
  sample: 4.02
api_calls:
  description: HTTP requests the task sent, per service.
  returned: always
  type: dict
  sample: {App.Sip_Auth.Login: 1, App.Sip_Status.GetSipRegisterStatus: 2, App.Sip_Auth.Logout: 1}
retries:
  description:
    - Calls the task repeated, per service, after a transient failure (connection, timeout, HTTP 5xx, ret 500,
      code 1001) or after logging in again for a refused token (ret 600, code 1010); empty when none was repeated.
    - Each repeat is also counted in RV(api_calls).
  returned: always
  type: dict
  sample: {App.Sip_Status.GetSipRegisterStatus: 1}
"""

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.voiceops.pbx.plugins.module_utils._http_transport import (
    ApiClientError,
    usage,
)
from ansible_collections.voiceops.pbx.plugins.module_utils._outbound_client import OutboundClient
from ansible_collections.voiceops.pbx.plugins.module_utils._outbound_options import (
    outbound_argument_spec,
    outbound_client_kwargs,
    outbound_connection_problems,
)
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_extensions import parse_extension_numbers

NEVER_REGISTERS = ("not_found", "not_owned")


def arrived(entry, wait_for):
    return entry["registered"] if wait_for == "registered" else not entry["registered"]


class Poll:
    """Rounds of status calls until every extension is where it should be, or time is up."""

    def __init__(self, client, numbers, batch_size, wait_for, timeout, interval, clock=time.monotonic, sleep=time.sleep):
        self.client = client
        self.numbers = numbers
        self.batch_size = batch_size
        self.wait_for = wait_for
        self.deadline = clock() + timeout
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self.latest = {}
        self.rounds = 0

    def run(self):
        """Returns None when done, or why the wait failed."""
        pending = list(self.numbers)
        while True:
            self.rounds += 1
            for entry in self.client.register_status(pending, self.batch_size):
                self.latest[entry["extnumber"]] = entry
            if not self.wait_for:
                return None
            pending = [number for number in pending if not arrived(self.latest[number], self.wait_for)]
            if not pending:
                return None
            hopeless = [number for number in pending if self.latest[number]["state"] in NEVER_REGISTERS]
            if self.wait_for == "registered" and hopeless:
                return "these extensions can never register: %s" % self._states(hopeless)
            if self.clock() + self.interval > self.deadline:
                return "timed out waiting for %s; still not there: %s" % (self.wait_for, self._states(pending))
            self.sleep(self.interval)

    def _states(self, numbers):
        return ", ".join("%s (%s)" % (number, self.latest[number]["state"]) for number in numbers)

    def result(self):
        entries = [self.latest[number] for number in self.numbers]
        return dict(
            extensions=entries,
            registered=[entry["extnumber"] for entry in entries if entry["registered"]],
            unregistered=[entry["extnumber"] for entry in entries if not entry["registered"]],
            rounds=self.rounds,
        )


def main():
    argument_spec = outbound_argument_spec()
    argument_spec.update(
        extnumber=dict(type="list", elements="raw", required=True, aliases=["extensions"]),
        batch_size=dict(type="int", default=100),
        wait_for=dict(type="str", choices=["registered", "unregistered"]),
        timeout=dict(type="int", default=300),
        interval=dict(type="float", default=2),
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        required_one_of=[("token", "appid")],
        required_together=[("appid", "accesskey")],
        supports_check_mode=True,
    )
    params = module.params
    if not params["validate_certs"] and params["url"].lower().startswith("https"):
        module.warn("validate_certs is false: the server's certificate is not checked, so anyone on the network path "
                    "can pose as the call center and read the accesskey and token. Set ca_path to its CA certificate instead.")
    problems = outbound_connection_problems(params)
    try:
        numbers = parse_extension_numbers(params["extnumber"], "extnumber")
    except ValueError as err:
        problems.append(str(err))
    if params["batch_size"] < 1:
        problems.append("batch_size: %s is invalid; it must be 1 or more" % params["batch_size"])
    if params["timeout"] < 0 or params["interval"] <= 0:
        problems.append("timeout must be 0 or more and interval more than 0 seconds")
    if not problems and not numbers:
        problems.append("extnumber: no extension number given")
    if problems:
        module.fail_json(msg="Invalid input, nothing was sent to the Predictive Outbound API: " + "; ".join(problems),
                         problems=problems, **usage(None))

    started = time.monotonic()
    try:
        client = OutboundClient(**outbound_client_kwargs(params))
    except ApiClientError as err:
        module.fail_json(msg=str(err), **usage(None))
    poll = Poll(client, numbers, params["batch_size"], params["wait_for"], params["timeout"], params["interval"])
    try:
        with client:
            failure = poll.run()
    except ApiClientError as err:
        module.fail_json(msg=str(err), rounds=poll.rounds, **usage(client),
                         elapsed=round(time.monotonic() - started, 2))

    result = dict(poll.result(), changed=False, **usage(client),
                  elapsed=round(time.monotonic() - started, 2))
    if failure:
        module.fail_json(msg=failure, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
