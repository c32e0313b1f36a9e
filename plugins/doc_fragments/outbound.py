# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """Connection options of the Predictive Outbound call-center API."""

    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the Predictive Outbound API, for example V(http://callcenter.example.com:8080).
      - It starts with V(http://) or V(https://) and names the server; a port in it is from 1 to 65535.
      - If not set, the value of the E(OUTBOUND_API_URL) environment variable is used.
    type: str
    required: true
  token:
    description:
      - A token obtained from C(App.Sip_Auth.Login). Tokens live 12 hours.
      - With O(appid) and O(accesskey) too, an expired token is replaced by a fresh login.
      - If not set, the value of the E(OUTBOUND_API_TOKEN) environment variable is used.
      - One of O(token) or O(appid) and O(accesskey) is required.
    type: str
  appid:
    description:
      - Application ID for C(App.Sip_Auth.Login). The module logs out the token it created when it ends.
      - If not set, the value of the E(OUTBOUND_API_APPID) environment variable is used.
    type: str
  accesskey:
    description:
      - Access key that goes with O(appid).
      - If not set, the value of the E(OUTBOUND_API_ACCESSKEY) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificate of an V(https) URL.
      - If not set, the value of the E(OUTBOUND_API_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA that issued the server's certificate, for an V(https) URL.
      - If not set, the value of the E(OUTBOUND_API_CA_PATH) environment variable is used.
    type: path
  request_timeout:
    description:
      - Seconds one HTTP request may take, at least 1. It is a deadline for the whole request (name resolution,
        connecting, the TLS handshake, sending, and the whole answer).
      - Requests that time out are retried up to 3 times with backoff, each try with the whole time again.
    type: int
    default: 30
  proxy_url:
    description:
      - HTTP proxy for the API, as V(http://host:port) or V(http://user:password@host:port) (the port defaults to
        80). Plain HTTP is sent to the proxy as an absolute-URI request; an V(https) O(url) goes through a
        C(CONNECT) tunnel, with the server's certificate still checked. A proxy reached over TLS is not supported.
      - It takes precedence over the E(http_proxy) and E(https_proxy) environment variables, and E(no_proxy) does
        not apply to it. When it is not set and O(use_proxy=true), the environment's proxy for the URL's scheme is
        used, unless E(no_proxy) names the server.
      - The user name and password go to the proxy in a C(Proxy-Authorization) header, and never into a message,
        result or log.
      - If not set, the value of the E(OUTBOUND_API_PROXY_URL) environment variable is used.
    type: str
  use_proxy:
    description:
      - V(false) connects straight to the server, ignoring both O(proxy_url) and the proxy environment variables.
      - If not set, the value of the E(OUTBOUND_API_USE_PROXY) environment variable is used.
    type: bool
    default: true
notes:
  - Connections go straight to the server, or through the proxy chosen by O(proxy_url), O(use_proxy) and the
    proxy environment variables.
  - Needs nothing beyond the Python standard library on the host that runs the task.
"""

    ACTION_GROUP = r"""
attributes:
  action_group:
    description: Use C(group/voiceops.pbx.outbound) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - voiceops.pbx.outbound
"""
