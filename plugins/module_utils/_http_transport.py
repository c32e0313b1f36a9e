# Copyright (c) voiceops.pbx contributors
# BSD 2-Clause License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
#
# Private to the voiceops.pbx collection: no compatibility promise outside it.

"""One HTTP POST over the standard library's http.client, and the errors every API client
of the collection raises.

TLS, timeouts, connection failures and bodies that are not JSON become one-line errors
naming the server and the call; secrets given to post() never appear in them. The timeout is a
deadline for the whole request: name resolution, connect, TLS handshake, sending, and the whole
answer, so that a server that answers one byte at a time cannot hold a task. Through an HTTP proxy
(see _http_proxy) the same deadline covers reaching the proxy and its CONNECT answer too.
No third-party library: a module process starts faster without one, and an execution
environment needs nothing beyond Python.
"""

from __future__ import annotations

import codecs
import collections
import http.client
import io
import ipaddress
import json
import os
import select
import socket
import ssl
import threading
import time
from urllib.parse import urlencode, urlsplit

from ansible_collections.voiceops.pbx.plugins.module_utils._http_proxy import ProxyError, choose_proxy

MASK = "********"
PROXY_REFUSALS = (403, 407)


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


class ProxyRefusedError(NotSentError):
    """The proxy refused the tunnel or the request (403, 407): nothing reached the server, and repeating cannot help."""


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
            except ProxyRefusedError:
                raise
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

    A subclass names its server in where and its URL in url (which decides the proxy, if any: proxy_url,
    else the environment's, none with use_proxy false), and ends its API session in logout(); leaving a
    `with client:` block logs out (also when the block raised) and closes the connections.
    """

    def __init__(self, where, url=None, validate_certs=True, ca_path=None, timeout=30, retries=3, retry_delay=1.0,
                 session=None, sleep=time.sleep, proxy_url=None, use_proxy=True):
        self.where = where
        self._verify = check_tls_options(validate_certs, ca_path, where)
        try:
            self._proxy = choose_proxy(url, proxy_url, use_proxy) if url else None
        except ProxyError as err:
            raise ApiClientError(str(err), where=where) from None
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
        return post(self._session, url, call, self.where, self._verify, self._timeout, secrets=secrets, proxy=self._proxy,
                    **request)


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
    """An SSL context for a verify value (see check_tls_options). The system trust store is loaded only
    where it is used: loading it costs a module process about 15 ms."""
    if verify is True:
        return ssl.create_default_context()
    if verify is False:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(capath=verify) if os.path.isdir(verify) else ssl.create_default_context(cafile=verify)


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
    """Connecting failed: no byte of the request left this machine. Args: the cause, and what failed
    when it was not the connection to the server itself (reaching the proxy, its tunnel), or None."""


class _ProxyRefused(Exception):
    """The proxy answered the CONNECT (or a plain http request) with a refusal. Args: status, reason, target."""


class _NoAnswer(Exception):
    """The request may have reached the server, but no complete answer came back."""


class HttpSession:
    """Keep-alive connections, one per server, reused call after call (one API session
    is one connection). A connection the server has closed while idle is replaced before
    the next request is written, so that a write is never sent into a dead connection.

    Through a proxy, https goes through a CONNECT tunnel, opened once per connection (the TLS handshake
    and the certificate check are with the server, inside it); plain http is sent to the proxy as an
    absolute-URI request, as browsers and curl do, which proxies allow on more ports than CONNECT.

    Every request has a deadline, timeout seconds after it starts: each blocking step of it
    (connecting, the TLS handshake, sending, every read of the answer) may only wait for what
    is left of that time."""

    def __init__(self):
        self._connections = {}
        self._contexts = {}

    def post(self, url, verify=True, timeout=30, proxy=None, params=None, json=None, data=None):  # pylint: disable=redefined-outer-name
        deadline = Deadline(timeout)
        parts = urlsplit(url)
        path = parts.path or "/"
        if params:
            path += "?" + urlencode({key: value for key, value in params.items() if value is not None})
        if json is not None:
            body, content_type = _json_dumps(json), "application/json"
        else:
            body, content_type = urlencode(data or {}), "application/x-www-form-urlencoded"
        headers = {"Content-Type": content_type, "Accept": "application/json", "User-Agent": "voiceops.pbx"}
        forwarded = proxy is not None and parts.scheme == "http"
        if forwarded:
            path = "http://%s%s" % (parts.netloc, path)
            headers.update(proxy.headers())
        connection = self._connection(parts, verify, deadline, proxy)
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
        if forwarded and response.status in PROXY_REFUSALS:
            self._drop(parts)
            raise _ProxyRefused(response.status, response.reason, parts.netloc)
        return Answer(response.status, payload.decode(_charset(response), errors="replace"))

    def close(self):
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()

    def _connection(self, parts, verify, deadline, proxy):
        key = (parts.scheme, parts.netloc, verify, proxy.key if proxy else None)
        connection = self._connections.get(key)
        if connection is not None and _closed_by_server(connection):
            self._drop(parts)
            connection = None
        if connection is None:
            connection = self._connect(parts, verify, deadline, proxy)
            self._connections[key] = connection
        connection.sock.deadline = deadline
        return connection

    def _connect(self, parts, verify, deadline, proxy):
        """A new connection, its socket connected (through the proxy's tunnel, for https through a proxy)
        and the TLS handshake done, within the deadline."""
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(parts.hostname, parts.port, context=self._context(verify))
        else:
            connection = http.client.HTTPConnection(parts.hostname, parts.port)
        if proxy is None:
            try:
                sock = open_socket(connection.host, connection.port, deadline)
            except OSError as exc:
                raise _NotSent(exc, None) from None
        else:
            try:
                sock = open_socket(proxy.host, proxy.port, deadline)
            except OSError as exc:
                raise _NotSent(exc, "the proxy %s could not be reached" % proxy) from None
            if parts.scheme == "https":
                sock = open_tunnel(sock, parts.netloc, proxy, deadline)
        if parts.scheme == "https":
            try:
                sock.settimeout(deadline.remaining())
                sock = self._context(verify).wrap_socket(sock, server_hostname=connection.host)
            except ssl.SSLError:
                sock.close()
                raise
            except OSError as exc:
                sock.close()
                raise _NotSent(exc, "through the proxy %s" % proxy if proxy else None) from None
        connection.sock = DeadlineSocket(sock, deadline)
        return connection

    def _drop(self, parts):
        for key in [key for key in self._connections if key[:2] == (parts.scheme, parts.netloc)]:
            self._connections.pop(key).close()

    def _context(self, verify):
        context = self._contexts.get(verify)
        if context is None:
            context = self._contexts[verify] = tls_context(verify)
        return context


def open_tunnel(sock, target, proxy, deadline):
    """Ask the proxy connected to by sock for a tunnel to target (host:port), within the deadline;
    returns sock, now a byte pipe to target. A refusal raises _ProxyRefused, any other failure _NotSent."""
    request = ["CONNECT %s HTTP/1.1" % target, "Host: %s" % target]
    request += ["%s: %s" % header for header in proxy.headers().items()]
    timed = DeadlineSocket(sock, deadline)
    try:
        timed.sendall(("\r\n".join(request) + "\r\n\r\n").encode("latin-1"))
        answer = http.client.HTTPResponse(timed, method="CONNECT")
        answer.begin()
        status, reason = answer.status, answer.reason
        answer.close()
    except (http.client.HTTPException, OSError) as exc:
        sock.close()
        raise _NotSent(exc, "the proxy %s did not open a tunnel to %s" % (proxy, target)) from None
    if not 200 <= status < 300:
        sock.close()
        raise _ProxyRefused(status, reason, target)
    return sock


class Deadline:
    """The moment a request must be over by, timeout seconds after it started."""

    def __init__(self, timeout, clock=time.monotonic):
        self._clock = clock
        self._end = clock() + timeout

    def remaining(self):
        """Seconds left; TimeoutError once there are none."""
        left = self._end - self._clock()
        if left <= 0:
            raise TimeoutError("the deadline of the request has passed")
        return left


class DeadlineSocket:
    """A connected socket (plain or TLS) whose blocking calls wait at most until the deadline of
    the request under way; http.client only sends with sendall() and reads through makefile()."""

    def __init__(self, sock, deadline):
        self._sock = sock
        self.deadline = deadline

    def __getattr__(self, name):
        return getattr(self._sock, name)

    def arm(self):
        """Give the next blocking call only the time left."""
        self._sock.settimeout(self.deadline.remaining())

    def sendall(self, data, *flags):
        self.arm()
        return self._sock.sendall(data, *flags)

    def makefile(self, mode="rb", buffering=None, **_options):
        if mode != "rb":
            raise ValueError("only binary reading is supported")
        # The socket's own unbuffered reader keeps the socket open for the answer even after
        # http.client closes a connection the server will close (Connection: close).
        raw = self._sock.makefile("rb", buffering=0)
        return io.BufferedReader(_DeadlineReader(self, raw), buffering or io.DEFAULT_BUFFER_SIZE)


class _DeadlineReader(io.RawIOBase):
    """Reads of a socket, each waiting only for the time left before the deadline."""

    def __init__(self, deadline_socket, raw):
        super().__init__()
        self._deadline_socket = deadline_socket
        self._raw = raw

    def readable(self):
        return True

    def readinto(self, buffer):
        self._deadline_socket.arm()
        return self._raw.readinto(buffer)

    def close(self):
        if not self.closed:
            self._raw.close()
        super().close()


def open_socket(host, port, deadline):
    """A TCP connection to host:port made within the deadline, trying each address of the name in turn."""
    error = OSError("the name %s has no address" % host)
    for family, kind, protocol, _canonical_name, address in resolve(host, port, deadline):
        sock = socket.socket(family, kind, protocol)
        try:
            sock.settimeout(deadline.remaining())
            sock.connect(address)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    raise error


def resolve(host, port, deadline):
    """getaddrinfo() within the deadline: a name server that never answers must not hold the request.
    The look-up runs in a thread of its own, since getaddrinfo() itself cannot be given a timeout."""
    if _is_ip_address(host):
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    outcome = []

    def look_up():
        try:
            outcome.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=look_up, name="resolve %s" % host, daemon=True)
    worker.start()
    worker.join(deadline.remaining())
    if not outcome:
        raise TimeoutError("the name %s was not resolved in time" % host)
    if isinstance(outcome[0], OSError):
        raise outcome[0]
    return outcome[0]


def _is_ip_address(host):
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


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


def post(session, url, call, where, verify, timeout, secrets=(), proxy=None, **request):
    """POST and decode a JSON object answer: a json= body, or data= form fields; params= go
    into the query string. With a proxy (a Proxy, see _http_proxy), through it."""
    try:
        response = session.post(url, verify=verify, timeout=timeout, proxy=proxy, **request)
        status, text = response.status_code, response.text
    except ssl.SSLError as exc:
        raise TLSVerificationError(_tls_message(exc), where=where, call=call) from None
    except _NotSent as exc:
        cause, failed = exc.args
        reason = scrub(_reason(cause, timeout), secrets)
        raise NotSentError("connection failed before the request was sent: %s" % ("%s: %s" % (failed, reason) if failed else reason),
                           where=where, call=call) from None
    except _ProxyRefused as exc:
        raise ProxyRefusedError(_refusal_message(proxy, *exc.args), where=where, call=call) from None
    except _NoAnswer as exc:
        cause = exc.args[0]
        if isinstance(cause, (socket.timeout, TimeoutError)):
            raise RetryableTransportError("no answer within %s seconds (timeout)" % timeout, where=where, call=call) from None
        raise RetryableTransportError("connection failed: %s" % scrub(_reason(cause, timeout), secrets),
                                      where=where, call=call) from None
    through = " (through the proxy %s)" % proxy if proxy else ""
    if status >= 500:
        raise RetryableTransportError("HTTP status %s%s" % (status, through), where=where, call=call)
    if status != 200:
        raise TransportError("HTTP status %s%s (is this the right URL, port and API version?)" % (status, through),
                             where=where, call=call)
    try:
        answer = json.loads(text)
    except ValueError:
        raise RetryableTransportError("the answer is not valid JSON (%d bytes, possibly truncated)" % len(text),
                                      where=where, call=call) from None
    if not isinstance(answer, dict):
        raise RetryableTransportError("the answer is JSON but not an object", where=where, call=call)
    return answer


def _refusal_message(proxy, status, reason, target):
    """Why nothing reached target: the proxy refused, in its words, and what to do."""
    message = "the request was not sent: the proxy %s refused the connection to %s with HTTP %s %s" % (proxy, target, status, reason)
    if status == 407 and proxy.has_credentials:
        return message + "; it did not accept the credentials in the proxy URL (%s)" % proxy.source
    if status == 407:
        return message + ("; it wants credentials: give them in the proxy URL (%s), as in http://user:password@host:port"
                          % proxy.source)
    direct = "use_proxy: false" if proxy.source == "proxy_url" else "no_proxy, or use_proxy: false"
    return message + ("; its rules do not let this machine reach the server: ask its administrator, or go direct "
                      "(%s) if the server can be reached without it" % direct)


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
