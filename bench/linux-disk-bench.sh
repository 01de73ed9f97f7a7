#!/usr/bin/env bash
# Block I/O from inside Debian's Linux (xen-blkfront → our block back-end in the default IOPM)
# against the same dd patterns run directly on the host file, in one run. Host wall time per step
# is taken when the guest's begin/end marker lines reach the console (an upper bound: it includes
# the emulated CPU's work for the guest's block layer and dd).
# Usage: bench/linux-disk-bench.sh   (after `make -C guests linux` and a Release build of src/Cli)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
truncate -s 64M "$work/bench.img"
cat > "$work/bench.cfg" <<CFG
name = "linux-disk-bench"
kernel = "$root/guests/linux/build/vmlinuz-6.1.0-amd64"
ramdisk = "$root/guests/linux/build/userspace.cpio"
memory = 256
extra = "console=hvc0 cryptomgr.notests actorvisor.test=disk-bench actorvisor.disk=/dev/xvda actorvisor.wait=30"
disk = [ "bench.img,raw,xvda,rw" ]
CFG

rate() { awk -v b="$1" -v ns="$2" 'BEGIN { printf "%.1f MB/s (%d ms)", b / 1e6 / (ns / 1e9), ns / 1e6 }'; }

echo "load: $(cut -d ' ' -f 1-3 /proc/loadavg)"
dotnet src/Cli/bin/Release/net10.0/actorvisor.dll create "$work/bench.cfg" -c --timeout 300s 2>&1 |
  while IFS= read -r line; do
    now=$(date +%s%N)
    case "$line" in
      *"actorvisor-bench: begin "*) start=$now ;;
      *"actorvisor-bench: end "*) set -- ${line##*end }; echo "guest $1: $(rate "$2" $((now - start)))" ;;
      *"result disk-bench"*) echo "$line" ;;
    esac
  done

host_step() {
  local name=$1 bytes=$2
  shift 2
  local start=$(date +%s%N)
  "$@" 2>/dev/null
  echo "host  $name: $(rate "$bytes" $(( $(date +%s%N) - start )))"
}
img="$work/bench.img"
host_step seq-write-64k 16777216 dd if=/dev/zero of="$img" bs=65536 count=256 conv=fsync,notrunc
host_step seq-read-64k 16777216 dd if="$img" of=/dev/null bs=65536 count=256
host_step direct-write-4k 4194304 dd if=/dev/zero of="$img" bs=4096 count=1024 oflag=direct conv=notrunc
host_step direct-read-4k 4194304 dd if="$img" of=/dev/null bs=4096 count=1024 iflag=direct
echo "load: $(cut -d ' ' -f 1-3 /proc/loadavg)"
