/* SPDX-License-Identifier: MIT */
/*
 * bpfvm kernel backend: the same object loaded into the running Linux
 * kernel through libbpf, run with BPF_PROG_TEST_RUN, attached to XDP. The
 * oracle for differential tests, and the way to deploy what bpfvm ran.
 */
#ifndef BPFVM_KERNEL_H
#define BPFVM_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isa.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bpfvm_kobj bpfvm_kobj;

/* Whether bpf(2) can load programs here; why not in why. */
bool bpfvm_kernel_available(char *why, size_t whylen);

/* Open and load an object (all its programs and maps) into the kernel.
 * On failure err->msg holds libbpf's reason and the verifier's log tail. */
int bpfvm_kernel_load(const char *path, bpfvm_kobj **out, bpfvm_error *err);
void bpfvm_kernel_close(bpfvm_kobj *kobj);

/* Set map entries from the host, as bpfvm_map_update does. */
int bpfvm_kernel_map_update(bpfvm_kobj *kobj, const char *map,
			    const void *key, const void *value,
			    size_t value_size, uint64_t flags,
			    bpfvm_error *err);

/* Read one entry into value (value_size bytes: the map's value size, or
 * for per-CPU maps every possible CPU's value, each rounded up to 8
 * bytes, as bpfvm_map_lookup gives them). Returns 0, or -errno (-ENOENT
 * for a key not in the map) with err saying what failed. */
int bpfvm_kernel_map_lookup(bpfvm_kobj *kobj, const char *map,
			    const void *key, void *value, size_t value_size,
			    bpfvm_error *err);

/*
 * BPF_PROG_TEST_RUN of program prog (section or function name; NULL: the
 * first) on data. out (capacity *out_len) receives the packet as the
 * program left it; *out_len its length. repeat runs it that many times
 * (duration_ns: the kernel's mean ns per run). Returns 0, or -1 with err
 * (e.g. the kernel refused the input size).
 */
int bpfvm_kernel_test_run(bpfvm_kobj *kobj, const char *prog,
			  const void *data, size_t len, void *out,
			  size_t *out_len, uint32_t *retval, uint32_t repeat,
			  uint32_t *duration_ns, bpfvm_error *err);

/* Attach an XDP program to an interface (mode: "skb", "native" or NULL
 * for the kernel's choice); detach with bpfvm_kernel_xdp_detach. */
int bpfvm_kernel_xdp_attach(bpfvm_kobj *kobj, const char *prog,
			    const char *ifname, const char *mode,
			    bpfvm_error *err);
int bpfvm_kernel_xdp_detach(const char *ifname, bpfvm_error *err);

#ifdef __cplusplus
}
#endif
#endif
