# Copyright (c) voiceops.pbx contributors
# BSD 2-Clause License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
#
# Private to the voiceops.pbx collection: no compatibility promise outside it.

"""The writes of a plan, and the task's result: what was created, updated and deleted, secrets masked."""

from __future__ import annotations

from ansible_collections.voiceops.pbx.plugins.module_utils._http_transport import ApiClientError
from ansible_collections.voiceops.pbx.plugins.module_utils._message_lists import brief
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_settings import masked

LISTED = ("created", "updated", "deleted")


def apply_plan(client, plan, check_mode, batch_size):
    """Send the writes in plan order, deletions last (so a refused creation or update deletes nothing),
    deletions batch_size numbers per call; stop at the first refusal."""
    writes = [change for change in plan if change.needed and change.action != "delete"]
    deletions = [change for change in plan if change.needed and change.action == "delete"]
    groups = [[change] for change in writes]
    groups += [deletions[start:start + batch_size] for start in range(0, len(deletions), batch_size)]
    for group in groups:
        if not check_mode:
            try:
                client.keepalive()
                if group[0].action == "delete":
                    client.call("extension/delete", client.api.delete_body([change.number for change in group]))
                else:
                    client.call(group[0].call, group[0].body)
            except ApiClientError as err:
                for change in group:
                    change.outcome, change.error, change.errno = "failed", str(err), getattr(err, "errno", None)
                for later in plan:
                    if later.needed and later.outcome == "unchanged":
                        later.outcome = "not_attempted"
                return Outcome(plan, _failure_message(plan, group))
        for change in group:
            change.outcome = change.done
    return Outcome(plan)


def _failure_message(plan, group):
    """What failed, what was done before and what was not attempted; long lists are cut short
    (the result keys hold them in full)."""
    numbers = brief([change.number for change in group], "failed_extensions", ", ")
    what = "Deleting extension%s %s" % ("s" if len(group) > 1 else "", numbers) if group[0].action == "delete" \
        else "Extension %s" % numbers
    done = ["%s before the failure: %s." % (outcome.capitalize(), brief(_numbers(plan, outcome), outcome, ", ") or "none")
            for outcome in LISTED if outcome == "updated" or _numbers(plan, outcome)]
    pending = brief(_numbers(plan, "not_attempted"), "not_attempted", ", ") or "none"
    return "%s: %s. %s Not attempted: %s." % (what, group[0].error, " ".join(done), pending)


def _numbers(plan, outcome):
    return [change.final_number if outcome == "updated" else change.number
            for change in plan if change.outcome == outcome]


class Outcome:
    """What happened to each change of a plan."""

    def __init__(self, plan, failure=None):
        self.plan = plan
        self.failure = failure

    @staticmethod
    def _settings(change):
        """The extension's settings after the task (as they would be, in check mode), secrets masked."""
        if change.action == "delete" or change.action is None:
            settings = {} if change.outcome in ("deleted", "unchanged") else change.before
        elif change.outcome in ("updated", "created") or not change.needed:
            settings = change.after
        else:
            settings = change.before
        number = change.final_number if change.outcome == "updated" else change.number
        return dict(masked(settings), extension=number)

    def _diff(self):
        before, after = {}, {}
        for change in self.plan:
            if not change.needed or change.outcome in ("unchanged", "not_attempted"):
                continue
            old = masked(change.before)
            new = masked(change.after, changed=change.options)
            if change.action == "delete":
                before[change.number] = old
            elif change.action == "create":
                after[change.number] = {option: new.get(option) for option in change.options}
            else:
                before[change.number] = {option: old.get(option) for option in change.options}
                after[change.number] = {option: new.get(option) for option in change.options}
                if change.renumber_to:
                    before[change.number]["extension"] = change.number
                    after[change.number]["extension"] = change.renumber_to
        return {"before": before, "after": after}

    def _item(self, change, settings=True):
        """One entry of results. Only an extension that changed (or would, or failed) carries its settings:
        repeating every setting of thousands of unchanged extensions made up most of a bulk run's cost."""
        item = {"extension": change.final_number if change.outcome == "updated" else change.number,
                "changed": change.outcome in LISTED, "changed_fields": change.changed_fields,
                "outcome": change.outcome}
        if settings and change.needed and change.action != "delete":
            item["settings"] = self._settings(change)
        if change.purged:
            item["purged"] = True
        if change.error:
            item["error"] = change.error
        return item

    def result(self, bulk, diff=True, compact=False):
        """The task's result; diff only when asked for (diff mode). A bulk result has an entry in results per
        change of the plan. A compact one (all_of_type: the task named no extension, and gave every one the same
        settings) has one only per change that was (or would be) made, failed or was not attempted, without
        settings; the numbers of the others are in unchanged."""
        result = {"changed": any(change.outcome in LISTED for change in self.plan)}
        if diff:
            result["diff"] = self._diff()
        errnos = [change.errno for change in self.plan if change.errno]
        if errnos:
            result["errno"] = errnos[0]
        if not bulk:
            change = self.plan[0]
            result.update(extension=self._settings(change), changed_fields=change.changed_fields, outcome=change.outcome)
            if diff:
                result["diff"] = {side: values.get(change.number, {}) for side, values in result["diff"].items()}
            return result
        result["results"] = [self._item(change, settings=not compact) for change in self.plan
                             if not compact or change.outcome != "unchanged"]
        for outcome in LISTED:
            result[outcome] = _numbers(self.plan, outcome)
        result["unchanged"] = _numbers(self.plan, "unchanged")
        result["failed_extensions"] = _numbers(self.plan, "failed")
        result["not_attempted"] = _numbers(self.plan, "not_attempted")
        return result
