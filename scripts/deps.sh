#!/usr/bin/env bash
# Install what the build and the tests need and the machine lacks.
# A fresh Debian 12 has gcc, clang and make; everything else comes from apt.
# usage: scripts/deps.sh build|test
set -euo pipefail

build_pkgs=(cmake clang llvm libbpf-dev libpcap-dev libelf-dev)
# libFuzzer and the sanitizer runtimes; valgrind for memcheck runs.
test_pkgs=(libclang-rt-14-dev valgrind)

want=("${build_pkgs[@]}")
[ "${1:-build}" = test ] && want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: need root to install: ${missing[*]} (run as root, or install them)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || true
apt-get install -y -qq --no-install-recommends "${missing[@]}"
