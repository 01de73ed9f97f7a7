#!/bin/busybox sh
# /init of the Debian user-space initramfs (guests/linux/userspace.sh), run by busybox-static's
# shell. Debian's busybox runs its own applets by name before searching PATH, so Debian's
# dynamically linked programs are called by their full paths (/usr/bin/sort, /bin/bash, ...).
#
# Applets that are not built into the shell run through /proc/self/exe, so until /proc is mounted
# (and for poweroff, whatever happened to it) they are called as /bin/busybox APPLET.
#
# It mounts proc, sysfs and devtmpfs, then runs the test mode the kernel command line names with
# actorvisor.test=MODE (/usr/sbin/actorvisor-test, guests/linux/test-modes.sh: modules, disk,
# net-a, net-b), or else /test/run.sh when the initramfs has one (a test appends a second archive
# holding /test: the kernel unpacks concatenated archives in turn), and powers off. Every line it prints starts with "actorvisor-userspace:"; a test script prints
# its own markers.
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
export PATH=/usr/bin:/bin:/usr/sbin:/sbin
export HOME=/ LC_ALL=C
echo "actorvisor-userspace: busybox sh is running as pid $$ on $(uname -sr)"
mode=
for word in $(cat /proc/cmdline); do
    case "$word" in
        actorvisor.test=*) mode=${word#actorvisor.test=} ;;
    esac
done
if [ -n "$mode" ]; then
    /bin/busybox sh /usr/sbin/actorvisor-test "$mode"
    echo "actorvisor-userspace: actorvisor-test $mode exited with $?"
elif [ -f /test/run.sh ]; then
    cd /test
    /bin/busybox sh /test/run.sh
    echo "actorvisor-userspace: /test/run.sh exited with $?"
else
    echo "actorvisor-userspace: no /test/run.sh in the initramfs"
fi
echo "actorvisor-userspace: powering off"
/bin/busybox poweroff -f
