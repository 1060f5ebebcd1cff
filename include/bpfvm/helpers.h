/* SPDX-License-Identifier: MIT */
/*
 * bpfvm helpers: the kernel's helper functions under the kernel's ids, with
 * the kernel's prototypes and semantics, for programs run in bpfvm.
 */
#ifndef BPFVM_HELPERS_H
#define BPFVM_HELPERS_H

#include <stdint.h>

#include "vm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What an argument must be, and what a helper returns: the kernel's
 * bpf_arg_type / bpf_return_type, as the verifier checks them. */
enum bpfvm_arg {
	BPFVM_ARG_NONE = 0, /* unused */
	BPFVM_ARG_ANYTHING, /* any initialised value */
	BPFVM_ARG_CONST_MAP_PTR,
	BPFVM_ARG_PTR_TO_MAP_KEY, /* key_size readable bytes */
	BPFVM_ARG_PTR_TO_MAP_VALUE, /* value_size readable bytes */
	BPFVM_ARG_PTR_TO_UNINIT_MAP_VALUE, /* value_size writable bytes */
	BPFVM_ARG_PTR_TO_MEM, /* readable; size in the next argument */
	BPFVM_ARG_PTR_TO_UNINIT_MEM, /* writable; size in the next arg */
	BPFVM_ARG_CONST_SIZE, /* size of the previous pointer, > 0 */
	BPFVM_ARG_CONST_SIZE_OR_ZERO,
	BPFVM_ARG_PTR_TO_CTX,
	BPFVM_ARG_PTR_TO_FUNC, /* a callback (lddw BPFVM_PSEUDO_FUNC) */
	BPFVM_ARG_PTR_TO_STACK_OR_NULL, /* callback context */
	BPFVM_ARG_PTR_TO_ALLOC_MEM, /* from ringbuf_reserve (released) */
	BPFVM_ARG_PTR_TO_CONST_STR, /* NUL-terminated read-only string */
	BPFVM_ARG_CONST_ALLOC_SIZE_OR_ZERO,
};

enum bpfvm_ret {
	BPFVM_RET_INTEGER = 0,
	BPFVM_RET_VOID,
	BPFVM_RET_PTR_TO_MAP_VALUE_OR_NULL,
	BPFVM_RET_PTR_TO_ALLOC_MEM_OR_NULL, /* ringbuf_reserve */
};

struct bpfvm_helper_proto {
	uint32_t id;
	const char *name; /* without the bpf_ prefix, as the kernel's enum */
	bpfvm_helper_fn fn; /* NULL: known to the kernel, not provided */
	enum bpfvm_ret ret;
	enum bpfvm_arg args[5];
	bool gpl_only;
	bool packet_only; /* XDP / skb programs (adjust_head, redirect) */
};

/* The prototype of kernel helper id, or NULL for an id the kernel does
 * not have. Every kernel helper id has an entry; fn says if bpfvm
 * provides it. */
const struct bpfvm_helper_proto *bpfvm_helper_proto(uint32_t id);

/* Register every helper bpfvm provides under its kernel id, and the
 * names of the rest (so a program calling one is refused naming it).
 * Returns 0 or -1. */
int bpfvm_register_kernel_helpers(bpfvm *vm);

#ifdef __cplusplus
}
#endif
#endif
