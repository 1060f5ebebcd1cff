/* SPDX-License-Identifier: MIT */
/*
 * bpfvm kernel: the same object in the Linux kernel, through libbpf.
 *
 *   bpfvm kernel load OBJ                 load (verify) every program
 *   bpfvm kernel run OBJ --pcap F [--section S] [--map-init F]
 *                                         BPF_PROG_TEST_RUN per packet
 *   bpfvm kernel attach OBJ --dev IFACE [--mode skb|native] [--section S]
 *                          [--map-init F] [--seconds N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfvm/kernel.h"
#include "cli.h"

struct kargs {
	const char *op, *obj, *pcap, *section, *map_init, *dev, *mode;
	unsigned seconds;
};

static int usage(void)
{
	die_msg("usage: bpfvm kernel load OBJ | run OBJ --pcap F [--section S] "
		"[--map-init F] | attach OBJ --dev IFACE [--mode skb|native] "
		"[--section S] [--map-init F] [--seconds N]");
	return 2;
}

static int entry(void *ctx, const char *map, const void *key, size_t klen,
		 const void *value, size_t vlen, bpfvm_error *err)
{
	return bpfvm_kernel_map_update(ctx, map, key, value, vlen, 0, err);
}

static int map_init(bpfvm_kobj *k, const char *path)
{
	bpfvm_error err = { .insn = -1, .line = -1 };
	size_t size;
	char *text = read_file(path, &size);
	int rc = -1;

	if (text && (rc = bpfvm_map_init_each(text, entry, k, &err)))
		print_error(path, &err);
	free(text);
	return rc;
}

static int run_pcap(bpfvm_kobj *k, const struct kargs *a)
{
	static const char *const names[] = { "XDP_ABORTED", "XDP_DROP",
					     "XDP_PASS", "XDP_TX",
					     "XDP_REDIRECT", "other" };
	static uint8_t out[65536];
	struct bpfvm_packets in;
	bpfvm_error err = { .insn = -1, .line = -1 };
	uint64_t counts[6] = { 0 }, refused = 0;

	if (bpfvm_pcap_read(a->pcap, &in, &err)) {
		print_error(a->pcap, &err);
		return 1;
	}
	for (size_t i = 0; i < in.count; i++) {
		size_t out_len = sizeof(out);
		uint32_t ret;
		if (bpfvm_kernel_test_run(k, a->section, in.pkts[i].data,
					  in.pkts[i].len, out, &out_len, &ret,
					  1, NULL, &err)) {
			refused++;
			continue;
		}
		counts[ret < 5 ? ret : 5]++;
	}
	printf("packets: %zu\n", in.count);
	for (int i = 0; i < 6; i++)
		if (i < 5 || counts[i])
			printf("%-13s %llu\n", names[i],
			       (unsigned long long)counts[i]);
	if (refused)
		printf("refused by the kernel: %llu (%s)\n",
		       (unsigned long long)refused, err.msg);
	bpfvm_packets_free(&in);
	return 0;
}

int cmd_kernel(int argc, char **argv)
{
	struct kargs a = { .seconds = 10 };
	bpfvm_error err = { .insn = -1, .line = -1 };
	char why[256];
	bpfvm_kobj *k;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		bool v = i + 1 < argc;
		if (!strcmp(s, "--pcap") && v)
			a.pcap = argv[++i];
		else if (!strcmp(s, "--section") && v)
			a.section = argv[++i];
		else if (!strcmp(s, "--map-init") && v)
			a.map_init = argv[++i];
		else if (!strcmp(s, "--dev") && v)
			a.dev = argv[++i];
		else if (!strcmp(s, "--mode") && v)
			a.mode = argv[++i];
		else if (!strcmp(s, "--seconds") && v)
			a.seconds = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (s[0] != '-' && !a.op)
			a.op = s;
		else if (s[0] != '-' && !a.obj)
			a.obj = s;
		else
			return usage();
	}
	if (!a.op || !a.obj || (!strcmp(a.op, "run") && !a.pcap) ||
	    (!strcmp(a.op, "attach") && !a.dev) ||
	    (strcmp(a.op, "load") && strcmp(a.op, "run") &&
	     strcmp(a.op, "attach")))
		return usage();
	if (!bpfvm_kernel_available(why, sizeof(why))) {
		die_msg("kernel: %s", why);
		return 1;
	}
	if (bpfvm_kernel_load(a.obj, &k, &err)) {
		print_error("kernel", &err);
		return 1;
	}
	if (a.map_init && map_init(k, a.map_init))
		goto out;
	if (!strcmp(a.op, "load")) {
		printf("%s: loaded into the kernel (every program verified)\n",
		       a.obj);
		rc = 0;
	} else if (!strcmp(a.op, "run")) {
		rc = run_pcap(k, &a);
	} else if (bpfvm_kernel_xdp_attach(k, a.section, a.dev, a.mode, &err)) {
		print_error("kernel", &err);
	} else {
		printf("attached to %s for %u s\n", a.dev, a.seconds);
		fflush(stdout);
		sleep(a.seconds);
		rc = bpfvm_kernel_xdp_detach(a.dev, &err) ? 1 : 0;
		if (rc)
			print_error("kernel", &err);
	}
out:
	bpfvm_kernel_close(k);
	return rc;
}
