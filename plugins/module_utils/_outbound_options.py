# Copyright (c) voiceops.pbx contributors
# BSD 2-Clause License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
#
# Private to the voiceops.pbx collection: no compatibility promise outside it.

"""Connection options of the Predictive Outbound API, shared by its module and the inventory plugin."""

from __future__ import annotations

from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback

from ansible_collections.voiceops.pbx.plugins.module_utils._http_proxy import proxy_url_problems

OUTBOUND_ENV = {
    "url": "OUTBOUND_API_URL",
    "token": "OUTBOUND_API_TOKEN",
    "appid": "OUTBOUND_API_APPID",
    "accesskey": "OUTBOUND_API_ACCESSKEY",
    "validate_certs": "OUTBOUND_API_VALIDATE_CERTS",
    "ca_path": "OUTBOUND_API_CA_PATH",
    "proxy_url": "OUTBOUND_API_PROXY_URL",
    "use_proxy": "OUTBOUND_API_USE_PROXY",
}


def _env(name):
    return (env_fallback, [OUTBOUND_ENV[name]])


def outbound_argument_spec():
    """A fresh argument spec of the connection options, with environment fallbacks."""
    return dict(
        url=dict(type="str", required=True, fallback=_env("url")),
        token=dict(type="str", no_log=True, fallback=_env("token")),
        appid=dict(type="str", fallback=_env("appid")),
        accesskey=dict(type="str", no_log=True, fallback=_env("accesskey")),
        validate_certs=dict(type="bool", default=True, fallback=_env("validate_certs")),
        ca_path=dict(type="path", fallback=_env("ca_path")),
        request_timeout=dict(type="int", default=30),
        # The URL may hold the proxy's password; no_log also keeps it out of the target's system log.
        proxy_url=dict(type="str", no_log=True, fallback=_env("proxy_url")),
        use_proxy=dict(type="bool", default=True, fallback=_env("use_proxy")),
    )


def outbound_connection_problems(options):
    """What is wrong with url, request_timeout and proxy_url, in words that name each option and its rule;
    an empty list when nothing is."""
    problems = url_problems(options["url"])
    if options["request_timeout"] < 1:
        problems.append("request_timeout: %s is invalid; it must be 1 second or more (a deadline for the whole request)"
                        % options["request_timeout"])
    if options.get("proxy_url"):
        problems.extend(proxy_url_problems(options["proxy_url"]))
    return problems


def url_problems(url, option="url"):
    """The base URL must be http:// or https:// with a server name, and a port (if any) from 1 to 65535."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ["%s: %r is invalid; it must start with http:// or https:// and name the server, for example "
                "http://callcenter.example.com:8080" % (option, url)]
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port is not None and not 1 <= port <= 65535:
        return ["%s: %r is invalid; its port must be from 1 to 65535" % (option, url)]
    return []


def outbound_client_kwargs(options):
    """Keyword arguments for OutboundClient from any mapping of the connection options."""
    kwargs = {name: options[name] for name in OUTBOUND_ENV}
    kwargs["timeout"] = options["request_timeout"]
    return kwargs
