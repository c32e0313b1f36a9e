# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: yeastar
short_description: Extensions of a Yeastar S-Series PBX as inventory hosts
version_added: 0.1.0
description:
  - One host per extension of a Yeastar S-Series PBX, read through its HTTPS API.
  - Host variables carry the number, display name, status, type and port of each extension under the
    O(host_vars_prefix); with O(details=true) also every setting, under the option names of
    M(voiceops.pbx.yeastar_extension). Secrets (registration password, login password, voicemail PIN)
    are never written into host variables or the cache.
  - Hosts are grouped by type and status (for example C(yeastar_type_sip), C(yeastar_status_registered)),
    and the standard O(compose), O(groups), O(keyed_groups) and O(strict) options apply.
  - Optionally adds each extension's registration state and phone IP address from the Predictive Outbound
    call-center API (O(registration=true)).
  - Every string that comes from the PBX is marked unsafe, so that it is never templated.
  - Cost, one login, one list call (C(extensionlist/query) on API v1.x, C(extension/list) on v2.0.0),
    ceil(N / O(batch_size)) C(extension/query) calls when
    O(details=true), one logout; a run served from the cache makes no HTTP call.
  - The configuration file name must end in C(yeastar.yml) or C(yeastar.yaml).
author:
  - VoiceOps PBX team (@voiceops)
extends_documentation_fragment:
  - voiceops.pbx.yeastar
  - voiceops.pbx.yeastar.inventory
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: The name of this plugin; the file is for this plugin only when it says so.
    type: str
    required: true
    choices: [voiceops.pbx.yeastar]
  hostname_format:
    description:
      - Python format string for the host name of an extension. Its fields are those of an extension
        summary, all text, C({number}), C({name}), C({status}), C({type}) and C({port}) (for example
        C(ext{number}) or C({name}-{number})); a field name, conversion or format spec that does not apply
        fails the inventory load before any request to the PBX.
      - Characters other than letters, digits, C(_), C(.) and C(-) in the result become C(_).
      - Host names must be unique and not empty. When two extensions that are not left out by O(include) and
        O(exclude) get the same host name (for example C({name}) for two people with the same display name,
        or C(Ann Lee) and C(Ann/Lee), which both become C(Ann_Lee)), or one gets an empty host name, the
        inventory load fails and names the extensions; a format that includes C({number}) avoids both.
    type: str
    default: "ext{number}"
  host_vars_prefix:
    description: Prefix of the host variables this plugin sets.
    type: str
    default: yeastar_
  group_prefix:
    description: Prefix of the default groups.
    type: str
    default: yeastar_
  default_groups:
    description: Put each host into a group by type (C(<group_prefix>type_sip)) and by status (C(<group_prefix>status_idle)).
    type: bool
    default: true
  details:
    description: Also read every setting of every extension (C(extension/query), in batches of O(batch_size)).
    type: bool
    default: false
  batch_size:
    description: How many extensions one C(extension/query) call reads.
    type: int
    default: 100
  include:
    description:
      - Jinja conditions on the host variables (without C({{ }})); when set, only extensions for which at least one
        is true become hosts.
    type: list
    elements: str
    default: []
  exclude:
    description: Jinja conditions on the host variables; extensions for which any is true are left out.
    type: list
    elements: str
    default: []
  use_local_connection:
    description:
      - Set C(ansible_connection=local) on every host. Extensions are not SSH hosts; tasks that target them
        run on the controller (or the execution environment) and talk to the PBX API.
      - Also sets C(ansible_python_interpreter) to C({{ ansible_playbook_python }}) on every host, so that
        their tasks run with the Python that runs Ansible, as on the implicit C(localhost), instead of an
        interpreter that discovery finds (which may not work). It is not set when C(interpreter_python) in
        C(ansible.cfg) or E(ANSIBLE_PYTHON_INTERPRETER) names an interpreter (a value other than the
        C(auto) modes).
      - To choose another interpreter for these hosts, set C(ansible_python_interpreter) with O(compose),
        in C(host_vars/) files, as a play variable or with C(-e). Group variables (C(group_vars/), the
        C(vars) of an inventory's groups) do not override it, since the host variables of an inventory
        source take precedence over them.
    type: bool
    default: true
  registration:
    description:
      - Add the registration state from the Predictive Outbound API as C(<host_vars_prefix>registered),
        C(<host_vars_prefix>registration_state) and C(<host_vars_prefix>clientip); a registered extension gets
        C(ansible_host) set to its phone's IP address.
    type: bool
    default: false
  outbound_url:
    description: Base URL of the Predictive Outbound API, for O(registration=true).
    type: str
    env:
      - name: OUTBOUND_API_URL
  outbound_token:
    description: A token of the Predictive Outbound API; or give O(outbound_appid) and O(outbound_accesskey).
    type: str
    env:
      - name: OUTBOUND_API_TOKEN
  outbound_appid:
    description: Application ID to log in to the Predictive Outbound API; the token is logged out afterwards.
    type: str
    env:
      - name: OUTBOUND_API_APPID
  outbound_accesskey:
    description: Access key that goes with O(outbound_appid).
    type: str
    env:
      - name: OUTBOUND_API_ACCESSKEY
  outbound_validate_certs:
    description: Whether to verify the TLS certificate of an V(https) O(outbound_url).
    type: bool
    default: true
    env:
      - name: OUTBOUND_API_VALIDATE_CERTS
  outbound_ca_path:
    description: PEM file of the CA that issued the certificate of an V(https) O(outbound_url).
    type: path
    env:
      - name: OUTBOUND_API_CA_PATH
  outbound_batch_size:
    description: How many extension numbers one registration status call carries.
    type: int
    default: 100
  outbound_proxy_url:
    description:
      - HTTP proxy for the Predictive Outbound API, as V(http://host:port) or V(http://user:password@host:port);
        it takes precedence over the proxy environment variables, and E(no_proxy) does not apply to it.
        See O(proxy_url), which works the same way for the PBX.
    type: str
    env:
      - name: OUTBOUND_API_PROXY_URL
  outbound_use_proxy:
    description:
      - V(false) connects straight to the Predictive Outbound API, ignoring both O(outbound_proxy_url) and the
        proxy environment variables.
    type: bool
    default: true
    env:
      - name: OUTBOUND_API_USE_PROXY
"""

EXAMPLES = r"""
---
# pbx.yeastar.yml - connection from YEASTAR_* environment variables (an AWX credential injects them)
plugin: voiceops.pbx.yeastar

---
# office.yeastar.yml - settings, registration state, filters and groups of your own
plugin: voiceops.pbx.yeastar
host: pbx.example.com
api_username: api
ca_path: /etc/pki/yeastar-ca.pem
details: true
registration: true
outbound_url: http://callcenter.example.com:8080
exclude:
  - yeastar_type == 'FXS'
keyed_groups:
  - key: yeastar_language
    prefix: language
groups:
  without_voicemail: not yeastar_voicemail

---
# cached.yeastar.yml - read the PBX at most once an hour; --flush-cache forces a new read
plugin: voiceops.pbx.yeastar
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/voiceops-pbx
cache_timeout: 3600

# AWX / Automation Platform: commit a file like the first one to the project (for example
# inventories/pbx.yeastar.yml), add an inventory source "Sourced from a project" that points at it,
# and attach a credential of the Yeastar API credential type (docs/credential-types/) to the source.
"""

import re
import string

from ansible import constants as C
from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.voiceops.pbx.plugins.module_utils._http_proxy import proxy_url_problems
from ansible_collections.voiceops.pbx.plugins.module_utils._http_transport import ApiClientError
from ansible_collections.voiceops.pbx.plugins.module_utils._outbound_client import OutboundClient
from ansible_collections.voiceops.pbx.plugins.module_utils._outbound_options import url_problems
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_client import YeastarClient
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_extensions import (
    extension_summary,
    list_extensions,
    query_extensions,
)
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_fields import SECRET_OPTIONS
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_options import (
    CONNECTION_ENV,
    INSECURE_WARNING,
    connection_problems,
)
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_settings import settings_from_answer

try:  # ansible-core 2.19+ (data tagging): a plain str is never templated, only values tagged as trusted are
    from ansible.template import trust_as_template
except ImportError:
    trust_as_template = None

NOT_IN_HOST_NAMES = re.compile(r"[^A-Za-z0-9_.-]")
HOST_NAME_FIELDS = tuple(extension_summary({"number": "0"}))  # the keys of every extension summary
FIELD_LIST = ", ".join("{%s}" % field for field in HOST_NAME_FIELDS)
FORMAT_ERRORS = (ValueError, AttributeError, IndexError, KeyError, TypeError)
NUMBERS_NAMED = 5
UNIQUE_ADVICE = "include {number} in hostname_format, for example 'ext{number}' or '{name}-{number}'"
PLAIN_TYPES = (str, int, bool, type(None))
PLAYBOOK_PYTHON = "{{ ansible_playbook_python }}"  # the controller's Python, which the implicit localhost uses
AUTO_INTERPRETERS = ("auto", "auto_silent", "auto_legacy", "auto_legacy_silent")


def unsafe(value):
    """A PBX value that is never templated.

    Before data tagging: wrapped unsafe. With data tagging (2.19+) an untagged value is never templated
    already; a string without a brace cannot be a template, so it is tagged trusted: ansible-inventory
    --export then writes it as a plain string (AWX stores host variables as they are written) instead
    of {"__ansible_unsafe": ...}. A string with a brace stays untrusted.
    """
    if trust_as_template is None:
        return wrap_var(value)
    if isinstance(value, str):
        return value if "{" in value else trust_as_template(value)
    return value if type(value) in PLAIN_TYPES else wrap_var(value)  # pylint: disable=unidiomatic-typecheck


def trusted(text):
    """A string of this plugin's own that Ansible may template (2.19+ templates only trusted strings)."""
    return trust_as_template(text) if trust_as_template else text


def interpreter_configured():
    """True when ansible.cfg or ANSIBLE_PYTHON_INTERPRETER names an interpreter instead of discovery."""
    return C.config.get_config_value("INTERPRETER_PYTHON") not in AUTO_INTERPRETERS


def check_hostname_format(hostname_format):
    """Refuse, before any request, a hostname_format that cannot name an extension."""
    reason = _format_problem(hostname_format)
    if reason:
        raise AnsibleParserError("voiceops.pbx.yeastar: hostname_format %r %s; the fields of an extension (all text) "
                                 "are %s" % (hostname_format, reason, FIELD_LIST))


def _format_problem(hostname_format):
    try:
        for field in _field_names(hostname_format):
            root = re.match(r"[^.\[]*", field).group()
            if not root or root.isdigit():
                return "has a field without a name ({} or {0}); name it, such as {number}"
            if root not in HOST_NAME_FIELDS:
                return "names the field {%s}, which an extension does not have" % root
        hostname_format.format(**dict.fromkeys(HOST_NAME_FIELDS, "0"))
    except FORMAT_ERRORS as err:
        return "cannot be used: %s" % err
    return None


def _field_names(text):
    """The field names of a format string, those nested in a format spec too."""
    for _literal, field, spec, _conversion in string.Formatter().parse(text):
        if field is not None:
            yield field
            yield from _field_names(spec or "")


def host_name(hostname_format, extension):
    """The host name of one extension summary, unsafe characters replaced by _; never empty."""
    try:
        name = NOT_IN_HOST_NAMES.sub("_", hostname_format.format(**extension))
    except FORMAT_ERRORS as err:  # only an index or attribute that does not fit this extension's values is left
        raise AnsibleParserError("voiceops.pbx.yeastar: hostname_format %r cannot name extension %s: %s"
                                 % (hostname_format, extension["number"], err)) from None
    if not name:
        raise AnsibleParserError("voiceops.pbx.yeastar: hostname_format %r gives extension %s an empty host name; %s"
                                 % (hostname_format, extension["number"], UNIQUE_ADVICE))
    return name


def refuse_shared_host_names(hostname_format, numbers_by_name):
    """Fail when two or more extensions get one host name: the inventory would merge them into one host."""
    shared = [(name, numbers) for name, numbers in numbers_by_name.items() if len(numbers) > 1]
    if not shared:
        return
    name, numbers = shared[0]
    more = len(shared) - 1
    others = "; %d other host name%s shared too" % (more, " is" if more == 1 else "s are") if more else ""
    raise AnsibleParserError("voiceops.pbx.yeastar: hostname_format %r gives the host name %r to %s%s; "
                             "host names must be unique: %s"
                             % (hostname_format, name, _extensions_named(numbers), others, UNIQUE_ADVICE))


def _extensions_named(numbers):
    if len(numbers) > NUMBERS_NAMED:
        return "%d extensions: %s and %d more" % (len(numbers), ", ".join(numbers[:NUMBERS_NAMED]),
                                                  len(numbers) - NUMBERS_NAMED)
    return "extensions %s and %s" % (", ".join(numbers[:-1]), numbers[-1])


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "voiceops.pbx.yeastar"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("yeastar.yml", "yeastar.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        check_hostname_format(self.get_option("hostname_format"))
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        data = None
        if use_cache:
            try:
                data = self._cache[cache_key]
            except KeyError:
                data = None
        if data is None:
            data = self._read_pbx()
            if self.get_option("cache"):
                self._cache[cache_key] = data
        self._populate(data)

    def _read_pbx(self):
        """Everything the inventory needs from the APIs, as plain data without secrets (it may be cached)."""
        options = {name: self.get_option(name) for name in CONNECTION_ENV}
        if not options["host"]:
            raise AnsibleParserError("voiceops.pbx.yeastar: set host (or YEASTAR_HOST) in the inventory file")
        problems = connection_problems(options)
        if self.get_option("registration") and self.get_option("outbound_url"):
            problems.extend(url_problems(self.get_option("outbound_url"), "outbound_url"))
            if self.get_option("outbound_proxy_url"):
                problems.extend(proxy_url_problems(self.get_option("outbound_proxy_url"), "outbound_proxy_url"))
        if problems:
            raise AnsibleParserError("voiceops.pbx.yeastar: Invalid input, nothing was sent to the PBX: " + "; ".join(problems))
        if not options["validate_certs"] and options["scheme"] == "https":
            self.display.warning("voiceops.pbx.yeastar: " + INSECURE_WARNING)
        try:
            client = YeastarClient(**options)
            with client:
                extensions = list_extensions(client)
                settings = {}
                if self.get_option("details"):
                    numbers = [extension["number"] for extension in extensions]
                    for number, info in query_extensions(client, numbers, self.get_option("batch_size")).items():
                        settings[number] = {option: value for option, value in settings_from_answer(info).items()
                                            if option not in SECRET_OPTIONS}
            registrations = self._read_registrations([extension["number"] for extension in extensions])
        except (ApiClientError, ValueError) as err:
            raise AnsibleParserError("voiceops.pbx.yeastar: %s" % err) from None
        return {"extensions": extensions, "settings": settings, "registrations": registrations}

    def _read_registrations(self, numbers):
        if not self.get_option("registration") or not numbers:
            return {}
        if not self.get_option("outbound_url"):
            raise ApiClientError("registration is true but outbound_url (or OUTBOUND_API_URL) is not set")
        client = OutboundClient(
            self.get_option("outbound_url"), token=self.get_option("outbound_token"),
            appid=self.get_option("outbound_appid"), accesskey=self.get_option("outbound_accesskey"),
            validate_certs=self.get_option("outbound_validate_certs"), ca_path=self.get_option("outbound_ca_path"),
            timeout=self.get_option("timeout"), proxy_url=self.get_option("outbound_proxy_url"),
            use_proxy=self.get_option("outbound_use_proxy"))
        with client:
            entries = client.register_status(numbers, self.get_option("outbound_batch_size"))
        return {entry["extnumber"]: entry for entry in entries}

    def _populate(self, data):
        for name, (extension, hostvars) in self._named_hosts(data).items():
            self._add_host(name, extension, hostvars)

    def _named_hosts(self, data):
        """Host name -> (extension, host variables) of every wanted extension; one name for two is an error."""
        prefix = self.get_option("host_vars_prefix")
        hostname_format = self.get_option("hostname_format")
        hosts, numbers_by_name = {}, {}
        for extension in data["extensions"]:
            hostvars = self._host_vars(prefix, extension, data["settings"].get(extension["number"]),
                                       data["registrations"].get(extension["number"]))
            if self._wanted(hostvars):
                name = host_name(hostname_format, extension)
                numbers_by_name.setdefault(name, []).append(extension["number"])
                hosts[name] = (extension, hostvars)
        refuse_shared_host_names(hostname_format, numbers_by_name)
        return hosts

    def _add_host(self, hostname, extension, hostvars):
        strict = self.get_option("strict")
        host = self.inventory.add_host(hostname)
        for name, value in hostvars.items():
            self.inventory.set_variable(host, name, value)
        if self.get_option("default_groups"):
            for kind in ("type", "status"):
                if extension[kind]:
                    group = self.inventory.add_group(self._group_name(kind, extension[kind]))
                    self.inventory.add_child(group, host)
        self._set_composite_vars(self.get_option("compose"), hostvars, host, strict=strict)
        self._add_host_to_composed_groups(self.get_option("groups"), hostvars, host, strict=strict)
        self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, host, strict=strict)

    def _host_vars(self, prefix, extension, settings, registration):
        """A new dict of host variables, PBX values marked unsafe; the (possibly cached) data is not changed."""
        hostvars = {prefix + name: value for name, value in extension.items()}
        for option, value in (settings or {}).items():
            hostvars[prefix + option] = value
        if registration:
            hostvars[prefix + "registered"] = registration["registered"]
            hostvars[prefix + "registration_state"] = registration["state"]
            hostvars[prefix + "clientip"] = registration["clientip"]
            if registration["registered"] and registration["clientip"]:
                hostvars["ansible_host"] = registration["clientip"]
        hostvars = {name: unsafe(value) for name, value in hostvars.items()}
        if self.get_option("use_local_connection"):
            hostvars["ansible_connection"] = trusted("local")
            if not interpreter_configured():
                hostvars["ansible_python_interpreter"] = trusted(PLAYBOOK_PYTHON)
        return hostvars

    def _wanted(self, hostvars):
        include = self.get_option("include")
        if include and not any(self._condition(condition, hostvars) for condition in include):
            return False
        return not any(self._condition(condition, hostvars) for condition in self.get_option("exclude"))

    def _condition(self, condition, hostvars):
        try:
            return bool(self._compose(condition, hostvars))
        except Exception as err:  # pylint: disable=broad-exception-caught
            raise AnsibleParserError("voiceops.pbx.yeastar: cannot evaluate the condition %r: %s" % (condition, err)) from None

    def _group_name(self, kind, value):
        return NOT_IN_HOST_NAMES.sub("_", "%s%s_%s" % (self.get_option("group_prefix"), kind, value.lower()))
