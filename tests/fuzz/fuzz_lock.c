/*
 * A lock file's record, as a refused operation reads what the holder
 * (another process) wrote.
 */
#include <stdint.h>

#include "error.h"
#include "lock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xlmig_lock_holder h;
    char buf[128];

    if (!xlmig_lock_record_parse((const char *)data, size, &h))
        xlmig_lock_holder_str(&h, buf, sizeof(buf));
    xlmig_err_clear();
    return 0;
}
