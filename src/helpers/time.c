/* SPDX-License-Identifier: MIT */
/*
 * Time and randomness: ktime_get_ns and friends, jiffies64,
 * get_prandom_u32, get_smp_processor_id, get_numa_node_id.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "helpers/helpers_internal.h"

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * The VM may replace the monotonic clock (bpfvm_set_clock, e.g. packet
 * times when replaying a capture). Every clock that counts from boot
 * follows it then, so that programs comparing ktime_get_ns with
 * ktime_get_coarse_ns, ktime_get_boot_ns or jiffies64 (rate limiters
 * do) see one consistent time; ktime_get_tai_ns stays wall-clock time.
 */
static uint64_t mono_ns(const bpfvm_exec *exec, clockid_t id)
{
	uint64_t ns;

	return bpfvm_exec_clock(exec, &ns) ? ns : clock_ns(id);
}

uint64_t bpfvm_bpf_ktime_get_ns(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				uint64_t r3, uint64_t r4, uint64_t r5)
{
	return mono_ns(exec, CLOCK_MONOTONIC);
}

uint64_t bpfvm_bpf_ktime_get_boot_ns(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				     uint64_t r3, uint64_t r4, uint64_t r5)
{
	return mono_ns(exec, CLOCK_BOOTTIME);
}

uint64_t bpfvm_bpf_ktime_get_coarse_ns(bpfvm_exec *exec, uint64_t r1,
				       uint64_t r2, uint64_t r3, uint64_t r4,
				       uint64_t r5)
{
	return mono_ns(exec, CLOCK_MONOTONIC_COARSE);
}

uint64_t bpfvm_bpf_ktime_get_tai_ns(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				    uint64_t r3, uint64_t r4, uint64_t r5)
{
	return clock_ns(CLOCK_TAI);
}

/*
 * jiffies64: the kernel's tick count. The kernel runs at CONFIG_HZ ticks
 * a second and starts counting at INITIAL_JIFFIES, 300 seconds before the
 * 32-bit wrap (include/linux/jiffies.h), and, like CLOCK_MONOTONIC, the
 * count stands still during suspend. So jiffies64 = INITIAL_JIFFIES +
 * monotonic time * HZ, which gives numbers of the size the running kernel
 * gives. HZ is the running kernel's CONFIG_HZ when its configuration can
 * be read (/boot/config-<release>, else /proc/config.gz through zlib when
 * libz.so.1 is installed), else 250, the default of most distributions.
 */
#define DEFAULT_HZ 250

static unsigned parse_hz(const char *line)
{
	static const char key[] = "CONFIG_HZ=";

	if (strncmp(line, key, sizeof(key) - 1))
		return 0;
	return (unsigned)strtoul(line + sizeof(key) - 1, NULL, 10);
}

static unsigned hz_from_boot_config(void)
{
	struct utsname u;
	char path[128 + sizeof(u.release)], line[256];
	unsigned hz = 0;
	FILE *f;

	if (uname(&u))
		return 0;
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (!hz && fgets(line, sizeof(line), f))
		hz = parse_hz(line);
	fclose(f);
	return hz;
}

/* /proc/config.gz is gzip: read it through zlib when the system has it,
 * loaded on demand so bpfvm does not depend on it. */
static unsigned hz_from_proc_config(void)
{
	void *(*gz_open)(const char *, const char *);
	char *(*gz_gets)(void *, char *, int);
	int (*gz_close)(void *);
	char line[256];
	unsigned hz = 0;
	void *lib, *gz;

	lib = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return 0;
	*(void **)&gz_open = dlsym(lib, "gzopen");
	*(void **)&gz_gets = dlsym(lib, "gzgets");
	*(void **)&gz_close = dlsym(lib, "gzclose");
	if (gz_open && gz_gets && gz_close) {
		gz = gz_open("/proc/config.gz", "rb");
		while (gz && !hz && gz_gets(gz, line, sizeof(line)))
			hz = parse_hz(line);
		if (gz)
			gz_close(gz);
	}
	dlclose(lib);
	return hz;
}

static unsigned kernel_hz = DEFAULT_HZ;
static pthread_once_t hz_once = PTHREAD_ONCE_INIT;

static void find_hz(void)
{
	unsigned hz = hz_from_boot_config();

	if (!hz)
		hz = hz_from_proc_config();
	if (hz >= 24 && hz <= 10000) /* CONFIG_HZ's possible range */
		kernel_hz = hz;
}

#define INITIAL_JIFFIES(hz) ((uint64_t)(uint32_t)(-300 * (int64_t)(hz)))

uint64_t bpfvm_bpf_jiffies64(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
			     uint64_t r3, uint64_t r4, uint64_t r5)
{
	uint64_t ns = mono_ns(exec, CLOCK_MONOTONIC);

	pthread_once(&hz_once, find_hz);
	/* ns / 1e9 * hz without overflow: whole seconds, then the rest */
	return INITIAL_JIFFIES(kernel_hz) + ns / 1000000000ull * kernel_hz +
	       ns % 1000000000ull * kernel_hz / 1000000000ull;
}

/*
 * get_prandom_u32: a per-thread xoshiro128++ generator (not the kernel's
 * Tausworthe; programs only see uniform u32 values either way), seeded
 * from getrandom on a thread's first call.
 */
static _Thread_local uint32_t rnd[4];
static _Thread_local bool rnd_seeded;

static uint32_t rotl(uint32_t x, int k)
{
	return x << k | x >> (32 - k);
}

static void rnd_seed(void)
{
	uint64_t mix;

	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd)) {
		/* no entropy yet: time and thread, mixed (splitmix64) */
		mix = clock_ns(CLOCK_MONOTONIC) ^ (uint64_t)(uintptr_t)&rnd;
		for (int i = 0; i < 4; i++) {
			uint64_t z = (mix += 0x9e3779b97f4a7c15ull);

			z = (z ^ z >> 30) * 0xbf58476d1ce4e5b9ull;
			z = (z ^ z >> 27) * 0x94d049bb133111ebull;
			rnd[i] = (uint32_t)(z ^ z >> 31);
		}
	}
	if (!(rnd[0] | rnd[1] | rnd[2] | rnd[3]))
		rnd[0] = 1; /* the one state xoshiro cannot leave */
	rnd_seeded = true;
}

uint64_t bpfvm_bpf_get_prandom_u32(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				   uint64_t r3, uint64_t r4, uint64_t r5)
{
	uint32_t result, t;

	if (!rnd_seeded)
		rnd_seed();
	result = rotl(rnd[0] + rnd[3], 7) + rnd[0];
	t = rnd[1] << 9;
	rnd[2] ^= rnd[0];
	rnd[3] ^= rnd[1];
	rnd[1] ^= rnd[2];
	rnd[0] ^= rnd[3];
	rnd[2] ^= t;
	rnd[3] = rotl(rnd[3], 11);
	return result;
}

uint64_t bpfvm_bpf_get_smp_processor_id(bpfvm_exec *exec, uint64_t r1,
					uint64_t r2, uint64_t r3, uint64_t r4,
					uint64_t r5)
{
	return bpfvm_cpu();
}

/* bpfvm's CPU slots are one NUMA node. */
uint64_t bpfvm_bpf_get_numa_node_id(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				    uint64_t r3, uint64_t r4, uint64_t r5)
{
	return 0;
}
