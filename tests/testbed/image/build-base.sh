#!/bin/bash
# Build the cached base images of the test bed from Debian packages only:
#   $TB_IMG/xen.elf          Xen 4.17 hypervisor (multiboot ELF for QEMU -kernel)
#   $TB_IMG/vmlinuz          Debian 6.1 kernel (dom0 and test guest)
#   $TB_IMG/dom0-base.cpio   the whole dom0 root filesystem as an initramfs
#   $TB_IMG/busybox          static busybox for the guest initramfs
#   $TB_IMG/ssh/             client key for the driver (also root's key in dom0)
#   $TB_IMG/xen-{blk,net}front.ko  guest block and network frontend modules
# Runs as root (debootstrap, chroot, mknod). No loop mounts.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

[ "$(id -u)" = 0 ] || tb_die "building the dom0 image needs root (debootstrap)"
LIST=$TB_DIR/image/packages.list
pkgs() { sed -n "s/^$1: *//p" "$LIST" | tr -d ' '; }

W=$TB_IMG.tmp
rm -rf "$W"
mkdir -p "$W/debs" "$W/x"

# --- host-side packages: hypervisor, kernel, static busybox ---------------
host_pkgs=""
for p in $(pkgs host); do
    if [ "$p" = linux-image-amd64 ]; then
        # the metapackage names the current ABI package
        p=$(apt-cache depends linux-image-amd64 2>/dev/null |
            awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
        if [ -z "$p" ]; then
            apt-get update -q > "$W/apt-update.log" 2>&1 ||
                tb_die "apt-get update failed"
            p=$(apt-cache depends linux-image-amd64 |
                awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
        fi
        [ -n "$p" ] || tb_die "cannot resolve linux-image-amd64 to a kernel package"
    fi
    host_pkgs="$host_pkgs $p"
done
tb_log "downloading$host_pkgs"
# shellcheck disable=SC2086
(cd "$W/debs" && apt-get download -q $host_pkgs > ../download.log 2>&1) || {
    apt-get update -q > "$W/apt-update.log" 2>&1 || tb_die "apt-get update failed"
    # shellcheck disable=SC2086
    (cd "$W/debs" && apt-get download -q $host_pkgs > ../download.log 2>&1) ||
        tb_die "apt-get download$host_pkgs failed (see $W/download.log)"
}
for d in "$W"/debs/*.deb; do dpkg-deb -x "$d" "$W/x"; done
KVER=$(ls "$W/x/lib/modules")
[ -n "$KVER" ] || tb_die "no kernel modules found in the kernel package"
zcat "$W"/x/boot/xen-4.17-amd64.gz > "$W/xen.elf" ||
    tb_die "unpacking xen-4.17-amd64.gz failed"
cp "$W/x/boot/vmlinuz-$KVER" "$W/vmlinuz"
cp "$W/x/bin/busybox" "$W/busybox"
# The guest's frontends: block (its DRBD disk) and network (its vif).
for m in xen-blkfront xen-netfront; do
    ko=$(find "$W/x/lib/modules/$KVER" -name "$m.ko*" | head -1)
    [ -n "$ko" ] || tb_die "$m module not in the kernel package"
    case $ko in
        *.xz) xz -dc "$ko" > "$W/$m.ko" ;;
        *) cp "$ko" "$W/$m.ko" ;;
    esac
done
echo "$KVER" > "$W/kernel-version"

# --- dom0 root filesystem -------------------------------------------------
MIRROR=${TB_MIRROR:-$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources \
    2>/dev/null | head -1)}
[ -n "$MIRROR" ] || MIRROR=$(awk '/^deb /{ print $2; exit }' /etc/apt/sources.list)
[ -n "$MIRROR" ] || tb_die "cannot find the Debian mirror in the host's apt sources"
R=$W/rootfs
inc=$(pkgs dom0 | paste -sd, -)
tb_log "debootstrap minbase bookworm ($inc)"
debootstrap --variant=minbase --include="$inc" bookworm "$R" "$MIRROR" \
    > "$W/debootstrap.log" 2>&1 ||
    tb_die "debootstrap failed (see $W/debootstrap.log)"

# Bring the chroot to the host's suites (bookworm-security) so that the
# xen-utils match the hypervisor package downloaded above.
tb_log "upgrading dom0 packages from the host's apt sources"
rm -f "$R/etc/apt/sources.list"
cp /etc/apt/sources.list.d/*.sources "$R/etc/apt/sources.list.d/" 2>/dev/null ||
    cp /etc/apt/sources.list "$R/etc/apt/sources.list"
printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"
chmod +x "$R/usr/sbin/policy-rc.d"
{
    chroot "$R" apt-get update -q &&
    DEBIAN_FRONTEND=noninteractive chroot "$R" apt-get -y -q \
        -o Dpkg::Options::=--force-confold upgrade
} > "$W/upgrade.log" 2>&1 || tb_die "apt-get upgrade in dom0 chroot failed (see $W/upgrade.log)"
chroot "$R" apt-get clean
rm -f "$R/usr/sbin/policy-rc.d"
hv=$(dpkg-deb -f "$W"/debs/xen-hypervisor-4.17-amd64_*.deb Version)
ut=$(chroot "$R" dpkg-query -W -f '${Version}' xen-utils-4.17)
[ "$hv" = "$ut" ] || tb_log "warning: hypervisor $hv but xen-utils $ut"

# Kernel modules: only what dom0 needs, with dependencies.
rm -rf "$R/lib/modules"
mkdir -p "$R/lib/modules"
cp -a "$W/x/lib/modules/$KVER" "$R/lib/modules/"
chroot "$R" depmod "$KVER"
keep=$W/modules.keep
: > "$keep"
for m in xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-blkback \
         xen-netback drbd loop virtio_pci virtio_blk virtio_net ext4 \
         dm-mod bridge tun; do
    chroot "$R" modprobe -S "$KVER" --show-depends "$m" 2>/dev/null |
        awk '$1 == "insmod" { print $2 }' >> "$keep" || true
done
grep -q '/drbd.ko' "$keep" || tb_die "drbd module not found in kernel $KVER"
(cd "$R" && find "lib/modules/$KVER/kernel" -name '*.ko*' | sed 's|^|/|' |
    { grep -vxFf "$keep" || true; } | sed 's|^/||' | xargs -r rm -f)
find "$R/lib/modules/$KVER" -type d -empty -delete
chroot "$R" depmod "$KVER"

# ssh: one key pair for root, used by the driver and between the dom0s.
mkdir -p "$W/ssh" "$R/root/.ssh"
ssh-keygen -q -t ed25519 -N '' -C tb-root -f "$W/ssh/id_ed25519"
cp "$W/ssh/id_ed25519" "$W/ssh/id_ed25519.pub" "$R/root/.ssh/"
cp "$W/ssh/id_ed25519.pub" "$R/root/.ssh/authorized_keys"
cat > "$R/root/.ssh/config" <<EOC
Host *
    StrictHostKeyChecking no
    UserKnownHostsFile /dev/null
    LogLevel ERROR
    ConnectTimeout 10
EOC
chmod 700 "$R/root/.ssh"; chmod 600 "$R/root/.ssh/"*
rm -f "$R"/etc/ssh/ssh_host_*
ssh-keygen -q -t ed25519 -N '' -C tb-host -f "$R/etc/ssh/ssh_host_ed25519_key"
cp "$R/etc/ssh/ssh_host_ed25519_key.pub" "$W/ssh/host_key.pub"
cat > "$R/etc/ssh/sshd_config.d/tb.conf" <<EOC
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PasswordAuthentication no
UseDNS no
MaxStartups 50:30:100
MaxSessions 50
EOC

# Guest kernel lives in dom0 too.
mkdir -p "$R/var/lib/tb"
cp "$W/vmlinuz" "$R/var/lib/tb/vmlinuz"

# Slim down.
rm -rf "$R"/usr/share/doc/* "$R"/usr/share/man/* "$R"/usr/share/locale/* \
       "$R"/var/cache/apt/*.bin "$R"/var/lib/apt/lists/* "$R"/var/cache/debconf/*-old

# Pack as an uncompressed initramfs (plus /dev/console, needed before devtmpfs).
tb_log "packing dom0 rootfs ($(du -sh "$R" | cut -f1))"
mkdir -p "$W/devskel/dev"
mknod -m 600 "$W/devskel/dev/console" c 5 1
(cd "$R" && find . -xdev \( -path ./proc/\* -o -path ./sys/\* -o -path ./dev/\* \) \
    -prune -o -print | cpio -o -H newc --quiet) > "$W/dom0-base.cpio"
(cd "$W/devskel" && find dev | cpio -o -H newc --quiet) >> "$W/dom0-base.cpio"
chroot "$R" dpkg-query -W -f '${Package} ${Version}\n' > "$W/dom0-packages.txt"

# Publish: keep the products, drop the work tree.
rm -rf "$R" "$W/x" "$W/devskel"
rm -rf "$TB_IMG.old"
[ ! -d "$TB_IMG" ] || mv "$TB_IMG" "$TB_IMG.old"
mv "$W" "$TB_IMG"
rm -rf "$TB_IMG.old"
tb_log "base images ready in $TB_IMG ($(du -sh "$TB_IMG" | cut -f1))"
