/*
 * Replays files (or every file of a directory) through a harness built
 * without libFuzzer: the corpus and the crashes it once found become a
 * regression test that any compiler can build.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    uint8_t *buf = NULL;
    long len;
    int rc = -1;
    FILE *f = fopen(path, "rb");

    if (!f)
        goto out;
    if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET))
        goto out;
    buf = malloc(len ? (size_t)len : 1);
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
        goto out;
    LLVMFuzzerTestOneInput(buf, (size_t)len);
    rc = 0;
out:
    if (rc)
        fprintf(stderr, "replay: cannot read %s\n", path);
    free(buf);
    if (f)
        fclose(f);
    return rc;
}

int main(int argc, char **argv)
{
    unsigned n = 0;
    int i, rc = 0;

    for (i = 1; i < argc; i++) {
        struct stat st;
        struct dirent *e;
        DIR *d;

        if (stat(argv[i], &st)) {
            fprintf(stderr, "replay: %s: no such file\n", argv[i]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            rc |= replay_file(argv[i]);
            n++;
            continue;
        }
        d = opendir(argv[i]);
        while (d && (e = readdir(d))) {
            char p[4096];

            if (e->d_name[0] == '.')
                continue;
            snprintf(p, sizeof(p), "%s/%s", argv[i], e->d_name);
            rc |= replay_file(p);
            n++;
        }
        if (d)
            closedir(d);
    }
    printf("replay: %u inputs\n", n);
    return rc ? 1 : 0;
}
