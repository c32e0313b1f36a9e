# Thin wrappers: the logic lives in tools/*.sh.
#   make demo    install the collection, start the PBX simulator, run playbooks/demo.yml
#   make test    everything CI runs (see the top of tools/test.sh for SKIP_* options)

.PHONY: demo test venv tree lint sanity units clean

demo:
	bash tools/demo.sh

test:
	bash tools/test.sh

venv:
	bash tools/venv.sh

tree:
	bash tools/build-tree.sh

sanity:
	SKIP_UNITS=1 SKIP_LINT=1 SKIP_INTEGRATION=1 bash tools/test.sh

units:
	SKIP_SANITY=1 SKIP_LINT=1 SKIP_INTEGRATION=1 bash tools/test.sh

lint:
	SKIP_SANITY=1 SKIP_UNITS=1 SKIP_INTEGRATION=1 bash tools/test.sh

clean:
	rm -rf .build tests/output
