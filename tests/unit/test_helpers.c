/* SPDX-License-Identifier: MIT */
/*
 * The kernel helpers (src/helpers): the prototype table against the
 * kernel's list, then every provided helper called from small programs,
 * checking the kernel's results and error codes, and that wild pointers,
 * maps and samples from an unverified program stop the run with a message
 * instead of reaching the host.
 *
 * Programs are kernel-syntax text. Map and callback references have no
 * text form: `rN = MAPn` (n one digit) becomes lddw src=1
 * (BPFVM_PSEUDO_MAP_FD) naming the n-th map passed to load(), `rN =
 * FUNCn` lddw src=4 (BPFVM_PSEUDO_FUNC) of the function that starts
 * after the n-th exit. load() writes them as lddw of a marker value,
 * assembles, and patches the marked slots.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#if __has_include(<linux/bpf.h>)
#include <linux/bpf.h>
#define HAVE_LINUX_BPF_H 1
#endif

#include "bpfvm/bpfvm.h"
#include "check.h"

#define MAP_MARK  0x4d41500000000000ull
#define FUNC_MARK 0x46554e0000000000ull

#define ERR(e) ((uint64_t)(int64_t) - (e))

static bpfvm *vm;
static _Alignas(8) uint8_t ctx[4096]; /* raw programs' memory */

/* ---- running programs ---- */

static uint64_t lddw_value(const bpfvm_insn *in)
{
	return (uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32;
}

/* The slot after the n-th exit (n >= 1): where callback n starts. */
static long after_exit(const bpfvm_insn *insns, size_t count, unsigned n)
{
	for (size_t pc = 0; pc < count; pc++) {
		if (insns[pc].code == BPFVM_OP_LDDW)
			pc++;
		else if (insns[pc].code == BPFVM_OP_EXIT && !--n)
			return (long)pc + 1;
	}
	return -1;
}

/* text with MAPn / FUNCn replaced by lddw markers (malloc'ed) */
static char *expand(const char *text)
{
	char *out = malloc(strlen(text) * 6 + 1), *o = out;

	while (*text) {
		const char *word = !strncmp(text, "MAP", 3)    ? "MAP"
				   : !strncmp(text, "FUNC", 4) ? "FUNC"
							       : NULL;
		size_t n = word ? strlen(word) : 0;

		if (word && text[n] >= '0' && text[n] <= '9') {
			o += sprintf(
				o, "0x%016llx ll",
				(word[0] == 'M' ? MAP_MARK : FUNC_MARK) +
					(unsigned long long)(text[n] - '0'));
			text += n + 1;
		} else {
			*o++ = *text++;
		}
	}
	*o = 0;
	return out;
}

/* Assemble, patch MAPn / FUNCn references, load as type. maps: map ids. */
static bpfvm_prog *load(enum bpfvm_prog_type type, const char *text,
			const uint32_t *maps, bpfvm_error *err)
{
	char *expanded = expand(text);
	bpfvm_insn *insns;
	bpfvm_prog *prog;
	size_t count;
	int bad;

	bad = bpfvm_asm(expanded, &insns, &count, err);
	free(expanded);
	if (bad) {
		fprintf(stderr, "asm: line %d: %s\n%s\n", err->line, err->msg,
			text);
		return NULL;
	}
	for (size_t pc = 0; pc + 1 < count; pc++) {
		uint64_t v;

		if (insns[pc].code != BPFVM_OP_LDDW)
			continue;
		v = lddw_value(&insns[pc]);
		if ((v & ~0xffull) == MAP_MARK) {
			insns[pc].src = BPFVM_PSEUDO_MAP_FD;
			insns[pc].imm = (int32_t)maps[v & 0xff];
			insns[pc + 1].imm = 0;
		} else if ((v & ~0xffull) == FUNC_MARK) {
			long t = after_exit(insns, count, v & 0xff);

			insns[pc].src = BPFVM_PSEUDO_FUNC;
			insns[pc].imm = (int32_t)(t - (long)pc - 1);
			insns[pc + 1].imm = 0;
		}
		pc++;
	}
	prog = bpfvm_load_typed(vm, type, NULL, insns, count, err);
	free(insns);
	return prog;
}

static bpfvm_prog *load_ok(enum bpfvm_prog_type type, const char *text,
			   const uint32_t *maps)
{
	bpfvm_error err = { 0 };
	bpfvm_prog *prog = load(type, text, maps, &err);

	CHECK(prog != NULL);
	if (!prog)
		fprintf(stderr, "load: insn %d: %s\n%s\n", err.insn, err.msg,
			text);
	return prog;
}

/* Run a raw program on ctx: r0, or the run's failure in err (then the
 * return value is ~0). */
static uint64_t run(const bpfvm_prog *prog, bpfvm_error *err)
{
	bpfvm_error local;
	uint64_t r0 = 0;

	if (!err)
		err = &local;
	memset(err, 0, sizeof(*err));
	if (!prog)
		return ~0ull;
	if (bpfvm_run(prog, ctx, sizeof(ctx), &r0, err))
		return ~0ull;
	return r0;
}

/* Expect prog to fail at run time with a message holding what. */
static void run_fails(const bpfvm_prog *prog, const char *what)
{
	bpfvm_error err;

	CHECK_U64(run(prog, &err), ~0ull);
	CHECK_STR_CONTAINS(err.msg, what);
}

static uint32_t new_map(uint32_t type, uint32_t key_size, uint32_t value_size,
			uint32_t max_entries, uint32_t flags,
			const struct bpfvm_map_spec *inner, bpfvm_map **out)
{
	struct bpfvm_map_spec spec = { .type = type,
				       .key_size = key_size,
				       .value_size = value_size,
				       .max_entries = max_entries,
				       .map_flags = flags,
				       .inner = inner };
	bpfvm_error err = { 0 };
	bpfvm_map *map = bpfvm_map_new(&spec, &err);
	int id;

	CHECK(map != NULL);
	if (!map) {
		fprintf(stderr, "map: %s\n", err.msg);
		exit(1);
	}
	id = bpfvm_add_map(vm, map);
	CHECK(id > 0);
	bpfvm_map_unref(map); /* vm holds it */
	if (out)
		*out = map;
	return (uint32_t)id;
}

/* "Call helper id with r1-r5 from ctx[0, 40), return its r0." Pointers in
 * the arguments point into ctx (or anywhere, to test the checks). */
static bpfvm_prog *caller(uint32_t id)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "r6 = r1\n"
		 "r1 = *(u64 *)(r6 + 0)\n"
		 "r2 = *(u64 *)(r6 + 8)\n"
		 "r3 = *(u64 *)(r6 + 16)\n"
		 "r4 = *(u64 *)(r6 + 24)\n"
		 "r5 = *(u64 *)(r6 + 32)\n"
		 "call %u\n"
		 "exit\n",
		 id);
	return load_ok(BPFVM_PROG_RAW, text, NULL);
}

static uint64_t *arg(int i)
{
	return (uint64_t *)(ctx + 8 * i);
}

static uint64_t at(size_t off)
{
	return (uintptr_t)(ctx + off);
}

static uint64_t call5(const bpfvm_prog *p, uint64_t a1, uint64_t a2,
		      uint64_t a3, uint64_t a4, uint64_t a5)
{
	*arg(0) = a1;
	*arg(1) = a2;
	*arg(2) = a3;
	*arg(3) = a4;
	*arg(4) = a5;
	return run(p, NULL);
}

/* Printed lines. */
static char lines[8][1024];
static int nlines;

static void capture(void *user, const char *line)
{
	if (nlines < 8)
		snprintf(lines[nlines], sizeof(lines[0]), "%s", line);
	nlines++;
}

/* ---- the table ---- */

static const uint32_t provided[] = {
	1,   2,	  3,   5,   6,	 7,   8,   12,	14,  15,  16,  23,  28,	 42,
	44,  51,  54,  65,  105, 106, 87,  88,	89,  118, 125, 130, 131, 132,
	133, 134, 160, 164, 165, 177, 181, 182, 188, 189, 190, 195, 208,
};

static bool is_provided(uint32_t id)
{
	for (size_t i = 0; i < sizeof(provided) / sizeof(provided[0]); i++)
		if (provided[i] == id)
			return true;
	return false;
}

static void test_protos(void)
{
	bpfvm_error err = { 0 };
	bpfvm_prog *prog;
	uint32_t id;

	CHECK(bpfvm_helper_proto(0) == NULL);
	CHECK(bpfvm_helper_proto(210) == NULL);
	CHECK(bpfvm_helper_proto(BPFVM_MAX_HELPER_ID) == NULL);
	for (id = 1; id <= 209; id++) {
		const struct bpfvm_helper_proto *p = bpfvm_helper_proto(id);

		CHECK(p && p->id == id && p->name && *p->name);
		if (!p)
			continue;
		CHECK((p->fn != NULL) == is_provided(id));
		CHECK(strncmp(p->name, "bpf_", 4) != 0);
		/* a size argument follows a pointer to memory */
		for (int a = 1; a < 5; a++)
			if (p->args[a] == BPFVM_ARG_CONST_SIZE)
				CHECK(p->args[a - 1] == BPFVM_ARG_PTR_TO_MEM ||
				      p->args[a - 1] ==
					      BPFVM_ARG_PTR_TO_UNINIT_MEM);
	}
#ifdef HAVE_LINUX_BPF_H
	{
#define NAME_OF(x) #x /* the mapper adds the comma */
		static const char *const names[] = { __BPF_FUNC_MAPPER(
			NAME_OF) };
#undef NAME_OF
		size_t n = sizeof(names) / sizeof(names[0]);

		for (id = 1; id < n && id <= 209; id++)
			CHECK(bpfvm_helper_proto(id) &&
			      !strcmp(bpfvm_helper_proto(id)->name, names[id]));
	}
#endif
	CHECK(!strcmp(bpfvm_helper_proto(1)->name, "map_lookup_elem"));
	CHECK(bpfvm_helper_proto(1)->ret == BPFVM_RET_PTR_TO_MAP_VALUE_OR_NULL);
	CHECK(bpfvm_helper_proto(1)->args[0] == BPFVM_ARG_CONST_MAP_PTR);
	CHECK(bpfvm_helper_proto(1)->args[1] == BPFVM_ARG_PTR_TO_MAP_KEY);
	CHECK(bpfvm_helper_proto(6)->gpl_only);
	CHECK(!bpfvm_helper_proto(5)->gpl_only);
	CHECK(bpfvm_helper_proto(44)->packet_only);
	CHECK(!bpfvm_helper_proto(28)->packet_only);
	CHECK(bpfvm_helper_proto(131)->ret ==
	      BPFVM_RET_PTR_TO_ALLOC_MEM_OR_NULL);
	CHECK(bpfvm_helper_proto(182)->args[2] == BPFVM_ARG_PTR_TO_CONST_STR);
	CHECK(bpfvm_helper_proto(181)->args[1] == BPFVM_ARG_PTR_TO_FUNC);

	CHECK(!strcmp(bpfvm_helper_name(vm, 1), "map_lookup_elem"));
	CHECK(!strcmp(bpfvm_helper_name(vm, 4), "probe_read"));
	CHECK(!strcmp(bpfvm_helper_name(vm, 209), "user_ringbuf_drain"));
	/* known, not provided: refused by name */
	prog = load(BPFVM_PROG_RAW, "call 4\nexit\n", NULL, &err);
	CHECK(prog == NULL);
	CHECK_STR_CONTAINS(err.msg, "probe_read");
	bpfvm_prog_free(prog);
}

/* ---- time, randomness, task ---- */

static uint64_t now(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void test_clock(uint32_t id, clockid_t clock, uint64_t slack)
{
	bpfvm_prog *p = caller(id);
	uint64_t t0 = now(clock), r0 = run(p, NULL), t1 = now(clock);

	CHECK(r0 + slack >= t0 && r0 <= t1 + slack);
	bpfvm_prog_free(p);
}

static void test_time(void)
{
	bpfvm_prog *p = caller(118);
	uint64_t j0, j1, hz;
	struct timespec pause = { 0, 200000000 };

	test_clock(5, CLOCK_MONOTONIC, 0);
	test_clock(125, CLOCK_BOOTTIME, 0);
	test_clock(208, CLOCK_TAI, 0);
	test_clock(160, CLOCK_MONOTONIC_COARSE, 20000000);

	/* jiffies64: past INITIAL_JIFFIES and ticking at a kernel HZ */
	j0 = run(p, NULL);
	nanosleep(&pause, NULL);
	j1 = run(p, NULL);
	hz = (j1 - j0) * 5;
	CHECK(j0 >= 4294967296ull - 300 * 1000);
	CHECK(hz >= 90 && hz <= 1100);
	bpfvm_prog_free(p);
}

static uint64_t replay_clock(void *user)
{
	return 5000000000ull;
}

/* A VM clock (replaying a capture) drives every clock counting from
 * boot, jiffies64 included. */
static void test_vm_clock(void)
{
	static const uint32_t ids[] = { 5, 125, 160 };
	static const uint64_t hzs[] = { 100, 250, 300, 1000 };
	bpfvm_prog *p;
	uint64_t j;
	bool hz_found = false;

	bpfvm_set_clock(vm, replay_clock, NULL);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		p = caller(ids[i]);
		CHECK_U64(run(p, NULL), 5000000000ull);
		bpfvm_prog_free(p);
	}
	p = caller(118);
	j = run(p, NULL);
	for (size_t i = 0; i < sizeof(hzs) / sizeof(hzs[0]); i++)
		hz_found |=
			j == (uint32_t)(-300 * (int64_t)hzs[i]) + 5 * hzs[i];
	CHECK(hz_found);
	bpfvm_prog_free(p);
	bpfvm_set_clock(vm, NULL, NULL);
	p = caller(5);
	CHECK(run(p, NULL) != 5000000000ull);
	bpfvm_prog_free(p);
}

static void test_random_cpu_task(void)
{
	bpfvm_prog *p = caller(7);
	uint64_t first = run(p, NULL), all_or = 0, all_and = ~0ull;
	bool differ = false;
	char comm[17] = { 0 };

	for (int i = 0; i < 64; i++) {
		uint64_t r = run(p, NULL);

		CHECK(r <= 0xffffffffu);
		differ |= r != first;
		all_or |= r;
		all_and &= r;
	}
	CHECK(differ);
	CHECK(all_or == 0xffffffffu && all_and == 0); /* every bit moves */
	bpfvm_prog_free(p);

	p = caller(8);
	bpfvm_cpu_set(0);
	CHECK_U64(run(p, NULL), bpfvm_cpu());
	bpfvm_prog_free(p);

	p = caller(42);
	CHECK_U64(run(p, NULL), 0);
	bpfvm_prog_free(p);

	p = caller(14);
	CHECK_U64(run(p, NULL),
		  (uint64_t)getpid() << 32 | (uint32_t)syscall(SYS_gettid));
	bpfvm_prog_free(p);

	p = caller(15);
	CHECK_U64(run(p, NULL), (uint64_t)getgid() << 32 | getuid());
	bpfvm_prog_free(p);

	prctl(PR_GET_NAME, comm);
	p = caller(16);
	memset(ctx + 64, 0x55, 32);
	CHECK_U64(call5(p, at(64), 32, 0, 0, 0), 0);
	CHECK(!strcmp((char *)ctx + 64, comm));
	CHECK(ctx[64 + 31] == 0);		    /* padded */
	CHECK_U64(call5(p, at(64), 3, 0, 0, 0), 0); /* cut to size - 1 */
	CHECK(strlen((char *)ctx + 64) == 2 && !memcmp(ctx + 64, comm, 2));
	*arg(0) = 0x10;
	run_fails(p, "get_current_comm: arg1");
	bpfvm_prog_free(p);
}

/* ---- trace_printk, trace_vprintk, snprintf, strncmp ---- */

/* trace_printk(fmt, size, a1, a2, a3) with fmt at ctx + 64: r0, and the
 * message of the printed line in *msg (NULL when none was printed). */
static uint64_t printk(const bpfvm_prog *p, const char *fmt, size_t size,
		       uint64_t a1, uint64_t a2, uint64_t a3, const char **msg)
{
	static const char tag[] = "bpf_trace_printk: ";
	uint64_t r0;

	memcpy(ctx + 64, fmt, strlen(fmt) + 1);
	nlines = 0;
	r0 = call5(p, at(64), size, a1, a2, a3);
	*msg = NULL;
	if (nlines == 1 && strstr(lines[0], tag))
		*msg = strstr(lines[0], tag) + sizeof(tag) - 1;
	CHECK(nlines <= 1);
	return r0;
}

struct fmt_case {
	const char *fmt;
	uint64_t a1, a2, a3;
	const char *out;
};

static void test_printk(void)
{
	static const struct fmt_case cases[] = {
		{ "Hello, World!\n", 0, 0, 0, "Hello, World!" },
		{ "x=%d y=%u z=%x\n", (uint32_t)-5, 7, 255, "x=-5 y=7 z=ff" },
		{ "%d", 0x1ffffffffull, 0, 0, "-1" }, /* int: low 32 bits */
		{ "%ld %lld %llu", (uint64_t)-3, 1ull << 40, ~0ull,
		  "-3 1099511627776 18446744073709551615" },
		{ "%i|%X|%lx", 42, 0xabcdef, 0x123456789aull,
		  "42|ABCDEF|123456789a" },
		{ "[%02x][%-5d][%5d]", 7, 42, 42, "[07][42   ][   42]" },
		{ "[%05d]", 42, 0, 0, "[00042]" },
		{ "[%+d][% d][%-+4d]", 5, 5, 5, "[+5][ 5][+5  ]" },
		{ "[%05d]", (uint32_t)-42, 0, 0, "[-0042]" },
		{ "%c%c%c", 'a', 'b', 'c', "abc" },
		{ "[%3c]", 'z', 0, 0, "[  z]" },
		{ "100%% %d%%", 5, 0, 0, "100% 5%" },
		{ "%p", 0x1234, 0, 0, "0000000000001234" },
		{ "%px %pK", 0xabc, 0xdef, 0,
		  "0000000000000abc 0000000000000def" },
		{ "%pS", 0xffff1234, 0, 0, "0xffff1234" },
		{ "%u %u %u", 1, 2, 3, "1 2 3" },
	};
	static const char *const bad[] = {
		"%d %d %d %d", /* four conversions */
		"%q",	       "%5.2d", "%#x",	   "%hd",	  "%lu%",
		"%lllx",       "%5%",	"%sx", /* %s followed by a letter */
		"%pZ",	       "%pI5",	"tab\x01", "caf\xc3\xa9",
	};
	bpfvm_prog *p = caller(6);
	const char *msg;
	uint64_t r0;

	bpfvm_set_print(vm, capture, NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fmt_case *c = &cases[i];
		size_t want = strlen(c->out) + (strchr(c->fmt, '\n') != NULL);

		r0 = printk(p, c->fmt, strlen(c->fmt) + 1, c->a1, c->a2, c->a3,
			    &msg);
		CHECK_U64(r0, want);
		CHECK(msg && !strcmp(msg, c->out));
		if (!msg || strcmp(msg, c->out))
			fprintf(stderr, "printk \"%s\": got \"%s\"\n", c->fmt,
				msg ? msg : "(none)");
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r0 = printk(p, bad[i], strlen(bad[i]) + 1, 1, 2, 3, &msg);
		CHECK_U64(r0, ERR(EINVAL));
		CHECK(nlines == 0);
		if (r0 != ERR(EINVAL))
			fprintf(stderr, "printk \"%s\" accepted\n", bad[i]);
	}

	/* the line: "<comm>-<pid> [<cpu>] <flags> <secs>.<usecs>: ..." */
	r0 = printk(p, "hi %d\n", 7, 1, 0, 0, &msg);
	CHECK_U64(r0, 5);
	{
		char comm[17] = { 0 }, head[64];
		unsigned long secs, usecs;
		unsigned cpu;
		int pid;

		prctl(PR_GET_NAME, comm);
		snprintf(head, sizeof(head), "%16s-%d", comm,
			 (int)syscall(SYS_gettid));
		CHECK(!strncmp(lines[0], head, strlen(head)));
		CHECK(sscanf(lines[0] + 17, "%d [%u] d..31 %lu.%lu:", &pid,
			     &cpu, &secs, &usecs) == 4);
		CHECK(pid == (int)syscall(SYS_gettid) && usecs < 1000000);
		CHECK(msg && !strcmp(msg, "hi 1"));
	}

	/* strings: readable up to the NUL, else "" */
	strcpy((char *)ctx + 512, "world");
	r0 = printk(p, "hello %s!", 10, at(512), 0, 0, &msg);
	CHECK_U64(r0, 12);
	CHECK(msg && !strcmp(msg, "hello world!"));
	r0 = printk(p, "[%8s][%-6s]", 12, at(512), at(512), 0, &msg);
	CHECK(msg && !strcmp(msg, "[   world][world ]"));
	r0 = printk(p, "<%s>", 5, 0x10, 0, 0, &msg);
	CHECK_U64(r0, 2);
	CHECK(msg && !strcmp(msg, "<>"));
	memset(ctx + 4000, 'a',
	       sizeof(ctx) - 4000); /* unreadable before a NUL */
	r0 = printk(p, "<%s>", 5, at(4000), 0, 0, &msg);
	CHECK(msg && !strcmp(msg, "<>"));
	/* a long string is cut to the kernel's 512-byte buffer; so is the
	 * message, but r0 counts it whole */
	memset(ctx + 3000, 'a', sizeof(ctx) - 3000);
	r0 = printk(p, "<%s>", 5, at(3000), 0, 0, &msg);
	CHECK_U64(r0, 1 + 511 + 1);
	CHECK(msg && strlen(msg) == 511);
	/* an address */
	memcpy(ctx + 600, "\xc0\xa8\x01\x02", 4);
	r0 = printk(p, "%pI4 %pi4", 10, at(600), at(600), 0, &msg);
	CHECK(msg && !strcmp(msg, "192.168.1.2 192.168.001.002"));

	/* the format: NUL within fmt_size, readable */
	r0 = printk(p, "abc", 3, 0, 0, 0, &msg);
	CHECK_U64(r0, ERR(EINVAL));
	nlines = 0;
	*arg(0) = 0x10;
	run_fails(p, "trace_printk: arg1");
	CHECK(nlines == 0);
	*arg(0) = at(64);
	*arg(1) = 0;
	run_fails(p, "trace_printk");
	bpfvm_prog_free(p);

	/* trace_vprintk: up to 12 u64 arguments in an array */
	p = caller(177);
	{
		static const char fmt[] = "%d %d %d %d %d %d %d %d %d %d %d %d";
		uint64_t *data = (uint64_t *)(ctx + 1024);

		for (int i = 0; i < 12; i++)
			data[i] = (uint64_t)i + 1;
		memcpy(ctx + 64, fmt, sizeof(fmt));
		nlines = 0;
		r0 = call5(p, at(64), sizeof(fmt), at(1024), 96, 0);
		CHECK_U64(r0, 26);
		CHECK_STR_CONTAINS(lines[0], ": 1 2 3 4 5 6 7 8 9 10 11 12");
		CHECK_U64(call5(p, at(64), sizeof(fmt), at(1024), 88, 0),
			  ERR(EINVAL)); /* 12 conversions, 11 arguments */
		CHECK_U64(call5(p, at(64), sizeof(fmt), at(1024), 12, 0),
			  ERR(EINVAL));
		CHECK_U64(call5(p, at(64), sizeof(fmt), at(1024), 104, 0),
			  ERR(EINVAL));
		CHECK_U64(call5(p, at(64), sizeof(fmt), 0, 8, 0), ERR(EINVAL));
		*arg(2) = 0x10;
		run_fails(p, "trace_vprintk: arg3");
	}
	bpfvm_prog_free(p);
	bpfvm_set_print(vm, NULL, NULL);
}

static void test_snprintf(void)
{
	bpfvm_prog *p = caller(165);
	uint64_t *data = (uint64_t *)(ctx + 1024);
	char *out = (char *)ctx + 256;

	strcpy((char *)ctx + 64, "%s=%d");
	strcpy((char *)ctx + 128, "key");
	data[0] = at(128);
	data[1] = (uint64_t)-12;
	memset(out, 'x', 64);
	CHECK_U64(call5(p, at(256), 64, at(64), at(1024), 16), 8);
	CHECK(!strcmp(out, "key=-12"));
	memset(out, 'x', 64);
	CHECK_U64(call5(p, at(256), 4, at(64), at(1024), 16), 8);
	CHECK(!strcmp(out, "key") && out[4] == 'x'); /* cut, terminated */
	CHECK_U64(call5(p, 0, 0, at(64), at(1024), 16), 8); /* size only */
	CHECK_U64(call5(p, at(256), 64, at(64), at(1024), 8), ERR(EINVAL));
	CHECK_U64(call5(p, at(256), 64, at(64), at(1024), 15), ERR(EINVAL));
	CHECK_U64(call5(p, at(256), 64, at(64), at(1024), 104), ERR(EINVAL));
	CHECK_U64(call5(p, at(256), 64, at(64), 0, 16), ERR(EINVAL));
	strcpy((char *)ctx + 64, "plain");
	CHECK_U64(call5(p, at(256), 64, at(64), 0, 0), 6);
	CHECK(!strcmp(out, "plain"));
	/* -ENOSPC: string arguments fill the kernel's 512-byte buffer */
	memset(ctx + 2048, 'a', 600);
	ctx[2048 + 600] = 0;
	strcpy((char *)ctx + 64, "%s%s");
	data[0] = at(2048);
	data[1] = at(2048);
	CHECK_U64(call5(p, at(256), 64, at(64), at(1024), 16), ERR(ENOSPC));
	strcpy((char *)ctx + 64, "%s");
	CHECK_U64(call5(p, 0, 0, at(64), at(1024), 8), 512); /* cut to 511 */

	*arg(0) = 0x10; /* str not writable */
	*arg(1) = 8;
	run_fails(p, "snprintf: arg1");
	*arg(0) = at(256);
	*arg(2) = 0x10; /* fmt not readable */
	run_fails(p, "snprintf: arg3");
	bpfvm_prog_free(p);
}

static void test_strncmp(void)
{
	bpfvm_prog *p = caller(182);

	strcpy((char *)ctx + 64, "hello");
	strcpy((char *)ctx + 128, "hello");
	CHECK_U64(call5(p, at(64), 6, at(128), 0, 0), 0);
	CHECK_U64(call5(p, at(64), 3, at(128), 0, 0), 0);
	strcpy((char *)ctx + 128, "help");
	CHECK_U64(call5(p, at(64), 3, at(128), 0, 0), 0);
	CHECK_U64(call5(p, at(64), 4, at(128), 0, 0), (uint64_t)-1);
	strcpy((char *)ctx + 128, "hell");
	CHECK_U64(call5(p, at(64), 6, at(128), 0, 0), 1);
	ctx[64] = (char)0xe9; /* compared unsigned */
	CHECK_U64(call5(p, at(64), 6, at(128), 0, 0), 1);
	/* s1 not NUL-terminated within s1_sz: compares s1_sz bytes */
	memcpy(ctx + 64, "abcdef", 6);
	strcpy((char *)ctx + 128, "abc");
	CHECK_U64(call5(p, at(64), 3, at(128), 0, 0), 0);
	CHECK_U64(call5(p, at(64), 4, at(128), 0, 0), 1);

	*arg(0) = 0x10;
	run_fails(p, "strncmp: arg1");
	*arg(0) = at(64);
	*arg(2) = at(3000);
	memset(ctx + 3000, 'a', sizeof(ctx) - 3000); /* no NUL */
	run_fails(p, "strncmp: arg3");
	bpfvm_prog_free(p);
}

struct strto_case {
	const char *s;
	uint64_t flags;
	int64_t ret;
	uint64_t res;
};

static void strto_cases(const bpfvm_prog *p, const struct strto_case *c,
			size_t n)
{
	for (size_t i = 0; i < n; i++) {
		strcpy((char *)ctx + 64, c[i].s);
		*(uint64_t *)(ctx + 128) = 0x5555;
		CHECK_U64(call5(p, at(64), strlen(c[i].s), c[i].flags, at(128),
				0),
			  (uint64_t)c[i].ret);
		CHECK_U64(*(uint64_t *)(ctx + 128), c[i].res);
	}
}

static void test_strtox(void)
{
	static const struct strto_case l[] = {
		{ "  -123abc", 10, 6, (uint64_t)-123 },
		{ "0x1f", 0, 4, 31 },
		{ "0x1f", 16, 4, 31 },
		{ "1f", 16, 2, 31 },
		{ "0777", 0, 4, 0777 },
		{ "0x", 0, 1, 0 }, /* octal 0, then "x" */
		{ "0x", 16, -EINVAL, 0 },
		{ "09", 0, 1, 0 },
		{ "42", 7, -EINVAL, 0 },
		{ "42", 0x20 | 10, -EINVAL, 0 },
		{ "-", 10, -EINVAL, 0 },
		{ "   ", 10, -EINVAL, 0 },
		{ "abc", 10, -EINVAL, 0 },
		{ "9223372036854775807", 10, 19, INT64_MAX },
		{ "-9223372036854775808", 10, 20, (uint64_t)INT64_MIN },
		{ "9223372036854775808", 10, -ERANGE, 0 },
		{ "99999999999999999999", 10, -ERANGE, 0 },
	};
	static const struct strto_case ul[] = {
		{ "18446744073709551615", 10, 20, UINT64_MAX },
		{ "18446744073709551616", 10, -ERANGE, 0 },
		{ "-5", 10, -EINVAL, 0 },
		{ "\t+5", 10, -EINVAL, 0 }, /* no '+' */
	};
	bpfvm_prog *p = caller(105), *q = caller(106);

	strto_cases(p, l, sizeof(l) / sizeof(l[0]));
	strto_cases(q, ul, sizeof(ul) / sizeof(ul[0]));
	/* buf_len bounds the text; at most 63 bytes are looked at */
	strcpy((char *)ctx + 64, "12345");
	CHECK_U64(call5(p, at(64), 3, 10, at(128), 0), 3);
	CHECK_U64(*(uint64_t *)(ctx + 128), 123);
	memset(ctx + 64, '0', 70);
	ctx[64 + 69] = '7';
	CHECK_U64(call5(p, at(64), 70, 10, at(128), 0), 63);
	*arg(3) = 0x10;
	run_fails(p, "strtol: arg4");
	bpfvm_prog_free(p);
	bpfvm_prog_free(q);
}

/* ---- csum_diff: the kernel's selftest vectors (test_csum_diff.c) ---- */

static void test_csum(void)
{
	static const uint64_t big[8] = {
		0x327b23c66b8b4567, 0x66334873643c9869, 0x19495cff74b0dc51,
		0x625558ec2ae8944a, 0x46e87ccd238e1f29, 0x507ed7ab3d1b58ba,
		0x41b71efb2eb141f2, 0x7545e14679e2a9e3,
	};
	static const uint64_t db[2] = { 0xdeadbeefdeadbeef,
					0xbeefdeadbeefdead };
	static const uint64_t ab = 0xabababababababab;
	bpfvm_prog *p = caller(28);
	uint64_t f = at(256), t = at(1024);

	memcpy(ctx + 1024, db, 16);
	CHECK_U64(call5(p, 0, 0, t, 8, 0), 0x3b3b);
	CHECK_U64(call5(p, 0, 0, t, 16, 0x1234), 0x88aa);
	CHECK_U64(call5(p, 0, 0, t, 15, 0x1234), 0xcaa9);
	memcpy(ctx + 256, db, 16);
	CHECK_U64(call5(p, f, 8, 0, 0, 0), 0xc4c4);
	CHECK_U64(call5(p, f, 16, 0, 0, 0x1234), 0x9bbd);
	CHECK_U64(call5(p, f, 15, 0, 0, 0x1234), 0x59be);
	memcpy(ctx + 1024, &ab, 8);
	CHECK_U64(call5(p, f, 8, t, 8, 0), 0x7373);
	CHECK_U64(call5(p, f, 7, t, 7, 0), 0xa673);
	memset(ctx + 256, 0, 8);
	CHECK_U64(call5(p, f, 8, t, 8, 0), 0xaeae);
	memcpy(ctx + 256, db, 8);
	memset(ctx + 1024, 0, 8);
	CHECK_U64(call5(p, f, 8, t, 8, 0xffff), 0xc4c4);
	CHECK_U64(call5(p, 0, 0, 0, 0, 0), 0);
	CHECK_U64(call5(p, 0, 0, 0, 0, 0x1234), 0x1234);
	memset(ctx + 256, 0, 512);
	CHECK_U64(call5(p, f, 512, 0, 0, 0xffff), 0xffff);
	/* folding is what matters: to == from gives a zero checksum */
	memcpy(ctx + 256, big, 64);
	memcpy(ctx + 1024, big, 64);
	CHECK_U64(call5(p, f, 64, t, 64, 0) % 0xffff, 0);

	*arg(0) = 0x10;
	*arg(1) = 4;
	run_fails(p, "csum_diff: arg1");
	bpfvm_prog_free(p);
}

/* ---- maps ---- */

static const char lookup_text[] = "r6 = r1\n"
				  "r1 = MAP0\n"
				  "r2 = r6\n"
				  "r2 += 64\n"
				  "call 1\n"
				  "if r0 == 0 goto out\n"
				  "r1 = *(u64 *)(r0 + 0)\n"
				  "*(u64 *)(r6 + 16) = r1\n"
				  "r1 += 1\n"
				  "*(u64 *)(r0 + 0) = r1\n"
				  "r0 = 1\n"
				  "out:\n"
				  "exit\n";

/* r0 = helper(map, ctx + 64, ctx + 128, ctx[8]) */
static bpfvm_prog *map_caller(uint32_t id, uint32_t map)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "r6 = r1\n"
		 "r1 = MAP0\n"
		 "r2 = r6\n"
		 "r2 += 64\n"
		 "r3 = r6\n"
		 "r3 += 128\n"
		 "r4 = *(u64 *)(r6 + 8)\n"
		 "call %u\n"
		 "exit\n",
		 id);
	return load_ok(BPFVM_PROG_RAW, text, &map);
}

/* r0 = helper(map, ctx + 128, ctx[8]): push, pop, peek */
static bpfvm_prog *value_caller(uint32_t id, uint32_t map)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "r6 = r1\n"
		 "r1 = MAP0\n"
		 "r2 = r6\n"
		 "r2 += 128\n"
		 "r3 = *(u64 *)(r6 + 8)\n"
		 "call %u\n"
		 "exit\n",
		 id);
	return load_ok(BPFVM_PROG_RAW, text, &map);
}

static void test_hash(void)
{
	bpfvm_map *map;
	uint32_t id = new_map(BPFVM_MAP_HASH, 4, 8, 2, 0, NULL, &map);
	bpfvm_prog *lookup = load_ok(BPFVM_PROG_RAW, lookup_text, &id);
	bpfvm_prog *update = map_caller(2, id), *del = map_caller(3, id);
	bpfvm_prog *push = value_caller(87, id);
	uint32_t key = 5;
	uint64_t value = 0;

	memcpy(ctx + 64, &key, 4);
	*(uint64_t *)(ctx + 128) = 41;
	*arg(1) = BPFVM_ANY;
	CHECK_U64(run(lookup, NULL), 0); /* absent */
	CHECK_U64(run(update, NULL), 0);
	*arg(2) = 0;
	CHECK_U64(run(lookup, NULL), 1);
	CHECK_U64(*arg(2), 41);
	CHECK(bpfvm_map_lookup(map, &key, &value) == 0 && value == 42);
	*arg(1) = BPFVM_NOEXIST;
	CHECK_U64(run(update, NULL), ERR(EEXIST));
	*arg(1) = 99;
	CHECK_U64(run(update, NULL), ERR(EINVAL));
	key = 6;
	memcpy(ctx + 64, &key, 4);
	*arg(1) = BPFVM_EXIST;
	CHECK_U64(run(update, NULL), ERR(ENOENT));
	*arg(1) = BPFVM_ANY;
	CHECK_U64(run(update, NULL), 0);
	key = 7;
	memcpy(ctx + 64, &key, 4);
	CHECK_U64(run(update, NULL), ERR(E2BIG)); /* max_entries 2 */
	CHECK_U64(run(del, NULL), ERR(ENOENT));
	key = 5;
	memcpy(ctx + 64, &key, 4);
	CHECK_U64(run(del, NULL), 0);
	CHECK_U64(run(lookup, NULL), 0);

	/* the kernel verifier's map/helper compatibility */
	run_fails(push, "cannot pass map_type 1 into func bpf_map_push_elem");
	bpfvm_prog_free(lookup);
	bpfvm_prog_free(update);
	bpfvm_prog_free(del);
	bpfvm_prog_free(push);
}

static void test_percpu(void)
{
	static const char text[] = "r6 = r1\n"
				   "*(u32 *)(r10 - 4) = 0\n"
				   "r1 = MAP0\n"
				   "r2 = r10\n"
				   "r2 += -4\n"
				   "r3 = *(u64 *)(r6 + 0)\n"
				   "call 195\n"
				   "if r0 == 0 goto out\n"
				   "r0 = *(u64 *)(r0 + 0)\n"
				   "out:\n"
				   "exit\n";
	bpfvm_map *map;
	uint32_t id = new_map(BPFVM_MAP_PERCPU_ARRAY, 4, 8, 1, 0, NULL, &map);
	uint32_t plain = new_map(BPFVM_MAP_ARRAY, 4, 8, 1, 0, NULL, NULL);
	unsigned ncpus = bpfvm_ncpus();
	uint64_t *values = calloc(ncpus, 8);
	bpfvm_prog *p = load_ok(BPFVM_PROG_RAW, text, &id);
	bpfvm_prog *q = load_ok(BPFVM_PROG_RAW, text, &plain);
	uint32_t key = 0;

	CHECK(bpfvm_map_host_value_size(map) == ncpus * 8);
	for (unsigned i = 0; i < ncpus; i++)
		values[i] = 100 + i;
	CHECK(bpfvm_map_update(map, &key, values, 0) == 0);
	*arg(0) = ncpus - 1;
	CHECK_U64(run(p, NULL), 100 + ncpus - 1);
	*arg(0) = 0;
	CHECK_U64(run(p, NULL), 100);
	*arg(0) = ncpus;
	CHECK_U64(run(p, NULL), 0);
	run_fails(q, "cannot pass map_type 2 into func "
		     "bpf_map_lookup_percpu_elem");
	free(values);
	bpfvm_prog_free(p);
	bpfvm_prog_free(q);
}

static void test_array_rdonly(void)
{
	bpfvm_map *map;
	uint32_t id = new_map(BPFVM_MAP_ARRAY, 4, 8, 4, 0, NULL, &map);
	uint32_t ro = new_map(BPFVM_MAP_ARRAY, 4, 8, 4, BPFVM_F_RDONLY_PROG,
			      NULL, NULL);
	bpfvm_prog *lookup = load_ok(BPFVM_PROG_RAW, lookup_text, &id);
	bpfvm_prog *lookup_ro = load_ok(BPFVM_PROG_RAW, lookup_text, &ro);
	bpfvm_prog *del = map_caller(3, id);
	uint32_t key = 3;
	uint64_t value = 0;

	memcpy(ctx + 64, &key, 4);
	CHECK_U64(run(lookup, NULL), 1);
	CHECK_U64(run(lookup, NULL), 1);
	CHECK(bpfvm_map_lookup(map, &key, &value) == 0 && value == 2);
	key = 4;
	memcpy(ctx + 64, &key, 4);
	CHECK_U64(run(lookup, NULL), 0);	/* out of range */
	CHECK_U64(run(del, NULL), ERR(EINVAL)); /* arrays cannot delete */
	key = 0;
	memcpy(ctx + 64, &key, 4);
	run_fails(lookup_ro, ""); /* the store through the value faults */
	bpfvm_prog_free(lookup);
	bpfvm_prog_free(lookup_ro);
	bpfvm_prog_free(del);
}

static void test_map_forged(void)
{
	uint32_t id = new_map(BPFVM_MAP_HASH, 4, 8, 4, 0, NULL, NULL);
	bpfvm_prog *p;

	/* a wild key pointer */
	p = load_ok(BPFVM_PROG_RAW,
		    "r1 = MAP0\n"
		    "r2 = 4096\n"
		    "call 1\n"
		    "exit\n",
		    &id);
	run_fails(p, "map_lookup_elem: arg2");
	bpfvm_prog_free(p);
	/* a value pointer reaching past the stack */
	p = load_ok(BPFVM_PROG_RAW,
		    "r1 = MAP0\n"
		    "r2 = r10\n"
		    "r2 += -4\n"
		    "*(u32 *)(r10 - 4) = 1\n"
		    "r3 = r10\n"
		    "r3 += -4\n"
		    "r4 = 0\n"
		    "call 2\n"
		    "exit\n",
		    &id);
	run_fails(p, "map_update_elem: arg3");
	bpfvm_prog_free(p);
	/* a number as the map */
	p = load_ok(BPFVM_PROG_RAW,
		    "r1 = 0x7f0000001000 ll\n"
		    "r2 = r10\n"
		    "r2 += -8\n"
		    "*(u64 *)(r10 - 8) = 0\n"
		    "call 1\n"
		    "exit\n",
		    NULL);
	run_fails(p, "map_lookup_elem: arg1 0x7f0000001000 is not a map");
	bpfvm_prog_free(p);
	/* the stack as the map */
	p = load_ok(BPFVM_PROG_RAW,
		    "r1 = r10\n"
		    "r1 += -64\n"
		    "r2 = r10\n"
		    "r2 += -8\n"
		    "*(u64 *)(r10 - 8) = 0\n"
		    "call 3\n"
		    "exit\n",
		    NULL);
	run_fails(p, "map_delete_elem: arg1");
	bpfvm_prog_free(p);
}

static void test_queue(void)
{
	uint32_t q = new_map(BPFVM_MAP_QUEUE, 0, 8, 2, 0, NULL, NULL);
	uint32_t s = new_map(BPFVM_MAP_STACK, 0, 8, 2, 0, NULL, NULL);
	bpfvm_prog *push = value_caller(87, q), *pop = value_caller(88, q);
	bpfvm_prog *peek = value_caller(89, q), *spush = value_caller(87, s);
	bpfvm_prog *spop = value_caller(88, s), *lookup;
	uint64_t *v = (uint64_t *)(ctx + 128);

	*arg(1) = 0;
	CHECK_U64(run(pop, NULL), ERR(ENOENT));
	CHECK_U64(run(peek, NULL), ERR(ENOENT));
	*v = 1;
	CHECK_U64(run(push, NULL), 0);
	*v = 2;
	CHECK_U64(run(push, NULL), 0);
	*v = 3;
	CHECK_U64(run(push, NULL), ERR(E2BIG));
	*arg(1) = BPFVM_EXIST; /* full: drop the oldest */
	CHECK_U64(run(push, NULL), 0);
	*v = 0;
	CHECK_U64(run(peek, NULL), 0);
	CHECK_U64(*v, 2);
	CHECK_U64(run(pop, NULL), 0);
	CHECK_U64(*v, 2);
	CHECK_U64(run(pop, NULL), 0);
	CHECK_U64(*v, 3);
	*arg(1) = 0;
	for (uint64_t i = 1; i <= 2; i++) {
		*v = i;
		CHECK_U64(run(spush, NULL), 0);
	}
	CHECK_U64(run(spop, NULL), 0);
	CHECK_U64(*v, 2); /* last in, first out */

	/* pop writes value_size bytes: the pointer must be writable */
	bpfvm_prog_free(pop);
	pop = load_ok(BPFVM_PROG_RAW,
		      "r1 = MAP0\n"
		      "r2 = r10\n"
		      "r2 += -4\n"
		      "call 88\n"
		      "exit\n",
		      &q);
	run_fails(pop, "map_pop_elem: arg2");
	lookup = load_ok(BPFVM_PROG_RAW, lookup_text, &q);
	run_fails(lookup,
		  "cannot pass map_type 22 into func bpf_map_lookup_elem");
	bpfvm_prog_free(push);
	bpfvm_prog_free(pop);
	bpfvm_prog_free(peek);
	bpfvm_prog_free(spush);
	bpfvm_prog_free(spop);
	bpfvm_prog_free(lookup);
}

static void test_map_in_map(void)
{
	static const struct bpfvm_map_spec inner_spec = {
		.type = BPFVM_MAP_ARRAY,
		.key_size = 4,
		.value_size = 8,
		.max_entries = 1,
	};
	bpfvm_map *inner, *outer;
	uint32_t ids[2];
	uint32_t key = 0, inner_id;
	uint64_t value = 77;
	bpfvm_prog *p;

	inner_id = new_map(BPFVM_MAP_ARRAY, 4, 8, 1, 0, NULL, &inner);
	ids[0] = new_map(BPFVM_MAP_ARRAY_OF_MAPS, 4, 4, 2, 0, &inner_spec,
			 &outer);
	CHECK(bpfvm_map_update(inner, &key, &value, 0) == 0);
	CHECK(bpfvm_map_update(outer, &key, &inner_id, 0) == 0);
	p = load_ok(BPFVM_PROG_RAW,
		    "r6 = r1\n"
		    "*(u32 *)(r10 - 4) = 0\n"
		    "r1 = MAP0\n"
		    "r2 = r10\n"
		    "r2 += -4\n"
		    "call 1\n"
		    "if r0 == 0 goto miss\n"
		    "r1 = r0\n"
		    "r2 = r10\n"
		    "r2 += -4\n"
		    "call 1\n"
		    "if r0 == 0 goto miss\n"
		    "r1 = *(u64 *)(r0 + 0)\n"
		    "r1 += 1\n"
		    "*(u64 *)(r0 + 0) = r1\n"
		    "r0 = r1\n"
		    "exit\n"
		    "miss:\n"
		    "r0 = 0\n"
		    "exit\n",
		    ids);
	CHECK_U64(run(p, NULL), 78);
	CHECK(bpfvm_map_lookup(inner, &key, &value) == 0 && value == 78);
	bpfvm_prog_free(p);
	/* the inner map pointer is no memory */
	p = load_ok(BPFVM_PROG_RAW,
		    "*(u32 *)(r10 - 4) = 0\n"
		    "r1 = MAP0\n"
		    "r2 = r10\n"
		    "r2 += -4\n"
		    "call 1\n"
		    "if r0 == 0 goto miss\n"
		    "r0 = *(u64 *)(r0 + 0)\n"
		    "miss:\n"
		    "exit\n",
		    ids);
	run_fails(p, "");
	bpfvm_prog_free(p);
	/* map-in-map takes lookups only */
	p = map_caller(3, ids[0]);
	run_fails(p, "cannot pass map_type 12 into func bpf_map_delete_elem");
	bpfvm_prog_free(p);
}

static void test_for_each(void)
{
	static const char text[] = "r6 = r1\n"
				   "*(u64 *)(r10 - 8) = 0\n"
				   "r1 = *(u64 *)(r6 + 0)\n"
				   "*(u64 *)(r10 - 16) = r1\n"
				   "r1 = MAP0\n"
				   "r2 = FUNC1\n"
				   "r3 = r10\n"
				   "r3 += -16\n"
				   "r4 = *(u64 *)(r6 + 8)\n"
				   "call 164\n"
				   "*(u64 *)(r6 + 16) = r0\n"
				   "r1 = *(u64 *)(r10 - 8)\n"
				   "*(u64 *)(r6 + 24) = r1\n"
				   "r0 = 0\n"
				   "exit\n"
				   /* callback(map, key, value,
				    * ctx): sum values, bump them,
				    * stop at key ctx[0] */
				   "r5 = *(u64 *)(r3 + 0)\n"
				   "r0 = *(u64 *)(r4 + 8)\n"
				   "r0 += r5\n"
				   "*(u64 *)(r4 + 8) = r0\n"
				   "r5 += 1\n"
				   "*(u64 *)(r3 + 0) = r5\n"
				   "r0 = 0\n"
				   "r5 = *(u32 *)(r2 + 0)\n"
				   "r1 = *(u64 *)(r4 + 0)\n"
				   "if r5 != r1 goto out\n"
				   "r0 = 1\n"
				   "out:\n"
				   "exit\n";
	bpfvm_map *map;
	uint32_t id = new_map(BPFVM_MAP_ARRAY, 4, 8, 4, 0, NULL, &map);
	bpfvm_prog *p = load_ok(BPFVM_PROG_RAW, text, &id);
	uint64_t value;

	for (uint32_t k = 0; k < 4; k++) {
		value = 10 * (k + 1);
		CHECK(bpfvm_map_update(map, &k, &value, 0) == 0);
	}
	*arg(0) = 99;
	*arg(1) = 0;
	CHECK_U64(run(p, NULL), 0);
	CHECK_U64(*arg(2), 4);
	CHECK_U64(*arg(3), 100);
	for (uint32_t k = 0; k < 4; k++)
		CHECK(bpfvm_map_lookup(map, &k, &value) == 0 &&
		      value == 10 * (k + 1) + 1);
	*arg(0) = 1; /* stop after key 1: two elements */
	CHECK_U64(run(p, NULL), 0);
	CHECK_U64(*arg(2), 2);
	CHECK_U64(*arg(3), 11 + 21);
	*arg(1) = 1;
	CHECK_U64(run(p, NULL), 0);
	CHECK_U64(*arg(2), ERR(EINVAL));
	bpfvm_prog_free(p);
}

/* ---- control: tail_call, loop ---- */

static void test_tail_call(void)
{
	static const char self[] = "r6 = r1\n"
				   "r7 = *(u64 *)(r6 + 0)\n"
				   "r7 += 1\n"
				   "*(u64 *)(r6 + 0) = r7\n"
				   "r1 = r6\n"
				   "r2 = MAP0\n"
				   "r3 = *(u64 *)(r6 + 8)\n"
				   "call 12\n"
				   "*(u64 *)(r6 + 16) = r0\n"
				   "r0 = 7\n"
				   "exit\n";
	bpfvm_map *map;
	uint32_t id = new_map(BPFVM_MAP_PROG_ARRAY, 4, 4, 4, 0, NULL, &map);
	bpfvm_prog *p = load_ok(BPFVM_PROG_RAW, self, &id);
	bpfvm_prog *other = load_ok(BPFVM_PROG_RAW, "r0 = 99\nexit\n", NULL);
	bpfvm_prog *bad_ctx;
	uint32_t key = 0, prog_id = p ? bpfvm_prog_id(p) : 0;

	CHECK(bpfvm_map_update(map, &key, &prog_id, 0) == 0);
	key = 2;
	prog_id = other ? bpfvm_prog_id(other) : 0;
	CHECK(bpfvm_map_update(map, &key, &prog_id, 0) == 0);

	/* a program tail-calling itself runs 1 + 33 times */
	*arg(0) = 0;
	*arg(1) = 0;
	CHECK_U64(run(p, NULL), 7);
	CHECK_U64(*arg(0), 1 + BPFVM_MAX_TAIL_CALLS);
	CHECK_U64(*arg(2), ERR(ELOOP));
	/* an empty slot, an index out of range: the caller goes on */
	for (uint64_t index = 1; index <= 4; index += 3) {
		*arg(0) = 0;
		*arg(1) = index;
		CHECK_U64(run(p, NULL), 7);
		CHECK_U64(*arg(0), 1);
		CHECK_U64(*arg(2), ERR(ENOENT));
	}
	/* the index is a u32 */
	*arg(0) = 0;
	*arg(1) = 0x100000002ull;
	CHECK_U64(run(p, NULL), 99);
	/* another program: the caller does not come back */
	*arg(0) = 0;
	*arg(1) = 2;
	*arg(2) = 0;
	CHECK_U64(run(p, NULL), 99);
	CHECK_U64(*arg(0), 1);
	CHECK_U64(*arg(2), 0);

	bad_ctx = load_ok(BPFVM_PROG_RAW,
			  "r1 = r10\n"
			  "r2 = MAP0\n"
			  "r3 = 0\n"
			  "call 12\n"
			  "exit\n",
			  &id);
	run_fails(bad_ctx, "tail_call: arg1");
	bpfvm_prog_free(bad_ctx);
	/* the map holds references to programs; empty it before freeing */
	for (key = 0; key < 4; key++)
		bpfvm_map_delete(map, &key);
	bpfvm_prog_free(p);
	bpfvm_prog_free(other);
}

static void test_loop(void)
{
	static const char text[] = "r6 = r1\n"
				   "*(u64 *)(r10 - 8) = 0\n"
				   "r1 = *(u64 *)(r6 + 16)\n"
				   "*(u64 *)(r10 - 16) = r1\n"
				   "r1 = *(u64 *)(r6 + 0)\n"
				   "r2 = FUNC1\n"
				   "r3 = r10\n"
				   "r3 += -16\n"
				   "r4 = *(u64 *)(r6 + 8)\n"
				   "call 181\n"
				   "*(u64 *)(r6 + 24) = r0\n"
				   "r0 = *(u64 *)(r10 - 8)\n"
				   "exit\n"
				   /* callback(i, ctx): ctx[1] += i; stop (1)
				      when i == ctx[0] */
				   "r3 = *(u64 *)(r2 + 8)\n"
				   "r3 += r1\n"
				   "*(u64 *)(r2 + 8) = r3\n"
				   "r0 = 0\n"
				   "r4 = *(u64 *)(r2 + 0)\n"
				   "if r1 != r4 goto out\n"
				   "r0 = 1\n"
				   "out:\n"
				   "exit\n";
	bpfvm_prog *p = load_ok(BPFVM_PROG_RAW, text, NULL);

	*arg(0) = 10;
	*arg(1) = 0;
	*arg(2) = ~0ull;
	CHECK_U64(run(p, NULL), 45);
	CHECK_U64(*arg(3), 10);
	*arg(2) = 3;
	CHECK_U64(run(p, NULL), 0 + 1 + 2 + 3);
	CHECK_U64(*arg(3), 4);
	*arg(0) = 0;
	CHECK_U64(run(p, NULL), 0);
	CHECK_U64(*arg(3), 0);
	*arg(0) = 0x100000002ull; /* nr_loops is a u32 */
	*arg(2) = ~0ull;
	CHECK_U64(run(p, NULL), 1);
	CHECK_U64(*arg(3), 2);
	*arg(0) = (1u << 23) + 1;
	CHECK_U64(run(p, NULL), 0);
	CHECK_U64(*arg(3), ERR(E2BIG));
	*arg(0) = 5;
	*arg(1) = 1;
	CHECK_U64(run(p, NULL), 0);
	CHECK_U64(*arg(3), ERR(EINVAL));
	bpfvm_prog_free(p);
}

/* ---- XDP ---- */

static const uint8_t packet[64] = { 0xff, 0xff, 0xff, 0xff, 0xff,
				    0xff, 0x02, 0x00, 0x00, 0x00,
				    0x00, 0x01, 0x08, 0x00, 0x45 };

/* Run an XDP program on a fresh 64-byte packet; r0 (~0 on failure). */
static uint64_t run_xdp(const bpfvm_prog *prog, bpfvm_xdp_buff *buf,
			bpfvm_error *err)
{
	bpfvm_error local;
	uint64_t action = 0;

	if (!err)
		err = &local;
	memset(err, 0, sizeof(*err));
	CHECK(bpfvm_xdp_buff_set(buf, packet, sizeof(packet), 1, 0) == 0);
	if (!prog || bpfvm_run_xdp(prog, buf, &action, err))
		return ~0ull;
	return action;
}

/* An XDP program calling helper id(ctx, delta), returning its error or
 * the new data_end - data (head, tail) or data - data_meta (meta). */
static uint64_t xdp_adjust(uint32_t id, int delta, bpfvm_xdp_buff *buf)
{
	char text[512];
	bpfvm_prog *p;
	uint64_t r0;

	snprintf(text, sizeof(text),
		 "r6 = r1\n"
		 "r2 = %d\n"
		 "call %u\n"
		 "if r0 != 0 goto out\n"
		 "r2 = *(u32 *)(r6 + 0)\n"
		 "r3 = *(u32 *)(r6 + %d)\n"
		 "r0 = r%d\n"
		 "r0 -= r%d\n"
		 "out:\n"
		 "exit\n",
		 delta, id, id == 54 ? 8 : 4, id == 54 ? 2 : 3,
		 id == 54 ? 3 : 2);
	p = load_ok(BPFVM_PROG_XDP, text, NULL);
	r0 = run_xdp(p, buf, NULL);
	bpfvm_prog_free(p);
	return r0;
}

static void test_xdp_adjust(bpfvm_xdp_buff *buf)
{
	uintptr_t frame = (uintptr_t)buf->frame;
	bpfvm_prog *p;

	/* head: data moves, at least ETH_HLEN stays, the xdp_frame area
	 * (40 bytes) at the frame's start stays */
	CHECK_U64(xdp_adjust(44, -14, buf), 78);
	CHECK_U64(buf->md.data, frame + BPFVM_XDP_HEADROOM - 14);
	CHECK_U64(buf->md.data_meta, buf->md.data);
	CHECK_U64(xdp_adjust(44, 50, buf), 14);
	CHECK_U64(xdp_adjust(44, 51, buf), ERR(EINVAL));
	CHECK_U64(xdp_adjust(44, -(BPFVM_XDP_HEADROOM - 40), buf), 64 + 216);
	CHECK_U64(xdp_adjust(44, -(BPFVM_XDP_HEADROOM - 39), buf), ERR(EINVAL));
	/* tail: shrink to ETH_HLEN, grow up to the tailroom, zero-filled */
	CHECK_U64(xdp_adjust(65, -50, buf), 14);
	CHECK_U64(xdp_adjust(65, -51, buf), ERR(EINVAL));
	CHECK_U64(xdp_adjust(65, 100, buf), 164);
	CHECK(buf->frame[BPFVM_XDP_HEADROOM + 64] == 0);
	CHECK_U64(xdp_adjust(65, BPFVM_XDP_MAX_PACKET - 64, buf),
		  BPFVM_XDP_MAX_PACKET);
	CHECK_U64(xdp_adjust(65, BPFVM_XDP_MAX_PACKET - 63, buf), ERR(EINVAL));
	/* meta: 4-byte multiples before data, after the xdp_frame area */
	CHECK_U64(xdp_adjust(54, -8, buf), 8);
	CHECK_U64(buf->md.data - buf->md.data_meta, 8);
	CHECK_U64(xdp_adjust(54, -6, buf), ERR(EACCES));
	CHECK_U64(xdp_adjust(54, 4, buf), ERR(EINVAL));
	CHECK_U64(xdp_adjust(54, -216, buf), 216);
	CHECK_U64(xdp_adjust(54, -220, buf), ERR(EINVAL));

	/* head moves the metadata along; the program sees the new head */
	p = load_ok(BPFVM_PROG_XDP,
		    "r6 = r1\n"
		    "r1 = r6\n"
		    "r2 = -8\n"
		    "call 54\n"
		    "r2 = *(u32 *)(r6 + 8)\n"
		    "*(u64 *)(r2 + 0) = 0x1234\n"
		    "r1 = r6\n"
		    "r2 = -4\n"
		    "call 44\n"
		    "r2 = *(u32 *)(r6 + 8)\n"
		    "r0 = *(u64 *)(r2 + 0)\n"
		    "r3 = *(u32 *)(r6 + 0)\n"
		    "*(u8 *)(r3 + 0) = 0xab\n"
		    "exit\n",
		    NULL);
	CHECK_U64(run_xdp(p, buf, NULL), 0x1234);
	CHECK_U64(buf->md.data, frame + BPFVM_XDP_HEADROOM - 4);
	CHECK_U64(buf->md.data - buf->md.data_meta, 8);
	CHECK(buf->frame[BPFVM_XDP_HEADROOM - 4] == 0xab);
	bpfvm_prog_free(p);

	/* the context, not another pointer */
	p = load_ok(BPFVM_PROG_XDP,
		    "r1 = r10\n"
		    "r2 = 4\n"
		    "call 44\n"
		    "exit\n",
		    NULL);
	run_fails(p, "xdp_adjust_head: arg1");
	bpfvm_prog_free(p);
	/* and only for XDP programs */
	p = load(BPFVM_PROG_RAW, "r2 = 4\ncall 65\nexit\n", NULL,
		 &(bpfvm_error){ 0 });
	if (p)
		run_fails(p, "xdp_adjust_tail");
	bpfvm_prog_free(p);
}

static void test_xdp_redirect(bpfvm_xdp_buff *buf)
{
	bpfvm_map *devmap;
	uint32_t id = new_map(BPFVM_MAP_DEVMAP, 4, 4, 4, 0, NULL, &devmap);
	uint32_t key = 1, ifindex = 9;
	bpfvm_prog *p;
	char text[256];

	p = load_ok(BPFVM_PROG_XDP, "r1 = 7\nr2 = 0\ncall 23\nexit\n", NULL);
	CHECK_U64(run_xdp(p, buf, NULL), BPFVM_XDP_REDIRECT);
	CHECK_U64(buf->redirect_ifindex, 7);
	CHECK(buf->redirect_map == NULL);
	bpfvm_prog_free(p);
	p = load_ok(BPFVM_PROG_XDP, "r1 = 7\nr2 = 1\ncall 23\nexit\n", NULL);
	CHECK_U64(run_xdp(p, buf, NULL), BPFVM_XDP_ABORTED);
	bpfvm_prog_free(p);

	CHECK(bpfvm_map_update(devmap, &key, &ifindex, 0) == 0);
	for (int i = 0; i < 4; i++) {
		static const uint64_t cases[4][3] = {
			/* key, flags, action */
			{ 1, 0, BPFVM_XDP_REDIRECT },
			{ 2, BPFVM_XDP_PASS, BPFVM_XDP_PASS },
			{ 9, BPFVM_XDP_DROP, BPFVM_XDP_DROP },
			{ 1, 0x20, BPFVM_XDP_ABORTED },
		};

		snprintf(text, sizeof(text),
			 "r1 = MAP0\n"
			 "r2 = %u\n"
			 "r3 = %u\n"
			 "call 51\n"
			 "exit\n",
			 (unsigned)cases[i][0], (unsigned)cases[i][1]);
		p = load_ok(BPFVM_PROG_XDP, text, &id);
		buf->redirect_ifindex = 0;
		CHECK_U64(run_xdp(p, buf, NULL), cases[i][2]);
		if (i == 0) {
			CHECK_U64(buf->redirect_ifindex, 9);
			CHECK(buf->redirect_map == (void *)devmap);
		}
		bpfvm_prog_free(p);
	}
}

static void test_xdp_bytes(bpfvm_xdp_buff *buf)
{
	bpfvm_prog *p;
	char text[512];

	p = load_ok(BPFVM_PROG_XDP, "call 188\nexit\n", NULL);
	CHECK_U64(run_xdp(p, buf, NULL), 64);
	bpfvm_prog_free(p);
	/* load 2 bytes at 12 (the ether type), store 0xdead at 62 */
	for (int i = 0; i < 4; i++) {
		static const int cases[4][2] = { { 12, 0 },
						 { 62, 0 },
						 { 63, -EINVAL },
						 { 0x10000, -EFAULT } };

		snprintf(text, sizeof(text),
			 "r6 = r1\n"
			 "*(u16 *)(r10 - 2) = 0xadde\n"
			 "r1 = r6\n"
			 "r2 = %d\n"
			 "r3 = r10\n"
			 "r3 += -2\n"
			 "r4 = 2\n"
			 "call %d\n"
			 "if r0 != 0 goto out\n"
			 "r0 = *(u16 *)(r10 - 2)\n"
			 "out:\n"
			 "exit\n",
			 cases[i][0], i == 1 ? 190 : 189);
		p = load_ok(BPFVM_PROG_XDP, text, NULL);
		CHECK_U64(run_xdp(p, buf, NULL), cases[i][1] ? ERR(-cases[i][1])
						 : i == 0    ? 0x0008
							     : 0xadde);
		if (i == 1)
			CHECK(((uint8_t *)(uintptr_t)buf->md.data)[62] == 0xde);
		bpfvm_prog_free(p);
	}
}

/* ---- ring buffer ---- */

static int consumed, consumed_bytes;
static uint64_t consumed_first;

static int consume(void *c, const void *data, size_t size)
{
	if (!consumed++)
		memcpy(&consumed_first, data, size < 8 ? size : 8);
	consumed_bytes += (int)size;
	return 0;
}

static void test_ringbuf(void)
{
	static const char reserve_text[] = "r6 = r1\n"
					   "r1 = MAP0\n"
					   "r2 = 16\n"
					   "r3 = *(u64 *)(r6 + 8)\n"
					   "call 131\n"
					   "if r0 == 0 goto out\n"
					   "r7 = r0\n"
					   "r1 = 0x1122334455667788 ll\n"
					   "*(u64 *)(r7 + 0) = r1\n"
					   "*(u64 *)(r7 + 8) = r1\n"
					   "r1 = r7\n"
					   "r2 = 0\n"
					   "r8 = *(u64 *)(r6 + 0)\n"
					   "if r8 == 1 goto discard\n"
					   "call 132\n"
					   "if r8 != 2 goto done\n"
					   "r1 = r7\n"
					   "r2 = 0\n"
					   "call 132\n" /* submitted twice */
					   "goto done\n"
					   "discard:\n"
					   "call 133\n"
					   "done:\n"
					   "r0 = 1\n"
					   "out:\n"
					   "exit\n";
	bpfvm_map *rb;
	uint32_t id = new_map(BPFVM_MAP_RINGBUF, 0, 0, 4096, 0, NULL, &rb);
	bpfvm_prog *p = load_ok(BPFVM_PROG_RAW, reserve_text, &id);
	bpfvm_prog *out, *query;

	*arg(0) = 0;
	*arg(1) = 0;
	CHECK_U64(run(p, NULL), 1);
	*arg(0) = 1;
	CHECK_U64(run(p, NULL), 1); /* discarded */
	*arg(1) = 1;
	CHECK_U64(run(p, NULL), 0); /* flags: NULL */
	consumed = consumed_bytes = 0;
	CHECK(bpfvm_ringbuf_consume(rb, consume, NULL) == 1);
	CHECK(consumed == 1 && consumed_bytes == 16);
	CHECK_U64(consumed_first, 0x1122334455667788ull);

	/* output(map, ctx + 64, ctx[0], ctx[8]) */
	out = load_ok(BPFVM_PROG_RAW,
		      "r6 = r1\n"
		      "r1 = MAP0\n"
		      "r2 = r6\n"
		      "r2 += 64\n"
		      "r3 = *(u64 *)(r6 + 0)\n"
		      "r4 = *(u64 *)(r6 + 8)\n"
		      "call 130\n"
		      "exit\n",
		      &id);
	memcpy(ctx + 64, "abcdefgh", 8);
	*arg(0) = 8;
	*arg(1) = 0;
	CHECK_U64(run(out, NULL), 0);
	*arg(1) = 4; /* unknown flag */
	CHECK_U64(run(out, NULL), ERR(EINVAL));
	*arg(0) = 8192; /* more than the ring */
	*arg(1) = 0;
	CHECK(run(out, NULL) != 0);
	consumed = consumed_bytes = 0;
	CHECK(bpfvm_ringbuf_consume(rb, consume, NULL) == 1);
	CHECK(consumed_bytes == 8 && !memcmp(&consumed_first, "abcdefgh", 8));

	query = load_ok(BPFVM_PROG_RAW,
			"r1 = MAP0\n"
			"r2 = 1\n"
			"call 134\n"
			"exit\n",
			&id);
	CHECK_U64(run(query, NULL), 4096); /* BPF_RB_RING_SIZE */
	bpfvm_prog_free(query);

	/* releasing what was not reserved, or twice */
	*arg(0) = 2;
	run_fails(p, "ringbuf_submit: arg1");
	bpfvm_prog_free(p);
	p = load_ok(BPFVM_PROG_RAW,
		    "r1 = r10\n"
		    "r1 += -16\n"
		    "r2 = 0\n"
		    "call 133\n"
		    "exit\n",
		    NULL);
	run_fails(p, "ringbuf_discard: arg1");
	bpfvm_prog_free(p);
	bpfvm_prog_free(out);
}

int main(void)
{
	bpfvm_xdp_buff *buf;

	vm = bpfvm_new();
	CHECK(vm && bpfvm_register_kernel_helpers(vm) == 0);
	if (!vm)
		return 1;
	test_protos();
	test_time();
	test_vm_clock();
	test_random_cpu_task();
	test_printk();
	test_snprintf();
	test_strncmp();
	test_strtox();
	test_csum();
	test_hash();
	test_array_rdonly();
	test_percpu();
	test_map_forged();
	test_queue();
	test_map_in_map();
	test_for_each();
	test_tail_call();
	test_loop();
	buf = bpfvm_xdp_buff_new();
	CHECK(buf != NULL);
	if (buf) {
		test_xdp_adjust(buf);
		test_xdp_redirect(buf);
		test_xdp_bytes(buf);
		bpfvm_xdp_buff_free(buf);
	}
	test_ringbuf();
	bpfvm_free(vm);
	DONE();
}
