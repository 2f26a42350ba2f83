/* JSON for output: see json_out.h. */
#include "json_out.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"

yajl_gen xlmig_jout_new(void)
{
    return yajl_gen_alloc(NULL);
}

void xlmig_jout_key(yajl_gen g, const char *key)
{
    if (key)
        yajl_gen_string(g, (const unsigned char *)key, strlen(key));
}

void xlmig_jout_str(yajl_gen g, const char *key, const char *v)
{
    xlmig_jout_key(g, key);
    v = v ? v : "";
    yajl_gen_string(g, (const unsigned char *)v, strlen(v));
}

void xlmig_jout_str_or_null(yajl_gen g, const char *key, const char *v)
{
    if (v && *v)
        xlmig_jout_str(g, key, v);
    else
        xlmig_jout_null(g, key);
}

void xlmig_jout_int(yajl_gen g, const char *key, long long v)
{
    xlmig_jout_key(g, key);
    yajl_gen_integer(g, v);
}

void xlmig_jout_u64(yajl_gen g, const char *key, uint64_t v)
{
    xlmig_jout_key(g, key);
    yajl_gen_integer(g, v > (uint64_t)INT64_MAX ? INT64_MAX : (long long)v);
}

void xlmig_jout_bool(yajl_gen g, const char *key, bool v)
{
    xlmig_jout_key(g, key);
    yajl_gen_bool(g, v);
}

void xlmig_jout_null(yajl_gen g, const char *key)
{
    xlmig_jout_key(g, key);
    yajl_gen_null(g);
}

void xlmig_jout_num_text(char *buf, size_t len, double v, int decimals)
{
    char *dot, *end;

    if (decimals < 0)
        decimals = 0;
    if (decimals > 9)
        decimals = 9;
    snprintf(buf, len, "%.*f", decimals, v);
    dot = strchr(buf, '.');
    if (dot) {
        end = buf + strlen(buf);
        while (end > dot + 1 && end[-1] == '0')
            *--end = 0;
        if (end == dot + 1)
            *dot = 0;
    }
    if (!strcmp(buf, "-0"))
        strcpy(buf, "0");
}

void xlmig_jout_num(yajl_gen g, const char *key, double v, int decimals)
{
    char buf[64];

    xlmig_jout_key(g, key);
    /* past 1e15 the digits are noise, and %f would print them all */
    if (!isfinite(v) || fabs(v) >= 1e15) {
        yajl_gen_null(g);
        return;
    }
    xlmig_jout_num_text(buf, sizeof(buf), v, decimals);
    yajl_gen_number(g, buf, strlen(buf));
}

void xlmig_jout_list(yajl_gen g, const char *key, const char *csv)
{
    const char *p = csv, *e;

    xlmig_jout_key(g, key);
    yajl_gen_array_open(g);
    while (p && *p) {
        e = strchr(p, ',');
        if (!e)
            e = p + strlen(p);
        if (e > p)
            yajl_gen_string(g, (const unsigned char *)p, (size_t)(e - p));
        p = *e ? e + 1 : e;
    }
    yajl_gen_array_close(g);
}

void xlmig_jout_time_text(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;
    char s[32];

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, len, "%s.%03ldZ", s, ts.tv_nsec / 1000000L);
}

void xlmig_jout_now(yajl_gen g, const char *key)
{
    char buf[48];

    xlmig_jout_time_text(buf, sizeof(buf));
    xlmig_jout_str(g, key, buf);
}

int xlmig_jout_print(yajl_gen g, FILE *out)
{
    const unsigned char *buf;
    size_t len;
    int rc = -1;

    if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok) {
        fprintf(out, "%.*s\n", (int)len, (const char *)buf);
        rc = fflush(out) ? -1 : 0;
    }
    yajl_gen_free(g);
    return rc;
}

int xlmig_jout_take(yajl_gen g, char **out, size_t *len)
{
    const unsigned char *buf;
    size_t blen;
    int rc = XLMIG_E_NOMEM;

    *out = NULL;
    if (yajl_gen_get_buf(g, &buf, &blen) == yajl_gen_status_ok &&
        (*out = malloc(blen + 1))) {
        memcpy(*out, buf, blen);
        (*out)[blen] = 0;
        if (len)
            *len = blen;
        rc = 0;
    }
    yajl_gen_free(g);
    if (rc)
        xlmig_err(rc, "cannot encode JSON");
    return rc;
}
