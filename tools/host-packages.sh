#!/usr/bin/env bash
# Installs the Debian packages the build and the tests use on the host, when they are missing:
# gcc and make (the guests), the compressors Linux builds bzImage payloads with (the kernel-format
# tests), tcpdump (reads the vifs' pcap captures back) and e2fsprogs (mkfs.ext4, e2fsck and debugfs for the Linux disk tests). Needs root (or
# sudo) and apt-get; without them it names what is missing and returns 1, and the tests that need
# a missing tool fail saying so (unless ACTORVISOR_OFFLINE=1 allows them to skip).
set -uo pipefail
need_apt=()
command -v gcc >/dev/null 2>&1 || need_apt+=(gcc)
command -v make >/dev/null 2>&1 || need_apt+=(make)
for tool in zstd lz4 bzip2 lzop xz gzip; do
  package=$tool
  [ "$tool" = xz ] && package=xz-utils
  command -v "$tool" >/dev/null 2>&1 || need_apt+=("$package")
done
command -v tcpdump >/dev/null 2>&1 || [ -x /usr/sbin/tcpdump ] || need_apt+=(tcpdump)
{ command -v mkfs.ext4 || [ -x /usr/sbin/mkfs.ext4 ] || [ -x /sbin/mkfs.ext4 ]; } >/dev/null 2>&1 || need_apt+=(e2fsprogs)
[ ${#need_apt[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    echo "host-packages.sh: missing ${need_apt[*]}; install them as root: apt-get install ${need_apt[*]}" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "host-packages.sh: missing ${need_apt[*]} and apt-get is not available to install them" >&2
  exit 1
fi
echo "host-packages.sh: installing ${need_apt[*]}"
"${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq "${need_apt[@]}"
