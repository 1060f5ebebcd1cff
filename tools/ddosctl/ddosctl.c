/* SPDX-License-Identifier: MIT */
/*
 * ddosctl: the control plane of progs/ddos.bpf.c. Loads the object into
 * bpfvm, applies a configuration (blocklists, rates), pushes a capture
 * through it on worker threads, and reports what a network engineer asks
 * first: how much came in, what was dropped and why, who was dropped
 * most, and how fast.
 *
 * usage: ddosctl OBJ --pcap IN --config CONF [--workers N] [--out OUT]
 *                [--real-clock]
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "bpfvm/net.h"
#include "bpfvm/object.h"

#include "../../progs/ddos.h"

static const char *const reason_names[REASON_MAX] = {
	[REASON_PASS] = "passed",
	[REASON_BLOCKLIST_V4] = "blocklist (IPv4)",
	[REASON_BLOCKLIST_V6] = "blocklist (IPv6)",
	[REASON_SYN_RATE] = "SYN rate limit",
	[REASON_UDP_RATE] = "UDP rate limit",
	[REASON_MALFORMED] = "malformed headers",
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = 0;
		}
	}
	fclose(f);
	return buf;
}

/* Sum a per-CPU array of struct counter at index. */
static struct counter counter_at(bpfvm_map *map, uint32_t index)
{
	size_t size = bpfvm_map_host_value_size(map);
	struct counter sum = { 0 }, *v = calloc(1, size);

	if (v && bpfvm_map_lookup(map, &index, v) == 0)
		for (size_t cpu = 0; cpu < size / sizeof(*v); cpu++) {
			sum.packets += v[cpu].packets;
			sum.bytes += v[cpu].bytes;
		}
	free(v);
	return sum;
}

struct talker {
	struct source src;
	uint64_t drops;
};

static int by_drops(const void *a, const void *b)
{
	const struct talker *x = a, *y = b;
	return x->drops < y->drops ? 1 : x->drops > y->drops ? -1 : 0;
}

static void format_source(const struct source *s, char *buf, size_t len)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (!memcmp(s->addr, mapped, 12))
		inet_ntop(AF_INET, &s->addr[12], buf, (socklen_t)len);
	else
		inet_ntop(AF_INET6, s->addr, buf, (socklen_t)len);
}

static void top_talkers(bpfvm_map *map, unsigned max)
{
	struct talker *all = NULL;
	size_t n = 0, cap = 0;
	struct source key, next;
	const void *prev = NULL;

	while (bpfvm_map_get_next_key(map, prev, &next) == 0) {
		key = next;
		prev = &key;
		uint64_t drops;
		if (bpfvm_map_lookup(map, &key, &drops))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			struct talker *grown = realloc(all, cap * sizeof(*all));
			if (!grown)
				break;
			all = grown;
		}
		all[n++] = (struct talker){ key, drops };
	}
	qsort(all, n, sizeof(*all), by_drops);
	printf("  top dropped sources:\n");
	for (size_t i = 0; i < n && i < max; i++) {
		char addr[INET6_ADDRSTRLEN];
		format_source(&all[i].src, addr, sizeof(addr));
		printf("    %-28s %10" PRIu64 "\n", addr, all[i].drops);
	}
	if (n > max)
		printf("    (%zu more)\n", n - max);
	free(all);
}

static void report(const bpfvm_obj *obj, const struct bpfvm_packets *in,
		   const struct bpfvm_xdp_result *res, unsigned workers)
{
	bpfvm_map *reasons = bpfvm_obj_map_named(obj, "stats_reason");
	uint64_t bytes = 0, span = 0;

	for (size_t i = 0; i < in->count; i++)
		bytes += in->pkts[i].wire_len;
	if (in->count > 1)
		span = in->pkts[in->count - 1].ts_ns - in->pkts[0].ts_ns;
	uint64_t total = in->count ? in->count : 1;
	uint64_t dropped = res->actions[1];

	printf("DDoS mitigation: %zu packets, %.1f MB over %.2f s of traffic\n",
	       in->count, (double)bytes / 1e6, (double)span / 1e9);
	printf("  passed   %10" PRIu64 "  (%5.1f%%)\n", res->actions[2],
	       100.0 * (double)res->actions[2] / (double)total);
	printf("  dropped  %10" PRIu64 "  (%5.1f%%)\n", dropped,
	       100.0 * (double)dropped / (double)total);
	for (uint32_t r = 1; reasons && r < REASON_MAX; r++) {
		struct counter c = counter_at(reasons, r);
		printf("    %-22s %10llu  %8.2f MB\n", reason_names[r],
		       (unsigned long long)c.packets, (double)c.bytes / 1e6);
	}
	if (res->actions[0] || res->errors)
		printf("  aborted  %10" PRIu64 " (errors: %" PRIu64 ")\n",
		       res->actions[0], res->errors);
	bpfvm_map *talkers = bpfvm_obj_map_named(obj, "dropped_sources");
	if (talkers)
		top_talkers(talkers, 8);
	printf("  throughput: %.2f Mpps (%.1f ms, %u worker%s, bpfvm "
	       "interpreter)\n",
	       res->seconds > 0 ? (double)res->runs / res->seconds / 1e6 : 0,
	       res->seconds * 1e3, workers, workers == 1 ? "" : "s");
}

int main(int argc, char **argv)
{
	const char *obj_path = NULL, *pcap = NULL, *config = NULL, *out = NULL;
	struct bpfvm_xdp_opts opts = { .workers = 1, .replay_clock = true };
	bpfvm_error err = { .insn = -1, .line = -1 };
	struct bpfvm_packets in = { 0 };
	struct bpfvm_xdp_result res = { 0 };
	bpfvm_obj *obj = NULL;
	bpfvm_elf *elf;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		bool v = i + 1 < argc;
		if (!strcmp(argv[i], "--pcap") && v)
			pcap = argv[++i];
		else if (!strcmp(argv[i], "--config") && v)
			config = argv[++i];
		else if (!strcmp(argv[i], "--out") && v)
			out = argv[++i];
		else if (!strcmp(argv[i], "--workers") && v)
			opts.workers = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--real-clock"))
			opts.replay_clock = false;
		else if (argv[i][0] != '-' && !obj_path)
			obj_path = argv[i];
		else
			obj_path = NULL, i = argc;
	}
	if (!obj_path || !pcap || !config || !opts.workers ||
	    opts.workers > 64) {
		fprintf(stderr, "usage: ddosctl OBJ --pcap IN --config CONF "
				"[--workers 1-64] [--out OUT] [--real-clock]\n");
		return 2;
	}
	bpfvm *vm = bpfvm_new();
	char *conf = slurp(config);
	if (!vm || bpfvm_register_kernel_helpers(vm)) {
		fprintf(stderr, "ddosctl: out of memory\n");
		goto done;
	}
	if (!conf) {
		fprintf(stderr, "ddosctl: %s: cannot read\n", config);
		goto done;
	}
	bpfvm_set_ncpus(opts.workers);
	if (bpfvm_elf_open(obj_path, &elf, &err)) {
		fprintf(stderr, "ddosctl: %s: %s\n", obj_path, err.msg);
		goto done;
	}
	if (bpfvm_obj_load(vm, elf, "xdp", &obj, &err)) {
		bpfvm_elf_close(elf);
		fprintf(stderr, "ddosctl: %s: %s\n", obj_path, err.msg);
		goto done;
	}
	if (bpfvm_obj_map_init(obj, conf, &err)) {
		fprintf(stderr, "ddosctl: %s: line %d: %s\n", config, err.line,
			err.msg);
		goto done;
	}
	if (bpfvm_pcap_read(pcap, &in, &err) ||
	    bpfvm_xdp_run(bpfvm_obj_find_prog(obj, "xdp"), &in, &opts, &res,
			  &err)) {
		fprintf(stderr, "ddosctl: %s\n", err.msg);
		goto done;
	}
	report(obj, &in, &res, opts.workers);
	if (out && bpfvm_pcap_write(out, in.linktype, res.out.pkts,
				    res.out.count, &err)) {
		fprintf(stderr, "ddosctl: %s\n", err.msg);
		goto done;
	}
	rc = 0;
done:
	bpfvm_xdp_result_free(&res);
	bpfvm_packets_free(&in);
	bpfvm_obj_free(obj);
	bpfvm_free(vm);
	free(conf);
	return rc;
}
