/* SPDX-License-Identifier: MIT */
/* The bpf_conformance .data test format. */
#ifndef BPFVM_DATA_FILE_H
#define BPFVM_DATA_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct data_test {
	char *asm_text; /* the -- asm section, as written */
	uint8_t *raw; /* the -- raw section as bytes (words stored LE) */
	size_t raw_len;
	uint8_t *mem;
	size_t mem_len;
	bool has_result;
	uint64_t result;
	char *error; /* the -- error text, or NULL */
};

/* Parse text; returns 0, or -1 with msg filled ("line N: ..."). */
int data_test_parse(const char *text, struct data_test *t, char *msg,
		    size_t msglen);
void data_test_free(struct data_test *t);

#endif
