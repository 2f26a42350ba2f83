/*
 * Simulator, source side. The pre-copy driver (precopy.h) runs the save
 * loop, shaped as libxenguest's (xg_sr_save.c); this file sends the
 * rounds and reads the simulated guest's dirty log. Pages are hashed
 * as they go (page_digest.h): a page the guest writes after its hash
 * is in the dirty log, so it goes again, at the latest in the final
 * round, whose pages are the only ones hashed inside the downtime.
 */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <yajl/yajl_gen.h>

#include "error.h"
#include "fault.h"
#include "precopy.h"
#include "json_gen.h"
#include "progress.h"
#include "sim_host.h"
#include "throttle_cap.h"
#include "wire.h"

#define SIM_BATCH 1020        /* pages a record; + 2 iovecs <= IOV_MAX */

/* A uuid's bits from a name's hash (as the page hash of old mixed it). */
static uint64_t uuid_mix(uint64_t x)
{
    uint64_t h = 24 ^ (x * 0xff51afd7ed558ccdULL);

    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 29;
    return h;
}

/* The host's domain list; a destroyed guest leaves its definition. */
static int record(xlmig_sim_src *s, const char *state)
{
    int rc;

    if (!s->par.host_dir)
        return 0;
    if (state)
        return xlmig_sim_host_put(s->par.host_dir, s->par.name, state);
    rc = xlmig_sim_host_remove(s->par.host_dir, s->par.name);
    return rc ? rc : xlmig_sim_host_guest_remove(s->par.host_dir,
                                                 s->par.name);
}

static uint64_t zero_len(const xlmig_sim_src *s)
{
    uint64_t z = s->par.zero_bytes / s->guest.page_size * s->guest.page_size;

    return z < s->guest.mem_bytes ? z : s->guest.mem_bytes;
}

int xlmig_sim_src_init(xlmig_sim_src *s, const xlmig_sim_src_params *par)
{
    const char *p;
    uint64_t h;
    int rc;

    memset(s, 0, sizeof(*s));
    s->par = *par;
    if (!s->par.page_size)
        s->par.page_size = XLMIG_PAGE_SIZE;
    xlmig_sim_guest_init(&s->guest);
    xlmig_page_digest_init(&s->digest);
    rc = xlmig_sim_guest_alloc(&s->guest, par->mem_bytes, s->par.page_size,
                               par->seed);
    if (rc)
        return rc;
    s->bitmap = calloc(s->guest.nwords, sizeof(uint64_t));
    if (!s->bitmap) {
        xlmig_err(XLMIG_E_NOMEM, "simulated guest: no memory for buffers");
        return XLMIG_E_NOMEM;
    }
    /* One uuid per guest name (FNV-1a, then mixed), as a guest's own. */
    h = 0xcbf29ce484222325ULL ^ par->seed;
    for (p = par->name; *p; p++)
        h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
    h = uuid_mix(h);
    snprintf(s->uuid, sizeof(s->uuid), "%08x-%04x-4%03x-8%03x-%012llx",
             (unsigned)(h >> 32), (unsigned)(h >> 16) & 0xffff,
             (unsigned)h & 0xfff, (unsigned)(h >> 20) & 0xfff,
             (unsigned long long)(h * 31) & 0xffffffffffffULL);
    /* A guest's free memory: its last zero_bytes are zero pages. */
    if (par->zero_bytes)
        memset(s->guest.mem + s->guest.mem_bytes - zero_len(s), 0,
               zero_len(s));
    rc = xlmig_sim_guest_start(&s->guest, &s->par.wl);
    if (!rc)
        rc = record(s, "running");
    return rc;
}

void xlmig_sim_src_dispose(xlmig_sim_src *s)
{
    xlmig_sim_guest_dispose(&s->guest);
    xlmig_page_digest_dispose(&s->digest);
    free(s->bitmap);
    s->bitmap = NULL;
}

/*
 * The disks given to the simulated guest, as libxl would describe
 * them: {"c_info":{"name":..},"disks":[{"vdev":..,"pdev_path":..}]}.
 */
static int sim_config(const xlmig_sim_src *s, char **out)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    unsigned i;
    int rc = XLMIG_E_NOMEM;

    *out = NULL;
    if (!g)
        return rc;
    yajl_gen_map_open(g);
    GS(g, "c_info");
    yajl_gen_map_open(g);
    GS(g, "name");
    GS(g, s->par.name);
    yajl_gen_map_close(g);
    GS(g, "disks");
    yajl_gen_array_open(g);
    for (i = 0; i < s->par.ndisks; i++) {
        const char *d = s->par.disks[i], *eq = strchr(d, '=');

        yajl_gen_map_open(g);
        GS(g, "vdev");
        yajl_gen_string(g, (const unsigned char *)d,
                        eq ? (size_t)(eq - d) : strlen(d));
        GS(g, "pdev_path");
        GS(g, eq ? eq + 1 : "");
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    rc = xlmig_json_gen_take(g, out, NULL);
    yajl_gen_free(g);
    return rc;
}

static int sim_info(void *be, xlmig_domain_info *di)
{
    xlmig_sim_src *s = be;

    di->name = strdup(s->par.name);
    di->uuid = strdup(s->uuid);
    if (!di->name || !di->uuid)
        return XLMIG_E_NOMEM;
    /* Only a guest given disks has a config to check them in. */
    if (s->par.ndisks && sim_config(s, &di->config))
        return XLMIG_E_NOMEM;
    di->mem_bytes = s->guest.mem_bytes;
    di->page_size = s->guest.page_size;
    di->vcpus = 1;
    return 0;
}

static int sim_precheck(void *be, xlmig_checks *c)
{
    xlmig_sim_src *s = be;
    bool run = xlmig_sim_guest_running(&s->guest);

    xlmig_checks_add(c, "source", "domain-running", run, run
                     ? "simulated guest %s is running"
                     : "simulated guest %s is not running", s->par.name);
    xlmig_checks_add(c, "source", "log-dirty", true,
                     "simulator tracks dirty pages");
    return 0;
}

static uint64_t sim_switchover_ns(void *be)
{
    (void)be;
    /* Pausing and unpausing a thread: next to nothing. */
    return 1000000ULL;
}

typedef struct {
    xlmig_sim_src *s;
    xlmig_save_ctx *sc;
    xlmig_precopy pc;
    uint64_t round_pages;   /* pages in this round */
    uint64_t round_sent;
} save_state;

static void report_progress(save_state *st, bool force)
{
    xlmig_save_ctx *sc = st->sc;
    xlmig_progress_sample smp;
    uint64_t now = xlmig_now_ns();
    uint64_t left = st->round_pages - st->round_sent;

    if (!sc->progress)
        return;
    memset(&smp, 0, sizeof(smp));
    smp.phase = sc->t_suspend ? "switchover" : "precopy";
    smp.iteration = sc->iterations;
    smp.mem_bytes = st->s->guest.mem_bytes;
    smp.sent_bytes = xlmig_meter_bytes(&sc->ch->meter);
    smp.remaining_bytes = (left + xlmig_sim_logdirty_peek(&st->s->guest)) *
                          st->s->guest.page_size;
    smp.tx_Bps = xlmig_meter_rate(&sc->ch->meter, now);
    smp.dirty_Bps = sc->policy->dirty_Bps;
    if (sc->policy->t_a && now > sc->policy->t_a + 100000000ULL)
        smp.dirty_Bps = (double)xlmig_sim_logdirty_peek(&st->s->guest) *
                        st->s->guest.page_size /
                        ((double)(now - sc->policy->t_a) / 1e9);
    smp.throttle_pct = sc->throttle ? xlmig_throttle_pct(sc->throttle) : 0;
    xlmig_progress_update(sc->progress, &smp, force);
}

/* Their share of the digest, from what memory holds as they go. */
static void hash_pages(xlmig_sim_src *s, const uint64_t *pfns, uint32_t n)
{
    uint32_t ps = s->guest.page_size, i;

    for (i = 0; i < n; i++)
        xlmig_page_digest_put(&s->digest, pfns[i],
                              s->guest.mem + pfns[i] * ps, ps);
}

/*
 * One PAGES record, gathered straight from guest memory by the
 * channel's codec (zero pages as their pfn). SIM_BATCH keeps the
 * iovec count within IOV_MAX.
 */
static int send_batch(save_state *st, const uint64_t *pfns, uint32_t n)
{
    xlmig_sim_src *s = st->s;

    hash_pages(s, pfns, n);
    return xlmig_chan_send_pages(st->sc->ch, pfns, n, s->guest.mem,
                                 s->guest.page_size);
}

/* Send every page set in s->bitmap. */
static int send_round(save_state *st)
{
    xlmig_sim_src *s = st->s;
    xlmig_save_ctx *sc = st->sc;
    uint64_t pfns[SIM_BATCH], w;
    uint32_t n = 0;
    int rc;

    st->round_sent = 0;
    for (w = 0; w < s->guest.nwords; w++) {
        uint64_t bits = s->bitmap[w];

        while (bits) {
            pfns[n++] = w * 64 + (uint64_t)__builtin_ctzll(bits);
            bits &= bits - 1;
            if (n < SIM_BATCH)
                continue;
            rc = send_batch(st, pfns, n);
            if (rc)
                return rc;
            st->round_sent += n;
            sc->pages_sent += n;
            n = 0;
            rc = xlmig_precopy_sent(&st->pc, (unsigned long)st->round_sent);
            if (rc)
                return rc;
            report_progress(st, false);
        }
    }
    if (n) {
        rc = send_batch(st, pfns, n);
        if (rc)
            return rc;
        st->round_sent += n;
        sc->pages_sent += n;
    }
    report_progress(st, false);
    return 0;
}

/* The driver's side of the loop (precopy.h), on the real clock. */
static long op_peek(void *arg)
{
    save_state *st = arg;

    return (long)xlmig_sim_logdirty_peek(&st->s->guest);
}

static int op_send_round(void *arg, unsigned long n)
{
    save_state *st = arg;
    const xlmig_codec_stats *cs = &st->sc->ch->enc.st;
    int rc;

    st->sc->iterations = st->pc.st.iteration;
    st->round_pages = n;
    rc = send_round(st);
    /* What the codec gained on the round: the policy's link scale. */
    if (st->sc->policy)
        xlmig_policy_wire(st->sc->policy, cs->raw_bytes, cs->wire_bytes);
    return rc;
}

static unsigned long op_clean(void *arg)
{
    save_state *st = arg;

    return (unsigned long)xlmig_sim_logdirty_clean(&st->s->guest,
                                                   st->s->bitmap);
}

/* Within a round at each tick, and between rounds: a place to fail. */
static int op_fault(void *arg)
{
    save_state *st = arg;

    return xlmig_fault_point(XLMIG_SIDE_SOURCE, "precopy-round", st->sc->ch);
}

static const xlmig_precopy_ops sim_precopy_ops = {
    .peek = op_peek,
    .send_round = op_send_round,
    .clean = op_clean,
    .tick = op_fault,
    .between = op_fault,
};

static int sim_save(void *be, xlmig_save_ctx *sc)
{
    xlmig_sim_src *s = be;
    xlmig_sim_guest *g = &s->guest;
    save_state st = { .s = s, .sc = sc };
    int rc = 0;

    memset(s->bitmap, 0xff, g->nwords * sizeof(uint64_t));
    if (g->npages % 64)
        s->bitmap[g->nwords - 1] = (1ULL << (g->npages % 64)) - 1;
    /* Afresh: every page goes in the first round and is hashed there. */
    rc = xlmig_page_digest_alloc(&s->digest, g->npages);
    if (rc)
        return rc;
    xlmig_sim_logdirty_enable(g);
    xlmig_precopy_init(&st.pc, sc->policy, &sim_precopy_ops, &st);
    rc = xlmig_precopy_run(&st.pc, (unsigned long)g->npages);
    sc->iterations = st.pc.st.iteration;
    /* What the streams still hold is taken in while the guest runs. */
    if (!rc && sc->drain)
        rc = sc->drain(sc);
    if (rc)
        goto out;

    /* Suspend: from here the guest is down until resumed somewhere. */
    xlmig_precopy_suspending(&st.pc);
    if (sc->suspending)
        sc->suspending(sc);
    xlmig_sim_guest_pause(g);
    sc->t_suspend = xlmig_now_ns();
    sc->t_down = sc->t_suspend;
    if (record(s, "suspended"))
        XLMIG_WARN("%s", xlmig_errmsg());
    if (sc->suspended)
        sc->suspended(sc);
    st.round_pages = xlmig_sim_logdirty_clean(g, s->bitmap);
    sc->final_pages = st.round_pages;
    rc = send_round(&st);
out:
    xlmig_sim_logdirty_disable(g);
    if (!rc && sc->t_suspend) {
        sc->digest = xlmig_page_digest_value(&s->digest);
        sc->has_digest = true;
    }
    xlmig_precopy_dispose(&st.pc);
    return rc;
}

/*
 * A guest with a host record outlives this process, cap and all: its
 * own cap goes to disk before the first change, exactly as on Xen, and
 * the record holds the cap applied. Without a record the guest dies
 * with us and nothing needs keeping.
 */
static void save_cap(xlmig_sim_src *s)
{
    if (xlmig_capfile_save(s->par.host_dir, "sim", s->par.name, s->uuid,
                           s->cap_orig))
        s->cap_saved = true;
    else
        s->cap_off = true;
}

static void drop_cap(xlmig_sim_src *s)
{
    if (s->cap_saved && xlmig_capfile_drop(s->par.host_dir, s->uuid))
        s->cap_saved = false;
}

static int sim_set_share(void *be, double share)
{
    xlmig_sim_src *s = be;
    int cap, full, rc;

    if (s->par.host_dir && !s->cap_read) {
        if (!(share < 1.0))
            return 0;
        /* Its own cap, read once: what share 1.0 gives back. */
        if (xlmig_sim_host_get_cap(s->par.host_dir, s->par.name,
                                   &s->cap_orig) < 0) {
            XLMIG_WARN("%s: not throttling %s", xlmig_errmsg(),
                       s->par.name);
            xlmig_err_clear();
            s->cap_off = true;
        }
        s->cap_now = s->cap_orig;
        s->cap_read = true;
    }
    if (s->cap_off || s->destroyed)
        return 0;
    if (!s->par.host_dir) {
        xlmig_sim_guest_set_share(&s->guest, share);
        return 0;
    }
    /* As xen_sched.c, one vCPU: never 0, which would mean uncapped. */
    full = s->cap_orig > 0 ? s->cap_orig : 100;
    cap = !(share < 1.0) ? s->cap_orig : share * full < 1 ? 1
        : (int)(share * full + 0.5);
    /* Each time it leaves its own cap, the record is there first. */
    if (cap != s->cap_orig && !s->cap_saved) {
        save_cap(s);
        if (s->cap_off)
            return 0;
    }
    xlmig_sim_guest_set_share(&s->guest, share);
    if (cap != s->cap_now) {
        rc = xlmig_sim_host_set_cap(s->par.host_dir, s->par.name, cap);
        if (rc)
            return rc;
        s->cap_now = cap;
    }
    if (cap == s->cap_orig)
        drop_cap(s);
    return 0;
}

static int sim_resume(void *be)
{
    xlmig_sim_src *s = be;

    xlmig_sim_guest_unpause(&s->guest);
    return record(s, "running");
}

static int sim_destroy(void *be)
{
    xlmig_sim_src *s = be;

    xlmig_sim_guest_pause(&s->guest);
    s->destroyed = true;
    drop_cap(s);
    return record(s, NULL);
}

static bool sim_running(void *be)
{
    xlmig_sim_src *s = be;

    return !s->destroyed && xlmig_sim_guest_running(&s->guest);
}

const xlmig_src_ops xlmig_sim_src_ops = {
    .name = "sim",
    .info = sim_info,
    .precheck = sim_precheck,
    .switchover_ns = sim_switchover_ns,
    .save = sim_save,
    .resume = sim_resume,
    .destroy = sim_destroy,
    .set_share = sim_set_share,
    .running = sim_running,
};
