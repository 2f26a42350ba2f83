/*
 * A history record in JSON: the fields every listing of migrations
 * shows (`history --json`, `status --json`'s "recent"), so that the
 * two spell them alike.
 */
#ifndef XLMIG_HISTORY_JSON_H
#define XLMIG_HISTORY_JSON_H

#include <yajl/yajl_gen.h>

#include "history.h"

/* start .. bytes as keys into the map the caller has open. */
void xlmig_hist_rec_gen(yajl_gen g, const xlmig_hist_rec *r);

#endif
