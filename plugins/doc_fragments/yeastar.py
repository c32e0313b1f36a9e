# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """Connection options of the Yeastar S-Series API, shared by modules and the inventory plugin."""

    DOCUMENTATION = r"""
options:
  host:
    description:
      - Host name or IP address of the Yeastar S-Series PBX, bare, without scheme, port or path
        (V(pbx.example.com), not V(https://pbx.example.com:8088)); O(scheme) and O(port) are options of their own.
      - If not set, the value of the E(YEASTAR_HOST) environment variable is used.
    type: str
    required: true
  port:
    description:
      - TCP port of the PBX web interface and API, from 1 to 65535.
      - If not set, the value of the E(YEASTAR_PORT) environment variable is used.
    type: int
    default: 8088
  api_username:
    description:
      - User name of the API, set in C(Settings > PBX > General > API) on the PBX.
      - This is not the web administrator's account. It is called O(api_username) because
        C(username) is an extension field of the vendor API.
      - If not set, the value of the E(YEASTAR_USERNAME) environment variable is used.
    type: str
    required: true
  api_password:
    description:
      - Password of the API user, in clear. Only its MD5 digest is sent, as the API requires.
      - The PBX blocks the caller's IP address for 10 minutes after 5 failed logins in a row;
        a login refused for credentials is therefore never retried.
      - A refused login is also recorded for 10 minutes, for every process of the same user on the same machine
        (the forks of a run, other runs, inventory loads). After error 20003 (wrong user name or password), logins
        to the same PBX with the same API user and password fail at once, without a request; a different password
        is tried at once. After error 20002 (locked out), every login to that PBX fails at once.
      - The record lives in the directory named by E(YEASTAR_LOGIN_STATE_DIR), or else in C(voiceops-pbx-UID) in the
        temporary directory, and holds no secret. The failure message names its file; deleting that file allows
        a login again before the 10 minutes are over.
      - If not set, the value of the E(YEASTAR_PASSWORD) environment variable is used.
      - For ad hoc commands, give the password through E(YEASTAR_PASSWORD) or a vaulted variable, not
        C(-a api_password=...), because ansible-core may repeat the module arguments in its own error output.
    type: str
    required: true
  api_version:
    description:
      - API version of the PBX firmware, in the URL path. V(v1.0.0) for most firmware, V(v1.1.0) for firmware
        30.10.0.59 and later, V(v2.0.0) for firmware 30.13.0.30 and later, where extensions can also be created
        and deleted.
      - Options, results and host variables are the same on every version, so that a playbook does not change when
        the PBX is upgraded; the collection maps them to each version's field names.
      - The version is not detected, because every probe of it would be a login that the PBX may count as failed.
      - If not set, the value of the E(YEASTAR_API_VERSION) environment variable is used.
    type: str
    choices: [v1.0.0, v1.1.0, v2.0.0]
    default: v1.0.0
  scheme:
    description:
      - V(https) unless the PBX is configured for plain HTTP, which is only for labs.
      - If not set, the value of the E(YEASTAR_SCHEME) environment variable is used.
    type: str
    choices: [https, http]
    default: https
  validate_certs:
    description:
      - Whether to verify the PBX's TLS certificate.
      - V(false) is insecure and produces a warning; prefer O(ca_path) for a self-signed certificate.
      - If not set, the value of the E(YEASTAR_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA (or the self-signed certificate) that issued the PBX's certificate,
        or a directory of CA certificates prepared with C(openssl rehash).
      - If neither this nor E(YEASTAR_CA_PATH) is set, the certificate is checked against the system's trusted CAs
        (OpenSSL's defaults, which E(SSL_CERT_FILE) and E(SSL_CERT_DIR) can change).
      - If not set, the value of the E(YEASTAR_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds one HTTP request to the PBX may take, at least 1. It is a deadline for the whole request
        (name resolution, connecting, the TLS handshake, sending, and the whole answer), so that a PBX (or a
        middlebox) that answers a byte at a time cannot hold a task longer.
      - Reads that time out are retried up to 3 times with backoff, each try with the whole timeout again;
        logins and updates are not.
      - If not set, the value of the E(YEASTAR_TIMEOUT) environment variable is used.
    type: int
    default: 30
  proxy_url:
    description:
      - HTTP proxy for this PBX, as V(http://host:port) or V(http://user:password@host:port) (the port defaults
        to 80; characters such as C(@) or C(:) in the user name or password are percent-encoded). HTTPS to the PBX
        goes through a C(CONNECT) tunnel, and the PBX's certificate is still checked against O(host); plain HTTP
        is sent to the proxy as an absolute-URI request. A proxy reached over TLS (V(https://)) is not supported.
      - It takes precedence over the E(https_proxy) and E(http_proxy) environment variables, and E(no_proxy) does
        not apply to it. When it is not set and O(use_proxy=true), the environment's proxy for the PBX's scheme is
        used, unless E(no_proxy) names the PBX.
      - The user name and password go to the proxy in a C(Proxy-Authorization) header, and never into a message,
        result or log; messages name a proxy by its host and port only.
      - If not set, the value of the E(YEASTAR_PROXY_URL) environment variable is used.
    type: str
  use_proxy:
    description:
      - V(false) connects straight to the PBX, ignoring both O(proxy_url) and the proxy environment variables.
      - If not set, the value of the E(YEASTAR_USE_PROXY) environment variable is used.
    type: bool
    default: true
notes:
  - The API must be enabled on the PBX in C(Settings > PBX > General > API); it is off by default.
  - Every task logs in once and logs out when it ends, also when it fails.
  - Every task uses one keep-alive connection to the PBX (through a proxy, one tunnel), straight or through
    the proxy chosen by O(proxy_url), O(use_proxy) and the proxy environment variables.
  - Needs nothing beyond the Python standard library on the host that runs the task.
"""

    # For the inventory plugin: merged into DOCUMENTATION's options, so that both read
    # the same environment variables.
    INVENTORY = r"""
options:
  host:
    env:
      - name: YEASTAR_HOST
  port:
    env:
      - name: YEASTAR_PORT
  api_username:
    env:
      - name: YEASTAR_USERNAME
  api_password:
    env:
      - name: YEASTAR_PASSWORD
  api_version:
    env:
      - name: YEASTAR_API_VERSION
  scheme:
    env:
      - name: YEASTAR_SCHEME
  validate_certs:
    env:
      - name: YEASTAR_VALIDATE_CERTS
  ca_path:
    env:
      - name: YEASTAR_CA_PATH
  timeout:
    env:
      - name: YEASTAR_TIMEOUT
  proxy_url:
    env:
      - name: YEASTAR_PROXY_URL
  use_proxy:
    env:
      - name: YEASTAR_USE_PROXY
"""

    ACTION_GROUP = r"""
attributes:
  action_group:
    description: Use C(group/voiceops.pbx.yeastar) in C(module_defaults) to set the connection options once for every Yeastar module.
    support: full
    membership:
      - voiceops.pbx.yeastar
"""
