/*
 * tbguest: workload of the test bed's PVH guest (started by its /init,
 * statically linked).
 *
 * - dirties memory at a configured rate (MiB/s) over a working set,
 *   faulted in at start; a working set that does not fit in MemAvailable
 *   (less a reserve for the kernel) or cannot be mapped is an error:
 *   "TBGUEST ERROR ..." and exit, never a quiet run without load;
 * - prints a heartbeat line "HB <boot> <seq> <mono_ms>" every hb_ms to the console,
 *   which xenconsoled logs in dom0, where tb-conslog stamps each line on
 *   arrival: the largest gap between consecutive heartbeats is the
 *   guest-visible downtime (<boot> tells one guest boot from another);
 * - every disk_ms, reads back sector 0 of its disk, checks it holds what it
 *   last wrote there ("DISK ok" / "DISK MISMATCH"), and writes a new record
 *   "TBDISK <boot> <seq>" with O_DIRECT|O_SYNC ("DISK wrote seq=N" once
 *   it is written; SIGTERM waits for the tick, so the last such line
 *   names what the disk holds after a shutdown).
 *
 * Settings come from the kernel command line (the guest config's extra=):
 *   dirty_mb_s=N  (default 0)     dirty_ws_mb=N (default 32)
 *   hb_ms=N       (default 100)   disk_ms=N     (default 1000)
 *   tb_disk=PATH  (default /dev/xvda; "none" disables the disk ticks)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define SECTOR 512
#define SLICE_MS 10
/* MemAvailable a working set must leave to the kernel (page tables,
 * buffers, the console), lest the OOM killer end the workload. */
#define RESERVE_KB (8 * 1024)

static long opt_long(const char *cmdline, const char *key, long def)
{
    char pat[64];
    const char *p;

    snprintf(pat, sizeof(pat), " %s=", key);
    p = strstr(cmdline, pat);
    if (!p)
        return def;
    return strtol(p + strlen(pat), NULL, 10);
}

static void opt_str(const char *cmdline, const char *key, char *out,
                    size_t outlen, const char *def)
{
    char pat[64];
    const char *p;
    size_t n = 0;

    snprintf(pat, sizeof(pat), " %s=", key);
    p = strstr(cmdline, pat);
    if (!p) {
        snprintf(out, outlen, "%s", def);
        return;
    }
    p += strlen(pat);
    while (p[n] && p[n] != ' ' && p[n] != '\n' && n + 1 < outlen)
        n++;
    memcpy(out, p, n);
    out[n] = '\0';
}

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(buf) - 1)
        n = sizeof(buf) - 1;
    if (write(1, buf, n) < 0) {
        /* nothing sensible to do without a console */
    }
}

struct disk {
    int fd;
    unsigned char *buf;       /* one aligned sector */
    char last[SECTOR];        /* what we wrote last, "" before the first */
    unsigned long boot;
    unsigned long seq;
};

static void disk_tick(struct disk *d)
{
    ssize_t r;

    r = pread(d->fd, d->buf, SECTOR, 0);
    if (r != SECTOR) {
        say("DISK ERROR read: %s\n", r < 0 ? strerror(errno) : "short");
        return;
    }
    if (d->last[0]) {
        if (memcmp(d->buf, d->last, SECTOR) == 0)
            say("DISK ok seq=%lu\n", d->seq);
        else
            say("DISK MISMATCH expected seq=%lu got '%.40s'\n", d->seq,
                (char *)d->buf);
    } else {
        d->buf[SECTOR - 1] = '\0';
        say("DISK initial '%.40s'\n", (char *)d->buf);
    }
    d->seq++;
    memset(d->buf, 0, SECTOR);
    snprintf((char *)d->buf, SECTOR, "TBDISK %lu %lu\n", d->boot, d->seq);
    r = pwrite(d->fd, d->buf, SECTOR, 0);
    if (r != SECTOR) {
        say("DISK ERROR write: %s\n", r < 0 ? strerror(errno) : "short");
        d->last[0] = '\0';
        return;
    }
    memcpy(d->last, d->buf, SECTOR);
    say("DISK wrote seq=%lu\n", d->seq);
}

/* MemTotal and MemAvailable (kB) from /proc/meminfo, -1 if unknown. */
static void meminfo_kb(long *total, long *avail)
{
    char buf[4096], *p;
    ssize_t n;
    int fd;

    *total = *avail = -1;
    fd = open("/proc/meminfo", O_RDONLY);
    if (fd < 0)
        return;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return;
    buf[n] = '\0';
    p = strstr(buf, "MemTotal:");
    if (p)
        *total = strtol(p + 9, NULL, 10);
    p = strstr(buf, "MemAvailable:");
    if (p)
        *avail = strtol(p + 13, NULL, 10);
}

int main(void)
{
    char cmdline[4096] = " ";
    char diskpath[128];
    long dirty_mb_s, ws_mb, hb_ms, disk_ms;
    size_t ws_pages, page = 4096, cursor = 0;
    unsigned char *ws;
    struct disk d = { .fd = -1 };
    int64_t t0, next_slice, next_hb, next_disk;
    unsigned long hb = 0;
    double quota = 0, per_slice;
    long total_kb, avail_kb;
    int fd;
    ssize_t n;

    fd = open("/proc/cmdline", O_RDONLY);
    if (fd >= 0) {
        n = read(fd, cmdline + 1, sizeof(cmdline) - 2);
        if (n > 0)
            cmdline[n + 1] = '\0';
        close(fd);
    }
    dirty_mb_s = opt_long(cmdline, "dirty_mb_s", 0);
    ws_mb = opt_long(cmdline, "dirty_ws_mb", 32);
    hb_ms = opt_long(cmdline, "hb_ms", 100);
    disk_ms = opt_long(cmdline, "disk_ms", 1000);
    opt_str(cmdline, "tb_disk", diskpath, sizeof(diskpath), "/dev/xvda");
    if (dirty_mb_s < 0 || dirty_mb_s > 4096 || ws_mb < 1 || ws_mb > 4096 ||
        hb_ms < 10 || hb_ms > 60000 || disk_ms < 10 || disk_ms > 600000) {
        say("TBGUEST ERROR bad settings: dirty_mb_s=%ld dirty_ws_mb=%ld "
            "hb_ms=%ld disk_ms=%ld\n", dirty_mb_s, ws_mb, hb_ms, disk_ms);
        return 1;
    }
    meminfo_kb(&total_kb, &avail_kb);
    say("TBGUEST mem total_kb=%ld avail_kb=%ld\n", total_kb, avail_kb);
    ws = NULL;
    ws_pages = (size_t)ws_mb * 1024 * 1024 / page;
    if (dirty_mb_s > 0) {
        /* A load that cannot run must not pass for one: say so, stop. */
        if (avail_kb >= 0 && ws_mb * 1024 + RESERVE_KB > avail_kb) {
            say("TBGUEST ERROR working set %ld MiB does not fit: %ld MiB "
                "available, %d MiB kept for the kernel\n", ws_mb,
                avail_kb / 1024, RESERVE_KB / 1024);
            return 1;
        }
        ws = mmap(NULL, ws_pages * page, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (ws == MAP_FAILED) {
            say("TBGUEST ERROR cannot map %ld MiB: %s\n", ws_mb,
                strerror(errno));
            return 1;
        }
        /* Fault every page in now (MAP_POPULATE fails silently). */
        for (cursor = 0; cursor < ws_pages; cursor++)
            ws[cursor * page] = 1;
        cursor = 0;
        meminfo_kb(&total_kb, &avail_kb);
        say("TBGUEST load ready dirty_mb_s=%ld dirty_ws_mb=%ld "
            "avail_kb=%ld\n", dirty_mb_s, ws_mb, avail_kb);
    }
    per_slice = (double)dirty_mb_s * 1024 * 1024 / page * SLICE_MS / 1000;

    fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0 || read(fd, &d.boot, sizeof(d.boot)) != sizeof(d.boot))
        d.boot = (unsigned long)mono_ms();
    if (fd >= 0)
        close(fd);
    d.boot %= 1000000000UL;
    if (strcmp(diskpath, "none") != 0) {
        d.fd = open(diskpath, O_RDWR | O_DIRECT | O_SYNC);
        if (d.fd < 0)
            say("DISK ERROR open %s: %s\n", diskpath, strerror(errno));
        else if (posix_memalign((void **)&d.buf, 4096, 4096)) {
            say("DISK ERROR no memory\n");
            close(d.fd);
            d.fd = -1;
        }
    }
    say("TBGUEST start dirty_mb_s=%ld dirty_ws_mb=%ld hb_ms=%ld disk=%s "
        "disk_ms=%ld boot=%lu\n", dirty_mb_s, ws_mb, hb_ms,
        d.fd >= 0 ? diskpath : "none", disk_ms, d.boot);

    t0 = mono_ms();
    next_slice = next_hb = next_disk = t0;
    for (;;) {
        int64_t now = mono_ms();

        if (now >= next_hb) {
            say("HB %lu %lu %lld\n", d.boot, ++hb, (long long)(now - t0));
            next_hb += hb_ms;
            if (next_hb <= now)        /* after a long stall: no burst */
                next_hb = now + hb_ms;
        }
        if (d.fd >= 0 && now >= next_disk) {
            sigset_t term, old;

            sigemptyset(&term);
            sigaddset(&term, SIGTERM);
            sigprocmask(SIG_BLOCK, &term, &old);
            disk_tick(&d);
            sigprocmask(SIG_SETMASK, &old, NULL);
            next_disk = now + disk_ms;
        }
        if (ws) {
            quota += per_slice;
            while (quota >= 1) {
                ws[cursor * page] ^= 1;
                ws[cursor * page + 8] = (unsigned char)hb;
                cursor = (cursor + 1) % ws_pages;
                quota -= 1;
            }
        }
        next_slice += SLICE_MS;
        now = mono_ms();
        if (next_slice <= now) {
            next_slice = now;          /* overloaded: drop the backlog */
            quota = quota > per_slice ? per_slice : quota;
        } else {
            struct timespec ts = {
                .tv_sec = (next_slice - now) / 1000,
                .tv_nsec = ((next_slice - now) % 1000) * 1000000,
            };
            nanosleep(&ts, NULL);
        }
    }
}
