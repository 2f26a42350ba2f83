/*
 * An EMULATOR_* record of the libxl stream, as read back from a stream.
 */
#include <stdint.h>

#include "emu_record.h"
#include "error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xlmig_emu_rec r;

    xlmig_emu_rec_parse(data, size, &r);
    xlmig_err_clear();
    return 0;
}
