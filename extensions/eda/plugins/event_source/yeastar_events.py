# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""yeastar_events: an ansible-rulebook event source of the Yeastar S-Series PBX's own event reports.

It logs in to the PBX API telling it where to report, keeps the session alive, listens for the
reports (HTTP POSTs from the PBX) and puts one event per report on the queue.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ipaddress
import json
import logging
import os
import re
import sys
import time

from aiohttp import web

DOCUMENTATION = r"""
---
short_description: Event reports of a Yeastar S-Series PBX (extension status, configuration changes, restarts)
description:
  - Logs in to the PBX API with the connection options and C(YEASTAR_*) environment variables of the
    modules, telling the PBX where to post its event reports (C(port), C(url), C(urltag); with
    O(api_version=v2.0.0) also C(version) V(2.0.0)).
  - Listens for the reports on O(listen_host):O(listen_port), path O(url), answers each with 200 at once,
    and puts one event per report on the queue, in the same shape for API v1.x (C(action) key) and
    v2.0.0 (C(event) key), as a dictionary under the key C(yeastar) holding C(event) (for example
    V(ExtensionStatus)), C(extension), C(status), C(sn), C(pbx) (the O(host) option) and the other
    fields of the report. The C(extension) key also holds the C(extid) of a C(ConfigChange) report.
  - Sends a heartbeat every O(heartbeat_interval) seconds; logs in again when the token is gone
    (errno 20004, 20005, 20006) and after a C(BootUp) report. A login refused for credentials or
    lockout (20003, 20002) is never repeated - the source stops with the reason, as it does after a login
    that was sent but got no answer. A login that could not be sent (no connection, the PBX restarting) is
    tried again after 1, 2, 4, ... up to 60 seconds, 8 times.
  - Only the PBX's own addresses (O(host) resolved at start) and O(allowed_senders) may post;
    others get 403 and a log line. Bodies that are not a JSON object get 400. A report repeated
    within O(dedup_seconds) (the PBX resends until it gets 200) is answered but passed on once.
  - Needs the Python library aiohttp.
options:
  host:
    description: Name or IP address of the PBX. Environment variable C(YEASTAR_HOST).
    type: str
    required: true
  port:
    description: Port of the PBX API (its web port). C(YEASTAR_PORT).
    type: int
    default: 8088
  api_username:
    description: API user. C(YEASTAR_USERNAME).
    type: str
    required: true
  api_password:
    description: API password (sent as its MD5 digest). C(YEASTAR_PASSWORD).
    type: str
    required: true
  api_version:
    description: API version; V(v2.0.0) asks for reports in the v2 format. C(YEASTAR_API_VERSION).
    type: str
    default: v1.0.0
    choices: [v1.0.0, v1.1.0, v2.0.0]
  scheme:
    description: C(YEASTAR_SCHEME).
    type: str
    default: https
    choices: [https, http]
  validate_certs:
    description: C(YEASTAR_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description: CA certificate file of the PBX's certificate. C(YEASTAR_CA_PATH).
    type: path
  timeout:
    description: Deadline of each API request, in seconds. C(YEASTAR_TIMEOUT).
    type: int
    default: 30
  proxy_url:
    description: HTTP proxy between this machine and the PBX. C(YEASTAR_PROXY_URL).
    type: str
  use_proxy:
    description: C(YEASTAR_USE_PROXY).
    type: bool
    default: true
  listen_host:
    description: Address the listener binds to.
    type: str
    default: 0.0.0.0
  listen_port:
    description: Port the listener binds to, and the port the PBX is told to post to (unless O(report_url) says otherwise).
    type: int
    default: 8260
  url:
    description:
      - Path the PBX posts to; it may hold a secret segment (it never appears in logs or events).
      - Defaults to the path of O(report_url), else V(/).
    type: str
  report_url:
    description:
      - Absolute report address C(host:port/path), sent with C(urltag 1), for a PBX that reaches the
        listener through NAT or a port forward. Its path must reach O(url) on the listener.
    type: str
  events:
    description: Event names to pass on (for example V(ExtensionStatus)); all when not set.
    type: list
    elements: str
  heartbeat_interval:
    description:
      - Seconds between heartbeats, at most 900 (half the token's 30 minutes).
      - A heartbeat that failed (no answer, or an error other than a lost token) is tried again after 30
        seconds, or after O(heartbeat_interval) when that is shorter.
    type: float
    default: 600
  allowed_senders:
    description: Addresses, networks (CIDR) or host names allowed to post besides the PBX's own addresses.
    type: list
    elements: str
    default: []
  dedup_seconds:
    description: A report equal to the last one of the same subject (event name and extension) within
      this many seconds is a resend and is dropped; 0 keeps every report.
    type: float
    default: 10
"""

EXAMPLES = r"""
- name: React to the PBX's reports
  hosts: localhost
  sources:
    - voiceops.pbx.yeastar_events:
        host: pbx.example.com
        api_username: api
        api_password: "{{ yeastar_api_password }}"
        ca_path: /etc/pki/yeastar-ca.pem
        listen_port: 8260
        url: /yeastar/3f9c2a
        events: [ExtensionStatus, ConfigChange]
  rules:
    - name: An extension went offline
      condition: event.yeastar.event == "ExtensionStatus" and event.yeastar.status == "Unregistered"
      action:
        run_playbook:
          name: voiceops.pbx.extension_offline
"""


def _collection_importable():
    """ansible-rulebook runs a source from its file without putting the collections on sys.path:
    add the directory that holds this collection's ansible_collections/ when the import fails."""
    try:
        import ansible_collections.voiceops.pbx.plugins.module_utils  # noqa: F401 pylint: disable=unused-import
    except ImportError:
        path = os.path.abspath(__file__)
        # up from this file: event_source, plugins, eda, extensions, pbx, voiceops, ansible_collections, its parent
        for _level in range(8):
            path = os.path.dirname(path)
        sys.path.append(path)


_collection_importable()

# pylint: disable=wrong-import-position
from ansible.module_utils.parsing.convert_bool import boolean  # noqa: E402

from ansible_collections.voiceops.pbx.plugins.module_utils._http_transport import (  # noqa: E402
    ApiClientError,
    NotSentError,
    ProxyRefusedError,
    TransportError,
)
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_api_versions import ReportTarget  # noqa: E402
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_client import YeastarClient  # noqa: E402
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_errors import (  # noqa: E402
    SESSION_LOST_ERRNOS,
    YeastarApiError,
    YeastarLoginRefused,
)
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_options import (  # noqa: E402
    CONNECTION_ENV,
    INSECURE_WARNING,
    connection_problems,
    port_problems,
    yeastar_argument_spec,
)

LOG = logging.getLogger("voiceops.pbx.yeastar_events")
TOKEN_LIFE = 30 * 60
LOGIN_BACKOFF = (1, 2, 4, 8, 16, 32, 60)
# At most half the token's life between heartbeats, so that one lost heartbeat leaves time for more;
# one that failed is tried again this soon, not a whole interval later.
HEARTBEAT_MAX = TOKEN_LIFE // 2
HEARTBEAT_RETRY_SECONDS = 30
LISTENER_SHUTDOWN_SECONDS = 2  # every report is answered at once: nothing long to wait for
LISTENER_DEFAULTS = {
    "listen_host": "0.0.0.0",
    "listen_port": 8260,
    "url": None,
    "report_url": None,
    "events": None,
    "heartbeat_interval": 600,
    "allowed_senders": [],
    "dedup_seconds": 10,
}
REPORT_URL = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[^\s/:\[\]]+):(?P<port>[0-9]{1,5})(?P<path>/\S*)?$")
SUBJECT_KEYS = ("extension", "extid", "trunkname", "callid")


class OptionsError(ValueError):
    """The source's options are wrong: every problem, each naming its option."""

    def __init__(self, problems):
        super().__init__("yeastar_events: " + "; ".join(problems))
        self.problems = problems


# options

class Settings:
    """The options, checked and converted: connection (keyword arguments of YeastarClient) and listener."""

    def __init__(self, connection, listener):
        self.connection = connection
        self.host = connection["host"]
        self.listen_host = listener["listen_host"]
        self.listen_port = listener["listen_port"]
        self.report_url = listener["report_url"]
        self.url = listener["url"] or _path_of(self.report_url) or "/"
        self.events = frozenset(listener["events"]) if listener["events"] is not None else None
        self.heartbeat_interval = listener["heartbeat_interval"]
        self.allowed_senders = listener["allowed_senders"]
        self.dedup_seconds = listener["dedup_seconds"]

    @property
    def report_target(self):
        if self.report_url:
            return ReportTarget(REPORT_URL.match(self.report_url).group("port"), absolute_url=self.report_url)
        return ReportTarget(self.listen_port, self.url)


def read_settings(args, environ=None):
    """Settings from the source's args (and the YEASTAR_* environment), or OptionsError naming every problem."""
    environ = os.environ if environ is None else environ
    spec = yeastar_argument_spec()
    # ansible-rulebook may add arguments of its own, such as eda_feedback_queue
    unknown = sorted(name for name in set(args) - set(spec) - set(LISTENER_DEFAULTS) if not name.startswith("eda_"))
    problems = ["unknown option %s; known: %s" % (name, ", ".join(sorted(set(spec) | set(LISTENER_DEFAULTS))))
                for name in unknown]
    connection = {}
    for name, rule in spec.items():
        value = args.get(name)
        if value is None:
            value = environ.get(CONNECTION_ENV[name])
        connection[name], problem = _converted(name, value, rule)
        problems.extend([problem] if problem else [])
    if not problems:
        problems.extend(connection_problems(connection))
    listener = dict(LISTENER_DEFAULTS, **{name: args[name] for name in LISTENER_DEFAULTS if args.get(name) is not None})
    problems.extend(listener_problems(listener))
    if problems:
        raise OptionsError(problems)
    listener["events"] = _as_list(listener["events"])
    listener["allowed_senders"] = _as_list(listener["allowed_senders"])
    return Settings(connection, listener)


def _converted(name, value, rule):
    """(value converted to the option's type, a problem or None)."""
    if value is None:
        if rule.get("required"):
            return None, "%s: it is required (or environment variable %s)" % (name, CONNECTION_ENV[name])
        return rule.get("default"), None
    try:
        if rule["type"] == "int":
            value = int(value)
        elif rule["type"] == "bool":
            value = boolean(value, strict=True)
        elif rule["type"] == "path":
            value = os.path.expanduser(os.path.expandvars(str(value)))
        else:
            value = str(value)
    except (TypeError, ValueError):
        return None, "%s: %r is not a valid %s" % (name, value, rule["type"])
    if rule.get("choices") and value not in rule["choices"]:
        return None, "%s: %r is not one of %s" % (name, value, ", ".join(rule["choices"]))
    return value, None


def listener_problems(options):
    """What is wrong with the listener options, each problem naming its option."""
    problems = []
    if not isinstance(options["listen_host"], str) or not options["listen_host"].strip():
        problems.append("listen_host: give the address to listen on, such as 0.0.0.0")
    problems.extend(_number_problems(options, "listen_port", int, lambda port: port_problems(port, "listen_port")))
    url = options["url"]
    if url is not None and (not isinstance(url, str) or not url.startswith("/") or re.search(r"[\s?#]", url)):
        problems.append("url: it must be a path that starts with / (no spaces, query or fragment)")
    report_url = options["report_url"]
    if report_url is not None and not (isinstance(report_url, str) and _report_url_valid(report_url)):
        problems.append("report_url: it must be host:port/path without a scheme, such as 203.0.113.5:8260/yeastar")
    problems.extend(_number_problems(options, "heartbeat_interval", float, _heartbeat_problems))
    problems.extend(_number_problems(options, "dedup_seconds", float, lambda seconds: (
        ["dedup_seconds: it must be 0 or more"] if seconds < 0 else [])))
    for name in ("events", "allowed_senders"):
        if options[name] is not None and not all(isinstance(item, str) and item for item in _as_list(options[name])):
            problems.append("%s: it must be a list of non-empty strings" % name)
    return problems


def _number_problems(options, name, kind, rule):
    """The problems of a number option, converted in place to kind (a template gives a string)."""
    try:
        value = kind(options[name])
    except (TypeError, ValueError):
        return ["%s: %r is not a number" % (name, options[name])]
    options[name] = value
    return rule(value)


def _heartbeat_problems(seconds):
    if not 0 < seconds <= HEARTBEAT_MAX:
        return ["heartbeat_interval: %s is invalid; it must be more than 0 and at most %d seconds, half the "
                "token's %d, so that a lost heartbeat leaves time for another" % (seconds, HEARTBEAT_MAX, TOKEN_LIFE)]
    return []


def _report_url_valid(report_url):
    match = REPORT_URL.match(report_url)
    return bool(match) and not port_problems(int(match.group("port")))


def _path_of(report_url):
    return REPORT_URL.match(report_url).group("path") if report_url else None


def _as_list(value):
    return [value] if isinstance(value, str) else value


# reports

def parse_report(body):
    """The report in a request body: a JSON object whose repeated keys (the v1 call reports' "ext") are
    kept as a list of their values. ValueError for anything else."""
    report = json.loads(body.decode("utf-8"), object_pairs_hook=_keep_repeated_keys)
    if not isinstance(report, dict):
        raise ValueError("the JSON is not an object")
    return report


def _keep_repeated_keys(pairs):
    report, repeated = {}, set()
    for key, value in pairs:
        if key in repeated:
            report[key].append(value)
        elif key in report:
            report[key] = [report[key], value]
            repeated.add(key)
        else:
            report[key] = value
    return report


def event_name(report):
    """v2 names a report in "event", v1 (and v2 without version at login) in "action"."""
    return report.get("event") or report.get("action")


def event_of(report, pbx):
    """The event put on the queue: one shape for v1 and v2."""
    fields = {key: value for key, value in report.items() if key not in ("event", "action")}
    fields["event"] = event_name(report)
    fields["pbx"] = pbx
    if "extension" not in fields and "extid" in fields:
        fields["extension"] = fields["extid"]
    return {"yeastar": fields}


class RecentReports:
    """The last report of each subject (event name and extension, trunk or call): a report equal to it
    within the window is a resend. A change back and forth (Unregistered, Registered, Unregistered)
    is no resend."""

    def __init__(self, window, clock=time.monotonic):
        self.window = window
        self._clock = clock
        self._last = {}

    def is_resend(self, report):
        if not self.window:
            return False
        now = self._clock()
        subject = (event_name(report),) + tuple(str(report.get(key)) for key in SUBJECT_KEYS)
        body = json.dumps(report, sort_keys=True)
        last = self._last.get(subject)
        self._last = {key: seen for key, seen in self._last.items() if now - seen[1] <= self.window}
        self._last[subject] = (body, now)
        return last is not None and last[0] == body and now - last[1] <= self.window


# who may post

async def allowed_addresses(settings):
    """The networks allowed to post: the PBX host's addresses and allowed_senders (addresses,
    networks, or names resolved now)."""
    networks = []
    for name in [settings.host] + list(settings.allowed_senders):
        try:
            networks.append(ipaddress.ip_network(name, strict=False))
            continue
        except ValueError:
            pass
        option = "host" if name == settings.host else "allowed_senders"
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(name, None)
        except OSError as err:
            raise OptionsError(["%s: %r cannot be resolved (%s)" % (option, name, err)]) from None
        networks.extend(ipaddress.ip_network(info[4][0].split("%")[0]) for info in infos)
    return networks


def sender_allowed(remote, networks):
    try:
        address = ipaddress.ip_address((remote or "").split("%")[0])
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


# the listener

class ReportReceiver:
    """Answers the PBX's report POSTs and hands their events to pending, in order of arrival."""

    def __init__(self, settings, networks, pending, relogin):
        self.settings = settings
        self.networks = networks
        self.pending = pending
        self.relogin = relogin
        self.recent = RecentReports(settings.dedup_seconds)

    def refused(self, request):
        """403, with a log line, for a sender that is neither the PBX nor allowed; None for the others."""
        if sender_allowed(request.remote, self.networks):
            return None
        LOG.warning("refused a report from %s: not the PBX's address nor in allowed_senders", request.remote)
        return web.Response(status=403)

    async def receive(self, request):
        refusal = self.refused(request)
        if refusal is not None:
            return refusal
        try:
            report = parse_report(await request.read())
        except ValueError as err:
            LOG.warning("refused a report from %s: the body is not a JSON object (%s)", request.remote, err)
            return web.Response(status=400)
        self.take(report)
        return web.Response(status=200)

    async def elsewhere(self, request):
        """Another path or method than the reports': 403 (logged) for a foreign sender, 404 otherwise."""
        return self.refused(request) or web.Response(status=404)

    def take(self, report):
        name = event_name(report)
        if self.recent.is_resend(report):
            LOG.debug("dropped a resent %s report", name)
            return
        if name == "BootUp":
            LOG.info("the PBX restarted (BootUp); its tokens are gone: logging in again")
            self.relogin.set()
        if self.settings.events is None or name in self.settings.events:
            self.pending.put_nowait(event_of(report, self.settings.host))


async def start_listener(settings, receiver):
    app = web.Application()
    app.router.add_post(settings.url, receiver.receive)
    app.router.add_route("*", "/{anything:.*}", receiver.elsewhere)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=LISTENER_SHUTDOWN_SECONDS)
    await runner.setup()
    site = web.TCPSite(runner, settings.listen_host, settings.listen_port)
    try:
        await site.start()
    except OSError as err:
        await runner.cleanup()
        raise OSError("yeastar_events: cannot listen on %s:%s: %s" % (
            settings.listen_host, settings.listen_port, err.strerror or err)) from None
    LOG.info("listening for the reports of %s on %s:%s (path %s)", settings.host, settings.listen_host,
             settings.listen_port, "/" if settings.url == "/" else "/********")
    return runner


async def forward(pending, queue):
    while True:
        await queue.put(await pending.get())


# the PBX session

class PbxSession:
    """The API session that tells the PBX where to report. The client's calls run one after the
    other in one thread of their own, so a logout waits for a login still under way."""

    def __init__(self, client):
        self.client = client
        self.lock = asyncio.Lock()
        self._thread = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="yeastar-api")

    async def login(self):
        """Log in. A login that could not be sent (no connection: the PBX restarting) is tried again; one
        that was sent is never repeated, answered or not: an answer lost after a refusal still counts
        towards the PBX's lockout of this address."""
        async with self.lock:
            for delay in LOGIN_BACKOFF + (None,):
                try:
                    await self._run(self.client.login)
                    LOG.info("logged in to %s; it reports to this listener", self.client.host)
                    return
                except ProxyRefusedError:
                    raise
                except NotSentError as err:
                    if delay is None:
                        raise
                    LOG.warning("login failed (%s); trying again in %s seconds", err, delay)
                    await asyncio.sleep(delay)

    async def heartbeat(self):
        """Renew the token; a lost one leads to a new login. False when the heartbeat failed otherwise
        (no answer, another error): the session may still live, and the next try should come soon."""
        async with self.lock:
            try:
                await self._run(self.client.heartbeat)
                LOG.debug("heartbeat sent")
                return True
            except YeastarLoginRefused:
                raise
            except YeastarApiError as err:
                if err.errno not in SESSION_LOST_ERRNOS:
                    LOG.warning("heartbeat failed: %s", err)
                    return False
            except TransportError as err:
                LOG.warning("heartbeat failed: %s", err)
                return False
        LOG.info("the session is gone: logging in again")
        await self.login()
        return True

    async def logout(self):
        """Log out once the call under way (if any) is done, also when the task was cancelled during it."""
        try:
            await self._run(self.client.logout)
        finally:
            self._thread.shutdown(wait=False)
        LOG.info("logged out of %s", self.client.host)

    async def _run(self, call):
        return await asyncio.get_running_loop().run_in_executor(self._thread, call)


async def keep_session(session, interval, relogin):
    """Heartbeat every interval seconds (sooner after one that failed); log in again when relogin is
    set (after BootUp)."""
    wait = interval
    while True:
        try:
            await asyncio.wait_for(relogin.wait(), wait)
        except asyncio.TimeoutError:
            sent = await session.heartbeat()
            wait = interval if sent else min(interval, HEARTBEAT_RETRY_SECONDS)
            continue
        relogin.clear()
        await session.login()
        wait = interval


async def main(queue: asyncio.Queue, args: dict):
    """Entry point of ansible-rulebook: runs until cancelled; raises on wrong options, a refused login,
    or a PBX that stays unreachable."""
    settings = read_settings(args)
    if not settings.connection["validate_certs"]:
        LOG.warning(INSECURE_WARNING)
    networks = await allowed_addresses(settings)
    try:
        client = YeastarClient(report_to=settings.report_target, **settings.connection)
    except ApiClientError as err:
        raise OptionsError([str(err)]) from None
    session = PbxSession(client)
    pending, relogin = asyncio.Queue(), asyncio.Event()
    runner = await start_listener(settings, ReportReceiver(settings, networks, pending, relogin))
    forwarder = asyncio.create_task(forward(pending, queue))
    try:
        await session.login()
        await keep_session(session, settings.heartbeat_interval, relogin)
    except ApiClientError as err:
        LOG.error("yeastar_events stops: %s", err)
        raise
    finally:
        # the PBX first, so that it stops reporting, then the listener
        try:
            await session.logout()
        finally:
            forwarder.cancel()
            await runner.cleanup()


if __name__ == "__main__":
    # A manual run with the YEASTAR_* environment: prints each event.

    class MockQueue:
        async def put(self, event):
            print(event)  # noqa: T201

    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(MockQueue(), {"listen_port": int(os.environ.get("YEASTAR_EVENTS_PORT", "8260"))}))
