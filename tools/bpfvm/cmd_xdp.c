/* SPDX-License-Identifier: MIT */
/* bpfvm xdp: an XDP program over a capture, with per-action counts. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *const action_names[] = {
	"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT",
	"other",
};

struct xdp_args {
	const char *obj, *section, *pcap, *out, *map_init;
	struct bpfvm_xdp_opts opts;
	bool dump_maps, json;
};

static int parse(int argc, char **argv, struct xdp_args *a)
{
	enum engine engine = ENGINE_INTERP;

	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		bool v = i + 1 < argc;
		if (parse_engine(s, &engine))
			continue;
		if (!strcmp(s, "--section") && v)
			a->section = argv[++i];
		else if (!strcmp(s, "--pcap") && v)
			a->pcap = argv[++i];
		else if (!strcmp(s, "--out") && v)
			a->out = argv[++i];
		else if (!strcmp(s, "--map-init") && v)
			a->map_init = argv[++i];
		else if (!strcmp(s, "--repeat") && v)
			a->opts.repeat = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(s, "--workers") && v)
			a->opts.workers = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(s, "--ifindex") && v)
			a->opts.ifindex = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(s, "--replay-clock"))
			a->opts.replay_clock = true;
		else if (!strcmp(s, "--dump-maps"))
			a->dump_maps = true;
		else if (!strcmp(s, "--json"))
			a->json = true;
		else if (s[0] != '-' && !a->obj)
			a->obj = s;
		else {
			die_msg("xdp: unexpected argument '%s'", s);
			return -1;
		}
	}
	if (!a->obj || !a->pcap || a->opts.workers > 256) {
		die_msg("usage: bpfvm xdp OBJ [--section S] --pcap IN [--out "
			"OUT.pcap] [--interp] [--repeat N] [--workers N<=256] "
			"[--map-init F] [--dump-maps] [--replay-clock] [--json]");
		return -1;
	}
	return 0;
}

static void report(const struct xdp_args *a, const struct bpfvm_xdp_result *r,
		   size_t packets)
{
	double pps = r->seconds > 0 ? (double)r->runs / r->seconds : 0;

	if (a->json) {
		printf("{\"packets\": %zu, \"runs\": %" PRIu64, packets, r->runs);
		for (int i = 0; i <= BPFVM_XDP_ACTIONS; i++)
			printf(", \"%s\": %" PRIu64, action_names[i],
			       r->actions[i]);
		printf(", \"errors\": %" PRIu64 ", \"seconds\": %.6f, "
		       "\"packets_per_second\": %.0f}\n",
		       r->errors, r->seconds, pps);
		return;
	}
	printf("packets: %zu (%" PRIu64 " runs)\n", packets, r->runs);
	for (int i = 0; i <= BPFVM_XDP_ACTIONS; i++)
		if (i < BPFVM_XDP_ACTIONS || r->actions[i])
			printf("%-13s %" PRIu64 "\n", action_names[i],
			       r->actions[i]);
	if (r->errors)
		printf("errors: %" PRIu64 " (first: insn %d: %s)\n", r->errors,
		       r->first_error.insn, r->first_error.msg);
	printf("time: %.3f s, %.0f packets/s\n", r->seconds, pps);
}

/* The program to run: from an ELF object, or assembly / raw bytecode
 * loaded as an XDP program. */
static int load(bpfvm *vm, const struct xdp_args *a, bpfvm_obj **obj,
		bpfvm_prog **prog, bpfvm_insn **insns)
{
	bpfvm_error err = { .insn = -1, .line = -1 };
	bpfvm_elf *elf;
	size_t count;

	*obj = NULL;
	*insns = NULL;
	if (is_elf_file(a->obj)) {
		if (bpfvm_elf_open(a->obj, &elf, &err)) {
			print_error(a->obj, &err);
			return -1;
		}
		if (bpfvm_obj_load(vm, elf, a->section, obj, &err)) {
			bpfvm_elf_close(elf);
			print_error(a->obj, &err);
			return -1;
		}
		*prog = bpfvm_obj_find_prog(*obj, a->section);
		if (!*prog || bpfvm_prog_get_type(*prog) != BPFVM_PROG_XDP) {
			die_msg("%s: no XDP program%s%s", a->obj,
				a->section ? " named " : "",
				a->section ? a->section : "");
			return -1;
		}
		return 0;
	}
	if (load_program_file(a->obj, a->section, insns, &count))
		return -1;
	*prog = bpfvm_load_typed(vm, BPFVM_PROG_XDP, a->obj, *insns, count,
				 &err);
	if (!*prog) {
		print_error(a->obj, &err);
		return -1;
	}
	return 0;
}

static int map_init(const bpfvm_obj *obj, const char *path)
{
	bpfvm_error err = { .insn = -1, .line = -1 };
	size_t size;
	char *text;
	int rc;

	if (!obj) {
		die_msg("--map-init needs an ELF object (its maps by name)");
		return -1;
	}
	if (!(text = read_file(path, &size)))
		return -1;
	rc = bpfvm_obj_map_init(obj, text, &err);
	if (rc)
		print_error(path, &err);
	free(text);
	return rc;
}

int cmd_xdp(int argc, char **argv)
{
	struct xdp_args a = { 0 };
	struct bpfvm_packets in = { 0 };
	struct bpfvm_xdp_result res = { 0 };
	bpfvm_error err = { .insn = -1, .line = -1 };
	bpfvm_obj *obj = NULL;
	bpfvm_prog *prog = NULL;
	bpfvm_insn *insns = NULL;
	int rc = 1;

	if (parse(argc, argv, &a))
		return 2;
	bpfvm *vm = cli_vm();
	if (load(vm, &a, &obj, &prog, &insns))
		goto out;
	if (a.map_init && map_init(obj, a.map_init))
		goto out;
	if (bpfvm_pcap_read(a.pcap, &in, &err)) {
		print_error(a.pcap, &err);
		goto out;
	}
	if (bpfvm_xdp_run(prog, &in, &a.opts, &res, &err)) {
		print_error("xdp", &err);
		goto out;
	}
	report(&a, &res, in.count);
	if (a.out && bpfvm_pcap_write(a.out, in.linktype, res.out.pkts,
				      res.out.count, &err)) {
		print_error(a.out, &err);
		goto out;
	}
	if (a.dump_maps && obj)
		map_dump(stdout, obj, NULL);
	rc = 0;
out:
	bpfvm_xdp_result_free(&res);
	bpfvm_packets_free(&in);
	if (obj)
		bpfvm_obj_free(obj);
	else
		bpfvm_prog_free(prog);
	free(insns);
	bpfvm_free(vm);
	return rc;
}
