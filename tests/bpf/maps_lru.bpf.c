// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * LRU_HASH and LRU_PERCPU_HASH (kernel/bpf/bpf_lru_list.c): updates never
 * fail for lack of room, a lookup marks an element used, and a full map
 * evicts an element nobody used lately. Programs on raw memory (the
 * kernel's syscall programs: the context is the caller's buffer): the
 * host passes the keys and reads back what each operation gave. bpfvm
 * only: the kernel's LRU is per-CPU and approximate, so which element it
 * evicts depends on the CPUs the runs land on.
 */
#include "expect.h"

#define NKEYS 32

struct lru_io {
	__u32 n;
	__u32 pad;
	__u32 keys[NKEYS];
	__s64 out[NKEYS];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} lru_pcpu SEC(".maps");

/* out[i] = update(keys[i], keys[i] * 10). */
SEC("syscall")
int lru_insert(struct lru_io *io)
{
	for (__u32 i = 0; i < NKEYS && i < io->n; i++) {
		__u32 k = io->keys[i];
		__u64 v = (__u64)k * 10;

		io->out[i] = bpf_map_update_elem(&lru, &k, &v, BPF_ANY);
	}
	return 0;
}

/* out[i] = the value at keys[i], or -ENOENT; the lookup marks it used. */
SEC("syscall")
int lru_touch(struct lru_io *io)
{
	for (__u32 i = 0; i < NKEYS && i < io->n; i++) {
		__u32 k = io->keys[i];
		__u64 *v = bpf_map_lookup_elem(&lru, &k);

		io->out[i] = v ? (__s64)*v : -ENOENT;
	}
	return 0;
}

/* Touch keys[0], then insert keys[1..n): keys[0] must survive. */
SEC("syscall")
int lru_pressure(struct lru_io *io)
{
	__u32 hot = io->keys[0];

	for (__u32 i = 1; i < NKEYS && i < io->n; i++) {
		__u32 k = io->keys[i];
		__u64 v = k, *p = bpf_map_lookup_elem(&lru, &hot);

		io->out[i] = p ? 0 : -ENOENT;
		if (bpf_map_update_elem(&lru, &k, &v, BPF_ANY))
			io->out[i] = -1;
	}
	return 0;
}

/* Flags keep their meaning on LRU maps. */
SEC("syscall")
int lru_flags(struct lru_io *io)
{
	__u32 k = 1000;
	__u64 v = 1;

	EXPECT(bpf_map_update_elem(&lru, &k, &v, BPF_EXIST), -ENOENT);
	EXPECT(bpf_map_update_elem(&lru, &k, &v, BPF_NOEXIST), 0);
	EXPECT(bpf_map_update_elem(&lru, &k, &v, BPF_NOEXIST), -EEXIST);
	v = 2;
	EXPECT(bpf_map_update_elem(&lru, &k, &v, BPF_EXIST), 0);
	EXPECT(bpf_map_update_elem(&lru, &k, &v, BPF_EXIST + 1), -EINVAL);
	EXPECT(bpf_map_delete_elem(&lru, &k), 0);
	EXPECT(bpf_map_delete_elem(&lru, &k), -ENOENT);
	EXPECT(bpf_map_lookup_elem(&lru, &k) == NULL, 1);
	return 0;
}

/* Per-CPU: out[i] = this CPU's value after adding keys[i] to it
 * (inserting the key when absent). */
SEC("syscall")
int lru_pcpu_add(struct lru_io *io)
{
	for (__u32 i = 0; i < NKEYS && i < io->n; i++) {
		__u32 k = io->keys[i];
		__u64 v = k, *p = bpf_map_lookup_elem(&lru_pcpu, &k);

		if (p) {
			*p += k;
			io->out[i] = (__s64)*p;
			continue;
		}
		io->out[i] =
			bpf_map_update_elem(&lru_pcpu, &k, &v, BPF_NOEXIST);
		p = bpf_map_lookup_elem(&lru_pcpu, &k);
		if (!io->out[i] && p)
			io->out[i] = (__s64)*p;
	}
	return 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
