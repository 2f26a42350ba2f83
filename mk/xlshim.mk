# The optional `xl migrate-drbd` dispatch shim (tools/xl-shim).
#
#   make install-xl-shim      divert the real xl to xl.distrib, put the
#                             shim in its place
#   make uninstall-xl-shim    undo both
#   make install-xl-shim-files  only the shim and its link to the real
#                             xl, under $(LIBDIR)/xlmig (what the
#                             xlmig-xl-shim package ships; its postinst
#                             diverts, its postrm undoes: debian/)
#
# dpkg-divert rather than a PATH trick: xl is called by absolute path
# (/usr/sbin/xl) from init scripts and tools, and cron's PATH has no
# /usr/local/sbin; a diversion is what Debian provides for replacing a
# packaged file, and a xen-utils upgrade then updates xl.distrib, not
# the shim. Without dpkg-divert, or with DESTDIR (a staged tree), the
# real xl is renamed instead.
#
# The shim runs the real xl through a link named xl (XL_LINK): Debian's
# /usr/sbin/xl is itself a link to xen-utils-wrapper, which runs the
# tool named by the basename of the path it was started by, and finds
# no tool called "xl.distrib". The link is relative, so that it holds
# in a staged tree too.
XL_PATH    ?= $(SBINDIR)/xl
XL_REAL    ?= $(SBINDIR)/xl.distrib
XL_LINK    ?= $(LIBDIR)/xlmig/xl
XL_SHIM    ?= $(LIBDIR)/xlmig/xl-shim
XL_DIVERT  ?= $(if $(DESTDIR),,$(shell command -v dpkg-divert 2>/dev/null))

# relative path from directory $(1) to $(2), so links hold in a staged tree
xl_rel = $$(realpath -s -m --relative-to='$(1)' '$(2)')

.PHONY: install-xl-shim uninstall-xl-shim install-xl-shim-files
install-xl-shim-files:
	@set -e; d='$(DESTDIR)'; \
	install -d "$$d$(dir $(XL_LINK))" "$$d$(dir $(XL_SHIM))"; \
	ln -sfn "$(call xl_rel,$(dir $(XL_LINK)),$(XL_REAL))" "$$d$(XL_LINK)"; \
	sed -e 's|@REAL_XL@|$(XL_LINK)|' \
	    -e 's|@TOOL@|$(SBINDIR)/xl-migrate-drbd|' \
	    -e '2i# xlmig dispatch shim' tools/xl-shim >"$$d$(XL_SHIM)"; \
	chmod 0755 "$$d$(XL_SHIM)"

install-xl-shim: all $(INST_TOOL) install-xl-shim-files
	@set -e; d='$(DESTDIR)'; \
	if grep -q 'xlmig dispatch shim' "$$d$(XL_PATH)" 2>/dev/null; then \
	    echo "xl shim already installed"; exit 0; \
	elif [ -n '$(XL_DIVERT)' ]; then \
	    $(XL_DIVERT) --local --rename --divert $(XL_REAL) --add $(XL_PATH); \
	else \
	    [ -e "$$d$(XL_PATH)" ] || [ -L "$$d$(XL_PATH)" ] || \
	        { echo "no $$d$(XL_PATH) to wrap" >&2; exit 1; }; \
	    mv "$$d$(XL_PATH)" "$$d$(XL_REAL)"; \
	fi; \
	install -d "$$d$(SBINDIR)"; \
	install -m 0755 $(INST_TOOL) "$$d$(SBINDIR)/xl-migrate-drbd"; \
	ln -sfn "$(call xl_rel,$(dir $(XL_PATH)),$(XL_SHIM))" "$$d$(XL_PATH)"

uninstall-xl-shim:
	@set -e; d='$(DESTDIR)'; \
	grep -q 'xlmig dispatch shim' "$$d$(XL_PATH)" 2>/dev/null || \
	    { echo "xl shim not installed"; exit 0; }; \
	rm -f "$$d$(XL_PATH)" "$$d$(XL_LINK)" "$$d$(XL_SHIM)"; \
	rmdir "$$d$(dir $(XL_LINK))" 2>/dev/null || true; \
	if [ -n '$(XL_DIVERT)' ]; then \
	    $(XL_DIVERT) --local --rename --divert $(XL_REAL) --remove \
	        $(XL_PATH); \
	else \
	    mv "$$d$(XL_REAL)" "$$d$(XL_PATH)"; \
	fi
