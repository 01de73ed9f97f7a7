#!/bin/busybox sh
# /usr/sbin/actorvisor-test: the test modes of the Debian user-space initramfs, chosen on the
# kernel command line with actorvisor.test=MODE (userspace-init.sh runs this script with MODE).
# Parameters come from the command line as actorvisor.NAME=VALUE (the kernel keeps dotted
# parameters out of init's environment; they are read from /proc/cmdline here).
#
#   modules   insmod xen-blkfront, xen-netfront and ext4 (with their dependencies), print lsmod,
#             check that the vbd and vif xenbus drivers and the ext4 file system are registered
#   disk      load xen-blkfront and ext4, wait for the disk (actorvisor.disk, default /dev/xvda;
#             actorvisor.wait seconds, default 30), mount it as ext4, check its files against
#             MANIFEST.sha256 at its root, write the files of guest/ (see write_guest_files) and
#             guest/MANIFEST.sha256, sync, drop the page cache, check guest/ again, unmount
#   loop      the disk mode on a loop device instead of xen-blkfront: load loop and ext4, attach
#             the image file actorvisor.image (default /test/disk.img, which a test appends to the
#             initramfs) to /dev/loop0, and run the same checks there (no back-end needed)
#   disk-bench  load xen-blkfront, then time raw block I/O on actorvisor.disk (default /dev/xvda,
#             overwritten): 16 MiB written with dd bs=64k (then fsync), read back with bs=64k
#             after dropping the page cache, and 4 MiB each written and read with bs=4k and
#             O_DIRECT (one 4 KiB request at a time); each step prints "actorvisor-bench: begin
#             NAME" and "actorvisor-bench: end NAME BYTES" so the host can time it
#   net-a     load xen-netfront, bring eth0 up as actorvisor.ip (e.g. 10.0.0.1/24), ping
#             actorvisor.peer, then receive one file over TCP port actorvisor.port (default 5001)
#             with busybox nc and print its SHA-256 and length ("actorvisor-bench: end tcp BYTES"
#             right after nc returns)
#   net-b     the same up to the ping, then send a file of actorvisor.count lines (default 100000;
#             the output of `seq 1 COUNT`) to the peer's port and print its SHA-256 and length
#             ("actorvisor-bench: begin tcp" right before nc starts)
#
# Every line starts with "actorvisor-test:", "actorvisor-disk:", "actorvisor-net:" or
# "actorvisor-modules:"; the last line of a mode is "actorvisor-test: result MODE PASS" or
# "actorvisor-test: result MODE FAIL REASON". Waits are bounded (actorvisor.wait seconds).
MODE=$1

param() {
    for word in $(cat /proc/cmdline); do
        case "$word" in
            "actorvisor.$1="*) echo "${word#*=}"; return 0 ;;
        esac
    done
    echo "$2"
}

WAIT=$(param wait 30)

pass() {
    echo "actorvisor-test: result $MODE PASS"
    exit 0
}

fail() {
    echo "actorvisor-test: result $MODE FAIL $*"
    exit 1
}

# Whole seconds since boot (the guest's virtual time).
uptime_s() {
    cut -d . -f 1 /proc/uptime
}

# Retries the command "$@" every 0.1 s until it succeeds; 1 when it has not after $WAIT seconds.
wait_for() {
    deadline=$(($(uptime_s) + WAIT))
    while ! "$@"; do
        [ "$(uptime_s)" -ge "$deadline" ] && return 1
        usleep 100000
    done
    return 0
}

mode_modules() {
    load-xen-io xen-blkfront xen-netfront ext4 || fail "insmod"
    lsmod | while read -r line; do echo "actorvisor-test: lsmod $line"; done
    ok=1
    for driver in vbd vif; do
        if [ -d "/sys/bus/xen/drivers/$driver" ]; then
            echo "actorvisor-test: driver $driver registered"
        else
            echo "actorvisor-test: driver $driver MISSING"
            ok=0
        fi
    done
    if grep -qw ext4 /proc/filesystems; then
        echo "actorvisor-test: filesystem ext4 registered"
    else
        echo "actorvisor-test: filesystem ext4 MISSING"
        ok=0
    fi
    crc=$(awk '$1 == "name" { name = $3 } $1 == "driver" && name == "crc32c" { printf " %s", $3 }' /proc/crypto)
    echo "actorvisor-test: crc32c${crc:- MISSING}"
    [ -n "$crc" ] || ok=0
    [ "$ok" = 1 ] || fail "registration"
    pass
}

# The files the disk mode writes into guest/, of known content (the host computes the same):
#   seq.txt          seq 1 20000
#   small/N          "file N" and a newline, for N in 0..63
#   copy.bin         a copy of the disk's own host/random.bin when it has one (a read, then a write)
#   big.bin          host/random.bin sixteen times over (multi-megabyte writes)
write_guest_files() {
    mkdir -p /mnt/guest/small || return 1
    seq 1 20000 > /mnt/guest/seq.txt || return 1
    i=0
    while [ $i -lt 64 ]; do
        echo "file $i" > "/mnt/guest/small/$i" || return 1
        i=$((i + 1))
    done
    if [ -f /mnt/host/random.bin ]; then
        cp /mnt/host/random.bin /mnt/guest/copy.bin || return 1
        : > /mnt/guest/big.bin
        i=0
        while [ $i -lt 16 ]; do
            cat /mnt/host/random.bin >> /mnt/guest/big.bin || return 1
            i=$((i + 1))
        done
    fi
    (cd /mnt && find guest -type f ! -name MANIFEST.sha256 | sort | xargs sha256sum) > /tmp/guest.sha256 || return 1
    cp /tmp/guest.sha256 /mnt/guest/MANIFEST.sha256
}

mode_disk() {
    disk=$(param disk /dev/xvda)
    load-xen-io xen-blkfront ext4 || fail "insmod"
    wait_for test -b "$disk" || fail "no $disk after ${WAIT}s"
    check_disk "$disk"
}

mode_loop() {
    image=$(param image /test/disk.img)
    [ -f "$image" ] || fail "no $image"
    load-xen-io loop ext4 || fail "insmod"
    wait_for test -b /dev/loop0 || fail "no /dev/loop0 after ${WAIT}s"
    message=$(losetup /dev/loop0 "$image" 2>&1) || fail "losetup: $message"
    echo "actorvisor-disk: $image on /dev/loop0"
    check_disk /dev/loop0
}

# Mounts the ext4 disk $1 on /mnt, checks the host's files, writes guest/, syncs, rereads, unmounts.
check_disk() {
    disk=$1
    echo "actorvisor-disk: $disk present ($(cat "/sys/class/block/${disk##*/}/size" 2>/dev/null) sectors)"
    mkdir -p /mnt
    message=$(mount -t ext4 "$disk" /mnt 2>&1) || fail "mount: $message"
    echo "actorvisor-disk: mounted $disk on /mnt ($(awk -v d="$disk" '$1 == d { print $4 }' /proc/mounts))"
    if [ ! -f /mnt/MANIFEST.sha256 ]; then
        umount /mnt
        fail "no MANIFEST.sha256 on $disk"
    fi
    files=$(wc -l < /mnt/MANIFEST.sha256)
    if (cd /mnt && sha256sum -c MANIFEST.sha256) > /tmp/verify 2>&1; then
        echo "actorvisor-disk: verify host files ok $files"
    else
        sed 's/^/actorvisor-disk: verify /' /tmp/verify
        umount /mnt
        fail "host files differ"
    fi
    write_guest_files || { umount /mnt; fail "write"; }
    while read -r sum name; do
        echo "actorvisor-disk: wrote $name $sum $(wc -c < "/mnt/$name")"
    done < /mnt/guest/MANIFEST.sha256
    sync
    echo "actorvisor-disk: synced"
    echo 3 > /proc/sys/vm/drop_caches
    if (cd /mnt && sha256sum -c guest/MANIFEST.sha256) > /tmp/verify 2>&1; then
        echo "actorvisor-disk: reread guest files ok $(wc -l < /mnt/guest/MANIFEST.sha256)"
    else
        sed 's/^/actorvisor-disk: reread /' /tmp/verify
        umount /mnt
        fail "guest files differ after dropping the page cache"
    fi
    df -k /mnt | tail -n 1 | sed 's/^/actorvisor-disk: df /'
    message=$(umount /mnt 2>&1) || fail "umount: $message"
    echo "actorvisor-disk: unmounted"
    pass
}

mode_disk_bench() {
    disk=$(param disk /dev/xvda)
    load-xen-io xen-blkfront || fail "insmod"
    wait_for test -b "$disk" || fail "no $disk after ${WAIT}s"
    bench_step seq-write-64k 16777216 dd if=/dev/zero of="$disk" bs=65536 count=256 conv=fsync
    echo 3 > /proc/sys/vm/drop_caches
    bench_step seq-read-64k 16777216 dd if="$disk" of=/dev/null bs=65536 count=256
    bench_step direct-write-4k 4194304 dd if=/dev/zero of="$disk" bs=4096 count=1024 oflag=direct
    bench_step direct-read-4k 4194304 dd if="$disk" of=/dev/null bs=4096 count=1024 iflag=direct
    pass
}

# Runs "$@" between begin and end markers; $1 names the step, $2 is the bytes it moves.
bench_step() {
    name=$1
    bytes=$2
    shift 2
    echo "actorvisor-bench: begin $name"
    message=$("$@" 2>&1) || fail "$name: $message"
    echo "actorvisor-bench: end $name $bytes"
}

mode_net() {
    ip=$(param ip "")
    peer=$(param peer "")
    port=$(param port 5001)
    [ -n "$ip" ] && [ -n "$peer" ] || fail "actorvisor.ip and actorvisor.peer are needed"
    load-xen-io xen-netfront || fail "insmod"
    wait_for test -e /sys/class/net/eth0 || fail "no eth0 after ${WAIT}s"
    ip link set lo up
    ip addr add "$ip" dev eth0 || fail "ip addr add $ip"
    ip link set eth0 up || fail "ip link set eth0 up"
    echo "actorvisor-net: eth0 up $ip mac $(cat /sys/class/net/eth0/address)"
    # The peer may come up later: one ping a second until it answers.
    wait_for ping -c 1 -W 1 "$peer" > /dev/null 2>&1 || fail "no answer from $peer after ${WAIT}s"
    ping -c 3 "$peer" > /tmp/ping 2>&1 || { sed 's/^/actorvisor-net: /' /tmp/ping; fail "ping $peer"; }
    echo "actorvisor-net: ping $peer $(grep 'packets transmitted' /tmp/ping)"
    echo "actorvisor-net: ping $peer $(grep 'round-trip' /tmp/ping)"
    case "$MODE" in
        net-a)
            # nc's stdin must stay open (at EOF on stdin nc half-closes, and the sender then stops):
            # a FIFO opened for reading and writing never reaches EOF.
            mkfifo /tmp/hold
            exec 3<> /tmp/hold
            timeout "$WAIT" nc -l -p "$port" <&3 > /tmp/received || fail "nc -l -p $port"
            echo "actorvisor-bench: end tcp $(wc -c < /tmp/received)"
            exec 3<&-
            echo "actorvisor-net: received $(sha256sum < /tmp/received | cut -d ' ' -f 1) $(wc -c < /tmp/received)"
            ;;
        net-b)
            count=$(param count 100000)
            seq 1 "$count" > /tmp/sent
            echo "actorvisor-net: sending $(sha256sum < /tmp/sent | cut -d ' ' -f 1) $(wc -c < /tmp/sent)"
            echo "actorvisor-bench: begin tcp"
            wait_for nc -w 1 "$peer" "$port" < /tmp/sent || fail "nc $peer $port"
            echo "actorvisor-net: sent $(sha256sum < /tmp/sent | cut -d ' ' -f 1) $(wc -c < /tmp/sent)"
            ;;
    esac
    pass
}

echo "actorvisor-test: mode $MODE"
case "$MODE" in
    modules) mode_modules ;;
    disk) mode_disk ;;
    disk-bench) mode_disk_bench ;;
    loop) mode_loop ;;
    net-a | net-b) mode_net ;;
    *) fail "unknown mode (modules, disk, disk-bench, loop, net-a, net-b)" ;;
esac
