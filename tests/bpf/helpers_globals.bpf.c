// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * Global variables: .data (initialised), .rodata (const volatile, read
 * only to programs) and .bss (zeroed), each one single-element array map
 * that programs read and write directly and the host reads and writes
 * through the map. One struct a section, so the host knows the layout.
 * XDP, run in the kernel too.
 */
#include "expect.h"

struct gdata {
	__u64 counter;
	__u32 arr[4];
	char name[8];
} gd = { .counter = 5, .arr = { 1, 2, 3, 4 }, .name = "data" };

const volatile struct grodata {
	__u64 magic;
	__u32 limit;
	__u32 pad;
} grd = { .magic = 0x1122334455667788ULL, .limit = 3 };

struct gbss {
	__u64 hits;
	__u64 last;
	__u32 arr[4];
} gb;

SEC("xdp")
int globals(struct xdp_md *ctx)
{
	EXPECT(grd.magic, 0x1122334455667788ULL);
	EXPECT(grd.limit, 3);
	EXPECT(bpf_strncmp(gd.name, sizeof(gd.name), "data"), 0);
	gd.counter++;
	gb.hits++;
	gb.last = gd.counter;
	for (__u32 i = 0; i < 4 && i < grd.limit; i++)
		gb.arr[i] = gd.arr[i] * 2;
	gd.name[0] = 'D';
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
