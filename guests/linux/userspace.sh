#!/bin/sh
# Assembles the Debian user space of the Linux tests: an initramfs made of Debian 12's own
# packages, with busybox-static's shell running guests/linux/userspace-init.sh as /init.
#
#   guests/linux/userspace.sh        -> guests/linux/build/userspace.cpio (newc, uncompressed)
#
# The .debs are downloaded once with `apt-get download` into guests/linux/build/debs/ (apt-get
# update runs first when apt's lists do not know a package); USERSPACE_DEBS=/dir uses .debs found
# there instead. Each is unpacked with `dpkg-deb -x` into guests/linux/build/userspace-root/, what
# a boot never reads (documentation, manual pages, locales, glibc's iconv modules, Python's own
# test suite and GUI modules) is removed, and guests/linux/build/mkinitramfs writes the tree,
# symbolic links included, with /dev/console added. Nothing here needs root.
#
# The kernel modules of the Xen I/O tests (xen-blkfront, xen-netfront, ext4 and what they need)
# come from the kernel's own .deb, the one guests/linux/fetch.sh downloaded into
# guests/linux/build/ (LINUX_DEB=/path/to/file.deb names another): xen-io-modules.sh puts them
# under /lib/modules/VERSION with their load order and /usr/sbin/load-xen-io, and the test modes
# of test-modes.sh become /usr/sbin/actorvisor-test.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD="$HERE/build"
DEBS=${USERSPACE_DEBS:-$BUILD/debs}
ROOT="$BUILD/userspace-root"
OUT="$BUILD/userspace.cpio"
MKINITRAMFS="$BUILD/mkinitramfs"

# What the image holds, and why:
#   busybox-static             /init's shell and the applets it uses (mount, poweroff, sha256sum)
#   libc6                      glibc and its dynamic loader /lib64/ld-linux-x86-64.so.2
#   bash, libtinfo6            bash, dynamically linked
#   coreutils and its libraries sort, sha256sum, dd, ... (libacl1, libattr1, libselinux1 with
#                              libpcre2-8-0, libgmp10)
#   gzip                       gzip -9
#   python3.11-minimal, libpython3.11-minimal
#                              the interpreter and the core of its library (hashlib, zlib built in)
#   libpython3.11-stdlib       json and its _json accelerator
#   zlib1g, libexpat1          what the interpreter links against
#   libssl3                    _hashlib (hashlib's OpenSSL back end)
PACKAGES="busybox-static libc6 bash libtinfo6 coreutils libacl1 libattr1 libselinux1 libpcre2-8-0 libgmp10 gzip
python3.11-minimal libpython3.11-minimal libpython3.11-stdlib zlib1g libexpat1 libssl3"

fail() {
    echo "userspace.sh: $*" >&2
    exit 1
}

[ -x "$MKINITRAMFS" ] || fail "$MKINITRAMFS is missing (make -C guests linux builds it)"
KERNEL_DEB=${LINUX_DEB:-$(ls "$BUILD"/linux-image-6.1.0-*-amd64_*.deb 2>/dev/null | sort -V | tail -n 1)}
[ -n "$KERNEL_DEB" ] && [ -f "$KERNEL_DEB" ] || fail "no linux-image-6.1.0-*-amd64 .deb in $BUILD (guests/linux/fetch.sh downloads it; LINUX_DEB names one)"
command -v dpkg-deb >/dev/null 2>&1 || fail "the 'dpkg-deb' tool is needed and not installed"
mkdir -p "$DEBS"

# Prints the packages of $PACKAGES that have no .deb in $DEBS yet.
missing() {
    for package in $PACKAGES; do
        ls "$DEBS/${package}"_*.deb >/dev/null 2>&1 || echo "$package"
    done
}

need=$(missing)
if [ -n "$need" ]; then
    [ -z "${USERSPACE_DEBS:-}" ] || fail "no .deb in $DEBS for: $need"
    command -v apt-get >/dev/null 2>&1 || fail "apt-get is not available: cannot download $need (set USERSPACE_DEBS to a folder of .debs)"
    # A fresh machine has no package lists yet: apt-get update once, then try again.
    if ! apt-cache show $need >/dev/null 2>&1; then
        echo "userspace.sh: apt does not know all of: $need; running apt-get update"
        apt-get update -qq || fail "apt-get update failed (set USERSPACE_DEBS to a folder of .debs)"
    fi
    echo "userspace.sh: downloading" $need
    # shellcheck disable=SC2086
    (cd "$DEBS" && apt-get download $need) \
        || fail "apt-get download failed for: $need (is the Debian archive reachable? set USERSPACE_DEBS to a folder of .debs)"
    still=$(missing)
    [ -z "$still" ] || fail "apt-get download left no .deb for: $still"
fi

# Rebuilt when the image is older than a .deb, the init script, this script or the writer.
if [ -s "$OUT" ]; then
    newer=$(find "$DEBS" "$KERNEL_DEB" "$HERE/userspace-init.sh" "$HERE/xen-io-modules.sh" "$HERE/load-xen-io.sh" \
        "$HERE/test-modes.sh" "$0" "$MKINITRAMFS" -newer "$OUT" -print 2>/dev/null | head -n 1)
    if [ -z "$newer" ]; then
        echo "userspace.sh: $OUT is up to date"
        exit 0
    fi
fi

rm -rf "$ROOT"
mkdir -p "$ROOT"
for package in $PACKAGES; do
    deb=$(ls "$DEBS/${package}"_*.deb | sort | tail -n 1)
    dpkg-deb -x "$deb" "$ROOT" || fail "cannot unpack $deb"
done

# What a boot never reads.
rm -rf "$ROOT/usr/share" "$ROOT/usr/lib/x86_64-linux-gnu/gconv" "$ROOT/etc/init.d" "$ROOT/etc/cron.daily"
PY="$ROOT/usr/lib/python3.11"
rm -rf "$PY/test" "$PY/idlelib" "$PY/lib2to3" "$PY/tkinter" "$PY/turtledemo" "$PY/ensurepip" "$PY/pydoc_data" \
    "$PY/unittest/test" "$PY/distutils/tests" "$PY/ctypes/test" "$PY/sqlite3/test" "$PY/config-3.11-x86_64-linux-gnu"
rm -f "$PY"/lib-dynload/_test*.so "$PY"/lib-dynload/_ctypes_test*.so "$PY"/lib-dynload/xxlimited*.so \
    "$PY"/lib-dynload/_xxtestfuzz*.so "$PY"/lib-dynload/_codecs_*.so
# Extension modules that need a library the image leaves out (libffi, libsqlite3, ncurses, ...)
# could never load: they go too (objdump comes with gcc's binutils; without it they stay).
if command -v objdump >/dev/null 2>&1; then
    for module in "$PY"/lib-dynload/*.so; do
        for library in $(objdump -p "$module" | awk '$1 == "NEEDED" { print $2 }'); do
            if [ ! -e "$ROOT/lib/x86_64-linux-gnu/$library" ] && [ ! -e "$ROOT/usr/lib/x86_64-linux-gnu/$library" ]; then
                rm -f "$module"
                break
            fi
        done
    done
fi

sh "$HERE/xen-io-modules.sh" "$KERNEL_DEB" "$ROOT" || fail "the Xen I/O modules could not be added"
cp "$HERE/test-modes.sh" "$ROOT/usr/sbin/actorvisor-test"
chmod 755 "$ROOT/usr/sbin/actorvisor-test"

mkdir -p "$ROOT/dev" "$ROOT/proc" "$ROOT/sys" "$ROOT/tmp" "$ROOT/test" "$ROOT/mnt"
ln -sf python3.11 "$ROOT/usr/bin/python3"
cp "$HERE/userspace-init.sh" "$ROOT/init"
chmod 755 "$ROOT/init"

"$MKINITRAMFS" -d "$ROOT" "$OUT.tmp" || { rm -f "$OUT.tmp"; fail "mkinitramfs could not write the archive"; }
mv "$OUT.tmp" "$OUT"
echo "userspace.sh: wrote $OUT ($(wc -c < "$OUT") bytes; the tree is $(du -sk "$ROOT" | cut -f1) KiB)"
