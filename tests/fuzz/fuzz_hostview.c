/*
 * What a peer's `inspect` prints, as recover reads it back through the
 * transport: anything that parses must make a plan without trouble.
 */
#include <stdint.h>

#include "error.h"
#include "recover.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xlmig_host_view peer, local;
    xlmig_plan plan;
    char host[64];

    if (!xlmig_host_view_parse((const char *)data, size, "web01", &peer,
                               host, sizeof(host))) {
        xlmig_host_view_init(&local);
        local.reachable = true;
        local.copy[XLMIG_COPY_NAME] = XLMIG_DS_SUSPENDED;
        xlmig_recover_plan(&local, &peer, XLMIG_KEEP_AUTO, &plan);
    }
    xlmig_err_clear();
    return 0;
}
