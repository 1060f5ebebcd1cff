/* SPDX-License-Identifier: MIT */
/* The VM object: helper table, settings, program load and run. */
#include <stdlib.h>
#include <string.h>

#include "vm/vm_internal.h"

bpfvm *bpfvm_new(void)
{
	bpfvm *vm = calloc(1, sizeof(*vm));

	if (vm)
		vm->budget = BPFVM_DEFAULT_BUDGET;
	return vm;
}

void bpfvm_free(bpfvm *vm)
{
	if (!vm)
		return;
	for (int i = 0; i <= BPFVM_MAX_HELPER_ID; i++)
		free(vm->helpers[i].name);
	free(vm);
}

int bpfvm_register_helper(bpfvm *vm, uint32_t id, const char *name,
			  bpfvm_helper_fn fn)
{
	char *copy;

	if (id == 0 || id > BPFVM_MAX_HELPER_ID || !fn || !name)
		return -1;
	copy = strdup(name);
	if (!copy)
		return -1;
	free(vm->helpers[id].name);
	vm->helpers[id].name = copy;
	vm->helpers[id].fn = fn;
	return 0;
}

const char *bpfvm_helper_name(const bpfvm *vm, uint32_t id)
{
	return id <= BPFVM_MAX_HELPER_ID ? vm->helpers[id].name : NULL;
}

void bpfvm_set_budget(bpfvm *vm, uint64_t budget)
{
	vm->budget = budget;
}

void bpfvm_set_user(bpfvm *vm, void *user)
{
	vm->user = user;
}

/* Every helper a program calls by id must be registered. */
static int check_helpers(const bpfvm *vm, const bpfvm_insn *insns,
			 size_t count, bpfvm_error *err)
{
	for (size_t pc = 0; pc < count; pc++) {
		const bpfvm_insn *in = &insns[pc];
		if (in->code == BPFVM_OP_LDDW) {
			pc++;
			continue;
		}
		if (in->code != BPFVM_OP_CALL || in->src != BPFVM_CALL_HELPER)
			continue;
		if (in->imm <= 0 || in->imm > BPFVM_MAX_HELPER_ID ||
		    !vm->helpers[in->imm].fn)
			return bpfvm_fail(err, (int)pc, "invalid func unknown#%d: "
				"helper %d is not provided", in->imm, in->imm);
	}
	return 0;
}

bpfvm_prog *bpfvm_load(bpfvm *vm, const bpfvm_insn *insns, size_t count,
		       bpfvm_error *err)
{
	unsigned entry = BPFVM_REG(1) | BPFVM_REG(2) | BPFVM_REG(10);
	bpfvm_prog *prog;

	if (bpfvm_check(insns, count, entry, err) ||
	    check_helpers(vm, insns, count, err))
		return NULL;
	prog = calloc(1, sizeof(*prog));
	if (!prog) {
		bpfvm_fail(err, -1, "out of memory");
		return NULL;
	}
	prog->vm = vm;
	prog->count = count;
	prog->insns = malloc(count * sizeof(*insns));
	prog->code = calloc(count, sizeof(*prog->code));
	if (!prog->insns || !prog->code) {
		bpfvm_fail(err, -1, "out of memory");
		bpfvm_prog_free(prog);
		return NULL;
	}
	memcpy(prog->insns, insns, count * sizeof(*insns));
	if (bpfvm_decode(prog, err)) {
		bpfvm_prog_free(prog);
		return NULL;
	}
	return prog;
}

void bpfvm_prog_free(bpfvm_prog *prog)
{
	if (!prog)
		return;
	free(prog->insns);
	free(prog->code);
	free(prog);
}

const bpfvm_insn *bpfvm_prog_insns(const bpfvm_prog *prog, size_t *count)
{
	*count = prog->count;
	return prog->insns;
}

int bpfvm_run(const bpfvm_prog *prog, void *ctx, size_t len, uint64_t *r0,
	      bpfvm_error *err)
{
	return bpfvm_interp(prog, ctx, len, true, r0, err);
}

void *bpfvm_exec_user(const bpfvm_exec *exec)
{
	return exec->user;
}

int bpfvm_exec_allow(bpfvm_exec *exec, const void *ptr, size_t len,
		     bool writable)
{
	if (exec->nregions == BPFVM_MAX_REGIONS)
		return -1;
	exec->regions[exec->nregions++] = (struct region){
		.lo = (uintptr_t)ptr, .len = len, .writable = writable
	};
	return 0;
}

void bpfvm_exec_abort(bpfvm_exec *exec, const char *msg)
{
	exec->abort_msg = msg ? msg : "aborted by a helper";
}
