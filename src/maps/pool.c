/* SPDX-License-Identifier: MIT */
/*
 * Element pools: fixed-size elements carved from a few large chunks and
 * recycled through a free list. Memory goes back to the allocator only
 * when the map is freed, so a value pointer a program was given stays
 * valid memory whatever happens to its element (the kernel gets the same
 * from preallocation or RCU). A preallocated pool carves everything at
 * once; a lazy one doubles as it goes, up to the same capacity.
 */
#include <stdlib.h>

#include "maps/map_internal.h"

/* Carve n more elements (lock held). */
static bool carve(struct map_pool *p, uint64_t n)
{
	char *chunk;

	if (p->nchunks == p->chunks_cap) {
		size_t cap = p->chunks_cap ? 2 * p->chunks_cap : 8;
		char **c = realloc(p->chunks, cap * sizeof(*c));

		if (!c)
			return false;
		p->chunks = c;
		p->chunks_cap = cap;
	}
	chunk = calloc(n, p->elem_size);
	if (!chunk)
		return false;
	p->chunks[p->nchunks++] = chunk;
	for (uint64_t i = n; i-- > 0;) {
		void **e = (void **)(chunk + i * p->elem_size);

		*e = p->free;
		p->free = e;
	}
	p->carved += n;
	return true;
}

bool map_pool_init(struct map_pool *p, size_t elem_size, uint64_t cap,
		   bool prealloc)
{
	p->elem_size = elem_size;
	p->cap = cap;
	return !prealloc || !cap || carve(p, cap);
}

void *map_pool_get(struct map_pool *p)
{
	void **e;

	map_lock(&p->lock);
	if (!p->free) {
		uint64_t left = p->cap - p->carved;
		uint64_t n = p->carved ? p->carved : 16;

		if (!left || !carve(p, n < left ? n : left)) {
			map_unlock(&p->lock);
			return NULL;
		}
	}
	e = p->free;
	p->free = *e;
	map_unlock(&p->lock);
	return e;
}

void map_pool_put(struct map_pool *p, void *elem)
{
	map_lock(&p->lock);
	*(void **)elem = p->free;
	p->free = elem;
	map_unlock(&p->lock);
}

void map_pool_destroy(struct map_pool *p)
{
	for (size_t i = 0; i < p->nchunks; i++)
		free(p->chunks[i]);
	free(p->chunks);
}
