/* The catch-up before the suspend: see drain.h. */
#include "drain.h"

#include "error.h"
#include "wire.h"

int xlmig_drain_wait(xlmig_chan *ch, uint64_t token, int quit_rc,
                     bool *peer_quit)
{
    uint8_t p[XLMIG_DRAIN_LEN];
    xlmig_msg m;
    int rc;

    xlmig_put_le64(p, token);
    rc = xlmig_chan_send_rec(ch, XLMIG_REC_DRAIN, p, sizeof(p));
    if (rc)
        return rc;
    xlmig_msg_init(&m, XLMIG_MSG_NONE);
    rc = xlmig_chan_expect(ch, &m, XLMIG_MSG_PONG, quit_rc, peer_quit);
    if (!rc && m.value != token) {
        xlmig_err(XLMIG_E_PROTO, "%s answered drain %llu with pong %llu",
                  ch->peer, (unsigned long long)token,
                  (unsigned long long)m.value);
        rc = XLMIG_E_PROTO;
    }
    xlmig_msg_dispose(&m);
    return rc;
}

int xlmig_drain_answer(xlmig_chan *ch, const uint8_t *p, size_t len)
{
    xlmig_msg m;
    int rc;

    if (len != XLMIG_DRAIN_LEN) {
        xlmig_err(XLMIG_E_PROTO, "drain record of %zu bytes, not %u", len,
                  XLMIG_DRAIN_LEN);
        return XLMIG_E_PROTO;
    }
    xlmig_msg_init(&m, XLMIG_MSG_PONG);
    m.value = xlmig_get_le64(p);
    rc = xlmig_chan_send_msg(ch, &m);
    xlmig_msg_dispose(&m);
    return rc;
}
