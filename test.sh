#!/usr/bin/env bash
# Runs every test of ActorVisor (the README's test command). Extra arguments go to `dotnet test`.
# Ends with one summary line, "N passed, N failed, N skipped", added up over all test projects.
set -uo pipefail
cd "$(dirname "$0")"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Debian's Linux kernel, the initramfs and Debian's user-space packages for the Linux tests of two
# projects, fetched once before the projects build side by side. When they cannot be had the Linux tests skip, saying why, and
# this script fails at the end unless ACTORVISOR_OFFLINE=1 says that skipping them is allowed.
# The host packages the guests and tests use (gcc, make, compressors, e2fsprogs), when missing.
tools/host-packages.sh || echo "test.sh: some host packages are missing; the tests that need them will say which"
linux_missing=0
if ! make -s -C guests linux; then
  linux_missing=1
  echo "test.sh: the Linux kernel or Debian's user-space packages could not be fetched; the Linux tests will be skipped"
fi
# A real PostgreSQL for the snapshot store's PostgreSQL tests, which read ACTORVISOR_POSTGRES:
# tools/postgres.sh installs and starts Debian's when none is given. Without one those tests fail,
# unless ACTORVISOR_OFFLINE=1 allows them to skip.
if [ -z "${ACTORVISOR_POSTGRES:-}" ]; then
  if pg=$(tools/postgres.sh | tail -n 1) && [ -n "$pg" ]; then
    export ACTORVISOR_POSTGRES="$pg"
  else
    echo "test.sh: PostgreSQL could not be installed or started; the PostgreSQL tests will fail unless ACTORVISOR_OFFLINE=1"
  fi
fi
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
if [ "$linux_missing" = 1 ] && [ "${ACTORVISOR_OFFLINE:-0}" != 1 ]; then
  echo "test.sh: failing: the Linux tests were skipped because Debian's kernel or packages could not be fetched" \
    "(see the make output above; set ACTORVISOR_OFFLINE=1 to allow the skip)"
  [ "$status" = 0 ] && status=1
fi
exit "$status"
