# make bench          policies on the migration model, then the data path
# make bench-model    the policy comparison only (table, CSV, PNG)
# make bench-datapath the tool's transports against plain copies (TCP,
#                     ssh aes128-gcm through a throwaway sshd, TCP into
#                     fresh memory): issue 16's data path targets
# make bench-codec    a simulated migration with and without the codec
# Not part of `make check`: these measure, they do not pass or fail.
BENCH_OUT       := build/bench
BENCH_DP_SRC    := $(sort $(wildcard tests/bench/datapath*.c))
BENCH_DP_OBJ    := $(BENCH_DP_SRC:%.c=$(BUILD)/%.o)
BENCH_MODEL_SRC := $(filter-out $(BENCH_DP_SRC), \
                       $(sort $(wildcard tests/bench/*.c)))
BENCH_MODEL_OBJ := $(BENCH_MODEL_SRC:%.c=$(BUILD)/%.o)
BENCH_MODEL     := $(BUILD)/bench-model
BENCH_DATAPATH  := $(BUILD)/bench-datapath
BENCH_ARGS      ?=
DATAPATH_GIB    ?= 2
DATAPATH_RUNS   ?= 3
DATAPATH_ARGS   ?=

.PHONY: bench bench-model bench-model-check bench-datapath bench-clean \
        bench-codec

$(BENCH_MODEL): $(BENCH_MODEL_OBJ) $(SIM_A) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $(BENCH_MODEL_OBJ) $(SIM_A) $(LIB_A) $(LDLIBS)

# The data path alone row runs the library's own wire/datapath code.
$(BENCH_DATAPATH): $(BENCH_DP_OBJ) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $(BENCH_DP_OBJ) $(LIB_A) $(LDLIBS)

bench-model-check: $(BENCH_MODEL)
	$(BENCH_MODEL) --self-check

bench-model: bench-model-check
	@mkdir -p $(BENCH_OUT)
	$(BENCH_MODEL) --csv $(BENCH_OUT)/policies.csv \
	    --plot-data $(BENCH_OUT)/policies.dat \
	    --plot-script $(BENCH_OUT)/policies.gp \
	    --png $(BENCH_OUT)/policies.png $(BENCH_ARGS)
	@if [ "$$(id -u)" = 0 ]; then mk/deps.sh gnuplot-nox; fi
	@if command -v gnuplot >/dev/null; then \
	    gnuplot $(BENCH_OUT)/policies.gp && \
	    echo "chart: $(BENCH_OUT)/policies.png"; \
	else echo "gnuplot missing: no chart (apt-get install gnuplot-nox)"; \
	fi
	@echo "table: $(BENCH_OUT)/policies.csv"

# The ssh baselines need an sshd (the bench runs its own, on loopback).
bench-datapath: $(TOOL) $(BENCH_DATAPATH)
	@mkdir -p $(BENCH_OUT)
	@if [ "$$(id -u)" = 0 ]; then mk/deps.sh openssh-server; fi
	$(BENCH_DATAPATH) --gib $(DATAPATH_GIB) --runs $(DATAPATH_RUNS) \
	    --tool $(TOOL) \
	    --json-out $(BENCH_OUT)/datapath.json $(DATAPATH_ARGS)

bench-codec: $(TOOL)
	@mkdir -p $(BENCH_OUT)
	tests/bench/codec.sh $(TOOL) $(BENCH_OUT)/codec.json

bench: all
	@$(MAKE) --no-print-directory bench-model
	@$(MAKE) --no-print-directory bench-datapath
	@$(MAKE) --no-print-directory bench-codec

bench-clean:
	rm -rf $(BENCH_OUT)
clean: bench-clean

-include $(BENCH_MODEL_OBJ:.o=.d) $(BENCH_DP_OBJ:.o=.d)
