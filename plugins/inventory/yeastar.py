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
  - The connection options (at the top level and in O(pbxes)) and the C(outbound_*) options may be Jinja
    templates, such as a C(lookup) of an environment variable (see the examples), so that the file holds
    no secret. They are rendered with the configuration file only (no inventory or host variables); values
    from environment variables and from the PBX are never rendered.
  - The cache (O(cache=true)) is kept per configuration; a change of any PBX's options (after templates are
    rendered) reads every PBX again. Its key holds no secret in clear.
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
  host:
    required: false  # with pbxes, each item names its host; without, the plugin asks for it (or YEASTAR_HOST)
  api_username:
    required: false  # may be given per PBX in pbxes
  api_password:
    required: false  # may be given per PBX in pbxes
  hostname_format:
    description:
      - Python format string for the host name of an extension. Its fields are those of an extension
        summary, all text, C({number}), C({name}), C({status}), C({type}) and C({port}) (for example
        C(ext{number}) or C({name}-{number})); a field name, conversion or format spec that does not apply
        fails the inventory load before any request to the PBX.
      - Characters other than letters, digits, C(_), C(.) and C(-) in the result become C(_).
      - C({pbx}) is the name of the extension's PBX, its O(pbxes[].name), or its O(host) when O(pbxes) is not set.
      - Host names must be unique and not empty. When two extensions that are not left out by O(include) and
        O(exclude) get the same host name (for example C({name}) for two people with the same display name,
        or C(Ann Lee) and C(Ann/Lee), which both become C(Ann_Lee)), or one gets an empty host name, the
        inventory load fails and names the extensions (and their PBXes); a format that includes C({number}) avoids
        both, and with more than one PBX in O(pbxes) one that includes C({pbx}) and C({number}).
      - When not set, V(ext{number}), or V({pbx}-ext{number}) when O(pbxes) is set.
    type: str
  pbxes:
    description:
      - Several PBXes in one inventory, read in parallel (at most O(max_workers) at a time). Each item names one PBX
        and may set its connection options; an option that an item does not set is taken from the option of the
        same name at the top level of the file (or its environment variable).
      - When set, the top-level O(host) is not a PBX of its own. When not set, the one PBX is the one of the
        top-level options, and its name is its O(host).
      - With O(pbxes), every host also gets the variables C(<host_vars_prefix>pbx) (the PBX's name),
        C(<host_vars_prefix>pbx_host), C(<host_vars_prefix>pbx_port) and C(<host_vars_prefix>pbx_api_version)
        (never a password), and with O(default_groups=true) is in the group C(<group_prefix>pbx_<name>).
      - O(registration=true) needs one PBX, since the Predictive Outbound API knows extensions by number only, and two
        PBXes may have the same numbers; with more than one item, the load fails before any request.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Name of the PBX, unique in the list; letters, digits and C(_) only, since it is part of host names
            and of a group name.
        type: str
        required: true
      host:
        description: O(host) of this PBX.
        type: str
      port:
        description: O(port) of this PBX.
        type: int
      api_username:
        description: O(api_username) of this PBX.
        type: str
      api_password:
        description: O(api_password) of this PBX; write a template such as a lookup, not the password itself.
        type: str
      api_version:
        description: O(api_version) of this PBX.
        type: str
        choices: [v1.0.0, v1.1.0, v2.0.0]
      scheme:
        description: O(scheme) of this PBX.
        type: str
        choices: [https, http]
      validate_certs:
        description: O(validate_certs) of this PBX.
        type: bool
      ca_path:
        description: O(ca_path) of this PBX.
        type: path
      timeout:
        description: O(timeout) of this PBX.
        type: int
      proxy_url:
        description: O(proxy_url) of this PBX.
        type: str
      use_proxy:
        description: O(use_proxy) of this PBX.
        type: bool
  max_workers:
    description: How many PBXes of O(pbxes) are read at the same time, at least 1.
    type: int
    default: 8
  fail_on_errors:
    description:
      - V(true) fails the inventory source when a PBX of O(pbxes) cannot be read (it cannot be reached, refuses the
        login, answers with an error), naming the PBX and the reason.
      - V(false) leaves such a PBX out with a warning that names it and the reason, and loads the others; the
        source still fails when no PBX can be read. A result with a PBX left out is not cached.
      - Errors in the configuration itself (an option of an item that is not valid) always fail the source.
    type: bool
    default: true
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

---
# fleet.yeastar.yml - many PBXes; hosts are named like berlin-ext1002, in groups yeastar_pbx_berlin ...
plugin: voiceops.pbx.yeastar
api_username: api
ca_path: /etc/pki/yeastar-ca.pem
max_workers: 8
fail_on_errors: false
pbxes:
  - name: berlin
    host: pbx-berlin.example.com
    api_password: "{{ lookup('ansible.builtin.env', 'PBX_BERLIN_PASSWORD') }}"
  - name: paris
    host: pbx-paris.example.com
    api_version: v2.0.0
    api_password: "{{ lookup('ansible.builtin.env', 'PBX_PARIS_PASSWORD') }}"

# AWX / Automation Platform: commit a file like the first one to the project (for example
# inventories/pbx.yeastar.yml), add an inventory source "Sourced from a project" that points at it,
# and attach a credential of the Yeastar API credential type (docs/credential-types/) to the source.
"""

import hashlib
import json
import re
import string
from concurrent.futures import ThreadPoolExecutor

from ansible import constants as C
from ansible.config.manager import ensure_type
from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.template import trust_as_template
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.voiceops.pbx.plugins.module_utils._http_proxy import proxy_url_problems
from ansible_collections.voiceops.pbx.plugins.module_utils._http_transport import ApiClientError
from ansible_collections.voiceops.pbx.plugins.module_utils._outbound_client import OutboundClient
from ansible_collections.voiceops.pbx.plugins.module_utils._outbound_options import url_problems
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_api_versions import VERSION_CHOICES
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

NOT_IN_HOST_NAMES = re.compile(r"[^A-Za-z0-9_.-]")
HOST_NAME_FIELDS = tuple(extension_summary({"number": "0"})) + ("pbx",)  # an extension summary's keys, and its PBX
FIELD_LIST = ", ".join("{%s}" % field for field in HOST_NAME_FIELDS)
FORMAT_ERRORS = (ValueError, AttributeError, IndexError, KeyError, TypeError)
NUMBERS_NAMED = 5
UNIQUE_ADVICE = "include {number} in hostname_format, for example 'ext{number}' or '{name}-{number}'"
FLEET_ADVICE = "include {pbx} and {number} in hostname_format, for example '{pbx}-ext{number}'"
HOSTNAME_FORMAT = "ext{number}"
FLEET_HOSTNAME_FORMAT = "{pbx}-ext{number}"
PBX_NAME = re.compile(r"[A-Za-z0-9_]+")
PBX_ITEM_TYPES = {"port": "int", "timeout": "int", "validate_certs": "bool", "use_proxy": "bool", "ca_path": "path"}
PBX_ITEM_CHOICES = {"api_version": tuple(VERSION_CHOICES), "scheme": ("https", "http")}
SECRET_CONNECTION_OPTIONS = ("api_password", "proxy_url")
OUTBOUND_OPTIONS = ("outbound_url", "outbound_token", "outbound_appid", "outbound_accesskey", "outbound_validate_certs",
                    "outbound_ca_path", "outbound_batch_size", "outbound_proxy_url", "outbound_use_proxy")
SECRET_OUTBOUND_OPTIONS = ("outbound_token", "outbound_accesskey", "outbound_proxy_url")
TEMPLATED_OUTBOUND_OPTIONS = ("outbound_url", "outbound_token", "outbound_appid", "outbound_accesskey",
                              "outbound_ca_path", "outbound_proxy_url")
PLAIN_TYPES = (str, int, bool, type(None))
PLAYBOOK_PYTHON = "{{ ansible_playbook_python }}"  # the controller's Python, which the implicit localhost uses
AUTO_INTERPRETERS = ("auto", "auto_silent", "auto_legacy", "auto_legacy_silent")


def unsafe(value):
    """A PBX value that is never templated.

    With data tagging an untagged value is never templated already; a string without a brace cannot
    be a template, so it is tagged trusted: ansible-inventory --export then writes it as a plain
    string (AWX stores host variables as they are written) instead of {"__ansible_unsafe": ...}.
    A string with a brace stays untrusted; other values than plain ones are wrapped unsafe.
    """
    if isinstance(value, str):
        return value if "{" in value else trust_as_template(value)
    return value if type(value) in PLAIN_TYPES else wrap_var(value)  # pylint: disable=unidiomatic-typecheck


def trusted(text):
    """A string of this plugin's own that Ansible may template (it templates only trusted strings)."""
    return trust_as_template(text)


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


def host_name(hostname_format, extension, pbx):
    """The host name of one extension summary of the PBX named pbx, unsafe characters replaced by _; never empty."""
    try:
        name = NOT_IN_HOST_NAMES.sub("_", hostname_format.format(pbx=pbx, **extension))
    except FORMAT_ERRORS as err:  # only an index or attribute that does not fit this extension's values is left
        raise AnsibleParserError("voiceops.pbx.yeastar: hostname_format %r cannot name extension %s: %s"
                                 % (hostname_format, extension["number"], err)) from None
    if not name:
        raise AnsibleParserError("voiceops.pbx.yeastar: hostname_format %r gives extension %s an empty host name; %s"
                                 % (hostname_format, extension["number"], UNIQUE_ADVICE))
    return name


def refuse_shared_host_names(hostname_format, numbers_by_name, advice=UNIQUE_ADVICE):
    """Fail when two or more extensions get one host name: the inventory would merge them into one host."""
    shared = [(name, numbers) for name, numbers in numbers_by_name.items() if len(numbers) > 1]
    if not shared:
        return
    name, numbers = shared[0]
    more = len(shared) - 1
    others = "; %d other host name%s shared too" % (more, " is" if more == 1 else "s are") if more else ""
    raise AnsibleParserError("voiceops.pbx.yeastar: hostname_format %r gives the host name %r to %s%s; "
                             "host names must be unique: %s"
                             % (hostname_format, name, _extensions_named(numbers), others, advice))


def _extensions_named(numbers):
    if len(numbers) > NUMBERS_NAMED:
        return "%d extensions: %s and %d more" % (len(numbers), ", ".join(numbers[:NUMBERS_NAMED]),
                                                  len(numbers) - NUMBERS_NAMED)
    return "extensions %s and %s" % (", ".join(numbers[:-1]), numbers[-1])


def digest(value):
    """A short SHA-256 digest of a JSON-able value, for cache keys: no secret in clear."""
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def without_secrets(options, secret_names):
    """A copy of options with each secret replaced by its digest, so that a changed secret changes a cache key."""
    return {name: digest(value) if name in secret_names and value else value for name, value in options.items()}


def pbx_host_vars(pbx):
    """The non-secret connection values of one PBX that every host of it carries, without the prefix."""
    return {"pbx": pbx["name"], "pbx_host": pbx["options"]["host"], "pbx_port": pbx["options"]["port"],
            "pbx_api_version": pbx["options"]["api_version"]}


def read_pbx(pbx, details, batch_size, read_registrations):
    """Everything the inventory needs from one PBX, as plain data without secrets (it may be cached)."""
    client = YeastarClient(**pbx["options"])
    with client:
        extensions = list_extensions(client)
        settings = {}
        if details:
            numbers = [extension["number"] for extension in extensions]
            for number, info in query_extensions(client, numbers, batch_size).items():
                settings[number] = {option: value for option, value in settings_from_answer(info).items()
                                    if option not in SECRET_OPTIONS}
    registrations = read_registrations([extension["number"] for extension in extensions])
    return dict(pbx_host_vars(pbx), extensions=extensions, settings=settings, registrations=registrations)


def read_quietly(reader, pbx):
    """(data, None) or (None, the reason the PBX could not be read)."""
    try:
        return reader(pbx), None
    except (ApiClientError, ValueError) as err:
        return None, str(err)


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "voiceops.pbx.yeastar"

    def __init__(self):
        super().__init__()
        self._outbound = {}  # the outbound_* options, rendered before the PBXes are read

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("yeastar.yml", "yeastar.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        check_hostname_format(self._hostname_format())
        pbxes = self._pbxes()
        cache_key = "%s_%s" % (self.get_cache_key(path), self._configuration_digest(pbxes))
        use_cache = self.get_option("cache") and cache
        data = None
        if use_cache:
            try:
                data = self._cache[cache_key]
            except KeyError:
                data = None
        if data is None:
            data, complete = self._read_pbxes(pbxes)
            if self.get_option("cache") and complete:
                self._cache[cache_key] = data
        self._populate(data)

    def _fleet(self):
        return bool(self.get_option("pbxes"))

    def _hostname_format(self):
        configured = self.get_option("hostname_format")
        if configured:
            return configured
        return FLEET_HOSTNAME_FORMAT if self._fleet() else HOSTNAME_FORMAT

    # configuration

    def _templated(self, name, value):
        """An option's value with a Jinja template of the configuration file rendered; other values as they are."""
        if not isinstance(value, str) or not self.templar.is_template(value):
            return value
        try:
            return self.templar.template(value)
        except Exception as err:  # pylint: disable=broad-exception-caught
            raise AnsibleParserError("voiceops.pbx.yeastar: the template of %s cannot be rendered: %s"
                                     % (name, err)) from None

    def _option(self, name):
        return self._templated(name, self.get_option(name))

    def _pbxes(self):
        """Each PBX to read, as {"name", "options"} with its connection options complete and rendered."""
        defaults = {name: self._option(name) for name in CONNECTION_ENV}
        if not self._fleet():
            if not defaults["host"]:
                raise AnsibleParserError("voiceops.pbx.yeastar: set host (or YEASTAR_HOST) in the inventory file")
            self._refuse_problems(connection_problems(defaults) + self._outbound_problems())
            return [{"name": defaults["host"], "options": defaults}]
        items = self.get_option("pbxes")
        problems = self._fleet_problems(items) or self._outbound_problems()
        if self.get_option("registration") and len(items) > 1:
            problems.append("registration: the Predictive Outbound API knows extensions by number only, so it works "
                            "with one PBX in pbxes, not %d" % len(items))
        self._refuse_problems(problems)
        pbxes = [{"name": item["name"], "options": self._pbx_options(item, defaults)} for item in items]
        problems = []
        for pbx in pbxes:
            problems.extend("PBX %s: %s" % (pbx["name"], problem) for problem in self._pbx_problems(pbx["options"]))
        self._refuse_problems(problems)
        return pbxes

    def _refuse_problems(self, problems):
        if problems:
            raise AnsibleParserError("voiceops.pbx.yeastar: Invalid input, nothing was sent to the PBX: "
                                     + "; ".join(problems))

    def _outbound_problems(self):
        problems = []
        if self.get_option("registration") and self.get_option("outbound_url"):
            problems.extend(url_problems(self._option("outbound_url"), "outbound_url"))
            if self.get_option("outbound_proxy_url"):
                problems.extend(proxy_url_problems(self._option("outbound_proxy_url"), "outbound_proxy_url"))
        return problems

    def _fleet_problems(self, items):
        """What is wrong with the items of pbxes themselves: their names and option names."""
        problems, seen = [], set()
        if self.get_option("max_workers") < 1:
            problems.append("max_workers: %s is invalid; it must be 1 or more" % self.get_option("max_workers"))
        for position, item in enumerate(items, 1):
            if not isinstance(item, dict):
                problems.append("pbxes item %d is not a mapping" % position)
                continue
            name = item.get("name")
            if not isinstance(name, str) or not PBX_NAME.fullmatch(name):
                problems.append("pbxes item %d: name %r is invalid; give a name of letters, digits and _ only"
                                % (position, name))
            elif name in seen:
                problems.append("pbxes: the name %r is given to more than one PBX; names must be unique" % name)
            seen.add(name)
            unknown = sorted(set(item) - set(CONNECTION_ENV) - {"name"})
            if unknown:
                problems.append("pbxes item %d: unknown option%s %s; an item may set name and %s"
                                % (position, "s" * (len(unknown) > 1), ", ".join(unknown), ", ".join(CONNECTION_ENV)))
        return problems

    def _pbx_options(self, item, defaults):
        """The connection options of one pbxes item, each from the item or else from the top level."""
        options = dict(defaults)
        for name in CONNECTION_ENV:
            if item.get(name) is not None:
                options[name] = self._item_value(item["name"], name, item[name])
        return options

    def _item_value(self, pbx, name, value):
        value = self._templated("pbxes item %s option %s" % (pbx, name), value)
        if name not in PBX_ITEM_TYPES:
            return value
        try:
            return ensure_type(value, PBX_ITEM_TYPES[name])
        except (ValueError, TypeError) as err:
            raise AnsibleParserError("voiceops.pbx.yeastar: Invalid input, nothing was sent to the PBX: PBX %s: %s: %s"
                                     % (pbx, name, err)) from None

    def _pbx_problems(self, options):
        problems = ["%s is not set" % name for name in ("host", "api_username", "api_password") if not options[name]]
        for name, choices in PBX_ITEM_CHOICES.items():
            if options[name] not in choices:
                problems.append("%s: %r is invalid; it must be one of %s" % (name, options[name], ", ".join(choices)))
        return problems + connection_problems(options)

    def _configuration_digest(self, pbxes):
        """A digest of everything that decides what is read: each PBX's options, details, registration."""
        config = {
            "pbxes": [dict(pbx, options=without_secrets(pbx["options"], SECRET_CONNECTION_OPTIONS)) for pbx in pbxes],
            "read": {name: self.get_option(name) for name in ("details", "batch_size", "registration")},
            "outbound": without_secrets({name: self._option(name) for name in OUTBOUND_OPTIONS}, SECRET_OUTBOUND_OPTIONS),
        }
        return digest(config)[:16]

    # reading

    def _read_pbxes(self, pbxes):
        """(data of every PBX that could be read, whether none was left out)."""
        for pbx in pbxes:
            if not pbx["options"]["validate_certs"] and pbx["options"]["scheme"] == "https":
                self.display.warning("voiceops.pbx.yeastar: " + self._pbx_label(pbx) + INSECURE_WARNING)
        self._outbound = {name: self._option(name) for name in OUTBOUND_OPTIONS}  # rendered here, not in threads
        workers = min(self.get_option("max_workers"), len(pbxes))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="yeastar-inventory") as pool:
            results = list(pool.map(lambda pbx: read_quietly(self._read_pbx, pbx), pbxes))
        failures = [(pbx, reason) for pbx, (_data, reason) in zip(pbxes, results) if reason is not None]
        if failures and (self.get_option("fail_on_errors") or len(failures) == len(pbxes)):
            raise AnsibleParserError("voiceops.pbx.yeastar: " + "; ".join(self._failure(pbx, reason)
                                                                          for pbx, reason in failures))
        for pbx, reason in failures:
            self.display.warning("voiceops.pbx.yeastar: %s; its extensions are left out (fail_on_errors is false)"
                                 % self._failure(pbx, reason))
        return {"pbxes": [data for data, reason in results if reason is None]}, not failures

    def _pbx_label(self, pbx):
        return "PBX %s: " % pbx["name"] if self._fleet() else ""

    def _failure(self, pbx, reason):
        if not self._fleet():
            return reason
        return "PBX %s (%s:%s) cannot be read: %s" % (pbx["name"], pbx["options"]["host"], pbx["options"]["port"], reason)

    def _read_pbx(self, pbx):
        return read_pbx(pbx, self.get_option("details"), self.get_option("batch_size"), self._read_registrations)

    def _read_registrations(self, numbers):
        if not self.get_option("registration") or not numbers:
            return {}
        outbound = self._outbound
        if not outbound["outbound_url"]:
            raise ApiClientError("registration is true but outbound_url (or OUTBOUND_API_URL) is not set")
        client = OutboundClient(
            outbound["outbound_url"], token=outbound["outbound_token"], appid=outbound["outbound_appid"],
            accesskey=outbound["outbound_accesskey"], validate_certs=outbound["outbound_validate_certs"],
            ca_path=outbound["outbound_ca_path"], timeout=self.get_option("timeout"),
            proxy_url=outbound["outbound_proxy_url"], use_proxy=outbound["outbound_use_proxy"])
        with client:
            entries = client.register_status(numbers, outbound["outbound_batch_size"])
        return {entry["extnumber"]: entry for entry in entries}

    # hosts

    def _populate(self, data):
        for name, (extension, hostvars, pbx) in self._named_hosts(data).items():
            self._add_host(name, extension, hostvars, pbx)

    def _named_hosts(self, data):
        """Host name -> (extension, host variables, PBX name) of every wanted extension; one name for two is an error."""
        prefix = self.get_option("host_vars_prefix")
        hostname_format = self._hostname_format()
        fleet = self._fleet()
        hosts, numbers_by_name = {}, {}
        for pbx in data["pbxes"]:
            for extension in pbx["extensions"]:
                hostvars = self._host_vars(prefix, extension, pbx["settings"].get(extension["number"]),
                                           pbx["registrations"].get(extension["number"]), pbx if fleet else None)
                if self._wanted(hostvars):
                    name = host_name(hostname_format, extension, pbx["pbx"])
                    number = "%s (PBX %s)" % (extension["number"], pbx["pbx"]) if fleet else extension["number"]
                    numbers_by_name.setdefault(name, []).append(number)
                    hosts[name] = (extension, hostvars, pbx["pbx"])
        refuse_shared_host_names(hostname_format, numbers_by_name, FLEET_ADVICE if fleet else UNIQUE_ADVICE)
        return hosts

    def _add_host(self, hostname, extension, hostvars, pbx):
        strict = self.get_option("strict")
        host = self.inventory.add_host(hostname)
        for name, value in hostvars.items():
            self.inventory.set_variable(host, name, value)
        if self.get_option("default_groups"):
            groups = [self._group_name(kind, extension[kind]) for kind in ("type", "status") if extension[kind]]
            if self._fleet():
                groups.append(self.get_option("group_prefix") + "pbx_" + pbx)
            for name in groups:
                self.inventory.add_child(self.inventory.add_group(name), host)
        self._set_composite_vars(self.get_option("compose"), hostvars, host, strict=strict)
        self._add_host_to_composed_groups(self.get_option("groups"), hostvars, host, strict=strict)
        self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, host, strict=strict)

    def _host_vars(self, prefix, extension, settings, registration, pbx):
        """A new dict of host variables, PBX values marked unsafe; the (possibly cached) data is not changed.
        With pbx (the data of the extension's PBX in a fleet), also the PBX's name and connection values."""
        hostvars = {prefix + name: value for name, value in extension.items()}
        if pbx:
            hostvars.update((prefix + name, pbx[name]) for name in ("pbx", "pbx_host", "pbx_port", "pbx_api_version"))
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
