/* Recorded DRBD outputs and error checks shared by the parser tests. */
#include "drbd_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "error.h"

char *rec_load(const char *name, size_t *len)
{
    const char *dir = getenv("XLMIG_UNIT_DATA");
    char path[512];
    char *buf = NULL;
    FILE *f;
    long n;

    snprintf(path, sizeof(path), "%s/drbd/%s", dir ? dir : "tests/unit/data",
             name);
    f = fopen(path, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc(n + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    CU_ASSERT_EQUAL_FATAL(fread(buf, 1, n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    *len = n;
    return buf;
}

/* The error recorded names the resource and contains `needle`. */
void rec_err(const char *res, const char *needle)
{
    const char *m = xlmig_errmsg();

    CU_ASSERT_PTR_NOT_NULL(strstr(m, res));
    if (needle && !strstr(m, needle)) {
        fprintf(stderr, "\nerror '%s' lacks '%s'\n", m, needle);
        CU_FAIL("error message lacks the expected text");
    }
}

