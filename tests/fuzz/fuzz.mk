# libFuzzer harnesses for every parser that reads another host's bytes.
#
#   make fuzz             build each harness (clang, -fsanitize=fuzzer,
#                         address,undefined) and run it FUZZ_SECONDS
#                         (default 60) on its corpus, tests/fuzz/corpus/<h>
#   make fuzz-regress     replay every corpus file through each harness
#                         built with $(CC) and a plain main: part of check
#
# A crash found by `make fuzz` is fixed, and its input is added to the
# corpus, so fuzz-regress keeps it fixed.

FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 60
FUZZ_BUILD    := build/fuzz
FUZZ_DIR      := tests/fuzz
FUZZ_NAMES    := $(patsubst $(FUZZ_DIR)/fuzz_%.c,%,\
                 $(sort $(wildcard $(FUZZ_DIR)/fuzz_*.c)))
FUZZ_BINS     := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_SAN      := -fsanitize=fuzzer,address,undefined \
                 -fno-sanitize-recover=undefined
FUZZ_CFLAGS   := -g -O1 -std=gnu11 -Wall -Wextra -Werror -pthread \
                 -D_GNU_SOURCE -Wno-format-zero-length $(LIB_INC) $(XEN_CFLAGS)
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(FUZZ_BUILD)/%.o) \
                 $(SIM_SRCS:%.c=$(FUZZ_BUILD)/%.o)
REGRESS_BINS  := $(FUZZ_NAMES:%=$(BUILD)/fuzz-replay/fuzz_%)

.PHONY: fuzz fuzz-build fuzz-regress fuzz-deps

fuzz-deps:
	@mk/deps.sh clang libclang-rt-14-dev

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  FUZZCC  $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined \
	    -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_LIB_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -o $@ $< $(FUZZ_LIB_OBJS) \
	    $(LDLIBS)

fuzz-build: fuzz-deps
	@$(MAKE) --no-print-directory $(FUZZ_BINS)

# Each harness in turn, FUZZ_SECONDS each; new inputs go to its corpus.
# The summary line per harness is libFuzzer's own "Done N runs".
fuzz: fuzz-build
	@set -e; for h in $(FUZZ_NAMES); do \
	    mkdir -p $(FUZZ_DIR)/corpus/$$h $(FUZZ_BUILD)/crash/$$h; \
	    echo "== fuzz_$$h: $(FUZZ_SECONDS) s"; \
	    $(FUZZ_BUILD)/fuzz_$$h -max_total_time=$(FUZZ_SECONDS) \
	        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	        -artifact_prefix=$(FUZZ_BUILD)/crash/$$h/ \
	        $(FUZZ_DIR)/corpus/$$h 2>$(FUZZ_BUILD)/fuzz_$$h.log || \
	        { tail -60 $(FUZZ_BUILD)/fuzz_$$h.log; exit 1; }; \
	    grep -E '^Done|stat::number_of_executed_units' \
	        $(FUZZ_BUILD)/fuzz_$$h.log; \
	done

$(BUILD)/fuzz-replay/fuzz_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_DIR)/replay.c \
                             $(SIM_A) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(FUZZ_DIR)/replay.c \
	    -Wl,--start-group $(SIM_A) $(LIB_A) -Wl,--end-group $(LDLIBS)

fuzz-regress: $(REGRESS_BINS)
	@set -e; for h in $(FUZZ_NAMES); do \
	    [ -d $(FUZZ_DIR)/corpus/$$h ] || continue; \
	    printf '  REPLAY  %-12s ' $$h; \
	    $(BUILD)/fuzz-replay/fuzz_$$h $(FUZZ_DIR)/corpus/$$h; \
	done

check-suites: fuzz-regress

-include $(FUZZ_LIB_OBJS:.o=.d)
.SECONDARY: $(FUZZ_LIB_OBJS)
