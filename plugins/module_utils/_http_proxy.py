# Copyright (c) voiceops.pbx contributors
# BSD 2-Clause License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
#
# Private to the voiceops.pbx collection: no compatibility promise outside it.

"""Which HTTP proxy a request goes through, and a proxy URL parsed.

An explicit proxy URL (the proxy_url option) wins over the environment (https_proxy, http_proxy,
no_proxy and their upper-case forms); no_proxy applies to the environment's proxies only; with
use_proxy false there is no proxy at all. Credentials in a proxy URL (http://user:password@host:port)
go into a Proxy-Authorization header and nowhere else: a proxy is named in messages by its host and
port and where it came from, and a URL shown in a message has its credentials masked.
"""

from __future__ import annotations

import base64
import os
import re
from urllib.parse import unquote, urlsplit

MASK = "********"
DEFAULT_PORT = 80
_CREDENTIALS = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)?(?P<credentials>.*)@")


class ProxyError(ValueError):
    """A proxy URL that cannot be used; the message masks its credentials."""


class Proxy:
    """An HTTP proxy: host, port, the credentials header, and where its URL came from (source)."""

    def __init__(self, host, port, source, username=None, password=None):
        self.host = host
        self.port = port
        self.source = source
        self._authorization = None
        if username is not None:
            pair = "%s:%s" % (username, password or "")
            self._authorization = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")

    def __str__(self):
        return "%s (%s)" % (self.address, self.source)

    @property
    def address(self):
        return "%s:%d" % ("[%s]" % self.host if ":" in self.host else self.host, self.port)

    @property
    def has_credentials(self):
        return self._authorization is not None

    @property
    def key(self):
        """What tells two proxies apart, for keeping connections apart."""
        return (self.host, self.port, self._authorization)

    def headers(self):
        """The headers every request to the proxy carries."""
        return {"Proxy-Authorization": self._authorization} if self._authorization else {}


def mask_proxy_url(url):
    """The URL with the credentials before its last @ (if any) replaced by ********."""
    return _CREDENTIALS.sub(lambda match: "%s%s@" % (match.group("scheme") or "", MASK), url, count=1)


def proxy_url_problems(url, option="proxy_url"):
    """What is wrong with a proxy URL, naming the option, its credentials masked; an empty list when nothing is."""
    try:
        parse_proxy_url(url, option)
    except ProxyError as err:
        return [str(err)]
    return []


def parse_proxy_url(url, source):
    """A Proxy from http://[user:password@]host[:port]; ProxyError names the source and the rule broken.
    A URL without a scheme is taken as http://, as curl and urllib do; the port defaults to 80."""
    text = url.strip()
    parts = urlsplit(text if "://" in text else "http://" + text)
    if parts.scheme.lower() != "http":
        raise ProxyError("%s: the scheme %s:// is not supported; give the proxy as http://host:port (the request to the "
                         "PBX or API is still encrypted end to end when it is https, through a CONNECT tunnel; a proxy "
                         "reached over TLS itself is not supported)" % (source, parts.scheme))
    if not parts.hostname:
        raise ProxyError("%s: %s names no proxy host; give it as http://host:port" % (source, _masked_text(text)))
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port is not None and not 1 <= port <= 65535:
        raise ProxyError("%s: %s has a port that is not from 1 to 65535" % (source, _masked_text(text)))
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ProxyError("%s: %s has a path or query; give the proxy as http://host:port only" % (source, _masked_text(text)))
    username = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    return Proxy(parts.hostname, port or DEFAULT_PORT, source, username, password)


def choose_proxy(url, proxy_url=None, use_proxy=True):
    """The Proxy that requests to url go through, or None to go direct."""
    if not use_proxy:
        return None
    if proxy_url:
        return parse_proxy_url(proxy_url, "proxy_url")
    if not any(name.lower().endswith("_proxy") for name in os.environ):
        return None
    # Imported only when a proxy variable is set: urllib.request costs every module process about 15 ms.
    from urllib.request import getproxies_environment  # pylint: disable=import-outside-toplevel

    parts = urlsplit(url)
    proxies = getproxies_environment()
    environment_url = proxies.get(parts.scheme.lower())
    if not environment_url or bypassed(parts, proxies):
        return None
    return parse_proxy_url(environment_url, "%s_proxy" % parts.scheme.lower())


def bypassed(parts, proxies):
    """Whether no_proxy in the environment names the server of the URL parts (by name, name:port or domain)."""
    from urllib.request import proxy_bypass_environment  # pylint: disable=import-outside-toplevel

    return proxy_bypass_environment(parts.netloc, proxies) or proxy_bypass_environment(parts.hostname or "", proxies)


def _masked_text(url):
    return "the URL %s" % mask_proxy_url(url)
