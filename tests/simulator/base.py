# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every simulator shares: server thread, TLS, faults, counters, admin basics."""

from __future__ import annotations

import json
import threading

from .faults import FaultQueue, parse_fault
from .httpbase import SimHTTPServer, SimRequestHandler
from .recorder import AccessLog, CallRecorder
from .tls import TestPKI


class SimulatorBase:
    """Start/stop and common state; subclasses implement ``endpoint_of``, ``handle_api`` and ``admin_routes``."""

    name = "sim"
    handler_class = SimRequestHandler  # a subclass may read requests its own way

    def __init__(self, host="127.0.0.1", port=0, tls=True, ca_path=None, cert_hostnames=None, expired_cert=False,
                 pki=None, log=None, latency=0.0):
        self._bind = (host, port)
        self.tls = tls
        self._ca_out = ca_path
        self._cert_hostnames = cert_hostnames
        self._expired_cert = expired_cert
        self._pki = pki
        self._own_pki = False
        self._log_target = log
        self.label = self.name  # names this server in log lines and thread names, e.g. "yeastar pbx03" in a fleet
        self.access_log = AccessLog(None, self.label)
        self.faults = FaultQueue()
        self.recorder = CallRecorder()
        self._server = None
        self._thread = None
        if latency:
            self.faults.add({"kind": "latency", "seconds": latency, "count": None})

    # life cycle

    def start(self):
        """Bind, listen and serve in a background thread; return self."""
        if self._server is not None:
            return self
        context = None
        if self.tls:
            if self._pki is None:
                self._pki = TestPKI(self._ca_out)
                self._own_pki = True
            context = self._pki.server_context(self._cert_hostnames, self._expired_cert)
        self.access_log = AccessLog(self._log_target, self.label)
        self._server = SimHTTPServer(self._bind, self.handler_class, self, context)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="%s-server" % self.label, daemon=True)
        self._thread.start()
        self.access_log.line("listening on %s%s" % (self.base_url, " (CA: %s)" % self.ca_path if self.tls else ""))
        return self

    def stop(self):
        """Stop serving, cut open connections, remove our temporary CA file."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join(5)
        self._server = None
        self._thread = None
        self.access_log.line("stopped")
        self.access_log.close()
        if self._own_pki:
            self._pki.cleanup()
            self._pki = None
            self._own_pki = False

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # where it listens

    @property
    def host(self):
        if self._server is None:
            return self._bind[0]
        return self._server.server_address[0]

    @property
    def port(self):
        if self._server is None:
            return self._bind[1]
        return self._server.server_address[1]

    @property
    def base_url(self):
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "%s://%s:%d" % ("https" if self.tls else "http", host, self.port)

    @property
    def ca_path(self):
        """PEM file of the test CA (None without TLS or before ``start``)."""
        return self._pki.ca_path if self._pki is not None else None

    # counters and faults

    @property
    def counters(self):
        """Calls per endpoint, a copy."""
        return self.recorder.counters

    @property
    def calls(self):
        """The call log, a copy: dicts with endpoint, method, result, client_ip, fault."""
        return self.recorder.calls

    def reset_counters(self):
        """Zero the counters and empty the call log."""
        self.recorder.reset()

    def inject(self, kind, endpoint=None, count=1, **options):
        """Queue a fault (see ``faults``); options: errno, status, seconds, process, body."""
        spec = dict(options, kind=kind, endpoint=endpoint, count=count)
        return self.faults.add(spec).as_dict()

    def clear_faults(self):
        self.faults.clear()

    @property
    def pending_faults(self):
        return self.faults.pending()

    # server hooks

    def endpoint_of(self, path):
        return path.lstrip("/")

    def handle_api(self, method, path, query, body, client_ip):
        raise NotImplementedError

    def admin_routes(self):
        """Map (method, route) to a callable taking the decoded JSON body (or None)."""
        return {
            ("GET", "ping"): lambda body: {"status": "ok", "simulator": self.name},
            ("GET", "counters"): lambda body: self.counters,
            ("GET", "timing"): lambda body: {"seconds": self.recorder.seconds},
            ("GET", "calls"): lambda body: self.calls,
            ("POST", "reset-counters"): self._admin_reset_counters,
            ("GET", "faults"): lambda body: self.pending_faults,
            ("POST", "faults"): self._admin_add_faults,
            ("POST", "clear-faults"): self._admin_clear_faults,
        }

    def handle_admin(self, method, route, body):
        """Answer an admin call: (HTTP status, JSON payload)."""
        routes = self.admin_routes()
        handler = routes.get((method, route.strip("/")))
        if handler is None:
            known = sorted("%s /__sim__/%s" % key for key in routes)
            return 404, {"error": "no such admin call", "known": known}
        data = None
        if body.strip():
            try:
                data = json.loads(body.decode("utf-8"))
            except ValueError:
                return 400, {"error": "the body is not JSON"}
        try:
            return 200, handler(data)
        except (ValueError, KeyError, TypeError) as error:
            return 400, {"error": str(error)}

    def _admin_reset_counters(self, body):
        self.reset_counters()
        return {"status": "ok"}

    def _admin_add_faults(self, body):
        specs = body if isinstance(body, list) else [body]
        faults = [parse_fault(spec) for spec in specs]
        added = [self.faults.add(fault).as_dict() for fault in faults]
        return {"status": "ok", "added": added, "pending": self.pending_faults}

    def _admin_clear_faults(self, body):
        self.clear_faults()
        return {"status": "ok"}
