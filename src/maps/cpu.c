/* SPDX-License-Identifier: MIT */
/*
 * What every map type leans on: the per-CPU slot machinery (how many
 * slots per-CPU maps get, which one the calling thread uses), the lock's
 * slow path, and value copies that are atomic per aligned 8-byte word.
 */
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "maps/map_internal.h"

static uint32_t ncpus_set;    /* atomic; 0: the default */
static uint32_t ncpus_online; /* atomic; 0: not asked yet */
static _Thread_local uint32_t this_cpu;

void bpfvm_set_ncpus(unsigned ncpus)
{
	if (ncpus > BPFVM_MAX_CPUS)
		ncpus = BPFVM_MAX_CPUS;
	__atomic_store_n(&ncpus_set, ncpus, __ATOMIC_RELAXED);
}

/* The CPUs online, asked once: glibc reads /sys for it every time. */
static uint32_t online_cpus(void)
{
	uint32_t n = __atomic_load_n(&ncpus_online, __ATOMIC_RELAXED);
	long online;

	if (n)
		return n;
	online = sysconf(_SC_NPROCESSORS_ONLN);
	n = online < 1		      ? 1
	    : online > BPFVM_MAX_CPUS ? BPFVM_MAX_CPUS
				      : (uint32_t)online;
	__atomic_store_n(&ncpus_online, n, __ATOMIC_RELAXED);
	return n;
}

unsigned bpfvm_ncpus(void)
{
	uint32_t n = __atomic_load_n(&ncpus_set, __ATOMIC_RELAXED);

	return n ? n : online_cpus();
}

void bpfvm_cpu_set(unsigned cpu)
{
	this_cpu = cpu;
}

unsigned bpfvm_cpu(void)
{
	return this_cpu;
}

/* A slot past the map's count wraps around rather than failing: a thread
 * numbered by a worker index still gets a slot of its own whenever there
 * are enough of them. */
uint32_t map_this_cpu(const bpfvm_map *map)
{
	uint32_t cpu;

	if (map->ncpus == 1)
		return 0;
	cpu = this_cpu;
	return cpu < map->ncpus ? cpu : cpu % map->ncpus;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

void map_lock_slow(struct map_lock *l)
{
	unsigned spins = 0;

	for (;;) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED)) {
			if (++spins < 128) {
				cpu_relax();
			} else {
				sched_yield();
				spins = 0;
			}
		}
		if (!__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
			return;
	}
}

void map_copy_in(void *dst, const void *src, size_t n)
{
	uint64_t *d = dst;
	const unsigned char *s = src;
	unsigned char *db;
	uint64_t w;

	for (; n >= 8; n -= 8, d++, s += 8) {
		memcpy(&w, s, 8);
		__atomic_store_n(d, w, __ATOMIC_RELAXED);
	}
	for (db = (unsigned char *)d; n; n--)
		__atomic_store_n(db++, *s++, __ATOMIC_RELAXED);
}

void map_copy_out(void *dst, const void *src, size_t n)
{
	const uint64_t *s = src;
	unsigned char *d = dst;
	const unsigned char *sb;
	uint64_t w;

	for (; n >= 8; n -= 8, s++, d += 8) {
		w = __atomic_load_n(s, __ATOMIC_RELAXED);
		memcpy(d, &w, 8);
	}
	for (sb = (const unsigned char *)s; n; n--)
		*d++ = __atomic_load_n(sb++, __ATOMIC_RELAXED);
}

void map_zero(void *dst, size_t n)
{
	uint64_t *d = dst;
	unsigned char *db;

	for (; n >= 8; n -= 8)
		__atomic_store_n(d++, 0, __ATOMIC_RELAXED);
	for (db = (unsigned char *)d; n; n--)
		__atomic_store_n(db++, 0, __ATOMIC_RELAXED);
}

void map_store_value(const bpfvm_map *map, void *dst, const void *src)
{
	map_copy_in(dst, src, map->spec.value_size);
	map_zero((char *)dst + map->spec.value_size,
		 map->stride - map->spec.value_size);
}
