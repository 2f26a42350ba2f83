# Test bed: the test guests' network (sourced by tb.sh). Each guest has a
# vif on the bridge $TB_BRIDGE of its host, which also carries the link
# between the dom0s, and a static address on the link's network. While a
# guest moves, both dom0s ping it (dom0/tb-netprobe): the longest
# interval without an answer is the guest-visible network gap, printed
# beside the heartbeat gap; the destination's bridge says when it learnt
# the guest's MAC on the new vif, and its capture when the guest's
# gratuitous ARP arrived.

# tb_net_addr NAME: "IP MAC" a guest gets unless told otherwise: gN has
# .(100+N), other names .200-.249.
tb_net_addr() {
    local o
    case $1 in
        g[0-9]|g[0-9][0-9]) o=$((100 + ${1#g})) ;;
        *) o=$((200 + $(printf '%s' "$1" | cksum | cut -d' ' -f1) % 50)) ;;
    esac
    printf '%s.%d 00:16:3e:77:00:%02x\n' "$TB_LINK_NET" "$o" "$o"
}

# tb_net_of HOST NAME: "IP MAC" of NAME's vif from /etc/tb/NAME.cfg on
# HOST (its address is on the kernel command line: extra, or cmdline for
# HVM); empty if it has none.
tb_net_of() {
    tb_run "$1" "cat /etc/tb/$2.cfg" 2> /dev/null | awk '
        /^(extra|cmdline)/ && match($0, /tb_ip=[0-9.]+/) {
            ip = substr($0, RSTART + 6, RLENGTH - 6) }
        /^vif/ && match($0, /mac=[0-9a-f:]+/) {
            mac = substr($0, RSTART + 4, RLENGTH - 4) }
        END { if (ip != "" && mac != "") print ip, mac }'
}

# tb_net_probe_start HOST NAME: both dom0s start pinging NAME (which runs
# on HOST); asserts it answers from each. A guest without a vif is not
# probed (TB_NET_NAME stays empty).
tb_net_probe_start() {
    local h=$1 name=$2 ipmac x
    TB_NET_NAME=""
    ipmac=$(tb_net_of "$h" "$name")
    if [ -z "$ipmac" ]; then
        tb_log "$name has no vif: no network probe"
        return 0
    fi
    for x in $TB_HOSTS; do
        tb_ok "$x" "tb-netprobe start $name $ipmac"
    done
    for x in $TB_HOSTS; do
        tb_assert "$name answers on its vif from $x before the move" \
            tb_run -t 100 "$x" "tb-netprobe wait $name 3 90"
    done
    TB_NET_NAME=$name
}

# tb_net_probe_stop TOOL SRC DST: after NAME moved from SRC to DST (TB_GAP
# holds the heartbeat gap of the move): asserts the guest answers from
# both dom0s, stops the probe and reports the network gap from each beside
# the heartbeat gap, and when DST's bridge learnt the guest's MAC (its
# gratuitous ARP, and the forwarding entry on the vif) relative to the
# first heartbeat DST logged. SRC = DST: a migration that did not move
# the guest (no MAC learning to report). Sets TB_NET_GAP (the larger of
# the two).
tb_net_probe_stop() {
    local tool=$1 src=$2 dst=$3 name=$TB_NET_NAME x r gaps="" k v
    local replies gap gap_end last_age garp fdb fdb_dev hb_first kv
    TB_NET_GAP="-"
    [ -n "$name" ] || return 0
    for x in $TB_HOSTS; do
        tb_assert "$name answers on its vif from $x after the move" \
            tb_run -t 100 "$x" "tb-netprobe wait $name 3 90"
    done
    TB_NET_GAP=0
    for x in $TB_HOSTS; do
        tb_run "$x" "tb-netprobe stop $name" || true
        r=$(tb_run "$x" "tb-netprobe report $name") ||
            tb_fail "no network probe report of $name on $x"
        echo "net probe $name on $x: $r"
        replies=0 gap=- gap_end=- last_age=- garp=- fdb=- fdb_dev=- hb_first=-
        for kv in $r; do
            k=${kv%%=*} v=${kv#*=}
            case $k in
                replies|gap|gap_end|last_age|garp|fdb|fdb_dev|hb_first)
                    printf -v "$k" '%s' "$v" ;;
            esac
        done
        [ "$gap" != - ] || tb_fail "$name: fewer than two answers on $x"
        gaps+="${gaps:+, }from $x $gap s"
        TB_NET_GAP=$(awk -v a="$TB_NET_GAP" -v b="$gap" \
            'BEGIN { printf "%.3f", (b > a ? b : a) }')
        [ "$x" = "$dst" ] && [ "$src" != "$dst" ] || continue
        TB_NET_LEARN=$(awk -v hb="$hb_first" -v garp="$garp" -v fdb="$fdb" \
            -v dev="$fdb_dev" -v pe="$gap_end" -v d="$dst" 'function rel(t) {
                if (t == "-" || hb == "-") return "none"
                return sprintf("%+d ms", (t - hb) * 1000) }
            BEGIN { printf "on %s, from its first heartbeat there: " \
                "gratuitous ARP %s, bridge entry on %s %s, " \
                "local ping answered again %s", d, rel(garp), dev, rel(fdb),
                rel(pe) }')
    done
    tb_report "$tool $src->$dst net_gap_s" \
        "$TB_NET_GAP ($gaps; heartbeat gap ${TB_GAP:-?} s)"
    [ "$src" = "$dst" ] ||
        tb_report "$tool $src->$dst mac_learned" "$TB_NET_LEARN"
    TB_NET_NAME=""
}
