/*
 * Test hooks: fault injection (fault.h) and the environment variables
 * that point the tool at fakes (XLMIG_DRBDADM, XLMIG_DRBDSETUP,
 * XLMIG_TOKEN_DIR, XLMIG_HOSTNAME, XLMIG_STATE_DIR, XLMIG_RUN_DIR,
 * XLMIG_SIM_STATE, XLMIG_SIM_HOST, XLMIG_XEN_DIR, XLMIG_FAULT*,
 * XLMIG_TEST_TEE=FILE, a copy of the libxl stream a Xen save sends, and
 * XLMIG_TEST_DATAPATH=stranger|strangers|wrong-key, the data path's
 * intruders, datapath.c). They
 * exist only in a build made with -DXLMIG_TEST_HOOKS (build/test, what
 * `make check`, the integration tests and the test bed use); the
 * production build ignores every one of them, so nothing in a host's
 * environment can redirect what the installed tool runs or where it
 * keeps its state.
 */
#ifndef XLMIG_TESTHOOKS_H
#define XLMIG_TESTHOOKS_H

#include <stdbool.h>

/* Were the hooks compiled in? */
bool xlmig_test_hooks(void);
/*
 * The value of a test override: getenv(name) in a test build, NULL
 * (as if unset) in the production build. Every override goes through
 * here.
 */
const char *xlmig_test_env(const char *name);

#endif
