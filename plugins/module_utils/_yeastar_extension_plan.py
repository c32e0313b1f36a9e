# Copyright (c) voiceops.pbx contributors
# BSD 2-Clause License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
#
# Private to the voiceops.pbx collection: no compatibility promise outside it.

"""From checked requests to the writes that are needed: one batched read, then for each extension
an update, a creation, a deletion or nothing. No write happens here.

parameters -> requests (checked) -> one batched read -> plan -> writes -> result.
"""

from __future__ import annotations

from ansible_collections.voiceops.pbx.plugins.module_utils._message_lists import brief
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_extensions import (
    ListedNumbers,
    list_extensions,
    query_extensions,
)
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_fields import FIELDS, FIELDS_BY_OPTION, MASK
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_settings import (
    PASSWORD_OPTIONS,
    after_problems,
    applied,
    changed_options,
    request_body,
    rule_problems,
    settings_from_answer,
    weak_password_problems,
)


class PlanError(ValueError):
    """Problems that only the read revealed; nothing was written. problems holds every one of them."""

    def __init__(self, problems):
        super().__init__("nothing was changed: " + brief(problems, "problems"))
        self.problems = list(problems)


# Besides the number, extension/add requires these (the vendor's username, registername, registerpassword).
CREATE_REQUIRED = ("display_name", "register_name", "register_password")
CALLS = {"update": "extension/update", "create": "extension/add", "delete": "extension/delete"}
DONE = {"update": "updated", "create": "created", "delete": "deleted"}


class Change:
    """What one extension needs: an update, a creation ("create"), a deletion ("delete"), or nothing (None)."""

    def __init__(self, number, action, before, after, options=(), body=None, renumber_to=None, purged=False):
        self.number = number
        self.action = action
        self.before = before
        self.after = after
        self.options = list(options)
        self.body = body
        self.renumber_to = renumber_to
        self.purged = purged
        self.outcome = "unchanged"
        self.error = None
        self.errno = None
        self.note = None  # what the task should be warned of, such as a renumbering read as done already

    @property
    def needed(self):
        return self.action in ("create", "delete") or bool(self.options or self.renumber_to)

    @property
    def final_number(self):
        return self.renumber_to or self.number

    @property
    def changed_fields(self):
        return self.options + (["new_extension"] if self.renumber_to else [])

    @property
    def call(self):
        return CALLS[self.action]

    @property
    def done(self):
        """The outcome once the write succeeded (or would, in check mode)."""
        return DONE[self.action]


def update_change(request, number, answer, api, update_password, full=True):
    """The update of an extension from its extension/query answer. Without full, an extension that needs
    no change is compared on the desired options only and carries no settings (a bulk result lists none
    for it): converting every field of thousands of unchanged extensions was most of a bulk plan's time."""
    desired = request.desired
    if update_password == "on_create":
        desired = {option: value for option, value in desired.items() if option not in PASSWORD_OPTIONS}
    renumber_to = request.new_number if request.new_number and number == request.number else None
    if not full and not renumber_to and not changed_options(desired, settings_from_answer(answer, only=desired)):
        return Change(number, "update", {}, {}, [], None, None)
    current = settings_from_answer(answer)
    options = changed_options(desired, current)
    start = api.select(number)
    if renumber_to:
        start[api.renumber_field] = renumber_to
    return Change(number, "update", current, applied(current, desired, options), options,
                  request_body(start, desired, options), renumber_to)


def create_change(request, api):
    """extension/add with every setting of the task, so that no update has to follow; a secret given as
    the mask is left to the PBX's default."""
    options = [field.option for field in FIELDS
               if field.option in request.desired and not (field.secret and request.desired[field.option] == MASK)]
    return Change(request.number, "create", {}, applied({}, request.desired, options), options,
                  request_body(api.select(request.number), request.desired, options))


def plan_changes(client, requests, batch_size, purge=None, update_password="always", strong_passwords=False,
                 listed=None):
    """Read every named extension in batches (and, for a purge, the list of all of them) and work out
    each one's change; no write happens here. Any problem fails the whole plan (PlanError).
    listed: the PBX's extension summaries by number, when the caller has read the list already."""
    api = client.api
    if purge is not None and listed is None:
        listed = {summary["number"]: summary for summary in list_extensions(client)}
    named, seen = [], set()
    for request in requests:
        for number in (request.number, request.new_number):
            if number and number not in seen:
                seen.add(number)
                named.append(number)
    on_pbx = ListedNumbers(client, listed)
    current = query_extensions(client, named, batch_size, known=listed, listed=on_pbx)
    plan, errors = [], []
    for request in requests:
        change, error = _octal_misreading(request, current, on_pbx) or _change_for(request, current, api, update_password,
                                                                                   full=len(requests) == 1)
        if error:
            errors.append(request.label + error)
            continue
        errors.extend(_problems_of(change, request, api, strong_passwords))
        plan.append(change)
    if purge is not None:
        kept = set(named)
        for number, summary in listed.items():
            if number not in kept and not purge.spares(number):
                before = {"display_name": summary["name"], "type": summary["type"]}
                plan.append(Change(number, "delete", before, {}, purged=True))
    if errors:
        raise PlanError(errors)
    return plan


def _octal_misreading(request, current, on_pbx):
    """(None, why) when an integer number the PBX lacks is the YAML octal reading of one it has:
    an unquoted 0100 arrives as 64, and 64 would be created or found absent instead of 0100.
    Only asked when the PBX's list is at hand (a purge, or reads that needed it): never a call more."""
    spelling = request.octal_spelling
    if spelling is None or request.number in current or not on_pbx.read or spelling not in on_pbx:
        return None
    return None, ("extension %s does not exist, but %s does: YAML reads an unquoted %s as the octal number %s. "
                  "Quote it ('%s'); if you mean %s, give it as text ('%s')"
                  % (request.number, spelling, spelling, request.number, spelling, request.number, request.number))


def plan_notes(plan):
    """What the task should be warned of, in plan order."""
    return [change.note for change in plan if change.note]


def _change_for(request, current, api, update_password, full=True):
    """The change of one request, or why there can be none."""
    old, new = request.number, request.new_number
    if request.state == "absent":
        if old in current:
            return Change(old, "delete", settings_from_answer(current[old]), {}), None
        return Change(old, None, {}, {}), None
    if old in current:
        if new and new in current:
            return None, "cannot renumber extension %s to %s: %s already exists" % (old, new, new)
        if new and not api.renumber_field:
            return None, ("cannot renumber extension %s to %s: API %s has no renumbering (extension/update takes no new "
                          "number), and deleting and adding it again would lose its voicemail and call history; "
                          "renumber it in the web interface, or with api_version v1.1.0 where the firmware still "
                          "serves it" % (old, new, api.name))
        return update_change(request, old, current[old], api, update_password, full), None
    if new and new in current:
        change = update_change(request, new, current[new], api, update_password, full)
        change.note = ("%sextension %s does not exist but new_extension %s does: read as already renumbered, so the "
                       "settings of the task apply to %s (changed or not). If %s is a typo, nothing was renumbered."
                       % (request.label, old, new, new, old))
        return change, None
    if new:
        return None, "neither extension %s nor %s exists, so there is nothing to renumber" % (old, new)
    if not api.can_create:
        return None, "extension %s does not exist; creating it %s" % (old, api.unavailable())
    missing = [option for option in CREATE_REQUIRED if request.desired.get(option) in (None, "", MASK)]
    if missing:
        return None, "extension %s does not exist, and creating it needs %s; missing: %s" % (
            old, ", ".join(_named(option) for option in CREATE_REQUIRED), ", ".join(_named(option) for option in missing))
    return create_change(request, api), None


def _named(option):
    return "%s (%s)" % (option, FIELDS_BY_OPTION[option].vendor)


def _problems_of(change, request, api, strong_passwords):
    """Problems that only the PBX's current settings reveal, in the values that would be written;
    none for a deletion."""
    if change.action not in ("update", "create"):
        return []
    label = request.label
    found = rule_problems(request.desired, change.options, label, v2=api.major == 2)
    found.extend(after_problems(change.after, change.options, label))
    if strong_passwords:
        sent = {option: request.desired[option] for option in change.options if option in PASSWORD_OPTIONS}
        found.extend(weak_password_problems(sent, change.final_number, change.after.get("display_name"), label))
    return found
