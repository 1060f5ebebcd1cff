/* SPDX-License-Identifier: MIT */
/* bpfvm: the command line. One file per subcommand; this one dispatches. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
} commands[] = {
	{ "run", cmd_run,
	  "run FILE [--mem HEX | --mem-file F] [--interp | --jit] "
	  "[--no-verify] [--section S] [--budget N]" },
	{ "asm", cmd_asm, "asm FILE.s [-o OUT.bin]" },
	{ "disasm", cmd_disasm,
	  "disasm FILE [--section S] [--syntax kernel|conformance] "
	  "[--labels] [--pc]" },
	{ "conformance", cmd_conformance,
	  "conformance [--interp | --jit] [--negative] [-v] FILE.data..." },
	{ "plugin", cmd_plugin, "plugin [--interp | --jit] [MEMHEX]" },
	{ "xdp", cmd_xdp,
	  "xdp OBJ [--section S] --pcap IN [--out OUT.pcap] [--interp] "
	  "[--repeat N] [--workers N] [--map-init F] [--dump-maps] "
	  "[--replay-clock] [--json]" },
	{ "kernel", cmd_kernel,
	  "kernel load OBJ | run OBJ --pcap F | attach OBJ --dev IFACE "
	  "[--mode skb|native] [--section S] [--map-init F] [--seconds N]" },
	{ "map", cmd_map,
	  "map dump|lookup|update|delete OBJ [MAP [KEY-FIELDS [= "
	  "VALUE-FIELDS]]] [--map-init F]" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static int usage(FILE *out)
{
	fprintf(out, "usage: bpfvm COMMAND [ARGS]\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  bpfvm %s\n", commands[i].usage);
	return out == stderr ? 2 : 0;
}

/* The bpf_conformance runner starts its plugin as `PLUGIN MEMHEX OPTIONS`,
 * so `--plugin_path bpfvm --plugin_options plugin` arrives with "plugin"
 * after the memory: find it anywhere. */
static int plugin_position(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "plugin", 6) &&
		    (argv[i][6] == 0 || argv[i][6] == ' '))
			return i;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help"))
		return usage(stdout);
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	if (plugin_position(argc, argv))
		return cmd_plugin(argc, argv);
	fprintf(stderr, "bpfvm: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
