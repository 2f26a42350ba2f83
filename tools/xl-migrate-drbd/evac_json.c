/* evacuate --json: the plan or the outcome (docs/json.md). */
#include <stdbool.h>

#include "evac.h"
#include "journal.h"
#include "json_gen.h"
#include "json_out.h"

/* A result of a dry run, or of the journal's entry after the run. */
static const char *json_result(const evac_args *a, const xlmig_jguest *jg)
{
    if (a->dry_run)
        return jg->result == XLMIG_JR_PLANNED ? "would-move" : "stays";
    return xlmig_jresult_str(jg->result);
}

/*
 * The plan or the outcome as one object (docs/json.md): "journal" is
 * the journal's id, as in return and status, "journal_path" its file;
 * both null when none was written. only_stayed: --blocked.
 */
void evac_print_json(const evac_args *a, const xlmig_journal *j,
                     const char *path, bool only_stayed, int code)
{
    unsigned i, moved = 0, failed = 0, stayed = 0;
    yajl_gen g = xlmig_jout_new();
    bool ran = path && *path;

    if (!g)
        return;
    yajl_gen_map_open(g);
    xlmig_jout_str(g, "host", j->host);
    xlmig_jout_now(g, "time");
    xlmig_jout_bool(g, "dry_run", a->dry_run);
    xlmig_jout_str_or_null(g, "journal", ran ? j->id : NULL);
    xlmig_jout_str_or_null(g, "journal_path", ran ? path : NULL);
    xlmig_jout_key(g, "guests");
    yajl_gen_array_open(g);
    for (i = 0; i < j->n; i++) {
        const xlmig_jguest *jg = &j->guests[i];
        bool run = ran && jg->started[0];

        moved += jg->result == XLMIG_JR_MOVED;
        stayed += jg->result == XLMIG_JR_STAYED;
        failed += jg->result == XLMIG_JR_FAILED ||
                  jg->result == XLMIG_JR_UNDEFINED;
        if (only_stayed && jg->result != XLMIG_JR_STAYED)
            continue;
        yajl_gen_map_open(g);
        xlmig_jout_str(g, "name", jg->name);
        xlmig_jout_u64(g, "mem_mib", jg->mem_mib);
        xlmig_jout_str_or_null(g, "dest", jg->dest);
        xlmig_jout_str(g, "result", json_result(a, jg));
        xlmig_jout_str_or_null(g, "reason", jg->reason);
        if (run)
            xlmig_jout_int(g, "exit_code", jg->exit_code);
        else
            xlmig_jout_null(g, "exit_code");
        xlmig_jout_str_or_null(g, "started", run ? jg->started : NULL);
        xlmig_jout_str_or_null(g, "finished", run ? jg->finished : NULL);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    xlmig_jout_u64(g, "moved", moved);
    xlmig_jout_u64(g, "failed", failed);
    xlmig_jout_u64(g, "stayed", stayed);
    xlmig_jout_int(g, "exit_code", code);
    yajl_gen_map_close(g);
    xlmig_jout_print(g, stdout);
}
