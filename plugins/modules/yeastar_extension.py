#!/usr/bin/python
# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: yeastar_extension
short_description: Create, configure and delete extensions of a Yeastar S-Series PBX
version_added: 0.1.0
description:
  - Configures extensions of a Yeastar S-Series PBX through its HTTPS API, one or hundreds per task; with API v2.0.0
    (O(api_version=v2.0.0), firmware 30.13.0.30 and later) also creates them (O(state=present)) and deletes them
    (O(state=absent), O(purge)).
  - Reads the current settings, compares them with the wanted ones and sends only the fields that differ,
    in one C(extension/update) call per extension that differs. A second identical run sends no update.
  - An extension that does not exist is created with one C(extension/add) that carries every setting of the task.
    Creating needs O(display_name), O(register_name) and O(register_password), as the PBX does.
  - Every option also takes the vendor API's field name as an alias (C(registerpassword), C(callerid),
    C(hasvoicemail), C(ntransferto), C(ringtimeout), C(extid), C(number), C(extnumber), ...), so that field names can
    be copied from the vendor documentation of either API version.
  - What is wrong whatever the PBX holds is refused before any request is sent, by the rules of the O(api_version),
    such as extension numbers, the values of on/off, number and choice options, a forward without its target, and a
    blank O(register_password), O(login_password) or O(language), which the PBX never holds.
  - A text value that the rules refuse (a display name of 40 characters on API v1.x, say) is checked after the read,
    against the options that would change. A value the PBX already holds (set in its web interface) is no change and
    never fails, so that settings read with M(voiceops.pbx.yeastar_extension_info) can be passed back; one that
    would be written fails the task before any write. So does what only the PBX's current settings can tell (a
    missing extension without the fields that creating it needs, a password that would contain its display name).
  - API v1.x (firmware before 30.13.0.30) cannot create or delete extensions; there, an extension that does not
    exist is an error, and O(state=absent) and O(purge) fail before any request.
  - API v2.0.0 cannot renumber an extension; O(new_extension) fails there, unless the extension was renumbered already.
author:
  - VoiceOps PBX team (@voiceops)
extends_documentation_fragment:
  - voiceops.pbx.yeastar
  - voiceops.pbx.yeastar.action_group
  - ansible.builtin.action_common_attributes
  - voiceops.pbx.attributes
attributes:
  check_mode:
    support: full
    details: Reads the current settings and reports what would be created, updated and deleted, without sending any write.
  diff_mode:
    support: full
    details:
      - Before and after values of the changed fields; every setting of a created extension; the settings of a deleted
        one (for an extension deleted by O(purge), its display name and type).
      - Secrets are shown masked.
notes:
  - Secrets (O(register_password), O(login_password), O(voicemail_pin)) are compared with the PBX's values
    (the login password through its MD5 digest) and are never returned in clear.
  - A secret given as V(********), the mask that M(voiceops.pbx.yeastar_extension_info) returns, is left unchanged,
    so that settings read with that module can be passed back to this one.
  - Cost of a run, for N extensions in O(extensions) and a O(batch_size) of B, one login, ceil(N / B) queries
    (plus one list call with O(purge), or when a query names an extension the PBX does not have), one update per
    extension that differs, one C(extension/add) per extension created, ceil(M / B) C(extension/delete) calls for
    M deletions, and one logout.
  - Writes go out in the order of O(extensions), deletions last, so that a refused creation or update deletes nothing.
  - C(extension/delete) is only ever sent with extension numbers; the vendor's value C(all), which deletes every
    extension, is never sent.
  - The mapping of options to the fields of each API version, and the choices made where the vendor documentation is
    silent, are in the collection's C(docs/extension-lifecycle.md).
seealso:
  - module: voiceops.pbx.yeastar_extension_info
options:
  extension:
    description:
      - Number of the extension to configure, create or delete (the vendor's C(extid) on API v1.x, C(number) on
        v2.0.0). An unquoted number works.
      - >-
        Or a list of numbers that the settings of the task apply to alike, as if each were an item of O(extensions)
        naming only its number; the result then has the shape of the result of O(extensions). Such as
        C(extension: "{{ sip.extensions | map(attribute='number') | list }}") after
        M(voiceops.pbx.yeastar_extension_info) with O(voiceops.pbx.yeastar_extension_info#module:type=SIP).
      - "Quote numbers with leading zeros: YAML reads an unquoted V(0100) as the octal number 64."
      - Mutually exclusive with O(extensions) and O(all_of_type); one of the three is required.
    type: raw
    aliases: [extid, number]
  all_of_type:
    description:
      - Configure every extension of these types alike with the settings of the task, as if each were an item of
        O(extensions) naming only its number, such as every SIP extension of the PBX for a voicemail policy.
      - The task reads the PBX's list of extensions itself (one list call), then reads them in batches and updates
        only those that differ. The result has the keys of the result of O(extensions), and RV(results) lists only
        the extensions that were (or would be) updated or failed, without their settings; the others are in
        RV(unchanged).
      - Mutually exclusive with O(extension) and O(extensions). Not with O(state=absent), O(new_extension) or O(purge).
    type: list
    elements: str
    choices: [SIP, IAX, FXS]
  new_extension:
    description:
      - Renumber the extension to this number (the vendor's C(extnumber)). API v1.x only.
      - Idempotent; when O(extension) no longer exists and O(new_extension) does, the extension counts as already
        renumbered and the other settings apply to O(new_extension). The task then warns, since a typo in
        O(extension) reads the same way and renumbers nothing.
    type: raw
    aliases: [extnumber]
  state:
    description:
      - V(present) creates the extension when it does not exist (API v2.0.0) and configures it.
      - V(absent) deletes it (API v2.0.0); an extension that does not exist already is no change.
      - With O(extensions), the state of every item that does not set its own.
    type: str
    choices: [present, absent]
    default: present
  update_password:
    description:
      - V(always) compares O(register_password) and O(login_password) with the PBX's and sends them when they differ.
      - V(on_create) sends them only when the extension is created; an existing extension's passwords are never
        compared or sent, so that users may change them afterwards.
    type: str
    choices: [always, on_create]
    default: always
  strong_passwords:
    description:
      - Whether the PBX's strong password policy is on (the PBX's default). API v2.0.0 only.
      - When true, every O(register_password) (at least 16 characters) and O(login_password) (at least 10) must mix
        digits with upper- and lowercase letters, must not hold three consecutive digits such as V(123) or V(987), and
        must contain neither the extension number nor the display name.
      - Set it to false only when the policy is switched off on the PBX.
    type: bool
    default: true
  purge:
    description:
      - Delete every extension of the PBX that O(extensions) does not name (as O(extensions[].extension) or
        O(extensions[].new_extension), whatever its state), but those in O(purge_exclude). API v2.0.0 only.
      - So that a file can describe a whole PBX. Refused with an empty O(extensions) and without O(extensions).
      - Check mode and diff mode show what would be deleted.
    type: bool
    default: false
  purge_exclude:
    description:
      - Extension numbers and ranges that O(purge) never deletes, such as V(1000) or V(1000-1009) (the operator's
        extension, the FXS ports).
    type: list
    elements: raw
    default: []
  extensions:
    description:
      - Configure, create or delete many extensions in one task. Each item takes O(extensions[].extension),
        O(extensions[].new_extension), O(extensions[].state) and every setting.
      - Settings given at the top level of the task apply to every item that does not set them itself.
      - All items are checked before any request. Then one login, batched reads, one write per extension
        that differs, batched deletions, one logout. When the PBX refuses a write, the module stops there and fails;
        the result says which extensions were created, updated and deleted, which failed and which were not attempted.
    type: list
    elements: dict
    suboptions:
      extension:
        description:
          - Number of the extension. An unquoted number works.
          - "Quote numbers with leading zeros: YAML reads an unquoted V(0100) as the octal number 64."
        type: raw
        required: true
        aliases: [extid, number]
      new_extension:
        description:
          - Renumber the extension to this number. API v1.x only.
          - As O(new_extension); when O(extensions[].extension) does not exist and this number does, the settings
            apply to this number and the task warns.
        type: raw
        aliases: [extnumber]
      state:
        description:
          - V(present) or V(absent), as O(state); default, the task's O(state).
        type: str
        choices: [present, absent]
      display_name:
        description:
          - The user's display name.
          - 'Valid values: letters, digits and spaces, at most 31, may be blank.'
          - 'On API v2.0.0: at most 63 characters, none of ! % . @ : ; & " '' \ < > ` $, not blank.'
        type: str
        aliases: [username]
      caller_id:
        description:
          - Caller ID presented on internal calls.
          - 'Valid values: letters and digits, at most 31, may be blank.'
        type: str
        aliases: [callerid]
      register_name:
        description:
          - SIP/IAX registration (authentication) name.
          - 'Valid values: at most 31 characters, not blank.'
          - 'On API v2.0.0: letters and digits, at most 31, not blank.'
        type: str
        aliases: [registername]
      register_password:
        description:
          - SIP/IAX registration password.
          - 'Valid values: 1 to 31 characters, none of ; & " '' \ < > | ` or space.'
          - 'On API v2.0.0: 1 to 63 characters: letters, digits and ~ ^ * - _ ? only.'
          - Never shown in results or diffs.
        type: str
        aliases: [registerpassword]
      max_registrations:
        description:
          - Devices that may register at the same time.
          - 'Valid values: a whole number from 1 to 5.'
        type: int
        aliases: [maxregistrations]
      login_password:
        description:
          - Password of the user's web portal; the PBX keeps only its MD5 digest.
          - 'Valid values: 6 to 63 characters, none of ; & " '' \ < > | ` or space.'
          - 'On API v2.0.0: 6 to 63 characters: letters, digits and ~ ^ * - _ ? only.'
          - Never shown in results or diffs.
        type: str
        aliases: [loginpassword]
      email:
        description:
          - The user's e-mail address.
          - 'Valid values: an e-mail address such as ina@example.com (at most 254 characters), or blank.'
          - 'On API v2.0.0: an e-mail address such as ina@example.com (at most 254 characters), without space or any of # ; , [ ] = & " '' \ < > ` $, or blank.'
        type: str
      mobile:
        description:
          - The user's mobile number.
          - 'Valid values: digits only, at most 31.'
        type: str
        aliases: [moblie]
      language:
        description:
          - Language of the system prompts.
          - 'Valid values: "System Default" or the name of an installed prompt language.'
        type: str
      voicemail:
        description:
          - Enable the voicemail box.
          - 'Valid values: on or off (a boolean).'
        type: bool
        aliases: [hasvoicemail]
      voicemail_to_email:
        description:
          - Send new voicemail to the e-mail address; V(custom) (API v2.0.0) sends it to a custom address.
          - 'Valid values: a boolean (custom needs api_version v2.0.0).'
          - 'On API v2.0.0: a boolean, or custom.'
        type: raw
        aliases: [enablevmtoemail]
      voicemail_pin:
        description:
          - Voicemail access PIN.
          - 'Valid values: digits only, at most 63.'
          - Never shown in results or diffs.
        type: str
        aliases: [vmsecret]
      always_forward:
        description:
          - Forward calls always.
          - 'Valid values: on or off (a boolean).'
        type: bool
        aliases: [alwaysforward]
      always_forward_to:
        description:
          - Where calls are forwarded always.
          - 'Valid values: one of Voicemail, Extension, Mobile Number, Custom Number.'
        type: str
        aliases: [atransferto]
        choices: [Voicemail, Extension, "Mobile Number", "Custom Number"]
      always_forward_extension:
        description:
          - Extension that receives the calls forwarded always when the destination is Extension.
          - 'Valid values: digits only, at most 31.'
        type: str
        aliases: [atransferext]
      always_forward_prefix:
        description:
          - Outbound prefix for the calls forwarded always to a number.
          - 'Valid values: digits only, at most 7.'
        type: str
        aliases: [atransferprefix]
      always_forward_number:
        description:
          - Number that receives the calls forwarded always when the destination is Custom Number.
          - 'Valid values: digits only, at most 15.'
        type: str
        aliases: [atransfernum]
      no_answer_forward:
        description:
          - Forward calls when not answered.
          - 'Valid values: on or off (a boolean).'
        type: bool
        aliases: [noanswerforward]
      no_answer_forward_to:
        description:
          - Where calls are forwarded when not answered.
          - 'Valid values: one of Voicemail, Extension, Mobile Number, Custom Number.'
        type: str
        aliases: [ntransferto]
        choices: [Voicemail, Extension, "Mobile Number", "Custom Number"]
      no_answer_forward_extension:
        description:
          - Extension that receives the calls forwarded when not answered when the destination is Extension.
          - 'Valid values: digits only, at most 31.'
        type: str
        aliases: [ntransferext]
      no_answer_forward_prefix:
        description:
          - Outbound prefix for the calls forwarded when not answered to a number.
          - 'Valid values: digits only, at most 7.'
        type: str
        aliases: [ntransferprefix]
      no_answer_forward_number:
        description:
          - Number that receives the calls forwarded when not answered when the destination is Custom Number.
          - 'Valid values: digits only, at most 15.'
        type: str
        aliases: [ntransfernum]
      busy_forward:
        description:
          - Forward calls when busy.
          - 'Valid values: on or off (a boolean).'
        type: bool
        aliases: [busyforward]
      busy_forward_to:
        description:
          - Where calls are forwarded when busy.
          - 'Valid values: one of Voicemail, Extension, Mobile Number, Custom Number.'
        type: str
        aliases: [btransferto]
        choices: [Voicemail, Extension, "Mobile Number", "Custom Number"]
      busy_forward_extension:
        description:
          - Extension that receives the calls forwarded when busy when the destination is Extension.
          - 'Valid values: digits only, at most 31.'
        type: str
        aliases: [btransferext]
      busy_forward_prefix:
        description:
          - Outbound prefix for the calls forwarded when busy to a number.
          - 'Valid values: digits only, at most 7.'
        type: str
        aliases: [btransferprefix]
      busy_forward_number:
        description:
          - Number that receives the calls forwarded when busy when the destination is Custom Number.
          - 'Valid values: digits only, at most 15.'
        type: str
        aliases: [btransfernum]
      mobility_extension:
        description:
          - Ring the mobile number as a mobility extension.
          - 'Valid values: on or off (a boolean).'
        type: bool
        aliases: [enablemobile]
      ring_simultaneously:
        description:
          - Ring the mobility extension together with the extension.
          - 'Valid values: on or off (a boolean).'
        type: bool
        aliases: [ringsimultaneous]
      mobile_prefix:
        description:
          - Outbound prefix used to reach the mobile number.
          - 'Valid values: digits only, at most 7.'
        type: str
        aliases: [mobileprefix]
      allow_being_monitored:
        description:
          - Allow the extension's calls to be monitored.
          - 'Valid values: on or off (a boolean).'
        type: bool
        aliases: [allowbeingmonitored]
      monitor_mode:
        description:
          - How this extension may monitor others' calls.
          - 'Valid values: one of Disabled, Extensive, Listen, Whisper, Barge-in.'
        type: str
        aliases: [monitormode]
        choices: [Disabled, Extensive, Listen, Whisper, "Barge-in"]
      ring_timeout:
        description:
          - Seconds to ring before no-answer handling.
          - 'Valid values: one of 15, 30, 60, 120, 300 (seconds).'
        type: int
        aliases: [ringtimeout]
        choices: [15, 30, 60, 120, 300]
      max_call_duration:
        description:
          - Longest call allowed.
          - 'Valid values: Follow System, Unlimited, or one of 60, 300, 600, 900, 1800, 3600, 6000 (seconds).'
        type: raw
        aliases: [maxduration]
      do_not_disturb:
        description:
          - Do not disturb.
          - 'Valid values: on or off (a boolean).'
        type: bool
        aliases: [dnd]
      call_restriction:
        description:
          - Restrict outbound dialing.
          - 'Valid values: on or off (a boolean).'
        type: bool
        aliases: [callrestriction]
      agent_id:
        description:
          - Agent ID announced in the greeting instead of the extension number.
          - 'Valid values: digits only, at most 31.'
        type: str
        aliases: [agentid]
  batch_size:
    description:
      - How many extensions one C(extension/query) or C(extension/delete) call names.
    type: int
    default: 100
  display_name:
    description:
      - The user's display name.
      - 'Valid values: letters, digits and spaces, at most 31, may be blank.'
      - 'On API v2.0.0: at most 63 characters, none of ! % . @ : ; & " '' \ < > ` $, not blank.'
    type: str
    aliases: [username]
  caller_id:
    description:
      - Caller ID presented on internal calls.
      - 'Valid values: letters and digits, at most 31, may be blank.'
    type: str
    aliases: [callerid]
  register_name:
    description:
      - SIP/IAX registration (authentication) name.
      - 'Valid values: at most 31 characters, not blank.'
      - 'On API v2.0.0: letters and digits, at most 31, not blank.'
    type: str
    aliases: [registername]
  register_password:
    description:
      - SIP/IAX registration password.
      - 'Valid values: 1 to 31 characters, none of ; & " '' \ < > | ` or space.'
      - 'On API v2.0.0: 1 to 63 characters: letters, digits and ~ ^ * - _ ? only.'
      - Never shown in results or diffs.
    type: str
    aliases: [registerpassword]
  max_registrations:
    description:
      - Devices that may register at the same time.
      - 'Valid values: a whole number from 1 to 5.'
    type: int
    aliases: [maxregistrations]
  login_password:
    description:
      - Password of the user's web portal; the PBX keeps only its MD5 digest.
      - 'Valid values: 6 to 63 characters, none of ; & " '' \ < > | ` or space.'
      - 'On API v2.0.0: 6 to 63 characters: letters, digits and ~ ^ * - _ ? only.'
      - Never shown in results or diffs.
    type: str
    aliases: [loginpassword]
  email:
    description:
      - The user's e-mail address.
      - 'Valid values: an e-mail address such as ina@example.com (at most 254 characters), or blank.'
      - 'On API v2.0.0: an e-mail address such as ina@example.com (at most 254 characters), without space or any of # ; , [ ] = & " '' \ < > ` $, or blank.'
    type: str
  mobile:
    description:
      - The user's mobile number.
      - 'Valid values: digits only, at most 31.'
    type: str
    aliases: [moblie]
  language:
    description:
      - Language of the system prompts.
      - 'Valid values: "System Default" or the name of an installed prompt language.'
    type: str
  voicemail:
    description:
      - Enable the voicemail box.
      - 'Valid values: on or off (a boolean).'
    type: bool
    aliases: [hasvoicemail]
  voicemail_to_email:
    description:
      - Send new voicemail to the e-mail address; V(custom) (API v2.0.0) sends it to a custom address.
      - 'Valid values: a boolean (custom needs api_version v2.0.0).'
      - 'On API v2.0.0: a boolean, or custom.'
    type: raw
    aliases: [enablevmtoemail]
  voicemail_pin:
    description:
      - Voicemail access PIN.
      - 'Valid values: digits only, at most 63.'
      - Never shown in results or diffs.
    type: str
    aliases: [vmsecret]
  always_forward:
    description:
      - Forward calls always.
      - 'Valid values: on or off (a boolean).'
    type: bool
    aliases: [alwaysforward]
  always_forward_to:
    description:
      - Where calls are forwarded always.
      - 'Valid values: one of Voicemail, Extension, Mobile Number, Custom Number.'
    type: str
    aliases: [atransferto]
    choices: [Voicemail, Extension, "Mobile Number", "Custom Number"]
  always_forward_extension:
    description:
      - Extension that receives the calls forwarded always when the destination is Extension.
      - 'Valid values: digits only, at most 31.'
    type: str
    aliases: [atransferext]
  always_forward_prefix:
    description:
      - Outbound prefix for the calls forwarded always to a number.
      - 'Valid values: digits only, at most 7.'
    type: str
    aliases: [atransferprefix]
  always_forward_number:
    description:
      - Number that receives the calls forwarded always when the destination is Custom Number.
      - 'Valid values: digits only, at most 15.'
    type: str
    aliases: [atransfernum]
  no_answer_forward:
    description:
      - Forward calls when not answered.
      - 'Valid values: on or off (a boolean).'
    type: bool
    aliases: [noanswerforward]
  no_answer_forward_to:
    description:
      - Where calls are forwarded when not answered.
      - 'Valid values: one of Voicemail, Extension, Mobile Number, Custom Number.'
    type: str
    aliases: [ntransferto]
    choices: [Voicemail, Extension, "Mobile Number", "Custom Number"]
  no_answer_forward_extension:
    description:
      - Extension that receives the calls forwarded when not answered when the destination is Extension.
      - 'Valid values: digits only, at most 31.'
    type: str
    aliases: [ntransferext]
  no_answer_forward_prefix:
    description:
      - Outbound prefix for the calls forwarded when not answered to a number.
      - 'Valid values: digits only, at most 7.'
    type: str
    aliases: [ntransferprefix]
  no_answer_forward_number:
    description:
      - Number that receives the calls forwarded when not answered when the destination is Custom Number.
      - 'Valid values: digits only, at most 15.'
    type: str
    aliases: [ntransfernum]
  busy_forward:
    description:
      - Forward calls when busy.
      - 'Valid values: on or off (a boolean).'
    type: bool
    aliases: [busyforward]
  busy_forward_to:
    description:
      - Where calls are forwarded when busy.
      - 'Valid values: one of Voicemail, Extension, Mobile Number, Custom Number.'
    type: str
    aliases: [btransferto]
    choices: [Voicemail, Extension, "Mobile Number", "Custom Number"]
  busy_forward_extension:
    description:
      - Extension that receives the calls forwarded when busy when the destination is Extension.
      - 'Valid values: digits only, at most 31.'
    type: str
    aliases: [btransferext]
  busy_forward_prefix:
    description:
      - Outbound prefix for the calls forwarded when busy to a number.
      - 'Valid values: digits only, at most 7.'
    type: str
    aliases: [btransferprefix]
  busy_forward_number:
    description:
      - Number that receives the calls forwarded when busy when the destination is Custom Number.
      - 'Valid values: digits only, at most 15.'
    type: str
    aliases: [btransfernum]
  mobility_extension:
    description:
      - Ring the mobile number as a mobility extension.
      - 'Valid values: on or off (a boolean).'
    type: bool
    aliases: [enablemobile]
  ring_simultaneously:
    description:
      - Ring the mobility extension together with the extension.
      - 'Valid values: on or off (a boolean).'
    type: bool
    aliases: [ringsimultaneous]
  mobile_prefix:
    description:
      - Outbound prefix used to reach the mobile number.
      - 'Valid values: digits only, at most 7.'
    type: str
    aliases: [mobileprefix]
  allow_being_monitored:
    description:
      - Allow the extension's calls to be monitored.
      - 'Valid values: on or off (a boolean).'
    type: bool
    aliases: [allowbeingmonitored]
  monitor_mode:
    description:
      - How this extension may monitor others' calls.
      - 'Valid values: one of Disabled, Extensive, Listen, Whisper, Barge-in.'
    type: str
    aliases: [monitormode]
    choices: [Disabled, Extensive, Listen, Whisper, "Barge-in"]
  ring_timeout:
    description:
      - Seconds to ring before no-answer handling.
      - 'Valid values: one of 15, 30, 60, 120, 300 (seconds).'
    type: int
    aliases: [ringtimeout]
    choices: [15, 30, 60, 120, 300]
  max_call_duration:
    description:
      - Longest call allowed.
      - 'Valid values: Follow System, Unlimited, or one of 60, 300, 600, 900, 1800, 3600, 6000 (seconds).'
    type: raw
    aliases: [maxduration]
  do_not_disturb:
    description:
      - Do not disturb.
      - 'Valid values: on or off (a boolean).'
    type: bool
    aliases: [dnd]
  call_restriction:
    description:
      - Restrict outbound dialing.
      - 'Valid values: on or off (a boolean).'
    type: bool
    aliases: [callrestriction]
  agent_id:
    description:
      - Agent ID announced in the greeting instead of the extension number.
      - 'Valid values: digits only, at most 31.'
    type: str
    aliases: [agentid]
"""

EXAMPLES = r"""
- name: Give extension 1002 a voicemail box and forward unanswered calls to it after 30 seconds
  voiceops.pbx.yeastar_extension:
    host: pbx.example.com
    api_username: api
    api_password: "{{ vault_yeastar_api_password }}"
    extension: 1002
    display_name: Amy Lee
    voicemail: true
    voicemail_pin: "4711"
    no_answer_forward: true
    no_answer_forward_to: Voicemail
    ring_timeout: 30

- name: The same with the vendor's field names, connection from module_defaults
  module_defaults:
    group/voiceops.pbx.yeastar:
      host: pbx.example.com
      api_username: api
      api_password: "{{ vault_yeastar_api_password }}"
  voiceops.pbx.yeastar_extension:
    extid: 1002
    username: Amy Lee
    hasvoicemail: "on"
    noanswerforward: "on"
    ntransferto: Voicemail
    ringtimeout: 30

- name: Forward calls to a mobile phone when busy
  voiceops.pbx.yeastar_extension:
    extension: 1003
    busy_forward: true
    busy_forward_to: Custom Number
    busy_forward_prefix: "9"
    busy_forward_number: "0612345678"

- name: Renumber extension 1006 to 2006 (idempotent)
  voiceops.pbx.yeastar_extension:
    extension: 1006
    new_extension: 2006

- name: Enforce a voicemail policy on many extensions in one task
  voiceops.pbx.yeastar_extension:
    extension: "{{ sales_extensions }}"  # a list of numbers
    voicemail: true
    voicemail_to_email: true
    no_answer_forward: true
    no_answer_forward_to: Voicemail

- name: Give every SIP extension a voicemail box (lists and reads them in batches, updates only those without one)
  voiceops.pbx.yeastar_extension:
    all_of_type: SIP
    voicemail: true
    busy_forward: true
    busy_forward_to: Voicemail

- name: Apply per-extension settings from a vars file
  voiceops.pbx.yeastar_extension:
    extensions:
      - extension: 1000
        display_name: Reception
        caller_id: Reception
      - extension: 1001
        display_name: Fax
        do_not_disturb: true
  register: applied

- name: Onboard a new employee (API v2.0.0; created when missing, configured otherwise)
  voiceops.pbx.yeastar_extension:
    api_version: v2.0.0
    extension: 2041
    display_name: Ina Tang
    register_name: "2041"
    register_password: "{{ vault_register_passwords['2041'] }}"
    email: ina.tang@example.com
    voicemail: true
    update_password: on_create

- name: Offboard a leaver (API v2.0.0)
  voiceops.pbx.yeastar_extension:
    api_version: v2.0.0
    extension: 2017
    state: absent

- name: Make the PBX hold exactly the extensions of a file, never touching 1000-1009 (API v2.0.0)
  voiceops.pbx.yeastar_extension:
    api_version: v2.0.0
    extensions: "{{ pbx_extensions }}"
    update_password: on_create
    purge: true
    purge_exclude: ["1000-1009"]
  check_mode: true
  diff: true

- name: Preview changes without sending them
  voiceops.pbx.yeastar_extension:
    extension: 1004
    max_registrations: 3
  check_mode: true
  diff: true
"""

RETURN = r"""
extension:
  description:
    - The settings of the extension after the task (or as they would be, in check mode), secrets masked.
    - For a created extension, the settings the task sent (the PBX gives the others its defaults); for a deleted
      or absent one, only its number.
  returned: success, when O(extension) is one number
  type: dict
  sample: {extension: "1002", display_name: Amy Lee, voicemail: true, voicemail_pin: "********", ring_timeout: 30}
changed_fields:
  description: Options whose value was (or in check mode would be) sent to the PBX; C(new_extension) for a renumbering.
  returned: success, when O(extension) is one number
  type: list
  elements: str
  sample: [display_name, voicemail_pin]
outcome:
  description: V(created), V(updated), V(deleted), V(unchanged) (nothing to do) or V(failed), as in RV(results[].outcome).
  returned: when O(extension) is one number
  type: str
  sample: created
results:
  description:
    - One entry per item of O(extensions) (or number of O(extension)), in order, then one per extension that O(purge)
      deletes.
    - With O(all_of_type), one entry per extension that was (or would be) updated, whose update failed or was not
      attempted, without RV(results[].settings); the numbers of the others are in RV(unchanged). The task named
      none of them and gave each the same settings, and hundreds of entries saying nothing happened cost every
      run time and output.
  returned: when O(extensions), O(all_of_type) or a list in O(extension) is used
  type: list
  elements: dict
  contains:
    extension:
      description: The extension number after the task.
      type: str
    changed:
      description: Whether a write was (or would be) sent.
      type: bool
    changed_fields:
      description: Options that differed.
      type: list
      elements: str
    outcome:
      description:
        - V(created), V(updated), V(deleted), V(unchanged) (nothing to do, also for an absent extension that does
          not exist), V(failed) or V(not_attempted) (after an earlier failure).
        - In check mode, what would happen.
      type: str
    purged:
      description: True for an extension that O(purge) deletes (it is not an item of O(extensions)).
      type: bool
      returned: for purged extensions
    settings:
      description:
        - Settings of the extension after the task (or as they would be, in check mode), secrets masked; for a created
          extension, the settings the task sent.
        - Only for an extension that changed, would change or failed; an unchanged extension already has the
          settings the task asked for, and M(voiceops.pbx.yeastar_extension_info) returns all of them.
      type: dict
      returned: when the extension is (or would be) created or updated, or its write failed; not with O(all_of_type)
    error:
      description: Why the PBX refused the update, for the failed item.
      type: str
      returned: when outcome is failed
created:
  description: Extension numbers that were created (or would be, in check mode).
  returned: when O(extensions), O(all_of_type) or a list in O(extension) is used
  type: list
  elements: str
  sample: ["2041", "2042"]
updated:
  description: Extension numbers that were updated (or would be, in check mode).
  returned: when O(extensions), O(all_of_type) or a list in O(extension) is used
  type: list
  elements: str
  sample: ["1000", "1003"]
deleted:
  description: Extension numbers that were deleted (or would be, in check mode), by O(state=absent) or O(purge).
  returned: when O(extensions), O(all_of_type) or a list in O(extension) is used
  type: list
  elements: str
  sample: ["1006"]
unchanged:
  description: Extension numbers that needed nothing (already as the task asks, or absent as asked).
  returned: when O(extensions), O(all_of_type) or a list in O(extension) is used
  type: list
  elements: str
  sample: ["1001", "1002"]
failed_extensions:
  description: Extension numbers whose write failed (one, or one batch of deletions, since the module stops there).
  returned: when O(extensions), O(all_of_type) or a list in O(extension) is used
  type: list
  elements: str
  sample: []
not_attempted:
  description: Extension numbers left untouched because an earlier write failed.
  returned: when O(extensions), O(all_of_type) or a list in O(extension) is used
  type: list
  elements: str
  sample: []
problems:
  description:
    - Every problem that failed the task before any write, each naming the item and the field; the message names
      only the first few and counts the rest.
    - Problems of the input (nothing was sent to the PBX), or problems only the read revealed (nothing was changed).
  returned: on failure, when the input or the settings read from the PBX make the task impossible
  type: list
  elements: str
  sample: ["extensions[1]: email (email): 'nope' is invalid because it is not an e-mail address; allowed: ..."]
errno:
  description: The vendor's error code (a string such as V(20003)) when the PBX refused a call and the task failed.
  returned: on failure, when the PBX answered an error
  type: str
  sample: "10017"
api_calls:
  description: HTTP requests the task sent to the PBX, per API endpoint.
  returned: always
  type: dict
  sample: {login: 1, extension/query: 1, extension/update: 1, logout: 1}
retries:
  description:
    - Calls the task repeated, per API endpoint, after a transient failure (connection, timeout, HTTP 5xx,
      errno 30001 or 10025) or after logging in again for a lost token; empty when every call succeeded at once.
    - Each repeat is also counted in RV(api_calls).
  returned: always
  type: dict
  sample: {extension/update: 2}
"""

from ansible_collections.voiceops.pbx.plugins.module_utils._http_transport import ApiClientError, usage
from ansible_collections.voiceops.pbx.plugins.module_utils._message_lists import brief
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_api_versions import api_for
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_extension_outcome import apply_plan
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_extension_plan import (
    PlanError,
    plan_changes,
    plan_notes,
)
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_extension_requests import (
    read_purge,
    read_requests,
    requests_of_type,
)
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_extensions import list_extensions
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_module import YeastarModule
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_options import (
    extension_argument_spec,
    extension_constraints,
)


def main():
    module = YeastarModule(
        argument_spec=extension_argument_spec(),
        supports_check_mode=True,
        **extension_constraints()
    )
    params = module.params
    api = api_for(params["api_version"])
    bulk = params["extensions"] is not None or params["all_of_type"] is not None or isinstance(params["extension"], list)
    requests, problems = read_requests(params, api)
    purge, purge_problems = read_purge(params, api)
    problems.extend(purge_problems)
    if params["batch_size"] < 1:
        problems.append("batch_size: %s is invalid; it must be 1 or more" % params["batch_size"])
    if problems:
        module.fail_json(msg="Invalid input, nothing was sent to the PBX: " + brief(problems, "problems"),
                         problems=problems, **usage(None))

    client = module.client()
    try:
        with client:
            listed = None
            if params["all_of_type"] is not None:
                listed = {summary["number"]: summary for summary in list_extensions(client)}
                requests = requests_of_type(params, api, listed.values())
            plan = plan_changes(client, requests, params["batch_size"], purge, params["update_password"],
                                api.can_create and params["strong_passwords"], listed=listed)
            for note in plan_notes(plan):
                module.warn(note)
            outcome = apply_plan(client, plan, module.check_mode, params["batch_size"])
    except PlanError as err:
        module.fail_on_error(err, problems=err.problems, **usage(client))
    except (ApiClientError, ValueError) as err:
        module.fail_on_error(err, **usage(client))

    result = outcome.result(bulk, diff=module._diff, compact=params["all_of_type"] is not None)
    result.update(usage(client))
    if outcome.failure:
        module.fail_json(msg=outcome.failure, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
