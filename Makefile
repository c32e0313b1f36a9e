# Thin wrappers: the logic lives in tools/*.sh.
#   make demo    install the collection, start the PBX simulator, run playbooks/demo.yml
#   make simulator        after make demo: the PBX simulators on ports 8088 and 8089 until Ctrl-C
#   make env              the environment for trying it by hand: eval "$(make -s env)"
#   make test    everything CI runs (see the top of tools/test.sh for SKIP_* and ONLY)
#   make docs    the documentation site in docs/site (and the docs lint)
#   make sanity | units | lint | galaxy | ee | compat   one step of make test
#   make benchmark        voiceops.pbx against hand-written uri playbooks; writes docs/performance.md
#   make benchmark-smoke  the same at N=50, PBX call counts only (a step of make test)
#   make mutation         mutation testing of plugins/module_utils and plugins/modules (hours; docs/mutation.md)

.PHONY: demo simulator env test venv tree lint sanity units docs galaxy ee compat benchmark benchmark-smoke mutation clean

demo:
	bash tools/demo.sh

simulator:
	bash tools/simulator.sh

env:
	@bash tools/simulator.sh env

test:
	bash tools/test.sh

venv:
	bash tools/venv.sh

tree:
	bash tools/build-tree.sh

# One step of make test (and what it needs), e.g. make sanity.
sanity units lint docs galaxy ee compat:
	ONLY=$@ bash tools/test.sh

benchmark:
	bash tools/benchmark.sh

benchmark-smoke:
	bash tools/benchmark.sh --smoke

mutation:
	bash tools/mutation.sh

clean:
	rm -rf .build tests/output docs/site
