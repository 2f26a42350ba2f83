/* A history record in JSON: see history_json.h. */
#include "history_json.h"

#include "json_out.h"

void xlmig_hist_rec_gen(yajl_gen g, const xlmig_hist_rec *r)
{
    xlmig_jout_str(g, "start", r->start);
    xlmig_jout_str(g, "guest", r->guest);
    xlmig_jout_str(g, "from", r->from);
    xlmig_jout_str(g, "to", r->to);
    xlmig_jout_str(g, "result", r->result);
    xlmig_jout_str(g, "via", r->via);
    xlmig_jout_int(g, "total_ms", (long long)r->total_ms);
    xlmig_jout_int(g, "downtime_ms", (long long)r->downtime_ms);
    xlmig_jout_int(g, "bytes", (long long)r->bytes);
}
