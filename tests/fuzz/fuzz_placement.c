/*
 * The guest's xl config and autostart entry as another host sends them:
 * the first byte picks whether the rest is an xl config text (checked
 * to name guest g1, with libxlutil's parser) or a whole migrate request
 * whose placement fields are taken and validated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "autostart.h"
#include "control.h"
#include "error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xlmig_placement p;
    xlmig_msg m;
    char *text;

    if (size < 1)
        return 0;
    xlmig_placement_init(&p);
    if (data[0] % 2 == 0) {
        text = malloc(size);
        if (!text)
            return 0;
        memcpy(text, data + 1, size - 1);
        text[size - 1] = 0;
        p.guest = strdup("g1");
        p.cfg_name = strdup("g1.cfg");
        p.cfg_text = text;
        p.auto_name = strdup("g1.cfg");
        xlmig_placement_validate(&p);
    } else {
        xlmig_msg_init(&m, XLMIG_MSG_NONE);
        if (!xlmig_msg_decode((const char *)data + 1, size - 1, &m))
            xlmig_placement_from_msg(&m, &p);
        xlmig_msg_dispose(&m);
    }
    xlmig_placement_dispose(&p);
    xlmig_err_clear();
    return 0;
}
