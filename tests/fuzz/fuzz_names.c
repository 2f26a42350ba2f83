/*
 * Names and words from other hosts and files: the first byte picks the
 * reader, the rest is its input. A migration token's text (as the
 * hotplug script's peer reads it), an -s command from xlmig.conf split
 * into words, and every name checker. Whatever passes must hold what
 * the rules promise: no control byte, no '/', no leading '-'.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drbd_token.h"
#include "error.h"
#include "names.h"
#include "transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void plain_or_abort(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char shown[XLMIG_NAME_SHOWN_LEN], *s;
    xlmig_drbd_token t, u;
    char text[XLMIG_TOKEN_MAX];
    xlmig_cmd c;
    unsigned i;

    if (size < 1)
        return 0;
    s = strndup((const char *)data + 1, size - 1);
    if (!s)
        return 0;
    switch (data[0] % 4) {
    case 0:
        /* A token that parses formats back to the very same bytes. */
        if (!xlmig_drbd_token_parse((const char *)data + 1, size - 1, &t)) {
            plain_or_abort(t.domain);
            if (t.domain[0] == '-' || strchr(t.domain, '/') ||
                xlmig_drbd_token_format(&t, text, sizeof(text)) ||
                strlen(text) != size - 1 || memcmp(text, data + 1, size - 1)
                || xlmig_drbd_token_parse(text, strlen(text), &u))
                abort();
        }
        break;
    case 1:
        xlmig_cmd_init(&c);
        if (!xlmig_cmd_split(&c, "-s", s)) {
            if (!c.argc || c.argv[c.argc])
                abort();
            for (i = 0; i < c.argc; i++)
                if (!c.argv[i])
                    abort();
        }
        xlmig_cmd_dispose(&c);
        break;
    case 2:
        if (xlmig_name_domain_ok(s)) {
            plain_or_abort(s);
            if (s[0] == '-' || strchr(s, '/'))
                abort();
        }
        if (xlmig_name_host_ok(s, false) &&
            (s[0] == '-' || strpbrk(s, " ;$`'\"\\|&<>()\n")))
            abort();
        break;
    case 3:
        if ((xlmig_name_resource_ok(s) || xlmig_name_uuid_ok(s) ||
             xlmig_name_word_ok(s)) && (s[0] == '-' || strchr(s, '/')))
            abort();
        plain_or_abort(xlmig_name_shown(s, shown, sizeof(shown)));
        break;
    }
    free(s);
    xlmig_err_clear();
    return 0;
}
