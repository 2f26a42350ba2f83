/*
 * DRBD 8.4's /proc/drbd, one line per minor:
 *
 *    0: cs:Connected ro:Primary/Primary ds:UpToDate/UpToDate C r-----
 *
 * read for the check right after the suspend, where three drbdadm
 * calls per resource cost seconds on a slow host: the words of the
 * resource's minors go through the very parsers of drbdadm's role,
 * cstate and dstate output, so both ways agree on what is accepted.
 */
#include "drbd.h"

#include <stdio.h>
#include <string.h>

#include "error.h"

#define LINE_MAX_ 256

/* The value after key ("cs:") in line, up to a blank, into out. */
static int word(const char *line, const char *key, char *out, size_t cap)
{
    const char *p = line, *e;
    size_t kl = strlen(key), n;

    for (;;) {
        p = strstr(p, key);
        if (!p)
            return -1;
        if (p == line || p[-1] == ' ')
            break;
        p += kl;
    }
    p += kl;
    e = p + strcspn(p, " \t");
    n = (size_t)(e - p);
    if (!n || n + 2 > cap)
        return -1;
    memcpy(out, p, n);
    out[n] = '\n';
    out[n + 1] = 0;
    return 0;
}

/* Line of minor m, NUL-terminated into line; 0, or -1 if none. */
static int find_minor(const char *buf, size_t len, int m, char *line)
{
    size_t i = 0, n, k, wl;
    char want[16];

    snprintf(want, sizeof(want), "%d:", m);
    wl = strlen(want);
    while (i < len) {
        for (n = 0; i + n < len && buf[i + n] != '\n'; n++)
            ;
        for (k = 0; k < n && buf[i + k] == ' '; k++)
            ;
        /* "<minor>: " whole, inside this line, never past it. */
        if (n - k > wl && n - k < LINE_MAX_ &&
            !memcmp(buf + i + k, want, wl) && buf[i + k + wl] == ' ') {
            memcpy(line, buf + i + k, n - k);
            line[n - k] = 0;
            return memchr(line, 0, n - k) ? -1 : 0;
        }
        i += n + 1;
    }
    return -1;
}

int xlmig_drbd_parse_proc84(const char *buf, size_t len, const char *res,
                            const int *minors, unsigned nminors,
                            xlmig_drbd_state *s)
{
    char line[LINE_MAX_], role[LINE_MAX_ * 2], cs[LINE_MAX_ * 2],
         ds[LINE_MAX_ * 2], w[LINE_MAX_];
    size_t lr = 0, lc = 0, ld = 0;
    unsigned i;
    int rc;

    xlmig_drbd_state_init(s);
    if (!nminors || nminors > XLMIG_DRBD_MAX_VOL) {
        xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: no minors to look up in"
                  " /proc/drbd", res);
        return XLMIG_E_EXTERNAL;
    }
    role[0] = cs[0] = ds[0] = 0;
    for (i = 0; i < nminors; i++) {
        if (minors[i] < 0 || find_minor(buf, len, minors[i], line)) {
            xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: minor %d not in"
                      " /proc/drbd", res, minors[i]);
            return XLMIG_E_EXTERNAL;
        }
        if (word(line, "ro:", w, sizeof(w)) ||
            lr + strlen(w) >= sizeof(role))
            goto bad;
        lr += (size_t)snprintf(role + lr, sizeof(role) - lr, "%s", w);
        if (word(line, "cs:", w, sizeof(w)) ||
            lc + strlen(w) >= sizeof(cs))
            goto bad;
        lc += (size_t)snprintf(cs + lc, sizeof(cs) - lc, "%s", w);
        if (word(line, "ds:", w, sizeof(w)) ||
            ld + strlen(w) >= sizeof(ds))
            goto bad;
        ld += (size_t)snprintf(ds + ld, sizeof(ds) - ld, "%s", w);
    }
    rc = xlmig_drbd_parse_role84(role, lr, res, s);
    if (!rc)
        rc = xlmig_drbd_parse_cstate84(cs, lc, res, s);
    if (!rc)
        rc = xlmig_drbd_parse_dstate84(ds, ld, res, s);
    if (!rc)
        s->minor = minors[0];
    return rc;
bad:
    xlmig_err(XLMIG_E_EXTERNAL, "drbd %s: /proc/drbd line of minor %d"
              " lacks cs:, ro: or ds:", res, minors[i]);
    return XLMIG_E_EXTERNAL;
}
