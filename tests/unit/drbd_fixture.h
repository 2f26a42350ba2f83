/*
 * The DRBD parser tests' fixtures: a recording from tests/unit/data/drbd
 * (or $XLMIG_UNIT_DATA/drbd), read whole and NUL-terminated, and the
 * check that the recorded error names the resource and says `needle`.
 */
#ifndef XLMIG_UNIT_DRBD_FIXTURE_H
#define XLMIG_UNIT_DRBD_FIXTURE_H

#include <stddef.h>

char *rec_load(const char *name, size_t *len);
void rec_err(const char *res, const char *needle);

/* A string literal as the (buffer, length) a parser takes. */
#define S(x) x, strlen(x)

#endif
