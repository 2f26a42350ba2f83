#include "checks.h"

#include <stdarg.h>
#include <string.h>

#include "json_gen.h"

void xlmig_checks_init(xlmig_checks *c)
{
    c->n = 0;
}

void xlmig_checks_add(xlmig_checks *c, const char *where, const char *name,
                      bool ok, const char *fmt, ...)
{
    xlmig_check *k;
    va_list ap;

    if (c->n >= XLMIG_CHECKS_MAX)
        return;
    k = &c->items[c->n++];
    snprintf(k->where, sizeof(k->where), "%s", where);
    snprintf(k->name, sizeof(k->name), "%s", name);
    va_start(ap, fmt);
    vsnprintf(k->detail, sizeof(k->detail), fmt ? fmt : "", ap);
    va_end(ap);
    k->ok = ok;
}

const xlmig_check *xlmig_checks_failed(const xlmig_checks *c)
{
    unsigned i;

    for (i = 0; i < c->n; i++)
        if (!c->items[i].ok)
            return &c->items[i];
    return NULL;
}

void xlmig_checks_print(const xlmig_checks *c, FILE *out)
{
    unsigned i;

    for (i = 0; i < c->n; i++) {
        const xlmig_check *k = &c->items[i];

        fprintf(out, "%-4s  %-6s  %-28s %s\n", k->ok ? "pass" : "FAIL",
                k->where, k->name, k->detail);
    }
}
