# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The simulated Yeastar API v2.0.0, over HTTPS, beside v1.x on the same extensions."""

from __future__ import annotations

import json
import ssl
import urllib.request

import pytest

V2 = "v2.0.0"
V1 = "v1.1.0"
STRONG = "Xy7bQ9mR2tLk5wPz"
NEW = {"number": "2000", "username": "Bob", "registername": "2000", "registerpassword": STRONG}


def post(sim, endpoint, body=None, token=None, version=V2):
    """POST a JSON body (none when body is None) with the standard library, as the unit tests' environment has no requests."""
    data = b"" if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(sim.url(endpoint, token, version=version), data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, context=ssl.create_default_context(cafile=sim.ca_path), timeout=10) as answer:
        return json.loads(answer.read())


def login(sim, version=V2):
    body = {"username": sim.api_username, "password": sim.api_password_md5}
    if version != V2:
        body["port"] = "8260"
    return post(sim, "login", body, version=version)


def result(answer):
    """"Success" or the errno."""
    return answer.get("errno", answer["status"])


@pytest.fixture
def call(pbx):
    """``call(endpoint, body=None, version="v2.0.0")`` with a token from a v2 login."""
    token = login(pbx)["token"]
    return lambda endpoint, body=None, version=V2: post(pbx, endpoint, body, token, version)


def numbers(call):
    return [item["number"] for item in call("extension/list")["extlist"]]


# session

def test_v2_login_answers_a_token_and_the_transport(pbx):
    answer = login(pbx)
    assert answer["status"] == "Success"
    assert len(answer["token"]) == 32
    assert answer["transport"] == "HTTP"


def test_a_v1_token_works_on_v2(pbx):
    token = login(pbx, version=V1)["token"]
    assert result(post(pbx, "extension/list", token=token)) == "Success"


def test_extension_add_is_unknown_on_v1(pbx, call):
    assert result(call("extension/add", dict(NEW), version=V1)) == "10003"
    assert "2000" not in [record["extnumber"] for record in pbx.extensions]


# extension/list and extension/query

def test_list_items_carry_v2_keys(call):
    items = {item["number"]: item for item in call("extension/list")["extlist"]}
    assert list(items) == ["1000", "1001", "1002", "1003", "1004", "1005", "1006"]
    assert items["1000"] == {"number": "1000", "status": "Idle", "type": "FXS", "port": "Span2-Port1", "username": "1000"}
    assert items["1002"] == {"number": "1002", "status": "Registered", "type": "SIP", "username": "Amy", "agentid": "6932"}
    assert set(items["1003"]) == {"number", "status", "type", "username"}


def test_query_all_answers_every_extension(call):
    items = call("extension/query", {"number": "all"})["extinfos"]
    assert [item["number"] for item in items] == numbers(call)
    assert "extnumber" not in items[0] and "moblie" not in items[0] and "mobile" in items[0]


def test_query_comma_list_answers_the_existing_ones_in_number_order(call):
    items = call("extension/query", {"number": "1006,9999,1002"})["extinfos"]
    assert [item["number"] for item in items] == ["1002", "1006"]
    assert items[0]["mobile"] == "13489999999"


def test_query_of_missing_extensions_is_10006(call):
    assert result(call("extension/query", {"number": "9998,9999"})) == "10006"


@pytest.mark.parametrize("body", [None, {}, {"number": ""}, {"number": " "}])
def test_query_without_number_is_10004(call, body):
    assert result(call("extension/query", body)) == "10004"


def test_v2_mobile_key_moblie_spells_it_as_v1(pbx, call):
    pbx.configure(v2_mobile_key="moblie")
    item = call("extension/query", {"number": "1002"})["extinfos"][0]
    assert item["moblie"] == "13489999999" and "mobile" not in item


# extension/add

def test_add_with_the_four_required_fields_creates_the_extension(call):
    assert result(call("extension/add", dict(NEW))) == "Success"
    assert "2000" in numbers(call)
    record = call("extension/query", {"extid": "2000"}, version=V1)["extinfos"][0]
    assert record["extnumber"] == "2000" and record["moblie"] == ""
    assert (record["username"], record["type"], record["callerid"], record["vmsecret"]) == ("Bob", "SIP", "2000", "2000")
    assert len(record["loginpassword"]) == 32


@pytest.mark.parametrize("field", sorted(NEW))
def test_add_without_a_required_field_is_10004(call, field):
    body = {key: value for key, value in NEW.items() if key != field}
    assert result(call("extension/add", body)) == "10004"
    assert result(call("extension/add", dict(NEW, **{field: " "}))) == "10004"
    assert "2000" not in numbers(call)


def test_add_of_an_existing_number_is_10017(call):
    assert result(call("extension/add", dict(NEW, number="1002", registername="1002"))) == "10017"


@pytest.mark.parametrize("password", [
    "Xy7bQ9mR2t",            # shorter than 16
    "xy7bq9mr2tlk5wpz",      # no uppercase letter
    "Xy7bQ123mRtLk5wPz",     # digits in a row: 123
    "Xy7bQ9mR2000Lk5wPz",    # holds the extension number
    "Xy7bQ9BOBmR2tLk5wPz",   # holds the display name, any case
    STRONG + "!",            # a character passwords may not hold
], ids=["short", "no-uppercase", "sequence", "number", "name", "forbidden-char"])
def test_add_with_a_weak_register_password_is_10017(call, password):
    assert result(call("extension/add", dict(NEW, registerpassword=password))) == "10017"
    assert "2000" not in numbers(call)


def test_weak_password_is_accepted_without_the_strong_policy(pbx, call):
    pbx.configure(strong_passwords=False)
    assert result(call("extension/add", dict(NEW, registerpassword="short", loginpassword="secret"))) == "Success"


def test_display_name_with_at_sign_is_10017(call):
    assert result(call("extension/add", dict(NEW, username="Bob@home"))) == "10017"


def test_max_extensions_refuses_one_more(pbx, call):
    pbx.configure(max_extensions=7)
    assert result(call("extension/add", dict(NEW))) == "10017"
    pbx.configure(max_extensions=0)
    assert result(call("extension/add", dict(NEW))) == "Success"


# extension/update

def test_enablevmtoemail_custom_is_accepted_on_v2_and_refused_on_v1(pbx, call):
    assert result(call("extension/update", {"extid": "1003", "enablevmtoemail": "custom"}, version=V1)) == "10017"
    assert result(call("extension/update", {"number": "1003", "enablevmtoemail": "custom"})) == "Success"
    assert pbx.extension("1003")["enablevmtoemail"] == "custom"


def test_update_cannot_renumber_on_v2(pbx, call):
    assert result(call("extension/update", {"number": "1003", "extnumber": "2003"})) == "10017"
    assert pbx.extension("1003") is not None


# extension/delete

def test_delete_of_a_comma_list(call):
    assert result(call("extension/delete", {"number": "1005,1006"})) == "Success"
    assert numbers(call) == ["1000", "1001", "1002", "1003", "1004"]


def test_delete_with_one_unknown_number_deletes_nothing(call):
    assert result(call("extension/delete", {"number": "1005,9999"})) == "10006"
    assert "1005" in numbers(call)


def test_delete_all_empties_the_pbx_and_is_recorded(pbx, call):
    assert result(call("extension/delete", {"number": "all"})) == "Success"
    assert not numbers(call)
    assert pbx.delete_requests == ["all"]
    pbx.reset_counters()
    assert not pbx.delete_requests
