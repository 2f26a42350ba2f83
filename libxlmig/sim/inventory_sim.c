/* Simulated hosts in a state directory: see inventory_sim.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "hoststate.h"
#include "inventory_drbd.h"
#include "inventory_sim.h"
#include "kv.h"
#include "names.h"

int xlmig_sim_drbd_parse(const char *where, const char *val,
                         xlmig_inv_guest *g)
{
    char buf[XLMIG_KV_VAL_MAX], *save = NULL, *tok;
    int rc;

    snprintf(buf, sizeof(buf), "%s", val);
    for (tok = strtok_r(buf, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        char *colon = strchr(tok, ':'), *psave = NULL, *peer;

        if (!colon || colon == tok || !colon[1]) {
            xlmig_err(XLMIG_E_INVAL, "%s: drbd: \"%.40s\" is not"
                      " resource:peer[,peer]", where, tok);
            return XLMIG_E_INVAL;
        }
        *colon = 0;
        for (peer = strtok_r(colon + 1, ",", &psave); peer;
             peer = strtok_r(NULL, ",", &psave)) {
            rc = xlmig_inv_guest_add_peer(g, tok, peer);
            if (rc) {
                xlmig_err_replace(rc, "%s: drbd: %s", where,
                                  xlmig_errmsg());
                return rc;
            }
        }
    }
    return 0;
}

int xlmig_sim_guest_parse(const char *buf, size_t len, const char *what,
                          xlmig_inv_guest *g)
{
    char where[300];
    unsigned line = 0, seen = 0;
    size_t pos = 0;
    xlmig_kv kv;
    int r, rc = 0;

    memset(g, 0, sizeof(*g));
    while (!rc && (r = xlmig_kv_line(buf, len, &pos, &line, what, &kv))) {
        if (r < 0)
            return r;
        snprintf(where, sizeof(where), "%s:%u: %s", what, line, kv.key);
        if (!strcmp(kv.key, "name")) {
            if (!xlmig_inv_name_ok(kv.val))
                return xlmig_name_refuse(where, kv.val,
                                         XLMIG_NAME_WORD_RULE);
            strcpy(g->name, kv.val);
            seen |= 1;
        } else if (!strcmp(kv.key, "mem_mib")) {
            rc = xlmig_kv_u64(where, kv.val, 1, 1 << 20, &g->mem_mib);
            seen |= 2;
        } else if (!strcmp(kv.key, "profile")) {
            /* a plain word: it is passed on in a receiver's command */
            if (strlen(kv.val) >= sizeof(g->profile) || !kv.val[0] ||
                kv.val[strspn(kv.val, "abcdefghijklmnopqrstuvwxyz"
                              "0123456789_-")]) {
                xlmig_err(XLMIG_E_INVAL, "%s: bad profile", where);
                return XLMIG_E_INVAL;
            }
            strcpy(g->profile, kv.val);
        } else if (!strcmp(kv.key, "drbd")) {
            rc = xlmig_sim_drbd_parse(where, kv.val, g);
        } else if (!strcmp(kv.key, "drbd_state")) {
            /* after drbd: it names resources listed there */
            rc = xlmig_inv_drbd_parse(where, kv.val, g);
        } else if (!strcmp(kv.key, "fault")) {
            if (strlen(kv.val) >= sizeof(g->fault)) {
                xlmig_err(XLMIG_E_INVAL, "%s: too long", where);
                return XLMIG_E_INVAL;
            }
            strcpy(g->fault, kv.val);
        } else {
            xlmig_err(XLMIG_E_INVAL, "%s: unknown key", where);
            return XLMIG_E_INVAL;
        }
    }
    if (rc)
        return rc;
    if (seen != 3) {
        xlmig_err(XLMIG_E_INVAL, "%s: %s is missing", what,
                  seen & 1 ? "mem_mib" : "name");
        return XLMIG_E_INVAL;
    }
    if (!g->profile[0])
        strcpy(g->profile, "idle");
    return 0;
}

static int load_record(const char *path, xlmig_inv_guest *g)
{
    char *buf = NULL;
    size_t len;
    int rc;

    rc = xlmig_read_file(path, XLMIG_KV_FILE_MAX, &buf, &len);
    if (!rc)
        rc = xlmig_sim_guest_parse(buf, len, path, g);
    free(buf);
    return rc;
}

static bool is_record(const char *n)
{
    size_t l = strlen(n);

    return l > 5 && n[0] != '.' && !strcmp(n + l - 5, ".conf");
}

int xlmig_sim_inv_load(const char *root, const char *host,
                       xlmig_inventory *inv, uint64_t *free_mib)
{
    char dir[4096], path[4400], *buf = NULL;
    struct dirent **list = NULL;
    uint64_t total = 0, used = 0;
    unsigned line = 0;
    size_t len, pos = 0;
    xlmig_inv_guest g, *ng;
    int i, n = 0, r, rc;
    xlmig_kv kv;

    rc = xlmig_sim_host_dir(root, host, dir, sizeof(dir));
    if (rc)
        return rc;
    snprintf(inv->self, sizeof(inv->self), "%s", host);
    snprintf(path, sizeof(path), "%s/host.conf", dir);
    rc = xlmig_read_file(path, XLMIG_KV_FILE_MAX, &buf, &len);
    while (!rc && (r = xlmig_kv_line(buf, len, &pos, &line, path, &kv))) {
        char where[4500];

        if (r < 0) {
            rc = r;
            break;
        }
        snprintf(where, sizeof(where), "%s:%u: %s", path, line, kv.key);
        if (!strcmp(kv.key, "mem_mib")) {
            rc = xlmig_kv_u64(where, kv.val, 1, 1ULL << 30, &total);
        } else {
            xlmig_err(XLMIG_E_INVAL, "%s: unknown key", where);
            rc = XLMIG_E_INVAL;
        }
    }
    if (rc)
        goto out;
    if (!total) {
        xlmig_err(XLMIG_E_INVAL, "%s: mem_mib is missing", path);
        rc = XLMIG_E_INVAL;
        goto out;
    }
    snprintf(path, sizeof(path), "%s/guests", dir);
    n = scandir(path, &list, NULL, alphasort);
    if (n < 0)
        n = 0;                  /* no guests directory: no guests */
    for (i = 0; i < n && !rc; i++) {
        if (!is_record(list[i]->d_name))
            continue;
        snprintf(path, sizeof(path), "%s/guests/%s", dir, list[i]->d_name);
        rc = load_record(path, &g);
        if (rc)
            break;
        ng = xlmig_inventory_add_guest(inv, g.name);
        if (!ng) {
            rc = XLMIG_E_INVAL;
            break;
        }
        *ng = g;
        used += g.mem_mib;
    }
    *free_mib = total > used ? total - used : 0;
out:
    for (i = 0; i < n; i++)
        free(list[i]);
    free(list);
    free(buf);
    return rc;
}
