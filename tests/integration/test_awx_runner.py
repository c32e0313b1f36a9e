# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""AWX / Automation Platform, the way the controller runs things, against the simulators.

What docs/awx.md tells a newcomer to set up is exercised here without a controller:

- the custom credential types of docs/credential-types/ are checked against the rules the
  controller applies when one is created (field schema, injector names and templates);
- their injectors are rendered as the controller renders them for a job (a sandboxed Jinja2
  environment, blank inputs left out, missing booleans false, file templates written under
  the job's private data directory and named by ``tower.filename``);
- the example project of docs/awx-project/ gets its collections from its
  collections/requirements.yml (the collection built from this checkout stands in for Galaxy);
- inventory updates (``ansible-inventory --list --export`` on the project's inventory file) and
  jobs (``ansible-playbook`` on the project's playbooks, against the inventory as the
  controller hands it to a job) run through ansible-runner, the engine the controller uses,
  with the injected environment and nothing else.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys

import ansible_runner
import pytest
import yaml
from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible_collections.voiceops.pbx.plugins.module_utils._outbound_options import OUTBOUND_ENV
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_options import CONNECTION_ENV, yeastar_argument_spec
from ansible_collections.voiceops.pbx.tests.simulator import OutboundSimulator

ROOT = pathlib.Path(os.path.abspath(__file__)).parents[2]
CREDENTIAL_TYPES = ROOT / "docs" / "credential-types"
PROJECT = ROOT / "docs" / "awx-project"
INVENTORY_PLUGIN = ROOT / "plugins" / "inventory" / "yeastar.py"
BIN = pathlib.Path(sys.executable).parent

# ansible-runner starts ansible under a pseudo-terminal (pexpect), as the controller does; Python
# warns about forking a threaded process (the simulators are threads here), and the child only
# runs exec, so the warning is noise.
pytestmark = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")

# The controller's rules for a custom credential type.
NAME = re.compile(r"^[a-zA-Z_]+[a-zA-Z0-9_]*$")
FILE_TEMPLATE = re.compile(r"^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$")
FIELD_KEYS = {"id", "label", "type", "format", "choices", "help_text", "multiline", "secret", "ask_at_runtime",
              "default"}
STRING_ONLY_KEYS = ("choices", "multiline", "format", "secret")
# Variables the controller sets itself or refuses in credentials (besides every ANSIBLE_* name).
RESERVED_ENV = {"PATH", "PYTHONPATH", "VIRTUAL_ENV", "HOME", "JOB_ID", "INVENTORY_ID", "INVENTORY_SOURCE_ID",
                "INVENTORY_UPDATE_ID", "AD_HOC_COMMAND_ID", "PROJECT_REVISION", "AWX_HOST", "AWX_PRIVATE_DATA_DIR",
                "MAX_EVENT_RES", "CALLBACK_QUEUE", "CALLBACK_CONNECTION", "CACHE", "JOB_CALLBACK_DEBUG",
                "INVENTORY_HOSTVARS", "REST_API_URL", "REST_API_TOKEN"}
# What the controller puts into every job's environment besides the credentials (a selection).
CONTROLLER_ENV = {"ANSIBLE_FORCE_COLOR": "False", "ANSIBLE_HOST_KEY_CHECKING": "False",
                  "ANSIBLE_INVENTORY_UNPARSED_FAILED": "True", "ANSIBLE_PARAMIKO_RECORD_HOST_KEYS": "False",
                  "ANSIBLE_RETRY_FILES_ENABLED": "False", "ANSIBLE_NOCOLOR": "1"}
# The proxy of each connection; an empty value means no explicit proxy.
PROXY_ENV = {"yeastar": "YEASTAR_PROXY_URL", "outbound": "OUTBOUND_API_PROXY_URL"}
# Tuning knobs, not part of a credential: module_defaults, or an inventory source's variables.
NOT_IN_CREDENTIALS = {"YEASTAR_TIMEOUT", "YEASTAR_USE_PROXY", "OUTBOUND_API_USE_PROXY"}
# The type for an inventory source with registration: true, which takes one credential only.
COMBINED = "yeastar-outbound-api.yml"
# What a user must never see again once a credential is saved (a proxy URL may hold a password).
SECRET_FIELDS = {
    "yeastar-api.yml": {"password", "proxy_url"},
    "outbound-api.yml": {"accesskey", "token", "proxy_url"},
    COMBINED: {"password", "proxy_url", "outbound_accesskey", "outbound_token", "outbound_proxy_url"},
}


def credential_type(name):
    with open(CREDENTIAL_TYPES / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def controller_problems(definition):
    """What the controller would refuse in a credential type definition (an empty list: nothing)."""
    problems = []
    unknown = set(definition) - {"name", "description", "kind", "inputs", "injectors"}
    if unknown:
        problems.append("unknown keys %s" % sorted(unknown))
    if not definition.get("name"):
        problems.append("no name")
    if definition.get("kind") not in ("cloud", "net"):
        problems.append("kind must be cloud or net for a custom type")
    inputs = definition.get("inputs") or {}
    if set(inputs) - {"fields", "required"}:
        problems.append("inputs: unknown keys %s" % sorted(set(inputs) - {"fields", "required"}))
    ids = []
    for field in inputs.get("fields", []):
        field_id = field.get("id", "")
        kind = field.get("type", "string")
        if set(field) - FIELD_KEYS:
            problems.append("field %s: unknown keys %s" % (field_id, sorted(set(field) - FIELD_KEYS)))
        if not NAME.match(field_id) or field_id == "tower":
            problems.append("field id %r is not allowed" % field_id)
        if field_id in ids:
            problems.append("field id %s twice" % field_id)
        ids.append(field_id)
        if not isinstance(field.get("label"), str) or not field["label"]:
            problems.append("field %s: no label" % field_id)
        if kind not in ("string", "boolean"):
            problems.append("field %s: type %r" % (field_id, kind))
        if kind != "string":
            problems.extend("field %s: %s is for strings only" % (field_id, key) for key in STRING_ONLY_KEYS
                            if key in field)
        if field.get("format") not in (None, "ssh_private_key", "url"):
            problems.append("field %s: format %r" % (field_id, field["format"]))
        choices = field.get("choices")
        if choices is not None and (not choices or len(set(choices)) != len(choices)
                                    or not all(isinstance(choice, str) for choice in choices)):
            problems.append("field %s: choices must be distinct strings" % field_id)
        if "default" in field:
            wanted = {"string": str, "boolean": bool}.get(kind)
            if wanted is None or not isinstance(field["default"], wanted):
                problems.append("field %s: default %r is not a %s" % (field_id, field["default"], kind))
            elif choices and field["default"] not in choices:
                problems.append("field %s: default %r is not a choice" % (field_id, field["default"]))
    problems.extend("required %s is not a field" % name for name in inputs.get("required", []) if name not in ids)

    injectors = definition.get("injectors") or {}
    if set(injectors) - {"file", "env", "extra_vars"}:
        problems.append("injectors: unknown keys %s" % sorted(set(injectors) - {"file", "env", "extra_vars"}))
    files = list(injectors.get("file", {}))
    problems.extend("file injector %r" % label for label in files if not FILE_TEMPLATE.match(label))
    if "template" in files and len(files) > 1:
        problems.append("one unnamed file template, or only named ones")
    for env_var, template in injectors.get("env", {}).items():
        if not NAME.match(env_var) or env_var.startswith("ANSIBLE_") or env_var in RESERVED_ENV:
            problems.append("environment variable %s is not allowed" % env_var)
        if not isinstance(template, str) or not template.isascii():
            problems.append("environment variable %s: the template must be ASCII text" % env_var)
    problems.extend("extra variable %r" % name for name in injectors.get("extra_vars", {}) if not NAME.match(name))

    # Every template must render with every field defined and nothing else.
    namespace = {field_id: "EXAMPLE" for field_id in ids}
    filename = type("Filenames", (), {})()
    for label in files:
        if label == "template":
            filename = "EXAMPLE_FILENAME"
        else:
            setattr(filename, label.split(".", 1)[1], "EXAMPLE_FILENAME")
    namespace["tower"] = type("Tower", (), {"filename": filename})()
    strict = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for section in ("file", "env", "extra_vars"):
        for key, template in injectors.get(section, {}).items():
            try:
                strict.from_string(template).render(namespace)
            except (UndefinedError, SecurityError, TemplateSyntaxError) as err:
                problems.append("%s %s: %s" % (section, key, err))
    return problems


def inject(definition, inputs, private_data_dir):
    """The environment a job gets from one credential, rendered as the controller does."""
    fields = definition["inputs"]["fields"]
    namespace = {name: value for name, value in inputs.items() if isinstance(value, bool) or value}
    for field in fields:
        if field.get("type") == "boolean" and field["id"] not in inputs:
            namespace[field["id"]] = False
    sandbox = ImmutableSandboxedEnvironment()
    env_dir = pathlib.Path(private_data_dir) / "env"
    env_dir.mkdir(parents=True, exist_ok=True)
    filenames = type("Filenames", (), {})()
    tower = type("Tower", (), {})()
    for label, template in definition["injectors"].get("file", {}).items():
        path = env_dir / ("credential_%s_%s" % (re.sub(r"\W+", "_", definition["name"].lower()),
                                                label.replace(".", "_")))
        path.write_text(sandbox.from_string(template).render(**namespace), encoding="utf-8")
        path.chmod(0o600)
        if label == "template":
            tower.filename = str(path)
        else:
            setattr(filenames, label.split(".", 1)[1], str(path))
            tower.filename = filenames
    namespace["tower"] = tower
    return {name: sandbox.from_string(template).render(**namespace)
            for name, template in definition["injectors"].get("env", {}).items()}


class Controller:
    """A job's private data directory and the ansible-runner calls the controller makes."""

    def __init__(self, base, collections):
        self.base = base
        self.collections = collections
        self.env = {}
        self.runs = 0

    def credential(self, name, **inputs):
        self.env.update(inject(credential_type(name), inputs, self.base))

    def private_data_dir(self):
        """A new directory per run, like the controller's, with the project synced into it."""
        self.runs += 1
        path = self.base / ("job%d" % self.runs)
        shutil.copytree(PROJECT, path / "project")
        (path / "env").mkdir()
        for credential_file in (self.base / "env").glob("credential_*"):
            shutil.copy2(credential_file, path / "env" / credential_file.name)
        environment = dict(CONTROLLER_ENV, ANSIBLE_COLLECTIONS_PATH=str(self.collections),
                           AWX_PRIVATE_DATA_DIR=str(path), JOB_ID=str(self.runs),
                           **{name: value.replace(str(self.base / "env"), str(path / "env"))
                              for name, value in self.env.items()})
        with open(path / "env" / "envvars", "w", encoding="utf-8") as handle:
            yaml.safe_dump(environment, handle)
        return path

    def inventory_update(self, source_path):
        """An inventory source "Sourced from a Project": ansible-inventory through ansible-runner."""
        path = self.private_data_dir()
        source = path / "project" / source_path
        output = path / "artifacts" / "update" / "output.json"
        args = ["--list", "--export", "-i", str(source), "--output", str(output), "--playbook-dir", str(source.parent)]
        run = ansible_runner.run(private_data_dir=str(path), ident="update", binary=str(BIN / "ansible-inventory"),
                                 cmdline=shlex.join(args), quiet=True)
        stdout = run.stdout.read()
        assert run.status == "successful" and run.rc == 0, stdout
        with open(output, encoding="utf-8") as handle:
            return json.load(handle), stdout

    def job(self, playbook, inventory, job_type="run", diff=False, extra_vars=None, project_files=None):
        """A job template launch: ansible-playbook through ansible-runner against the given inventory data."""
        path = self.private_data_dir()
        for name, text in (project_files or {}).items():
            (path / "project" / name).write_text(text, encoding="utf-8")
        (path / "inventory").mkdir()
        script = path / "inventory" / "hosts"
        # What an inventory sync stores for extension hosts (the plugin sets it, docs/awx.md): tasks on
        # them run locally, with the Python that runs Ansible, whatever discovery finds.
        inventory = dict(inventory, all=dict(inventory.get("all", {}), vars=dict(
            inventory.get("all", {}).get("vars", {}), ansible_python_interpreter="{{ ansible_playbook_python }}")))
        # The controller hands a job its inventory as a script that prints the stored data.
        script.write_text("#!%s\nprint(%r)\n" % (sys.executable, json.dumps(inventory)), encoding="utf-8")
        script.chmod(0o700)
        cmdline = (["--check"] if job_type == "check" else []) + (["--diff"] if diff else [])
        run = ansible_runner.run(private_data_dir=str(path), ident="job", playbook=playbook,
                                 inventory=str(script), cmdline=shlex.join(cmdline) if cmdline else None,
                                 extravars=extra_vars or {}, quiet=True)
        run.text = run.stdout.read()
        run.artifacts = path / "artifacts" / "job"
        return run


def inventory_data(numbers, group="yeastar_type_sip"):
    """Inventory data as the controller stores it after an update, for jobs that do not need one."""
    hosts = ["ext%s" % number for number in numbers]
    return {
        "_meta": {"hostvars": {host: {"yeastar_number": number, "ansible_connection": "local"}
                               for host, number in zip(hosts, numbers)}},
        "all": {"children": ["ungrouped", group]},
        group: {"hosts": hosts},
    }


def changed(run):
    return sum(run.stats["changed"].values()) if run.stats else None


def task_results(run, task):
    return [event["event_data"]["res"] for event in run.events
            if event.get("event") == "runner_on_ok" and event["event_data"].get("task") == task]


def assert_no_secret_in_job_output(run, *secrets):
    """The job output and events (what the controller stores and shows) never hold a secret."""
    texts = [run.text] + [path.read_text(encoding="utf-8") for path in (run.artifacts / "job_events").glob("*.json")]
    for secret in secrets:
        assert not any(secret in text for text in texts), "a secret is in the job output"


def galaxy(args, env):
    run = subprocess.run([str(BIN / "ansible-galaxy"), "collection"] + args, env=env, capture_output=True, text=True,
                         check=False, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.fixture(scope="module")
def collections(tmp_path_factory):
    """The project sync: collections/requirements.yml of the example project, with the collection
    built from this checkout standing in for the Galaxy release it names."""
    work = tmp_path_factory.mktemp("awx-sync")
    with open(PROJECT / "collections" / "requirements.yml", encoding="utf-8") as handle:
        wanted = yaml.safe_load(handle)["collections"]
    assert [item["name"] for item in wanted] == ["voiceops.pbx"]
    # A clean environment: a collection found elsewhere must not satisfy the requirement.
    env = {name: value for name, value in os.environ.items() if not name.startswith("ANSIBLE_")}
    env["ANSIBLE_HOME"] = str(work / "ansible-home")
    galaxy(["build", "--output-path", str(work), str(ROOT)], env)
    tarball = next(work.glob("voiceops-pbx-*.tar.gz"))
    requirements = work / "requirements.yml"
    requirements.write_text(yaml.safe_dump({"collections": [{"name": str(tarball), "type": "file"}]}),
                            encoding="utf-8")
    installed = work / "requirements_collections"
    galaxy(["install", "--force", "-r", str(requirements), "-p", str(installed)], env)
    assert (installed / "ansible_collections" / "voiceops" / "pbx" / "MANIFEST.json").is_file()
    return installed


@pytest.fixture
def controller(tmp_path, collections, monkeypatch):
    # Only what the credentials inject may reach the jobs.
    for name in list(os.environ):
        if name.startswith(("YEASTAR_", "OUTBOUND_API_", "ANSIBLE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PATH", "%s%s%s" % (BIN, os.pathsep, os.environ.get("PATH", "")))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return Controller(tmp_path, collections)


@pytest.fixture
def call_center():
    with OutboundSimulator(tls=True) as simulator:
        yield simulator


def yeastar_inputs(pbx, **more):
    inputs = dict(host=pbx.host, port=str(pbx.port), username="api", password=pbx.api_password)
    with open(pbx.ca_path, encoding="utf-8") as handle:
        inputs["ca_cert"] = handle.read()
    inputs.update(more)
    return inputs


def combined_inputs(pbx, call_center, **more):
    """Inputs of one credential of the combined type: the PBX and the call center, each with its CA."""
    inputs = dict(yeastar_inputs(pbx), outbound_url=call_center.url, outbound_appid=call_center.appid,
                  outbound_accesskey=call_center.accesskey)
    if call_center.ca_path:
        with open(call_center.ca_path, encoding="utf-8") as handle:
            inputs["outbound_ca_cert"] = handle.read()
    inputs.update(more)
    return inputs


@pytest.mark.parametrize("name", ["yeastar-api.yml", "outbound-api.yml", COMBINED])
def test_the_controller_accepts_the_credential_type(name):
    assert controller_problems(credential_type(name)) == []


@pytest.mark.parametrize("name", sorted(SECRET_FIELDS))
def test_passwords_keys_tokens_and_proxy_urls_are_secret_fields(name):
    fields = credential_type(name)["inputs"]["fields"]
    assert {field["id"] for field in fields if field.get("secret")} == SECRET_FIELDS[name]


def test_the_check_catches_what_the_controller_refuses():
    broken = credential_type("yeastar-api.yml")
    broken["inputs"]["fields"].append({"id": "flag", "label": "Flag", "type": "boolean", "secret": True})
    broken["inputs"]["required"].append("missing")
    broken["injectors"]["env"]["ANSIBLE_CONFIG"] = "{{ host }}"
    broken["injectors"]["env"]["YEASTAR_X"] = "{{ no_such_field }}"
    problems = controller_problems(broken)
    assert len(problems) == 4, problems


def test_the_injectors_set_exactly_the_variables_the_collection_reads():
    yeastar = set(credential_type("yeastar-api.yml")["injectors"]["env"])
    assert yeastar == (set(CONNECTION_ENV.values()) | {PROXY_ENV["yeastar"]}) - NOT_IN_CREDENTIALS
    outbound = set(credential_type("outbound-api.yml")["injectors"]["env"])
    assert outbound == (set(OUTBOUND_ENV.values()) | {PROXY_ENV["outbound"]}) - NOT_IN_CREDENTIALS
    assert set(credential_type(COMBINED)["injectors"]["env"]) == yeastar | outbound


def field_rules(field):
    """What the controller enforces on an input, its wording left out."""
    return {key: value for key, value in field.items() if key not in ("id", "label", "help_text")}


def test_the_combined_type_injects_what_the_two_types_inject(tmp_path):
    """Same inputs, same environment: a user can move from two credentials to one without surprises."""
    yeastar = dict(host="pbx", port="", username="api", password="pw", api_version="v2.0.0", ca_cert="PBX PEM",
                   proxy_url="http://user:secret@proxy:3128")
    outbound = dict(url="https://cc:8080", appid="app", accesskey="key", token="", ca_cert="CC PEM",
                    skip_tls_verify=True)
    expected = dict(inject(credential_type("yeastar-api.yml"), yeastar, tmp_path / "yeastar"),
                    **inject(credential_type("outbound-api.yml"), outbound, tmp_path / "outbound"))
    both = dict(yeastar, **{"outbound_" + name: value for name, value in outbound.items()})
    env = inject(credential_type(COMBINED), both, tmp_path / "combined")

    for name in ("YEASTAR_CA_PATH", "OUTBOUND_API_CA_PATH"):
        assert pathlib.Path(env[name]).read_text(encoding="utf-8") == pathlib.Path(expected[name]).read_text(
            encoding="utf-8")
        del env[name], expected[name]
    assert env == expected

    fields = {field["id"]: field for field in credential_type(COMBINED)["inputs"]["fields"]}
    for name, prefix in (("yeastar-api.yml", ""), ("outbound-api.yml", "outbound_")):
        for field in credential_type(name)["inputs"]["fields"]:
            assert field_rules(fields[prefix + field["id"]]) == field_rules(field), field["id"]


def test_blank_inputs_give_the_module_defaults_never_empty_values(tmp_path):
    env = inject(credential_type("yeastar-api.yml"), {"host": "pbx", "username": "api", "password": "x",
                                                      "port": "", "ca_cert": ""}, tmp_path)
    spec = yeastar_argument_spec()
    assert env["YEASTAR_PORT"] == str(spec["port"]["default"])
    assert env["YEASTAR_API_VERSION"] == spec["api_version"]["default"]
    assert env["YEASTAR_SCHEME"] == spec["scheme"]["default"]
    assert env["YEASTAR_VALIDATE_CERTS"] == "true"
    assert env["YEASTAR_CA_PATH"] == ""
    assert env[PROXY_ENV["yeastar"]] == ""
    fields = {field["id"]: field for field in credential_type("yeastar-api.yml")["inputs"]["fields"]}
    assert fields["port"]["default"] == env["YEASTAR_PORT"]
    assert fields["api_version"]["default"] == env["YEASTAR_API_VERSION"]

    env = inject(credential_type("yeastar-api.yml"), {"host": "pbx", "username": "api", "password": "x",
                                                      "ca_cert": "PEM", "skip_tls_verify": True,
                                                      "proxy_url": "http://proxy:3128"}, tmp_path)
    assert env["YEASTAR_VALIDATE_CERTS"] == "false"
    assert pathlib.Path(env["YEASTAR_CA_PATH"]).read_text(encoding="utf-8") == "PEM"
    assert env[PROXY_ENV["yeastar"]] == "http://proxy:3128"


def test_a_blank_proxy_url_is_an_empty_variable_in_every_type(tmp_path):
    outbound = inject(credential_type("outbound-api.yml"), {"url": "http://cc", "proxy_url": ""}, tmp_path)
    assert outbound[PROXY_ENV["outbound"]] == ""
    combined = inject(credential_type(COMBINED), {"host": "pbx", "outbound_url": "http://cc"}, tmp_path)
    assert combined[PROXY_ENV["yeastar"]] == combined[PROXY_ENV["outbound"]] == ""


def test_a_job_template_with_the_yeastar_credential(controller, pbx):
    controller.credential("yeastar-api.yml", **yeastar_inputs(pbx))
    inventory = inventory_data(["1002", "1003"])

    check = controller.job("voicemail_policy.yml", inventory, job_type="check", diff=True)
    assert check.status == "successful", check.text
    assert "extension/update" not in pbx.counters
    would = task_results(check, "Apply the policy to every SIP extension in one task")
    assert len(would) == 1 and would[0]["changed"]

    pbx.reset_counters()
    run = controller.job("voicemail_policy.yml", inventory)
    assert run.status == "successful" and changed(run) == 1, run.text
    # One task for both hosts: one login, one batched read, one update per extension that differed.
    assert pbx.counters["login"] == 1 and pbx.counters["logout"] == 1
    assert pbx.counters["extension/update"] == len(task_results(run, "Apply the policy to every SIP extension in one "
                                                                     "task")[0]["updated"])
    assert_no_secret_in_job_output(run, pbx.api_password)

    pbx.reset_counters()
    again = controller.job("voicemail_policy.yml", inventory)
    assert again.status == "successful" and changed(again) == 0, again.text
    assert "extension/update" not in pbx.counters


def test_a_job_template_with_both_credentials(controller, pbx, call_center):
    controller.credential("yeastar-api.yml", **yeastar_inputs(pbx))
    with open(call_center.ca_path, encoding="utf-8") as handle:
        controller.credential("outbound-api.yml", url=call_center.url, appid=call_center.appid,
                              accesskey=call_center.accesskey, ca_cert=handle.read())
    call_center.set_registration("1006", registered=False)
    run = controller.job("registration_report.yml", inventory_data(["1002", "1006"]))
    assert run.status == "successful", run.text
    assert "1 of 2 extensions have no phone registered: 1006" in run.text
    assert call_center.counters["App.Sip_Status.GetSipRegisterStatus"] == 1
    assert call_center.counters["App.Sip_Auth.Logout"] == 1
    assert_no_secret_in_job_output(run, call_center.accesskey)


def test_a_job_template_with_the_combined_credential_alone(controller, pbx, call_center):
    controller.credential(COMBINED, **combined_inputs(pbx, call_center))
    call_center.set_registration("1006", registered=False)
    inventory = inventory_data(["1002", "1006"])

    report = controller.job("registration_report.yml", inventory)
    assert report.status == "successful", report.text
    assert "1 of 2 extensions have no phone registered: 1006" in report.text
    assert call_center.counters["App.Sip_Auth.Logout"] == 1

    policy = controller.job("voicemail_policy.yml", inventory, job_type="check")
    assert policy.status == "successful", policy.text
    assert pbx.counters["login"] == 1 and pbx.counters["logout"] == 1
    for run in (report, policy):
        assert_no_secret_in_job_output(run, pbx.api_password, call_center.accesskey)


def test_a_blank_ca_certificate_with_verification_off_warns_and_works(controller, pbx):
    controller.credential("yeastar-api.yml", **yeastar_inputs(pbx, ca_cert="", skip_tls_verify=True))
    run = controller.job("voicemail_policy.yml", inventory_data(["1002"]), job_type="check")
    assert run.status == "successful", run.text
    assert "validate_certs is false" in run.text


def test_a_blank_ca_certificate_for_a_private_ca_fails_in_words(controller, pbx):
    controller.credential("yeastar-api.yml", **yeastar_inputs(pbx, ca_cert=""))
    run = controller.job("voicemail_policy.yml", inventory_data(["1002"]), job_type="check")
    assert run.status == "failed"
    assert "TLS certificate verification failed" in run.text and "ca_path" in run.text
    assert "login" not in pbx.counters


def plain(value):
    """A host variable as a job sees it: the controller stores what ansible-inventory printed, and
    ansible-core (2.19 and later) prints strings it does not trust as {"__ansible_unsafe": ...}."""
    if isinstance(value, dict) and set(value) == {"__ansible_unsafe"}:
        return value["__ansible_unsafe"]
    return value


needs_inventory_plugin = pytest.mark.skipif(not INVENTORY_PLUGIN.is_file(),
                                            reason="plugins/inventory/yeastar.py is not there yet")


@needs_inventory_plugin
def test_an_inventory_update_then_a_job_on_the_synced_inventory(controller, pbx):
    controller.credential("yeastar-api.yml", **yeastar_inputs(pbx))
    assert controller.env[PROXY_ENV["yeastar"]] == ""  # no proxy in the credential: no explicit proxy
    data = controller.inventory_update("inventories/pbx.yeastar.yml")[0]
    hostvars = data["_meta"]["hostvars"]
    assert sorted(hostvars) == ["ext%d" % number for number in range(1000, 1007)]
    sip = sorted(data["yeastar_type_sip"]["hosts"])
    assert sip and all(plain(hostvars[host]["ansible_connection"]) == "local" for host in sip)
    assert pbx.counters["login"] == 1 and pbx.counters["logout"] == 1
    assert pbx.api_password not in json.dumps(data)

    pbx.reset_counters()
    run = controller.job("voicemail_policy.yml", data)
    assert run.status == "successful", run.text
    assert pbx.counters["login"] == 1 and pbx.counters["logout"] == 1
    results = task_results(run, "Apply the policy to every SIP extension in one task")[0]
    expected = sorted(plain(hostvars[host]["yeastar_number"]) for host in sip)
    assert sorted(item["extension"] for item in results["results"]) == expected


@needs_inventory_plugin
def test_a_template_in_a_pbx_value_stays_text_through_the_sync_and_the_job(controller, pbx, tmp_path):
    canary = tmp_path / "templated"
    pbx.patch_extension("1002", username="{{ lookup('pipe', 'touch %s') }}" % canary)
    controller.credential("yeastar-api.yml", **yeastar_inputs(pbx))
    data = controller.inventory_update("inventories/pbx.yeastar.yml")[0]
    # A playbook of the user's that prints the names of the extensions.
    names = [{"name": "Print the names", "hosts": "all", "gather_facts": False, "tasks": [
        {"name": "Name", "ansible.builtin.debug": {"msg": "{{ yeastar_name }}"}}]}]
    run = controller.job("names.yml", data, project_files={"names.yml": yaml.safe_dump(names)})
    assert run.status == "successful", run.text
    assert not canary.exists() and "lookup('pipe'" in run.text
    assert "lookup('pipe'" in json.dumps(data["_meta"]["hostvars"]["ext1002"])


@needs_inventory_plugin
def test_the_synced_host_variables_are_plain_values(controller, pbx):
    controller.credential("yeastar-api.yml", **yeastar_inputs(pbx))
    data = controller.inventory_update("inventories/pbx.yeastar.yml")[0]
    # What the controller shows, filters on (smart inventories, enabled_var) and exports.
    assert data["_meta"]["hostvars"]["ext1002"]["yeastar_number"] == "1002"
    assert data["_meta"]["hostvars"]["ext1002"]["ansible_connection"] == "local"


@needs_inventory_plugin
def test_an_inventory_update_with_a_blank_ca_and_verification_off(controller, pbx):
    controller.credential("yeastar-api.yml", **yeastar_inputs(pbx, ca_cert="", skip_tls_verify=True))
    data, output = controller.inventory_update("inventories/pbx.yeastar.yml")
    assert len(data["_meta"]["hostvars"]) == 7
    assert "validate_certs is false" in output


@needs_inventory_plugin
def test_an_inventory_update_with_registration_and_only_the_combined_credential(controller, pbx, call_center):
    controller.credential(COMBINED, **combined_inputs(pbx, call_center))
    call_center.set_registration("1006", registered=True, clientip="192.168.5.106")
    data = controller.inventory_update("inventories/pbx-registration.yeastar.yml")[0]
    hostvars = data["_meta"]["hostvars"]
    assert sorted(hostvars) == ["ext%d" % number for number in range(1000, 1007)]
    assert hostvars["ext1006"]["yeastar_registered"] is True
    assert hostvars["ext1006"]["ansible_host"] == "192.168.5.106"
    assert hostvars["ext1002"]["yeastar_clientip"] == "192.168.5.102"
    assert hostvars["ext1000"]["yeastar_registered"] is False and "ansible_host" not in hostvars["ext1000"]
    assert sorted(data["yeastar_unregistered"]["hosts"]) == ["ext1000", "ext1001"]
    assert pbx.counters["login"] == 1 and pbx.counters["logout"] == 1
    assert call_center.counters["App.Sip_Status.GetSipRegisterStatus"] == 1
    assert call_center.counters["App.Sip_Auth.Logout"] == 1
    assert pbx.api_password not in json.dumps(data) and call_center.accesskey not in json.dumps(data)


@needs_inventory_plugin
def test_empty_proxy_variables_from_the_combined_credential_mean_a_direct_connection(controller, pbx, outbound):
    controller.credential(COMBINED, **combined_inputs(pbx, outbound, proxy_url="", outbound_proxy_url=""))
    assert controller.env[PROXY_ENV["yeastar"]] == controller.env[PROXY_ENV["outbound"]] == ""
    data = controller.inventory_update("inventories/pbx-registration.yeastar.yml")[0]
    assert data["_meta"]["hostvars"]["ext1003"]["yeastar_registered"] is True
    assert pbx.counters["login"] == 1 and outbound.counters["App.Sip_Status.GetSipRegisterStatus"] == 1
