/* SPDX-License-Identifier: MIT */
/*
 * bpfvm-bench: the kernels of kernels.c, natively (the host compiler's
 * -O2 build linked in here) and in bpfvm's interpreter (the same source
 * built by clang -target bpf, one raw bytecode file a kernel), in one run.
 * Both must return the same r0 for every kernel, or the run fails.
 *
 * usage: bpfvm-bench [--quick] [--markdown FILE] [--kernel NAME]
 *                    [--bytecode DIR]
 *
 * Each measurement times many back-to-back runs with CLOCK_MONOTONIC
 * (about 0.3 s worth), after a calibration that doubles as warm-up; the
 * table shows the median of 5 such measurements, native and interpreter
 * interleaved. --quick runs each kernel a few times only: a correctness
 * check (ctest bench_smoke), its timings mean nothing. --markdown
 * rewrites the part of FILE between the bench:interp markers.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bpfvm/vm.h"
#include "kernels.h"

#ifndef BENCH_BYTECODE_DIR
#define BENCH_BYTECODE_DIR "."
#endif
#ifndef BENCH_BPF_CC
#define BENCH_BPF_CC "clang"
#endif
#ifndef BENCH_BPF_FLAGS
#define BENCH_BPF_FLAGS "?"
#endif
#ifndef BENCH_NATIVE_FLAGS
#define BENCH_NATIVE_FLAGS "?"
#endif
#ifndef BENCH_BUILD_TYPE
#define BENCH_BUILD_TYPE "?"
#endif

#ifdef __clang__
#define NATIVE_CC "clang " __clang_version__
#else
#define NATIVE_CC "gcc " __VERSION__
#endif

#define MARK_BEGIN    "<!-- bench:interp:begin -->"
#define MARK_END      "<!-- bench:interp:end -->"
#define SECTION_TITLE "## Interpreter vs native"

/* An unoptimized driver means an unoptimized library too. */
#ifdef __OPTIMIZE__
#define OPTIMIZED 1
#else
#define OPTIMIZED 0
#endif

#define REPS		  5
#define TARGET_SECONDS	  0.3
#define CALIBRATE_SECONDS 0.03
#define QUICK_ITERS	  3
#define MEM_BYTES	  (64 * 1024)
#define GOAL_RATIO	  10.0

typedef uint64_t (*kernel_fn)(uint8_t *mem, uint64_t len);

struct kernel {
	const char *name;
	kernel_fn native;
	/* Fill mem (MEM_BYTES, 8-aligned) with the input; returns its
	 * length and describes it in desc. */
	size_t (*setup)(uint8_t *mem, char *desc, size_t desc_len);
};

/* One kernel's state during the run. */
struct bench {
	const struct kernel *k;
	uint8_t *mem;
	size_t len;
	char desc[64];
	bpfvm_prog *prog;
	size_t insns;
	uint64_t expect;	     /* r0, native and interpreted alike */
	double native_ns, interp_ns; /* medians, per run */
	double native_spread, interp_spread; /* (max - min) / median */
	bool ok;
};

static const char *prog_name = "bpfvm-bench";

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/*
 * Inputs. Random bytes come from a fixed-seed xorshift, so every run
 * (and every machine) sees the same data.
 */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dull;
}

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(rng() >> 56);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put16be(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32be(uint8_t *p, uint32_t v)
{
	put16be(p, (uint16_t)(v >> 16));
	put16be(p + 2, (uint16_t)v);
}

/* The Internet checksum of p[0, n) plus sum, big-endian words. */
static uint16_t inet_csum(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static size_t setup_loop_sum(uint8_t *mem, char *desc, size_t desc_len)
{
	const uint32_t n = 1024;

	put32(mem, n);
	put32(mem + 4, 0);
	fill_random(mem + 8, 4 * n);
	snprintf(desc, desc_len, "%" PRIu32 " x u32", n);
	return 8 + 4 * n;
}

static size_t setup_fibonacci(uint8_t *mem, char *desc, size_t desc_len)
{
	const uint32_t n = 2000;

	put32(mem, n);
	put32(mem + 4, 0);
	snprintf(desc, desc_len, "n = %" PRIu32, n);
	return 8;
}

static size_t setup_collatz(uint8_t *mem, char *desc, size_t desc_len)
{
	const uint32_t first = 1000, count = 100;

	put32(mem, first);
	put32(mem + 4, count);
	snprintf(desc, desc_len, "%" PRIu32 "..%" PRIu32, first,
		 first + count - 1);
	return 8;
}

static size_t setup_buffer(uint8_t *mem, char *desc, size_t desc_len)
{
	fill_random(mem, 1500);
	snprintf(desc, desc_len, "1500 bytes");
	return 1500;
}

static size_t setup_byte_search(uint8_t *mem, char *desc, size_t desc_len)
{
	const size_t n = 1500, at = 1400;
	uint8_t *hay = mem + 8;

	fill_random(hay, n);
	memcpy(mem, hay + at, 4);
	put32(mem + 4, 0);
	/* Make at the first match: break any earlier one. */
	for (size_t i = 0; i < at; i++)
		if (!memcmp(hay + i, mem, 4))
			hay[i + 3] ^= 0xff;
	snprintf(desc, desc_len, "%zu bytes, match at %zu", n, at);
	return 8 + n;
}

/*
 * A TCP segment in an IPv4 packet in an Ethernet frame, after
 * BENCH_PKT_PAD bytes; valid checksums. opts: TCP options (a multiple of
 * 4 bytes). Returns the length of mem used.
 */
static size_t build_packet(uint8_t *mem, const uint8_t *opts, size_t opts_len,
			   size_t payload, uint8_t flags)
{
	uint8_t *eth = mem + BENCH_PKT_PAD, *ip = eth + 14, *tcp = ip + 20;
	size_t tcp_len = 20 + opts_len + payload;
	uint32_t saddr = 0xc0a80a01, daddr = 0x0a000002, pseudo;

	memset(mem, 0, BENCH_PKT_PAD + 14 + 20 + tcp_len);
	memcpy(eth, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	put16be(eth + 12, 0x0800);

	ip[0] = 0x45;
	put16be(ip + 2, (uint16_t)(20 + tcp_len));
	put16be(ip + 4, 0x1234);
	put16be(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = 6;
	put32be(ip + 12, saddr);
	put32be(ip + 16, daddr);
	put16be(ip + 10, inet_csum(ip, 20, 0));

	put16be(tcp, 43210);
	put16be(tcp + 2, 443);
	put32be(tcp + 4, 0x01020304);
	put32be(tcp + 8, flags & 0x10 ? 0x0a0b0c0d : 0);
	tcp[12] = (uint8_t)((20 + opts_len) / 4 << 4);
	tcp[13] = flags;
	put16be(tcp + 14, 64240);
	memcpy(tcp + 20, opts, opts_len);
	fill_random(tcp + 20 + opts_len, payload);
	pseudo = (saddr >> 16) + (saddr & 0xffff) + (daddr >> 16) +
		 (daddr & 0xffff) + 6 + (uint32_t)tcp_len;
	put16be(tcp + 16, inet_csum(tcp, tcp_len, pseudo));
	return BENCH_PKT_PAD + 14 + 20 + tcp_len;
}

static size_t setup_ipv4_tcp_parse(uint8_t *mem, char *desc, size_t desc_len)
{
	/* A Linux SYN's options: MSS 1460, SACK permitted, timestamps,
	 * NOP, window scale 7. */
	static const uint8_t opts[20] = {
		2,    4,    0x05, 0xb4, 4, 2, 8, 10, 0x12, 0x34,
		0x56, 0x78, 0,	  0,	0, 0, 1, 3,  3,	   7,
	};
	size_t len = build_packet(mem, opts, sizeof(opts), 0, 0x02);

	snprintf(desc, desc_len, "%zu-byte TCP SYN", len - BENCH_PKT_PAD);
	return len;
}

static size_t setup_tcp_csum(uint8_t *mem, char *desc, size_t desc_len)
{
	static const uint8_t opts[12] = { 1,	1,    8,    10,	  0x12, 0x34,
					  0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0 };
	/* A 1500-byte IP packet: 20 IP + 32 TCP + 1448 payload. */
	size_t len = build_packet(mem, opts, sizeof(opts), 1448, 0x18);

	snprintf(desc, desc_len, "%zu-byte frame", len - BENCH_PKT_PAD);
	return len;
}

static void random_flow(struct flow_key *k)
{
	memset(k, 0, sizeof(*k));
	k->saddr = (uint32_t)rng();
	k->daddr = (uint32_t)rng();
	k->sport = (uint16_t)rng();
	k->dport = (uint16_t)rng();
	k->proto = (rng() & 1) ? 6 : 17;
}

static size_t setup_flow_lookup(uint8_t *mem, char *desc, size_t desc_len)
{
	const uint32_t nbuckets = 1024, nflows = 600, nqueries = 64;
	struct flow_hdr h = {
		.nqueries = nqueries,
		.nbuckets = nbuckets,
		.queries_off = sizeof(h),
		.table_off = sizeof(h) + nqueries * sizeof(struct flow_key),
	};
	struct flow_entry *table = (struct flow_entry *)(mem + h.table_off);
	struct flow_key *queries = (struct flow_key *)(mem + h.queries_off);
	uint32_t stored = 0;

	memcpy(mem, &h, sizeof(h));
	memset(table, 0, nbuckets * sizeof(*table));
	for (uint32_t i = 0; i < nflows; i++) {
		struct flow_key k;
		uint32_t b;

		random_flow(&k);
		b = bench_flow_hash(&k);
		for (int p = 0; p < FLOW_MAX_PROBES; p++, b++) {
			struct flow_entry *e = &table[b & (nbuckets - 1)];

			if (e->key.proto)
				continue;
			e->key = k;
			e->value = rng() >> 40;
			stored++;
			break;
		}
	}
	/* Three queries in four hit a stored flow, the rest miss. */
	for (uint32_t i = 0; i < nqueries; i++) {
		if (i % 4 == 3) {
			random_flow(&queries[i]);
			continue;
		}
		do {
			queries[i] = table[rng() & (nbuckets - 1)].key;
		} while (!queries[i].proto);
	}
	snprintf(desc, desc_len, "%" PRIu32 " lookups, %" PRIu32 " flows",
		 nqueries, stored);
	return h.table_off + nbuckets * sizeof(*table);
}

static const struct kernel kernels[] = {
	{ "loop_sum", loop_sum, setup_loop_sum },
	{ "fibonacci", fibonacci, setup_fibonacci },
	{ "collatz", collatz, setup_collatz },
	{ "fnv1a", fnv1a, setup_buffer },
	{ "jhash", jhash, setup_buffer },
	{ "byte_search", byte_search, setup_byte_search },
	{ "ipv4_tcp_parse", ipv4_tcp_parse, setup_ipv4_tcp_parse },
	{ "tcp_csum", tcp_csum, setup_tcp_csum },
	{ "flow_lookup", flow_lookup, setup_flow_lookup },
};
#define NKERNELS (sizeof(kernels) / sizeof(kernels[0]))

/* Every kernel kernels.h lists must have a row above. */
#define COUNT_ONE(name) +1
_Static_assert(NKERNELS == 0 BENCH_KERNELS(COUNT_ONE),
	       "kernels[] and BENCH_KERNELS differ");
#undef COUNT_ONE

/*
 * Bytecode.
 */
static bpfvm_insn *read_bytecode(const char *path, size_t *count)
{
	FILE *f = fopen(path, "rb");
	bpfvm_insn *insns;
	long size;

	if (!f)
		die("%s: %s (build the bpfvm-bench target, or pass --bytecode "
		    "DIR)",
		    path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		die("%s: %s", path, strerror(errno));
	if (size == 0 || size % sizeof(bpfvm_insn))
		die("%s: %ld bytes is no whole number of instructions (was "
		    "the section missing from the BPF object?)",
		    path, size);
	insns = malloc((size_t)size);
	if (!insns || fread(insns, 1, (size_t)size, f) != (size_t)size)
		die("%s: cannot read", path);
	fclose(f);
	*count = (size_t)size / sizeof(bpfvm_insn);
	return insns;
}

/*
 * Timing.
 */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Seconds for iters native runs. The call goes through a volatile
 * pointer and every result is checked, so none can be hoisted or
 * dropped. */
static double time_native(const struct bench *b, uint64_t iters)
{
	kernel_fn volatile fn = b->k->native;
	uint64_t sum = 0;
	double t;

	t = now();
	for (uint64_t i = 0; i < iters; i++)
		sum += fn(b->mem, b->len);
	t = now() - t;
	if (sum != b->expect * iters)
		die("%s: native runs returned different values", b->k->name);
	return t;
}

/* Seconds for iters runs in the interpreter (bpfvm_run: checked). */
static double time_interp(const struct bench *b, uint64_t iters)
{
	uint64_t sum = 0, r0;
	bpfvm_error err;
	double t;

	t = now();
	for (uint64_t i = 0; i < iters; i++) {
		if (bpfvm_run(b->prog, b->mem, b->len, &r0, &err))
			die("%s: insn %d: %s", b->k->name, err.insn, err.msg);
		sum += r0;
	}
	t = now() - t;
	if (sum != b->expect * iters)
		die("%s: interpreted runs returned different values",
		    b->k->name);
	return t;
}

typedef double (*timer_fn)(const struct bench *b, uint64_t iters);

/* Iterations that take about TARGET_SECONDS; warms up on the way. */
static uint64_t calibrate(timer_fn timer, const struct bench *b)
{
	uint64_t iters = 1;

	for (;;) {
		double t = timer(b, iters);

		if (t >= CALIBRATE_SECONDS) {
			double want = (double)iters * TARGET_SECONDS / t;
			return want < 1 ? 1 : (uint64_t)want;
		}
		iters *= t < CALIBRATE_SECONDS / 16 ? 8 : 2;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median ns per run of n measurements; spread (max - min) / median. */
static double summarize(double *secs, int n, uint64_t iters, double *spread)
{
	double med;

	qsort(secs, (size_t)n, sizeof(*secs), cmp_double);
	med = secs[n / 2];
	*spread = med > 0 ? (secs[n - 1] - secs[0]) / med : 0;
	return med * 1e9 / (double)iters;
}

static void measure(struct bench *b, bool quick)
{
	double ns[REPS], is[REPS];
	uint64_t n_iters = QUICK_ITERS, i_iters = QUICK_ITERS;
	int reps = quick ? 1 : REPS;

	if (!quick) {
		n_iters = calibrate(time_native, b);
		i_iters = calibrate(time_interp, b);
	}
	for (int r = 0; r < reps; r++) {
		ns[r] = time_native(b, n_iters);
		is[r] = time_interp(b, i_iters);
	}
	b->native_ns = summarize(ns, reps, n_iters, &b->native_spread);
	b->interp_ns = summarize(is, reps, i_iters, &b->interp_spread);
}

/* Load the kernel's bytecode, check native and interpreter agree. */
static bool prepare(struct bench *b, bpfvm *vm, const char *dir)
{
	char path[4096];
	bpfvm_insn *insns;
	bpfvm_error err;
	uint64_t native, interp;

	b->mem = aligned_alloc(64, MEM_BYTES);
	if (!b->mem)
		die("out of memory");
	memset(b->mem, 0, MEM_BYTES);
	b->len = b->k->setup(b->mem, b->desc, sizeof(b->desc));
	if (b->len > MEM_BYTES)
		die("%s: input overflows its buffer", b->k->name);

	snprintf(path, sizeof(path), "%s/%s.bin", dir, b->k->name);
	insns = read_bytecode(path, &b->insns);
	b->prog = bpfvm_load(vm, insns, b->insns, &err);
	free(insns);
	if (!b->prog)
		die("%s: bpfvm rejects the bytecode: insn %d: %s", path,
		    err.insn, err.msg);

	native = b->k->native(b->mem, b->len);
	if (bpfvm_run(b->prog, b->mem, b->len, &interp, &err))
		die("%s: run fails: insn %d: %s", b->k->name, err.insn,
		    err.msg);
	if (native != interp) {
		fprintf(stderr,
			"%s: MISMATCH in %s: native r0 = 0x%016" PRIx64
			", bpfvm r0 = 0x%016" PRIx64 "\n",
			prog_name, b->k->name, native, interp);
		return false;
	}
	b->expect = native;
	return true;
}

/*
 * Reports.
 */
/* The larger spread of the two medians behind a ratio. */
static double spread(const struct bench *b)
{
	return b->native_spread > b->interp_spread ? b->native_spread
						   : b->interp_spread;
}

static void print_table(FILE *f, const struct bench *bs, int n, bool quick)
{
	fprintf(f, "%-15s %-26s %5s %11s %11s %7s %6s  %s\n", "kernel", "input",
		"insns", "native ns", "interp ns", "ratio", "spread", "r0");
	for (int i = 0; i < n; i++) {
		const struct bench *b = &bs[i];

		fprintf(f,
			"%-15s %-26s %5zu %11.1f %11.1f %6.1fx %5.0f%%  "
			"%016" PRIx64 "\n",
			b->k->name, b->desc, b->insns, b->native_ns,
			b->interp_ns, b->interp_ns / b->native_ns,
			spread(b) * 100, b->expect);
	}
	if (quick)
		fprintf(f, "(--quick: a few runs each; the timings mean "
			   "nothing, native and interpreter agree on r0)\n");
}

/* The first line of /proc/cpuinfo starting with key, after ": ". */
static void cpuinfo(const char *key, char *out, size_t out_len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(out, out_len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, key, strlen(key)) || !colon)
			continue;
		colon += 1 + (colon[1] == ' ');
		colon[strcspn(colon, "\n")] = 0;
		snprintf(out, out_len, "%s", colon);
		break;
	}
	fclose(f);
}

static double geomean_ratio(const struct bench *bs, int n)
{
	double s = 0;

	for (int i = 0; i < n; i++)
		s += log(bs[i].interp_ns / bs[i].native_ns);
	return n ? exp(s / n) : 0;
}

/* The generated part of the Markdown section. */
static char *render_markdown(const struct bench *bs, int n, int argc,
			     char **argv, const char *loadavg)
{
	char *buf = NULL, model[256], mhz[64], date[64];
	size_t size = 0;
	struct utsname u;
	time_t t = time(NULL);
	FILE *f = open_memstream(&buf, &size);
	int within = 0;

	if (!f)
		die("out of memory");
	cpuinfo("model name", model, sizeof(model));
	cpuinfo("cpu MHz", mhz, sizeof(mhz));
	if (uname(&u))
		memset(&u, 0, sizeof(u));
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&t));

	fprintf(f, "Generated by `bpfvm-bench` on %s. Command:\n\n    ", date);
	for (int i = 0; i < argc; i++)
		fprintf(f, "%s%s", i ? " " : "", argv[i]);
	fprintf(f, "\n\n");
	fprintf(f,
		"- Machine: %s (/proc/cpuinfo: %s MHz), %ld CPUs online, "
		"load average %s at start\n",
		model, mhz, sysconf(_SC_NPROCESSORS_ONLN), loadavg);
	fprintf(f, "- Kernel: %s %s %s\n", u.sysname, u.release, u.machine);
	fprintf(f, "- Native: %s, `%s` (build type %s)\n", NATIVE_CC,
		BENCH_NATIVE_FLAGS, BENCH_BUILD_TYPE);
	fprintf(f, "- BPF: %s, `%s`\n", BENCH_BPF_CC, BENCH_BPF_FLAGS);
	fprintf(f, "- Interpreter: `bpfvm_run` (bounds check on every load "
		   "and store, instruction budget on)\n");
	if (!OPTIMIZED)
		fprintf(f, "- **Warning: built without optimization; these "
			   "numbers mean nothing**\n");
	fprintf(f, "\n");

	fprintf(f, "| kernel | input | BPF insns | native ns/run | "
		   "interpreter ns/run | interp/native | spread |\n");
	fprintf(f, "|---|---|--:|--:|--:|--:|--:|\n");
	for (int i = 0; i < n; i++) {
		const struct bench *b = &bs[i];
		double ratio = b->interp_ns / b->native_ns;

		within += ratio <= GOAL_RATIO;
		fprintf(f,
			"| %s | %s | %zu | %.1f | %.1f | %s%.1fx%s | %.0f%% "
			"|\n",
			b->k->name, b->desc, b->insns, b->native_ns,
			b->interp_ns, ratio > GOAL_RATIO ? "**" : "", ratio,
			ratio > GOAL_RATIO ? "**" : "", spread(b) * 100);
	}
	fprintf(f,
		"\n%d of %d kernels within %.0fx of native (over it in "
		"bold); geometric mean %.1fx. Spread: (slowest - fastest) / "
		"median of the %d measurements behind the native or the "
		"interpreter median, whichever is larger.\n",
		within, n, GOAL_RATIO, geomean_ratio(bs, n), REPS);
	fclose(f);
	return buf;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	*len = 0;
	if (!f) {
		if (errno == ENOENT)
			return NULL;
		die("%s: %s", path, strerror(errno));
	}
	do {
		if (n + 4096 + 1 > cap) {
			cap = (n + 4096 + 1) * 2;
			buf = realloc(buf, cap);
			if (!buf)
				die("out of memory");
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got);
	if (ferror(f))
		die("%s: cannot read", path);
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

/*
 * Put body between the markers of path, keeping the rest of the file.
 * A file without markers gets the section appended; a missing file is
 * created with a title.
 */
static void write_markdown(const char *path, const char *body)
{
	size_t len;
	char *old = read_file(path, &len), tmp[4096];
	const char *begin = old ? strstr(old, MARK_BEGIN) : NULL;
	const char *end = begin ? strstr(begin, MARK_END) : NULL;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		die("%s: %s", tmp, strerror(errno));
	if (begin && end) {
		fwrite(old, 1, (size_t)(begin - old), f);
		fprintf(f, MARK_BEGIN "\n%s" MARK_END, body);
		fputs(end + strlen(MARK_END), f);
	} else {
		if (!old)
			fprintf(f, "# bpfvm benchmarks\n");
		else
			fputs(old, f);
		fprintf(f,
			"\n" SECTION_TITLE "\n\n" MARK_BEGIN "\n%s" MARK_END
			"\n",
			body);
	}
	if (fclose(f))
		die("%s: %s", tmp, strerror(errno));
	if (rename(tmp, path))
		die("%s: %s", path, strerror(errno));
	free(old);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--quick] [--markdown FILE] [--kernel NAME] "
		"[--bytecode DIR]\n",
		prog_name);
}

int main(int argc, char **argv)
{
	const char *markdown = NULL, *only = NULL, *dir = BENCH_BYTECODE_DIR;
	struct bench bs[NKERNELS];
	char loadavg[64] = "unknown";
	bool quick = false, ok = true, progress;
	bpfvm *vm;
	FILE *la;
	int n = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			quick = true;
		} else if (!strcmp(argv[i], "--markdown") && i + 1 < argc) {
			markdown = argv[++i];
		} else if (!strcmp(argv[i], "--kernel") && i + 1 < argc) {
			only = argv[++i];
		} else if (!strcmp(argv[i], "--bytecode") && i + 1 < argc) {
			dir = argv[++i];
		} else if (!strcmp(argv[i], "-h") ||
			   !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (quick && markdown)
		die("--quick timings mean nothing: not writing %s", markdown);
	if (markdown && only)
		die("--markdown wants every kernel: drop --kernel");

	la = fopen("/proc/loadavg", "r");
	if (la) {
		if (fscanf(la, "%63[^ ] %*s %*s", loadavg) != 1)
			snprintf(loadavg, sizeof(loadavg), "unknown");
		fclose(la);
	}

	vm = bpfvm_new();
	if (!vm)
		die("out of memory");
	memset(bs, 0, sizeof(bs));
	for (size_t i = 0; i < NKERNELS; i++) {
		if (only && strcmp(only, kernels[i].name))
			continue;
		bs[n].k = &kernels[i];
		bs[n].ok = prepare(&bs[n], vm, dir);
		ok &= bs[n].ok;
		n++;
	}
	if (!n)
		die("no kernel named %s", only);
	if (!ok)
		die("native and interpreter disagree: not timing anything");
	progress = !quick && isatty(STDERR_FILENO);

	for (int i = 0; i < n; i++) {
		if (progress) {
			fprintf(stderr, "\r%-40s", bs[i].k->name);
			fflush(stderr);
		}
		measure(&bs[i], quick);
	}
	if (progress)
		fprintf(stderr, "\r%-40s\r", "");
	if (!OPTIMIZED && !quick)
		fprintf(stderr,
			"%s: warning: built without optimization, the "
			"timings mean nothing\n",
			prog_name);
	print_table(stdout, bs, n, quick);

	if (markdown) {
		char *body = render_markdown(bs, n, argc, argv, loadavg);

		write_markdown(markdown, body);
		free(body);
		printf("wrote %s\n", markdown);
	}
	for (int i = 0; i < n; i++) {
		bpfvm_prog_free(bs[i].prog);
		free(bs[i].mem);
	}
	bpfvm_free(vm);
	return 0;
}
