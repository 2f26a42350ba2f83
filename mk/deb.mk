# Debian packages (debian/): xlmig and the opt-in xlmig-xl-shim.
#
#   make deb          build/deb/xlmig_<version>_<arch>.deb and
#                     xlmig-xl-shim_<version>_all.deb, then lintian
#   make deb TEST=1   the same from the test build, <version>+test
#                     (what the test bed installs into its dom0s)

.PHONY: deb clean-deb
deb:
	@mk/deps.sh $(DEB_BUILD) debhelper devscripts lintian
	@mk/deb.sh $(if $(filter 1,$(TEST)),--test)

clean: clean-deb
clean-deb:
	rm -rf build/deb
