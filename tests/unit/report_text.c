#include "report_text.h"

#include <stdio.h>

char *unit_report_text(const xlmig_report *r, bool json)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (!f)
        return NULL;
    if (json)
        xlmig_report_print_json(r, NULL, f);
    else
        xlmig_report_print(r, f);
    fclose(f);
    return buf;
}
