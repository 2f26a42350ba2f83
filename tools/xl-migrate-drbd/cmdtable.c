/*
 * Every subcommand, in one table (as xl's xl_cmdtable.c): its name, its
 * function, a one-line summary and its synopsis. `help` prints this
 * list; `help <name>` runs `<name> --help`, so the two never differ. A
 * new subcommand is one line here and one declaration in cli.h.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

const cli_cmd cli_cmdtable[] = {
    { "migrate", main_migrate,
      "live-migrate a guest to its DRBD peer (also the bare form)",
      "[options] <domain> <host>" },
    { "evacuate", cmd_evacuate,
      "move every guest off this host to its DRBD peer",
      "[--dry-run [--blocked]] [--cron] [options]" },
    { "return", cmd_return,
      "bring back the guests the evacuations moved away",
      "[--dry-run] [--parallel <n>] [--json]" },
    { "status", cmd_status,
      "this host's guests, free memory, maintenance, journals",
      "[--json]" },
    { "history", cmd_history,
      "the migrations started on this host, newest last",
      "[--json] [-n <count>] [<domain>]" },
    { "maintenance", cmd_maintenance,
      "on|off|status: this host's maintenance flag",
      "on|off|status" },
    { "recover", cmd_recover,
      "settle a broken migration: one running guest",
      "[options] <domain> <peer>" },
    { "cleanup", cmd_cleanup,
      "remove what local-disk moves left here (kept source LVs, ...)",
      "[--dry-run]" },
    { "inspect", cmd_inspect,
      "this host's copies of a guest (recover's peer side)",
      "[options] <domain> [--do <action>]..." },
    { "monitor", cmd_monitor,
      "watch a guest and act on its shutdowns, as xl's monitor does",
      "[-F] [--if-unmonitored] [options] <domain>" },
    { "xe", cmd_xe,
      "front end of the xe-style scripts",
      "<verb> [options] key=value..." },
    { "help", main_help,
      "this list, or one subcommand's help (help sim: test options)",
      "[<subcommand>|sim]" },
};
const unsigned cli_ncmds = sizeof(cli_cmdtable) / sizeof(cli_cmdtable[0]);

const cli_cmd *cli_cmd_find(const char *name)
{
    unsigned i;

    for (i = 0; i < cli_ncmds; i++)
        if (!strcmp(name, cli_cmdtable[i].name))
            return &cli_cmdtable[i];
    return NULL;
}

/* Edits (insert, delete, change, swap two neighbours) from a to b. */
static unsigned distance(const char *a, const char *b)
{
    enum { MAX = 32 };
    unsigned d[MAX + 1][MAX + 1], i, j, n = strlen(a), m = strlen(b);

    if (n > MAX || m > MAX)
        return MAX;
    for (i = 0; i <= n; i++)
        d[i][0] = i;
    for (j = 0; j <= m; j++)
        d[0][j] = j;
    for (i = 1; i <= n; i++) {
        for (j = 1; j <= m; j++) {
            unsigned v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[n][m];
}

/*
 * A typo: one edit from a name of 3 to 5 letters, two from a longer
 * one, or the start (3 letters or more) of exactly one name. Two-letter
 * names (xe) are never guessed: too many short words are one edit away.
 */
const cli_cmd *cli_cmd_nearest(const char *word)
{
    const cli_cmd *best = NULL, *prefix = NULL;
    unsigned i, nprefix = 0, bestd = 3;
    size_t wl = strlen(word);

    for (i = 0; i < cli_ncmds; i++) {
        const char *name = cli_cmdtable[i].name;
        size_t nl = strlen(name);
        unsigned d;

        if (nl < 3)
            continue;
        if (wl >= 3 && wl < nl && !strncmp(word, name, wl)) {
            prefix = &cli_cmdtable[i];
            nprefix++;
        }
        d = distance(word, name);
        if (d && d <= (nl >= 6 ? 2u : 1u) && d < bestd) {
            best = &cli_cmdtable[i];
            bestd = d;
        }
    }
    if (best)
        return best;
    return nprefix == 1 ? prefix : NULL;
}

int cli_cmd_unknown(const char *word, const char *hint)
{
    const cli_cmd *c = cli_cmd_nearest(word);

    if (c)
        cli_error("unknown subcommand '%s' (did you mean '%s'?)%s", word,
                  c->name, hint ? hint : "");
    else
        cli_error("unknown subcommand '%s' (see " PROG " help)%s", word,
                  hint ? hint : "");
    return CLI_EXIT_USAGE;
}

void cli_cmd_list(FILE *out)
{
    unsigned i;

    fprintf(out, "Subcommands (" PROG " help <subcommand>):\n");
    for (i = 0; i < cli_ncmds; i++)
        fprintf(out, "  %-14s %s\n", cli_cmdtable[i].name,
                cli_cmdtable[i].summary);
}
