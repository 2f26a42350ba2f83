/*
 * A host's status as `xl-migrate-drbd status --json` prints it and an
 * evacuating peer reads it through the transport: name, free memory,
 * maintenance flag, its guests and its open journals. The decoder is
 * bounded and strict about the keys it needs; keys it does not know
 * are ignored, so a newer peer can add some.
 */
#ifndef XLMIG_STATUS_H
#define XLMIG_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inventory.h"

#define XLMIG_STATUS_MAX_BYTES (1u << 20)

typedef struct {
    char host[XLMIG_INV_NAME_MAX];
    uint64_t free_mib;
    bool maintenance;
    char since[32];
    unsigned nguests;
    unsigned njournals;         /* evacuations not returned yet */
    char journals[512];         /* their ids, comma-separated */
    char throttled[512];        /* guests a dead migration left capped,
                                   comma-separated (throttle_cap.h) */
    /* encode only, may be NULL: status_extra.h */
    const struct xlmig_status_extra *extra;
} xlmig_status;

/* guests: inv->guests (inv->self is ignored; s->host is the name). */
int xlmig_status_encode(const xlmig_status *s, const xlmig_inventory *inv,
                        char **out, size_t *len);
int xlmig_status_decode(const char *buf, size_t len, xlmig_status *s);

#endif
