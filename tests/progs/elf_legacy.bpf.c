// SPDX-License-Identifier: MIT
/*
 * Legacy map definitions in the `maps` section, samples/bpf style (28
 * bytes: libbpf's five fields plus inner_map_idx and numa_node), with a
 * map-in-map naming its inner map by index; programs in old-style
 * section names; license and version.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def_legacy {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
	unsigned int inner_map_idx;
	unsigned int numa_node;
};

struct bpf_map_def_legacy SEC("maps") inner_arr = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = 4,
	.value_size = 8,
	.max_entries = 4,
};

struct bpf_map_def_legacy SEC("maps") counts = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = 4,
	.value_size = 8,
	.max_entries = 64,
	.map_flags = BPF_F_NO_PREALLOC,
};

struct bpf_map_def_legacy SEC("maps") aom = {
	.type = BPF_MAP_TYPE_ARRAY_OF_MAPS,
	.key_size = 4,
	.max_entries = 2,
	.inner_map_idx = 0, /* inner_arr */
};

SEC("socket1")
int count_proto(struct __sk_buff *skb)
{
	__u32 key = skb->protocol;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);

	if (v)
		__sync_fetch_and_add(v, skb->len);
	return 0;
}

SEC("kprobe/sys_write")
int count_writes(void *ctx)
{
	__u32 key = 0;
	void *inner = bpf_map_lookup_elem(&aom, &key);
	__u64 *v;

	if (!inner)
		return 0;
	v = bpf_map_lookup_elem(inner, &key);
	if (v)
		(*v)++;
	return 0;
}

char _license[] SEC("license") = "GPL";
__u32 _version SEC("version") = 0x040e00;
