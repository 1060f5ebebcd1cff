// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * Clocks, randomness, CPU and task helpers: ktime_get_ns, _boot_ns,
 * _coarse_ns, _tai_ns, jiffies64, get_prandom_u32, get_smp_processor_id,
 * get_numa_node_id, get_current_pid_tgid, _uid_gid, _comm. Relations
 * that hold whatever the time are checked here; the values the host can
 * know (task ids, name; the clocks against each other) go to `task` and
 * NOTE records. XDP, run in the kernel too: BPF_PROG_TEST_RUN runs the
 * program in the calling thread, as bpfvm does, so the task helpers must
 * give the same values.
 */
#include "expect.h"

struct task {
	__u64 pid_tgid;
	__u64 uid_gid;
	char comm[16];
	char comm_short[8];
	char comm_long[32];
	__u64 comm_rc;
} task;

SEC("xdp")
int misc_time(struct xdp_md *ctx)
{
	__u64 t0, t1, boot, coarse, tai, j0, j1;

	t0 = bpf_ktime_get_ns();
	j0 = bpf_jiffies64();
	boot = bpf_ktime_get_boot_ns();
	coarse = bpf_ktime_get_coarse_ns();
	tai = bpf_ktime_get_tai_ns();
	j1 = bpf_jiffies64();
	t1 = bpf_ktime_get_ns();
	EXPECT(t1 >= t0, 1);
	EXPECT(j1 >= j0, 1);
	/* Boot time counts suspend too: never behind monotonic time. */
	EXPECT(boot >= t0, 1);
	/* The coarse clock is the last tick's monotonic time. */
	EXPECT(coarse <= t1, 1);
	EXPECT(coarse + 1000000000ULL >= t0, 1);
	/* TAI counts from 1970: far ahead of the time since boot. */
	EXPECT(tai > t1, 1);
	EXPECT(tai > 1500000000ULL * 1000000000ULL, 1);
	NOTE(t0);
	NOTE(j0);
	return XDP_PASS;
}

SEC("xdp")
int misc_random(struct xdp_md *ctx)
{
	__u32 first = bpf_get_prandom_u32(), or = first, and = first;
	int differ = 0;

	for (int i = 0; i < 63; i++) {
		__u32 r = bpf_get_prandom_u32();

		or |= r;
		and &= r;
		differ |= r != first;
	}
	/* 64 draws: every bit seen set and clear (all but certain). */
	EXPECT(or, 0xffffffff);
	EXPECT(and, 0);
	EXPECT(differ, 1);
	return XDP_PASS;
}

SEC("xdp")
int misc_task(struct xdp_md *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id();

	EXPECT(cpu < 8192, 1);
	EXPECT((__s64)bpf_get_numa_node_id() >= 0, 1);
	NOTE(cpu);
	NOTE(bpf_get_numa_node_id());
	task.pid_tgid = bpf_get_current_pid_tgid();
	task.uid_gid = bpf_get_current_uid_gid();
	task.comm_rc = bpf_get_current_comm(task.comm, sizeof(task.comm));
	EXPECT(task.comm_rc, 0);
	/* Cut to size - 1 bytes and NUL-terminated. */
	EXPECT(bpf_get_current_comm(task.comm_short, sizeof(task.comm_short)),
	       0);
	EXPECT(task.comm_short[7], 0);
	EXPECT(bpf_strncmp(task.comm_short, 8, "bpftest"), 0);
	EXPECT(bpf_strncmp(task.comm, 16, "bpftest-helpers"), 0);
	/* Padded with NULs to the whole size. */
	for (int i = 0; i < 32; i++)
		task.comm_long[i] = 'x';
	EXPECT(bpf_get_current_comm(task.comm_long, sizeof(task.comm_long)), 0);
	EXPECT(task.comm_long[15] == 0 && task.comm_long[31] == 0, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
