# xlmig: shared-nothing live migration for Xen guests on DRBD.
#
#   make            the internal library (static) and the tools
#   make test-build the same with the test hooks (build/test)
#   make demo       a simulated guest migrated between two processes
#   make check      unit + integration tests, then again under ASan+UBSan
#   make install    DESTDIR=... to the usual Xen/Debian places
#                   (TEST=1: the test build, for the test bed)
#   make uninstall  remove what make install put there
#   make deb        the Debian packages, into build/deb/ (mk/deb.mk)
#
# The library is internal: the tool links it statically, no public API
# is defined, so no shared library, header or pkg-config file is
# installed (docs/design.md, "Packaging").
#
# Two builds of everything: $(BUILD) is the production tool, with no
# fault injection and no environment overrides (libxlmig/testhooks.h);
# $(TBUILD) is compiled with -DXLMIG_TEST_HOOKS, and the unit tests,
# the integration tests and the test bed run it.

PREFIX     ?= /usr
SBINDIR    ?= $(PREFIX)/sbin
LIBDIR     ?= $(PREFIX)/lib
MANDIR     ?= $(PREFIX)/share/man
XENSCRIPTS ?= /etc/xen/scripts
SYSCONFDIR ?= /etc
STATEDIR   ?= /var/lib/xlmig
DESTDIR    ?=

CC         ?= cc
PKGS       := xenlight xlutil xencontrol xenguest xenstore xentoollog yajl \
              libssl libcrypto liblz4 libxxhash
DEB_BUILD  := gcc make pkg-config libxen-dev libyajl-dev libcunit1-dev \
              libssl-dev liblz4-dev libxxhash-dev
DEB_TEST   := $(DEB_BUILD) procps jq

SAN        ?=
ifeq ($(SAN),1)
BUILD      ?= build/asan
TBUILD     ?= build/asan-test
SANFLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all \
              -fno-omit-frame-pointer
OPT        := -O1
else
BUILD      ?= build/normal
TBUILD     ?= build/test
SANFLAGS   :=
OPT        := -O2
endif

XEN_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
XEN_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# The library's folders (docs/design.md opens with their map); headers
# are included by name, so a file can move between folders freely.
LIB_DIRS   := libxlmig $(sort $(dir $(wildcard libxlmig/*/*.h libxlmig/*/*.c)))
LIB_INC    := $(patsubst %/,%,$(LIB_DIRS:%=-I%))
CFLAGS     ?= -g $(OPT)
# Hidden by default: nothing of the library is an interface to others.
CFLAGS     += -std=gnu11 -Wall -Wextra -Werror -fPIC -pthread \
              -fvisibility=hidden \
              -D_GNU_SOURCE $(LIB_INC) $(XEN_CFLAGS) $(SANFLAGS)
LDLIBS     := $(XEN_LIBS) -lm -pthread
LDFLAGS    += $(SANFLAGS)

# The simulator is its own library (libxlmig-sim.a): test scaffolding
# the tool links for --sim, never installed.
SIM_SRCS   := $(sort $(wildcard libxlmig/sim/*.c))
LIB_SRCS   := $(filter-out $(SIM_SRCS), \
                  $(sort $(wildcard libxlmig/*.c libxlmig/*/*.c)))
LIB_OBJS   := $(LIB_SRCS:%.c=$(BUILD)/%.o)
SIM_OBJS   := $(SIM_SRCS:%.c=$(BUILD)/%.o)
T_SIM_OBJS := $(SIM_SRCS:%.c=$(TBUILD)/%.o)
TOOL_SRCS  := $(sort $(wildcard tools/xl-migrate-drbd/*.c))
TOOL_OBJS  := $(TOOL_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS  := $(sort $(wildcard tests/unit/*.c))
UNIT_OBJS  := $(UNIT_SRCS:%.c=$(TBUILD)/%.o)
T_LIB_OBJS := $(LIB_SRCS:%.c=$(TBUILD)/%.o)
T_TOOL_OBJS:= $(TOOL_SRCS:%.c=$(TBUILD)/%.o)

LIB_A      := $(BUILD)/libxlmig.a
SIM_A      := $(BUILD)/libxlmig-sim.a
T_SIM_A    := $(TBUILD)/libxlmig-sim.a
TOOL       := $(BUILD)/xl-migrate-drbd
T_LIB_A    := $(TBUILD)/libxlmig.a
T_TOOL     := $(TBUILD)/xl-migrate-drbd
UNIT       := $(TBUILD)/unit-tests
TEST       ?=
INST_TOOL  := $(if $(filter 1,$(TEST)),$(T_TOOL),$(TOOL))

.PHONY: all test-build deps deps-test demo check check-suites check-unit \
        check-integration install uninstall clean
all: $(LIB_A) $(TOOL) $(if $(filter 1,$(TEST)),$(T_TOOL))
test-build: $(T_LIB_A) $(T_SIM_A) $(T_TOOL)

deps:
	@mk/deps.sh $(DEB_BUILD)
deps-test:
	@mk/deps.sh $(DEB_TEST)

Q          := $(if $(V),,@)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(TBUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -DXLMIG_TEST_HOOKS -MMD -MP -c -o $@ $<

$(T_LIB_A): $(T_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(T_SIM_A): $(T_SIM_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(T_TOOL): $(T_TOOL_OBJS) $(T_SIM_A) $(T_LIB_A)
	$(CC) $(LDFLAGS) -o $@ $(T_TOOL_OBJS) $(T_SIM_A) $(T_LIB_A) $(LDLIBS)

$(LIB_A): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(SIM_A): $(SIM_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(TOOL): $(TOOL_OBJS) $(SIM_A) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $(TOOL_OBJS) $(SIM_A) $(LIB_A) $(LDLIBS)

$(UNIT): $(UNIT_OBJS) $(T_SIM_A) $(T_LIB_A)
	$(CC) $(LDFLAGS) -o $@ $(UNIT_OBJS) $(T_SIM_A) $(T_LIB_A) $(LDLIBS) \
	    -lcunit

# The unit tests need the hooks; the old path leads to them.
$(BUILD)/unit-tests: $(UNIT)
	@mkdir -p $(dir $@)
	ln -sf $(abspath $(UNIT)) $@

# The demo: 512 MiB guest, web workload, over a pipe pair to a second
# process, bandwidth-limited so the pre-copy is visible.
DEMO_ARGS ?= --sim --sim-mem 512 --sim-profile web --bandwidth 40
demo:
	@mk/deps.sh $(DEB_BUILD)
	@$(MAKE) --no-print-directory all
	$(TOOL) $(DEMO_ARGS) -s "" demo-guest \
	    "$(TOOL) --receive --sim"

check-unit: $(UNIT)
	$(UNIT)

# The test build, and the production one beside it (test_test_hooks
# shows the production tool ignores the hooks).
check-integration: $(T_TOOL) $(TOOL)
	XLMIG_TOOL=$(abspath $(T_TOOL)) XLMIG_PROD_TOOL=$(abspath $(TOOL)) \
	    XLMIG_SAN=$(SAN) tests/integration/run.sh

check-suites: check-unit check-integration

check:
	@mk/deps.sh $(DEB_TEST)
	@$(MAKE) --no-print-directory check-suites
	@echo "== same suites under ASan+UBSan =="
	@$(MAKE) --no-print-directory SAN=1 check-suites
	@echo "make check: all suites passed (plain and ASan+UBSan)"

# Everything make install puts, relative to DESTDIR (uninstall removes
# exactly these; the Debian package is built from the same list).
INST_XE    := $(notdir $(wildcard tools/xe-*))
INST_HOTPLUG := $(notdir $(wildcard drbd-block-script/block-*))
INST_MAN8  := $(notdir $(wildcard docs/man/*.8))
INST_MAN5  := $(notdir $(wildcard docs/man/*.5))
INST_FILES := $(SBINDIR)/xl-migrate-drbd $(INST_XE:%=$(SBINDIR)/%) \
              $(INST_HOTPLUG:%=$(XENSCRIPTS)/%) \
              $(SYSCONFDIR)/xlmig/xlmig.conf $(SYSCONFDIR)/cron.d/xlmig \
              $(INST_MAN8:%=$(MANDIR)/man8/%) $(INST_MAN5:%=$(MANDIR)/man5/%)

install: $(INST_TOOL)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(XENSCRIPTS) \
	    $(DESTDIR)$(SYSCONFDIR)/xlmig $(DESTDIR)$(SYSCONFDIR)/cron.d \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(STATEDIR)
	install -m 0755 $(INST_TOOL) $(DESTDIR)$(SBINDIR)/xl-migrate-drbd
	install -m 0755 $(INST_XE:%=tools/%) $(DESTDIR)$(SBINDIR)/
	install -m 0755 $(INST_HOTPLUG:%=drbd-block-script/%) \
	    $(DESTDIR)$(XENSCRIPTS)/
	[ -f $(DESTDIR)$(SYSCONFDIR)/xlmig/xlmig.conf ] || \
	    install -m 0644 config/xlmig.conf $(DESTDIR)$(SYSCONFDIR)/xlmig/
	install -m 0644 config/xlmig.cron $(DESTDIR)$(SYSCONFDIR)/cron.d/xlmig
	install -m 0644 $(INST_MAN8:%=docs/man/%) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(INST_MAN5:%=docs/man/%) $(DESTDIR)$(MANDIR)/man5/

# Removes every file install put, xlmig.conf too (edited or not); the
# state directory only if the tool left nothing in it.
uninstall:
	rm -f $(INST_FILES:%=$(DESTDIR)%)
	rmdir $(DESTDIR)$(SYSCONFDIR)/xlmig $(DESTDIR)$(STATEDIR) 2>/dev/null || true

# Everything a target makes is under build/ (normal, test, asan, fuzz,
# bench, ...). The test bed's images, build/testbed, are slow to make
# and may be running: `make testbed-clean` stops them, then removes it.
clean:
	rm -rf $(filter-out build/testbed,$(wildcard build/* build/.[!.]*))
	@rmdir build 2>/dev/null || true

-include $(LIB_OBJS:.o=.d) $(TOOL_OBJS:.o=.d) $(UNIT_OBJS:.o=.d) \
         $(T_LIB_OBJS:.o=.d) $(T_TOOL_OBJS:.o=.d) $(SIM_OBJS:.o=.d) \
         $(T_SIM_OBJS:.o=.d)
# Further targets (bench, fuzz, test bed) live beside what they build.
-include $(sort $(wildcard tests/*/*.mk mk/*.mk))
