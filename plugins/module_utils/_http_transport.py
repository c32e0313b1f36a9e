# Copyright (c) voiceops.pbx contributors
# BSD 2-Clause License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
#
# Private to the voiceops.pbx collection: no compatibility promise outside it.

"""One HTTP POST with requests, and the errors every API client of the collection raises.

TLS, timeouts, connection failures and bodies that are not JSON become one-line errors
naming the server and the call; secrets given to post() never appear in them.
"""

from __future__ import annotations

import collections
import json
import os
import ssl
import traceback
import warnings

try:
    import requests
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

try:
    from urllib3.exceptions import NewConnectionError
except ImportError:
    NewConnectionError = None

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

    def run(self, call, where, send, retryable_api_error, write=False):
        """send() until it succeeds. Transport failures are repeated for reads only; an API error
        when retryable_api_error(err) says so. The last failure is raised, saying how often it was tried."""
        attempt = 0
        while True:
            try:
                return send()
            except RetryableTransportError as err:
                if write and not isinstance(err, NotSentError):
                    raise TransportError(err.message + "; the change may or may not have been applied",
                                         where=where, call=call) from None
                if attempt >= self.retries:
                    raise TransportError("%s (after %d retries)" % (err.message, attempt) if attempt else err.message,
                                         where=where, call=call) from None
            except ApiClientError as err:
                if isinstance(err, TransportError) or not retryable_api_error(err) or attempt >= self.retries:
                    raise
            attempt += 1
            self.counts[call] += 1
            self.sleep(self.delay * 2 ** (attempt - 1))


def usage(client):
    """What a task cost, for module results: HTTP requests per endpoint (api_calls) and calls
    repeated per endpoint (retries), of a client with request_counts and retry_counts; None: nothing."""
    if client is None:
        return {"api_calls": {}, "retries": {}}
    return {"api_calls": dict(client.request_counts),
            "retries": {endpoint: count for endpoint, count in client.retry_counts.items() if count}}


def check_tls_options(validate_certs, ca_path, where):
    """The requests 'verify' value for the TLS options; a ca_path that cannot be read is an error."""
    if not validate_certs:
        return False
    if ca_path:
        if not os.access(ca_path, os.R_OK):
            raise ApiClientError("ca_path: %s is not a readable file" % ca_path, where=where)
        return ca_path
    return True


def new_session():
    if not HAS_REQUESTS:
        raise ApiClientError("the Python library 'requests' is required")
    return requests.Session()


def post(session, url, call, where, verify, timeout, secrets=(), **request):
    """POST and decode a JSON object answer. verify is passed on each request, so that
    REQUESTS_CA_BUNDLE cannot override ca_path or validate_certs."""
    try:
        with warnings.catch_warnings():
            if verify is False:
                warnings.simplefilter("ignore")
            response = session.post(url, verify=verify, timeout=timeout, **request)
            status, text = response.status_code, response.text
    except requests.exceptions.SSLError as exc:
        raise TLSVerificationError(_tls_message(exc), where=where, call=call) from None
    except requests.exceptions.ConnectTimeout:
        raise NotSentError("connection failed before the request was sent: no connection within %s seconds (timeout)"
                           % timeout, where=where, call=call) from None
    except requests.exceptions.Timeout:
        raise RetryableTransportError("no answer within %s seconds (timeout)" % timeout, where=where, call=call) from None
    except requests.exceptions.RequestException as exc:
        if _never_connected(exc):
            raise NotSentError("connection failed before the request was sent: %s" % scrub(_root_cause(exc), secrets),
                               where=where, call=call) from None
        raise RetryableTransportError("connection failed: %s" % scrub(_root_cause(exc), secrets),
                                      where=where, call=call) from None
    except OSError as exc:
        raise TransportError("request failed: %s" % scrub(str(exc), secrets), where=where, call=call) from None
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


def _never_connected(exc):
    """Whether a requests failure happened while connecting, before any byte of the request left."""
    seen = exc
    while seen is not None:
        if NewConnectionError is not None and isinstance(seen, NewConnectionError):
            return True
        inner = getattr(seen, "reason", None) or seen.__context__
        if inner is seen:
            break
        seen = inner
    return False


def _root_cause(exc):
    """The innermost readable reason of a requests exception."""
    seen = exc
    while True:
        inner = getattr(seen, "reason", None) or seen.__context__
        if inner is None or inner is seen:
            break
        seen = inner
    text = str(seen)
    return text if text else type(seen).__name__


def _tls_message(exc):
    reason = None
    seen = exc
    while seen is not None and reason is None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            reason = seen.verify_message or str(seen)
        for candidate in getattr(seen, "args", ()):
            if isinstance(candidate, ssl.SSLCertVerificationError):
                reason = candidate.verify_message or str(candidate)
        seen = getattr(seen, "reason", None) or seen.__context__
    reason = reason or _root_cause(exc)
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
