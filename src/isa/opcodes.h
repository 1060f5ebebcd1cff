/* SPDX-License-Identifier: MIT */
/* The opcode table: one row per valid code, shared by checker and (dis)assembler. */
#ifndef BPFVM_ISA_OPCODES_H
#define BPFVM_ISA_OPCODES_H

#include <stdint.h>

/* The fields an encoding uses; every other field must be zero. Fields that
 * select a variant (off of div/mod/mov, imm of end/atomic, src of call and
 * lddw) are marked used here and their values checked in check.c. */
enum { F_DST = 1, F_SRC = 2, F_OFF = 4, F_IMM = 8 };

struct opinfo {
	const char *name; /* conformance-syntax mnemonic; NULL: invalid code */
	uint8_t fields;
};

extern const struct opinfo bpfvm_opinfo[256];

#endif
