# Test stand-in for Xen's /etc/xen/scripts/block-common.sh (and the
# xen-hotplug-common.sh it sources): the same helper names and effects,
# on top of the xenstore-read/xenstore-write found on PATH.
command=$1
if [ "$command" != add ] && [ "$command" != remove ]; then
    echo "Invalid command: $command" >&2
    exit 1
fi
XENBUS_PATH=${XENBUS_PATH:?}

log() { local l=$1; shift; echo "log $l: $*" >&2; }
xenstore_read() {
    local v
    v=$(xenstore-read "$@") || fatal "xenstore-read $* failed."
    echo "$v"
}
xenstore_read_default() { xenstore-read "$1" 2>/dev/null || echo "$2"; }
xenstore_write() { xenstore-write "$@" || fatal "xenstore-write $* failed."; }
success() { xenstore_write "$XENBUS_PATH/hotplug-status" connected; }
fatal() {
    xenstore-write "$XENBUS_PATH/hotplug-error" "$*" \
                   "$XENBUS_PATH/hotplug-status" error
    log err "$@"
    exit 1
}
# Real devices cannot exist here: /dev/drbdN maps to major 0x93 (147).
write_dev() {
    local mm minor=${1#/dev/drbd}
    mm=$(printf '93:%x' "$minor")
    xenstore_write "$XENBUS_PATH/physical-device" "$mm"
    xenstore_write "$XENBUS_PATH/physical-device-path" "$1"
    success
}
