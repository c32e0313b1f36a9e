# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of voiceops.pbx against the hand-written ansible.builtin.uri playbooks users run today.

A package, one module per concern: harness (running commands), simulator, playbooks, states (the
PBX's starting states and minimum calls), measurements, scenarios/ (one module each), report, charts, cli.

Run through tools/benchmark.sh (`make benchmark`, `make benchmark-smoke`), which makes the venv and
the ansible_collections copy of this checkout that ANSIBLE_COLLECTIONS_PATH must name.

For every size it starts the PBX simulator of tests/simulator as a separate process with N
extensions (so that the only processes measured are Ansible's), then for each scenario runs, in
alternation, the floor (the same ansible-playbook command line with one ansible.builtin.ping task),
our playbook and the uri baseline playbook; in scenarios 1-3 also the "Ansible floor" (information, not a
target): a module written into the work directory with exactly our module's argument spec and the same
task arguments, which makes no PBX call and returns our result as recorded in one more run of ours before
the repetitions, so that it costs what ansible-core itself spends on those arguments and that result.
Before each run the simulator's extensions are put back into the scenario's starting state and its call
counters are reset; after it, the counters are read through the admin API (/__sim__/counters) and
compared with the physical minimum (none for the Ansible floor).

Scenarios:
  1 read every extension's full settings    yeastar_extension_info details  vs  uri list + loop of queries
  2 enforce settings, nothing differs        yeastar_extension extensions    vs  uri loop of queries + loop of updates with when
  3 the same with 10% of extensions differing
  4 ansible-inventory --list with the plugin, cold and cached, against a static YAML inventory of the same hosts and vars
  5 sip_register_status for N numbers, and a wait that resolves in its 4th poll round
  6 yeastar_extension on API v2.0.0: one task creating C extensions and deleting M of the N existing ones,
    then the same task again (no uri baseline; timings are information, the PBX calls are checked)
  7 playbooks/fleet_policy.yml on a fleet of PBXes (default 20 x 500 extensions, --forks 10) against the same
    playbook running ansible.builtin.ping in place of our tasks; calls checked per PBX
  8 ansible-inventory --list with one source naming every PBX of the fleet, cold and cached, against a static
    inventory of the same hosts and vars; and in parallel against one PBX after another

Exit status: 0 when every checked target is met, 1 when one is not, 2 on a harness error.
The smoke size (--smoke) checks only the call counts: timings at tiny N are noise.
"""
