#include "control.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "error.h"
#include "json_gen.h"
#include "json_get.h"
#include "json_guard.h"
#include "names.h"
#include "num.h"
#include "wire.h"

#define MAX_STRING (XLMIG_MAX_CONTROL_STRING)
#define XLMIG_MAX_CONTROL_STRING (1u << 19)
#define MAX_SHORT 4096u
#define MAX_XL_CONFIG (64u * 1024u)   /* an xl.cfg file (autostart.h) */

static const char *type_names[XLMIG_MSG__COUNT] = {
    [XLMIG_MSG_NONE] = "none",
    [XLMIG_MSG_HELLO] = "hello",
    [XLMIG_MSG_MIGRATE] = "migrate",
    [XLMIG_MSG_PREPARED] = "prepared",
    [XLMIG_MSG_PING] = "ping",
    [XLMIG_MSG_PONG] = "pong",
    [XLMIG_MSG_MEMORY_END] = "memory-end",
    [XLMIG_MSG_READY] = "ready",
    [XLMIG_MSG_GO] = "go",
    [XLMIG_MSG_DONE] = "done",
    [XLMIG_MSG_ABORT] = "abort",
    [XLMIG_MSG_ERROR] = "error",
    [XLMIG_MSG_DATA_LISTEN] = "data-listen",
};

const char *xlmig_msg_type_str(xlmig_msg_type t)
{
    if ((unsigned)t >= XLMIG_MSG__COUNT)
        return "invalid";
    return type_names[t];
}

void xlmig_msg_init(xlmig_msg *m, xlmig_msg_type type)
{
    memset(m, 0, sizeof(*m));
    m->type = type;
    m->proto = 1;
}

void xlmig_msg_dispose(xlmig_msg *m)
{
    unsigned i;

    free(m->host);
    free(m->backend);
    free(m->name);
    free(m->uuid);
    free(m->message);
    free(m->config);
    free(m->xl_config_file);
    free(m->xl_config);
    free(m->autostart);
    free(m->autostart_config);
    free(m->transport);
    if (m->data_key)
        explicit_bzero(m->data_key, strlen(m->data_key));
    free(m->data_key);
    free(m->data_addr);
    free(m->local_disks);
    for (i = 0; i < m->nchecks && i < XLMIG_MSG_MAX_CHECKS; i++) {
        free(m->checks[i].name);
        free(m->checks[i].detail);
    }
    memset(m, 0, sizeof(*m));
}

int xlmig_msg_set(char **field, const char *value)
{
    char *s = NULL;

    if (value) {
        s = strdup(value);
        if (!s)
            return XLMIG_E_NOMEM;
    }
    free(*field);
    *field = s;
    return 0;
}

int xlmig_msg_add_check(xlmig_msg *m, const char *name, bool ok,
                        const char *detail)
{
    xlmig_msg_check *c;
    int rc;

    if (m->nchecks >= XLMIG_MSG_MAX_CHECKS)
        return XLMIG_E_INVAL;
    c = &m->checks[m->nchecks];
    memset(c, 0, sizeof(*c));
    rc = xlmig_msg_set(&c->name, name);
    if (!rc)
        rc = xlmig_msg_set(&c->detail, detail ? detail : "");
    if (rc) {
        free(c->name);
        free(c->detail);
        return rc;
    }
    c->ok = ok;
    m->nchecks++;
    return 0;
}

/* ---- encoding ---- */


static void put_str(yajl_gen g, const char *k, const char *v)
{
    if (!v)
        return;
    GS(g, k);
    GS(g, v);
}

static void put_u64(yajl_gen g, const char *k, uint64_t v)
{
    if (!v)
        return;
    GS(g, k);
    yajl_gen_integer(g, (long long)v);
}

/* Optional true-only keys: absent means false, as older peers send. */
static void put_flag(yajl_gen g, const char *key, bool on)
{
    if (!on)
        return;
    GS(g, key);
    yajl_gen_bool(g, 1);
}

static void put_checks(yajl_gen g, const xlmig_msg *m)
{
    unsigned i;

    if (!m->nchecks)
        return;
    GS(g, "checks");
    yajl_gen_array_open(g);
    for (i = 0; i < m->nchecks && i < XLMIG_MSG_MAX_CHECKS; i++) {
        yajl_gen_map_open(g);
        put_str(g, "name", m->checks[i].name);
        GS(g, "ok");
        yajl_gen_bool(g, m->checks[i].ok);
        put_str(g, "detail", m->checks[i].detail);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
}

int xlmig_msg_encode(const xlmig_msg *m, char **out, size_t *len)
{
    yajl_gen g;
    char hex[24];
    int rc = XLMIG_E_NOMEM;

    *out = NULL;
    if ((unsigned)m->type >= XLMIG_MSG__COUNT || m->type == XLMIG_MSG_NONE)
        return XLMIG_E_INVAL;
    g = yajl_gen_alloc(NULL);
    if (!g)
        return XLMIG_E_NOMEM;
    yajl_gen_map_open(g);
    put_str(g, "type", type_names[m->type]);
    GS(g, "proto");
    yajl_gen_integer(g, m->proto);
    put_str(g, "host", m->host);
    put_str(g, "backend", m->backend);
    put_str(g, "name", m->name);
    put_str(g, "uuid", m->uuid);
    put_str(g, "message", m->message);
    put_str(g, "config", m->config);
    put_str(g, "xl_config_file", m->xl_config_file);
    put_str(g, "xl_config", m->xl_config);
    put_str(g, "autostart", m->autostart);
    put_str(g, "autostart_config", m->autostart_config);
    put_str(g, "local_disks", m->local_disks);
    put_flag(g, "autostart_relative", m->autostart_relative);
    put_str(g, "transport", m->transport);
    put_str(g, "data_key", m->data_key);
    put_str(g, "data_addr", m->data_addr);
    put_u64(g, "streams", m->streams);
    put_u64(g, "port", m->port);
    put_u64(g, "mem_bytes", m->mem_bytes);
    put_u64(g, "page_size", m->page_size);
    put_u64(g, "free_bytes", m->free_bytes);
    put_u64(g, "value", m->value);
    if (m->hash) {
        snprintf(hex, sizeof(hex), "%016" PRIx64, m->hash);
        put_str(g, "hash", hex);
    }
    if (m->took_ns)
        put_u64(g, "took_ns", m->took_ns);
    if (m->codec)
        put_u64(g, "codec", m->codec);
    put_u64(g, "activate_ns", m->activate_ns);
    if (m->after_drain_ns)
        put_u64(g, "after_drain_ns", m->after_drain_ns);
    put_u64(g, "budget_ns", m->budget_ns);
    if (m->restore_ns)
        put_u64(g, "restore_ns", m->restore_ns);
    if (m->hotplug_n) {
        put_u64(g, "hotplug_ns", m->hotplug_ns);
        put_u64(g, "hotplug_fast", m->hotplug_fast);
        put_u64(g, "hotplug_n", m->hotplug_n);
    }
    if (m->code) {
        GS(g, "code");
        yajl_gen_integer(g, m->code);
    }
    put_flag(g, "dry_run", m->dry_run);
    put_flag(g, "verified", m->verified);
    GS(g, "ok");
    yajl_gen_bool(g, m->ok);
    put_flag(g, "not_started", m->not_started);
    put_flag(g, "one_flight", m->one_flight);
    put_flag(g, "drain", m->drain);
    put_checks(g, m);
    yajl_gen_map_close(g);
    rc = xlmig_json_gen_take(g, out, len);
    yajl_gen_free(g);
    return rc;
}

/* ---- decoding ---- */

static const xlmig_json_src src = { XLMIG_E_PROTO, "control message",
                                    true };

static int bad(const char *key, const char *what)
{
    return xlmig_json_bad(&src, "", key, what);
}

static int get_str(yajl_val v, const char *key, size_t max, char **out)
{
    const char *s;
    int rc = xlmig_json_str_ref(&src, "", v, key, max, &s);

    if (!rc && xlmig_msg_set(out, s))
        rc = XLMIG_E_NOMEM;
    return rc;
}

static bool host_ok(const char *s)
{
    return xlmig_name_host_ok(s, true);
}

/* A name the peer sends: refused, shown escaped, unless ok(). */
static int get_name(yajl_val v, const char *key, bool (*ok)(const char *),
                    const char *rule, char **out)
{
    char shown[XLMIG_NAME_SHOWN_LEN];

    if (!YAJL_IS_STRING(v))
        return bad(key, "is not a string");
    if (!ok(YAJL_GET_STRING(v))) {
        xlmig_err(XLMIG_E_PROTO, "control message: \"%s\" \"%s\" is not"
                  " %s", key, xlmig_name_shown(YAJL_GET_STRING(v), shown,
                  sizeof(shown)), rule);
        return XLMIG_E_PROTO;
    }
    return xlmig_msg_set(out, YAJL_GET_STRING(v)) ? XLMIG_E_NOMEM : 0;
}

/*
 * Text the operator reads (messages, check rows): one line of
 * printable characters; anything else becomes '?', so a peer cannot
 * move the cursor, recolour or forge a line on this terminal.
 */
static int get_text(yajl_val v, const char *key, char **out)
{
    unsigned char *p;
    int rc = get_str(v, key, MAX_SHORT, out);

    for (p = (unsigned char *)*out; !rc && p && *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            *p = '?';
    return rc;
}

static int get_u64(yajl_val v, const char *key, uint64_t *out)
{
    return xlmig_json_u64(&src, "", v, key, UINT64_MAX, out);
}

static int get_bool(yajl_val v, const char *key, bool *out)
{
    return xlmig_json_bool(&src, "", v, key, out);
}

static int get_checks(yajl_val v, xlmig_msg *m)
{
    size_t i, j;

    if (!YAJL_IS_ARRAY(v))
        return bad("checks", "is not an array");
    if (v->u.array.len > XLMIG_MSG_MAX_CHECKS - m->nchecks)
        return bad("checks", "has too many entries");
    for (i = 0; i < v->u.array.len; i++) {
        yajl_val c = v->u.array.values[i];
        xlmig_msg_check *mc = &m->checks[m->nchecks];
        int rc = 0;

        if (!YAJL_IS_OBJECT(c))
            return bad("checks", "has an entry that is not an object");
        memset(mc, 0, sizeof(*mc));
        m->nchecks++;
        for (j = 0; j < c->u.object.len && !rc; j++) {
            const char *k = c->u.object.keys[j];
            yajl_val cv = c->u.object.values[j];

            if (!strcmp(k, "name"))
                rc = get_text(cv, "checks.name", &mc->name);
            else if (!strcmp(k, "detail"))
                rc = get_text(cv, "checks.detail", &mc->detail);
            else if (!strcmp(k, "ok"))
                rc = get_bool(cv, "checks.ok", &mc->ok);
        }
        if (rc)
            return rc;
        if (!mc->name)
            return bad("checks", "has an entry without a name");
    }
    return 0;
}

static int decode_type(yajl_val v, xlmig_msg *m)
{
    const char *s;
    unsigned i;

    if (!YAJL_IS_STRING(v))
        return bad("type", "is not a string");
    s = YAJL_GET_STRING(v);
    for (i = 1; i < XLMIG_MSG__COUNT; i++) {
        if (!strcmp(s, type_names[i])) {
            m->type = (xlmig_msg_type)i;
            return 0;
        }
    }
    xlmig_err(XLMIG_E_PROTO, "control message: unknown type \"%.40s\"", s);
    return XLMIG_E_PROTO;
}

static int decode_key(const char *k, yajl_val v, xlmig_msg *m)
{
    uint64_t u = 0;
    int rc;

    if (!strcmp(k, "type"))
        return decode_type(v, m);
    if (!strcmp(k, "proto")) {
        rc = get_u64(v, k, &u);
        if (!rc && u > UINT32_MAX)
            return bad(k, "is out of range");
        m->proto = (uint32_t)u;
        return rc;
    }
    /* Names reach argv vectors, token files and terminals: strict. */
    if (!strcmp(k, "host"))
        return get_name(v, k, host_ok, XLMIG_NAME_HOST_RULE, &m->host);
    if (!strcmp(k, "backend"))
        return get_name(v, k, xlmig_name_word_ok, XLMIG_NAME_WORD_RULE,
                        &m->backend);
    if (!strcmp(k, "name"))
        return get_name(v, k, xlmig_name_domain_ok, XLMIG_NAME_DOMAIN_RULE,
                        &m->name);
    if (!strcmp(k, "uuid"))
        return get_name(v, k, xlmig_name_uuid_ok, XLMIG_NAME_UUID_RULE,
                        &m->uuid);
    if (!strcmp(k, "message"))
        return get_text(v, k, &m->message);
    if (!strcmp(k, "config"))
        return get_str(v, k, MAX_STRING, &m->config);
    if (!strcmp(k, "xl_config_file"))
        return get_str(v, k, MAX_SHORT, &m->xl_config_file);
    if (!strcmp(k, "xl_config"))
        return get_str(v, k, MAX_XL_CONFIG, &m->xl_config);
    if (!strcmp(k, "autostart"))
        return get_str(v, k, MAX_SHORT, &m->autostart);
    if (!strcmp(k, "autostart_config"))
        return get_str(v, k, MAX_XL_CONFIG, &m->autostart_config);
    if (!strcmp(k, "local_disks"))
        return get_str(v, k, MAX_SHORT, &m->local_disks);
    if (!strcmp(k, "autostart_relative"))
        return get_bool(v, k, &m->autostart_relative);
    if (!strcmp(k, "transport"))
        return get_name(v, k, xlmig_name_word_ok, XLMIG_NAME_WORD_RULE,
                        &m->transport);
    if (!strcmp(k, "data_key"))
        return get_str(v, k, 128, &m->data_key);
    if (!strcmp(k, "data_addr"))
        return get_str(v, k, 128, &m->data_addr);
    if (!strcmp(k, "streams"))
        return get_u64(v, k, &m->streams);
    if (!strcmp(k, "port"))
        return get_u64(v, k, &m->port);
    if (!strcmp(k, "mem_bytes"))
        return get_u64(v, k, &m->mem_bytes);
    if (!strcmp(k, "page_size"))
        return get_u64(v, k, &m->page_size);
    if (!strcmp(k, "free_bytes"))
        return get_u64(v, k, &m->free_bytes);
    if (!strcmp(k, "value"))
        return get_u64(v, k, &m->value);
    if (!strcmp(k, "took_ns"))
        return get_u64(v, k, &m->took_ns);
    if (!strcmp(k, "codec"))
        return get_u64(v, k, &m->codec);
    if (!strcmp(k, "activate_ns"))
        return get_u64(v, k, &m->activate_ns);
    if (!strcmp(k, "after_drain_ns"))
        return get_u64(v, k, &m->after_drain_ns);
    if (!strcmp(k, "budget_ns"))
        return get_u64(v, k, &m->budget_ns);
    if (!strcmp(k, "restore_ns"))
        return get_u64(v, k, &m->restore_ns);
    if (!strcmp(k, "hotplug_ns"))
        return get_u64(v, k, &m->hotplug_ns);
    if (!strcmp(k, "hotplug_fast"))
        return get_u64(v, k, &m->hotplug_fast);
    if (!strcmp(k, "hotplug_n"))
        return get_u64(v, k, &m->hotplug_n);
    if (!strcmp(k, "code")) {
        if (!YAJL_IS_INTEGER(v))
            return bad(k, "is not an integer");
        m->code = YAJL_GET_INTEGER(v);
        return 0;
    }
    if (!strcmp(k, "hash")) {
        const char *s;

        if (!YAJL_IS_STRING(v))
            return bad(k, "is not a string");
        s = YAJL_GET_STRING(v);
        if (!*s || strlen(s) > 16)
            return bad(k, "is not a 64-bit hex digest");
        if (xlmig_num_u64(s, 16, 0, UINT64_MAX, &m->hash))
            return bad(k, "is not a 64-bit hex digest");
        return 0;
    }
    if (!strcmp(k, "dry_run"))
        return get_bool(v, k, &m->dry_run);
    if (!strcmp(k, "verified"))
        return get_bool(v, k, &m->verified);
    if (!strcmp(k, "ok"))
        return get_bool(v, k, &m->ok);
    if (!strcmp(k, "not_started"))
        return get_bool(v, k, &m->not_started);
    if (!strcmp(k, "one_flight"))
        return get_bool(v, k, &m->one_flight);
    if (!strcmp(k, "drain"))
        return get_bool(v, k, &m->drain);
    if (!strcmp(k, "checks"))
        return get_checks(v, m);
    return 0; /* unknown keys: newer peer */
}

int xlmig_msg_decode(const char *buf, size_t len, xlmig_msg *m)
{
    char errbuf[128] = "";
    yajl_val root = NULL;
    size_t i;
    int rc = XLMIG_E_PROTO;

    xlmig_msg_dispose(m);
    xlmig_msg_init(m, XLMIG_MSG_NONE);
    m->proto = 0;
    if (len > XLMIG_MAX_CONTROL_LEN) {
        xlmig_err(rc, "control message: %zu bytes exceeds limit", len);
        goto out;
    }
    if (memchr(buf, 0, len)) {
        xlmig_err(rc, "control message: contains a NUL byte");
        goto out;
    }
    rc = xlmig_json_parse(buf, len, "control message", &root, errbuf,
                          sizeof(errbuf));
    if (rc == XLMIG_E_NOMEM || rc == XLMIG_E_PROTO)
        goto out;
    rc = XLMIG_E_PROTO;
    if (!root) {
        char *nl = strchr(errbuf, '\n');

        if (nl)
            *nl = 0;
        xlmig_err(rc, "control message: invalid JSON: %s", errbuf);
        goto out;
    }
    if (!YAJL_IS_OBJECT(root)) {
        xlmig_err(rc, "control message: not a JSON object");
        goto out;
    }
    for (i = 0; i < root->u.object.len; i++) {
        rc = decode_key(root->u.object.keys[i], root->u.object.values[i], m);
        if (rc)
            goto out;
    }
    rc = XLMIG_E_PROTO;
    if (m->type == XLMIG_MSG_NONE) {
        xlmig_err(rc, "control message: no \"type\"");
        goto out;
    }
    if (m->proto == 0) {
        xlmig_err(rc, "control message: no \"proto\"");
        goto out;
    }
    rc = 0;
out:
    if (root)
        yajl_tree_free(root);
    return rc;
}
