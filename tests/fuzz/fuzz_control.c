/*
 * Control messages: any bytes a peer could put in a CONTROL record.
 * What decodes must encode again and decode to the same message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xlmig_msg m, m2;
    char *text = NULL;
    size_t len;

    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    xlmig_msg_init(&m2, XLMIG_MSG_NONE);
    if (xlmig_msg_decode((const char *)data, size, &m))
        goto out;
    if (xlmig_msg_encode(&m, &text, &len))
        goto out;
    if (xlmig_msg_decode(text, len, &m2))
        abort();
    if (m2.type != m.type || m2.value != m.value || m2.hash != m.hash ||
        m2.nchecks != m.nchecks || m2.ok != m.ok ||
        !m.name != !m2.name || (m.name && strcmp(m.name, m2.name)))
        abort();
out:
    free(text);
    xlmig_msg_dispose(&m);
    xlmig_msg_dispose(&m2);
    xlmig_err_clear();
    return 0;
}
