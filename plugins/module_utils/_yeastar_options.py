# Copyright (c) voiceops.pbx contributors
# BSD 2-Clause License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
#
# Private to the voiceops.pbx collection: no compatibility promise outside it.

"""Options of the Yeastar modules: the connection options shared by every Yeastar module and the
yeastar inventory plugin, and the argument spec of each module.

The module specs are here, apart from the modules, so that other code (the benchmark's echo module,
tools/benchmark) can build an AnsibleModule that validates exactly what a module does; this file
imports nothing that talks to the PBX.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback

from ansible_collections.voiceops.pbx.plugins.module_utils._http_proxy import proxy_url_problems
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_api_versions import VERSION_CHOICES
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_fields import FIELDS

CONNECTION_ENV = {
    "host": "YEASTAR_HOST",
    "port": "YEASTAR_PORT",
    "api_username": "YEASTAR_USERNAME",
    "api_password": "YEASTAR_PASSWORD",
    "api_version": "YEASTAR_API_VERSION",
    "scheme": "YEASTAR_SCHEME",
    "validate_certs": "YEASTAR_VALIDATE_CERTS",
    "ca_path": "YEASTAR_CA_PATH",
    "timeout": "YEASTAR_TIMEOUT",
    "proxy_url": "YEASTAR_PROXY_URL",
    "use_proxy": "YEASTAR_USE_PROXY",
}

INSECURE_WARNING = (
    "validate_certs is false: the PBX's certificate is not checked, so anyone on the network path "
    "can pose as the PBX and read the API password digest, the session token and every extension's "
    "secrets. Set ca_path to the PBX's CA certificate instead."
)


def _env(name):
    return (env_fallback, [CONNECTION_ENV[name]])


def yeastar_argument_spec():
    """A fresh argument spec of the connection options, with environment fallbacks."""
    return dict(
        host=dict(type="str", required=True, fallback=_env("host")),
        port=dict(type="int", default=8088, fallback=_env("port")),
        api_username=dict(type="str", required=True, fallback=_env("api_username")),
        api_password=dict(type="str", required=True, no_log=True, fallback=_env("api_password")),
        api_version=dict(type="str", default="v1.0.0", choices=list(VERSION_CHOICES), fallback=_env("api_version")),
        scheme=dict(type="str", default="https", choices=["https", "http"], fallback=_env("scheme")),
        validate_certs=dict(type="bool", default=True, fallback=_env("validate_certs")),
        ca_path=dict(type="path", fallback=_env("ca_path")),
        timeout=dict(type="int", default=30, fallback=_env("timeout")),
        # The URL may hold the proxy's password; no_log also keeps it out of the target's system log.
        proxy_url=dict(type="str", no_log=True, fallback=_env("proxy_url")),
        use_proxy=dict(type="bool", default=True, fallback=_env("use_proxy")),
    )


def connection_problems(options):
    """What is wrong with the connection options host, port, timeout and proxy_url of a mapping, in words that
    name each option and its rule; an empty list when nothing is. A value that is None is not
    checked here (required options are Ansible's to ask for)."""
    problems = []
    if options.get("host") is not None:
        problems.extend(host_problems(options["host"]))
    if options.get("port") is not None:
        problems.extend(port_problems(options["port"]))
    if options.get("timeout") is not None:
        problems.extend(timeout_problems(options["timeout"]))
    if options.get("proxy_url"):
        problems.extend(proxy_url_problems(options["proxy_url"]))
    return problems


def host_problems(host):
    """A host must be the bare name or IP address of the PBX."""
    if not host.strip():
        return ["host: it is blank; give the name or IP address of the PBX"]
    if "://" in host or "/" in host or re.search(r"\s", host) or host.count(":") == 1:
        bare = urlsplit(host if "://" in host else "//" + host.strip()).hostname
        example = " (%s)" % bare if bare and bare != host else ""
        return ["host: %r is invalid; give the bare name or IP address of the PBX%s, without scheme, port, "
                "path or spaces (scheme and port are options of their own)" % (host, example)]
    return []


def port_problems(port, option="port"):
    if not 1 <= port <= 65535:
        return ["%s: %s is invalid; it must be from 1 to 65535" % (option, port)]
    return []


def timeout_problems(timeout, option="timeout"):
    if timeout < 1:
        return ["%s: %s is invalid; it must be 1 second or more (a deadline for the whole request)" % (option, timeout)]
    return []


def field_argument_spec():
    """Argument spec of every extension setting, from the field table."""
    return {field.option: field.argument_spec() for field in FIELDS}


def extension_item_argument_spec():
    """Argument spec of one item of the extensions option of yeastar_extension."""
    spec = dict(
        extension=dict(type="raw", required=True, aliases=["extid", "number"]),
        new_extension=dict(type="raw", aliases=["extnumber"]),
        state=dict(type="str", choices=["present", "absent"]),
    )
    spec.update(field_argument_spec())
    return spec


def extension_argument_spec():
    """The options of yeastar_extension besides the connection ones (YeastarModule adds those)."""
    spec = dict(
        extension=dict(type="raw", aliases=["extid", "number"]),
        new_extension=dict(type="raw", aliases=["extnumber"]),
        extensions=dict(type="list", elements="dict", options=extension_item_argument_spec()),
        all_of_type=dict(type="list", elements="str", choices=["SIP", "IAX", "FXS"]),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        update_password=dict(type="str", default="always", choices=["always", "on_create"], no_log=False),
        strong_passwords=dict(type="bool", default=True, no_log=False),
        purge=dict(type="bool", default=False),
        purge_exclude=dict(type="list", elements="raw", default=[]),
        batch_size=dict(type="int", default=100),
    )
    spec.update(field_argument_spec())
    return spec


def extension_constraints():
    """The AnsibleModule keyword arguments of yeastar_extension that relate its options."""
    return dict(
        mutually_exclusive=[("extension", "extensions", "all_of_type"), ("new_extension", "extensions"),
                            ("new_extension", "all_of_type")],
        required_one_of=[("extension", "extensions", "all_of_type")],
    )


def extension_info_argument_spec():
    """The options of yeastar_extension_info besides the connection ones (YeastarModule adds those)."""
    return dict(
        extensions=dict(type="list", elements="raw", aliases=["extid"]),
        details=dict(type="bool", default=False),
        batch_size=dict(type="int", default=100),
        show_secrets=dict(type="bool", default=False),
        status=dict(type="list", elements="str",
                    choices=["Unavailable", "Registered", "Ringing", "Busy", "Hold", "Malfunction", "Idle", "Fxsnoport"]),
        type=dict(type="list", elements="str", choices=["SIP", "IAX", "FXS"]),
    )


def client_kwargs(options):
    """Keyword arguments for YeastarClient from any mapping of the connection options."""
    return {name: options[name] for name in CONNECTION_ENV}
