# make valgrind: a representative subset of the integration tests with
# every xl-migrate-drbd process -- sources and receivers -- under
# memcheck (the test build: the tests inject faults and point the tool
# at fakes). Passes only with zero errors and zero leaks in every log.
# The fault matrix and test_sigint stay with ASan: valgrind's slowdown
# moves their timing (one-second timeouts, a signal at 1.5 s).

VALGRIND_TESTS ?= test_sim_migrate test_bad_input test_dry_run \
                  test_damaged_stream test_config_follows
VG_LOGS        := $(BUILD)/valgrind

.PHONY: valgrind
valgrind: $(T_TOOL)
	@mk/deps.sh valgrind
	@rm -rf $(VG_LOGS) && mkdir -p $(VG_LOGS)/t
	@for t in $(VALGRIND_TESTS); do \
	    ln -sf $(abspath tests/integration/$$t.sh) $(VG_LOGS)/t/; done
	@cp tests/integration/lib.sh tests/integration/corrupt.pl $(VG_LOGS)/t/
	@cp tests/integration/run.sh $(VG_LOGS)/t/
	XLMIG_VG_REAL=$(abspath $(T_TOOL)) XLMIG_VG_LOGS=$(abspath $(VG_LOGS)) \
	    XLMIG_TOOL=$(abspath tests/valgrind/vg-tool.sh) \
	    $(VG_LOGS)/t/run.sh
	@n=$$(ls $(VG_LOGS)/vg.*.log | wc -l); \
	bad=$$(grep -l . $(VG_LOGS)/vg.*.log || true); \
	if [ -n "$$bad" ]; then cat $$bad; \
	    echo "valgrind: errors or leaks in $$(echo $$bad | wc -w) of" \
	         "$$n processes"; exit 1; fi; \
	echo "valgrind: $$n processes, 0 errors, 0 leaks"
