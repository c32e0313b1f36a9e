# Copyright (c) voiceops.pbx contributors
# BSD 2-Clause License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
#
# Private to the voiceops.pbx collection: no compatibility promise outside it.

"""One HTTP POST over the standard library's http.client, and the errors every API client
of the collection raises.

TLS, timeouts, connection failures and bodies that are not JSON become one-line errors
naming the server and the call; secrets given to post() never appear in them.
No third-party library: a module process starts faster without one, and an execution
environment needs nothing beyond Python.
"""

from __future__ import annotations

import codecs
import collections
import http.client
import json
import os
import select
import socket
import ssl
import time
from urllib.parse import urlencode, urlsplit

MASK = "********"


class ApiClientError(Exception):
    """Any failure talking to an API: names the server (where) and the call."""

    def __init__(self, message, where=None, call=None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.call = call

    def __str__(self):
        parts = [part for part in (self.where, "call %s" % self.call if self.call else None) if part]
        return "%s: %s" % (", ".join(parts), self.message) if parts else self.message


class TransportError(ApiClientError):
    """The request got no usable answer: connection, timeout, HTTP status or body."""


class RetryableTransportError(TransportError):
    """A transport failure after which repeating a read is safe."""


class NotSentError(RetryableTransportError):
    """No connection could be made, so the request was never sent: safe to repeat, writes included."""


class TLSVerificationError(TransportError):
    """The server's certificate could not be verified."""


class Retry:
    """Bounded retries with exponential backoff, counted per call."""

    def __init__(self, retries, delay, sleep):
        self.retries = retries
        self.delay = delay
        self.sleep = sleep
        self.counts = collections.Counter()

    def run(self, call, where, send, retryable_api_error, write=False, unsent_only=None):
        """send() until it succeeds. Transport failures are repeated for reads only; an API error
        when retryable_api_error(err) says so. The last failure is raised, saying how often it was tried.

        A write, or a call given unsent_only (why it must not reach the server twice), is repeated
        after a transport failure only when the request was certainly not sent."""
        attempt = 0
        while True:
            try:
                return send()
            except RetryableTransportError as err:
                if (write or unsent_only) and not isinstance(err, NotSentError):
                    why = unsent_only or "the change may or may not have been applied"
                    raise TransportError("%s; %s" % (err.message, why), where=where, call=call) from None
                if attempt >= self.retries:
                    raise TransportError("%s (after %d retries)" % (err.message, attempt) if attempt else err.message,
                                         where=where, call=call) from None
            except ApiClientError as err:
                if isinstance(err, TransportError) or not retryable_api_error(err) or attempt >= self.retries:
                    raise
            attempt += 1
            self.counts[call] += 1
            self.sleep(self.delay * 2 ** (attempt - 1))


class ApiClient:
    """What every API client of the collection shares: the TLS options, the timeout, bounded
    retries, one HTTP session, and the HTTP requests sent and repeated per call (for usage()).

    A subclass names its server in where and ends its API session in logout(); leaving a
    `with client:` block logs out (also when the block raised) and closes the connections.
    """

    def __init__(self, where, validate_certs=True, ca_path=None, timeout=30, retries=3, retry_delay=1.0,
                 session=None, sleep=time.sleep):
        self.where = where
        self._verify = check_tls_options(validate_certs, ca_path, where)
        self._timeout = timeout
        self._retry = Retry(retries, retry_delay, sleep)
        self._session = session or new_session()
        self.request_counts = collections.Counter()
        # Calls repeated per call name: after a transient failure, or after a new login.
        self.retry_counts = self._retry.counts

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.logout()
        close_connections(self._session)

    def logout(self):
        raise NotImplementedError

    @property
    def requests_sent(self):
        """Number of HTTP requests this client sent, all calls together."""
        return sum(self.request_counts.values())

    def _post(self, url, call, secrets, **request):
        """One counted POST (see post())."""
        self.request_counts[call] += 1
        return post(self._session, url, call, self.where, self._verify, self._timeout, secrets=secrets, **request)


def usage(client):
    """What a task cost, for module results: HTTP requests per endpoint (api_calls) and calls
    repeated per endpoint (retries), of a client with request_counts and retry_counts; None: nothing."""
    if client is None:
        return {"api_calls": {}, "retries": {}}
    return {"api_calls": dict(client.request_counts),
            "retries": {endpoint: count for endpoint, count in client.retry_counts.items() if count}}


def check_tls_options(validate_certs, ca_path, where):
    """The verify value for the TLS options: False, True or ca_path (a PEM file, or a directory of
    hashed CA certificates). A ca_path that cannot be read or holds no certificate is an error."""
    if not validate_certs:
        return False
    if ca_path:
        if not os.access(ca_path, os.R_OK):
            raise ApiClientError("ca_path: %s is not a readable file" % ca_path, where=where)
        try:
            tls_context(ca_path)
        except (ssl.SSLError, OSError) as exc:
            raise ApiClientError("ca_path: %s holds no usable PEM certificate (%s)" % (ca_path, getattr(exc, "reason", None) or exc),
                                 where=where) from None
        return ca_path
    return True


def tls_context(verify):
    """An SSL context for a verify value (see check_tls_options)."""
    context = ssl.create_default_context()
    if verify is False:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif verify is not True:
        context = ssl.create_default_context(capath=verify) if os.path.isdir(verify) else ssl.create_default_context(cafile=verify)
    return context


def new_session():
    return HttpSession()


def close_connections(session):
    """Close a session's connections, if it keeps any."""
    close = getattr(session, "close", None)
    if close is not None:
        close()


class Answer:
    """An HTTP answer: status code and body text."""

    def __init__(self, status_code, text):
        self.status_code = status_code
        self.text = text


class _NotSent(Exception):
    """Connecting failed: no byte of the request left this machine."""


class _NoAnswer(Exception):
    """The request may have reached the server, but no complete answer came back."""


class HttpSession:
    """Keep-alive connections, one per server, reused call after call (one API session
    is one connection). A connection the server has closed while idle is replaced before
    the next request is written, so that a write is never sent into a dead connection."""

    def __init__(self):
        self._connections = {}
        self._contexts = {}

    def post(self, url, verify=True, timeout=30, params=None, json=None, data=None):  # pylint: disable=redefined-outer-name
        parts = urlsplit(url)
        path = parts.path or "/"
        if params:
            path += "?" + urlencode({key: value for key, value in params.items() if value is not None})
        if json is not None:
            body, content_type = _json_dumps(json), "application/json"
        else:
            body, content_type = urlencode(data or {}), "application/x-www-form-urlencoded"
        headers = {"Content-Type": content_type, "Accept": "application/json", "User-Agent": "voiceops.pbx"}
        connection = self._connection(parts, verify, timeout)
        try:
            connection.request("POST", path, body=body.encode("utf-8"), headers=headers)
            response = connection.getresponse()
            payload = response.read()
        except (http.client.HTTPException, OSError) as exc:
            self._drop(parts)
            if isinstance(exc, ssl.SSLError) and not isinstance(exc, ssl.SSLEOFError):
                raise
            raise _NoAnswer(exc) from None
        if response.will_close:
            self._drop(parts)
        return Answer(response.status, payload.decode(_charset(response), errors="replace"))

    def close(self):
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()

    def _connection(self, parts, verify, timeout):
        key = (parts.scheme, parts.netloc, verify)
        connection = self._connections.get(key)
        if connection is not None and _closed_by_server(connection):
            self._drop(parts)
            connection = None
        if connection is None:
            port = parts.port
            if parts.scheme == "https":
                connection = http.client.HTTPSConnection(parts.hostname, port, timeout=timeout, context=self._context(verify))
            else:
                connection = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
            try:
                connection.connect()
            except ssl.SSLError:
                connection.close()
                raise
            except OSError as exc:
                connection.close()
                raise _NotSent(exc) from None
            self._connections[key] = connection
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        return connection

    def _drop(self, parts):
        for key in [key for key in self._connections if key[:2] == (parts.scheme, parts.netloc)]:
            self._connections.pop(key).close()

    def _context(self, verify):
        context = self._contexts.get(verify)
        if context is None:
            context = self._contexts[verify] = tls_context(verify)
        return context


def _json_dumps(value):
    return json.dumps(value, separators=(",", ":"))


def _charset(response):
    charset = response.headers.get_content_charset() or "utf-8"
    try:
        codecs.lookup(charset)
    except LookupError:
        return "utf-8"
    return charset


def _closed_by_server(connection):
    """An idle keep-alive connection that has turned readable was closed (or spoken to) by the server."""
    sock = connection.sock
    if sock is None:
        return True
    try:
        readable, _writable, _failed = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def post(session, url, call, where, verify, timeout, secrets=(), **request):
    """POST and decode a JSON object answer: a json= body, or data= form fields; params= go
    into the query string."""
    try:
        response = session.post(url, verify=verify, timeout=timeout, **request)
        status, text = response.status_code, response.text
    except ssl.SSLError as exc:
        raise TLSVerificationError(_tls_message(exc), where=where, call=call) from None
    except _NotSent as exc:
        raise NotSentError("connection failed before the request was sent: %s" % scrub(_reason(exc.args[0], timeout), secrets),
                           where=where, call=call) from None
    except _NoAnswer as exc:
        cause = exc.args[0]
        if isinstance(cause, (socket.timeout, TimeoutError)):
            raise RetryableTransportError("no answer within %s seconds (timeout)" % timeout, where=where, call=call) from None
        raise RetryableTransportError("connection failed: %s" % scrub(_reason(cause, timeout), secrets),
                                      where=where, call=call) from None
    if status >= 500:
        raise RetryableTransportError("HTTP status %s" % status, where=where, call=call)
    if status != 200:
        raise TransportError("HTTP status %s (is this the right URL, port and API version?)" % status, where=where, call=call)
    try:
        answer = json.loads(text)
    except ValueError:
        raise RetryableTransportError("the answer is not valid JSON (%d bytes, possibly truncated)" % len(text),
                                      where=where, call=call) from None
    if not isinstance(answer, dict):
        raise RetryableTransportError("the answer is JSON but not an object", where=where, call=call)
    return answer


def scrub(text, secrets):
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text


def _reason(exc, timeout):
    """A failure of the socket layer in words."""
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "no connection within %s seconds (timeout)" % timeout
    if isinstance(exc, socket.gaierror):
        return "the name could not be resolved (%s)" % (exc.strerror or exc)
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(exc, http.client.IncompleteRead):
        return "the server closed the connection in the middle of the answer"
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return text or type(exc).__name__


def _tls_message(exc):
    if not isinstance(exc, ssl.SSLCertVerificationError):
        return ("TLS handshake failed (%s). Is this the server's HTTPS port? A lab PBX without HTTPS needs scheme: http."
                % (getattr(exc, "reason", None) or exc))
    reason = exc.verify_message or str(exc)
    if "mismatch" in reason:
        advice = "Connect with the name or address the certificate was issued for, or give the server a certificate for this one"
    elif "expired" in reason:
        advice = ("The server's certificate is out of its validity period: renew it on the server "
                  "(or correct this machine's clock if it is wrong)")
    else:
        advice = "If the server uses a self-signed certificate or its own CA, set ca_path to that CA's PEM file"
    return (
        "TLS certificate verification failed (%s). %s; validate_certs: false turns verification off "
        "and exposes the credentials to anyone on the path." % (reason, advice)
    )
