/*
 * The domain's configuration on the wire is libxl's own JSON (what
 * libxl_domain_config_to_json writes); the destination reads it back
 * with libxl_domain_config_from_json and receives the guest under
 * "<name>--incoming", as xl does, so that nothing mistakes the half
 * built copy for the guest.
 */
#include "xen_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* Xen's domain names are xenstore values; keep well inside limits. */
#define NAME_MAX_LEN 200

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && !strcmp(s + n - m, suffix);
}

char *xlmig_xen_incoming_name(const char *name)
{
    size_t n;
    char *out;

    if (!name || !*name)
        return NULL;
    n = strlen(name) + sizeof(XLMIG_XEN_INCOMING_SUFFIX);
    if (n > NAME_MAX_LEN)
        return NULL;
    out = malloc(n);
    if (out)
        snprintf(out, n, "%s%s", name, XLMIG_XEN_INCOMING_SUFFIX);
    return out;
}

bool xlmig_xen_is_transient_name(const char *name)
{
    return name && (ends_with(name, XLMIG_XEN_INCOMING_SUFFIX) ||
                    ends_with(name, "--migratedaway"));
}

int xlmig_xen_config_rename(libxl_domain_config *cfg, char **real)
{
    char *incoming;

    *real = NULL;
    if (!cfg->c_info.name || !*cfg->c_info.name) {
        xlmig_err(XLMIG_E_PROTO, "the domain configuration has no name");
        return XLMIG_E_PROTO;
    }
    if (xlmig_xen_is_transient_name(cfg->c_info.name)) {
        xlmig_err(XLMIG_E_PROTO, "domain name %s is a migration leftover"
                  " name; refusing", cfg->c_info.name);
        return XLMIG_E_PROTO;
    }
    incoming = xlmig_xen_incoming_name(cfg->c_info.name);
    if (!incoming) {
        xlmig_err(XLMIG_E_PROTO, "domain name %.40s... is too long",
                  cfg->c_info.name);
        return XLMIG_E_PROTO;
    }
    /* The config owns its strings: hand the real name to the caller. */
    *real = cfg->c_info.name;
    cfg->c_info.name = incoming;
    return 0;
}

int xlmig_xen_config_incoming(libxl_ctx *ctx, const char *json,
                              libxl_domain_config *cfg, char **real)
{
    int r;

    *real = NULL;
    if (!json || !*json) {
        xlmig_err(XLMIG_E_PROTO, "the source sent no domain configuration");
        return XLMIG_E_PROTO;
    }
    r = libxl_domain_config_from_json(ctx, cfg, json);
    if (r) {
        xlmig_err(XLMIG_E_PROTO, "the source's domain configuration is not"
                  " a libxl JSON domain config (libxl error %d)", r);
        return XLMIG_E_PROTO;
    }
    return xlmig_xen_config_rename(cfg, real);
}
