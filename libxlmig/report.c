#include "report.h"

#include <string.h>
#include <yajl/yajl_gen.h>

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

#define MIB (1024.0 * 1024.0)

void xlmig_report_print(const xlmig_report *r, FILE *out)
{
    double total = (double)r->total_ns / 1e9;

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
    if (r->downtime_ns)
        fprintf(out, "  downtime steps:  suspend %.0f ms, last pages %.0f"
                " ms, in flight %.0f ms, destination restore %.0f ms,"
                " go to running %.0f ms\n",
                (double)r->sw_suspend_ns / 1e6,
                (double)r->sw_pages_ns / 1e6,
                (double)r->sw_flight_ns / 1e6,
                (double)r->sw_restore_ns / 1e6,
                (double)r->sw_resume_ns / 1e6);
    fprintf(out, "  iterations:      %u%s%s%s\n", r->iterations,
            r->stop_reason[0] ? " (" : "", r->stop_reason,
            r->stop_reason[0] ? ")" : "");
    fprintf(out, "  sent:            %.1f MiB for %.1f MiB of memory"
            " (%.2fx)\n", (double)r->bytes_sent / MIB,
            (double)r->mem_bytes / MIB,
            r->mem_bytes ? (double)r->bytes_sent / (double)r->mem_bytes : 0);
    fprintf(out, "  average rate:    %.1f MiB/s\n", r->rate_Bps / MIB);
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
    fprintf(out, "  guest now runs:  %s\n", r->outcome == XLMIG_OUT_MIGRATED
            ? "on the destination"
            : r->outcome == XLMIG_OUT_UNDEFINED ? "unknown: run recover"
            : r->guest_on_source ? "on the source" : "nowhere?");
}

static void kv_str(yajl_gen g, const char *k, const char *v)
{
    GS(g, k);
    GS(g, v);
}

static void kv_num(yajl_gen g, const char *k, double v)
{
    GS(g, k);
    yajl_gen_double(g, v);
}

static void kv_int(yajl_gen g, const char *k, unsigned long long v)
{
    GS(g, k);
    yajl_gen_integer(g, (long long)v);
}

static void kv_bool(yajl_gen g, const char *k, bool v)
{
    GS(g, k);
    yajl_gen_bool(g, v);
}

void xlmig_report_print_json(const xlmig_report *r, FILE *out)
{
    const unsigned char *buf;
    size_t len;
    yajl_gen g = yajl_gen_alloc(NULL);

    if (!g)
        return;
    yajl_gen_map_open(g);
    kv_str(g, "event", "report");
    kv_str(g, "outcome", xlmig_outcome_str(r->outcome));
    kv_int(g, "exit_code", (unsigned)xlmig_report_exit_code(r));
    kv_str(g, "domain", r->domain);
    kv_str(g, "dest", r->dest);
    kv_str(g, "backend", r->backend);
    kv_str(g, "message", r->message);
    kv_str(g, "stop_reason", r->stop_reason);
    kv_num(g, "total_s", (double)r->total_ns / 1e9);
    kv_num(g, "precopy_s", (double)r->precopy_ns / 1e9);
    kv_num(g, "downtime_ms", (double)r->downtime_ns / 1e6);
    kv_num(g, "predicted_downtime_ms", (double)r->predicted_ns / 1e6);
    kv_num(g, "switchover_cost_ms", (double)r->switchover_est_ns / 1e6);
    kv_num(g, "switchover_measured_ms", (double)r->switchover_ns / 1e6);
    kv_num(g, "downtime_suspend_ms", (double)r->sw_suspend_ns / 1e6);
    kv_num(g, "downtime_last_pages_ms", (double)r->sw_pages_ns / 1e6);
    kv_num(g, "downtime_in_flight_ms", (double)r->sw_flight_ns / 1e6);
    kv_num(g, "downtime_restore_ms", (double)r->sw_restore_ns / 1e6);
    kv_num(g, "downtime_go_to_running_ms", (double)r->sw_resume_ns / 1e6);
    kv_num(g, "switchover_deadline_ms", (double)r->deadline_ns / 1e6);
    kv_num(g, "suspended_ms", (double)r->suspended_ns / 1e6);
    kv_int(g, "iterations", r->iterations);
    kv_int(g, "mem_bytes", r->mem_bytes);
    kv_int(g, "bytes_sent", r->bytes_sent);
    kv_int(g, "pages_sent", r->pages_sent);
    kv_int(g, "final_pages", r->final_pages);
    kv_num(g, "rate_mib_s", r->rate_Bps / MIB);
    kv_bool(g, "throttled", r->throttled);
    kv_num(g, "throttle_max_pct", r->throttle_max_pct);
    kv_num(g, "guest_lost_s", (double)r->guest_lost_ns / 1e9);
    kv_bool(g, "verified", r->verified);
    kv_bool(g, "guest_on_source", r->guest_on_source);
    kv_bool(g, "downtime_over_bound", r->over_bound);
    yajl_gen_map_close(g);
    if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
        fprintf(out, "%.*s\n", (int)len, (const char *)buf);
    fflush(out);
    yajl_gen_free(g);
}
