/* SPDX-License-Identifier: MIT */
/*
 * Differential test against the Linux kernel: every XDP test program, on
 * every packet of ../shared/pcaps and on packets built here, gives the
 * same action and the same output bytes in bpfvm as under
 * BPF_PROG_TEST_RUN of the same object loaded through libbpf.
 * Skipped (exit 77, with the reason) only when bpf(2) is unavailable.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "bpfvm/kernel.h"
#include "bpfvm/net.h"
#include "bpfvm/object.h"
#include "check.h"
#include "packets.h"

/* ddos with its rate limits off (they read the clock, which differs
 * between the two runs by nature) and its blocklists on. */
static const char ddos_config[] =
	"blocklist_v4 cidr4:10.66.0.0/16 = u32:1\n"
	"blocklist_v4 cidr4:192.168.0.0/16 = u32:2\n"
	"blocklist_v6 cidr6:2001:db8::/32 = u32:3\n"
	"config u32:0 = u64:0 u64:0 u64:0 u64:0\n";

static const char *const programs[] = {
	"xdp_pass", "xdp_drop", "xdp_mirror", "xdp_encap", "xdp_classify",
	"ddos",
};

struct side {
	bpfvm *vm;
	bpfvm_obj *obj;
	bpfvm_prog *prog;
	bpfvm_xdp_buff *buf;
	bpfvm_kobj *kobj;
};

struct tally {
	size_t compared, kernel_refused, mismatches;
};

static int kernel_entry(void *ctx, const char *map, const void *key,
			size_t klen, const void *value, size_t vlen,
			bpfvm_error *err)
{
	return bpfvm_kernel_map_update(ctx, map, key, value, vlen, 0, err);
}

static int open_sides(const char *build, const char *name, struct side *s)
{
	char path[512];
	bpfvm_error err = { .insn = -1, .line = -1 };
	bpfvm_elf *elf;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "%s/progs/%s.bpf.o", build, name);
	s->vm = bpfvm_new();
	s->buf = bpfvm_xdp_buff_new();
	if (!s->vm || !s->buf || bpfvm_register_kernel_helpers(s->vm))
		return -1;
	if (bpfvm_elf_open(path, &elf, &err) ||
	    bpfvm_obj_load(s->vm, elf, NULL, &s->obj, &err)) {
		fprintf(stderr, "%s: bpfvm: %s\n", path, err.msg);
		return -1;
	}
	s->prog = bpfvm_obj_find_prog(s->obj, "xdp");
	if (bpfvm_kernel_load(path, &s->kobj, &err)) {
		fprintf(stderr, "%s: kernel: %s\n", path, err.msg);
		return -1;
	}
	if (!strcmp(name, "ddos") &&
	    (bpfvm_obj_map_init(s->obj, ddos_config, &err) ||
	     bpfvm_map_init_each(ddos_config, kernel_entry, s->kobj, &err)))
		return -1;
	return s->prog ? 0 : -1;
}

static void close_sides(struct side *s)
{
	bpfvm_kernel_close(s->kobj);
	bpfvm_obj_free(s->obj);
	bpfvm_xdp_buff_free(s->buf);
	bpfvm_free(s->vm);
}

static void compare(struct side *s, const char *prog, const char *what,
		    const uint8_t *pkt, size_t len, struct tally *t)
{
	static uint8_t kout[BPFVM_XDP_FRAME_SIZE];
	size_t klen = sizeof(kout), vlen;
	uint32_t kret;
	uint64_t vret;
	bpfvm_error err = { .insn = -1, .line = -1 };

	if (bpfvm_kernel_test_run(s->kobj, "xdp", pkt, len, kout, &klen, &kret,
				  1, NULL, &err)) {
		t->kernel_refused++; /* e.g. shorter than ETH_HLEN */
		return;
	}
	t->compared++;
	if (bpfvm_xdp_buff_set(s->buf, pkt, len, 1, 0) ||
	    bpfvm_run_xdp(s->prog, s->buf, &vret, &err)) {
		if (t->mismatches++ < 5)
			fprintf(stderr, "%s on %s: bpfvm failed: insn %d: %s\n",
				prog, what, err.insn, err.msg);
		return;
	}
	/* BPF_PROG_TEST_RUN returns [data_meta, data_end): metadata too. */
	const uint8_t *vout = (const uint8_t *)(uintptr_t)s->buf->md.data_meta;
	vlen = s->buf->md.data_end - s->buf->md.data_meta;
	if (vret != kret || vlen != klen || memcmp(vout, kout, klen)) {
		if (t->mismatches++ < 5)
			fprintf(stderr, "%s on %s (%zu bytes): bpfvm %llu, %zu "
				"bytes; kernel %u, %zu bytes\n", prog, what, len,
				(unsigned long long)vret, vlen, kret, klen);
	}
}

static int is_pcap(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 5 && !strcmp(d->d_name + n - 5, ".pcap");
}

int main(void)
{
	const char *build = getenv("BUILD"), *shared = getenv("SHARED");
	struct test_packet own[32];
	size_t nown = test_packets(own, 32);
	char why[256], dir[512];
	struct dirent **names = NULL;
	int npcaps = 0;

	if (!bpfvm_kernel_available(why, sizeof(why))) {
		printf("skipping: the kernel cannot load programs: %s\n", why);
		return 77;
	}
	if (!build) {
		fprintf(stderr, "BUILD is not set (run through ctest)\n");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/pcaps", shared ? shared : "../shared");
	npcaps = scandir(dir, &names, is_pcap, alphasort);
	if (npcaps < 0) {
		printf("note: %s not found: own packets only\n", dir);
		npcaps = 0;
	}
	for (size_t p = 0; p < sizeof(programs) / sizeof(programs[0]); p++) {
		struct side s;
		struct tally t = { 0 };
		CHECK(open_sides(build, programs[p], &s) == 0);
		if (!s.prog || !s.kobj) {
			close_sides(&s);
			continue;
		}
		for (size_t i = 0; i < nown; i++)
			compare(&s, programs[p], own[i].name, own[i].data,
				own[i].len, &t);
		for (int f = 0; f < npcaps; f++) {
			char path[1024];
			struct bpfvm_packets in;
			bpfvm_error err;
			snprintf(path, sizeof(path), "%s/%s", dir,
				 names[f]->d_name);
			if (bpfvm_pcap_read(path, &in, &err))
				continue; /* unreadable captures are the pcap
					     tests' business */
			for (size_t i = 0; i < in.count && in.linktype == 1; i++)
				compare(&s, programs[p], names[f]->d_name,
					in.pkts[i].data, in.pkts[i].len, &t);
			bpfvm_packets_free(&in);
		}
		printf("%-13s %6zu packets compared, %zu refused by the "
		       "kernel, %zu mismatches\n", programs[p], t.compared,
		       t.kernel_refused, t.mismatches);
		CHECK(t.compared > 0);
		CHECK(t.mismatches == 0);
		close_sides(&s);
	}
	for (int f = 0; f < npcaps; f++)
		free(names[f]);
	free(names);
	DONE();
}
