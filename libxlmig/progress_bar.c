/* The progress bar's line on a terminal: see progress.h. */
#include "progress.h"

#include <string.h>
#include <sys/ioctl.h>

#define BAR_MIN 5               /* '#'s and '.'s between the brackets */
#define BAR_MAX 25

enum { F_PHASE, F_BAR, F_PCT, F_IT, F_RATE, F_ETA, F_DIRTY, F_THR, F_N };

unsigned xlmig_bar_cols(int fd)
{
    struct winsize ws;

    if (fd < 0 || ioctl(fd, TIOCGWINSZ, &ws) || !ws.ws_col)
        return 80;
    return ws.ws_col;
}

static void put_bar(char *buf, unsigned inner, double pct)
{
    unsigned i, fill = (unsigned)(pct / 100.0 * inner); /* full: 100 % */

    buf[0] = '[';
    for (i = 0; i < inner; i++)
        buf[1 + i] = i < fill ? '#' : '.';
    buf[1 + inner] = ']';
    buf[2 + inner] = 0;
}

size_t xlmig_bar_text(char *buf, size_t len, unsigned cols,
                      const xlmig_bar_fields *f)
{
    /* Kept first to last: what an operator needs most at a glance. */
    static const int prio[F_N] = { F_PCT, F_PHASE, F_ETA, F_RATE, F_BAR,
                                   F_IT, F_THR, F_DIRTY };
    char s[F_N][48];
    bool on[F_N] = { false };
    size_t w[F_N], room, used = 0, n = 0;
    unsigned inner = BAR_MIN, i;
    double pct = f->pct < 0 ? 0 : f->pct > 100 ? 100 : f->pct;

    if (!len)
        return 0;
    buf[0] = 0;
    room = cols > 1 ? cols - 1 : 0;
    snprintf(s[F_PHASE], sizeof(s[0]), "%-10s", f->phase ? f->phase : "");
    put_bar(s[F_BAR], BAR_MIN, pct);
    snprintf(s[F_PCT], sizeof(s[0]), "%3.0f%%", pct);
    snprintf(s[F_IT], sizeof(s[0]), "it %-3u", f->iteration);
    snprintf(s[F_RATE], sizeof(s[0]), "%7.1f MiB/s", f->rate_mib_s);
    snprintf(s[F_ETA], sizeof(s[0]), "ETA %s", f->eta ? f->eta : "--:--");
    snprintf(s[F_DIRTY], sizeof(s[0]), "dirty %6.1f MiB/s", f->dirty_mib_s);
    snprintf(s[F_THR], sizeof(s[0]), "thr %2.0f%%", f->throttle_pct);
    for (i = 0; i < F_N; i++) {
        int k = prio[i];

        w[k] = strlen(s[k]);
        if (!f->stats && k != F_PHASE && k != F_BAR && k != F_PCT)
            continue;
        if (used + (used ? 1 : 0) + w[k] > room)
            continue;
        on[k] = true;
        used += (used ? 1 : 0) + w[k];
    }
    /* What is left widens the bar. */
    if (on[F_BAR]) {
        inner += (unsigned)(room - used < BAR_MAX - BAR_MIN
                            ? room - used : BAR_MAX - BAR_MIN);
        put_bar(s[F_BAR], inner, pct);
    }
    for (i = 0; i < F_N; i++) {
        int r;

        if (!on[i])
            continue;
        r = snprintf(buf + n, len - n, "%s%s", n ? " " : "", s[i]);
        if (r < 0 || (size_t)r >= len - n)
            break;
        n += (size_t)r;
    }
    return n;
}
