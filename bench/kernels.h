/* SPDX-License-Identifier: MIT */
/*
 * The benchmark kernels: each one C function in kernels.c, compiled twice,
 * by the host compiler into bpfvm-bench and by clang -target bpf into raw
 * bytecode (one ELF section, then one .bin file, a kernel).
 *
 * Every kernel is uint64_t NAME(uint8_t *mem, uint64_t len), so the BPF
 * calling convention hands it r1 = mem and r2 = len, which is how bpfvm
 * starts a program. All input (trip counts included) comes from mem, so
 * neither compiler can fold the work away. mem must be 8-byte aligned.
 */
#ifndef BPFVM_BENCH_KERNELS_H
#define BPFVM_BENCH_KERNELS_H

#include <stdint.h>

/* The kernels, in the order the table prints them. bench/CMakeLists.txt
 * reads the X(...) lines to know which sections to extract: keep one a
 * line. */
#define BENCH_KERNELS(X)                                                       \
	X(loop_sum)                                                            \
	X(fibonacci)                                                           \
	X(collatz)                                                             \
	X(fnv1a)                                                               \
	X(jhash)                                                               \
	X(byte_search)                                                         \
	X(ipv4_tcp_parse)                                                      \
	X(tcp_csum)                                                            \
	X(flow_lookup)

#define BENCH_DECLARE(name) uint64_t name(uint8_t *mem, uint64_t len);
BENCH_KERNELS(BENCH_DECLARE)
#undef BENCH_DECLARE

/*
 * Inputs (all integers in host order unless they are packet fields):
 *
 * loop_sum        u32 n, u32 pad, then n u32 values: their sum
 * fibonacci       u32 n: fib(n) mod 2^64
 * collatz         u32 first, u32 count: total Collatz steps of
 *                 first .. first + count - 1
 * fnv1a, jhash    the whole buffer
 * byte_search     4-byte pattern, 4 bytes pad, then the haystack: the
 *                 offset of the first match in the haystack, or ~0
 * ipv4_tcp_parse  NET_IP_ALIGN (2) bytes pad, then an Ethernet frame
 * tcp_csum        carrying IPv4 and TCP (so IP and TCP start 4-aligned)
 * flow_lookup     struct flow_hdr, the queries and the table it names
 */
#define BENCH_PKT_PAD 2

struct flow_key {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint8_t proto; /* 0: an empty table slot */
	uint8_t pad[3];
};

struct flow_entry {
	struct flow_key key;
	uint64_t value;
	uint64_t pad;
};

struct flow_hdr {
	uint32_t nqueries; /* struct flow_key at queries_off */
	uint32_t nbuckets; /* a power of two; struct flow_entry at table_off */
	uint32_t queries_off;
	uint32_t table_off;
};

/* Linear probing gives up after this many slots. */
#define FLOW_MAX_PROBES 8

#ifndef __bpf__
/* The bucket flow_lookup starts probing at, for the driver to fill the
 * table with (native build only). */
uint32_t bench_flow_hash(const struct flow_key *key);
#endif

#endif
