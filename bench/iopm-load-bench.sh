#!/usr/bin/env bash
# IOPM thread use under block load, with one and with two IOPMs: two of Debian's Linux domains run
# the disk-bench mode (dd through xen-blkfront: 16 MiB sequential 64 KiB write and read, 4 MiB of
# 4 KiB O_DIRECT write and read) at once, in a parallel run (IOPMs on their own dispatcher
# threads), first both disks on one IOPM, then one disk per IOPM. The run's summary gives each
# IOPM's host busy time (time inside back-end service calls); busy / wall is its thread's use.
# Usage: bench/iopm-load-bench.sh   (after `make -C guests linux` and a Release build of src/Cli)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

domain() { # name backend
  cat <<DOMAIN
    $1 {
      kernel = "$root/guests/linux/build/vmlinuz-6.1.0-amd64"
      ramdisk = "$root/guests/linux/build/userspace.cpio"
      memory = 256M
      cmdline = "console=hvc0 cryptomgr.notests actorvisor.test=disk-bench actorvisor.disk=/dev/xvda actorvisor.wait=60"
      disks = [ { target = "$1.img", vdev = xvda, access = rw, backend = $2 } ]
    }
DOMAIN
}

scenario() { # name backend-of-a backend-of-b
  cat <<CONF
actorvisor.machine.physical-cpus = 2
scenario {
  name = $1
  stop-at = 600s
  iopms {
    one { backends = [block, net, console] }
    two { backends = [block, net] }
  }
  domains {
$(domain a "$2")
$(domain b "$3")
  }
  timeline = [
    { at = 0ms, action = start, domain = a }
    { at = 0ms, action = start, domain = b }
  ]
}
CONF
}

echo "load: $(cut -d ' ' -f 1-3 /proc/loadavg)"
for layout in "one-iopm one one" "two-iopms one two"; do
  set -- $layout
  truncate -s 64M "$work/a.img" "$work/b.img"
  scenario "$1" "$2" "$3" > "$work/$1.conf"
  start=$(date +%s%N)
  dotnet src/Cli/bin/Release/net10.0/actorvisor.dll run "$work/$1.conf" --parallel > "$work/$1.out" 2>&1 || true
  wall_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "== $1: wall ${wall_ms} ms"
  grep -E "result disk-bench" "$work/$1.out" || true
  # The IOPM rows of the summary, and each one's busy share of the wall time.
  awk -v wall="$wall_ms" '
    /busy \(host\)/ { table = 1; print; next }
    table && /^[[:space:]]*(one|two)[[:space:]]/ {
      print
      ms = $(NF - 1)   # the busy column, "N.NNN ms"
      printf "   -> %s busy %.1f ms of %d ms wall: %.2f %% of one thread\n", $1, ms, wall, 100 * ms / wall
    }
    table && /^$/ { table = 0 }' "$work/$1.out"
done
