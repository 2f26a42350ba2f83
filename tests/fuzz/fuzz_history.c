/*
 * The history file and a child migration's outcome line (over ssh: a
 * peer's bytes), through the strict log line parser. A record that
 * decodes must encode to a line that decodes to the same record.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xlmig_hist_rec r, back;
    xlmig_oplog_line l;
    xlmig_hist h;
    char *out = NULL;
    size_t olen;
    unsigned bad;

    xlmig_hist_init(&h);
    if (!xlmig_hist_parse((const char *)data, size, &h))
        xlmig_hist_dispose(&h);
    if (!xlmig_hist_decode((const char *)data, size, &r)) {
        xlmig_hist_encode(&r, &l);
        if (xlmig_hist_decode(l.buf, l.len, &back) ||
            memcmp(&r, &back, sizeof(r)))
            abort();
    }
    if (size <= XLMIG_HIST_MAX_BYTES &&
        !xlmig_hist_rotate((const char *)data, size, "migrate", 3, &out,
                           &olen, &bad))
        free(out);
    xlmig_err_clear();
    return 0;
}
