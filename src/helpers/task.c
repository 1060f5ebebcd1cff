/* SPDX-License-Identifier: MIT */
/*
 * The "current task" helpers. The task running a bpfvm program is the
 * host thread that called bpfvm_run: its thread id is the kernel's pid,
 * its process id the kernel's tgid, its name the kernel's comm.
 */
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "helpers/helpers_internal.h"

/* (u64)tgid << 32 | pid, as the kernel's bpf_get_current_pid_tgid. */
uint64_t bpfvm_bpf_get_current_pid_tgid(bpfvm_exec *exec, uint64_t r1,
					uint64_t r2, uint64_t r3, uint64_t r4,
					uint64_t r5)
{
	uint32_t tid = (uint32_t)syscall(SYS_gettid);

	return (uint64_t)(uint32_t)getpid() << 32 | tid;
}

/* (u64)gid << 32 | uid: the real ids (the kernel reads current_cred()). */
uint64_t bpfvm_bpf_get_current_uid_gid(bpfvm_exec *exec, uint64_t r1,
				       uint64_t r2, uint64_t r3, uint64_t r4,
				       uint64_t r5)
{
	return (uint64_t)getgid() << 32 | (uint32_t)getuid();
}

/* get_current_comm(buf, size): the thread's name, cut to size - 1 bytes,
 * NUL-padded to size (the kernel's strscpy_pad). Returns 0. */
uint64_t bpfvm_bpf_get_current_comm(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				    uint64_t r3, uint64_t r4, uint64_t r5)
{
	char comm[17] = { 0 }; /* TASK_COMM_LEN + 1 */
	char *buf = (char *)(uintptr_t)r1;
	size_t size = (uint32_t)r2, n;

	if (!size)
		return bpfvm_h_abort(exec, "get_current_comm",
				     "arg2 size must be > 0");
	if (!bpfvm_h_writable(exec, "get_current_comm", 1, r1, size))
		return 0;
	prctl(PR_GET_NAME, comm);
	n = strnlen(comm, size - 1);
	memcpy(buf, comm, n);
	memset(buf + n, 0, size - n);
	return 0;
}
