/* What a source backend says about its guest: see backend.h. */
#include <stdlib.h>
#include <string.h>

#include "backend.h"

void xlmig_domain_info_init(xlmig_domain_info *di)
{
    memset(di, 0, sizeof(*di));
}

void xlmig_domain_info_dispose(xlmig_domain_info *di)
{
    free(di->name);
    free(di->uuid);
    free(di->config);
    memset(di, 0, sizeof(*di));
}
