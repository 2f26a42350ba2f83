/*
 * A line from QEMU's QMP socket, as the client parses each reply.
 */
#include <stdint.h>

#include "error.h"
#include "qmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xlmig_qmp_reply r;

    xlmig_qmp_reply_parse((const char *)data, size, "QEMU", &r);
    xlmig_err_clear();
    return 0;
}
