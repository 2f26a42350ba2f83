#include "fake_dst.h"

int fake_dst_expect(xlmig_chan *ch, xlmig_msg *m, xlmig_msg_type t)
{
    return xlmig_chan_recv_msg(ch, m) || m->type != t ? -1 : 0;
}

int fake_dst_begin(xlmig_chan *ch, xlmig_msg *m, bool one_flight,
                   bool drain, bool *chose)
{
    unsigned i, n;

    xlmig_msg_dispose(m);
    xlmig_msg_init(m, XLMIG_MSG_HELLO);
    xlmig_msg_set(&m->host, "peer");
    xlmig_msg_set(&m->backend, "sim");
    m->one_flight = one_flight;
    m->drain = drain;
    if (xlmig_chan_send_magic(ch) || xlmig_chan_send_msg(ch, m) ||
        xlmig_chan_expect_magic(ch) ||
        fake_dst_expect(ch, m, XLMIG_MSG_MIGRATE))
        return -1;
    *chose = m->one_flight;
    ch->page_size = (uint32_t)m->page_size;
    n = (unsigned)m->value;
    xlmig_msg_dispose(m);
    xlmig_msg_init(m, XLMIG_MSG_PREPARED);
    m->ok = true;
    if (xlmig_chan_send_msg(ch, m))
        return -1;
    for (i = 0; i < n; i++) {
        if (fake_dst_expect(ch, m, XLMIG_MSG_PING))
            return -1;
        m->type = XLMIG_MSG_PONG;
        if (xlmig_chan_send_msg(ch, m))
            return -1;
    }
    return 0;
}
