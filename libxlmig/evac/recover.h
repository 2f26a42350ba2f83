/*
 * recover's plumbing around the pure plan (recover_plan.h): a host's
 * view as one JSON line -- what `xl-migrate-drbd inspect` prints on the
 * peer and recover reads back through the transport -- and the
 * simulator's implementation of inspecting and acting on a host.
 */
#ifndef XLMIG_RECOVER_H
#define XLMIG_RECOVER_H

#include <stddef.h>

#include "recover_plan.h"

#define XLMIG_VIEW_JSON_MAX 4096

/* names.h's word rule: safe on the peer's command line. */
int xlmig_domain_name_ok(const char *name);
/* A uuid, 8-4-4-4-12 hex digits ("" is fine). */
int xlmig_uuid_text_ok(const char *s);
/* A lock holder as xlmig_lock_holder_str() writes it: letters,
 * digits, spaces and ().:,- only, shorter than XLMIG_VIEW_LOCK_LEN. */
int xlmig_lock_text_ok(const char *s);
/* "r0,r1": DRBD names ([A-Za-z0-9_.+-], none starting with '-' or
 * empty) joined by ',', shorter than XLMIG_VIEW_RES_LEN ("" is fine). */
int xlmig_resource_list_ok(const char *s);

/*
 * What the other host knows of the guest, for a host with no copy of
 * it left: its uuid finds the tokens, its resources the DRBD role and
 * window. A host's own copies always win over the hint.
 */
typedef struct {
    char uuid[XLMIG_VIEW_UUID_LEN];
    char resources[XLMIG_VIEW_RES_LEN];
} xlmig_guest_hint;

/* {"host":..,"domain":..,"copies":{"<n>":"running",..},"drbd":..,
 *  "window":bool,"tokens":N,"uuid":..,"resources":["r0","r1"]
 *  [,"locked_by":"pid N (op, since ...)"]}; *out malloc'd,
 *  NUL-terminated. */
int xlmig_host_view_to_json(const xlmig_host_view *v, const char *host,
                            const char *domain, char **out);
/*
 * Parse what a peer printed: it must be about `domain`; unknown keys
 * are ignored, unknown states and roles are errors, so are a uuid or
 * resource list that would not be safe on a command line ("window",
 * "uuid", "resources" may be absent). Sets reachable.
 */
int xlmig_host_view_parse(const char *buf, size_t len, const char *domain,
                          xlmig_host_view *v, char *host, size_t hostlen);

/* "ACT[:COPY[:TO]]", COPY/TO as name, incoming, migratedaway. */
int xlmig_action_parse(const char *s, xlmig_action *a);
/* The same form, for the command line of a remote `inspect --do`. */
void xlmig_action_format(const xlmig_action *a, char *buf, size_t len);
/* "destroy web01--incoming" */
void xlmig_action_describe(const xlmig_action *a, const char *domain,
                           char *buf, size_t len);

/* The simulator's hosts: sim_host.h. */

/*
 * This machine as a Xen host (libxl; DRBD through drbd.h). States of
 * the three names from libxl_domain_info; DRBD role, window and tokens
 * of the guest's resources, found from the first copy's configuration
 * and uuid, or from the hint (may be NULL) when no copy is here.
 */
int xlmig_xen_host_inspect(const char *domain, const xlmig_guest_hint *hint,
                           xlmig_host_view *v);
int xlmig_xen_host_act(const char *domain, const xlmig_guest_hint *hint,
                       const xlmig_action *a);

#endif
