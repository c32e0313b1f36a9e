# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Sphinx settings of the voiceops.pbx documentation site, built by tools/docs.sh into docs/site.

The source directory is assembled by tools/docs.sh: the plugin pages that antsibull-docs
renders from the collection, the guides of docs/*.md (MyST), and index.rst from here. The
build runs offline: no intersphinx; the few references into the Ansible documentation that
the plugin pages make are turned into plain links to docs.ansible.com below.
"""

from __future__ import annotations

from docutils import nodes

project = "voiceops.pbx"
copyright = "voiceops.pbx contributors"  # pylint: disable=redefined-builtin
title = "voiceops.pbx documentation"
html_short_title = "voiceops.pbx"

extensions = ["myst_parser", "sphinx_antsibull_ext"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_heading_anchors = 3

pygments_style = "ansible"
highlight_language = "YAML+Jinja"

html_theme = "sphinx_ansible_theme"
html_show_sphinx = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
html_title = title

default_role = "any"
nitpicky = True

ANSIBLE_DOCS = "https://docs.ansible.com/ansible/latest/"
# Labels of the Ansible documentation that antsibull-docs' plugin pages refer to.
EXTERNAL_LABELS = {
    "ansible_configuration_settings": "reference_appendices/config.html",
    "common_return_values": "reference_appendices/common_return_values.html",
}


def resolve_ansible_reference(app, env, node, contnode):
    """A link to docs.ansible.com for a label or an environment variable of ansible-core."""
    del app, env
    target = node.get("reftarget", "")
    if node.get("reftype") == "ref" and target in EXTERNAL_LABELS:
        url = ANSIBLE_DOCS + EXTERNAL_LABELS[target]
    elif node.get("reftype") == "envvar" and target.startswith("ANSIBLE_"):
        url = ANSIBLE_DOCS + "reference_appendices/config.html#envvar-" + target
    else:
        return None
    reference = nodes.reference("", "", internal=False, refuri=url)
    reference.append(contnode)
    return reference


def setup(app):
    app.connect("missing-reference", resolve_ansible_reference)
