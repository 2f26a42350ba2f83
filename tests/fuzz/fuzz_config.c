/*
 * Configuration and key=value input: xlmig.conf, an xe-style
 * `key=value` argument, a simulated guest record, a persisted CPU cap
 * record (first byte 0xf0 and up). The first byte picks which.
 */
#include <stdint.h>

#include "config.h"
#include "error.h"
#include "inventory_sim.h"
#include "kv.h"
#include "throttle_cap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data + 1;
    size_t len = size - 1;
    xlmig_inv_guest g;
    xlmig_config c;
    xlmig_capfile f;
    xlmig_kv kv;

    if (size < 1)
        return 0;
    if (data[0] >= 0xf0) {
        xlmig_capfile_parse(buf, len, "fuzz-cap", &f);
        xlmig_err_clear();
        return 0;
    }
    switch (data[0] % 3) {
    case 0:
        xlmig_config_init(&c);
        xlmig_config_parse(&c, buf, len, "fuzz.conf");
        break;
    case 1:
        xlmig_kv_split(buf, len, &kv);
        break;
    case 2:
        xlmig_sim_guest_parse(buf, len, "fuzz-guest.conf", &g);
        break;
    }
    xlmig_err_clear();
    return 0;
}
