/* The CUnit runner: every suite registered itself; run them all. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "error.h"
#include "unit.h"
#include "log_capture.h"

#define MAX_SUITES 128

static CU_SuiteInfo suites[MAX_SUITES + 1];
static unsigned nsuites;

void xlmig_unit_add(const char *name, CU_InitializeFunc init,
                    CU_CleanupFunc fini, CU_TestInfo *tests)
{
    if (nsuites >= MAX_SUITES) {
        fprintf(stderr, "unit: too many suites\n");
        exit(2);
    }
    suites[nsuites++] = (CU_SuiteInfo){ name, init, fini, NULL,
                                        NULL, tests };
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const CU_SuiteInfo *)a)->pName,
                  ((const CU_SuiteInfo *)b)->pName);
}

int main(int argc, char **argv)
{
    unsigned failed;

    /* Errors recorded by code under test stay quiet unless asked. */
    unit_log_default();
    /* As the tools do: a vanished peer is an error, not a signal. */
    signal(SIGPIPE, SIG_IGN);
    qsort(suites, nsuites, sizeof(suites[0]), by_name);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    if (CU_register_suites(suites) != CUE_SUCCESS) {
        fprintf(stderr, "unit: %s\n", CU_get_error_msg());
        return 2;
    }
    CU_basic_set_mode(argc > 1 && !strcmp(argv[1], "-v") ? CU_BRM_VERBOSE
                                                     : CU_BRM_NORMAL);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() +
             CU_get_number_of_tests_failed();
    printf("\nunit: %u suites, %u tests run, %u asserts, %u failures\n",
           nsuites, CU_get_number_of_tests_run(),
           CU_get_number_of_asserts(), CU_get_number_of_failures());
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
