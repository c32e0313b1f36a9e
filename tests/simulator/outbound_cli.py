# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Predictive Outbound part of ``python -m simulator``: options, help text, construction."""

from __future__ import annotations

import json

from .outbound import OutboundSimulator
from .outbound_api import REFUSALS
from .yeastar_seed import load_file

DEFAULT_PORT = 8080

EPILOG = """\
API (Predictive Outbound, PhalApi style; off unless --outbound-port or --outbound-only):
  POST http://HOST:PORT/ (any path outside /__sim__/), form fields (urlencoded or multipart);
  "service" picks App.Sip_Auth.Login (appid, accesskey), App.Sip_Auth.Logout (token),
  App.Sip_Status.GetSipRegisterStatus or App.Sip_Status.GetSipValidStatus (token, extnumber="1002,1006").
  Always HTTP 200 with {"ret":200,"data":{"status":0,...},"msg":""}; ret 400 missing field,
  404 unknown service, 600 token invalid (12 h from login), 601-604 refused; data.status 1 with
  errors.code 1003 (wrong accesskey) or 1010 (extensions added since login: log in again).
  Extensions: those of the Yeastar simulator when it runs (1000-1006 by default: 1002-1005
  registered), else the same sample, or --outbound-extensions N from --first-extension.

Admin calls of the Predictive Outbound simulator (its own port; ping, counters, calls,
reset-counters, faults and clear-faults as above; counters are keyed by service):
  GET  /__sim__/tokens                {"active":N,"expired":N,"stale":N,"prefixes":[first 4 chars]}
  POST /__sim__/expire-tokens         body {} or {"token":T}: all tokens or one answer ret 600
  POST /__sim__/require-relogin       tokens issued so far answer 1010 on the status services
  GET  /__sim__/settings              current settings (no accesskey)
  POST /__sim__/settings              body: any of {"appid":A,"accesskey":K,"token_lifetime":S,
                                      "refuse":601..604 or {"SERVICE":603} or null,"allowed_ips":[...],
                                      "relogin_after_add":false,"company_code":C,"company_name":N}
  GET  /__sim__/registrations         {"extensions":{"1002":{"registered","enabled","owned",
                                      "clientip","serverip"}},"scheduled":[...]}
  POST /__sim__/registrations         body, applied in this order: {"replace":[numbers or states]},
                                      {"add":["2001",{"extnumber":"2002","registered":true}]} (makes 1010),
                                      {"set":{"1006":{"registered":true,"clientip":"10.0.0.6"},
                                      "1003":{"enabled":false},"1004":{"owned":false}}}, {"remove":["1005"]},
                                      {"schedule":[{"extnumber":"1006","after":3,"registered":true}]}
                                      (3 s from now), or {"extnumber":"1006","on_query":3,...}: just
                                      before the 3rd status query naming 1006 is answered
  Outbound faults: as above, "endpoint" is a service name; kind errno with a 3-digit errno answers
  that ret ({"errno":600} -> {"ret":600,"data":[],"msg":...}), any other errno a business failure
  ({"errno":"1001"} -> ret 200, data.status 1, errors.code "1001"); truncate and garbage as above.
"""


def add_arguments(parser):
    """The --outbound-* options."""
    group = parser.add_argument_group("Predictive Outbound API (PhalApi style)")
    group.add_argument("--outbound-port", type=int, metavar="PORT",
                       help="also serve the Predictive Outbound API on PORT (0 picks a free one); default: off")
    group.add_argument("--outbound-only", action="store_true",
                       help="serve only the Predictive Outbound API (on --outbound-port, default %d)" % DEFAULT_PORT)
    group.add_argument("--outbound-tls", action="store_true", help="HTTPS with the shared test CA; default: plain HTTP")
    group.add_argument("--outbound-appid", default="voiceops", metavar="APPID", help="the authorized appid")
    group.add_argument("--outbound-accesskey", default="Outbound@123", metavar="KEY", help="the appid's access key")
    group.add_argument("--outbound-token-lifetime", type=float, default=43200, metavar="SECONDS", help="token life from login")
    group.add_argument("--outbound-extensions", type=int, metavar="N",
                       help="generate N extensions from --first-extension; default: the Yeastar simulator's")
    group.add_argument("--outbound-refuse", type=int, choices=REFUSALS, metavar="RET",
                       help="answer every call with this ret (601-604); default: serve normally")
    group.add_argument("--outbound-allowed-ip", metavar="IP", action="append",
                       help="answer ret 604 to every other caller, repeatable; default: anyone")
    group.add_argument("--outbound-no-relogin", dest="outbound_relogin", action="store_false",
                       help="never answer 1010 after extensions were added")
    group.add_argument("--outbound-fault", metavar="JSON", action="append", default=[],
                       help="queue a fault at start-up on the outbound API, repeatable")


def wanted(args):
    return args.outbound_only or args.outbound_port is not None


def faults(args):
    """The --outbound-fault objects; ``ValueError`` on bad JSON."""
    return [json.loads(text) for text in args.outbound_fault]


def build(args, pki, log, yeastar=None):
    """The outbound simulator the options describe (not started); extensions follow ``yeastar`` unless counted."""
    if args.outbound_extensions is not None:
        extensions = args.outbound_extensions
    elif yeastar is not None:
        extensions = yeastar.extensions
    elif args.seed_file:
        extensions = load_file(args.seed_file)
    else:
        extensions = args.extensions
    port = args.outbound_port if args.outbound_port is not None else DEFAULT_PORT
    sim = OutboundSimulator(
        host=args.host, port=port, tls=args.outbound_tls, pki=pki,
        cert_hostnames=args.cert_hostname, expired_cert=args.expired_cert, appid=args.outbound_appid,
        accesskey=args.outbound_accesskey, token_lifetime=args.outbound_token_lifetime, refuse=args.outbound_refuse,
        allowed_ips=args.outbound_allowed_ip, relogin_after_add=args.outbound_relogin, extensions=extensions,
        first_extension=args.first_extension, log=log)
    for fault in faults(args):
        sim.faults.add(fault)
    return sim
