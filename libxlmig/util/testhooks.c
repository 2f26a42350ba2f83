/* Test hooks: see testhooks.h. */
#include "testhooks.h"

#include <stdlib.h>

#ifdef XLMIG_TEST_HOOKS
bool xlmig_test_hooks(void)
{
    return true;
}

const char *xlmig_test_env(const char *name)
{
    return getenv(name);
}
#else
bool xlmig_test_hooks(void)
{
    return false;
}

const char *xlmig_test_env(const char *name)
{
    (void)name;
    return NULL;
}
#endif
