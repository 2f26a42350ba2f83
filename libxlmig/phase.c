#include "phase.h"

#include <string.h>

static const char *names[XLMIG_PHASE__COUNT] = {
    "precheck", "prepare", "precopy", "switchover", "commit", "rollback",
    "done",
};

const char *xlmig_phase_name(xlmig_phase ph)
{
    if ((unsigned)ph >= XLMIG_PHASE__COUNT)
        return "invalid";
    return names[ph];
}

const char *xlmig_side_name(xlmig_side side)
{
    return side == XLMIG_SIDE_SOURCE ? "source" : "dest";
}

int xlmig_phase_parse(const char *name)
{
    int i;

    for (i = 0; i < XLMIG_PHASE__COUNT; i++)
        if (!strcmp(name, names[i]))
            return i;
    return -1;
}
