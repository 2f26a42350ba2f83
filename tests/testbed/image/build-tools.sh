#!/bin/bash
# Build the small, fast-changing pieces (cached separately from the base):
#   $TB_BUILD/tools/guest.cpio.gz  test guest initramfs: static busybox,
#                                  tbguest, xen-blkfront, xen-netfront,
#                                  /init and busybox init's inittab
#   $TB_BUILD/tools/tb-conslog     dom0 console-log follower (static)
# Needs the base images (busybox, module).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

out=$TB_BUILD/tools
for f in busybox xen-blkfront.ko xen-netfront.ko; do
    [ -e "$TB_IMG/$f" ] || tb_die "$TB_IMG/$f missing: build the base images first"
done
rm -rf "$out.tmp"
mkdir -p "$out.tmp/root/bin" "$out.tmp/root/lib" "$out.tmp/root/proc" \
         "$out.tmp/root/sys" "$out.tmp/root/dev" "$out.tmp/root/tmp" \
         "$out.tmp/root/etc"
G=$out.tmp/root
gcc -static -O2 -Wall -Wextra -o "$G/bin/tbguest" "$TB_DIR/guest/tbguest.c" ||
    tb_die "compiling guest/tbguest.c failed"
cp "$TB_IMG/busybox" "$G/bin/busybox"
cp "$TB_IMG/xen-blkfront.ko" "$TB_IMG/xen-netfront.ko" "$G/lib/"
# the kernel runs /sbin/poweroff on a poweroff request: one bin for all
ln -s bin "$G/sbin"
install -m 755 "$TB_DIR/guest/init" "$G/init"
install -m 644 "$TB_DIR/guest/inittab" "$G/etc/inittab"
install -m 755 "$TB_DIR/guest/tbguest-run" "$TB_DIR/guest/tbcmd" "$G/bin/"
(cd "$G" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out.tmp/guest.cpio.gz"
gcc -static -O2 -Wall -Wextra -o "$out.tmp/tb-conslog" "$TB_DIR/dom0/tb-conslog.c" ||
    tb_die "compiling dom0/tb-conslog.c failed"
rm -rf "$G" "$out"
mv "$out.tmp" "$out"
tb_log "guest initramfs and dom0 tools ready in $out"
