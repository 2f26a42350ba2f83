#include "report.h"

#include <string.h>
#include <yajl/yajl_gen.h>

#include "json_out.h"
#include "json_gen.h"

void xlmig_report_init(xlmig_report *r)
{
    memset(r, 0, sizeof(*r));
}

const char *xlmig_outcome_str(xlmig_outcome o)
{
    switch (o) {
    case XLMIG_OUT_MIGRATED: return "migrated";
    case XLMIG_OUT_ABORTED: return "aborted";
    case XLMIG_OUT_FAILED: return "failed";
    case XLMIG_OUT_UNDEFINED: return "undefined";
    case XLMIG_OUT_CHECKED: return "checked";
    case XLMIG_OUT_REFUSED: return "refused";
    default: return "none";
    }
}

int xlmig_report_exit_code(const xlmig_report *r)
{
    switch (r->outcome) {
    case XLMIG_OUT_MIGRATED:
    case XLMIG_OUT_CHECKED:
        return XLMIG_EXIT_OK;
    case XLMIG_OUT_ABORTED:
        return XLMIG_EXIT_ABORTED;
    case XLMIG_OUT_UNDEFINED:
        return XLMIG_EXIT_UNDEFINED;
    default:
        return XLMIG_EXIT_ERROR;
    }
}

void xlmig_report_restore_detail(xlmig_report *r, uint64_t hotplug_ns,
                                 uint64_t fast, uint64_t n,
                                 uint64_t activate_ns)
{
    if (n && n <= 64 && fast <= n && hotplug_ns <= r->sw_restore_ns) {
        r->sw_hotplug_ns = hotplug_ns;
        r->sw_hotplug_fast = (unsigned)fast;
        r->sw_hotplug_n = (unsigned)n;
    }
    if (activate_ns <= r->sw_resume_ns)
        r->sw_activate_ns = activate_ns;
}

#define MIB (1024.0 * 1024.0)

/* What the memory check established, and why when nothing was. */
static const char *mem_verify(const xlmig_report *r, const char **why)
{
    if (r->verified) {
        *why = "the destination's page hashes equal the source's at"
               " suspend";
        return "match";
    }
    if (r->has_verify) {
        *why = "the destination's page hashes differ from the source's";
        return "mismatch";
    }
    if (r->outcome == XLMIG_OUT_CHECKED || r->outcome == XLMIG_OUT_REFUSED)
        *why = "no memory was copied";
    else if (!strcmp(r->backend, "xen"))
        *why = "the Xen save stream carries no page hashes to compare";
    else
        *why = "the migration ended before the destination compared them";
    return "not-checked";
}

void xlmig_report_print(const xlmig_report *r, FILE *out)
{
    double total = (double)r->total_ns / 1e9;
    const char *why;

    fprintf(out, "\nmigration of %s to %s: %s\n", r->domain, r->dest,
            xlmig_outcome_str(r->outcome));
    if (r->message[0])
        fprintf(out, "  reason:          %s\n", r->message);
    if (r->outcome == XLMIG_OUT_CHECKED || r->outcome == XLMIG_OUT_REFUSED)
        return;
    fprintf(out, "  total time:      %.2f s\n", total);
    if (r->downtime_ns)
        fprintf(out, "  downtime:        %.1f ms (predicted %.1f ms;"
                " switchover %.1f ms, planned %.1f ms)\n",
                (double)r->downtime_ns / 1e6,
                (double)r->predicted_ns / 1e6,
                (double)r->switchover_ns / 1e6,
                (double)r->switchover_est_ns / 1e6);
    if (r->over_prediction)
        fprintf(out, "  warning:         downtime %.1fx the prediction\n",
                (double)r->downtime_ns / (double)r->predicted_ns);
    if (r->downtime_ns)
        fprintf(out, "  downtime steps:  suspend %.0f ms, last pages %.0f"
                " ms, in flight %.0f ms, destination restore %.0f ms,"
                " go to running %.0f ms\n",
                (double)r->sw_suspend_ns / 1e6,
                (double)r->sw_pages_ns / 1e6,
                (double)r->sw_flight_ns / 1e6,
                (double)r->sw_restore_ns / 1e6,
                (double)r->sw_resume_ns / 1e6);
    if (r->downtime_ns && (r->sw_hotplug_n || r->sw_activate_ns))
        fprintf(out, "  restore steps:   DRBD hotplug %.0f ms (%u of %u"
                " disks on the fast path), the rest of libxl's restore"
                " %.0f ms; rename and unpause %.0f ms\n",
                (double)r->sw_hotplug_ns / 1e6, r->sw_hotplug_fast,
                r->sw_hotplug_n,
                (double)(r->sw_restore_ns - r->sw_hotplug_ns) / 1e6,
                (double)r->sw_activate_ns / 1e6);
    if (r->drained)
        fprintf(out, "  before suspend:  the destination caught up with"
                " the stream in %.0f ms\n", (double)r->drain_ns / 1e6);
    fprintf(out, "  iterations:      %u%s%s%s\n", r->iterations,
            r->stop_reason[0] ? " (" : "", r->stop_reason,
            r->stop_reason[0] ? ")" : "");
    fprintf(out, "  sent:            %.1f MiB for %.1f MiB of memory"
            " (%.2fx)\n", (double)r->bytes_sent / MIB,
            (double)r->mem_bytes / MIB,
            r->mem_bytes ? (double)r->bytes_sent / (double)r->mem_bytes : 0);
    if (r->codec.records)
        fprintf(out, "  memory records:  %.1f MiB sent for %.1f MiB"
                " (%.2fx), %llu zero pages skipped, compression %s: %s\n",
                (double)r->codec.wire_bytes / MIB,
                (double)r->codec.raw_bytes / MIB,
                r->codec.raw_bytes ? (double)r->codec.wire_bytes /
                                     (double)r->codec.raw_bytes : 0,
                (unsigned long long)r->codec.zero_pages,
                r->codec.compressing ? "on" : "off", r->codec.why);
    fprintf(out, "  average rate:    %.1f MiB/s\n", r->rate_Bps / MIB);
    if (r->transport[0])
        fprintf(out, "  transport:       %s, %u stream%s%s\n", r->transport,
                r->streams, r->streams == 1 ? "" : "s",
                r->ktls ? " (kernel TLS)" : "");
    if (r->throttled)
        fprintf(out, "  throttle:        up to %.0f%%, guest time lost"
                " %.2f s (%.1f%% of the migration)\n", r->throttle_max_pct,
                (double)r->guest_lost_ns / 1e9,
                total > 0 ? 100.0 * (double)r->guest_lost_ns / 1e9 / total
                          : 0);
    else
        fprintf(out, "  throttle:        not needed, guest time lost 0 s\n");
    if (r->has_verify)
        fprintf(out, "  memory:          %s\n", r->verified
                ? "verified (destination identical to source at suspend)"
                : "NOT verified");
    else if (r->outcome == XLMIG_OUT_MIGRATED && mem_verify(r, &why))
        fprintf(out, "  memory:          not checked: %s\n", why);
    fprintf(out, "  guest now runs:  %s\n", r->outcome == XLMIG_OUT_MIGRATED
            ? "on the destination"
            : r->outcome == XLMIG_OUT_UNDEFINED ? "unknown: run recover"
            : r->guest_on_source ? "on the source" : "nowhere?");
}

/* "codec": the memory records before and after the codec: json.md. */
static void gen_codec(yajl_gen g, const xlmig_report *r)
{
    const xlmig_codec_stats *c = &r->codec;

    xlmig_jout_key(g, "codec");
    yajl_gen_map_open(g);
    xlmig_jout_str(g, "compress", xlmig_compress_mode_str(r->compress));
    xlmig_jout_u64(g, "records", c->records);
    xlmig_jout_u64(g, "raw_bytes", c->raw_bytes);
    xlmig_jout_u64(g, "wire_bytes", c->wire_bytes);
    xlmig_jout_u64(g, "zero_pages", c->zero_pages);
    xlmig_jout_u64(g, "zero_bytes", c->zero_bytes);
    xlmig_jout_u64(g, "compressed_records", c->comp_records);
    xlmig_jout_bool(g, "compressing", c->compressing);
    xlmig_jout_u64(g, "switches", c->switches);
    xlmig_jout_str(g, "why", c->why);
    yajl_gen_map_close(g);
}

/* "verified": {"memory": {"result": .., "detail": ..}}: see json.md. */
static void gen_verified(yajl_gen g, const xlmig_report *r)
{
    const char *why, *res = mem_verify(r, &why);

    xlmig_jout_key(g, "verified");
    yajl_gen_map_open(g);
    xlmig_jout_key(g, "memory");
    yajl_gen_map_open(g);
    xlmig_jout_str(g, "result", res);
    xlmig_jout_str(g, "detail", why);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
}

static void gen_checks(yajl_gen g, const xlmig_checks *c)
{
    unsigned i;

    xlmig_jout_key(g, "checks");
    yajl_gen_array_open(g);
    for (i = 0; c && i < c->n; i++) {
        const xlmig_check *k = &c->items[i];

        yajl_gen_map_open(g);
        xlmig_jout_str(g, "where", k->where);
        xlmig_jout_str(g, "name", k->name);
        xlmig_jout_bool(g, "ok", k->ok);
        xlmig_jout_str(g, "detail", k->detail);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
}

/* Seconds and milliseconds to the microsecond, rates to 0.01. */
static void kv_s(yajl_gen g, const char *k, uint64_t ns)
{
    xlmig_jout_num(g, k, (double)ns / 1e9, 6);
}

static void kv_ms(yajl_gen g, const char *k, uint64_t ns)
{
    xlmig_jout_num(g, k, (double)ns / 1e6, 3);
}

void xlmig_report_print_json(const xlmig_report *r,
                             const xlmig_checks *checks, FILE *out)
{
    yajl_gen g = xlmig_jout_new();

    if (!g)
        return;
    yajl_gen_map_open(g);
    xlmig_jout_str(g, "event", "report");
    xlmig_jout_now(g, "time");
    xlmig_jout_str(g, "outcome", xlmig_outcome_str(r->outcome));
    xlmig_jout_int(g, "exit_code", xlmig_report_exit_code(r));
    xlmig_jout_str(g, "domain", r->domain);
    xlmig_jout_str(g, "dest", r->dest);
    xlmig_jout_str(g, "backend", r->backend);
    if (r->transport[0]) {
        xlmig_jout_str(g, "transport", r->transport);
        xlmig_jout_u64(g, "streams", r->streams);
        xlmig_jout_bool(g, "ktls", r->ktls);
        if (r->data_addr[0])
            xlmig_jout_str(g, "data_address", r->data_addr);
    }
    xlmig_jout_str(g, "message", r->message);
    xlmig_jout_str(g, "stop_reason", r->stop_reason);
    if (r->switchover[0])
        xlmig_jout_str(g, "switchover", r->switchover);
    kv_s(g, "total_s", r->total_ns);
    kv_s(g, "precopy_s", r->precopy_ns);
    kv_ms(g, "downtime_ms", r->downtime_ns);
    kv_ms(g, "predicted_downtime_ms", r->predicted_ns);
    kv_ms(g, "switchover_cost_ms", r->switchover_est_ns);
    kv_ms(g, "switchover_measured_ms", r->switchover_ns);
    kv_ms(g, "downtime_suspend_ms", r->sw_suspend_ns);
    kv_ms(g, "downtime_last_pages_ms", r->sw_pages_ns);
    kv_ms(g, "downtime_in_flight_ms", r->sw_flight_ns);
    kv_ms(g, "downtime_restore_ms", r->sw_restore_ns);
    kv_ms(g, "downtime_go_to_running_ms", r->sw_resume_ns);
    kv_ms(g, "restore_drbd_hotplug_ms", r->sw_hotplug_ns);
    xlmig_jout_u64(g, "restore_drbd_hotplug_fast", r->sw_hotplug_fast);
    xlmig_jout_u64(g, "restore_drbd_hotplug_disks", r->sw_hotplug_n);
    kv_ms(g, "restore_other_ms", r->sw_restore_ns - r->sw_hotplug_ns);
    kv_ms(g, "activate_ms", r->sw_activate_ns);
    if (r->drained)
        kv_ms(g, "drain_ms", r->drain_ns);
    kv_ms(g, "switchover_deadline_ms", r->deadline_ns);
    kv_ms(g, "suspended_ms", r->suspended_ns);
    xlmig_jout_u64(g, "iterations", r->iterations);
    xlmig_jout_u64(g, "mem_bytes", r->mem_bytes);
    xlmig_jout_u64(g, "bytes_sent", r->bytes_sent);
    xlmig_jout_u64(g, "pages_sent", r->pages_sent);
    xlmig_jout_u64(g, "final_pages", r->final_pages);
    if (r->codec.records)
        gen_codec(g, r);
    xlmig_jout_num(g, "rate_mib_s", r->rate_Bps / MIB, 2);
    xlmig_jout_bool(g, "throttled", r->throttled);
    xlmig_jout_num(g, "throttle_max_pct", r->throttle_max_pct, 1);
    kv_s(g, "guest_lost_s", r->guest_lost_ns);
    gen_verified(g, r);
    xlmig_jout_bool(g, "guest_on_source", r->guest_on_source);
    xlmig_jout_bool(g, "downtime_over_bound", r->over_bound);
    xlmig_jout_bool(g, "downtime_over_prediction", r->over_prediction);
    if (checks)
        gen_checks(g, checks);
    yajl_gen_map_close(g);
    xlmig_jout_print(g, out);
}
