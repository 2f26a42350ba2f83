/*
 * The local-disk hooks' checks and the request they send: a source
 * disk judged from scripted lvs/dmsetup output (refusals named), the
 * destination's VG and free space, the request's disks round trip and
 * its bad forms, and a journal finished by recover on a fake host.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "ldisk_hooks.h"
#include "ldisk_journal.h"
#include "ldisk_world.h"
#include "progress.h"
#include "unit.h"

/* Scripted answers by program and first argument. */
static const char *lvs_out, *vgs_out, *table_out, *open_out;
static unsigned nrun;

static int s_run(void *arg, const char *const *argv, int *status,
                 char **out, size_t *out_len, char *err, size_t errsz)
{
    const char *o = "";

    (void)arg;
    nrun++;
    err[0] = 0;
    (void)errsz;
    if (!strcmp(argv[0], "lvs"))
        o = lvs_out;
    else if (!strcmp(argv[0], "vgs"))
        o = vgs_out;
    else if (!strcmp(argv[0], "dmsetup") && !strcmp(argv[1], "table"))
        o = table_out;
    else if (!strcmp(argv[0], "dmsetup") && !strcmp(argv[1], "info"))
        o = open_out;
    *status = 0;
    if (out) {
        *out = strdup(o);
        *out_len = strlen(o);
    }
    return 0;
}

static xlmig_ldisk_ctx l;
static xlmig_hooks h;

static void ctx(bool enabled)
{
    xlmig_ldisk_ctx_init(&l);
    l.enabled = enabled;
    l.runner.run = s_run;
    snprintf(l.conf.state_dir, sizeof(l.conf.state_dir),
             "/nonexistent/ldisk-unit");
    snprintf(l.self.name, sizeof(l.self.name), "xen1");
    snprintf(l.self.addr, sizeof(l.self.addr), "10.0.0.1");
    snprintf(l.peer.name, sizeof(l.peer.name), "xen2");
    snprintf(l.peer.addr, sizeof(l.peer.addr), "10.0.0.2");
    xlmig_ldisk_hooks_init(&l, &h);
    nrun = 0;
}

#define LV_ROW(attr, seg, origin, pool) \
    "{\"report\":[{\"lv\":[{\"vg_name\":\"vg0\",\"lv_name\":\"root\"," \
    "\"lv_size\":\"67108864\",\"lv_attr\":\"" attr "\",\"segtype\":\"" \
    seg "\",\"origin\":\"" origin "\",\"pool_lv\":\"" pool "\"}]}]}"

static const char cfg[] =
    "{\"disks\":[{\"vdev\":\"xvda\",\"pdev_path\":\"/dev/vg0/root\"},"
    "{\"vdev\":\"xvdb\",\"pdev_path\":\"/srv/img/data.img\"}]}";

static const xlmig_check *row(const xlmig_checks *c, const char *name)
{
    unsigned i;

    for (i = 0; i < c->n; i++)
        if (!strcmp(c->items[i].name, name))
            return &c->items[i];
    return NULL;
}

static void judge(const char *lvs, const char *table, const char *open,
                  xlmig_checks *c)
{
    xlmig_domain_info di = { .config = (char *)cfg };

    lvs_out = lvs;
    table_out = table;
    open_out = open;
    xlmig_checks_init(c);
    /* As xlmig_disks_check leaves them: neither DRBD nor shared. */
    xlmig_checks_add(c, "source", "disk xvda", false, "not DRBD");
    xlmig_checks_add(c, "source", "disk xvdb", false, "not DRBD");
    h.src_disks(h.arg, &di, c);
}

static void test_src_disks(void)
{
    const xlmig_check *a, *b;
    xlmig_checks c;
    char *wire = NULL;

    setenv("XLMIG_LDISK_DRBD_MODULE", "/", 1);
    ctx(true);
    judge(LV_ROW("-wi-ao----", "linear", "", ""),
          "0 131072 linear 254:32 2048\n", "1\n", &c);
    a = row(&c, "disk xvda");
    b = row(&c, "disk xvdb");
    CU_ASSERT_FATAL(a && b);
    CU_ASSERT_TRUE(a->ok);
    CU_ASSERT_PTR_NOT_NULL(strstr(a->detail, "carried over DRBD minor 900"
                                  " to vg0/root"));
    CU_ASSERT_FALSE(b->ok);
    CU_ASSERT_PTR_NOT_NULL(strstr(b->detail, "a file disk"));
    CU_ASSERT_TRUE(row(&c, "drbd module")->ok);
    CU_ASSERT_EQUAL(l.n, 1);
    CU_ASSERT_EQUAL(l.disks[0].port, 7900);
    CU_ASSERT_EQUAL(l.disks[0].md_bytes, 1u << 20);
    /* The request's part, and back as the destination reads it. */
    CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_wire_encode(&l, &wire), 0);
    ctx(false);
    CU_ASSERT_EQUAL(xlmig_ldisk_wire_decode(wire, strlen(wire), &l), 0);
    CU_ASSERT_EQUAL(l.n, 1);
    CU_ASSERT_STRING_EQUAL(l.disks[0].lv.lv, "root");
    CU_ASSERT_EQUAL(l.disks[0].lv.size, 67108864u);
    CU_ASSERT_STRING_EQUAL(l.self.name, "xen2");
    CU_ASSERT_STRING_EQUAL(l.peer.addr, "10.0.0.1");
    free(wire);
}

static void test_src_refusals(void)
{
    xlmig_checks c;

    setenv("XLMIG_LDISK_DRBD_MODULE", "/", 1);
    ctx(true);
    judge(LV_ROW("Vwi-aotz--", "thin", "", "pool0"), "", "1\n", &c);
    CU_ASSERT_FALSE(row(&c, "disk xvda")->ok);
    CU_ASSERT_PTR_NOT_NULL(strstr(row(&c, "disk xvda")->detail, "thin"));
    ctx(true);
    judge(LV_ROW("swi-a-s---", "linear", "base", ""), "", "1\n", &c);
    CU_ASSERT_PTR_NOT_NULL(strstr(row(&c, "disk xvda")->detail,
                                  "snapshot of base"));
    ctx(true);
    judge(LV_ROW("-wi-ao----", "linear", "", ""),
          "0 131072 linear 254:32 2048\n", "2\n", &c);
    CU_ASSERT_FALSE(row(&c, "disk xvda")->ok);
    CU_ASSERT_PTR_NOT_NULL(strstr(row(&c, "disk xvda")->detail,
                                  "shared with another guest"));
    ctx(true);
    judge(LV_ROW("-wi-ao----", "linear", "", ""),
          "0 131072 snapshot-origin 254:3\n", "1\n", &c);
    CU_ASSERT_FALSE(row(&c, "disk xvda")->ok);
    ctx(true);
    judge(LV_ROW("-wi-ao----", "linear", "", ""),
          "0 1000 linear 254:32 2048\n", "1\n", &c);
    CU_ASSERT_PTR_NOT_NULL(strstr(row(&c, "disk xvda")->detail,
                                  "maps 1000 sectors"));
    /* No DRBD module: its own row, failed. */
    setenv("XLMIG_LDISK_DRBD_MODULE", "/nonexistent/drbd", 1);
    ctx(true);
    judge(LV_ROW("-wi-ao----", "linear", "", ""),
          "0 131072 linear 254:32 2048\n", "1\n", &c);
    CU_ASSERT_FALSE(row(&c, "drbd module")->ok);
    /* No address for the temporary resource. */
    setenv("XLMIG_LDISK_DRBD_MODULE", "/", 1);
    ctx(true);
    l.self.addr[0] = 0;
    judge(LV_ROW("-wi-ao----", "linear", "", ""),
          "0 131072 linear 254:32 2048\n", "1\n", &c);
    CU_ASSERT_FALSE(row(&c, "local disk address")->ok);
    CU_ASSERT_PTR_NOT_NULL(strstr(row(&c, "local disk address")->detail,
                                  "local_disk_address"));
    /* Without --with-local-disks nothing is asked, nothing changes. */
    ctx(false);
    judge(LV_ROW("-wi-ao----", "linear", "", ""),
          "0 131072 linear 254:32 2048\n", "1\n", &c);
    CU_ASSERT_EQUAL(nrun, 0);
    CU_ASSERT_FALSE(row(&c, "disk xvda")->ok);
    CU_ASSERT_PTR_NULL(row(&c, "drbd module"));
}

static const char wire[] =
    "{\"disks\":[{\"vdev\":\"xvda\",\"vg\":\"vg0\",\"lv\":\"root\","
    "\"size\":67108864,\"dst_vg\":\"vg0\",\"minor\":900,\"port\":7900,"
    "\"md\":1048576}],\"src\":{\"name\":\"xen1\",\"addr\":\"10.0.0.1\"},"
    "\"dst\":{\"name\":\"xen2\",\"addr\":\"10.0.0.2\"}}";

static void test_dst_check(void)
{
    xlmig_msg req;
    xlmig_checks c;

    setenv("XLMIG_LDISK_DRBD_MODULE", "/", 1);
    xlmig_msg_init(&req, XLMIG_MSG_MIGRATE);
    req.local_disks = strdup(wire);
    ctx(false);
    snprintf(l.self.name, sizeof(l.self.name), "xen2");
    l.self.addr[0] = 0;
    vgs_out = "{\"report\":[{\"vg\":[{\"vg_name\":\"vg0\",\"vg_free\":"
              "\"1073741824\",\"vg_extent_size\":\"4194304\"}]}]}";
    lvs_out = "{\"report\":[{\"lv\":[]}]}";
    xlmig_checks_init(&c);
    CU_ASSERT_EQUAL(h.dst_check(h.arg, &req, "xen1", &c), 0);
    CU_ASSERT_TRUE(row(&c, "disk xvda")->ok);
    CU_ASSERT_PTR_NOT_NULL(strstr(row(&c, "disk xvda")->detail,
                                  "vg0 has 1073741824 free"));
    /* Not enough room. */
    vgs_out = "{\"report\":[{\"vg\":[{\"vg_name\":\"vg0\",\"vg_free\":"
              "\"67108864\",\"vg_extent_size\":\"4194304\"}]}]}";
    xlmig_checks_init(&c);
    CU_ASSERT_EQUAL(h.dst_check(h.arg, &req, "xen1", &c), 0);
    CU_ASSERT_FALSE(row(&c, "disk xvda")->ok);
    CU_ASSERT_PTR_NOT_NULL(strstr(row(&c, "disk xvda")->detail,
                                  "has 67108864 bytes free, needs"));
    /* The LV is there already. */
    vgs_out = "{\"report\":[{\"vg\":[{\"vg_name\":\"vg0\",\"vg_free\":"
              "\"1073741824\",\"vg_extent_size\":\"4194304\"}]}]}";
    lvs_out = LV_ROW("-wi-a-----", "linear", "", "");
    xlmig_checks_init(&c);
    CU_ASSERT_EQUAL(h.dst_check(h.arg, &req, "xen1", &c), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(row(&c, "disk xvda")->detail,
                                  "vg0/root already exists"));
    /* The request names another host. */
    snprintf(l.self.name, sizeof(l.self.name), "xen3");
    xlmig_checks_init(&c);
    CU_ASSERT_EQUAL(h.dst_check(h.arg, &req, "xen1", &c), 0);
    CU_ASSERT_FALSE(row(&c, "local disk host")->ok);
    xlmig_msg_dispose(&req);
}

/* This host's local_disk_vg differs from the source's VG: the checks
 * run against it, and the carried config is pointed at it. */
static void test_dst_other_vg(void)
{
    xlmig_msg req;
    xlmig_checks c;
    char *config;

    setenv("XLMIG_LDISK_DRBD_MODULE", "/", 1);
    xlmig_msg_init(&req, XLMIG_MSG_MIGRATE);
    req.local_disks = strdup(wire);
    req.config = strdup(cfg);
    req.xl_config = strdup("name = 'g1'\ndisk = [ 'phy:/dev/vg0/root,"
                           "xvda,w', '/srv/img/data.img,raw,xvdb,w' ]\n");
    ctx(false);
    snprintf(l.self.name, sizeof(l.self.name), "xen2");
    snprintf(l.conf.vg, sizeof(l.conf.vg), "data-vg");
    l.self.addr[0] = 0;
    vgs_out = "{\"report\":[{\"vg\":[{\"vg_name\":\"data-vg\",\"vg_free\":"
              "\"1073741824\",\"vg_extent_size\":\"4194304\"}]}]}";
    lvs_out = "{\"report\":[{\"lv\":[]}]}";
    xlmig_checks_init(&c);
    CU_ASSERT_EQUAL(h.dst_check(h.arg, &req, "xen1", &c), 0);
    CU_ASSERT_TRUE_FATAL(row(&c, "disk xvda") && row(&c, "disk xvda")->ok);
    CU_ASSERT_PTR_NOT_NULL(strstr(row(&c, "disk xvda")->detail,
                                  "data-vg/root: to be created"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(h.dst_config);
    CU_ASSERT_EQUAL(h.dst_config(h.arg, &req.config, &req.xl_config, &c), 0);
    CU_ASSERT_TRUE(row(&c, "local disk config")->ok);
    CU_ASSERT_STRING_EQUAL(req.config, "{\"disks\":[{\"vdev\":\"xvda\","
                           "\"pdev_path\":\"/dev/data-vg/root\"},"
                           "{\"vdev\":\"xvdb\",\"pdev_path\":"
                           "\"/srv/img/data.img\"}]}");
    /* The xl config file kept here names it there too. */
    CU_ASSERT_STRING_EQUAL(req.xl_config, "name = 'g1'\ndisk = [ 'phy:"
                           "/dev/data-vg/root,xvda,w', '/srv/img/data.img,"
                           "raw,xvdb,w' ]\n");
    /* An xl config file that does not name the LV: refused. */
    config = req.config;
    req.config = strdup(cfg);
    free(config);
    free(req.xl_config);
    req.xl_config = strdup("name = 'g1'\ndisk = [ '/dev/disk/by-id/x,"
                           "xvda,w' ]\n");
    xlmig_checks_init(&c);
    CU_ASSERT_EQUAL(h.dst_config(h.arg, &req.config, &req.xl_config, &c), 0);
    CU_ASSERT_FALSE(row(&c, "local disk config")->ok);
    CU_ASSERT_PTR_NOT_NULL(strstr(row(&c, "local disk config")->detail,
                                  "xl config file does not name"));
    /* A config that lacks the disk: refused, left as it came. */
    config = req.config;
    req.config = strdup("{\"disks\":[]}");
    free(config);
    xlmig_checks_init(&c);
    CU_ASSERT_EQUAL(h.dst_config(h.arg, &req.config, &req.xl_config, &c), 0);
    CU_ASSERT_FALSE(row(&c, "local disk config")->ok);
    CU_ASSERT_STRING_EQUAL(req.config, "{\"disks\":[]}");
    xlmig_msg_dispose(&req);
}


/*
 * The real path: the source's request as the control channel carries
 * it, then the destination's check of that request, where the DRBD
 * check has already refused the disk that the local-disk hook carries.
 */
static void test_request_on_the_wire(void)
{
    xlmig_msg req, got;
    xlmig_checks c;
    char *buf = NULL;
    size_t len = 0;

    setenv("XLMIG_LDISK_DRBD_MODULE", "/", 1);
    ctx(true);
    judge(LV_ROW("-wi-ao----", "linear", "", ""),
          "0 131072 linear 254:32 2048\n", "1\n", &c);
    CU_ASSERT_EQUAL_FATAL(l.n, 1);
    xlmig_msg_init(&req, XLMIG_MSG_MIGRATE);
    CU_ASSERT_EQUAL_FATAL(xlmig_msg_set(&req.host, "xen1"), 0);
    CU_ASSERT_EQUAL_FATAL(xlmig_msg_set(&req.config, cfg), 0);
    CU_ASSERT_EQUAL_FATAL(h.src_request(h.arg, &req), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(req.local_disks);
    req.dry_run = true;
    CU_ASSERT_EQUAL_FATAL(xlmig_msg_encode(&req, &buf, &len), 0);
    xlmig_msg_init(&got, XLMIG_MSG_NONE);
    CU_ASSERT_EQUAL_FATAL(xlmig_msg_decode(buf, len, &got), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got.local_disks);
    CU_ASSERT_STRING_EQUAL(got.local_disks, req.local_disks);

    ctx(false);
    snprintf(l.self.name, sizeof(l.self.name), "xen2");
    l.self.addr[0] = 0;
    vgs_out = "{\"report\":[{\"vg\":[{\"vg_name\":\"vg0\",\"vg_free\":"
              "\"1073741824\",\"vg_extent_size\":\"4194304\"}]}]}";
    lvs_out = "{\"report\":[{\"lv\":[]}]}";
    xlmig_checks_init(&c);
    xlmig_checks_add(&c, "dest", "disk xvda", false, "not DRBD");
    CU_ASSERT_EQUAL(h.dst_check(h.arg, &got, got.host, &c), 0);
    CU_ASSERT_PTR_NULL(row(&c, "local disks"));
    if (row(&c, "local disks"))
        fprintf(stderr, "\n  local disks: %s\n",
                row(&c, "local disks")->detail);
    CU_ASSERT_TRUE(row(&c, "disk xvda")->ok);
    CU_ASSERT_PTR_NULL(xlmig_checks_failed(&c));
    free(buf);
    xlmig_msg_dispose(&got);
    xlmig_msg_dispose(&req);
}

static int decode(const char *s)
{
    ctx(false);
    xlmig_err_clear();
    return xlmig_ldisk_wire_decode(s, strlen(s), &l);
}

static void test_wire_bad(void)
{
    char buf[1024];

    CU_ASSERT_EQUAL(decode(wire), 0);
    CU_ASSERT_EQUAL(decode("{"), XLMIG_E_PROTO);
    CU_ASSERT_EQUAL(decode("{\"disks\":[]}"), XLMIG_E_PROTO);
    /* Each of these must be refused before anything could run. */
    static const char *const subst[][2] = {
        { "\"lv\":\"root\"", "\"lv\":\"-rf\"" },
        { "\"lv\":\"root\"", "\"lv\":\"a;b\"" },
        { "\"minor\":900", "\"minor\":12" },
        { "\"port\":7900", "\"port\":7901" },
        { "\"size\":67108864", "\"size\":67108865" },
        { "\"md\":1048576", "\"md\":10" },
        { "\"addr\":\"10.0.0.1\"", "\"addr\":7" },
    };
    unsigned i;

    for (i = 0; i < sizeof(subst) / sizeof(subst[0]); i++) {
        const char *at = strstr(wire, subst[i][0]);

        CU_ASSERT_PTR_NOT_NULL_FATAL(at);
        snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - wire), wire,
                 subst[i][1], at + strlen(subst[i][0]));
        CU_ASSERT_EQUAL(decode(buf), XLMIG_E_PROTO);
        CU_ASSERT_EQUAL(l.n, 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "local disks"));
    }
}

static void test_journal(void)
{
    static const char text[] =
        "side = source\nstage = setup\ndone = 11\nvdev = xvda\nvg = vg0\n"
        "lv = guest-root\nsize = 4294967296\ndst_vg = vg1\nminor = 900\n"
        "port = 7900\nmd = 1048576\n";
    static ldisk_world w, start;
    xlmig_ldisk_journal j;
    xlmig_ldisk_runner r;
    xlmig_ldisk_conf c;

    CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_journal_parse(text, strlen(text), "j",
                                                    &j), 0);
    CU_ASSERT_TRUE(j.is_src);
    CU_ASSERT_EQUAL(j.done, 11);
    CU_ASSERT_EQUAL(j.disk.minor, 900);
    CU_ASSERT_STRING_EQUAL(j.disk.lv.lv, "guest-root");
    xlmig_err_clear();
    CU_ASSERT_EQUAL(xlmig_ldisk_journal_parse("side = source\nvg = ../x\n",
                                              22, "j", &j), XLMIG_E_INVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "j:2: vg"));
    CU_ASSERT_EQUAL(xlmig_ldisk_journal_parse("side = source\n", 14, "j",
                                              &j), XLMIG_E_INVAL);
    /* A source whose setup ran to its end, then the tool died: recover
     * undoes all of it from the journal alone. */
    CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_journal_parse(text, strlen(text), "j",
                                                    &j), 0);
    xlmig_ldisk_conf_init(&c);
    snprintf(c.state_dir, sizeof(c.state_dir), "/nonexistent/ldisk-unit");
    ldisk_world_init(&start, "vg0", "guest-root",
                     "0 8388608 linear 8:16 2048\n");
    w = start;
    {
        xlmig_ldisk_end a = { "xen1", "10.0.0.1" }, b = { "xen2",
                                                          "10.0.0.2" };
        xlmig_ldisk_plan p;
        unsigned done;

        xlmig_ldisk_plan_init(&p);
        CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_plan_src_setup(&c, &j.disk, &a, &b,
                                                         &p), 0);
        ldisk_world_runner(&w, &r);
        CU_ASSERT_EQUAL_FATAL(xlmig_ldisk_plan_run(&p, &r, NULL, NULL,
                                                   &done), 0);
        CU_ASSERT_EQUAL(done, 11);
        xlmig_ldisk_plan_dispose(&p);
    }
    CU_ASSERT_FALSE(ldisk_world_same(&w, &start));
    CU_ASSERT_EQUAL(xlmig_ldisk_recover(&c, &j, &r), 0);
    CU_ASSERT(ldisk_world_same(&w, &start));
}

static void proc_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    CU_ASSERT_FATAL(f != NULL);
    fputs(text, f);
    fclose(f);
}

/* The sync phase: done, cancelled, timed out; its progress events. */
static void test_sync(void)
{
    char path[] = "/tmp/ldisk-unit-procXXXXXX", *buf = NULL;
    volatile int cancel = 0;
    xlmig_progress p;
    size_t len = 0;
    FILE *out;
    int fd = mkstemp(path);

    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    ctx(true);
    l.n = 1;
    l.disks[0].minor = 900;
    l.disks[0].lv.size = 1 << 30;
    l.poll_ns = 1000000;
    snprintf(l.proc_path, sizeof(l.proc_path), "%s", path);
    out = open_memstream(&buf, &len);
    CU_ASSERT_FATAL(out != NULL);
    xlmig_progress_init(&p, XLMIG_PROGRESS_JSON, out);
    proc_file(path, "900: cs:Connected ro:Primary/Secondary"
              " ds:UpToDate/UpToDate C r-----\n    ns:1 nr:0 oos:0\n");
    CU_ASSERT_EQUAL(h.src_sync(h.arg, &p, &cancel, NULL, NULL), 0);
    fflush(out);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"phase\":\"sync\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"sent_bytes\":1073741824"));
    CU_ASSERT_EQUAL(p.pct, 0);
    proc_file(path, "900: cs:SyncSource ro:Primary/Secondary"
              " ds:UpToDate/Inconsistent C r-----\n    ns:1 oos:1024\n");
    cancel = 1;
    xlmig_err_clear();
    CU_ASSERT_EQUAL(h.src_sync(h.arg, NULL, &cancel, NULL, NULL),
                    XLMIG_E_ABORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "1048576 bytes to go"));
    cancel = 0;
    l.sync_timeout_ns = 0;
    xlmig_err_clear();
    CU_ASSERT_EQUAL(h.src_sync(h.arg, NULL, &cancel, NULL, NULL),
                    XLMIG_E_TIMEOUT);
    /* Not in sync at the switchover: refused. */
    xlmig_err_clear();
    CU_ASSERT_EQUAL(h.src_verify(h.arg), XLMIG_E_EXTERNAL);
    /* The resource gone: an error, not a wait. */
    proc_file(path, "version: 8.4.11\n");
    xlmig_err_clear();
    CU_ASSERT_EQUAL(h.src_sync(h.arg, NULL, &cancel, NULL, NULL),
                    XLMIG_E_EXTERNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "xlmig-900 is gone"));
    xlmig_err_clear();
    xlmig_progress_dispose(&p);
    fclose(out);
    free(buf);
    unlink(path);
}

/* What the inner hooks' disks said of the restore's hotplug. */
static void inner_hotplug(void *arg, uint64_t *ns, unsigned *fast,
                          unsigned *n)
{
    (void)arg;
    *ns = 163000000;
    *fast = 1;
    *n = 1;
}

/* The receiver's report of the hotplug time passes through ours. */
static void test_dst_hotplug(void)
{
    xlmig_hooks inner = { .dst_hotplug = inner_hotplug };
    uint64_t ns = 1;
    unsigned fast = 9, n = 9;

    ctx(false);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h.dst_hotplug);
    h.dst_hotplug(h.arg, &ns, &fast, &n);
    CU_ASSERT(ns == 0 && fast == 0 && n == 0);
    l.inner = &inner;
    h.dst_hotplug(h.arg, &ns, &fast, &n);
    CU_ASSERT(ns == 163000000 && fast == 1 && n == 1);
    l.inner = NULL;
}

static CU_TestInfo tests[] = {
    { "the sync: done, cancelled, timed out", test_sync },
    { "destination: the disks' hotplug time passed on", test_dst_hotplug },
    { "source disks judged, request round trip", test_src_disks },
    { "source refusals", test_src_refusals },
    { "destination check: VG, room, names", test_dst_check },
    { "destination in another VG: checks and the config", test_dst_other_vg },
    { "request: bad disks refused", test_wire_bad },
    { "request on the wire, checked at the destination",
      test_request_on_the_wire },
    { "journal parse, recover undoes", test_journal },
    CU_TEST_INFO_NULL,
};

XLMIG_UNIT_SUITE("ldisk_hooks", NULL, NULL, tests);
