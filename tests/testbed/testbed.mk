# Nested Xen + DRBD test bed (tests/testbed/README.md). Included by the
# top-level Makefile. Running these as root installs missing host packages.
TESTBED := tests/testbed/tb

.PHONY: check-testbed check-testbed-ci testbed-images testbed-clean

# every scenario in tests/testbed/scenarios/
check-testbed:
	$(TESTBED) check $(TB_SCENARIOS)

# the bounded set for CI (scenarios tagged "# tb: ci"); none of them
# needs the xl shim, so xl stays Debian's own there
check-testbed-ci:
	TB_XL_SHIM=$${TB_XL_SHIM:-0} $(TESTBED) check --ci

testbed-images:
	$(TESTBED) images

testbed-clean:
	$(TESTBED) clean
