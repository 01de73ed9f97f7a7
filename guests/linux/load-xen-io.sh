#!/bin/busybox sh
# /usr/sbin/load-xen-io: loads the Xen I/O modules of the initramfs in the order
# guests/linux/xen-io-modules.sh computed from modules.dep at build time
# (/lib/modules/VERSION/xen-io.list, lines "TARGET PATH KIND").
#
#   load-xen-io [TARGET...]      TARGET: xen-blkfront, xen-netfront, ext4, loop (all of them by default)
#
# Each module is loaded with busybox insmod unless /sys/module already has it. A "required"
# module that fails to load is an error; a "softdep" one is an alias provider of which one is
# enough (crc32c-intel needs SSE4.2 and answers ENODEV without it, crc32c_generic serves then).
# Prints "actorvisor-modules: ..." lines through /dev/kmsg when it can (stdout otherwise), so the
# console shows each with the kernel's timestamp (virtual time): the figures of
# docs/perf/linux-modules.md come from them. Exits 0 when every required module of the targets
# is loaded.
LIST=/lib/modules/$(uname -r)/xen-io.list
if [ ! -f "$LIST" ]; then
    echo "actorvisor-modules: no $LIST in this initramfs"
    exit 1
fi

wanted() {
    [ $# -eq 0 ] && return 0
    for t in "$@"; do
        [ "$t" = "$target" ] && return 0
    done
    return 1
}

say() {
    if [ -w /dev/kmsg ]; then
        echo "$1" > /dev/kmsg
    else
        echo "$1"
    fi
}

say "actorvisor-modules: begin ${*:-all}"
loaded=0
failed=0
tolerated=0
while read -r target path kind; do
    wanted "$@" || continue
    name=$(basename "$path" .ko | tr - _)
    if [ -d "/sys/module/$name" ]; then
        say "actorvisor-modules: $name already loaded"
        continue
    fi
    if message=$(insmod "/lib/modules/$(uname -r)/$path" 2>&1); then
        loaded=$((loaded + 1))
        say "actorvisor-modules: insmod $name ok ($kind, for $target)"
    elif [ "$kind" = softdep ]; then
        tolerated=$((tolerated + 1))
        say "actorvisor-modules: insmod $name failed ($kind, for $target; tolerated): $message"
    else
        failed=$((failed + 1))
        say "actorvisor-modules: insmod $name FAILED ($kind, for $target): $message"
    fi
done < "$LIST"
say "actorvisor-modules: end loaded=$loaded failed=$failed tolerated=$tolerated"
[ "$failed" -eq 0 ]
