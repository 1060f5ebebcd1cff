/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the ELF reader on arbitrary bytes. Every input must
 * either open or be refused with a message; an object that opens must be
 * consistent (calls, callbacks and map indexes inside their bounds) and
 * every map's key and value, and the first BTF types, must format.
 * Seeds: the objects of tests/progs (fuzz/corpus/fuzz_elf/).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_prog(const bpfvm_elf *elf, const struct bpfvm_elf_prog *p)
{
	if (!p->name || !p->section || !p->insns || !p->count)
		abort();
	for (size_t pc = 0; pc < p->count; pc++) {
		const bpfvm_insn *in = &p->insns[pc];
		long t = (long)pc + 1 + in->imm;

		if (in->code == 0x85 && in->src == 1 &&
		    (t < 0 || t >= (long)p->count))
			abort();
		if (in->code != 0x18)
			continue;
		if (in->src == BPFVM_PSEUDO_FUNC &&
		    (t < 0 || t >= (long)p->count))
			abort();
		if ((in->src == BPFVM_PSEUDO_MAP_IDX ||
		     in->src == BPFVM_PSEUDO_MAP_IDX_VALUE) &&
		    (size_t)in->imm >= bpfvm_elf_nmaps(elf))
			abort();
		pc++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t zeros[512];
	bpfvm_error err = { 0 };
	bpfvm_elf *elf;
	char buf[256];

	if (bpfvm_elf_open_mem(data, size, &elf, &err)) {
		if (!err.msg[0])
			abort(); /* a refusal always says why */
		return 0;
	}
	for (size_t i = 0; i < bpfvm_elf_nprogs(elf); i++)
		check_prog(elf, bpfvm_elf_prog(elf, i));
	for (size_t i = 0; i < bpfvm_elf_nmaps(elf); i++) {
		const struct bpfvm_elf_map *m = bpfvm_elf_map(elf, i);
		size_t vs = m->data ? m->data_size : m->spec.value_size;

		if (!m->spec.name)
			abort();
		if (bpfvm_elf_format(elf, m->btf_key_type, zeros,
				     m->spec.key_size % sizeof(zeros), buf,
				     sizeof(buf)) >= sizeof(buf))
			abort();
		if (bpfvm_elf_format(elf, m->btf_value_type,
				     m->data ? m->data : zeros,
				     m->data ? vs : vs % sizeof(zeros), buf,
				     sizeof(buf)) >= sizeof(buf))
			abort();
	}
	/* The input's own bytes as data of the first types. */
	for (uint32_t id = 0; id < 32; id++)
		bpfvm_elf_format(elf, id, data, size < 64 ? size : 64, buf,
				 sizeof(buf));
	bpfvm_elf_close(elf);
	return 0;
}
