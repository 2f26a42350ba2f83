/* A report as the tool would print it, for tests that read it back. */
#ifndef XLMIG_UNIT_REPORT_TEXT_H
#define XLMIG_UNIT_REPORT_TEXT_H

#include <stdbool.h>

#include "report.h"

/* The text (or JSON) of r in a malloc'd string; NULL if out of memory. */
char *unit_report_text(const xlmig_report *r, bool json);

#endif
