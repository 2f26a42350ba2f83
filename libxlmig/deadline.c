#include "deadline.h"

#include "defaults.h"
#include "error.h"

void xlmig_deadline_params_init(xlmig_deadline_params *p)
{
    p->min_ns = XLMIG_MS(XLMIG_DEADLINE_MIN_DEFAULT_MS);
    p->max_ns = XLMIG_MS(XLMIG_DEADLINE_MAX_DEFAULT_MS);
}

uint64_t xlmig_deadline_ns(const xlmig_deadline_params *p,
                           uint64_t planned_ns, uint64_t target_ns)
{
    uint64_t base, d;

    base = planned_ns && planned_ns != UINT64_MAX ? planned_ns : target_ns;
    if (base < target_ns)
        base = target_ns;
    /* Saturate rather than wrap: a huge plan meets the cap. */
    if (base > UINT64_MAX / XLMIG_DEADLINE_FACTOR)
        d = UINT64_MAX;
    else
        d = base * XLMIG_DEADLINE_FACTOR;
    if (d < p->min_ns)
        d = p->min_ns;
    if (d > p->max_ns)
        d = p->max_ns;
    return d;
}
