/*
 * CUnit suites register themselves from a constructor, so adding a test
 * file needs no edit anywhere else:
 *
 *   static CU_TestInfo tests[] = { { "name", fn }, CU_TEST_INFO_NULL };
 *   XLMIG_UNIT_SUITE("policy", NULL, NULL, tests);
 */
#ifndef XLMIG_UNIT_H
#define XLMIG_UNIT_H

#include <CUnit/CUnit.h>

void xlmig_unit_add(const char *name, CU_InitializeFunc init,
                    CU_CleanupFunc fini, CU_TestInfo *tests);

#define XLMIG_UNIT_SUITE(name, init, fini, tests)                      \
    static void __attribute__((constructor)) unit_reg_suite(void)     \
    {                                                                  \
        xlmig_unit_add(name, init, fini, tests);                       \
    }

#endif
