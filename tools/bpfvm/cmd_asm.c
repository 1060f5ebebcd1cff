/* SPDX-License-Identifier: MIT */
/* bpfvm asm: assembly text to raw bytecode. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* FILE.s -> FILE.bin */
static char *default_output(const char *path)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - path)
						     : strlen(path);
	char *out = malloc(stem + 5);

	if (out) {
		memcpy(out, path, stem);
		memcpy(out + stem, ".bin", 5);
	}
	return out;
}

int cmd_asm(int argc, char **argv)
{
	const char *path = NULL, *out_path = NULL;
	bpfvm_error err = { .insn = -1, .line = -1 };
	bpfvm_insn *insns;
	size_t size, count;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out_path = argv[++i];
		else if (argv[i][0] != '-' && !path)
			path = argv[i];
		else {
			die_msg("usage: bpfvm asm FILE.s [-o OUT.bin]");
			return 2;
		}
	}
	if (!path) {
		die_msg("usage: bpfvm asm FILE.s [-o OUT.bin]");
		return 2;
	}
	char *text = read_file(path, &size);
	if (!text)
		return 1;
	if (bpfvm_asm(text, &insns, &count, &err)) {
		print_error(path, &err);
		free(text);
		return 1;
	}
	char *owned = out_path ? NULL : default_output(path);
	const char *dest = out_path ? out_path : owned;
	FILE *f = dest ? fopen(dest, "wb") : NULL;
	if (!f)
		die_msg("%s: %s", dest ? dest : path,
			dest ? strerror(errno) : "out of memory");
	else if (fwrite(insns, sizeof(*insns), count, f) != count)
		die_msg("%s: write error", dest);
	else
		rc = 0;
	if (f && fclose(f) && rc == 0) {
		die_msg("%s: %s", dest, strerror(errno));
		rc = 1;
	}
	free(owned);
	free(insns);
	free(text);
	return rc;
}
