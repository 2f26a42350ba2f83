/*
 * DRBD 8.4's /proc/drbd, read at the switchover for the resource's
 * minors (the first byte picks how many of 0..3). Whatever parses
 * must hold what the parser promises (bounded, NUL-terminated words).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drbd.h"
#include "error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s, size_t cap)
{
    if (!memchr(s, 0, cap))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int minors[] = { 0, 1, 2, 3 };
    xlmig_drbd_state st;

    if (size < 1)
        return 0;
    xlmig_drbd_parse_proc84((const char *)data + 1, size - 1, "r0", minors,
                            1 + data[0] % 4, &st);
    check_str(st.cstate, sizeof(st.cstate));
    check_str(st.disk, sizeof(st.disk));
    check_str(st.peer_disk, sizeof(st.peer_disk));
    xlmig_err_clear();
    return 0;
}
