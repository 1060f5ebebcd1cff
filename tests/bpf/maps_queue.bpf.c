// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * QUEUE and STACK (kernel/bpf/queue_stack_maps.c) through push, pop and
 * peek: FIFO and LIFO order, -E2BIG when full, BPF_EXIST dropping the
 * oldest element to make room, -ENOENT when empty, bad flags. Each
 * program leaves two elements for the host to pop. XDP, run in the kernel
 * too.
 */
#include "expect.h"

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 3);
	__type(value, __u32);
} queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 3);
	__type(value, __u32);
} stack SEC(".maps");

/* The element pop gives, or the error. */
static __always_inline __s64 pop(void *map)
{
	__u32 v = 0;
	long rc = bpf_map_pop_elem(map, &v);

	return rc ? rc : v;
}

static __always_inline __s64 peek(void *map)
{
	__u32 v = 0;
	long rc = bpf_map_peek_elem(map, &v);

	return rc ? rc : v;
}

static __always_inline long push(void *map, __u32 v, __u64 flags)
{
	return bpf_map_push_elem(map, &v, flags);
}

SEC("xdp")
int queue_ops(struct xdp_md *ctx)
{
	EXPECT(pop(&queue), -ENOENT);
	EXPECT(peek(&queue), -ENOENT);
	EXPECT(push(&queue, 1, BPF_ANY), 0);
	EXPECT(push(&queue, 2, BPF_ANY), 0);
	EXPECT(push(&queue, 3, BPF_ANY), 0);
	EXPECT(push(&queue, 4, BPF_ANY), -E2BIG);
	EXPECT(push(&queue, 4, BPF_NOEXIST), -EINVAL);
	EXPECT(push(&queue, 4, BPF_EXIST + 1), -EINVAL);
	EXPECT(peek(&queue), 1);
	EXPECT(peek(&queue), 1);
	/* Full: BPF_EXIST drops the oldest (1). */
	EXPECT(push(&queue, 4, BPF_EXIST), 0);
	EXPECT(pop(&queue), 2);
	EXPECT(pop(&queue), 3);
	EXPECT(pop(&queue), 4);
	EXPECT(pop(&queue), -ENOENT);
	/* BPF_EXIST on a map with room is a plain push. */
	EXPECT(push(&queue, 5, BPF_EXIST), 0);
	EXPECT(push(&queue, 6, BPF_ANY), 0);
	EXPECT(peek(&queue), 5);
	return XDP_PASS;
}

SEC("xdp")
int stack_ops(struct xdp_md *ctx)
{
	EXPECT(pop(&stack), -ENOENT);
	EXPECT(peek(&stack), -ENOENT);
	EXPECT(push(&stack, 1, BPF_ANY), 0);
	EXPECT(push(&stack, 2, BPF_ANY), 0);
	EXPECT(push(&stack, 3, BPF_ANY), 0);
	EXPECT(push(&stack, 4, BPF_ANY), -E2BIG);
	EXPECT(push(&stack, 4, BPF_NOEXIST), -EINVAL);
	EXPECT(peek(&stack), 3);
	/* Full: BPF_EXIST drops the oldest (1), not the top. */
	EXPECT(push(&stack, 4, BPF_EXIST), 0);
	EXPECT(pop(&stack), 4);
	EXPECT(pop(&stack), 3);
	EXPECT(pop(&stack), 2);
	EXPECT(pop(&stack), -ENOENT);
	EXPECT(push(&stack, 5, BPF_EXIST), 0);
	EXPECT(push(&stack, 6, BPF_ANY), 0);
	EXPECT(peek(&stack), 6);
	return XDP_PASS;
}

/* What queue_ops and stack_ops left. */
SEC("xdp")
int drain_left(struct xdp_md *ctx)
{
	EXPECT(pop(&queue), 5);
	EXPECT(pop(&queue), 6);
	EXPECT(pop(&queue), -ENOENT);
	EXPECT(pop(&stack), 6);
	EXPECT(pop(&stack), 5);
	EXPECT(pop(&stack), -ENOENT);
	return XDP_PASS;
}

/* What the host pushed (10, 11, 12, then 13 with BPF_EXIST on the full
 * maps, which dropped the oldest, 10, from both). */
SEC("xdp")
int drain_host(struct xdp_md *ctx)
{
	EXPECT(pop(&queue), 11);
	EXPECT(pop(&queue), 12);
	EXPECT(pop(&queue), 13);
	EXPECT(pop(&queue), -ENOENT);
	EXPECT(pop(&stack), 13);
	EXPECT(pop(&stack), 12);
	EXPECT(pop(&stack), 11);
	EXPECT(pop(&stack), -ENOENT);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
