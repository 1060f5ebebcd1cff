/* SPDX-License-Identifier: MIT */
/*
 * trace_printk and trace_vprintk: format (format.c) and print one line in
 * the format of the kernel's trace_pipe.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "helpers/helpers_internal.h"

#define TRACE_PRINTK_VARARGS 3 /* MAX_TRACE_PRINTK_VARARGS */

/*
 * A line as trace_pipe shows it (kernel/trace/trace_output.c,
 * trace_print_context): the task's comm right-aligned in 16 columns, its
 * pid, the CPU, the latency flags, the trace clock in seconds with
 * microseconds, the event name, the message:
 *
 *            bpfvm-1234    [000] d..31  5123.456789: bpf_trace_printk: hi
 *
 * The flags are fixed ("d..31": interrupts off, in a BPF program at
 * preempt depth 3, migration disabled), the clock is CLOCK_MONOTONIC, the
 * task is the calling thread, the CPU its bpfvm slot (bpfvm_cpu).
 */
void bpfvm_h_trace_line(bpfvm_exec *exec, const char *msg)
{
	char line[BPFVM_BPRINTF_BUF + 128], comm[17] = { 0 };
	struct timespec ts;

	prctl(PR_GET_NAME, comm);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(line, sizeof(line),
		 "%16s-%-7ld [%03u] d..31 %5llu.%06lu: bpf_trace_printk: %s",
		 comm, (long)syscall(SYS_gettid), bpfvm_cpu(),
		 (unsigned long long)ts.tv_sec,
		 (unsigned long)ts.tv_nsec / 1000, msg);
	bpfvm_exec_print(exec, line);
}

/* Format and print; returns what bstr_printf returns (the message's whole
 * length) or the format's error. */
static uint64_t print(bpfvm_exec *exec, uint64_t fmt, uint32_t fmt_size,
		      const uint64_t *args, unsigned nargs)
{
	char msg[BPFVM_BPRINTF_BUF];
	size_t n;
	long len;

	len = bpfvm_h_format(exec, (const char *)(uintptr_t)fmt, fmt_size, args,
			     nargs, msg, sizeof(msg));
	if (len < 0)
		return BPFVM_ERR(-len);
	/* one event a call: its newline is the line's end */
	n = strlen(msg);
	if (n && msg[n - 1] == '\n')
		msg[n - 1] = 0;
	bpfvm_h_trace_line(exec, msg);
	return (uint64_t)len;
}

/* trace_printk(fmt, fmt_size, arg1, arg2, arg3) */
uint64_t bpfvm_bpf_trace_printk(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				uint64_t r3, uint64_t r4, uint64_t r5)
{
	const uint64_t args[TRACE_PRINTK_VARARGS] = { r3, r4, r5 };
	uint32_t fmt_size = (uint32_t)r2;

	if (!fmt_size)
		return bpfvm_h_abort(exec, "trace_printk",
				     "arg2 fmt_size must be > 0");
	if (!bpfvm_h_readable(exec, "trace_printk", 1, r1, fmt_size))
		return 0;
	return print(exec, r1, fmt_size, args, TRACE_PRINTK_VARARGS);
}

/* trace_vprintk(fmt, fmt_size, data, data_len): data holds data_len / 8
 * u64 arguments, at most 12. */
uint64_t bpfvm_bpf_trace_vprintk(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				 uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const char name[] = "trace_vprintk";
	uint64_t args[BPFVM_BPRINTF_VARARGS];
	uint32_t fmt_size = (uint32_t)r2, data_len = (uint32_t)r4;

	if (!fmt_size)
		return bpfvm_h_abort(exec, name, "arg2 fmt_size must be > 0");
	if (!bpfvm_h_readable(exec, name, 1, r1, fmt_size))
		return 0;
	if (data_len % 8 || data_len > sizeof(args) || (data_len && !r3))
		return BPFVM_ERR(EINVAL);
	if (!bpfvm_h_readable(exec, name, 3, r3, data_len))
		return 0;
	if (data_len) /* r3 may be NULL when there are no arguments */
		memcpy(args, (const void *)(uintptr_t)r3, data_len);
	return print(exec, r1, fmt_size, args, data_len / 8);
}
