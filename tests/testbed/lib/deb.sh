# The test bed installs xlmig as users get it: the Debian packages of
# this tree (`make deb TEST=1`: the test build, versioned +test), put
# into the dom0 overlay under /var/lib/tb/debs and installed with
# `dpkg -i` once both dom0s are up. Sourced by tb.sh.

TB_DEBS=/var/lib/tb/debs            # in dom0
# What the snapshot of a dom0's files leaves out: the test bed's own
# files, logs, and what other tools write as they run.
TB_SNAP_SKIP="/tmp /var/tmp /var/log /var/lib/tb /etc/tb /root /var/cache
    /var/lib/xen /var/lib/xenstored /var/lib/drbd"

# tb_deb_build OVERLAY: build the packages and copy them into the
# overlay. Fails (returns 1, log in $TB_RUN/make-deb.log) if they cannot
# be built or the packaged tool is not the test build.
tb_deb_build() {
    local O=$1 x deb
    make -C "$TB_REPO" deb TEST=1 > "$TB_RUN/make-deb.log" 2>&1 || return 1
    mkdir -p "$O$TB_DEBS"
    for deb in "$TB_REPO"/build/deb/xlmig_*+test_*.deb \
               "$TB_REPO"/build/deb/xlmig-xl-shim_*+test_all.deb; do
        [ -f "$deb" ] || { echo "no $deb" >> "$TB_RUN/make-deb.log"; return 1; }
        cp "$deb" "$O$TB_DEBS/"
    done
    # Fault scenarios need the test build; the production one would
    # ignore XLMIG_FAULT and migrate instead.
    x=$TB_RUN/deb-x
    rm -rf "$x"
    dpkg-deb -x "$O$TB_DEBS"/xlmig_*.deb "$x"
    "$x/usr/sbin/xl-migrate-drbd" --version | grep -q 'test build' || {
        echo "the packaged xl-migrate-drbd is not the test build" \
            >> "$TB_RUN/make-deb.log"
        return 1
    }
    rm -rf "$x"
}

# tb_deb_snapshot HOST FILE: write every file of HOST's dom0 root (type,
# mode, owner, path, link target; md5 of regular files under /etc,
# /usr/sbin and of dpkg's database) to FILE in dom0, less TB_SNAP_SKIP.
tb_deb_snapshot() {
    local skip="" p
    for p in $TB_SNAP_SKIP; do skip="$skip -path $p -prune -o"; done
    tb_run -t 300 "$1" "{ find / -xdev $skip \
            -path '/var/lib/dpkg/*-old' -prune -o \
            -printf '%y %m %u:%g %p -> %l\n'
        find /etc /usr/sbin /var/lib/dpkg/status /var/lib/dpkg/diversions \
            -xdev $skip -type f -exec md5sum {} +
        } | LC_ALL=C sort > $2"
}

# tb_deb_install HOST: dpkg -i the packages (the xl shim too unless
# TB_XL_SHIM=0), then the test bed's switchover deadlines, and the file
# list /etc/tb/xlmig-files (scenario 00 looks for it).
tb_deb_install() {
    local h=$1 pkgs="$TB_DEBS/xlmig_*.deb" names=xlmig
    if [ "${TB_XL_SHIM:-1}" = 1 ]; then
        pkgs="$pkgs $TB_DEBS/xlmig-xl-shim_*.deb"
        names="$names xlmig-xl-shim"
    fi
    # Emulated hosts take many seconds over a switchover that real
    # ones do in one: a real host's deadline would roll them back.
    tb_run -t 300 "$h" "dpkg -i $pkgs > /var/log/tb/dpkg-install.log 2>&1 &&
        printf '%s\n' 'switchover_deadline_min = 120000' \
            'switchover_deadline_max = 600000' >> /etc/xlmig/xlmig.conf &&
        dpkg -L $names > /etc/tb/xlmig-files" || {
        tb_run "$h" "cat /var/log/tb/dpkg-install.log" >&2 || true
        return 1
    }
}

# tb_deb_install_all: on both hosts, after a snapshot of each dom0
# without xlmig (/var/lib/tb/files-before-xlmig, which scenario 02
# compares with the dom0 after dpkg --purge).
tb_deb_install_all() {
    local h t0
    t0=$(tb_now)
    tb_run xen1 "ls $TB_DEBS/xlmig_*.deb" > /dev/null 2>&1 || {
        tb_log "no packages in dom0: xlmig not installed"
        return 0
    }
    for h in $TB_HOSTS; do
        tb_deb_snapshot "$h" /var/lib/tb/files-before-xlmig ||
            tb_die "$h: snapshot of the dom0's files failed"
        tb_deb_install "$h" || tb_die "$h: dpkg -i of the xlmig packages failed"
    done
    tb_log "xlmig packages installed with dpkg -i in both dom0s in $(tb_elapsed "$t0") s ($(tb_run xen1 'wc -l < /etc/tb/xlmig-files') files)"
}
