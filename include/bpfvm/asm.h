/* SPDX-License-Identifier: MIT */
/*
 * bpfvm text assembler and disassembler.
 *
 * Two syntaxes:
 *  - conformance: the bpf_conformance .data syntax, e.g. `mov32 %r0, 1`,
 *    `ldxdw %r1, [%r10-8]`, `lock fetch add [%r10-8], %r1`, `jeq %r1, 2, L`,
 *    `call local f`, `le16 %r0`, `movsx832 %r0, %r1`, `sdiv %r0, 3`.
 *  - kernel: the kernel verifier log / llvm-objdump style, e.g. `r0 = 1`,
 *    `if r1 > r2 goto +3`, `*(u64 *)(r10 - 8) = r1`, `w0 += w1`,
 *    `r0 = 0x1122334455667788 ll`, `r1 = atomic_fetch_add((u64 *)(r10 -
 *    8), r1)`, `r0 = *(u8 *)skb[23]`. wN names a register in a 32-bit ALU
 *    operation or jump (JMP32); in loads, stores and atomics rN and wN are
 *    the same register.
 * The assembler reads both, even mixed, and disassembling then assembling
 * any program gives back the identical bytes.
 *
 * Lines: one instruction a line; `#` or `;` starts a comment; blanks and
 * empty lines are ignored. `name:` defines a label (also before an
 * instruction on the same line); a leading `12:` and `(b7)`, as in the
 * verifier log, are skipped. A line is kernel syntax when it starts with
 * `*`, `if`, `goto`, `gotol`, a register (`r0`, `w3`), or `lock *`; `.insn`
 * is a directive; anything else starts with a conformance mnemonic. call,
 * callx and exit are spelled alike in both and take either's operands:
 * `call 5` (helper), `call local f`, `call pc+3`, `call f` (local), `call
 * %r2`, `callx r2`.
 *
 * Immediates: a decimal value is signed 32-bit ([-2147483648, 2147483647]);
 * a hex value is a 32-bit pattern (0xffffffff is -1; 0x100000000 does not
 * fit); -0x... negates. lddw (`lddw %r0, V`, `r0 = V ll`) and `.insn V`
 * take any 64-bit value. Memory offsets and jump offsets are signed
 * decimal or hex within int16 (imm32 for ja32 and local calls).
 *
 * Jump targets: a label, or `+N` / `-N` (`pc+N` also) counted in slots
 * from the next instruction. The label `exit` names the first exit
 * instruction unless the program defines `exit:`.
 *
 * `.insn 0xHHHHHHHHHHHHHHHH` emits one raw slot: the little-endian u64 of
 * its 8 bytes (bits 0-7 code, 8-11 dst, 12-15 src, 16-31 off, 32-63 imm).
 */
#ifndef BPFVM_ASM_H
#define BPFVM_ASM_H

#include <stdio.h>

#include "isa.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bpfvm_syntax {
	BPFVM_SYNTAX_CONFORMANCE = 0,
	BPFVM_SYNTAX_KERNEL = 1,
} bpfvm_syntax;

/*
 * Assemble NUL-terminated text. On success *out is a malloc'ed array of
 * *count instruction slots (lddw takes two; count > 0) and 0 is returned.
 * On error -1 is returned, *out is NULL, and err->line (1-based), err->insn
 * (the slot the line would fill) and err->msg say where and what
 * ("Invalid register: %r11", "Invalid label: L9", "Invalid number of
 * operands for lock", ...). Text without any instruction is an error.
 */
int bpfvm_asm(const char *text, bpfvm_insn **out, size_t *count,
	      bpfvm_error *err);

/*
 * Disassemble the one instruction at insns[pc] (reading insns[pc + 1] for
 * lddw; count bounds that) into buf, NUL-terminated and cut to buflen.
 * Jump and local-call targets print as relative offsets (`+3`, `-2`) so
 * the text assembles back to the same bytes. Returns the number of slots
 * consumed (1 or 2; 0 when pc >= count). An encoding without a text form
 * (an invalid instruction, lddw with a pseudo source or without a proper
 * second slot, the second slot itself) takes 1 slot and prints as a
 * `.insn` directive holding the raw 64-bit slot.
 */
int bpfvm_disasm_insn(const bpfvm_insn *insns, size_t count, size_t pc,
		      bpfvm_syntax syntax, char *buf, size_t buflen);

/*
 * Disassemble a whole program, one instruction a line. With labels set,
 * jump targets get `L<pc>:` labels and jumps name them instead of
 * offsets (targets outside the program or inside lddw keep offsets);
 * with show_pc set each line starts with the instruction index (`  12: `,
 * which the assembler skips). Either way the text assembles back to the
 * same bytes.
 */
void bpfvm_disasm(FILE *out, const bpfvm_insn *insns, size_t count,
		  bpfvm_syntax syntax, int labels, int show_pc);

#ifdef __cplusplus
}
#endif
#endif
