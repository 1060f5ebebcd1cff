/* SPDX-License-Identifier: MIT */
/*
 * Every valid opcode of RFC 9669 (v1-v4 and the legacy packet loads), with
 * its conformance-syntax name and the instruction fields it uses.
 */
#include "isa/opcodes.h"
#include "bpfvm/isa.h"

#define ALU_K(op, name)                                              \
	[BPFVM_ALU | op | BPFVM_K] = { name "32", F_DST | F_IMM },   \
	[BPFVM_ALU64 | op | BPFVM_K] = { name, F_DST | F_IMM }
#define ALU_X(op, name)                                              \
	[BPFVM_ALU | op | BPFVM_X] = { name "32", F_DST | F_SRC },   \
	[BPFVM_ALU64 | op | BPFVM_X] = { name, F_DST | F_SRC }
#define ALU(op, name) ALU_K(op, name), ALU_X(op, name)
/* div, mod and mov select a signed variant through off. */
#define ALU_OFF(op, name)                                                    \
	[BPFVM_ALU | op | BPFVM_K] = { name "32", F_DST | F_IMM | F_OFF },   \
	[BPFVM_ALU64 | op | BPFVM_K] = { name, F_DST | F_IMM | F_OFF },      \
	[BPFVM_ALU | op | BPFVM_X] = { name "32", F_DST | F_SRC | F_OFF },   \
	[BPFVM_ALU64 | op | BPFVM_X] = { name, F_DST | F_SRC | F_OFF }
#define JCC(op, name)                                                          \
	[BPFVM_JMP | op | BPFVM_K] = { name, F_DST | F_IMM | F_OFF },          \
	[BPFVM_JMP | op | BPFVM_X] = { name, F_DST | F_SRC | F_OFF },         \
	[BPFVM_JMP32 | op | BPFVM_K] = { name "32", F_DST | F_IMM | F_OFF },  \
	[BPFVM_JMP32 | op | BPFVM_X] = { name "32", F_DST | F_SRC | F_OFF }
#define LDX(size, name)                                                        \
	[BPFVM_LDX | BPFVM_MEM | size] = { "ldx" name, F_DST | F_SRC | F_OFF }
#define LDXS(size, name)                                                       \
	[BPFVM_LDX | BPFVM_MEMSX | size] = { "ldxs" name, F_DST | F_SRC | F_OFF }
#define ST(size, name)                                                         \
	[BPFVM_ST | BPFVM_MEM | size] = { "st" name, F_DST | F_OFF | F_IMM },  \
	[BPFVM_STX | BPFVM_MEM | size] = { "stx" name, F_DST | F_SRC | F_OFF }
#define ATOMIC(size, name)                                                     \
	[BPFVM_STX | BPFVM_ATOMIC | size] = { name, F_DST | F_SRC | F_OFF | F_IMM }
#define LDPKT(size, name)                                                      \
	[BPFVM_LD | BPFVM_ABS | size] = { "ldabs" name, F_IMM },               \
	[BPFVM_LD | BPFVM_IND | size] = { "ldind" name, F_SRC | F_IMM }

const struct opinfo bpfvm_opinfo[256] = {
	ALU(BPFVM_ADD, "add"),
	ALU(BPFVM_SUB, "sub"),
	ALU(BPFVM_MUL, "mul"),
	ALU_OFF(BPFVM_DIV, "div"),
	ALU(BPFVM_OR, "or"),
	ALU(BPFVM_AND, "and"),
	ALU(BPFVM_LSH, "lsh"),
	ALU(BPFVM_RSH, "rsh"),
	ALU_OFF(BPFVM_MOD, "mod"),
	ALU(BPFVM_XOR, "xor"),
	ALU_OFF(BPFVM_MOV, "mov"),
	ALU(BPFVM_ARSH, "arsh"),
	[BPFVM_ALU | BPFVM_NEG | BPFVM_K] = { "neg32", F_DST },
	[BPFVM_ALU64 | BPFVM_NEG | BPFVM_K] = { "neg", F_DST },
	[BPFVM_ALU | BPFVM_END | BPFVM_K] = { "le", F_DST | F_IMM },
	[BPFVM_ALU | BPFVM_END | BPFVM_X] = { "be", F_DST | F_IMM },
	[BPFVM_ALU64 | BPFVM_END | BPFVM_K] = { "bswap", F_DST | F_IMM },

	[BPFVM_OP_JA] = { "ja", F_OFF },
	[BPFVM_OP_JA32] = { "ja32", F_IMM },
	JCC(BPFVM_JEQ, "jeq"),
	JCC(BPFVM_JGT, "jgt"),
	JCC(BPFVM_JGE, "jge"),
	JCC(BPFVM_JSET, "jset"),
	JCC(BPFVM_JNE, "jne"),
	JCC(BPFVM_JSGT, "jsgt"),
	JCC(BPFVM_JSGE, "jsge"),
	JCC(BPFVM_JLT, "jlt"),
	JCC(BPFVM_JLE, "jle"),
	JCC(BPFVM_JSLT, "jslt"),
	JCC(BPFVM_JSLE, "jsle"),
	[BPFVM_OP_CALL] = { "call", F_SRC | F_IMM },
	[BPFVM_OP_CALLX] = { "callx", F_DST },
	[BPFVM_OP_EXIT] = { "exit", 0 },

	[BPFVM_OP_LDDW] = { "lddw", F_DST | F_SRC | F_IMM },
	LDPKT(BPFVM_W, "w"),
	LDPKT(BPFVM_H, "h"),
	LDPKT(BPFVM_B, "b"),
	LDX(BPFVM_W, "w"),
	LDX(BPFVM_H, "h"),
	LDX(BPFVM_B, "b"),
	LDX(BPFVM_DW, "dw"),
	LDXS(BPFVM_W, "w"),
	LDXS(BPFVM_H, "h"),
	LDXS(BPFVM_B, "b"),
	ST(BPFVM_W, "w"),
	ST(BPFVM_H, "h"),
	ST(BPFVM_B, "b"),
	ST(BPFVM_DW, "dw"),
	ATOMIC(BPFVM_W, "lock32"),
	ATOMIC(BPFVM_DW, "lock"),
};

int bpfvm_opcode_valid(uint8_t code)
{
	return bpfvm_opinfo[code].name != NULL;
}

const char *bpfvm_opcode_name(uint8_t code)
{
	return bpfvm_opinfo[code].name;
}
