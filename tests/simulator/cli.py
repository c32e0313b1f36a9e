# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Command line: ``cd tests && ../.venv/bin/python -m simulator [options]``.

Options of one simulated API carry its prefix where they could clash; the server
options (host, TLS, logging, ready file) are shared by every simulator this CLI runs.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading

from . import interpreter, outbound_cli
from .tls import TestPKI
from .yeastar import YeastarSimulator
from .yeastar_api import parse_rate
from .yeastar_fleet import YeastarFleet

DEFAULT_PORT = 8088

EPILOG = """\
API (Yeastar S-Series): POST https://HOST:PORT/api/VERSION/ENDPOINT?token=TOKEN (no token for login).
  v1.0.0, v1.1.0: login, heartbeat, logout, apply, extensionlist/query, extension/query,
    extension/update (extensions named by "extid"; answers say "extnumber", "moblie").
  v2.0.0: login (port optional; answer adds "transport":"HTTP"), heartbeat, logout,
    extension/list, extension/query ("number": "all", "1000" or "1000,1001"), extension/update
    ("number" selects; no renumbering), extension/add (number, username, registername and
    registerpassword required), extension/delete ("number": "all" or a comma list; nothing
    is deleted when one number does not exist). Answers say "number" and, as --v2-mobile-key
    says, "mobile" or "moblie". v2 field rules: display name without ! % . @ : ; & " ' \\ < > ` $,
    passwords of letters, digits and ~ ^ * - _ ? under the strong-password policy (register
    password >= 16, login password >= 10, a digit, an upper- and a lowercase letter, no 123
    or 987 runs, neither the number nor the name inside; --no-strong-passwords turns it off).
  Any other endpoint, or an endpoint of the other version, answers 10003. Both versions
  share one store, token table, lockout, rate limit, faults and counters.
  The default seed is the vendor's sample PBX: extensions 1000-1006.

Admin calls (same server, JSON, never counted, never faulted):
  GET  /__sim__/ping                  {"status":"ok","simulator":"yeastar"}
  GET  /__sim__/counters              calls per endpoint, e.g. {"login":1,"extension/query":2}
  GET  /__sim__/timing                {"seconds":S}: time spent answering the calls since the last reset
  GET  /__sim__/calls                 call log: [{"endpoint","method","result","client_ip","fault"}]
  POST /__sim__/reset-counters        zero the counters, empty the call log and the delete log
  GET  /__sim__/faults                pending faults
  POST /__sim__/faults                body: a fault object or a list of them (below)
  POST /__sim__/clear-faults          drop every pending fault
  GET  /__sim__/tokens                {"active":N,"expired":N,"prefixes":[first 4 chars]}
  POST /__sim__/expire-tokens         body {} or {"token":T}: time out all tokens or one (20006)
  POST /__sim__/revoke-tokens         body {} or {"token":T}: forget all tokens or one (20004)
  GET  /__sim__/settings              current settings (no password)
  POST /__sim__/settings              body: any of {"token_lifetime":S,"lockout_seconds":S,
                                      "max_failed_logins":N,"update_rate":"3/1" or null,
                                      "api_versions":[...],"username":U,"password":P,"allowed_ips":[...],
                                      "strong_passwords":B,"v2_mobile_key":"mobile"|"moblie",
                                      "max_extensions":N or null,"omit_empty":B,"sn":SN,
                                      "report_retry_interval":S}
  GET  /__sim__/lockouts              failed logins and lockouts per client IP
  POST /__sim__/unblock               body {} or {"ip":IP}: clear lockouts
  GET  /__sim__/deletes               raw "number" of every v2 extension/delete call, e.g. ["1005","all"]
  POST /__sim__/extension-status      body {"extension":"1006","status":"Unregistered"} (Registered,
                                      Unregistered, Ringing, Busy, Idle): list status, ExtensionStatus report
  POST /__sim__/restart               forget every token, BootUp to each target that had a live one
  GET  /__sim__/reports               every report attempt: [{"url","event","body","attempt","status","error"}]
  GET  /__sim__/report-targets        [{"token": first 4 chars,"url","key":"event"|"action"}] of live tokens
  GET  /__sim__/extensions            raw records (moblie, loginpassword digest, ...)
  POST /__sim__/extensions            body: {"replace":[records]}, {"add":[records]},
                                      {"patch":{"1002":{"username":"<b>x</b>"}}} (raw, unchecked),
                                      {"delete":["1006"]}; several keys apply in that order

Reports: after a login naming "port" (and "url", "urltag"), the PBX POSTs JSON reports over plain
  HTTP to http://LOGIN-IP:PORT/URL (urltag 1: URL is "host:port/path"); heartbeat may move the
  target ("ipaddr", "port", "url", "urltag"; v1 "urlflag"). Key "event" after a v2 login with
  "version":"2.0.0", else "action"; every body carries "sn". ExtensionStatus (admin
  extension-status), ConfigChange (extension/update, v2 add and delete), BootUp (admin restart).
  Resent every --report-retry-interval seconds until answered 200, while the token lives.

Faults (--fault, POST /__sim__/faults, sim.inject()): a JSON object
  {"kind": K, "endpoint": E or null, "count": N or null, ...}
  kind errno    {"errno":"30001"}  HTTP 200 {"status":"Failed","errno":"30001"}
  kind http     {"status":503}     that HTTP status with an HTML body
  kind drop                        close the connection without answering
  kind truncate                    HTTP 200, first half of the JSON answer
  kind garbage                     HTTP 200, non-JSON (HTML) body
  kind latency  {"seconds":2.5}    answer normally, that much later
  endpoint: only calls to it (e.g. "extension/update"); "on_call": N: the first call hit
  is the Nth matching call from when the fault was queued (default 1; the earlier ones
  pass); count: calls hit (default 1, null = until cleared); "process": true lets the call
  take effect before the fault replaces its answer (default: nothing applied); "body":
  text for http/garbage. In-process only, sim.inject("action", action=f, on_call=N) runs
  f() just before the Nth call is handled (e.g. tokens expire), which is then answered as usual.

Logs: one line per call (time, client IP, endpoint, result, duration); never bodies,
passwords, access keys or more than 4 characters of a token.

""" + outbound_cli.EPILOG


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the epilog's layout; shows a default only where it says something."""

    def _get_help_string(self, action):
        text = action.help or ""
        if "default" not in text and action.default not in (None, False, True, [], argparse.SUPPRESS):
            text += " (default: %(default)s)"
        return text


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m simulator", formatter_class=_Formatter, epilog=EPILOG,
        description="Simulated PBX APIs for the voiceops.pbx tests: the Yeastar S-Series HTTPS API v1.x and v2.0.0\n"
                    "and, optionally, the Predictive Outbound call-center API.\n\n" + interpreter.help_text())
    server = parser.add_argument_group("server (shared by every simulated API)")
    server.add_argument("--host", default="127.0.0.1", help="address to listen on")
    server.add_argument("--no-tls", dest="tls", action="store_false", help="plain HTTP instead of HTTPS for the Yeastar API")
    server.add_argument("--ca-out", metavar="PATH", help="write the test CA (PEM) here; default: a temporary file removed on exit")
    server.add_argument("--cert-hostname", metavar="NAME", action="append",
                        help="name or IP in the server certificate, repeatable; default: localhost and 127.0.0.1")
    server.add_argument("--expired-cert", action="store_true", help="serve a certificate that expired yesterday")
    server.add_argument("--log-file", metavar="PATH", help="append the call log here instead of stderr")
    server.add_argument("--quiet", action="store_true", help="no call log at all")
    server.add_argument("--ready-file", metavar="PATH",
                        help='once listening, write {"port","ca_path","base_url","pid","outbound_url","outbound_port"} as'
                             ' one JSON line here (removed on exit; null for an API not served)')

    yeastar = parser.add_argument_group("Yeastar S-Series API")
    yeastar.add_argument("--port", type=int, help="port of the Yeastar API; 0 picks a free one (default: %d)" % DEFAULT_PORT)
    yeastar.add_argument("--username", default="api", help="API username")
    yeastar.add_argument("--password", default="Yeastar@123", help="API password in clear; clients send its MD5 digest")
    yeastar.add_argument("--api-versions", default="v1.0.0,v1.1.0,v2.0.0",
                         help="comma-separated versions accepted in /api/VERSION/; v2.x serves the v2 endpoints, any other the v1 ones")
    yeastar.add_argument("--token-lifetime", type=float, default=1800, metavar="SECONDS", help="token life after its last use")
    yeastar.add_argument("--lockout-seconds", type=float, default=600, metavar="SECONDS", help="how long a login lockout lasts")
    yeastar.add_argument("--max-failed-logins", type=int, default=5, metavar="N",
                         help="failed logins in a row that lock the caller's IP out; 0: never")
    yeastar.add_argument("--update-rate", metavar="N/SECONDS", help="at most N updates, v2 adds and applies per SECONDS, else 10025; default: no limit")
    yeastar.add_argument("--latency", metavar="[ENDPOINT=]SECONDS", action="append", default=[],
                         help="extra delay on every call (or on ENDPOINT's calls), repeatable")
    yeastar.add_argument("--fault", metavar="JSON", action="append", default=[], help="queue a fault at start-up, repeatable (see below)")
    yeastar.add_argument("--no-strong-passwords", dest="strong_passwords", action="store_false",
                         help="v2: drop the strong-password policy (register password 1-63, login password 6-63 characters)")
    yeastar.add_argument("--v2-mobile-key", choices=("mobile", "moblie"), default="mobile",
                         help="how v2 extension/query answers spell the mobile number (v1 always says moblie)")
    yeastar.add_argument("--max-extensions", type=int, default=500, metavar="N",
                         help="v2 extension/add answers 10017 once the PBX holds N extensions; 0: no limit")
    yeastar.add_argument("--omit-empty", action="store_true",
                         help="extension/query answers (v1 and v2) leave out every blank field, as the vendor's sample"
                              " answer leaves out atransferext or agentid")
    yeastar.add_argument("--sn", default="369451090405", help="serial number every report carries")
    yeastar.add_argument("--report-retry-interval", type=float, default=1.0, metavar="SECONDS",
                         help="resend a report that did not get HTTP 200 after this long")
    yeastar.add_argument("--allowed-ip", metavar="IP", action="append", help="answer 20015 to every other caller, repeatable; default: anyone")
    seed = yeastar.add_mutually_exclusive_group()
    seed.add_argument("--extensions", type=int, metavar="N", help="generate N plausible extensions instead of the vendor sample")
    seed.add_argument("--seed-file", metavar="FILE", help="extensions from a JSON or YAML list of extension/query records")
    yeastar.add_argument("--first-extension", type=int, default=1000, metavar="NUMBER", help="first number for --extensions and --outbound-extensions")
    yeastar.add_argument("--state-file", metavar="FILE",
                         help="load the extensions from FILE if it exists, save them there after every change")
    add_fleet_arguments(parser)
    outbound_cli.add_arguments(parser)
    return parser


def add_fleet_arguments(parser):
    fleet = parser.add_argument_group(
        "fleet of Yeastar PBXes",
        "--pbxes N serves N PBXes named pbx01..pbxNN, one port each, each with its own extensions, tokens,\n"
        "credentials, settings, counters and faults (every Yeastar option above applies to each PBX; --fault\n"
        "queues on every one; reports carry --sn plus the PBX's index). One test CA verifies them all. The\n"
        "ready file then adds \"pbxes\": [{\"name\",\"host\",\"port\",\"base_url\",\"api_username\",\"api_password\",\n"
        "\"ca_path\"}]; \"port\" and \"base_url\" are pbx01's. Not with --port, --state-file or the outbound API.")
    fleet.add_argument("--pbxes", type=int, metavar="N", help="serve N simulated PBXes instead of one")
    fleet.add_argument("--first-port", type=int, default=0, metavar="PORT",
                       help="ports PORT, PORT+1, ... in name order; default: a free port each")
    fleet.add_argument("--distinct-passwords", action="store_true",
                       help="each PBX's API password is --password followed by its name (Yeastar@123pbx01)")


def _latency_faults(values):
    faults = []
    for value in values:
        endpoint, _sep, seconds = value.rpartition("=")
        faults.append({"kind": "latency", "seconds": float(seconds), "endpoint": endpoint or None, "count": None})
    return faults


def _write_ready(path, data):
    temporary = "%s.tmp-%d" % (path, os.getpid())
    with open(temporary, "w", encoding="utf-8") as stream:
        stream.write(json.dumps(data) + "\n")
    os.replace(temporary, path)


def _fleet_misuse(args):
    """Why the options do not make a fleet, or None."""
    if args.pbxes is None:
        return "--first-port and --distinct-passwords need --pbxes" if args.first_port or args.distinct_passwords else None
    if args.pbxes < 1:
        return "--pbxes needs at least 1"
    clashes = [name for name, given in (("--port", args.port is not None), ("--state-file", args.state_file),
                                        ("--outbound-port/--outbound-only", outbound_cli.wanted(args))) if given]
    return "--pbxes does not combine with %s" % ", ".join(clashes) if clashes else None


def _yeastar_options(args, log):
    """The YeastarSimulator options the command line names, but where it listens and its CA."""
    return dict(
        cert_hostnames=args.cert_hostname, expired_cert=args.expired_cert,
        username=args.username, password=args.password, api_versions=args.api_versions,
        token_lifetime=args.token_lifetime, lockout_seconds=args.lockout_seconds,
        max_failed_logins=args.max_failed_logins, update_rate=args.update_rate, allowed_ips=args.allowed_ip,
        extensions=args.extensions, first_extension=args.first_extension, seed_file=args.seed_file,
        state_file=args.state_file, log=log, strong_passwords=args.strong_passwords,
        v2_mobile_key=args.v2_mobile_key, max_extensions=args.max_extensions, omit_empty=args.omit_empty,
        sn=args.sn, report_retry_interval=args.report_retry_interval)


def _start_fleet(parser, args, faults, log):
    """Start the fleet the options describe, or exit 2 with one error line."""
    options = _yeastar_options(args, log)
    del options["state_file"]
    fleet = YeastarFleet(args.pbxes, host=args.host, first_port=args.first_port, tls=args.tls, ca_path=args.ca_out,
                         distinct_passwords=args.distinct_passwords, **options)
    try:
        fleet.start()
        for sim in fleet:
            for fault in faults:
                sim.faults.add(fault)
    except (OSError, ValueError, ModuleNotFoundError) as error:
        fleet.stop()
        if isinstance(error, ModuleNotFoundError):
            error = interpreter.missing_module_message(error.name)
        parser.exit(2, "%s: error: %s\n" % (parser.prog, error))
    return fleet


def _fleet_ready(fleet):
    pbxes = fleet.pbxes
    return {"port": pbxes[0]["port"], "ca_path": fleet.ca_path, "base_url": pbxes[0]["base_url"], "pid": os.getpid(),
            "outbound_url": None, "outbound_port": None, "pbxes": pbxes}


def _serve_until_stopped(stop, servers, pki, ready_file):
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for item in servers:
            item.stop()
        if pki is not None:
            pki.cleanup()
        if ready_file and os.path.exists(ready_file):
            os.unlink(ready_file)


def _stop_signals():
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    return stop


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        faults = _latency_faults(args.latency) + [json.loads(text) for text in args.fault]
        parse_rate(args.update_rate)
        outbound_cli.faults(args)
    except ValueError as error:
        parser.error("bad --latency, --fault, --outbound-fault or --update-rate: %s" % error)
    misuse = _fleet_misuse(args)
    if misuse:
        parser.error(misuse)

    stop = _stop_signals()
    log = None if args.quiet else (args.log_file or sys.stderr)
    if args.pbxes is not None:
        fleet = _start_fleet(parser, args, faults, log)
        if args.ready_file:
            _write_ready(args.ready_file, _fleet_ready(fleet))
        _serve_until_stopped(stop, [fleet], None, args.ready_file)
        return 0

    run_outbound = outbound_cli.wanted(args)
    run_yeastar = not args.outbound_only
    try:
        pki = TestPKI(args.ca_out) if (run_yeastar and args.tls) or (run_outbound and args.outbound_tls) else None
    except ModuleNotFoundError as error:
        parser.exit(2, "%s: error: %s\n" % (parser.prog, interpreter.missing_module_message(error.name)))
    sims = []
    try:
        sim = None if not run_yeastar else YeastarSimulator(
            host=args.host, port=DEFAULT_PORT if args.port is None else args.port, tls=args.tls, pki=pki,
            **_yeastar_options(args, log))
        for fault in faults if sim else ():
            sim.faults.add(fault)
        sims = [sim] if sim else []
        if run_outbound:
            sims.append(outbound_cli.build(args, pki, log, sim))
        for item in sims:
            item.start()
    except (OSError, ValueError, ModuleNotFoundError) as error:
        for item in sims:
            item.stop()
        if pki is not None:
            pki.cleanup()
        if isinstance(error, ModuleNotFoundError):
            error = interpreter.missing_module_message(error.name)
        parser.exit(2, "%s: error: %s\n" % (parser.prog, error))

    if args.ready_file:
        outbound = sims[-1] if run_outbound else None
        _write_ready(args.ready_file, {"port": sim.port if sim else None, "ca_path": pki.ca_path if pki else None,
                                       "base_url": sim.base_url if sim else None, "pid": os.getpid(),
                                       "outbound_url": outbound.base_url if outbound else None,
                                       "outbound_port": outbound.port if outbound else None})
    _serve_until_stopped(stop, sims, pki, args.ready_file)
    return 0
