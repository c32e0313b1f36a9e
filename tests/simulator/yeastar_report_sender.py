# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The background sender of the simulated PBX's reports: one thread, a queue per recipient.

Reports to one recipient (a token, or a BootUp target) leave in the order they were made; one
that did not get HTTP 200 is resent ``retry_interval()`` seconds later and holds back the
later ones of that recipient, so a receiver never sees them out of order. Each attempt opens
its own plain-HTTP connection and is appended to the log (``entries``), which tests can wait on.
One thread serves every recipient: a receiver that accepts but never answers holds the others
back for at most ``SEND_TIMEOUT`` seconds per attempt.

The sender never holds its own lock while it calls back into the API (``is_alive``,
``delivered``), so the API may submit and drop reports while holding the API lock.
"""

from __future__ import annotations

import collections
import http.client
import json
import threading
import time

HEADERS = (("User-Agent", "WebAPI"), ("Content-Type", "application/json"), ("Accept", "application/json"))
SEND_TIMEOUT = 3.0
LOG_LIMIT = 10000


class PendingReport:
    """One report waiting for its next attempt."""

    def __init__(self, target, body, token, max_attempts):
        self.target = target
        self.body = body
        self.token = token
        self.max_attempts = max_attempts
        self.attempt = 0
        self.due = time.monotonic()


class ReportSender:
    """Delivers reports in a daemon thread between ``start`` and ``stop``; submitted reports wait until then."""

    def __init__(self, is_alive, delivered, retry_interval, log_line):
        self._is_alive = is_alive  # token -> bool; None (BootUp) is always alive
        self._delivered = delivered  # token -> None, after a 200
        self._retry_interval = retry_interval
        self._log_line = log_line
        self._cond = threading.Condition()
        self._queues = collections.OrderedDict()  # recipient key -> deque of PendingReport
        self._entries = collections.deque(maxlen=LOG_LIMIT)
        self._attempts = 0
        self._delivered_count = 0
        self._thread = None
        self._stopping = False
        self._connection = None

    # life cycle

    def start(self):
        with self._cond:
            if self._thread is not None:
                return
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="yeastar-reports", daemon=True)
            self._thread.start()

    def stop(self):
        """Stop sending (an attempt under way is cut) and drop what is pending."""
        with self._cond:
            thread, self._thread = self._thread, None
            self._stopping = True
            self._queues.clear()
            connection = self._connection
            self._cond.notify_all()
        if connection is not None and connection.sock is not None:
            try:
                connection.sock.close()
            except OSError:
                pass
        if thread is not None:
            thread.join(SEND_TIMEOUT + 2)

    # what the API calls

    def submit(self, key, target, body, token, max_attempts=None):
        with self._cond:
            self._queues.setdefault(key, collections.deque()).append(PendingReport(target, body, token, max_attempts))
            self._cond.notify_all()

    def drop(self, key):
        """Forget every pending report of one recipient."""
        with self._cond:
            self._queues.pop(key, None)

    def drop_all(self):
        with self._cond:
            self._queues.clear()

    # what tests read

    @property
    def entries(self):
        with self._cond:
            return [dict(entry, body=dict(entry["body"])) for entry in self._entries]

    @property
    def pending(self):
        with self._cond:
            return sum(len(queue) for queue in self._queues.values())

    def clear_log(self):
        with self._cond:
            self._entries.clear()
            self._attempts = 0
            self._delivered_count = 0

    def wait(self, count, timeout, delivered=False):
        """Wait until ``count`` attempts (answered 200 with ``delivered``) are logged since the last
        ``clear_log``; return the log, or raise ``TimeoutError`` saying what arrived."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while (self._delivered_count if delivered else self._attempts) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    what = "delivered reports" if delivered else "report attempts"
                    raise TimeoutError("waited %.1f s for %d %s, got %d: %s" % (
                        timeout, count, what, self._delivered_count if delivered else self._attempts,
                        json.dumps(list(self._entries))))
                self._cond.wait(left)
            return [dict(entry, body=dict(entry["body"])) for entry in self._entries]

    # the thread

    def _run(self):
        while True:
            key, report = self._next_due()
            if report is None:
                return
            if report.token is not None and not self._is_alive(report.token):
                self.drop(key)
                self._log_line("report %s to %s dropped: token gone" % (_name(report.body), _address(report.target)))
                continue
            status, error = self._post(report)
            if status == 200 and report.token is not None:
                self._delivered(report.token)
            self._settle(key, report, status, error)

    def _next_due(self):
        """(key, report) of the head whose attempt is due, waiting for one; (None, None) on stop."""
        with self._cond:
            while not self._stopping:
                heads = [(queue[0].due, key) for key, queue in self._queues.items() if queue]
                if heads:
                    due, key = min(heads, key=lambda item: item[0])
                    left = due - time.monotonic()
                    if left <= 0:
                        return key, self._queues[key][0]
                    self._cond.wait(left)
                else:
                    self._cond.wait()
            return None, None

    def _post(self, report):
        """One attempt on a new connection: (HTTP status, None) or (None, error text)."""
        target = report.target
        data = json.dumps(report.body, separators=(",", ":")).encode("utf-8")
        connection = http.client.HTTPConnection(target.host, target.port, timeout=SEND_TIMEOUT)
        with self._cond:
            if self._stopping:
                return None, "simulator stopped"
            self._connection = connection
        try:
            connection.putrequest("POST", target.path, skip_accept_encoding=True)
            for name, value in HEADERS:
                connection.putheader(name, value)
            connection.putheader("Content-Length", str(len(data)))
            connection.endheaders(data)
            answer = connection.getresponse()
            answer.read()
            return answer.status, None
        except (OSError, http.client.HTTPException) as error:
            return None, "%s: %s" % (type(error).__name__, error)
        finally:
            connection.close()
            with self._cond:
                self._connection = None

    def _settle(self, key, report, status, error):
        """Log the attempt; retire the report after a 200 (or its last attempt), else schedule the next."""
        with self._cond:
            report.attempt += 1
            self._attempts += 1
            self._entries.append({"url": report.target.url, "event": _name(report.body), "body": report.body,
                                  "attempt": report.attempt, "status": status, "error": error})
            finished = status == 200 or (report.max_attempts and report.attempt >= report.max_attempts)
            if status == 200:
                self._delivered_count += 1
            queue = self._queues.get(key)
            if queue and queue[0] is report:
                if finished:
                    queue.popleft()
                    if not queue:
                        del self._queues[key]
                else:
                    report.due = time.monotonic() + self._retry_interval()
            self._cond.notify_all()
        outcome = status if status is not None else error
        self._log_line("report %s to %s attempt %d: %s" % (_name(report.body), _address(report.target), report.attempt, outcome))


def _address(target):
    """host:port of a target; the call log leaves out the path, which may hold a shared secret."""
    return "%s:%d" % (target.host, target.port)


def _name(body):
    return body.get("event") or body.get("action") or "?"
