/*
 * A peer's `status --json`, as an evacuation reads it through the
 * transport.
 */
#include <stdint.h>

#include "error.h"
#include "status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xlmig_status s;

    xlmig_status_decode((const char *)data, size, &s);
    xlmig_err_clear();
    return 0;
}
