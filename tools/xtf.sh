#!/usr/bin/env bash
# Runs the PV tests of a locally built Xen Test Framework (XTF, github.com/andyhhp/xtf) on
# ActorVisor, each through `actorvisor create` with the test's own xl.cfg, and prints one line per
# test (its "Test result:" verdict, or why there is none) and the counts per environment.
# XTF is never part of this repository: give a checkout with XTF_DIR (default ~/.cache/actorvisor/xtf);
# when it is missing the script clones it there (needs network), and it builds it with make when
# its test kernels are missing (gcc, make, python3).
# Usage: tools/xtf.sh [PATTERN]        e.g. tools/xtf.sh 'xsa-*'   (after a Release build of src/Cli)
#   XTF_TIMEOUT  virtual-time limit per test (default 30s); XTF_ENVS  environments (default "pv64 pv32pae")
set -euo pipefail
cd "$(dirname "$0")/.."
xtf=${XTF_DIR:-$HOME/.cache/actorvisor/xtf}
pattern=${1:-*}
timeout=${XTF_TIMEOUT:-30s}
envs=${XTF_ENVS:-pv64 pv32pae}
cli=src/Cli/bin/Release/net10.0/actorvisor.dll
[ -f "$cli" ] || { echo "xtf.sh: $cli is missing: run 'dotnet build src/Cli -c Release' first" >&2; exit 2; }
if [ ! -d "$xtf/tests" ]; then
  echo "xtf.sh: cloning XTF into $xtf" >&2
  git clone -q https://github.com/andyhhp/xtf "$xtf"
fi
if ! ls "$xtf"/tests/example/test-pv64-example > /dev/null 2>&1; then
  echo "xtf.sh: building XTF in $xtf" >&2
  make -C "$xtf" -j"$(nproc)" > /dev/null
fi

declare -A pass fail other
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for env in $envs; do
  pass[$env]=0 fail[$env]=0 other[$env]=0
  for cfg in "$xtf"/tests/$pattern/test-"$env"-*.cfg; do
    [ -f "$cfg" ] || continue
    name=$(basename "$cfg" .cfg)
    name=${name#test-"$env"-}
    rc=0
    # A wall-clock bound as well, so that a test that livelocks the host cannot stall the table.
    timeout 120 dotnet "$cli" create "$cfg" -c --timeout "$timeout" > "$log" 2>&1 || rc=$?
    verdict=$(grep -m1 -o 'Test result: .*' "$log" | sed 's/^Test result: //' || true)
    if [ -z "$verdict" ]; then
      # The guest's last words before the hypervisor's verdict (a panic's vector and address), one line.
      last=$(sed -n '/^\[hypervisor\]/q;p' "$log" | grep -v '^\s*$\|^Parsing config\|^warning:\|^\*\*\*' | uniq | tail -n 2 | tr '\n' ' ' | cut -c1-110)
      verdict="NO RESULT (exit $rc): $last"
    fi
    case "$verdict" in
      SUCCESS | SKIP*) pass[$env]=$((pass[$env] + 1)) ;;
      FAILURE* | ERROR* | CRASH*) fail[$env]=$((fail[$env] + 1)) ;;
      *) other[$env]=$((other[$env] + 1)) ;;
    esac
    printf '%-8s %-28s %s\n' "$env" "$name" "$verdict"
  done
done
for env in $envs; do
  total=$((pass[$env] + fail[$env] + other[$env]))
  echo "$env: ${pass[$env]}/$total SUCCESS or SKIP, ${fail[$env]} FAILURE or ERROR, ${other[$env]} without a result"
done
