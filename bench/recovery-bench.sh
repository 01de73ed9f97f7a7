#!/usr/bin/env bash
# What recovery costs the guests: hocon/scenarios/iopm-crash.conf (four SDK disk guests writing and
# verifying 16 blocks each, three of them on the storage IOPM) run deterministically with no
# faults (the scenario's strikes removed: the peer), as shipped (three IOPM crashes), with back-end
# crashes at after-data every 5 requests on top, and with a hang of the storage back-ends at 15 ms
# that their watchdog (20 ms) must catch. For each: when the last guest had verified its blocks
# (virtual time), the run's host wall time, the restarts column and whether every check passed.
# Usage: bench/recovery-bench.sh   (after `make -C guests` and a Release build of src/Cli)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cli="dotnet $root/src/Cli/bin/Release/net10.0/actorvisor.dll"

sed "s|\.\./\.\./|$root/|g" hocon/scenarios/iopm-crash.conf > "$work/crash.conf"
grep -v 'action = inject' "$work/crash.conf" > "$work/none.conf"

run() { # label scenario [--inject rule]...
  local label=$1 conf=$2
  shift 2
  for d in a b c d; do head -c 1048576 /dev/zero > "guests/build/disks/$d.img"; done
  local start end out status
  start=$(date +%s.%N)
  set +e
  out=$($cli run "$conf" "$@" 2>&1)
  status=$?
  set -e
  end=$(date +%s.%N)
  local last restarts
  last=$(grep -oE 'verified" within [0-9.]+ ms: at [0-9.]+ ms' <<<"$out" | awk '{print $(NF-1)}' | sort -g | tail -1)
  restarts=$(grep -E '^storage ' <<<"$out" | sed -E 's/.* [0-9]+ +([0-9]+( \+ [0-9]+ back-end)?)$/\1/')
  printf '| %s | %s ms | %.2f s | %s | %s |\n' "$label" "${last:-never}" "$(echo "$end - $start" | bc)" "$restarts" "$([ $status = 0 ] && echo pass || echo "FAIL ($status)")"
}

echo "| run | last guest verified (virtual) | host wall | storage restarts | checks |"
echo "| --- | ---: | ---: | --- | --- |"
run "no faults (peer)" "$work/none.conf"
run "three IOPM crashes (as shipped)" "$work/crash.conf"
run "+ back-end crash at after-data every 5 requests" "$work/crash.conf" --inject 'storage/vbd-* crash at after-data every 5 requests'
run "+ hang at 15 ms, watchdog 20 ms" "$work/crash.conf" --inject 'storage/vbd-* hang at 15ms'
