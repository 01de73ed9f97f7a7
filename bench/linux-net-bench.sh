#!/usr/bin/env bash
# TCP between two of Debian's Linux domains (xen-netfront → our netback → the virtual switch →
# netback → xen-netfront, busybox nc on both ends) against the same bytes sent over the host's
# loopback TCP, in one run. Host wall time is taken when b's "begin tcp" and a's "end tcp" marker
# lines reach the console: an upper bound, it includes the emulated CPUs' work for both guests'
# TCP stacks and nc, and any connect retries while a is not yet listening. Virtual RTTs are the
# guests' own ping figures.
# Usage: bench/linux-net-bench.sh [LINES [RUN-FLAGS...]]   e.g. 400000 --parallel (after `make -C guests linux` and a Release build of src/Cli)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
count=${1:-400000}
shift || true
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

domain() { # name mode ip peer mac
  cat <<DOMAIN
    $1 {
      kernel = "$root/guests/linux/build/vmlinuz-6.1.0-amd64"
      ramdisk = "$root/guests/linux/build/userspace.cpio"
      memory = 256M
      cmdline = "console=hvc0 cryptomgr.notests actorvisor.test=$2 actorvisor.ip=$3/24 actorvisor.peer=$4 actorvisor.port=5001 actorvisor.count=$count actorvisor.wait=120"
      vifs = [ { bridge = xenbr0, mac = "$5" } ]
    }
DOMAIN
}
cat > "$work/net.conf" <<CONF
actorvisor.machine.physical-cpus = 2
scenario {
  name = linux-net-bench
  stop-at = 600s
  domains {
$(domain a net-a 10.0.0.1 10.0.0.2 00:16:3e:00:00:01)
$(domain b net-b 10.0.0.2 10.0.0.1 00:16:3e:00:00:02)
  }
  timeline = [
    { at = 0ms, action = start, domain = a }
    { at = 0ms, action = start, domain = b }
  ]
}
CONF

rate() { awk -v b="$1" -v ns="$2" 'BEGIN { printf "%.2f MB/s (%d bytes in %d ms)", b / 1e6 / (ns / 1e9), b, ns / 1e6 }'; }

echo "load: $(cut -d ' ' -f 1-3 /proc/loadavg)"
dotnet src/Cli/bin/Release/net10.0/actorvisor.dll run "$work/net.conf" "$@" 2>&1 |
  while IFS= read -r line; do
    now=$(date +%s%N)
    case "$line" in
      *"actorvisor-bench: begin tcp"*) start=$now ;;
      *"actorvisor-bench: end tcp "*) echo "guest tcp a<-b: $(rate "${line##*end tcp }" $((now - start)))" ;;
      *"actorvisor-net: ping"* | *"actorvisor-net: received"* | *"actorvisor-net: sent"* | *"result net-"*) echo "$line" ;;
    esac
  done

# The peer: the same bytes over the host's loopback TCP, one connection, in this run.
seq 1 "$count" > "$work/sent"
python3 - "$work/sent" <<'PY'
import socket, sys, threading, time
data = open(sys.argv[1], 'rb').read()
server = socket.create_server(('127.0.0.1', 0))
port = server.getsockname()[1]
got = bytearray()
def receive():
    conn, _ = server.accept()
    while chunk := conn.recv(65536):
        got.extend(chunk)
    conn.close()
t = threading.Thread(target=receive)
t.start()
start = time.perf_counter_ns()
with socket.create_connection(('127.0.0.1', port)) as c:
    c.sendall(data)
t.join()
ns = time.perf_counter_ns() - start
assert bytes(got) == data
print(f"host  tcp loopback: {len(data) / 1e6 / (ns / 1e9):.2f} MB/s ({len(data)} bytes in {ns // 1000000} ms)")
PY
