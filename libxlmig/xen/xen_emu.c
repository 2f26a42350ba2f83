/*
 * An HVM guest's device model in the save: what libxl's own stream
 * writer does around libxenguest's stream, for upstream QEMU in dom0.
 *  - libxenguest asks for QEMU's dirty log of the VRAM to be switched
 *    on and off: QMP xen-set-global-dirty-log, 10 s as libxl allows;
 *  - the suspend (libxl_domain_suspend_only) has QEMU write its device
 *    state to XEN_LIB_DIR/qemu-save.<domid>; after libxenguest's stream
 *    it goes out as EMULATOR_CONTEXT, preceded by QEMU's physmap keys
 *    from xenstore as EMULATOR_XENSTORE_DATA, and the file is removed.
 * The destination needs nothing of ours: libxl_domain_create_restore
 * reads both records and starts QEMU with the state.
 */
#include "xen_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xenstore.h>

#include "emu_record.h"
#include "error.h"
#include "qmp.h"

#define LOGDIRTY_TIMEOUT XLMIG_S(10)
#define DM_SAVE_DIR      "/var/lib/xen"

int xlmig_xen_emu_logdirty(uint32_t domid, bool enable)
{
    return xlmig_qmp_set_dirty_log(NULL, domid, enable, LOGDIRTY_TIMEOUT);
}

static int write_record(int fd, uint32_t type, const void *body,
                        size_t blen)
{
    static const uint8_t zero[8];
    uint8_t hdr[16];
    size_t pad;
    int rc;

    rc = xlmig_emu_rec_head(hdr, type, XLMIG_EMU_QEMU_UPSTREAM, blen, &pad);
    if (rc)
        return rc;
    if (xlmig_xen_write_all(fd, hdr, sizeof(hdr)) ||
        xlmig_xen_write_all(fd, body, blen) ||
        xlmig_xen_write_all(fd, zero, pad)) {
        xlmig_err(XLMIG_E_IO, "writing the device model's records: %s",
                  strerror(errno));
        return XLMIG_E_IO;
    }
    return 0;
}

/* The physmap entries of /local/domain/0/device-model/<domid>, with
 * the three keys libxl sends for each. */
static int physmap(uint32_t domid, xlmig_emu_xs *kv)
{
    static const char *const sub[] = { "start_addr", "size", "name" };
    struct xs_handle *xs = xs_open(XS_OPEN_READONLY);
    char path[160], key[128];
    char **ents = NULL;
    unsigned n = 0, i, j;
    int rc = 0;

    if (!xs) {
        xlmig_err(XLMIG_E_BACKEND, "xenstore: %s", strerror(errno));
        return XLMIG_E_BACKEND;
    }
    snprintf(path, sizeof(path), "/local/domain/0/device-model/%u/physmap",
             domid);
    ents = xs_directory(xs, XBT_NULL, path, &n);
    for (i = 0; ents && i < n && !rc; i++) {
        for (j = 0; j < 3 && !rc; j++) {
            char full[320];
            unsigned len = 0;
            char *val;

            snprintf(key, sizeof(key), "physmap/%s/%s", ents[i], sub[j]);
            snprintf(full, sizeof(full), "/local/domain/0/device-model/"
                     "%u/%s", domid, key);
            val = xs_read(xs, XBT_NULL, full, &len);
            if (!val) {
                xlmig_err(XLMIG_E_BACKEND, "xenstore %s: %s", full,
                          strerror(errno));
                rc = XLMIG_E_BACKEND;
                break;
            }
            rc = xlmig_emu_xs_add(kv, key, val);
            free(val);
        }
    }
    free(ents);
    xs_close(xs);
    return rc;
}

/* QEMU's saved device state, bounded, from a plain file only. */
static int read_state(const char *file, uint8_t **buf, size_t *len)
{
    struct stat st;
    ssize_t r;
    size_t got = 0;
    int fd, rc = XLMIG_E_BACKEND;

    *buf = NULL;
    fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 || fstat(fd, &st)) {
        xlmig_err(rc, "device model state %s: %s", file, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uint64_t)st.st_size > XLMIG_EMU_CONTEXT_MAX) {
        xlmig_err(rc, "device model state %s: not a plain file of 1 byte"
                  " to %u MiB", file, XLMIG_EMU_CONTEXT_MAX >> 20);
        goto out;
    }
    *buf = malloc((size_t)st.st_size);
    if (!*buf) {
        rc = XLMIG_E_NOMEM;
        goto out;
    }
    while (got < (size_t)st.st_size) {
        r = read(fd, *buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            xlmig_err(rc, "device model state %s: short read", file);
            goto out;
        }
        got += (size_t)r;
    }
    *len = got;
    rc = 0;
out:
    if (rc) {
        free(*buf);
        *buf = NULL;
    }
    if (fd >= 0)
        close(fd);
    return rc;
}

int xlmig_xen_emu_write(uint32_t domid, int fd)
{
    xlmig_emu_xs kv;
    uint8_t *state = NULL;
    char file[96];
    size_t slen = 0;
    int rc;

    xlmig_emu_xs_init(&kv);
    snprintf(file, sizeof(file), "%s/qemu-save.%u", DM_SAVE_DIR, domid);
    rc = physmap(domid, &kv);
    if (!rc && kv.pairs)
        rc = write_record(fd, XLMIG_LIBXL_REC_EMU_XENSTORE, kv.buf, kv.len);
    if (!rc)
        rc = read_state(file, &state, &slen);
    if (!rc)
        rc = write_record(fd, XLMIG_LIBXL_REC_EMU_CONTEXT, state, slen);
    /* Sent or not, the file is of no further use here (as libxl). */
    unlink(file);
    free(state);
    xlmig_emu_xs_dispose(&kv);
    return rc;
}
