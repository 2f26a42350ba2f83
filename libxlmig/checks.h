/*
 * Pre-check results: every check is kept with pass/fail and a reason,
 * so --dry-run can print them all and a refusal can name the first.
 */
#ifndef XLMIG_CHECKS_H
#define XLMIG_CHECKS_H

#include <stdbool.h>
#include <stdio.h>

#define XLMIG_CHECKS_MAX 48

typedef struct {
    char where[16];      /* "source", "dest" */
    char name[48];       /* "domain-running", "drbd r0 connected", ... */
    char detail[256];
    bool ok;
} xlmig_check;

typedef struct {
    xlmig_check items[XLMIG_CHECKS_MAX];
    unsigned n;
} xlmig_checks;

void xlmig_checks_init(xlmig_checks *c);
void xlmig_checks_add(xlmig_checks *c, const char *where, const char *name,
                      bool ok, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* First failed check, or NULL. */
const xlmig_check *xlmig_checks_failed(const xlmig_checks *c);
void xlmig_checks_print(const xlmig_checks *c, FILE *out);
/* As JSON: the report's "checks" (report.h). */

#endif
