/* A downtime several times its prediction: see downtime_surprise.h. */
#include "downtime_surprise.h"

#include "error.h"

bool xlmig_downtime_surprise(uint64_t predicted_ns, uint64_t measured_ns)
{
    if (!predicted_ns || predicted_ns == UINT64_MAX)
        return false;
    return (double)measured_ns >= XLMIG_SURPRISE_FACTOR *
                                  (double)predicted_ns &&
           measured_ns - predicted_ns >= XLMIG_SURPRISE_MIN_NS;
}

void xlmig_downtime_surprise_check(xlmig_report *rep, const char *host)
{
    rep->over_prediction = xlmig_downtime_surprise(rep->predicted_ns,
                                                   rep->downtime_ns);
    if (!rep->over_prediction)
        return;
    XLMIG_WARN("downtime %.0f ms was %.1fx the %.0f ms predicted: the"
               " switchover to %s cost %.0f ms (learned for the next"
               " move there)", (double)rep->downtime_ns / 1e6,
               (double)rep->downtime_ns / (double)rep->predicted_ns,
               (double)rep->predicted_ns / 1e6, host,
               (double)rep->switchover_ns / 1e6);
}
