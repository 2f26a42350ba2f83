/*
 * DRBD tool output, as drbdadm and drbdsetup print it: the first byte
 * picks the parser, the rest is the output. Whatever parses must hold
 * what the parser promises (bounded names, NUL-terminated).
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
    static xlmig_drbd_show show;
    static xlmig_drbd_conf conf;
    xlmig_drbd_disk disks[8], disk;
    xlmig_drbd_state st;
    const char *buf = (const char *)data + 1;
    size_t len = size - 1;
    char kver[32], *target;
    unsigned n;
    int v;

    if (size < 1)
        return 0;
    xlmig_drbd_state_init(&st);
    switch (data[0] % 10) {
    case 0:
        if (!xlmig_drbd_parse_version(buf, len, &v, kver, sizeof(kver)))
            check_str(kver, sizeof(kver));
        break;
    case 1: xlmig_drbd_parse_role84(buf, len, "r0", &st); break;
    case 2: xlmig_drbd_parse_cstate84(buf, len, "r0", &st); break;
    case 3: xlmig_drbd_parse_dstate84(buf, len, "r0", &st); break;
    case 4: xlmig_drbd_parse_status_json(buf, len, "r9", &st); break;
    case 5: xlmig_drbd_parse_events2(buf, len, "r9", &st); break;
    case 6: xlmig_drbd_parse_show(buf, len, "all", &show); break;
    case 7: xlmig_drbd_parse_dump(buf, len, "r0", &conf); break;
    case 8:
        xlmig_drbd_parse_disks(buf, len, disks, 8, &n);
        break;
    case 9:
        target = strndup(buf, len);
        if (target)
            xlmig_drbd_parse_target(target, &disk);
        free(target);
        break;
    }
    check_str(st.cstate, sizeof(st.cstate));
    check_str(st.disk, sizeof(st.disk));
    xlmig_err_clear();
    return 0;
}
