# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Extension records: field order, defaults, the vendor's sample PBX, generated and file seeds.

A record is a dict shaped like one ``extinfos`` item of the extension/query answer (so the
mobile number is ``moblie``), every value a string. ``port`` only matters for FXS.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re

FIELDS = (
    "extnumber", "username", "status", "type", "port", "callerid", "registername", "registerpassword",
    "maxregistrations", "loginpassword", "email", "moblie", "language", "hasvoicemail", "enablevmtoemail",
    "vmsecret", "alwaysforward", "atransferto", "atransferext", "atransferprefix", "atransfernum",
    "noanswerforward", "ntransferto", "ntransferext", "ntransferprefix", "ntransfernum",
    "busyforward", "btransferto", "btransferext", "btransferprefix", "btransfernum",
    "ringsimultaneous", "mobileprefix", "enablemobile", "allowbeingmonitored", "monitormode",
    "ringtimeout", "maxduration", "dnd", "callrestriction", "agentid",
)
LIST_FIELDS = ("extnumber", "status", "type", "port", "username")
TYPES = ("SIP", "IAX", "FXS")
STATUSES = ("Unavailable", "Registered", "Ringing", "Busy", "Hold", "Malfunction", "Idle", "Fxsnoport")
_MD5_HEX = re.compile(r"^[0-9a-f]{32}$")


def md5_hex(text):
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def defaults_for(number, ext_type="SIP"):
    """Settings of a fresh extension, as the PBX shows them."""
    return {
        "extnumber": number, "username": number, "status": "Idle" if ext_type == "FXS" else "Unavailable",
        "type": ext_type, "port": "", "callerid": number, "registername": "" if ext_type == "FXS" else number,
        "registerpassword": "Ys" + md5_hex("register-" + number)[:10], "maxregistrations": "1",
        "loginpassword": md5_hex("Login" + number), "email": "", "moblie": "", "language": "System Default",
        "hasvoicemail": "on", "enablevmtoemail": "off", "vmsecret": number,
        "alwaysforward": "off", "atransferto": "Voicemail", "atransferext": "", "atransferprefix": "", "atransfernum": "",
        "noanswerforward": "on", "ntransferto": "Voicemail", "ntransferext": "", "ntransferprefix": "", "ntransfernum": "",
        "busyforward": "on", "btransferto": "Voicemail", "btransferext": "", "btransferprefix": "", "btransfernum": "",
        "ringsimultaneous": "off", "mobileprefix": "", "enablemobile": "off", "allowbeingmonitored": "off",
        "monitormode": "Disabled", "ringtimeout": "30", "maxduration": "Follow System", "dnd": "off",
        "callrestriction": "off", "agentid": "",
    }


def _as_text(value):
    if isinstance(value, bool) or value is None:
        raise ValueError("extension values must be strings or numbers")
    return str(value) if isinstance(value, (int, float)) else value


def complete(raw, hash_login=True):
    """Fill a partial record with defaults; ``mobile`` is accepted for ``moblie``.

    With ``hash_login``, a ``loginpassword`` that is not a lowercase MD5 digest is taken
    as a clear password and stored as its digest (convenient in seed files).
    """
    if not isinstance(raw, dict):
        raise ValueError("an extension must be an object")
    data = dict(raw)
    if "mobile" in data and "moblie" not in data:
        data["moblie"] = data.pop("mobile")
    number = _as_text(data.get("extnumber", ""))
    if not isinstance(number, str) or not number.isdigit():
        raise ValueError("extnumber must be digits: %r" % (data.get("extnumber"),))
    ext_type = data.get("type", "SIP")
    if ext_type not in TYPES:
        raise ValueError("type must be one of %s" % ", ".join(TYPES))
    record = defaults_for(number, ext_type)
    for key, value in data.items():
        record[key] = _as_text(value)
    if hash_login and not _MD5_HEX.match(record["loginpassword"]):
        record["loginpassword"] = md5_hex(record["loginpassword"])
    return record


# The extension/query sample of the vendor page (extension 1000), as the PBX sends it.
VENDOR_QUERY_SAMPLE = {
    "extnumber": "1000", "username": "1000", "status": "Idle", "type": "FXS", "port": "Span2-Port1",
    "callerid": "1000", "registername": "", "registerpassword": "Yeastar202", "maxregistrations": "1",
    "loginpassword": "27499b15c12640fd2dbb237bd23da850", "email": "", "moblie": "", "language": "System Default",
    "hasvoicemail": "on", "enablevmtoemail": "off", "vmsecret": "1000", "alwaysforward": "off",
    "noanswerforward": "on", "ntransferto": "Voicemail", "ntransferprefix": "", "busyforward": "on",
    "btransferto": "Voicemail", "btransferprefix": "", "ringsimultaneous": "off", "mobileprefix": "",
    "enablemobile": "off", "allowbeingmonitored": "off", "monitormode": "Disabled", "ringtimeout": "30",
    "maxduration": "Follow System", "dnd": "off", "callrestriction": "off",
}


def vendor_sample():
    """The seven extensions of the vendor's extensionlist/query sample, with full settings."""
    sample = [
        dict(VENDOR_QUERY_SAMPLE),
        {"extnumber": "1001", "username": "1001", "status": "Idle", "type": "FXS", "port": "Span2-Port2",
         "callerid": "1001", "registername": "", "registerpassword": "Yeastar301", "loginpassword": "Lobby1001",
         "vmsecret": "1001", "noanswerforward": "off", "maxduration": "3600", "language": "English"},
        {"extnumber": "1002", "username": "Amy", "status": "Registered", "type": "SIP", "callerid": "1002",
         "registername": "1002", "registerpassword": "Amy2Reg9x", "maxregistrations": "3", "loginpassword": "Amy#Web2020",
         "email": "amy@example.com", "moblie": "13489999999", "hasvoicemail": "on", "enablevmtoemail": "on",
         "vmsecret": "2580", "ntransferto": "Mobile Number", "ntransferprefix": "9", "enablemobile": "on",
         "ringsimultaneous": "on", "mobileprefix": "9", "allowbeingmonitored": "on", "monitormode": "Listen",
         "ringtimeout": "60", "agentid": "6932"},
        {"extnumber": "1003", "username": "1003", "status": "Registered", "type": "SIP", "callerid": "1003",
         "registername": "1003", "registerpassword": "k7Qp2zW4", "maxregistrations": "2", "loginpassword": "Desk1003!",
         "vmsecret": "1003", "btransferto": "Extension", "btransferext": "1002", "callrestriction": "on"},
        {"extnumber": "1004", "username": "1004", "status": "Registered", "type": "SIP", "callerid": "1004",
         "registername": "1004", "registerpassword": "r9Lm3xT1", "loginpassword": "Desk1004!", "vmsecret": "41004",
         "alwaysforward": "on", "atransferto": "Custom Number", "atransferprefix": "0", "atransfernum": "5551234",
         "dnd": "on", "maxregistrations": "5"},
        {"extnumber": "1005", "username": "1005", "status": "Registered", "type": "IAX", "callerid": "1005",
         "registername": "1005", "registerpassword": "iax1005Pw", "loginpassword": "Iax1005pw", "vmsecret": "1005",
         "hasvoicemail": "off", "noanswerforward": "off", "busyforward": "off", "ringtimeout": "15",
         "maxduration": "Unlimited"},
        {"extnumber": "1006", "username": "Lisa", "status": "Unavailable", "type": "SIP", "callerid": "Lisa1006",
         "registername": "1006", "registerpassword": "Lisa6Reg", "loginpassword": "Lisa@2021", "email": "lisa@example.com",
         "moblie": "13500001111", "vmsecret": "6006", "allowbeingmonitored": "on", "monitormode": "Whisper",
         "ringtimeout": "120", "maxduration": "1800", "language": "French"},
    ]
    return [complete(item) for item in sample]


_FIRST = ("Ina", "Amy", "Lisa", "Omar", "Ken", "Mia", "Raj", "Eva", "Leo", "Zoe", "Ivan", "Nora", "Tom", "Sara", "Yuki",
          "Paul", "Hana", "Igor", "Lena", "Marc")
_LAST = ("Tang", "Smith", "Chen", "Garcia", "Novak", "Okafor", "Silva", "Kim", "Meyer", "Rossi", "Haddad", "Berg",
         "Costa", "Patel", "Dubois", "Sato")


def generated(count, first=1000):
    """``count`` plausible extensions numbered from ``first``; the same arguments give the same data."""
    rng = random.Random(first)
    records = []
    fxs_ports = 0
    for index in range(count):
        number = str(first + index)
        roll = rng.random()
        ext_type = "FXS" if roll < 0.1 else "IAX" if roll < 0.2 else "SIP"
        record = {"extnumber": number, "type": ext_type}
        if ext_type == "FXS":
            record["port"] = "Span%d-Port%d" % (1 + fxs_ports // 24, 1 + fxs_ports % 24)
            fxs_ports += 1
            record["status"] = rng.choice(("Idle", "Idle", "Idle", "Busy", "Fxsnoport"))
        else:
            record["status"] = rng.choice(("Registered", "Registered", "Registered", "Unavailable", "Unavailable",
                                           "Ringing", "Busy", "Hold"))
        if rng.random() < 0.75:
            given, family = rng.choice(_FIRST), rng.choice(_LAST)
            record["username"] = "%s %s" % (given, family)
            record["email"] = "%s.%s%s@example.com" % (given.lower(), family.lower(), number)
        if rng.random() < 0.3:
            record["moblie"] = "13%09d" % rng.randrange(10 ** 9)
        record["registerpassword"] = "Ys%08x" % rng.getrandbits(32)
        record["loginpassword"] = md5_hex("Pw%08x" % rng.getrandbits(32))
        record["vmsecret"] = "%04d" % rng.randrange(10000)
        record["maxregistrations"] = rng.choice(("1", "1", "2", "3", "5"))
        record["ringtimeout"] = rng.choice(("30", "30", "15", "60"))
        record["dnd"] = "on" if rng.random() < 0.1 else "off"
        records.append(complete(record))
    return records


def load_file(path, raw=False):
    """Records from a JSON or YAML file: a list, or an object with an ``extensions`` list.

    ``raw`` keeps the records as they are (a state file), else they are completed with defaults.
    """
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if os.path.splitext(path)[1].lower() in (".yml", ".yaml"):
        import yaml  # optional, only for YAML seed files

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise ValueError("%s: %s" % (path, error))
    else:
        data = json.loads(text)
    if isinstance(data, dict):
        data = data.get("extensions")
    if not isinstance(data, list):
        raise ValueError("%s: expected a list of extensions" % path)
    if raw:
        for item in data:
            if not isinstance(item, dict) or not isinstance(item.get("extnumber"), str):
                raise ValueError("%s: every extension needs a string extnumber" % path)
        return data
    return [complete(item) for item in data]
