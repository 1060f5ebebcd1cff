#!/usr/bin/env bash
# make demo: DDoS mitigation over a generated capture, end to end.
#   1. trafficgen writes a deterministic pcap: legitimate TCP/UDP/ICMP
#      clients (IPv4, IPv6, VLAN), a SYN flood from 12 bots, a UDP flood,
#      and traffic from blocklisted ranges;
#   2. ddosctl loads progs/ddos.bpf.o (clang-built, unchanged from what the
#      kernel loads) into bpfvm, applies progs/ddos.conf, runs the capture
#      on two workers and reports.
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
pcap=$build/demo-traffic.pcap

"$build/trafficgen" "$pcap"
echo
"$build/ddosctl" "$build/progs/ddos.bpf.o" --pcap "$pcap" \
	--config progs/ddos.conf --workers 2 --out "$build/demo-passed.pcap"
echo
echo "passed packets written to $build/demo-passed.pcap"
echo "the same object in the kernel: $build/bpfvm kernel load $build/progs/ddos.bpf.o"
