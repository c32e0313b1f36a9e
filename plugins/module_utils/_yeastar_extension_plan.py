# Copyright (c) voiceops.pbx contributors
# BSD 2-Clause License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
#
# Private to the voiceops.pbx collection: no compatibility promise outside it.

"""From task parameters to the extension updates that are needed, and their outcome.

parameters -> requests (checked) -> one batched read -> plan -> updates -> result.
"""

from __future__ import annotations

from ansible_collections.voiceops.pbx.plugins.module_utils._http_transport import ApiClientError
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_extensions import (
    parse_extension_number,
    query_extensions,
)
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_settings import (
    after_problems,
    applied,
    blank_problems,
    changed_options,
    desired_settings,
    masked,
    problems,
    settings_from_answer,
    update_body,
)

NOT_CREATABLE = "the v1 API cannot create extensions: add it on the PBX first"


class Request:
    """One extension as a task asks for it."""

    def __init__(self, label, number, new_number, desired):
        self.label = label
        self.number = number
        self.new_number = new_number if new_number != number else None
        self.desired = desired


def read_requests(params):
    """The checked requests of a task, and every problem found in its parameters."""
    if params.get("extensions") is None:
        items, shared = [("", params)], {}
    else:
        items = [("extensions[%d]: " % index, item) for index, item in enumerate(params["extensions"])]
        shared = desired_settings(params)
    requests, found, seen = [], [], {}
    for label, item in items:
        desired = dict(shared, **desired_settings(item))
        found.extend(problems(desired, label))
        try:
            number = parse_extension_number(item["extension"], label + "extension")
            new_number = None
            if item.get("new_extension") is not None:
                new_number = parse_extension_number(item["new_extension"], label + "new_extension")
        except ValueError as err:
            found.append(str(err))
            continue
        request = Request(label, number, new_number, desired)
        for claimed in (request.number, request.new_number):
            if claimed is not None and claimed in seen:
                found.append("%sextension %s is already named by %s" % (label, claimed, seen[claimed] or "another item"))
            seen.setdefault(claimed, label.rstrip(": "))
        requests.append(request)
    return requests, found


class Change:
    """What one extension needs: the update body, or nothing."""

    def __init__(self, request, number, current):
        self.number = number
        self.renumber_to = request.new_number if request.new_number and number == request.number else None
        self.options = changed_options(request.desired, current)
        self.before = current
        self.after = applied(current, request.desired, self.options)
        self.body = update_body(number, request.desired, self.options, self.renumber_to)
        self.outcome = "unchanged"
        self.error = None
        self.errno = None

    @property
    def needed(self):
        return bool(self.options or self.renumber_to)

    @property
    def final_number(self):
        return self.renumber_to or self.number

    @property
    def changed_fields(self):
        return self.options + (["new_extension"] if self.renumber_to else [])


def plan_changes(client, requests, batch_size):
    """Read every named extension in batches and work out each one's change; no write happens here."""
    numbers, seen = [], set()
    for request in requests:
        for number in (request.number, request.new_number):
            if number and number not in seen:
                seen.add(number)
                numbers.append(number)
    current = query_extensions(client, numbers, batch_size)
    plan, errors = [], []
    for request in requests:
        number, error = _resolve(request, current)
        if error:
            errors.append(request.label + error)
            continue
        change = Change(request, number, settings_from_answer(current[number]))
        errors.extend(blank_problems(request.desired, change.options, request.label))
        errors.extend(after_problems(change.after, change.options, request.label))
        plan.append(change)
    if errors:
        raise ValueError("nothing was changed: " + "; ".join(errors))
    return plan


def _resolve(request, current):
    """The number the request's settings apply to, or why there is none."""
    old, new = request.number, request.new_number
    if old in current:
        if new and new in current:
            return None, "cannot renumber extension %s to %s: %s already exists" % (old, new, new)
        return old, None
    if new and new in current:
        return new, None
    if new:
        return None, "neither extension %s nor %s exists; %s" % (old, new, NOT_CREATABLE)
    return None, "extension %s does not exist; %s" % (old, NOT_CREATABLE)


class Outcome:
    """What happened to each change of a plan."""

    def __init__(self, plan, failure=None):
        self.plan = plan
        self.failure = failure

    def _numbers(self, outcome):
        return [change.final_number if outcome == "updated" else change.number
                for change in self.plan if change.outcome == outcome]

    def _settings(self, change):
        settings = change.after if change.outcome == "updated" or not change.needed else change.before
        number = change.final_number if change.outcome == "updated" else change.number
        return dict(masked(settings), extension=number)

    def _diff(self):
        before, after = {}, {}
        for change in self.plan:
            if not change.needed or change.outcome not in ("updated", "failed"):
                continue
            old = masked(change.before)
            new = masked(change.after, changed=change.options)
            before[change.number] = {option: old.get(option) for option in change.options}
            after[change.number] = {option: new.get(option) for option in change.options}
            if change.renumber_to:
                before[change.number]["extension"] = change.number
                after[change.number]["extension"] = change.renumber_to
        return {"before": before, "after": after}

    def _item(self, change):
        """One entry of results. Only an extension that changed (or would, or failed) carries its settings:
        repeating every setting of thousands of unchanged extensions made up most of a bulk run's cost."""
        item = {"extension": change.final_number if change.outcome == "updated" else change.number,
                "changed": change.outcome == "updated", "changed_fields": change.changed_fields,
                "outcome": change.outcome}
        if change.needed:
            item["settings"] = self._settings(change)
        if change.error:
            item["error"] = change.error
        return item

    def result(self, bulk):
        result = {"changed": any(change.outcome == "updated" for change in self.plan), "diff": self._diff()}
        errnos = [change.errno for change in self.plan if change.errno]
        if errnos:
            result["errno"] = errnos[0]
        if not bulk:
            change = self.plan[0]
            result.update(extension=self._settings(change), changed_fields=change.changed_fields)
            result["diff"] = {side: values.get(change.number, {}) for side, values in result["diff"].items()}
            return result
        result["results"] = [self._item(change) for change in self.plan]
        result["updated"] = self._numbers("updated")
        result["failed_extensions"] = self._numbers("failed")
        result["not_attempted"] = self._numbers("not_attempted")
        return result


def apply_plan(client, plan, check_mode):
    """Send one update per change that is needed, in order; stop at the first refusal."""
    for index, change in enumerate(plan):
        if not change.needed:
            continue
        if not check_mode:
            try:
                client.keepalive()
                client.call("extension/update", change.body)
            except ApiClientError as err:
                change.outcome, change.error, change.errno = "failed", str(err), getattr(err, "errno", None)
                for later in plan[index + 1:]:
                    if later.needed:
                        later.outcome = "not_attempted"
                return Outcome(plan, _failure_message(plan, change))
        change.outcome = "updated"
    return Outcome(plan)


def _failure_message(plan, failed):
    updated = [change.final_number for change in plan if change.outcome == "updated"]
    pending = [change.number for change in plan if change.outcome == "not_attempted"]
    return "Extension %s: %s. Updated before the failure: %s. Not attempted: %s." % (
        failed.number, failed.error, ", ".join(updated) or "none", ", ".join(pending) or "none")
