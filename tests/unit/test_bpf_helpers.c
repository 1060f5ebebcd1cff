/* SPDX-License-Identifier: MIT */
/*
 * Every helper bpfvm provides, called from BPF C programs
 * (tests/bpf/helpers_*.bpf.c) and checked against the kernel's
 * documented behaviour: the programs' own records (bpf_test.h), their
 * return values and packets, what they leave in maps and globals. XDP
 * programs run in the kernel too and must agree.
 *
 *   helpers_xdp     xdp_adjust_head/tail/meta, xdp_get_buff_len,
 *                   xdp_load_bytes, xdp_store_bytes, csum_diff
 *   helpers_str     strncmp, snprintf, strtol, strtoul (and loop)
 *   helpers_iter    loop, for_each_map_elem
 *   helpers_misc    ktime_get_ns/boot_ns/coarse_ns/tai_ns, jiffies64,
 *                   get_prandom_u32, get_smp_processor_id,
 *                   get_numa_node_id, get_current_pid_tgid/uid_gid/comm
 *   helpers_print   trace_printk, trace_vprintk (captured lines), the
 *                   clocks under bpfvm_set_clock
 *   helpers_globals .data, .rodata, .bss from programs and the host
 * The map helpers, tail_call, redirect, redirect_map and the ring
 * buffer helpers are test_bpf_maps'; the last check here is that every
 * helper bpfvm provides is called by some test object.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bpf_test.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The IPv4 header checksum of pkt[14..34) sums to 0xffff. */
static bool ip_csum_ok(const uint8_t *pkt)
{
	uint32_t sum = 0;

	for (int i = 14; i < 34; i += 2)
		sum += (uint32_t)pkt[i] << 8 | pkt[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static void test_xdp(void)
{
	uint8_t pkt[64], *out;
	size_t len;
	struct bt b;

	if (bt_open(&b, "helpers_xdp", true))
		goto out;
	bt_packet(pkt);
	CHECK_U64(bt_xdp(&b, "xdp_head"), BPFVM_XDP_PASS);
	out = bpfvm_xdp_data(b.buf, &len);
	CHECK(len == 64 && !memcmp(out, pkt, 64));
	CHECK_U64(bt_xdp(&b, "xdp_tail"), BPFVM_XDP_PASS);
	out = bpfvm_xdp_data(b.buf, &len);
	CHECK(len == 40 && !memcmp(out, pkt, 14));
	CHECK_U64(bt_xdp(&b, "xdp_meta"), BPFVM_XDP_PASS);
	CHECK_U64(b.buf->md.data - b.buf->md.data_meta, 4);
	CHECK_U64(*(uint32_t *)(uintptr_t)b.buf->md.data_meta, 0x01020304);
	CHECK_U64(bt_xdp(&b, "xdp_bytes"), BPFVM_XDP_PASS);
	out = bpfvm_xdp_data(b.buf, &len);
	CHECK(out[6] == 0x02 && out[7] == 0xaa && out[11] == 0xee);
	CHECK_U64(bt_xdp(&b, "xdp_csum"), BPFVM_XDP_TX);
	out = bpfvm_xdp_data(b.buf, &len);
	CHECK(out[26] == 1 && out[27] == 2 && out[28] == 3 && out[29] == 4);
	CHECK(ip_csum_ok(out));
out:
	bt_close(&b);
}

static void test_strings(void)
{
	static const char *const lines[] = {
		"-5 7 ff FF",
		"[   42][42   ][00042]",
		"+3 -3  3",
		"18446744073709551615 -1",
		"4294967295 ffffffff",
		"c=A s=word %",
		"10.1.2.3",
		"010.001.002.003",
		"0x1f",
		"",
		"hello w",
		"[   ab|cd   |    A|+0005|+5   |0|%7|]",
		"2001:0db8:0000:0000:0000:0000:0000:0001",
		"20010db8000000000000000000000001",
	};
	char text[14][64];
	struct bt b;
	uint32_t k = 0;

	if (bt_open(&b, "helpers_str", true))
		goto out;
	CHECK_U64(bt_xdp(&b, "str_cmp"), BPFVM_XDP_PASS);
	CHECK_U64(bt_xdp(&b, "str_snprintf"), BPFVM_XDP_PASS);
	CHECK(bt_lookup(&b, ".bss", &k, text) == 0);
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		text[i][63] = 0;
		CHECK_STR_CONTAINS(text[i], lines[i]);
		CHECK_U64(strlen(text[i]), strlen(lines[i]));
	}
	CHECK_U64(bt_xdp(&b, "str_strtox"), BPFVM_XDP_PASS);
	CHECK_U64(b.res.n, 1 + 25 * 4);
out:
	bt_close(&b);
}

static void test_iter(void)
{
	struct bt b;
	uint64_t v;
	uint32_t k;

	if (bt_open(&b, "helpers_iter", true))
		goto out;
	CHECK_U64(bt_xdp(&b, "iter_loop"), BPFVM_XDP_PASS);
	CHECK_U64(bt_xdp(&b, "iter_array"), BPFVM_XDP_PASS);
	CHECK_U64(bt_xdp(&b, "iter_hash"), BPFVM_XDP_PASS);
	CHECK_U64(bt_xdp(&b, "iter_hash_kinds"), BPFVM_XDP_PASS);
	for (k = 0; k < 8; k++) {
		CHECK(bt_lookup(&b, "arr", &k, &v) == 0);
		CHECK_U64(v, 2 * k * k);
	}
	for (k = 1; k <= 10; k++)
		CHECK(bt_lookup(&b, "hash", &k, &v) == (k & 1 ? 0 : -ENOENT));
out:
	bt_close(&b);
}

/* The HZ for which jiffies = INITIAL_JIFFIES + monotonic time * HZ
 * (within two seconds' worth of ticks), or 0. */
static unsigned jiffies_hz(uint64_t mono_ns, uint64_t jiffies)
{
	static const unsigned hzs[] = { 100, 250, 300, 1000 };

	for (size_t i = 0; i < ARRAY_SIZE(hzs); i++) {
		uint64_t hz = hzs[i];
		uint64_t initial = (uint32_t)(-300 * (int64_t)hz);
		int64_t ticks = (int64_t)(jiffies - initial);
		int64_t want = (int64_t)(mono_ns / 1000000 * hz / 1000);

		if (ticks - want <= (int64_t)(2 * hz) &&
		    want - ticks <= (int64_t)(2 * hz))
			return (unsigned)hz;
	}
	return 0;
}

/* Host mirror of helpers_misc's .bss. */
struct task {
	uint64_t pid_tgid;
	uint64_t uid_gid;
	char comm[16];
	char comm_short[8];
	char comm_long[32];
	uint64_t comm_rc;
};

static void test_misc(void)
{
	struct task t;
	unsigned hz;
	struct bt b;
	uint32_t k = 0;

	prctl(PR_SET_NAME, "bpftest-helpers");
	if (bt_open(&b, "helpers_misc", true))
		goto out;
	CHECK_U64(bt_xdp(&b, "misc_time"), BPFVM_XDP_PASS);
	/* jiffies64 counts CONFIG_HZ ticks from INITIAL_JIFFIES. */
	CHECK_U64(b.res.n, 9);
	hz = jiffies_hz(bt_rec_got(&b, 7), bt_rec_got(&b, 8));
	CHECK(hz != 0);
	if (b.kobj) {
		unsigned khz = jiffies_hz(b.kres.r[7].got, b.kres.r[8].got);

		printf("jiffies64: HZ %u in bpfvm, %u in the kernel\n", hz,
		       khz);
		CHECK_U64(hz, khz);
	}
	CHECK_U64(bt_xdp(&b, "misc_random"), BPFVM_XDP_PASS);
	bpfvm_cpu_set(0);
	CHECK_U64(bt_xdp(&b, "misc_task"), BPFVM_XDP_PASS);
	CHECK_U64(bt_rec_got(&b, 2), 0); /* the CPU: bpfvm_cpu */
	CHECK_U64(bt_rec_got(&b, 3), 0); /* one NUMA node */
	CHECK(bt_lookup(&b, ".bss", &k, &t) == 0);
	CHECK_U64(t.pid_tgid,
		  (uint64_t)getpid() << 32 | (uint32_t)syscall(SYS_gettid));
	CHECK_U64(t.uid_gid, (uint64_t)getgid() << 32 | getuid());
	CHECK(!strcmp(t.comm, "bpftest-helpers"));
	CHECK(!strcmp(t.comm_short, "bpftest"));
	for (int i = 15; i < 32; i++)
		CHECK(t.comm_long[i] == 0);
out:
	bt_close(&b);
}

struct printed {
	unsigned n;
	char lines[16][256];
};

static void capture(void *user, const char *line)
{
	struct printed *p = user;

	if (p->n < ARRAY_SIZE(p->lines))
		snprintf(p->lines[p->n], sizeof(p->lines[0]), "%s", line);
	p->n++;
}

/* A trace_pipe line: "<comm, 16 wide>-<pid> [<cpu>] d..31 <s>.<us>:
 * bpf_trace_printk: <msg>". */
static void check_line(const char *line, unsigned cpu, const char *msg)
{
	char head[64], tail[256];
	int n = snprintf(head, sizeof(head), " bpftest-helpers-%ld",
			 (long)syscall(SYS_gettid));
	const char *p;

	CHECK(n > 0 && !strncmp(line, head, (size_t)n));
	snprintf(head, sizeof(head), " [%03u] d..31 ", cpu);
	CHECK_STR_CONTAINS(line, head);
	snprintf(tail, sizeof(tail), ": bpf_trace_printk: %s", msg);
	p = strstr(line, ": bpf_trace_printk: ");
	CHECK(p && !strcmp(p, tail));
	if (!p || strcmp(p, tail))
		fprintf(stderr, "line: '%s', wanted the message '%s'\n", line,
			msg);
}

struct clocks {
	uint64_t mono, boot, coarse, jiffies, tai, cpu;
};

static uint64_t fixed_clock(void *user)
{
	return *(const uint64_t *)user;
}

static uint64_t now(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void test_print(void)
{
	static const char *const msgs[] = {
		"hello 42",  "word|    7|ff |", "-1 abcdef z",
		"1 2 3 4 5", "ip 192.0.2.1 %",	"last",
	};
	struct printed out = { 0 };
	struct clocks c[2];
	uint64_t t = 5000000123ull, hz, tai;
	uint8_t mem[77];
	struct bt b;

	prctl(PR_SET_NAME, "bpftest-helpers");
	if (bt_open(&b, "helpers_print", false))
		goto out;
	bpfvm_set_print(b.vm, capture, &out);
	/* The raw type: r2 is the length of the memory. */
	CHECK_U64(bt_run(&b, "raw_len", mem, sizeof(mem)), sizeof(mem));

	bpfvm_cpu_set(3);
	bt_run(&b, "print_lines", mem, sizeof(mem));
	CHECK_U64(out.n, ARRAY_SIZE(msgs));
	for (size_t i = 0; i < ARRAY_SIZE(msgs) && i < out.n; i++)
		check_line(out.lines[i], 3, msgs[i]);

	/* A VM clock: every clock counting from boot follows it. */
	bpfvm_set_clock(b.vm, fixed_clock, &t);
	out.n = 0;
	bt_run(&b, "read_clocks", &c[0], sizeof(c[0]));
	t = 7000000123ull;
	bt_run(&b, "read_clocks", &c[1], sizeof(c[1]));
	CHECK_U64(c[0].mono, 5000000123ull);
	CHECK_U64(c[0].boot, 5000000123ull);
	CHECK_U64(c[0].coarse, 5000000123ull);
	CHECK_U64(c[1].mono, 7000000123ull);
	hz = (c[1].jiffies - c[0].jiffies) / 2;
	CHECK(hz == 100 || hz == 250 || hz == 300 || hz == 1000);
	CHECK_U64(c[0].jiffies,
		  (uint64_t)(uint32_t)(-300 * (int64_t)hz) + 5 * hz);
	/* TAI is wall-clock time, not the VM's. */
	tai = now(CLOCK_TAI);
	CHECK(c[1].tai <= tai && c[1].tai + 10000000000ull > tai);
	CHECK_U64(c[0].cpu, 3);
	CHECK_U64(out.n, 2);
	if (out.n >= 1)
		check_line(out.lines[0], 3, "cpu 3");
	bpfvm_set_clock(b.vm, NULL, NULL);
	bpfvm_cpu_set(0);
	bt_run(&b, "read_clocks", &c[0], sizeof(c[0]));
	CHECK(c[0].mono <= now(CLOCK_MONOTONIC) &&
	      c[0].mono + 10000000000ull > now(CLOCK_MONOTONIC));
	CHECK_U64(c[0].cpu, 0);
out:
	bt_close(&b);
}

/* Host mirrors of helpers_globals' sections. */
struct gdata {
	uint64_t counter;
	uint32_t arr[4];
	char name[8];
};

struct grodata {
	uint64_t magic;
	uint32_t limit;
	uint32_t pad;
};

struct gbss {
	uint64_t hits;
	uint64_t last;
	uint32_t arr[4];
};

static void test_globals(void)
{
	struct gdata d, d2 = { 100, { 10, 20, 30, 40 }, "data" };
	struct gbss s, s2 = { .hits = 50 };
	struct grodata r;
	struct bt b;
	uint32_t k = 0;

	if (bt_open(&b, "helpers_globals", true))
		goto out;
	CHECK_U64(bpfvm_map_host_value_size(bt_map(&b, ".data")), sizeof(d));
	CHECK_U64(bpfvm_map_host_value_size(bt_map(&b, ".rodata")), sizeof(r));
	CHECK_U64(bpfvm_map_host_value_size(bt_map(&b, ".bss")), sizeof(s));
	CHECK(bt_lookup(&b, ".data", &k, &d) == 0);
	CHECK(d.counter == 5 && d.arr[3] == 4 && !strcmp(d.name, "data"));
	CHECK(bt_lookup(&b, ".rodata", &k, &r) == 0);
	CHECK(r.magic == 0x1122334455667788ull && r.limit == 3);
	CHECK(bt_lookup(&b, ".bss", &k, &s) == 0);
	CHECK(s.hits == 0 && s.last == 0);

	CHECK_U64(bt_xdp(&b, "globals"), BPFVM_XDP_PASS);
	CHECK(bt_lookup(&b, ".data", &k, &d) == 0);
	CHECK(d.counter == 6 && !strcmp(d.name, "Data"));
	CHECK(bt_lookup(&b, ".bss", &k, &s) == 0);
	CHECK(s.hits == 1 && s.last == 6);
	CHECK(s.arr[0] == 2 && s.arr[1] == 4 && s.arr[2] == 6 && !s.arr[3]);

	/* The host writes; the next run sees it. */
	CHECK(bt_update(&b, ".data", &k, &d2, BPFVM_ANY) == 0);
	CHECK(bt_update(&b, ".bss", &k, &s2, BPFVM_ANY) == 0);
	CHECK_U64(bt_xdp(&b, "globals"), BPFVM_XDP_PASS);
	CHECK(bt_lookup(&b, ".data", &k, &d) == 0);
	CHECK_U64(d.counter, 101);
	CHECK(bt_lookup(&b, ".bss", &k, &s) == 0);
	CHECK(s.hits == 51 && s.last == 101);
	CHECK(s.arr[0] == 20 && s.arr[1] == 40 && s.arr[2] == 60 && !s.arr[3]);
out:
	bt_close(&b);
}

/* Every helper bpfvm provides is called by some test object. */
static void helper_calls(const bpfvm_elf *elf, void *ctx)
{
	bool *called = ctx;

	for (size_t i = 0; i < bpfvm_elf_nprogs(elf); i++) {
		const struct bpfvm_elf_prog *p = bpfvm_elf_prog(elf, i);

		for (size_t j = 0; j < p->count; j++)
			if (p->insns[j].code == BPFVM_OP_CALL &&
			    p->insns[j].src == 0 && p->insns[j].imm > 0 &&
			    p->insns[j].imm <= BPFVM_MAX_HELPER_ID)
				called[p->insns[j].imm] = true;
	}
}

static void test_helper_coverage(void)
{
	static bool called[BPFVM_MAX_HELPER_ID + 1];
	unsigned objects, provided = 0;

	objects = bt_for_each_object(helper_calls, called);
	for (uint32_t id = 1; id <= BPFVM_MAX_HELPER_ID; id++) {
		const struct bpfvm_helper_proto *p = bpfvm_helper_proto(id);

		if (!p || !p->fn)
			continue;
		provided++;
		check_count++;
		if (!called[id]) {
			check_failures++;
			fprintf(stderr,
				"helper %u (%s) is provided but no test "
				"object calls it\n",
				id, p->name);
		}
	}
	printf("%u provided helpers, %u test objects\n", provided, objects);
}

int main(void)
{
	test_xdp();
	test_strings();
	test_iter();
	test_misc();
	test_print();
	test_globals();
	test_helper_coverage();
	DONE();
}
