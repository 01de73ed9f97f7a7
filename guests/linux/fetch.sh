#!/bin/sh
# Fetches Debian's Xen-capable Linux kernel and unpacks its ELF image for ActorVisor.
#
#   guests/linux/fetch.sh            -> guests/linux/build/vmlinux-6.1.0-amd64 (the ELF kernel)
#                                       guests/linux/build/vmlinuz-6.1.0-amd64 (the bzImage as shipped)
#
# The .deb is downloaded with `apt-get download` into guests/linux/build/ unless a copy is
# there already (LINUX_DEB=/path/to/file.deb uses that file instead). The bzImage inside it
# carries the ELF kernel as an XZ stream; its place is read from the x86 boot setup header:
# setup_sects (byte at 0x1f1) gives the size of the real-mode part, payload_offset (0x248)
# and payload_length (0x24c) locate the stream inside the protected-mode part.
set -eu

# LINUX_PACKAGE names the package; by default the newest linux-image-6.1.0-N-amd64 the archive
# has (Debian drops old ABI numbers, so none is pinned).
PACKAGE=${LINUX_PACKAGE:-}
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD="$HERE/build"
OUT="$BUILD/vmlinux-6.1.0-amd64"
BZ_OUT="$BUILD/vmlinuz-6.1.0-amd64"

fail() {
    echo "fetch.sh: $*" >&2
    exit 1
}

if [ -s "$OUT" ] && [ -s "$BZ_OUT" ]; then
    echo "fetch.sh: $OUT and $BZ_OUT are present"
    exit 0
fi

for tool in dpkg-deb xz od dd; do
    command -v "$tool" >/dev/null 2>&1 || fail "the '$tool' tool is needed and not installed"
done

mkdir -p "$BUILD"
DEB=${LINUX_DEB:-}
if [ -z "$DEB" ]; then
    DEB=$(ls "$BUILD"/${PACKAGE:-linux-image-6.1.0-*-amd64}_*.deb 2>/dev/null | head -n 1 || true)
fi
# Prints the newest linux-image-6.1.0-N-amd64 in apt's lists (empty when there is none).
newest_kernel() {
    apt-cache pkgnames linux-image-6.1.0- 2>/dev/null | grep -E '^linux-image-6\.1\.0-[0-9]+-amd64$' \
        | sort -t- -k4,4n | tail -n 1
}
if [ -z "$DEB" ]; then
    command -v apt-get >/dev/null 2>&1 || fail "apt-get is not available: cannot download the kernel (set LINUX_DEB to a downloaded .deb)"
    if [ -z "$PACKAGE" ]; then
        PACKAGE=$(newest_kernel)
        if [ -z "$PACKAGE" ]; then
            # A fresh machine has no package lists yet.
            echo "fetch.sh: no linux-image-6.1.0-*-amd64 in apt's lists; running apt-get update"
            apt-get update -qq || fail "apt-get update failed (set LINUX_DEB to a downloaded .deb)"
            PACKAGE=$(newest_kernel)
        fi
        [ -n "$PACKAGE" ] || fail "apt knows no linux-image-6.1.0-*-amd64 package (set LINUX_PACKAGE or LINUX_DEB)"
    fi
    echo "fetch.sh: downloading $PACKAGE"
    (cd "$BUILD" && apt-get download "$PACKAGE") || fail "apt-get download $PACKAGE failed (is the Debian archive reachable? set LINUX_DEB to a downloaded .deb)"
    DEB=$(ls "$BUILD"/"$PACKAGE"_*.deb | head -n 1)
fi

TREE="$BUILD/deb"
rm -rf "$TREE"
dpkg-deb -x "$DEB" "$TREE" || fail "cannot unpack $DEB"
BZIMAGE=$(ls "$TREE"/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -n "$BZIMAGE" ] || fail "$DEB holds no /boot/vmlinuz-*"

# Reads an unsigned little-endian integer of $2 bytes at offset $1 of the bzImage.
read_le() {
    od -A n -t "u$2" -j "$1" -N "$2" "$BZIMAGE" | tr -d ' '
}

MAGIC=$(dd if="$BZIMAGE" bs=1 skip=514 count=4 2>/dev/null)
[ "$MAGIC" = "HdrS" ] || fail "$BZIMAGE has no x86 boot setup header"
SETUP_SECTS=$(read_le 497 1)
[ "$SETUP_SECTS" -ne 0 ] || SETUP_SECTS=4
PAYLOAD_OFFSET=$(read_le 584 4)
PAYLOAD_LENGTH=$(read_le 588 4)
START=$(( (SETUP_SECTS + 1) * 512 + PAYLOAD_OFFSET ))

dd if="$BZIMAGE" bs=4096 iflag=skip_bytes,count_bytes skip="$START" count="$PAYLOAD_LENGTH" 2>/dev/null \
    | xz -d -c --single-stream > "$OUT.tmp" || { rm -f "$OUT.tmp"; fail "the payload at $START ($PAYLOAD_LENGTH bytes) is not an XZ stream xz can read"; }
[ "$(dd if="$OUT.tmp" bs=1 skip=1 count=3 2>/dev/null)" = "ELF" ] || { rm -f "$OUT.tmp"; fail "the decompressed payload is not ELF"; }
cp "$TREE"/boot/config-* "$BUILD/" 2>/dev/null || true
cp "$BZIMAGE" "$BZ_OUT.tmp" && mv "$BZ_OUT.tmp" "$BZ_OUT"
rm -rf "$TREE"
mv "$OUT.tmp" "$OUT"
echo "fetch.sh: wrote $OUT and $BZ_OUT"
