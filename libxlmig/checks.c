#include "checks.h"

#include <stdarg.h>
#include <string.h>
#include <yajl/yajl_gen.h>

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

void xlmig_checks_print_json(const xlmig_checks *c, FILE *out)
{
    const unsigned char *buf;
    unsigned i;
    size_t len;

    for (i = 0; i < c->n; i++) {
        const xlmig_check *k = &c->items[i];
        yajl_gen g = yajl_gen_alloc(NULL);

        if (!g)
            return;
        yajl_gen_map_open(g);
        GS(g, "event");
        GS(g, "check");
        GS(g, "where");
        GS(g, k->where);
        GS(g, "name");
        GS(g, k->name);
        GS(g, "ok");
        yajl_gen_bool(g, k->ok);
        GS(g, "detail");
        GS(g, k->detail);
        yajl_gen_map_close(g);
        if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
            fprintf(out, "%.*s\n", (int)len, (const char *)buf);
        yajl_gen_free(g);
    }
}
