// SPDX-License-Identifier: (MIT OR GPL-2.0)
/* Hello, World! through bpf_printk (trace_pipe in the kernel, stderr in
 * bpfvm). Attached to execve in the kernel; `bpfvm run` runs it directly. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int hello(void *ctx)
{
	bpf_printk("Hello, World!");
	return 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
