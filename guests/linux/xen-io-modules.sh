#!/bin/sh
# Puts the kernel modules of the Xen I/O tests into an initramfs tree: xen-blkfront, xen-netfront,
# ext4 and loop with everything they need, taken from the same linux-image .deb as the kernel.
#
#   guests/linux/xen-io-modules.sh DEB ROOT
#
# Debian's .deb ships the modules but no modules.dep (its postinst runs depmod), so busybox's own
# depmod (Debian's busybox-static, already unpacked into ROOT) writes one over the whole module tree
# of the .deb, unpacked into a temporary folder. The load order is then computed from it: a
# module's hard dependencies (its modules.dep line) and its "softdep=pre:" modules (read from the
# module's .modinfo, resolved through the modules.alias depmod wrote) come before it. Debian 12
# builds its modules uncompressed (CONFIG_MODULE_COMPRESS_NONE), so they are copied as they are.
#
# ROOT receives
#   lib/modules/VERSION/kernel/...      the chosen .ko files, at their paths in the .deb
#   lib/modules/VERSION/modules.dep     depmod's lines for exactly those modules (busybox modprobe reads it)
#   lib/modules/VERSION/xen-io.list     the load order, one "TARGET PATH KIND" line per module, where
#                                       TARGET is the module it was pulled in for, KIND "required"
#                                       (a hard dependency or the target itself) or "softdep" (an
#                                       alias provider: one of several may load, see load-xen-io)
# and /usr/sbin/load-xen-io (guests/linux/load-xen-io.sh), which insmods them in that order.
set -eu

# loop serves the "loop" test mode, which runs the disk checks on an image file without a back-end.
TARGETS="xen-blkfront xen-netfront ext4 loop"

fail() {
    echo "xen-io-modules.sh: $*" >&2
    exit 1
}

[ $# -eq 2 ] || fail "usage: xen-io-modules.sh DEB ROOT"
DEB=$1
ROOT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
BUSYBOX="$ROOT/bin/busybox"
[ -f "$DEB" ] || fail "$DEB is missing (guests/linux/fetch.sh downloads it)"
[ -x "$BUSYBOX" ] || fail "$BUSYBOX is missing (unpack busybox-static into $ROOT first)"

TREE=$(mktemp -d "${TMPDIR:-/tmp}/xen-io-modules.XXXXXX")
trap 'rm -rf "$TREE"' EXIT
dpkg-deb --fsys-tarfile "$DEB" | tar -x -C "$TREE" ./lib/modules || fail "cannot unpack the modules of $DEB"
VERSION=$(ls "$TREE/lib/modules")
[ "$(echo "$VERSION" | wc -l)" -eq 1 ] || fail "$DEB holds modules of several kernels: $VERSION"
MODULES="$TREE/lib/modules/$VERSION"
"$BUSYBOX" depmod -b "$TREE" "$VERSION" || fail "busybox depmod failed on the modules of $DEB"
[ -s "$MODULES/modules.dep" ] || fail "depmod wrote no modules.dep"

# The path (relative to lib/modules/VERSION) of the module named $1; '-' and '_' are the same.
module_path() {
    want=$(echo "$1" | tr - _)
    awk -F: -v want="$want" '{ n = $1; sub(/.*\//, "", n); sub(/\.ko(\.[a-z]+)?$/, "", n); gsub(/-/, "_", n); if (n == want) { print $1; exit } }' \
        "$MODULES/modules.dep"
}

# The modules that provide alias $1 (modules.alias lines are "alias NAME MODULE").
alias_providers() {
    awk -v want="$1" '$1 == "alias" && $2 == want { print $3 }' "$MODULES/modules.alias"
}

# One field of a module's .modinfo (NUL-separated key=value strings).
modinfo_field() {
    tr '\0' '\n' < "$MODULES/$1" | sed -n "s/^$2=//p"
}

ORDER="$TREE/order"
: > "$ORDER"
# Appends $2 (a path) and, first, everything it needs, to $ORDER; $1 is the target, $3 the kind.
visit() {
    if grep -q " $2 " "$ORDER"; then
        return 0
    fi
    # softdep=pre: A B post: C  -> the modules after "pre:" up to any "post:".
    for soft in $(modinfo_field "$2" softdep | sed -e 's/post:.*//' -e 's/pre://'); do
        for provider in $(alias_providers "$soft") $soft; do
            path=$(module_path "$provider")
            [ -z "$path" ] || visit "$1" "$path" softdep
        done
    done
    for dep in $(awk -F: -v m="$2" '$1 == m { print $2 }' "$MODULES/modules.dep"); do
        visit "$1" "$dep" "$3"
    done
    echo "$1 $2 $3" >> "$ORDER"
}

for target in $TARGETS; do
    path=$(module_path "$target")
    [ -n "$path" ] || fail "$DEB has no module $target (is it built in? see the config-* file)"
    visit "$target" "$path" required
done

OUT="$ROOT/lib/modules/$VERSION"
rm -rf "$OUT"
mkdir -p "$OUT"
: > "$OUT/modules.dep"
while read -r target path kind; do
    case "$path" in
        *.ko) ;;
        *) fail "$path is compressed; busybox insmod needs it decompressed first" ;;
    esac
    mkdir -p "$OUT/$(dirname "$path")"
    cp "$MODULES/$path" "$OUT/$path"
    grep "^$path:" "$MODULES/modules.dep" >> "$OUT/modules.dep"
done < "$ORDER"
cp "$ORDER" "$OUT/xen-io.list"
mkdir -p "$ROOT/usr/sbin"
cp "$HERE/load-xen-io.sh" "$ROOT/usr/sbin/load-xen-io"
chmod 755 "$ROOT/usr/sbin/load-xen-io"
echo "xen-io-modules.sh: $(wc -l < "$ORDER") modules of $VERSION in $OUT:" $(awk '{ print $2 }' "$ORDER")
