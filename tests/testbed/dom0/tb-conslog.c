/*
 * tb-conslog: follow xenconsoled's guest console logs in a directory and
 * write every complete line, prefixed with the dom0 wall-clock time in
 * seconds (nanosecond resolution) and the guest name, to one output file:
 *
 *     1763890000.123456789 g1 HB 4711 123 456789
 *
 * xenconsoled's own timestamps have one-second resolution; this gives the
 * test bed millisecond-accurate heartbeat arrival times. New files (a
 * migrated-in guest, "NAME--incoming") are picked up as they appear.
 *
 * usage: tb-conslog DIR OUTFILE [poll_ms]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXF 64
#define LINE 1024

struct followed {
    char name[256];      /* file name in DIR */
    char guest[256];     /* guest name derived from it */
    int fd;
    char buf[LINE];
    size_t len;
};

static struct followed files[MAXF];
static int nfiles;

static void guest_of(const char *fname, char *out, size_t outlen)
{
    const char *p = fname;
    size_t n;
    char *inc;

    if (strncmp(p, "guest-", 6) == 0)
        p += 6;
    snprintf(out, outlen, "%s", p);
    n = strlen(out);
    if (n > 4 && strcmp(out + n - 4, ".log") == 0)
        out[n - 4] = '\0';
    inc = strstr(out, "--incoming");
    if (inc)
        *inc = '\0';
}

static void emit(FILE *out, struct followed *f, const char *line, size_t n)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    fprintf(out, "%lld.%09ld %s %.*s\n", (long long)ts.tv_sec, ts.tv_nsec,
            f->guest, (int)n, line);
}

static void drain(FILE *out, struct followed *f)
{
    char chunk[4096];
    ssize_t r;
    size_t i;

    while ((r = read(f->fd, chunk, sizeof(chunk))) > 0) {
        for (i = 0; i < (size_t)r; i++) {
            char c = chunk[i];

            if (c == '\n' || f->len == sizeof(f->buf)) {
                emit(out, f, f->buf, f->len);
                f->len = 0;
                if (c == '\n')
                    continue;
            }
            if (c != '\r')
                f->buf[f->len++] = c;
        }
    }
    fflush(out);
}

/*
 * A guest created again under the same name gets a new or truncated log:
 * follow the file now at that path, from its start, or its lines (and
 * heartbeats) would be missed.
 */
static void recheck(struct followed *f, const char *path)
{
    struct stat now, ours;
    off_t pos = lseek(f->fd, 0, SEEK_CUR);

    if (stat(path, &now) || fstat(f->fd, &ours))
        return;
    if (now.st_ino != ours.st_ino || now.st_dev != ours.st_dev) {
        int fd = open(path, O_RDONLY | O_NONBLOCK);

        if (fd < 0)
            return;
        close(f->fd);
        f->fd = fd;
        f->len = 0;
    } else if (pos > now.st_size) {
        lseek(f->fd, 0, SEEK_SET);
        f->len = 0;
    }
}

static void scan(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096];
    int i;

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "guest-", 6) != 0)
            continue;
        for (i = 0; i < nfiles; i++)
            if (strcmp(files[i].name, e->d_name) == 0)
                break;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (i < nfiles) {
            recheck(&files[i], path);
            continue;
        }
        if (nfiles == MAXF)
            continue;
        files[nfiles].fd = open(path, O_RDONLY | O_NONBLOCK);
        if (files[nfiles].fd < 0)
            continue;
        snprintf(files[nfiles].name, sizeof(files[nfiles].name), "%s",
                 e->d_name);
        guest_of(e->d_name, files[nfiles].guest, sizeof(files[0].guest));
        files[nfiles].len = 0;
        nfiles++;
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    FILE *out;
    long poll_ms;
    int i, tick = 0;

    if (argc < 3) {
        fprintf(stderr, "usage: %s DIR OUTFILE [poll_ms]\n", argv[0]);
        return 2;
    }
    poll_ms = argc > 3 ? strtol(argv[3], NULL, 10) : 20;
    if (poll_ms < 1 || poll_ms > 10000)
        poll_ms = 20;
    out = fopen(argv[2], "a");
    if (!out) {
        fprintf(stderr, "tb-conslog: cannot open %s: %s\n", argv[2],
                strerror(errno));
        return 1;
    }
    for (;;) {
        struct timespec ts = { poll_ms / 1000, (poll_ms % 1000) * 1000000 };

        if (tick++ % 10 == 0)
            scan(argv[1]);
        for (i = 0; i < nfiles; i++)
            drain(out, &files[i]);
        nanosleep(&ts, NULL);
    }
}
