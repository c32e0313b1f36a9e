"""Print the DOCUMENTATION options of the extension fields, from the field table.

Used when a field is added: paste the output into plugins/modules/yeastar_extension.py
(top level and under `extensions`); ansible-test's validate-modules checks that they match.
Usage: PYTHONPATH=<dir holding ansible_collections> python tools/field_docs.py INDENT
"""

from __future__ import annotations

import sys

from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_fields import FIELDS


def quoted(text):
    return "'%s'" % text.replace("'", "''")


def main():
    indent = " " * int(sys.argv[1]) if len(sys.argv) > 1 else ""
    for field in FIELDS:
        spec = field.argument_spec()
        lines = ["%s:" % field.option, "  description:", "    - %s" % field.description,
                 "    - %s" % quoted("Valid values: %s." % field.kind.rule)]
        if field.v2_kind is not field.kind:
            lines.append("    - %s" % quoted("On API v2.0.0: %s." % field.v2_kind.rule))
        if field.secret:
            lines.append("    - Never shown in results or diffs.")
        lines.append("  type: %s" % spec["type"])
        if spec.get("aliases"):
            lines.append("  aliases: [%s]" % ", ".join(spec["aliases"]))
        if spec.get("choices"):
            lines.append("  choices: [%s]" % ", ".join(
                '"%s"' % c if isinstance(c, str) and (" " in c or "-" in c) else str(c) for c in spec["choices"]))
        for line in lines:
            print(indent + line)


if __name__ == "__main__":
    main()
