# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A fleet of simulated Yeastar PBXes in one process: one port each, one test CA for all.

In-process use (pytest)::

    with YeastarFleet(20, extensions=50, per_pbx={"pbx03": {"password": "Other@123"}}) as fleet:
        for pbx in fleet.pbxes:   # {"name", "host", "port", "base_url", "api_username", "api_password", "ca_path"}
            ...
        fleet["pbx03"].inject("errno", endpoint="login", errno="20003")
        assert fleet.counters == {"login": 20}

Every PBX is a full ``YeastarSimulator`` with its own extensions, tokens, lockouts, settings,
faults, counters and report sender; only the test CA and the server certificate are shared, so
one CA file verifies them all and starting 50 costs little more than binding 50 sockets.
"""

from __future__ import annotations

from .tls import TestPKI
from .yeastar import YeastarSimulator

DEFAULT_SN = "369451090405"


def fleet_names(count, prefix="pbx"):
    """``pbx01`` .. ``pbxNN``: numbered from 1, zero-padded to at least two digits."""
    width = max(2, len(str(count)))
    return ["%s%0*d" % (prefix, width, index) for index in range(1, count + 1)]


def fleet_serial(index, sn=DEFAULT_SN):
    """A serial number per PBX (reports carry it): ``sn`` plus the PBX's index, as many digits as ``sn``."""
    if not sn.isdigit():
        return "%s-%d" % (sn, index + 1)
    return "%0*d" % (len(sn), int(sn) + index)


class YeastarFleet:
    """``count`` simulated PBXes (or one per name in ``names``) on ``host``.

    ``first_port``: 0 lets each PBX take a free port, N gives them N, N+1, ... in name order.
    ``common``: ``YeastarSimulator`` options every PBX gets (e.g. ``extensions=500``,
    ``password=...``, ``update_rate="3/1"``); ``per_pbx``: ``{name: options}`` laid over them for
    one PBX (e.g. its own ``password``, ``extensions``, ``first_extension`` or ``token_lifetime``).
    ``distinct_passwords``: unless a PBX's options name a password, its API password is the
    common one followed by its name (``Yeastar@123pbx01``), so credentials cannot be swapped
    unnoticed. Each PBX's reports carry its own serial number: the common ``sn`` plus its index,
    unless ``per_pbx`` names one. Log lines (``log=``) name the PBX: ``yeastar pbx03 ...``.
    ``ca_path``: where to write the shared test CA (default: a temporary file removed by ``stop``).
    """

    def __init__(self, count=None, names=None, host="127.0.0.1", first_port=0, per_pbx=None, distinct_passwords=False,
                 ca_path=None, tls=True, prefix="pbx", **common):
        if names is None:
            if count is None or count < 1:
                raise ValueError("a fleet needs a count of at least 1 or a list of names")
            names = fleet_names(count, prefix)
        names = [str(name) for name in names]
        if not names or len(set(names)) != len(names):
            raise ValueError("fleet names must be unique and not empty")
        unknown = set(per_pbx or {}) - set(names)
        if unknown:
            raise ValueError("per_pbx names PBXes not in the fleet: %s" % ", ".join(sorted(unknown)))
        self.names = names
        self.host = host
        self.tls = tls
        self._first_port = first_port
        self._per_pbx = dict(per_pbx or {})
        self._distinct_passwords = distinct_passwords
        self._common = common
        self._ca_out = ca_path
        self.pki = None
        self._sims = {}

    # life cycle

    def start(self):
        """Create the shared CA, then build and start every PBX; on any failure stop those started and raise."""
        if self._sims:
            return self
        try:
            if self.tls:
                self.pki = TestPKI(self._ca_out)
            for index, name in enumerate(self.names):
                sim = YeastarSimulator(**self._options(index, name))
                sim.label = "%s %s" % (sim.name, name)
                self._sims[name] = sim
                sim.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        """Stop every PBX, then remove the temporary CA file."""
        sims, self._sims = self._sims, {}
        for sim in sims.values():
            sim.stop()
        if self.pki is not None:
            self.pki.cleanup()
            self.pki = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def _options(self, index, name):
        options = dict(self._common)
        options["sn"] = fleet_serial(index, options.get("sn", DEFAULT_SN))
        if self._distinct_passwords:
            options["password"] = options.get("password", "Yeastar@123") + name
        options.update(self._per_pbx.get(name, {}))
        port = self._first_port + index if self._first_port else 0
        options.update(host=self.host, port=port, tls=self.tls, pki=self.pki)
        return options

    # the PBXes

    def __getitem__(self, name):
        return self._sims[name]

    def __iter__(self):
        return iter(self._sims.values())

    def __len__(self):
        return len(self.names)

    def items(self):
        """(name, simulator) pairs in name order."""
        return list(self._sims.items())

    @property
    def ca_path(self):
        """The PEM file of the CA every PBX's certificate chains to (None without TLS or before ``start``)."""
        return self.pki.ca_path if self.pki is not None else None

    @property
    def pbxes(self):
        """What a client needs per PBX: [{"name", "host", "port", "base_url", "api_username", "api_password", "ca_path"}]."""
        return [{"name": name, "host": sim.host, "port": sim.port, "base_url": sim.base_url,
                 "api_username": sim.api_username, "api_password": sim.api_password, "ca_path": sim.ca_path}
                for name, sim in self._sims.items()]

    # counters and faults across the fleet

    @property
    def counters(self):
        """Calls per endpoint, summed over every PBX."""
        total = {}
        for sim in self._sims.values():
            for endpoint, count in sim.counters.items():
                total[endpoint] = total.get(endpoint, 0) + count
        return total

    @property
    def counters_by_pbx(self):
        """{name: calls per endpoint} of every PBX."""
        return {name: sim.counters for name, sim in self._sims.items()}

    def reset_counters(self):
        for sim in self._sims.values():
            sim.reset_counters()

    def clear_faults(self):
        for sim in self._sims.values():
            sim.clear_faults()
