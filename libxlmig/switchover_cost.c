/* Switchover cost history per destination: see switchover_cost.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "hoststate.h"
#include "write_atomic.h"
#include "switchover_cost.h"

#define MS 1000000ULL
#define MAX_MS 1000000000ULL         /* 11 days: anything above is junk */
#define MAX_TIME 100000000000LL      /* year 5138 */

void xlmig_swcost_init(xlmig_swcost *s)
{
    memset(s, 0, sizeof(*s));
}

void xlmig_swcost_dispose(xlmig_swcost *s)
{
    (void)s;
}

void xlmig_swcost_add(xlmig_swcost *s, int64_t when, uint64_t cost_ns,
                      uint64_t downtime_ns)
{
    if (s->n == XLMIG_SWCOST_KEEP) {
        memmove(s->when, s->when + 1, (s->n - 1) * sizeof(s->when[0]));
        memmove(s->cost_ns, s->cost_ns + 1,
                (s->n - 1) * sizeof(s->cost_ns[0]));
        memmove(s->downtime_ns, s->downtime_ns + 1,
                (s->n - 1) * sizeof(s->downtime_ns[0]));
        s->n--;
    }
    s->when[s->n] = when;
    s->cost_ns[s->n] = cost_ns;
    s->downtime_ns[s->n] = downtime_ns;
    s->n++;
}

/* One decimal number of at most max, then a single separator. */
static int num(const char **p, const char *end, uint64_t max, char sep,
               uint64_t *out)
{
    const char *q = *p;
    uint64_t v = 0;

    if (q == end || *q < '0' || *q > '9')
        return -1;
    for (; q < end && *q >= '0' && *q <= '9'; q++) {
        v = v * 10 + (uint64_t)(*q - '0');
        if (v > max)
            return -1;
    }
    if (q == end || *q != sep)
        return -1;
    *p = q + 1;
    *out = v;
    return 0;
}

int xlmig_swcost_parse(xlmig_swcost *s, const char *buf, size_t len)
{
    const char *p = buf, *end = buf + len;
    uint64_t t, cost, down;
    unsigned line = 0;

    xlmig_swcost_init(s);
    if (len > XLMIG_SWCOST_FILE_MAX) {
        xlmig_err(XLMIG_E_INVAL, "switchover history is %zu bytes, more"
                  " than %d", len, XLMIG_SWCOST_FILE_MAX);
        return XLMIG_E_INVAL;
    }
    while (p < end) {
        line++;
        if (num(&p, end, MAX_TIME, ' ', &t) ||
            num(&p, end, MAX_MS, ' ', &cost) ||
            num(&p, end, MAX_MS, '\n', &down)) {
            xlmig_swcost_init(s);
            xlmig_err(XLMIG_E_INVAL, "switchover history line %u: not"
                      " \"<time> <switchover ms> <downtime ms>\"", line);
            return XLMIG_E_INVAL;
        }
        xlmig_swcost_add(s, (int64_t)t, cost * MS, down * MS);
    }
    return 0;
}

int xlmig_swcost_file(const char *dir, const char *host, char *buf,
                      size_t len)
{
    char name[65];
    size_t i, n = strlen(host);

    if (!n || n >= sizeof(name)) {
        xlmig_err(XLMIG_E_INVAL, "host name \"%.64s\" is empty or longer"
                  " than %zu characters", host, sizeof(name) - 1);
        return XLMIG_E_INVAL;
    }
    for (i = 0; i < n; i++) {
        char c = host[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                  (c == '.' && i > 0);
        name[i] = ok ? c : '_';
    }
    name[n] = 0;
    if (snprintf(buf, len, "%s/%s", dir, name) >= (int)len) {
        xlmig_err(XLMIG_E_INVAL, "switchover history path under %.60s is"
                  " too long", dir);
        return XLMIG_E_INVAL;
    }
    return 0;
}

int xlmig_swcost_load(xlmig_swcost *s, const char *dir, const char *host)
{
    char path[4096], buf[XLMIG_SWCOST_FILE_MAX + 1];
    ssize_t r;
    int fd = -1, rc;

    xlmig_swcost_init(s);
    rc = xlmig_swcost_file(dir, host, path, sizeof(path));
    if (rc)
        goto out;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            goto out;       /* nothing learned yet */
        rc = XLMIG_E_IO;
        xlmig_err(rc, "cannot open %s: %s", path, strerror(errno));
        goto out;
    }
    do
        r = read(fd, buf, sizeof(buf));
    while (r < 0 && errno == EINTR);
    if (r < 0) {
        rc = XLMIG_E_IO;
        xlmig_err(rc, "cannot read %s: %s", path, strerror(errno));
        goto out;
    }
    rc = xlmig_swcost_parse(s, buf, (size_t)r);
    if (rc)
        xlmig_err_replace(rc, "%s: %s", path, xlmig_errmsg());
out:
    if (fd >= 0)
        close(fd);
    return rc;
}

int xlmig_swcost_save(const xlmig_swcost *s, const char *dir,
                      const char *host)
{
    char path[4096], buf[XLMIG_SWCOST_FILE_MAX];
    size_t len = 0;
    unsigned i;
    int rc;

    rc = xlmig_swcost_file(dir, host, path, sizeof(path));
    if (rc)
        goto out;
    for (i = 0; i < s->n; i++) {
        int w = snprintf(buf + len, sizeof(buf) - len, "%lld %llu %llu\n",
                         (long long)s->when[i],
                         (unsigned long long)(s->cost_ns[i] / MS),
                         (unsigned long long)(s->downtime_ns[i] / MS));
        if (w < 0 || (size_t)w >= sizeof(buf) - len) {
            rc = XLMIG_E_INVAL;
            xlmig_err(rc, "switchover history for %s does not fit", host);
            goto out;
        }
        len += (size_t)w;
    }
    rc = xlmig_mkdir_p(dir);
    if (rc)
        goto out;
    rc = xlmig_write_atomic(path, buf, len);
out:
    return rc;
}

uint64_t xlmig_swcost_estimate(const xlmig_swcost *s, unsigned *used)
{
    unsigned i, from = s->n > XLMIG_SWCOST_RECENT
                       ? s->n - XLMIG_SWCOST_RECENT : 0;
    uint64_t worst = 0;

    for (i = from; i < s->n; i++)
        if (s->cost_ns[i] > worst)
            worst = s->cost_ns[i];
    if (used)
        *used = s->n - from;
    return worst;
}

uint64_t xlmig_swcost_of(uint64_t downtime_ns, uint64_t final_bytes,
                         double rate_Bps)
{
    double pages_ns;

    if (!(rate_Bps > 0))
        return downtime_ns;
    pages_ns = (double)final_bytes / rate_Bps * 1e9;
    if (pages_ns >= (double)downtime_ns)
        return 0;
    return downtime_ns - (uint64_t)pages_ns;
}

uint64_t xlmig_swcost_precheck(const char *dir, const char *host,
                               const xlmig_policy_params *asked,
                               xlmig_checks *c, unsigned *n)
{
    double ms, bound = (double)asked->max_downtime_ns / 1e6;
    uint64_t learned;
    xlmig_swcost h;

    *n = 0;
    if (!dir)
        return 0;
    xlmig_swcost_init(&h);
    if (xlmig_swcost_load(&h, dir, host)) {
        /* Our own cache: a damaged one is started afresh. */
        XLMIG_WARN("ignoring switchover history: %s", xlmig_errmsg());
        xlmig_err_clear();
        xlmig_swcost_init(&h);
    }
    learned = xlmig_swcost_estimate(&h, n);
    xlmig_swcost_dispose(&h);
    ms = (double)learned / 1e6;
    if (!*n)
        xlmig_checks_add(c, "source", "switchover-cost", true,
                         "no switchover to %s measured yet", host);
    else if (xlmig_downtime_hard(asked) && ms > bound)
        xlmig_checks_add(c, "source", "switchover-cost", false,
                         "switchover to %s took up to %.0f ms (last %u"
                         " migration%s), over --max-downtime %.0f ms",
                         host, ms, *n, *n == 1 ? "" : "s", bound);
    else
        xlmig_checks_add(c, "source", "switchover-cost", true,
                         "switchover to %s takes up to %.0f ms (last %u"
                         " migration%s)", host, ms, *n,
                         *n == 1 ? "" : "s");
    return learned;
}

void xlmig_swcost_learn(const char *dir, const char *host,
                        const xlmig_policy_params *par,
                        uint64_t final_bytes, double rate_Bps,
                        xlmig_report *rep)
{
    uint64_t cost;
    xlmig_swcost h;

    cost = xlmig_swcost_of(rep->downtime_ns, final_bytes, rate_Bps);
    rep->switchover_ns = cost;
    /* Too late to refuse; not too late to say so, loudly. */
    if (xlmig_downtime_hard(par) && rep->downtime_ns > par->max_downtime_ns) {
        rep->over_bound = true;
        XLMIG_WARN("downtime %.0f ms was over --max-downtime %.0f ms: the"
                   " switchover to %s cost %.0f ms, %.0f ms were planned%s",
                   (double)rep->downtime_ns / 1e6,
                   (double)par->max_downtime_ns / 1e6, host,
                   (double)cost / 1e6, (double)par->switchover_ns / 1e6,
                   dir ? "; learned: the next migration there with"
                   " this bound is refused at the pre-check" : "");
    }
    if (!dir || !rep->downtime_ns)
        return;
    xlmig_swcost_init(&h);
    if (xlmig_swcost_load(&h, dir, host))
        xlmig_swcost_init(&h);      /* warned about at pre-check */
    xlmig_swcost_add(&h, (int64_t)time(NULL), cost, rep->downtime_ns);
    if (xlmig_swcost_save(&h, dir, host))
        XLMIG_WARN("switchover cost not recorded: %s", xlmig_errmsg());
    xlmig_err_clear();
    xlmig_swcost_dispose(&h);
}
