/*
 * The guest's xl config and autostart entry: finding them on the
 * source, validating what arrives, the destination's transaction
 * (stage, commit, rollback before and after the commit) and the
 * source's release, on temporary directories.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "autostart.h"
#include "control.h"
#include "error.h"
#include "unit.h"

static char root[256];
static xlmig_autostart_dirs dirs;

static void path(char *buf, size_t len, const char *rel)
{
    snprintf(buf, len, "%s/%s", root, rel);
}

static void put_file(const char *rel, const char *text)
{
    char p[512];
    FILE *f;

    path(p, sizeof(p), rel);
    f = fopen(p, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

static void put_link(const char *rel, const char *target)
{
    char p[512];

    path(p, sizeof(p), rel);
    CU_ASSERT_EQUAL(symlink(target, p), 0);
}

/* The file's text, or "" if there is none (static buffer). */
static const char *text_of(const char *rel)
{
    static char buf[4096];
    char p[512];
    ssize_t n;
    int fd;

    path(p, sizeof(p), rel);
    fd = open(p, O_RDONLY);
    buf[0] = 0;
    if (fd < 0)
        return buf;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    return buf;
}

static const char *link_of(const char *rel)
{
    static char buf[512];
    char p[512];
    ssize_t n;

    path(p, sizeof(p), rel);
    n = readlink(p, buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = 0;
    return buf;
}

static bool exists(const char *rel)
{
    char p[512];
    struct stat st;

    path(p, sizeof(p), rel);
    return lstat(p, &st) == 0;
}

/* Fresh dirs: <root>/xen and <root>/xen/auto. */
static void fresh(bool with_auto)
{
    char cmd[600], c[512], a[512];

    if (root[0]) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        CU_ASSERT_EQUAL(system(cmd), 0);
    }
    snprintf(root, sizeof(root), "/tmp/xlmig-as-XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(root));
    path(c, sizeof(c), "xen");
    path(a, sizeof(a), "xen/auto");
    CU_ASSERT_EQUAL(mkdir(c, 0755), 0);
    if (with_auto)
        CU_ASSERT_EQUAL(mkdir(a, 0755), 0);
    CU_ASSERT_EQUAL(xlmig_autostart_dirs_set(&dirs, c, a), 0);
}

static int fini(void)
{
    char cmd[600];

    if (root[0]) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        if (system(cmd))
            return 1;
    }
    return 0;
}

#define G1 "name = \"g1\"\nmemory = 128\n"

/* g1's placement as found in the dirs. */
static void find_g1(xlmig_placement *p)
{
    xlmig_placement_init(p);
    CU_ASSERT_EQUAL(xlmig_placement_find(&dirs, "g1", p), 0);
}

/* A link at rel to the absolute path of rel_target. */
static void put_abs_link(const char *rel, const char *rel_target)
{
    char target[512];

    path(target, sizeof(target), rel_target);
    put_link(rel, target);
}

static void test_find_cfg_and_relative_link(void)
{
    xlmig_placement p;

    fresh(true);
    put_file("xen/g1.cfg", G1);
    put_file("xen/g2.cfg", "name = \"g2\"\n");
    put_link("xen/auto/g2.cfg", "../g2.cfg");
    put_link("xen/auto/g1.cfg", "../g1.cfg");
    find_g1(&p);
    CU_ASSERT_STRING_EQUAL(p.cfg_name, "g1.cfg");
    CU_ASSERT_STRING_EQUAL(p.cfg_text, G1);
    CU_ASSERT_STRING_EQUAL(p.auto_name, "g1.cfg");
    CU_ASSERT_PTR_NULL(p.auto_text);
    CU_ASSERT_TRUE(p.auto_relative);
    CU_ASSERT_PTR_NOT_NULL(strstr(p.auto_path, "/xen/auto/g1.cfg"));
    xlmig_placement_dispose(&p);
}

static void test_find_absolute_link_to_other_name(void)
{
    xlmig_placement p;

    fresh(true);
    /* No g1.cfg or g1: the file the link names, in the config dir. */
    put_file("xen/web.conf", G1);
    put_abs_link("xen/auto/web", "xen/web.conf");
    find_g1(&p);
    CU_ASSERT_STRING_EQUAL(p.cfg_name, "web.conf");
    CU_ASSERT_STRING_EQUAL(p.auto_name, "web");
    CU_ASSERT_PTR_NULL(p.auto_text);
    CU_ASSERT_FALSE(p.auto_relative);
    xlmig_placement_dispose(&p);
}

static void test_find_copy_and_strangers(void)
{
    xlmig_placement p;

    fresh(true);
    put_file("xen/g1", "name = \"someone\"\n");     /* another guest */
    put_file("xen/g1.cfg", "this is { not xl\n");   /* not a config */
    put_file("xen/auto/.hidden", G1);               /* a dot file */
    put_file("xen/auto/zz-g1", G1);                 /* its own copy */
    find_g1(&p);
    CU_ASSERT_PTR_NULL(p.cfg_name);
    CU_ASSERT_STRING_EQUAL(p.auto_name, "zz-g1");
    CU_ASSERT_STRING_EQUAL(p.auto_text, G1);
    xlmig_placement_dispose(&p);
    /* Nothing for g9, and no auto dir at all: empty, no error. */
    fresh(false);
    CU_ASSERT_EQUAL(xlmig_placement_find(&dirs, "g9", &p), 0);
    CU_ASSERT_TRUE(xlmig_placement_empty(&p));
    xlmig_placement_dispose(&p);
}

/* A link that leads out of the config dir is carried as a copy. */
static void test_find_link_elsewhere_is_copy(void)
{
    char other[512];
    xlmig_placement p;

    fresh(true);
    put_file("xen/g1.cfg", G1);
    path(other, sizeof(other), "elsewhere");
    CU_ASSERT_EQUAL(mkdir(other, 0755), 0);
    put_file("elsewhere/g1.cfg", "name = \"g1\"\nmemory = 256\n");
    put_abs_link("xen/auto/g1", "elsewhere/g1.cfg");
    find_g1(&p);
    CU_ASSERT_STRING_EQUAL(p.cfg_name, "g1.cfg");
    CU_ASSERT_STRING_EQUAL(p.auto_name, "g1");
    CU_ASSERT_STRING_EQUAL(p.auto_text, "name = \"g1\"\nmemory = 256\n");
    xlmig_placement_dispose(&p);
}

/* A placement with the given fields (texts copied). */
static void mk(xlmig_placement *p, const char *cfg, const char *cfg_text,
               const char *au, const char *au_text)
{
    xlmig_placement_init(p);
    p->guest = strdup("g1");
    p->cfg_name = cfg ? strdup(cfg) : NULL;
    p->cfg_text = cfg_text ? strdup(cfg_text) : NULL;
    p->auto_name = au ? strdup(au) : NULL;
    p->auto_text = au_text ? strdup(au_text) : NULL;
}

/* Placement (fields as for mk()) validated: its rc. */
static int validated(const char *cfg, const char *cfg_text, const char *au,
                     const char *au_text)
{
    xlmig_placement p;
    int rc;

    mk(&p, cfg, cfg_text, au, au_text);
    rc = xlmig_placement_validate(&p);
    xlmig_placement_dispose(&p);
    return rc;
}

static void test_validate(void)
{
    static const char *bad_names[] = {
        "../g1.cfg", ".g1.cfg", "a/b", "", "-g1", "g 1", "g1;rm", "g1*",
        "..", "x\ny",
    };
    char longname[300];
    unsigned i;

    CU_ASSERT_EQUAL(validated("g1.cfg", G1, "g1.cfg", NULL), 0);
    CU_ASSERT_EQUAL(validated("web_01-a.b+c@d.cfg", G1, "10-web_01", NULL),
                    0);
    for (i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
        CU_ASSERT_EQUAL(validated(bad_names[i], G1, NULL, NULL),
                        XLMIG_E_PROTO);
        CU_ASSERT_EQUAL(validated("g1.cfg", G1, bad_names[i], NULL),
                        XLMIG_E_PROTO);
    }
    memset(longname, 'a', 256);
    longname[256] = 0;
    CU_ASSERT_EQUAL(validated(longname, G1, NULL, NULL), XLMIG_E_PROTO);
    /* Another guest's text, no text, broken text. */
    xlmig_err_clear();
    CU_ASSERT_EQUAL(validated("g1.cfg", "name = \"g2\"\n", NULL, NULL),
                    XLMIG_E_PROTO);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "names guest \"g2\""));
    CU_ASSERT_EQUAL(validated("g1.cfg", NULL, NULL, NULL), XLMIG_E_PROTO);
    xlmig_err_clear();
    CU_ASSERT_EQUAL(validated("g1.cfg", "memory = = 3\n", NULL, NULL),
                    XLMIG_E_PROTO);
    CU_ASSERT_PTR_NOT_NULL(strstr(xlmig_errmsg(), "not an xl config"));
    /* A copy with no name. */
    CU_ASSERT_EQUAL(validated(NULL, NULL, "g1", "memory = 3\n"),
                    XLMIG_E_PROTO);
    /* A link needs a config file to link to. */
    CU_ASSERT_EQUAL(validated(NULL, NULL, "g1.cfg", NULL), XLMIG_E_PROTO);
    xlmig_err_clear();
}

/* Through the wire and back; a forged name is refused on the way in. */
static void test_msg_round_trip(void)
{
    xlmig_placement p, q;
    xlmig_msg m, back;
    size_t len;
    char *json;

    mk(&p, "g1.cfg", G1, "g1.cfg", NULL);
    p.auto_relative = true;
    xlmig_msg_init(&m, XLMIG_MSG_MIGRATE);
    m.name = strdup("g1");
    CU_ASSERT_EQUAL(xlmig_placement_to_msg(&p, &m), 0);
    CU_ASSERT_TRUE(xlmig_placement_in_msg(&m));
    CU_ASSERT_EQUAL(xlmig_msg_encode(&m, &json, &len), 0);
    xlmig_msg_init(&back, XLMIG_MSG_NONE);
    CU_ASSERT_EQUAL(xlmig_msg_decode(json, len, &back), 0);
    free(json);
    xlmig_placement_init(&q);
    CU_ASSERT_EQUAL(xlmig_placement_from_msg(&back, &q), 0);
    CU_ASSERT_STRING_EQUAL(q.cfg_name, "g1.cfg");
    CU_ASSERT_STRING_EQUAL(q.cfg_text, G1);
    CU_ASSERT_STRING_EQUAL(q.auto_name, "g1.cfg");
    CU_ASSERT_PTR_NULL(q.auto_text);
    CU_ASSERT_TRUE(q.auto_relative);
    free(back.xl_config_file);
    back.xl_config_file = strdup("../../etc/shadow");
    CU_ASSERT_EQUAL(xlmig_placement_from_msg(&back, &q), XLMIG_E_PROTO);
    xlmig_placement_dispose(&q);
    xlmig_placement_dispose(&p);
    xlmig_msg_dispose(&m);
    xlmig_msg_dispose(&back);
    xlmig_err_clear();
}

/* A migrate request carrying p for guest g1. */
static void request(xlmig_msg *m, const xlmig_placement *p)
{
    xlmig_msg_init(m, XLMIG_MSG_MIGRATE);
    m->name = strdup("g1");
    CU_ASSERT_EQUAL(xlmig_placement_to_msg(p, m), 0);
}

/* One transaction on a placement for g1 and its migrate request. */
typedef struct {
    xlmig_autostart_txn t;
    xlmig_placement p;
    xlmig_msg m;
    char detail[512];
} txn_case;

/* With c->p filled in by mk(): the request, the txn, and its check. */
static int txn_begin(txn_case *c)
{
    request(&c->m, &c->p);
    xlmig_autostart_txn_init(&c->t, &dirs);
    return xlmig_autostart_check(&c->t, &c->m, c->detail,
                                 sizeof(c->detail));
}

static void txn_end(txn_case *c)
{
    xlmig_autostart_txn_dispose(&c->t);
    xlmig_msg_dispose(&c->m);
    xlmig_placement_dispose(&c->p);
}

/* g1.cfg, linked from auto/g1.cfg by a relative link at the source. */
static int txn_begin_relative(txn_case *c)
{
    mk(&c->p, "g1.cfg", G1, "g1.cfg", NULL);
    c->p.auto_relative = true;
    return txn_begin(c);
}

/* Neither staged file of g1.cfg is left. */
static void assert_none_staged(void)
{
    CU_ASSERT_FALSE(exists("xen/.g1.cfg.xlmig-new"));
    CU_ASSERT_FALSE(exists("xen/auto/.g1.cfg.xlmig-new"));
}

/* Into a destination without an auto dir: staged unseen, then there. */
static void test_txn_stage_commit(void)
{
    txn_case c;

    fresh(false);
    CU_ASSERT_EQUAL(txn_begin_relative(&c), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(c.detail, "auto/g1.cfg (a link)"));
    CU_ASSERT_EQUAL(xlmig_autostart_stage(&c.t), 0);
    CU_ASSERT_FALSE(exists("xen/g1.cfg"));
    CU_ASSERT_FALSE(exists("xen/auto/g1.cfg"));
    CU_ASSERT_STRING_EQUAL(text_of("xen/.g1.cfg.xlmig-new"), G1);
    CU_ASSERT_EQUAL(xlmig_autostart_commit(&c.t), 0);
    CU_ASSERT_STRING_EQUAL(text_of("xen/g1.cfg"), G1);
    CU_ASSERT_STRING_EQUAL(link_of("xen/auto/g1.cfg"), "../g1.cfg");
    /* The link works: it reads the config. */
    CU_ASSERT_STRING_EQUAL(text_of("xen/auto/g1.cfg"), G1);
    assert_none_staged();
    txn_end(&c);
    /* Committed stays committed. */
    CU_ASSERT_STRING_EQUAL(text_of("xen/g1.cfg"), G1);
}

/* A rollback before the commit: nothing there, not even the auto dir. */
static void test_txn_rollback_before_commit(void)
{
    txn_case c;

    fresh(false);
    mk(&c.p, "g1.cfg", G1, "g1", "name = \"g1\"\n");
    CU_ASSERT_EQUAL(txn_begin(&c), 0);
    CU_ASSERT_EQUAL(xlmig_autostart_stage(&c.t), 0);
    CU_ASSERT_TRUE(exists("xen/auto/.g1.xlmig-new"));
    xlmig_autostart_rollback(&c.t);
    CU_ASSERT_FALSE(exists("xen/.g1.cfg.xlmig-new"));
    CU_ASSERT_FALSE(exists("xen/g1.cfg"));
    CU_ASSERT_FALSE(exists("xen/auto"));
    txn_end(&c);
}

/* After the commit: the old file (and its mode) and old link return. */
static void test_txn_rollback_after_commit(void)
{
    txn_case c;
    char old[512];
    struct stat st;

    fresh(true);
    put_file("xen/g1.cfg", "name = \"g1\"\nmemory = 64\n");
    path(old, sizeof(old), "xen/g1.cfg");
    CU_ASSERT_EQUAL(chmod(old, 0600), 0);
    put_link("xen/auto/g1.cfg", "/srv/old/g1.cfg");
    mk(&c.p, "g1.cfg", G1, "g1.cfg", NULL);
    CU_ASSERT_EQUAL(txn_begin(&c), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(c.detail, "replaces what is there now"));
    CU_ASSERT_EQUAL(xlmig_autostart_stage(&c.t), 0);
    CU_ASSERT_EQUAL(xlmig_autostart_commit(&c.t), 0);
    CU_ASSERT_STRING_EQUAL(text_of("xen/g1.cfg"), G1);
    /* Not relative at the source: absolute here, to our config. */
    CU_ASSERT_PTR_NOT_NULL(strstr(link_of("xen/auto/g1.cfg"),
                                  "/xen/g1.cfg"));
    CU_ASSERT_EQUAL(link_of("xen/auto/g1.cfg")[0], '/');
    xlmig_autostart_rollback(&c.t);
    CU_ASSERT_STRING_EQUAL(text_of("xen/g1.cfg"),
                           "name = \"g1\"\nmemory = 64\n");
    CU_ASSERT_EQUAL(stat(old, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
    CU_ASSERT_STRING_EQUAL(link_of("xen/auto/g1.cfg"), "/srv/old/g1.cfg");
    assert_none_staged();
    txn_end(&c);
}

/* Already the same: nothing staged, nothing touched. */
static void test_txn_same_is_noop(void)
{
    txn_case c;

    fresh(true);
    put_file("xen/g1.cfg", G1);
    put_link("xen/auto/g1.cfg", "../g1.cfg");
    CU_ASSERT_EQUAL(txn_begin_relative(&c), 0);
    CU_ASSERT_PTR_NULL(strstr(c.detail, "replaces"));
    CU_ASSERT_EQUAL(xlmig_autostart_stage(&c.t), 0);
    assert_none_staged();
    CU_ASSERT_EQUAL(xlmig_autostart_commit(&c.t), 0);
    xlmig_autostart_rollback(&c.t);
    CU_ASSERT_STRING_EQUAL(text_of("xen/g1.cfg"), G1);
    CU_ASSERT_STRING_EQUAL(link_of("xen/auto/g1.cfg"), "../g1.cfg");
    txn_end(&c);
}

/* A directory where the config should go: refused at the check. */
static void test_txn_refuses_directory(void)
{
    txn_case c;
    char d[512];

    fresh(true);
    path(d, sizeof(d), "xen/g1.cfg");
    CU_ASSERT_EQUAL(mkdir(d, 0755), 0);
    mk(&c.p, "g1.cfg", G1, NULL, NULL);
    CU_ASSERT_EQUAL(txn_begin(&c), XLMIG_E_CHECK);
    CU_ASSERT_PTR_NOT_NULL(strstr(c.detail, "is a directory"));
    txn_end(&c);
    xlmig_err_clear();
}

/* The second rename fails: the first is undone, the old file back. */
static void test_txn_commit_half_way(void)
{
    txn_case c;

    fresh(true);
    put_file("xen/g1.cfg", "name = \"g1\"\nmemory = 64\n");
    mk(&c.p, "g1.cfg", G1, "g1.cfg", NULL);
    CU_ASSERT_EQUAL(txn_begin(&c), 0);
    CU_ASSERT_EQUAL(xlmig_autostart_stage(&c.t), 0);
    /* Someone puts a non-empty directory where the link goes. */
    {
        char d[512];

        path(d, sizeof(d), "xen/auto/g1.cfg");
        CU_ASSERT_EQUAL(mkdir(d, 0755), 0);
        put_file("xen/auto/g1.cfg/x", "x");
    }
    CU_ASSERT_NOT_EQUAL(xlmig_autostart_commit(&c.t), 0);
    CU_ASSERT_STRING_EQUAL(text_of("xen/g1.cfg"),
                           "name = \"g1\"\nmemory = 64\n");
    assert_none_staged();
    txn_end(&c);
    xlmig_err_clear();
}

/* The source drops its entry only if it is still what was sent. */
static void test_release(void)
{
    xlmig_placement p;

    fresh(true);
    put_file("xen/g1.cfg", G1);
    put_link("xen/auto/g1.cfg", "../g1.cfg");
    find_g1(&p);
    CU_ASSERT_EQUAL(xlmig_autostart_release(&dirs, &p), 0);
    CU_ASSERT_FALSE(exists("xen/auto/g1.cfg"));
    CU_ASSERT_TRUE(exists("xen/g1.cfg"));
    /* Gone already: fine. */
    CU_ASSERT_EQUAL(xlmig_autostart_release(&dirs, &p), 0);
    /* Re-pointed meanwhile: kept. */
    put_file("xen/g1-new.cfg", G1);
    put_link("xen/auto/g1.cfg", "../g1-new.cfg");
    CU_ASSERT_EQUAL(xlmig_autostart_release(&dirs, &p), XLMIG_E_CHECK);
    CU_ASSERT_TRUE(exists("xen/auto/g1.cfg"));
    xlmig_placement_dispose(&p);
    /* A copy edited meanwhile: kept; unedited: removed. */
    fresh(true);
    put_file("xen/auto/g1", G1);
    CU_ASSERT_EQUAL(xlmig_placement_find(&dirs, "g1", &p), 0);
    put_file("xen/auto/g1", G1 "vcpus = 2\n");
    CU_ASSERT_EQUAL(xlmig_autostart_release(&dirs, &p), XLMIG_E_CHECK);
    CU_ASSERT_TRUE(exists("xen/auto/g1"));
    put_file("xen/auto/g1", G1);
    CU_ASSERT_EQUAL(xlmig_autostart_release(&dirs, &p), 0);
    CU_ASSERT_FALSE(exists("xen/auto/g1"));
    xlmig_placement_dispose(&p);
    xlmig_err_clear();
}

static void test_confirmed(void)
{
    const char *why;
    xlmig_msg d;

    xlmig_msg_init(&d, XLMIG_MSG_DONE);
    CU_ASSERT_FALSE(xlmig_autostart_confirmed(&d, &why));
    xlmig_msg_add_check(&d, "other", true, "");
    xlmig_msg_add_check(&d, XLMIG_AUTOSTART_CHECK, false, "disk full");
    CU_ASSERT_FALSE(xlmig_autostart_confirmed(&d, &why));
    CU_ASSERT_STRING_EQUAL(why, "disk full");
    xlmig_msg_dispose(&d);
    xlmig_msg_init(&d, XLMIG_MSG_DONE);
    xlmig_msg_add_check(&d, XLMIG_AUTOSTART_CHECK, true, "written");
    CU_ASSERT_TRUE(xlmig_autostart_confirmed(&d, &why));
    xlmig_msg_dispose(&d);
}

static CU_TestInfo tests[] = {
    { "find: config and relative link", test_find_cfg_and_relative_link },
    { "find: absolute link, other name",
      test_find_absolute_link_to_other_name },
    { "find: a copy, strangers ignored", test_find_copy_and_strangers },
    { "find: a link elsewhere is a copy", test_find_link_elsewhere_is_copy },
    { "validate names and texts", test_validate },
    { "through the wire and back", test_msg_round_trip },
    { "stage then commit", test_txn_stage_commit },
    { "rollback before the commit", test_txn_rollback_before_commit },
    { "rollback after the commit", test_txn_rollback_after_commit },
    { "already the same: no-op", test_txn_same_is_noop },
    { "a directory in the way", test_txn_refuses_directory },
    { "commit fails half-way", test_txn_commit_half_way },
    { "source releases its entry", test_release },
    { "done confirms", test_confirmed },
    CU_TEST_INFO_NULL,
};
XLMIG_UNIT_SUITE("autostart", NULL, fini, tests);
