// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * PERCPU_ARRAY and PERCPU_HASH seen from several CPUs: each run adds to
 * its own CPU's value of a key and reads every CPU's value with
 * bpf_map_lookup_percpu_elem. The host runs it on each CPU slot in turn
 * (bpfvm_cpu_set) and reads all slots back. Raw memory program (syscall
 * type), bpfvm only: the kernel decides the CPU itself.
 */
#include "expect.h"

#define MAX_CPUS 8

struct pcpu_io {
	__u32 key;
	__u32 ncpus; /* slots the maps have */
	__u64 add;
	__u64 cpu;     /* bpf_get_smp_processor_id */
	__u64 arr_sum; /* over every CPU, after the add */
	__u64 hash_sum;
	__u64 mine;   /* this CPU's array value, after the add */
	__s64 beyond; /* lookup_percpu_elem(cpu = ncpus) == NULL */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} parr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} phash SEC(".maps");

SEC("syscall")
int pcpu_add(struct pcpu_io *io)
{
	__u32 k = io->key, n = io->ncpus;
	__u64 add = io->add, *p;

	io->cpu = bpf_get_smp_processor_id();
	p = bpf_map_lookup_elem(&parr, &k);
	if (!p)
		return 1;
	*p += add;
	io->mine = *p;
	p = bpf_map_lookup_elem(&phash, &k);
	if (p)
		*p += add;
	else if (bpf_map_update_elem(&phash, &k, &add, BPF_NOEXIST))
		return 2;
	io->arr_sum = 0;
	io->hash_sum = 0;
	for (__u32 c = 0; c < MAX_CPUS && c < n; c++) {
		p = bpf_map_lookup_percpu_elem(&parr, &k, c);
		if (p)
			io->arr_sum += *p;
		p = bpf_map_lookup_percpu_elem(&phash, &k, c);
		if (p)
			io->hash_sum += *p;
	}
	io->beyond = bpf_map_lookup_percpu_elem(&parr, &k, n) == NULL &&
		     bpf_map_lookup_percpu_elem(&phash, &k, n) == NULL;
	return 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
