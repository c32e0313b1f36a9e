# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A throw-away test CA (trustme) and the server certificates it signs."""

from __future__ import annotations

import datetime
import os
import shutil
import ssl
import tempfile

DEFAULT_HOSTNAMES = ("localhost", "127.0.0.1")


class TestPKI:
    """One test CA per process run; its PEM goes to ``ca_path`` for clients to trust.

    Several simulators in one run may share one instance, so a client trusts them all
    with a single CA file.
    """

    __test__ = False  # not a pytest test class despite the name

    def __init__(self, ca_path=None):
        import trustme  # only needed when TLS is on

        self._ca = trustme.CA(organization_name="voiceops.pbx simulator test CA")
        self._contexts = {}  # (hostnames, expired) -> ssl.SSLContext, shared by the servers asking for it
        self._tmpdir = None
        if ca_path is None:
            self._tmpdir = tempfile.mkdtemp(prefix="pbx-sim-ca-")
            ca_path = os.path.join(self._tmpdir, "ca.pem")
        else:
            ca_path = os.path.abspath(ca_path)
            parent = os.path.dirname(ca_path)
            if parent:
                os.makedirs(parent, exist_ok=True)
        self._ca.cert_pem.write_to_path(ca_path)
        self.ca_path = ca_path

    def server_context(self, hostnames=None, expired=False):
        """Return an ``ssl.SSLContext`` serving a certificate for ``hostnames``; servers asking for the
        same names share one certificate and context, so a fleet of simulators starts cheaply.

        ``expired`` issues a certificate whose validity ended yesterday.
        """
        key = (tuple(hostnames or DEFAULT_HOSTNAMES), bool(expired))
        if key not in self._contexts:
            self._contexts[key] = self._new_context(*key)
        return self._contexts[key]

    def _new_context(self, names, expired):
        kwargs = {}
        if expired:
            now = datetime.datetime.now(datetime.timezone.utc)
            kwargs["not_before"] = now - datetime.timedelta(days=30)
            kwargs["not_after"] = now - datetime.timedelta(days=1)
        cert = self._ca.issue_cert(*names, **kwargs)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        return context

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.cleanup()

    def cleanup(self):
        """Remove the CA file when it lives in a temporary directory of ours."""
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None
