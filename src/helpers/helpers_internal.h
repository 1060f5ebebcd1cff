/* SPDX-License-Identifier: MIT */
/*
 * What the helper files share: the helpers bpfvm provides (one function
 * each, named bpfvm_bpf_<kernel name>), and the checks every helper makes
 * on what an unverified program hands it.
 *
 * A helper never trusts its arguments: a pointer is checked with
 * bpfvm_exec_readable/writable, a map with bpfvm_h_map. Where the kernel's
 * verifier would have refused the program (a pointer that is not one, a
 * map of the wrong type) the helper stops the run with a message saying
 * which argument was wrong; where the kernel checks at run time, the
 * helper returns the kernel's error code.
 */
#ifndef BPFVM_HELPERS_INTERNAL_H
#define BPFVM_HELPERS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/helpers.h"
#include "bpfvm/maps.h"
#include "bpfvm/vm.h"

/* Every helper bpfvm provides, by its kernel name. protos.c puts them in
 * the table; each family's file defines them. */
#define BPFVM_PROVIDED_HELPERS(X)                                              \
	X(map_lookup_elem)                                                     \
	X(map_update_elem)                                                     \
	X(map_delete_elem)                                                     \
	X(ktime_get_ns)                                                        \
	X(trace_printk)                                                        \
	X(get_prandom_u32)                                                     \
	X(get_smp_processor_id)                                                \
	X(tail_call)                                                           \
	X(get_current_pid_tgid)                                                \
	X(get_current_uid_gid)                                                 \
	X(get_current_comm)                                                    \
	X(redirect)                                                            \
	X(csum_diff)                                                           \
	X(get_numa_node_id)                                                    \
	X(xdp_adjust_head)                                                     \
	X(redirect_map)                                                        \
	X(xdp_adjust_meta)                                                     \
	X(xdp_adjust_tail)                                                     \
	X(map_push_elem)                                                       \
	X(map_pop_elem)                                                        \
	X(map_peek_elem)                                                       \
	X(jiffies64)                                                           \
	X(ktime_get_boot_ns)                                                   \
	X(ringbuf_output)                                                      \
	X(ringbuf_reserve)                                                     \
	X(ringbuf_submit)                                                      \
	X(ringbuf_discard)                                                     \
	X(ringbuf_query)                                                       \
	X(ktime_get_coarse_ns)                                                 \
	X(for_each_map_elem)                                                   \
	X(snprintf)                                                            \
	X(trace_vprintk)                                                       \
	X(loop)                                                                \
	X(strncmp)                                                             \
	X(strtol)                                                              \
	X(strtoul)                                                             \
	X(xdp_get_buff_len)                                                    \
	X(xdp_load_bytes)                                                      \
	X(xdp_store_bytes)                                                     \
	X(map_lookup_percpu_elem)                                              \
	X(ktime_get_tai_ns)

#define BPFVM_DECLARE_HELPER(name)                                             \
	uint64_t bpfvm_bpf_##name(bpfvm_exec *exec, uint64_t r1, uint64_t r2,  \
				  uint64_t r3, uint64_t r4, uint64_t r5);
BPFVM_PROVIDED_HELPERS(BPFVM_DECLARE_HELPER)
#undef BPFVM_DECLARE_HELPER

/* Kernel helper ids the helpers themselves need (enum bpf_func_id). */
enum {
	BPFVM_FUNC_map_lookup_elem = 1,
	BPFVM_FUNC_map_update_elem = 2,
	BPFVM_FUNC_map_delete_elem = 3,
	BPFVM_FUNC_tail_call = 12,
	BPFVM_FUNC_redirect_map = 51,
	BPFVM_FUNC_map_push_elem = 87,
	BPFVM_FUNC_map_pop_elem = 88,
	BPFVM_FUNC_map_peek_elem = 89,
	BPFVM_FUNC_ringbuf_output = 130,
	BPFVM_FUNC_ringbuf_reserve = 131,
	BPFVM_FUNC_ringbuf_query = 134,
	BPFVM_FUNC_for_each_map_elem = 164,
	BPFVM_FUNC_map_lookup_percpu_elem = 195,
};

/* Helpers return negative errno values in r0, as the kernel's do. */
#define BPFVM_ERR(e) ((uint64_t)(int64_t) - (e))

/*
 * Stop the run: the message (printf-style, prefixed with the helper's
 * name) says what the program got wrong. Returns 0, for helpers to return.
 */
uint64_t bpfvm_h_abort(bpfvm_exec *exec, const char *helper, const char *fmt,
		       ...) __attribute__((format(printf, 3, 4)));

/*
 * Argument checks for what the kernel's verifier proves before a program
 * runs: true when the program may read (write) [addr, addr + len);
 * otherwise the run is stopped naming the helper and argument (1-5) and
 * false is returned. len 0 is always fine, as for the kernel's
 * ARG_CONST_SIZE_OR_ZERO.
 */
bool bpfvm_h_readable(bpfvm_exec *exec, const char *helper, int arg,
		      uint64_t addr, uint64_t len);
bool bpfvm_h_writable(bpfvm_exec *exec, const char *helper, int arg,
		      uint64_t addr, uint64_t len);
/* Length of the NUL-terminated string at addr (at most max bytes
 * scanned), or -1 when a byte before the NUL is not readable or there is
 * no NUL within max. */
long bpfvm_h_strlen(const bpfvm_exec *exec, uint64_t addr, size_t max);

/*
 * The map behind a map pointer the program passed as argument arg: one of
 * the program's maps (bpfvm_exec_map), or an inner map it got from
 * map_lookup_elem on one of them. When func_id's helper cannot take a map
 * of that type (the kernel verifier's check_map_func_compatibility) or
 * the value is no map, the run is stopped and NULL returned.
 */
bpfvm_map *bpfvm_h_map(bpfvm_exec *exec, const char *helper, uint32_t func_id,
		       int arg, uint64_t ptr);
/* map_lookup_elem on a map-in-map (outer, which the program passed as
 * outer_ptr) gave inner for key: remember it so that bpfvm_h_map accepts
 * inner later in this thread. */
void bpfvm_h_inner_seen(uint64_t outer_ptr, bpfvm_map *outer, const void *key,
			bpfvm_map *inner);

/* The program type of the running program. */
enum bpfvm_prog_type bpfvm_h_prog_type(const bpfvm_exec *exec);

/*
 * The kernel's bpf_bprintf_prepare + bstr_printf: format fmt (its first
 * fmt_len bytes hold a NUL; the bytes are readable) with at most nargs
 * arguments into out[0, size), NUL-terminated when size > 0. Returns the
 * length the whole output has (as snprintf), or -EINVAL for a format the
 * kernel refuses: a character that is not printable ASCII, more
 * conversions than nargs, or a conversion outside the kernel's subset.
 */
long bpfvm_h_format(const bpfvm_exec *exec, const char *fmt, size_t fmt_len,
		    const uint64_t *args, unsigned nargs, char *out,
		    size_t size);
#define BPFVM_BPRINTF_BUF     512 /* MAX_BPRINTF_BUF */
#define BPFVM_BPRINTF_VARARGS 12  /* MAX_BPRINTF_VARARGS */

/* Emit one bpf_trace_printk line (msg without its trailing newline) in
 * the kernel's trace_pipe format. */
void bpfvm_h_trace_line(bpfvm_exec *exec, const char *msg);

#endif
