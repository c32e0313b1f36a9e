# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""yeastar_extension on API v2.0.0: creating, deleting and purging extensions, and what each costs."""

from __future__ import annotations

import hashlib
import json
import math
import re

import pytest

MASK = "********"
V2 = {"api_version": "v2.0.0"}
READ_ONLY = {"login": 1, "extension/query": 1, "logout": 1}
SEED = ["1000", "1001", "1002", "1003", "1004", "1005", "1006"]
NEW = [str(number) for number in range(2000, 2050)]
# A register password the strong policy accepts for extension 2100 named "New One": 17 characters, lone digits
STRONG = "Kq7Wm4Zr9Tx5Vb2Ny"
ONLY_NUMBERS = re.compile(r"^[0-9]+(,[0-9]+)*$")


def configure(ansible, args, **options):
    return ansible.module("yeastar_extension", dict(V2, **args), **options)


def letters(number):
    """The digits of a number as letters (2017 -> cabh), so that a password holds it without its digits."""
    return "".join("abcdefghij"[int(digit)] for digit in number)


def strong_password(number):
    """17 characters with upper- and lowercase letters and two lone digits: no run of three digits,
    neither the number nor the display name of new_item(number)."""
    code = letters(number)
    return "Reg%sx7Y%sq5Z" % (code, code.upper())


def new_item(number):
    code = letters(number)
    return {"extension": number, "display_name": "Staff %s" % code, "register_name": number,
            "register_password": strong_password(number), "login_password": "Web%sQ4r" % code,
            "email": "staff.%s@example.com" % code, "voicemail_pin": "4711"}


def new_one(**settings):
    return dict({"extension": 2100, "display_name": "New One", "register_name": "2100", "register_password": STRONG},
                **settings)


def add_plain(pbx, numbers):
    pbx.add_extensions([{"extnumber": number} for number in numbers])
    pbx.reset_counters()


def assert_comma_lists(requests):
    assert requests and all(isinstance(raw, str) and ONLY_NUMBERS.match(raw) for raw in requests), requests
    assert "all" not in requests


def test_the_helper_passwords_pass_the_policy():
    """The passwords of the bulk tests must be strong, or those tests would test the refusal."""
    for number in NEW:
        item = new_item(number)
        for password, least in ((item["register_password"], 16), (item["login_password"], 10)):
            assert len(password) >= least and number not in password
            assert re.search("[0-9]", password) and re.search("[A-Z]", password) and re.search("[a-z]", password)
            assert not re.search(r"[0-9]{2}", password)
            assert item["display_name"].lower() not in password.lower()


def test_fifty_extensions_are_created_in_one_task_at_the_least_cost(ansible, pbx):
    status, result, _run = configure(ansible, {"extensions": [new_item(number) for number in NEW]})
    assert status == "CHANGED", result.get("msg")
    assert result["created"] == NEW and result["updated"] == result["deleted"] == []
    assert [item["outcome"] for item in result["results"]] == ["created"] * 50
    # the query of 50 unknown numbers answers 10006, so the module reads the list once, then adds each
    assert pbx.counters == {"login": 1, "extension/query": 1, "extension/list": 1, "extension/add": 50, "logout": 1}
    assert result["api_calls"] == pbx.counters
    for number in NEW:
        stored = pbx.extension(number)
        assert stored["username"] == "Staff %s" % letters(number) and stored["registername"] == number
        assert stored["registerpassword"] == strong_password(number)
        assert stored["loginpassword"] == hashlib.md5(("Web%sQ4r" % letters(number)).encode()).hexdigest()
        assert stored["email"] == "staff.%s@example.com" % letters(number) and stored["vmsecret"] == "4711"
    shown = json.dumps(result)
    assert not [number for number in NEW if strong_password(number) in shown or "Web%sQ4r" % letters(number) in shown]


def test_a_second_run_of_the_fifty_only_reads(ansible, pbx):
    blanks = {"agent_id": "", "mobile": "", "mobile_prefix": "", "always_forward_extension": ""}
    items = [dict(new_item(number), **blanks) for number in NEW]
    status, _result, _run = configure(ansible, {"extensions": items})
    assert status == "CHANGED"
    # the PBX answers every field, then leaves out the blank ones as the vendor's sample answer does
    for omit_empty in (False, True):
        pbx.configure(omit_empty=omit_empty)
        pbx.reset_counters()
        status, result, _run = configure(ansible, {"extensions": items})
        assert status == "SUCCESS" and result["changed"] is False, result.get("msg")
        assert result["created"] == result["updated"] == result["deleted"] == []
        assert pbx.counters == READ_ONLY


@pytest.mark.parametrize("batch_size", [100, 4])
def test_ten_deletions_cost_one_delete_call_per_batch(ansible, pbx, batch_size):
    doomed = [str(number) for number in range(2000, 2010)]
    add_plain(pbx, doomed)
    items = [{"extension": number, "state": "absent"} for number in doomed]
    status, result, _run = configure(ansible, {"extensions": items, "batch_size": batch_size})
    assert status == "CHANGED", result.get("msg")
    assert result["deleted"] == doomed and result["created"] == result["updated"] == []
    calls = math.ceil(10 / batch_size)
    assert pbx.counters == {"login": 1, "extension/query": calls, "extension/delete": calls, "logout": 1}
    assert_comma_lists(pbx.delete_requests)
    assert pbx.delete_requests == [",".join(doomed[start:start + batch_size]) for start in range(0, 10, batch_size)]
    assert [record["extnumber"] for record in pbx.extensions] == SEED


@pytest.mark.parametrize("batch_size", [100, 4])
def test_deleting_extensions_that_are_gone_changes_nothing(ansible, pbx, batch_size):
    doomed = [str(number) for number in range(2000, 2010)]
    items = [{"extension": number, "state": "absent"} for number in doomed]
    status, result, _run = configure(ansible, {"extensions": items, "batch_size": batch_size})
    assert status == "SUCCESS" and result["changed"] is False and result["deleted"] == []
    assert [item["outcome"] for item in result["results"]] == ["unchanged"] * 10
    # none of the numbers exists: the first query answers 10006 and the list is read once
    assert pbx.counters == {"login": 1, "extension/query": math.ceil(10 / batch_size), "extension/list": 1, "logout": 1}
    assert pbx.delete_requests == []


def test_an_items_state_absent_beside_creations_and_updates(ansible, pbx):
    status, result, _run = configure(ansible, {"extensions": [
        {"extension": 1005, "state": "absent"}, new_one(), {"extension": 1002, "ring_timeout": 15}]})
    assert status == "CHANGED", result.get("msg")
    assert (result["created"], result["updated"], result["deleted"]) == (["2100"], ["1002"], ["1005"])
    assert pbx.counters == {"login": 1, "extension/query": 1, "extension/add": 1, "extension/update": 1,
                            "extension/delete": 1, "logout": 1}
    assert pbx.delete_requests == ["1005"]
    # deletions go out last, after every other write
    writes = [call["endpoint"] for call in pbx.calls if call["endpoint"].startswith("extension/") and
              call["endpoint"] != "extension/query"]
    assert writes == ["extension/add", "extension/update", "extension/delete"]


def test_check_mode_reports_creations_and_deletions_and_sends_no_write(ansible, pbx):
    before = pbx.extensions
    status, result, _run = configure(ansible, {"extensions": [new_one(), {"extension": 1006, "state": "absent"}]},
                                     check=True)
    assert status == "CHANGED"
    assert result["created"] == ["2100"] and result["deleted"] == ["1006"]
    assert [item["outcome"] for item in result["results"]] == ["created", "deleted"]
    assert pbx.counters == READ_ONLY
    assert pbx.extensions == before and pbx.delete_requests == []


def test_check_mode_diff_shows_the_created_after_and_the_deleted_before_masked(ansible, pbx):
    status, _result, run = configure(ansible, {"extensions": [new_one(), {"extension": 1006, "state": "absent"}]},
                                     check=True, diff=True)
    assert status == "CHANGED"
    diff = run.stdout[:run.stdout.index("localhost | CHANGED")]
    assert '-    "1006": {' in diff and '+    "2100": {' in diff
    assert '-        "display_name": "Lisa",' in diff and '-        "register_password": "********",' in diff
    assert '+        "display_name": "New One",' in diff and '+        "register_password": "******** (changed)"' in diff
    assert not re.search(r'^\+\s+"1006"', diff, re.M) and not re.search(r'^-\s+"2100"', diff, re.M)
    assert STRONG not in run.stdout and "Lisa6Reg" not in run.stdout
    assert "extension/add" not in pbx.counters and "extension/delete" not in pbx.counters


def test_purge_deletes_every_extension_the_list_does_not_name(ansible, pbx):
    status, result, _run = configure(ansible, {"extensions": [{"extension": 1002}, {"extension": 1003}], "purge": True})
    assert status == "CHANGED", result.get("msg")
    purged = ["1000", "1001", "1004", "1005", "1006"]
    assert result["deleted"] == purged
    assert result["results"][:2] == [
        {"extension": "1002", "changed": False, "changed_fields": [], "outcome": "unchanged"},
        {"extension": "1003", "changed": False, "changed_fields": [], "outcome": "unchanged"}]
    assert [(item["extension"], item["outcome"], item.get("purged")) for item in result["results"][2:]] == [
        (number, "deleted", True) for number in purged]
    assert pbx.counters == {"login": 1, "extension/list": 1, "extension/query": 1, "extension/delete": 1, "logout": 1}
    assert pbx.delete_requests == [",".join(purged)]
    assert [record["extnumber"] for record in pbx.extensions] == ["1002", "1003"]


def test_purge_spares_the_numbers_and_ranges_of_purge_exclude(ansible, pbx):
    status, result, _run = configure(ansible, {"extensions": [{"extension": 1003}], "purge": True,
                                               "purge_exclude": ["1000-1002", 1006]})
    assert status == "CHANGED", result.get("msg")
    assert result["deleted"] == ["1004", "1005"]
    assert [item["extension"] for item in result["results"] if item.get("purged")] == ["1004", "1005"]
    assert pbx.delete_requests == ["1004,1005"]
    assert [record["extnumber"] for record in pbx.extensions] == ["1000", "1001", "1002", "1003", "1006"]


def test_purge_of_a_pbx_that_holds_only_the_listed_extensions_changes_nothing(ansible, pbx):
    status, result, _run = configure(ansible, {"extensions": [{"extension": number} for number in SEED], "purge": True})
    assert status == "SUCCESS" and result["changed"] is False and result["deleted"] == []
    assert pbx.counters == {"login": 1, "extension/list": 1, "extension/query": 1, "logout": 1}


def test_purge_with_an_empty_list_fails_before_any_request(ansible, pbx):
    status, result, _run = configure(ansible, {"extensions": [], "purge": True})
    assert status == "FAILED"
    assert "purge: refused with an empty extensions list" in result["msg"]
    assert pbx.counters == {} and len(pbx.extensions) == 7


@pytest.mark.parametrize("args", [
    {"extensions": [{"extension": 1002}], "purge": True},
    {"extension": 1002, "state": "absent"},
    {"extensions": [{"extension": 1002, "state": "absent"}]},
], ids=["purge", "state-absent", "item-state-absent"])
def test_deleting_on_api_v1_fails_before_any_request_naming_the_firmware_and_version(ansible, pbx, args):
    status, result, _run = ansible.module("yeastar_extension", args)
    assert status == "FAILED"
    assert "30.13.0.30" in result["msg"] and "api_version: v2.0.0" in result["msg"]
    assert pbx.counters == {} and len(pbx.extensions) == 7


@pytest.mark.parametrize("settings, words", [
    ({"register_password": "short1A"}, "register_password (registerpassword): the value is too weak"),
    ({"extension": 2050, "register_name": "2050", "register_password": "Kq7Wm2050ZrTxVbNy"},
     "because it contains the extension number"),
    ({"display_name": "Nova", "register_password": "Kq7WmNova4Zr9XyzW"}, "because it contains the display name"),
    ({"register_password": "Kq7Wm4Zr9Tx5Vb2N!"}, "register_password (registerpassword): the value is invalid because it contains !"),
    ({"register_password": "Kq7Wm1234ZrTxVbNy"}, "because it holds a run of consecutive digits"),
    ({"login_password": "web2Pass"}, "login_password (loginpassword): the value is too weak"),
    ({"display_name": "Ina@Work"}, "display_name (username): 'Ina@Work' is invalid"),
], ids=["short", "holds-number", "holds-name", "not-charset", "digit-run", "weak-login", "at-in-name"])
def test_invalid_creations_send_nothing(ansible, pbx, settings, words):
    args = new_one(**settings)
    status, result, _run = configure(ansible, args)
    assert status == "FAILED" and words in result["msg"], result["msg"]
    assert pbx.counters == READ_ONLY and pbx.extension(str(args["extension"])) is None
    assert args["register_password"] not in result["msg"] and args.get("login_password", STRONG) not in result["msg"]


def test_an_at_sign_in_a_display_name_is_refused_on_v2_before_any_write(ansible, pbx):
    status, result, _run = configure(ansible, {"extension": 1002, "display_name": "Amy@Work"})
    assert status == "FAILED" and "display_name (username): 'Amy@Work' is invalid" in result["msg"]
    assert "allowed on API v2.0.0" in result["msg"] and pbx.counters == READ_ONLY


def test_a_blank_register_password_is_refused_on_v2_before_any_request(ansible, pbx):
    status, result, _run = configure(ansible, new_one(register_password=""))
    assert status == "FAILED" and "register_password (registerpassword)" in result["msg"]
    assert pbx.counters == {} and result["api_calls"] == {}


def test_a_new_extension_without_register_name_is_refused_after_the_read(ansible, pbx):
    status, result, _run = configure(ansible, {"extensions": [
        {"extension": 1002, "ring_timeout": 15}, new_one(register_name=None)]})
    assert status == "FAILED"
    assert "extension 2100 does not exist, and creating it needs" in result["msg"]
    assert "missing: register_name (registername)" in result["msg"]
    assert pbx.counters == READ_ONLY
    assert pbx.extension("2100") is None and pbx.extension("1002")["ringtimeout"] == "60"


def test_update_password_on_create_leaves_an_existing_password_alone(ansible, pbx):
    status, result, _run = configure(ansible, {"extension": 1002, "register_password": STRONG,
                                               "update_password": "on_create"})
    assert status == "SUCCESS" and result["changed_fields"] == [] and result["outcome"] == "unchanged"
    assert pbx.counters == READ_ONLY
    assert pbx.extension("1002")["registerpassword"] == "Amy2Reg9x"


def test_update_password_on_create_still_sets_the_password_of_a_new_extension(ansible, pbx):
    status, result, _run = configure(ansible, new_one(update_password="on_create"))
    assert status == "CHANGED" and result["outcome"] == "created"
    assert pbx.extension("2100")["registerpassword"] == STRONG


def test_update_password_always_replaces_a_different_password(ansible, pbx):
    status, result, _run = configure(ansible, {"extension": 1002, "register_password": STRONG, "update_password": "always"})
    assert status == "CHANGED" and result["changed_fields"] == ["register_password"] and result["outcome"] == "updated"
    assert pbx.counters == {"login": 1, "extension/query": 1, "extension/update": 1, "logout": 1}
    assert pbx.extension("1002")["registerpassword"] == STRONG
    assert result["extension"]["register_password"] == MASK


def test_one_extension_created_then_deleted(ansible, pbx):
    status, result, _run = configure(ansible, new_one(email="new.one@example.com"))
    assert status == "CHANGED" and result["outcome"] == "created"
    assert result["changed_fields"] == ["display_name", "register_name", "register_password", "email"]
    assert result["extension"] == {"extension": "2100", "display_name": "New One", "register_name": "2100",
                                   "register_password": MASK, "email": "new.one@example.com"}
    # a single unknown number answers 10006 and needs no list call
    assert pbx.counters == {"login": 1, "extension/query": 1, "extension/add": 1, "logout": 1}
    assert pbx.extension("2100")["email"] == "new.one@example.com"

    pbx.reset_counters()
    status, result, _run = configure(ansible, {"extension": 2100, "state": "absent"})
    assert status == "CHANGED" and result["outcome"] == "deleted"
    assert result["extension"] == {"extension": "2100"}
    assert pbx.counters == {"login": 1, "extension/query": 1, "extension/delete": 1, "logout": 1}
    assert pbx.delete_requests == ["2100"] and pbx.extension("2100") is None


def test_absent_on_a_missing_extension_is_no_change(ansible, pbx):
    status, result, _run = configure(ansible, {"extension": 2100, "state": "absent"})
    assert status == "SUCCESS" and result["changed"] is False and result["outcome"] == "unchanged"
    assert pbx.counters == READ_ONLY and pbx.delete_requests == []


def test_renumbering_on_v2_is_refused_without_a_write(ansible, pbx):
    before = pbx.extensions
    status, result, _run = configure(ansible, {"extension": 1006, "new_extension": 2006})
    assert status == "FAILED"
    assert "cannot renumber extension 1006 to 2006: API v2.0.0 has no renumbering" in result["msg"]
    assert pbx.counters == READ_ONLY and pbx.extensions == before


def test_a_weak_password_creates_when_the_policy_is_off(ansible, pbx):
    pbx.configure(strong_passwords=False)
    status, result, _run = configure(ansible, new_one(register_password="simple1", strong_passwords=False))
    assert status == "CHANGED", result.get("msg")
    assert result["outcome"] == "created"
    assert pbx.counters == {"login": 1, "extension/query": 1, "extension/add": 1, "logout": 1}
    assert pbx.extension("2100")["registerpassword"] == "simple1"


def test_a_refused_creation_stops_the_run_and_deletes_nothing(ansible, pbx):
    pbx.configure(max_extensions=9)
    items = [{"extension": 1005, "state": "absent"}] + [new_item(number) for number in NEW[:4]]
    status, result, _run = configure(ansible, {"extensions": items})
    assert status == "FAILED" and result["errno"] == "10017"
    assert (result["created"], result["failed_extensions"], result["not_attempted"]) == (NEW[:2], [NEW[2]], ["1005", NEW[3]])
    assert result["deleted"] == [] and [item["outcome"] for item in result["results"]] == [
        "not_attempted", "created", "created", "failed", "not_attempted"]
    assert "Created before the failure: 2000, 2001." in result["msg"] and "Not attempted: 1005, 2003." in result["msg"]
    assert pbx.counters == {"login": 1, "extension/query": 1, "extension/add": 3, "logout": 1}
    assert pbx.delete_requests == [] and pbx.extension("1005") is not None


def test_a_password_holding_the_current_display_name_is_refused_after_the_read(ansible, pbx):
    status, result, _run = configure(ansible, {"extension": 1002, "register_password": "Kq7WmAmy4Zr9XyzWq"})
    assert status == "FAILED"
    assert "register_password (registerpassword): the value is too weak" in result["msg"]
    assert "because it contains the display name" in result["msg"] and "Kq7WmAmy4Zr9XyzWq" not in result["msg"]
    assert pbx.counters == READ_ONLY
    assert pbx.extension("1002")["registerpassword"] == "Amy2Reg9x"


def test_check_mode_purge_shows_the_name_and_type_of_each_deletion(ansible, pbx):
    before = pbx.extensions
    status, result, run = configure(ansible, {"extensions": [{"extension": 1002}], "purge": True}, check=True, diff=True)
    assert status == "CHANGED" and result["deleted"] == ["1000", "1001", "1003", "1004", "1005", "1006"]
    diff = run.stdout[:run.stdout.index("localhost | CHANGED")]
    assert '-    "1000": {\n-        "display_name": "1000",\n-        "type": "FXS"\n-    },' in diff
    assert '-    "1006": {\n-        "display_name": "Lisa",\n-        "type": "SIP"\n-    }' in diff
    assert '"1002"' not in diff
    assert pbx.counters == {"login": 1, "extension/list": 1, "extension/query": 1, "logout": 1}
    assert pbx.extensions == before and pbx.delete_requests == []


def test_purge_with_creations_leaves_exactly_the_listed_extensions(ansible, pbx):
    status, result, _run = configure(ansible, {"purge": True, "extensions": [
        {"extension": 1002, "ring_timeout": 15}, new_item(NEW[0]), {"extension": 1006}]})
    assert status == "CHANGED", result.get("msg")
    assert (result["created"], result["updated"], result["deleted"]) == ([NEW[0]], ["1002"], ["1000", "1001", "1003", "1004", "1005"])
    # the list tells which named extensions exist: only those are queried, and 2000 needs no extra list call
    assert pbx.counters == {"login": 1, "extension/list": 1, "extension/query": 1, "extension/update": 1, "extension/add": 1,
                            "extension/delete": 1, "logout": 1}
    assert [record["extnumber"] for record in pbx.extensions] == ["1002", "1006", NEW[0]]

    pbx.reset_counters()
    status, result, _run = configure(ansible, {"purge": True, "extensions": [
        {"extension": 1002, "ring_timeout": 15}, new_item(NEW[0]), {"extension": 1006}]})
    assert status == "SUCCESS" and result["changed"] is False
    assert pbx.counters == {"login": 1, "extension/list": 1, "extension/query": 1, "logout": 1}


def test_a_renumbering_done_already_is_no_change_on_v2(ansible, pbx):
    status, result, _run = configure(ansible, {"extension": 1099, "new_extension": 1006})
    assert status == "SUCCESS", result.get("msg")
    assert result["outcome"] == "unchanged" and result["extension"]["extension"] == "1006"
    assert pbx.counters == READ_ONLY


def test_creating_on_an_empty_pbx_reads_the_list_once(ansible, pbx):
    pbx.set_extensions([])
    status, result, _run = configure(ansible, {"extensions": [new_item(number) for number in NEW[:10]], "batch_size": 4})
    assert status == "CHANGED" and result["created"] == NEW[:10]
    assert pbx.counters == {"login": 1, "extension/query": 3, "extension/list": 1, "extension/add": 10, "logout": 1}
