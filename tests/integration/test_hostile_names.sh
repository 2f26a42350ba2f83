# Hostile names. Host arguments that a shell would run (through
# xl-migrate-drbd, recover, xe-vm-migrate and -s) run nothing and get a
# one-line refusal; a peer that sends a host or domain name with a
# newline, a leading '-' or an escape sequence, or speaks another
# protocol, is refused with a clear error, on either side, and no raw
# escape sequence reaches the terminal.
. "$(dirname "$0")/lib.sh"
set -e
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../..
P=$WORK/pwned
mkdir -p "$WORK/h" "$WORK/j"

# refused NAME WANT -- cmd...: exit 1 (or $RCW: 2 for what the command
# line's parser refuses, a usage error), one error line naming WANT,
# and the file the hostile argument would create does not exist.
refused() {
    local name=$1 want=$2
    shift 3
    rm -f "$P"
    set +e
    "$@" >"$WORK/out" 2>"$WORK/err" </dev/null
    RC=$?
    set -e
    echo "$name: exit $RC: $(head -c 300 "$WORK/err")"
    [ ! -e "$P" ] || fail "$name: the hostile argument ran ($P exists)"
    assert_rc "${RCW:-1}"
    assert_one_line_error "$WORK/err" "$want"
}
# No raw ESC byte in what the operator sees.
no_escape() {
    ! LC_ALL=C grep -q $'\033' "$WORK/out" "$WORK/err" ||
        fail "$1: an escape sequence reached the terminal"
}

echo "1. host arguments a shell would run: nothing runs, one line"
RCW=2 refused "migrate, \$(...)" 'host "x$(touch' -- \
    "$T" --sim --sim-mem 16 g1 "x\$(touch $P)"
# Options come anywhere: without "--" it is an option, and unknown.
RCW=2 refused "migrate, ProxyCommand as an option" 'unknown option -o' -- \
    "$T" --sim --sim-mem 16 g1 "-oProxyCommand=touch\\ $P"
RCW=2 refused "migrate, ProxyCommand" 'host "-oProxyCommand' -- \
    "$T" --sim --sim-mem 16 -- g1 "-oProxyCommand=touch\\ $P"
RCW=2 refused "migrate, user@ then an option" 'host "root@-o' -- \
    "$T" --sim --sim-mem 16 g1 "root@-oProxyCommand=touch\\ $P"
refused "migrate, -s with a ;" "-s: ';' is shell syntax" -- \
    "$T" --sim --sim-mem 16 -s "ssh; touch $P" g1 xen2
RCW=2 refused "recover, \$(...)" 'peer "x$(touch' -- \
    "$T" recover --sim --sim-host-dir "$WORK/h" g1 "x\$(touch $P)"
RCW=2 refused "recover, ProxyCommand" 'peer "-oProxyCommand' -- \
    "$T" recover --sim --sim-host-dir "$WORK/h" -- g1 \
    "-oProxyCommand=touch\\ $P"
RCW=2 refused "xe-vm-migrate, \$(...)" 'host= "x$(touch' -- \
    env XLMIG_TOOL="$T" "$top/tools/xe-vm-migrate" --sim --sim-mem 16 \
    vm=g1 "host=x\$(touch $P)"
RCW=2 refused "xe-vm-migrate, ProxyCommand" 'host= "-oProxyCommand' -- \
    env XLMIG_TOOL="$T" "$top/tools/xe-vm-migrate" --sim --sim-mem 16 \
    vm=g1 "host=-oProxyCommand=touch\\ $P"
RCW=2 refused "evacuate --to" 'evacuate: --to "x$(touch' -- \
    "$T" evacuate --dry-run --to "x\$(touch $P)"
RCW=2 refused "an escape sequence in a host" 'host "xen\\x1b\[2J' -- \
    "$T" --sim --sim-mem 16 g1 $'xen\033[2J'
no_escape "host argument"

# A fake destination: the magic and a hello, then silence.
hello() { # hello FILE HOST PROTO
    printf '{"type":"hello","proto":%s,"host":"%s",%s' "$3" "$2" \
        '"backend":"sim","ok":false}' >"$1"
}
echo "2. a destination that sends a hostile hello: refused, told why"
hello "$WORK/j/esc" '\u001b[2J\u001b[31mxen2' 1
refused "hello, host with escapes" '"host" "\\x1b\[2J' -- \
    "$T" --sim --sim-mem 16 --io-timeout 3 -s "" g1 \
    "perl $here/fake_peer.pl $WORK/j/esc"
no_escape "hello host"
hello "$WORK/j/nl" 'xen2\nxl-migrate-drbd: forged line' 1
refused "hello, host with a newline" '"host" "xen2\\x0axl-migrate' -- \
    "$T" --sim --sim-mem 16 --io-timeout 3 -s "" g1 \
    "perl $here/fake_peer.pl $WORK/j/nl"
hello "$WORK/j/dash" '-oProxyCommand=x' 1
refused "hello, host with a leading -" '"host" "-oProxyCommand=x"' -- \
    "$T" --sim --sim-mem 16 --io-timeout 3 -s "" g1 \
    "perl $here/fake_peer.pl $WORK/j/dash"
hello "$WORK/j/proto" xen2 2
refused "hello, another protocol" "speaks xlmig protocol 2, we speak 1" -- \
    "$T" --sim --sim-mem 16 --io-timeout 3 -s "" g1 \
    "perl $here/fake_peer.pl $WORK/j/proto"

# A fake source: the magic and a migrate request, fed to a receiver.
request() { # request FILE NAME PROTO
    printf '{"type":"migrate","proto":%s,"host":"xen1","backend":"sim",%s' \
        "$3" '"uuid":"4b0d3c6e-3a7c-4b8e-9d7c-0f3e2a1b5c6d",' >"$1"
    printf '"name":"%s","mem_bytes":4194304,"page_size":4096,"value":3,' \
        "$2" >>"$1"
    printf '"ok":false}' >>"$1"
}
# receiver NAME WANT FILE: the receiver refuses the request in FILE
# with one line naming WANT, tells the source why, keeps nothing.
receiver() {
    perl "$here/fake_peer.pl" --no-drain "$3" >"$WORK/stream"
    rm -rf "$WORK/h"/*
    set +e
    "$T" --receive --sim --io-timeout 3 --sim-host-dir "$WORK/h" \
        <"$WORK/stream" >"$WORK/reply" 2>"$WORK/err"
    RC=$?
    set -e
    echo "$1: exit $RC: $(head -c 300 "$WORK/err")"
    assert_rc 1
    [ "$(wc -l <"$WORK/err")" = 1 ] ||
        { cat "$WORK/err"; fail "$1: not one line"; }
    assert_grep "$2" "$WORK/err"
    grep -aq '"type":"error"' "$WORK/reply" ||
        fail "$1: the source was not told"
    [ -z "$(ls -A "$WORK/h")" ] || fail "$1: left $(ls "$WORK/h")"
    : >"$WORK/out"
    no_escape "$1"
}
echo "3. a source that sends a hostile request: refused, told why"
request "$WORK/j/r-nl" 'g1\nexpires=99999999999' 1
receiver "request, name with a newline" '"name" "g1\\x0aexpires=' "$WORK/j/r-nl"
request "$WORK/j/r-dash" '-g1' 1
receiver "request, name with a leading -" '"name" "-g1" is not a domain name' \
    "$WORK/j/r-dash"
request "$WORK/j/r-esc" 'g1\u001b]0;owned\u0007' 1
receiver "request, name with an escape" '"name" "g1\\x1b\]0;owned\\x07"' \
    "$WORK/j/r-esc"
request "$WORK/j/r-proto" g1 7
receiver "request, another protocol" "source speaks xlmig protocol 7" \
    "$WORK/j/r-proto"

echo "4. recover: a peer whose inspection names a hostile host"
view='{"host":"\u001b[2Jxen2","domain":"g1","copies":{"g1":"running",'
view=$view'"g1--incoming":"none","g1--migratedaway":"none"},"drbd":"none",'
view=$view'"window":false,"tokens":0,"uuid":"","resources":""}'
printf '#!/bin/sh\nprintf "%%s\\n" %s\n' "'$view'" \
    >"$WORK/inspect.sh"
set +e
"$T" recover --sim --sim-host-dir "$WORK/h" -s "" g1 "sh $WORK/inspect.sh" \
    >"$WORK/out" 2>"$WORK/err"
RC=$?
set -e
echo "recover: exit $RC: $(head -c 300 "$WORK/err")"
no_escape "recover"
assert_grep 'host "\\x1b\[2Jxen2" is not a host name' "$WORK/err"
[ "$RC" != 0 ] || fail "recover trusted the peer's inspection"

echo "hostile names: all refused"
