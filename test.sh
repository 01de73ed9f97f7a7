#!/usr/bin/env bash
# Runs every test of ActorVisor (the README's test command). Extra arguments go to `dotnet test`.
# Ends with one summary line, "N passed, N failed, N skipped", added up over all test projects.
set -uo pipefail
cd "$(dirname "$0")"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Debian's Linux kernel and the initramfs for the Linux tests of two projects, fetched once before
# the projects build side by side; without apt or network those tests are skipped, saying why.
make -s -C guests linux || echo "test.sh: the Linux kernel could not be fetched; the Linux tests will be skipped"
dotnet test ActorVisor.sln -c Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
awk '
  /(Passed|Failed)! +- +Failed: / {
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:") f += $(i + 1) + 0
      if ($i == "Passed:") p += $(i + 1) + 0
      if ($i == "Skipped:") s += $(i + 1) + 0
    }
  }
  END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }
' "$log"
exit "$status"
