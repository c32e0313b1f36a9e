# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Starting states of the simulated PBX for each scenario, and the minimum calls that follow from them."""

from __future__ import annotations

import math

from .parameters import DIFFERING_EVERY, POLICY_VENDOR


def usable_name(text):
    return text if text and len(text) <= 31 and all(char.isalnum() or char == " " for char in text) else ""


def scenario_states(sim):
    """The starting states of scenarios 2 and 3 as patches of the fields the tasks enforce (every
    extension follows the policy; the same with every 10th one not following it), the wanted items
    (extension, display_name) of the enforcing task, and the PBX's records as generated."""
    records = sim.pbx("GET", "extensions")
    compliant, differing, wanted = {}, {}, []
    for index, record in enumerate(records):
        name = usable_name(record.get("username")) or record["extnumber"]
        compliant[record["extnumber"]] = dict(POLICY_VENDOR, username=name)
        differing[record["extnumber"]] = dict(POLICY_VENDOR, username=name)
        if index % DIFFERING_EVERY == 0:
            differing[record["extnumber"]].update(ringtimeout="60", hasvoicemail="off")
        wanted.append({"extension": record["extnumber"], "display_name": name})
    return {"compliant": compliant, "differing": differing}, wanted, records


def lifecycle_items(records, creates, deletes):
    """The items of scenario 6: the first `deletes` extensions of the PBX with state absent, then `creates` new
    numbers after the highest one, each with what extension/add needs. The register password passes the strong
    policy: 16+ characters of letters, digits and ~^*-_?, a digit, both cases, no 3-digit run, neither the
    number nor the display name inside (the number appears spelt as letters, 0 = a ... 9 = j)."""
    items = [{"extension": record["extnumber"], "state": "absent"} for record in records[:deletes]]
    first = max(int(record["extnumber"]) for record in records) + 1
    for number in range(first, first + creates):
        spelt = "".join("abcdefghij"[int(digit)] for digit in str(number))
        items.append({"extension": str(number), "display_name": "New Hire %d" % number, "register_name": str(number),
                      "register_password": "Reg~%s~Qm9_wZtV" % spelt})
    return items


def lifecycle_calls(items, existing, batch):
    """The minimum PBX calls of one run of the scenario 6 task on a PBX that holds the numbers `existing`:
      1 login
    + ceil(K / batch) extension/query for the K numbers the items name, batch by batch in item order
    + 1 extension/list if some batch of 2 or more numbers names none that exists: the PBX answers such a query
      10006, and the module then lists the extensions, once per task (a mixed batch answers the existing
      ones; a batch of one missing number needs no list)
    + 1 extension/add per item present whose number does not exist
    + ceil(D / batch) extension/delete for the D items absent whose number exists
    + 1 logout.
    Items ordered deletions first, then creations, make the list call deterministic in both runs: in the first
    the batches of new numbers name only missing ones, in the second the batches of deleted numbers do."""
    numbers = [item["extension"] for item in items]
    batches = [numbers[start:start + batch] for start in range(0, len(numbers), batch)]
    calls = {"login": 1, "extension/query": len(batches), "logout": 1}
    if any(len(group) > 1 and existing.isdisjoint(group) for group in batches):
        calls["extension/list"] = 1
    adds = sum(1 for item in items if item.get("state") != "absent" and item["extension"] not in existing)
    deletions = sum(1 for item in items if item.get("state") == "absent" and item["extension"] in existing)
    if adds:
        calls["extension/add"] = adds
    if deletions:
        calls["extension/delete"] = math.ceil(deletions / batch)
    return calls


def apply_state(sim, patch):
    """Set raw fields on many extensions, in requests small enough for the simulator (1 MB a body)."""
    items = list(patch.items())
    for start in range(0, len(items), 1000):
        sim.pbx("POST", "extensions", {"patch": dict(items[start:start + 1000])})


def chunked(sim, key, values):
    for start in range(0, len(values), 500):
        sim.pbx("POST", "extensions", {key: values[start:start + 500]})
