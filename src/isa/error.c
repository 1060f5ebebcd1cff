/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>

#include "bpfvm/isa.h"

int bpfvm_fail(bpfvm_error *err, int insn, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->insn = insn;
	err->line = -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}
