# Copyright (c) voiceops.pbx contributors
# BSD 2-Clause License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
#
# Private to the voiceops.pbx collection: no compatibility promise outside it.

"""AnsibleModule with the Yeastar connection options and client wiring."""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.voiceops.pbx.plugins.module_utils._http_transport import (
    ApiClientError,
    usage,
)
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_client import YeastarClient
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_options import (
    INSECURE_WARNING,
    client_kwargs,
    connection_problems,
    yeastar_argument_spec,
)

INVALID_INPUT = "Invalid input, nothing was sent to the PBX: "


class YeastarModule(AnsibleModule):
    """An AnsibleModule that also takes the connection options, checks them before the module's
    own code runs, and builds the API client."""

    def __init__(self, argument_spec, **kwargs):
        spec = yeastar_argument_spec()
        spec.update(argument_spec)
        super().__init__(argument_spec=spec, **kwargs)
        problems = connection_problems(self.params)
        if problems:
            self.fail_json(msg=INVALID_INPUT + "; ".join(problems), problems=problems, **usage(None))
        if not self.params["validate_certs"] and self.params["scheme"] == "https":
            self.warn(INSECURE_WARNING)

    def client(self):
        """A new API client; use it in a with block so that it logs out."""
        try:
            return YeastarClient(**client_kwargs(self.params))
        except ApiClientError as err:
            self.fail_json(msg=str(err), **usage(None))

    def fail_on_error(self, error, **result):
        """Fail the task with the client's one-line message and the vendor errno, if any."""
        errno = getattr(error, "errno", None)
        if errno is not None:
            result["errno"] = errno
        self.fail_json(msg=str(error), **result)
