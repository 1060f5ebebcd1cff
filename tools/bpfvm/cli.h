/* SPDX-License-Identifier: MIT */
/* What the CLI's subcommands share. */
#ifndef BPFVM_CLI_H
#define BPFVM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdio.h>

#include "bpfvm/bpfvm.h"
#include "bpfvm/net.h"
#include "bpfvm/object.h"

/* One subcommand: argv[0] is its name. Returns the process exit code. */
int cmd_run(int argc, char **argv);
int cmd_asm(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_conformance(int argc, char **argv);
int cmd_plugin(int argc, char **argv);
int cmd_xdp(int argc, char **argv);
int cmd_map(int argc, char **argv);
int cmd_kernel(int argc, char **argv);

/* Print "bpfvm: " and the message to stderr. */
void die_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print an error naming its instruction or line, prefixed by what. */
void print_error(const char *what, const bpfvm_error *err);

/* Read a whole file (NUL-terminated, size without the NUL). NULL on error,
 * with the reason printed. */
char *read_file(const char *path, size_t *size);

/* Parse hex bytes ("00 1f", "001f", "0x00 0x1f"); malloc'ed result.
 * Returns 0, or -1 with a message printed, naming where. */
int parse_hex_bytes(const char *text, uint8_t **out, size_t *len);

/* Whether the file starts with the ELF magic. */
bool is_elf_file(const char *path);

/* A program from a file: assembly (.s/.asm or text), raw bytecode
 * (.bin or binary), or ELF (refused until the ELF loader lands). */
int load_program_file(const char *path, const char *section,
		      bpfvm_insn **insns, size_t *count);

/* A VM with the kernel's helpers. */
bpfvm *cli_vm(void);

/* Every map of the object, keys and values typed through BTF where the
 * object has it, else hex (map_dump.c). */
void map_dump(FILE *out, const bpfvm_obj *obj, const char *only);

/* Execution engine chosen by --interp / --jit. */
enum engine { ENGINE_INTERP, ENGINE_JIT };
/* Parse an engine flag; returns true if arg was one. Exits on --jit while
 * no JIT is built. */
bool parse_engine(const char *arg, enum engine *engine);

#endif
