/* SPDX-License-Identifier: MIT */
/* The VM object: helpers, maps and programs by id, loading, running. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/vm_internal.h"

static void print_stderr(void *user, const char *line)
{
	fprintf(stderr, "%s\n", line);
}

bpfvm *bpfvm_new(void)
{
	bpfvm *vm = calloc(1, sizeof(*vm));

	if (vm) {
		vm->budget = BPFVM_DEFAULT_BUDGET;
		vm->print = print_stderr;
	}
	return vm;
}

void bpfvm_free(bpfvm *vm)
{
	if (!vm)
		return;
	for (int i = 0; i <= BPFVM_MAX_HELPER_ID; i++)
		free(vm->helpers[i].name);
	for (int i = 0; i < BPFVM_MAX_OBJECTS; i++)
		if (vm->maps[i])
			bpfvm_map_unref(vm->maps[i]);
	free(vm);
}

int bpfvm_register_helper(bpfvm *vm, uint32_t id, const char *name,
			  bpfvm_helper_fn fn)
{
	char *copy;

	if (id == 0 || id > BPFVM_MAX_HELPER_ID || !name)
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

void bpfvm_set_print(bpfvm *vm, bpfvm_print_fn fn, void *user)
{
	vm->print = fn ? fn : print_stderr;
	vm->print_user = user;
}

void bpfvm_set_clock(bpfvm *vm, bpfvm_clock_fn fn, void *user)
{
	vm->clock = fn;
	vm->clock_user = user;
}

/* PROG_ARRAY and map-in-map values are ids of this VM's objects; a
 * program's type is told as type + 1, never NULL. */
static void *resolve(void *owner, uint32_t kind, uint32_t id)
{
	bpfvm *vm = owner;
	bpfvm_prog *prog;

	if (kind == BPFVM_OBJ_MAP)
		return bpfvm_get_map(vm, id);
	prog = bpfvm_get_prog(vm, id);
	if (kind == BPFVM_OBJ_PROG_TYPE)
		return prog ? (void *)((uintptr_t)prog->type + 1) : NULL;
	return prog;
}

int bpfvm_add_map(bpfvm *vm, bpfvm_map *map)
{
	for (int id = 1; id < BPFVM_MAX_OBJECTS; id++)
		if (!vm->maps[id]) {
			bpfvm_map_ref(map);
			bpfvm_map_set_object_resolver(map, resolve, vm);
			vm->maps[id] = map;
			return id;
		}
	return -1;
}

bpfvm_map *bpfvm_get_map(const bpfvm *vm, uint32_t id)
{
	return id < BPFVM_MAX_OBJECTS ? vm->maps[id] : NULL;
}

bpfvm_prog *bpfvm_get_prog(const bpfvm *vm, uint32_t id)
{
	return id < BPFVM_MAX_OBJECTS ? vm->progs[id] : NULL;
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
		    !vm->helpers[in->imm].name)
			return bpfvm_fail(err, (int)pc, "invalid func unknown#%d: "
				"helper %d is not provided", in->imm, in->imm);
		if (!vm->helpers[in->imm].fn)
			return bpfvm_fail(err, (int)pc, "helper %s#%d is not "
				"provided by this runtime",
				vm->helpers[in->imm].name, in->imm);
	}
	return 0;
}

/* Keep map (with a reference) among the program's maps. */
static int use_map(bpfvm_prog *prog, bpfvm_map *map)
{
	for (size_t i = 0; i < prog->nmaps; i++)
		if (prog->maps[i] == map)
			return 0;
	bpfvm_map **grown = realloc(prog->maps,
				    (prog->nmaps + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	prog->maps = grown;
	bpfvm_map_ref(map);
	prog->maps[prog->nmaps++] = map;
	return 0;
}

static int add_static(bpfvm_prog *prog, void *lo, size_t len, bool writable)
{
	struct static_region *grown = realloc(
		prog->statics, (prog->nstatics + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	prog->statics = grown;
	prog->statics[prog->nstatics++] = (struct static_region){
		.lo = (uintptr_t)lo, .len = len, .writable = writable
	};
	return 0;
}

/* The value an lddw with a pseudo source loads: a map, an address inside
 * a map's value (global data), or a function of the program. */
static int resolve_lddw(bpfvm_prog *prog, size_t pc, bpfvm_error *err)
{
	const bpfvm_insn *in = &prog->insns[pc];
	struct vinsn *v = &prog->code[pc];
	int at = (int)pc;

	if (in->src == BPFVM_PSEUDO_FUNC) {
		v->imm = (int64_t)(uintptr_t)&prog->code[pc + in->imm + 1];
		return 0;
	}
	bpfvm_map *map = bpfvm_get_map(prog->vm, (uint32_t)in->imm);
	if (!map)
		return bpfvm_fail(err, at, "fd %d is not pointing to valid "
			"bpf_map (no map with id %d)", in->imm, in->imm);
	if (use_map(prog, map))
		return bpfvm_fail(err, at, "out of memory");
	if (in->src == BPFVM_PSEUDO_MAP_FD) {
		v->imm = (int64_t)(uintptr_t)map;
		return 0;
	}
	/* BPFVM_PSEUDO_MAP_VALUE: an address in an array map's value. */
	const struct bpfvm_map_spec *spec = bpfvm_map_get_spec(map);
	uint32_t off = (uint32_t)in[1].imm, zero = 0;
	if (spec->type != BPFVM_MAP_ARRAY)
		return bpfvm_fail(err, at, "map %d: direct value access needs "
			"an array map", in->imm);
	if (off >= spec->value_size)
		return bpfvm_fail(err, at, "invalid access to map value "
			"pointer, value_size=%u off=%u", spec->value_size, off);
	uint8_t *value = bpfvm_map_lookup_elem(map, &zero);
	if (!value)
		return bpfvm_fail(err, at, "map %d has no element 0", in->imm);
	if (add_static(prog, value, spec->value_size,
		       !(spec->map_flags & BPFVM_F_RDONLY_PROG)))
		return bpfvm_fail(err, at, "out of memory");
	v->imm = (int64_t)(uintptr_t)(value + off);
	return 0;
}

static unsigned entry_regs(enum bpfvm_prog_type type)
{
	unsigned regs = BPFVM_REG(1) | BPFVM_REG(10);
	return type == BPFVM_PROG_RAW ? regs | BPFVM_REG(2) : regs;
}

static int register_prog(bpfvm *vm, bpfvm_prog *prog)
{
	for (uint32_t id = 1; id < BPFVM_MAX_OBJECTS; id++)
		if (!vm->progs[id]) {
			vm->progs[id] = prog;
			prog->id = id;
			return 0;
		}
	return -1;
}

bpfvm_prog *bpfvm_load_typed(bpfvm *vm, enum bpfvm_prog_type type,
			     const char *name, const bpfvm_insn *insns,
			     size_t count, bpfvm_error *err)
{
	bpfvm_prog *prog;

	if (bpfvm_check(insns, count, entry_regs(type), err) ||
	    check_helpers(vm, insns, count, err))
		return NULL;
	prog = calloc(1, sizeof(*prog));
	if (!prog) {
		bpfvm_fail(err, -1, "out of memory");
		return NULL;
	}
	prog->vm = vm;
	prog->type = type;
	prog->count = count;
	prog->name = strdup(name ? name : "");
	prog->insns = malloc(count * sizeof(*insns));
	prog->code = calloc(count, sizeof(*prog->code));
	if (!prog->name || !prog->insns || !prog->code) {
		bpfvm_fail(err, -1, "out of memory");
		goto fail;
	}
	memcpy(prog->insns, insns, count * sizeof(*insns));
	if (bpfvm_decode(prog, err))
		goto fail;
	for (size_t pc = 0; pc < count; pc++) {
		if (insns[pc].code != BPFVM_OP_LDDW)
			continue;
		if (insns[pc].src != BPFVM_PSEUDO_NONE &&
		    resolve_lddw(prog, pc, err))
			goto fail;
		pc++;
	}
	if (register_prog(vm, prog)) {
		bpfvm_fail(err, -1, "too many programs (max %d)",
			   BPFVM_MAX_OBJECTS - 1);
		goto fail;
	}
	return prog;
fail:
	bpfvm_prog_free(prog);
	return NULL;
}

bpfvm_prog *bpfvm_load(bpfvm *vm, const bpfvm_insn *insns, size_t count,
		       bpfvm_error *err)
{
	return bpfvm_load_typed(vm, BPFVM_PROG_RAW, NULL, insns, count, err);
}

void bpfvm_prog_free(bpfvm_prog *prog)
{
	if (!prog)
		return;
	if (prog->id && prog->vm->progs[prog->id] == prog)
		prog->vm->progs[prog->id] = NULL;
	for (size_t i = 0; i < prog->nmaps; i++)
		bpfvm_map_unref(prog->maps[i]);
	free(prog->maps);
	free(prog->statics);
	free(prog->func_start);
	free(prog->name);
	free(prog->insns);
	free(prog->code);
	free(prog);
}

const bpfvm_insn *bpfvm_prog_insns(const bpfvm_prog *prog, size_t *count)
{
	*count = prog->count;
	return prog->insns;
}

bpfvm *bpfvm_prog_vm(const bpfvm_prog *prog)
{
	return prog->vm;
}

uint32_t bpfvm_prog_id(const bpfvm_prog *prog)
{
	return prog->id;
}

enum bpfvm_prog_type bpfvm_prog_get_type(const bpfvm_prog *prog)
{
	return prog->type;
}

const char *bpfvm_prog_name(const bpfvm_prog *prog)
{
	return prog->name;
}

int bpfvm_run(const bpfvm_prog *prog, void *ctx, size_t len, uint64_t *r0,
	      bpfvm_error *err)
{
	bpfvm_exec exec;
	uint64_t args[5] = { (uintptr_t)ctx, len };

	bpfvm_exec_init(&exec, prog, ctx, ctx ? len : 0, true);
	if ((exec.budget -= prog->main_length) < 0)
		return bpfvm_fail(err, 0, "instruction budget of %llu "
			"exhausted", (unsigned long long)prog->vm->budget);
	return bpfvm_interp(&exec, prog->code, args, r0, err);
}
