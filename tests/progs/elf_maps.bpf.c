// SPDX-License-Identifier: MIT
/*
 * BTF-defined maps of several kinds (typed keys and values, sizes only,
 * flags and pinning, a ring buffer, map-in-map with an inner definition,
 * a prog array) and global data in .data, .rodata, .bss and
 * .rodata.str1.1, with types for the value pretty-printer: bitfields, an
 * enum, a char array, a union, a typedef.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

typedef __u32 ipv4_addr;

struct flow_key {
	ipv4_addr saddr;
	ipv4_addr daddr;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

enum verdict { VERDICT_PASS = 1, VERDICT_DROP = 2 };

struct flow_stats {
	__u64 packets;
	__s64 delta;
	enum verdict verdict;
	char ifname[8];
	__u32 flags : 3;
	__u32 level : 5;
	__s32 skew : 12;
	union {
		__u32 raw;
		__u8 bytes[4];
	} u;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 16);
	__uint(key_size, 4);
	__uint(value_size, 8);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 128);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__type(key, __u64);
	__type(value, __u32);
} recent SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct inner_array {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} inner1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner_array);
} outer SEC(".maps") = {
	.values = { [0] = &inner1 },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(
		values, struct {
			__uint(type, BPF_MAP_TYPE_HASH);
			__uint(max_entries, 16);
			__type(key, __u32);
			__type(value, __u16);
		});
} outer_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} jumps SEC(".maps");

/* Global data. */
volatile __u32 hits = 7;
volatile struct flow_key last_key = { .saddr = 0x0a000001, .proto = 6 };
volatile __u64 bytes_seen;
const volatile __u32 limit = 100;
const volatile char banner[8] = "bpfvm";

SEC("xdp")
int xdp_maps(struct xdp_md *ctx)
{
	struct flow_key key = { .saddr = ctx->ingress_ifindex, .proto = 17 };
	struct flow_stats *st;
	__u32 zero = 0, *r;
	__u64 now = ctx->data_end - ctx->data, *v;
	void *in;

	st = bpf_map_lookup_elem(&flows, &key);
	if (st)
		st->packets++;
	v = bpf_map_lookup_elem(&stats, &zero);
	if (v)
		*v += now;
	r = bpf_map_lookup_elem(&recent, &now);
	if (r)
		*r = hits;
	in = bpf_map_lookup_elem(&outer, &zero);
	if (in) {
		v = bpf_map_lookup_elem(in, &zero);
		if (v)
			*v = limit;
	}
	in = bpf_map_lookup_elem(&outer_hash, &zero);
	if (in && bpf_map_lookup_elem(in, &zero))
		hits++;
	bpf_ringbuf_output(&events, &key, sizeof(key), 0);
	bytes_seen += now;
	last_key.proto = banner[1];
	bpf_trace_printk("seen %d\n", sizeof("seen %d\n"), hits);
	bpf_tail_call(ctx, &jumps, 1);
	return hits < limit ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
