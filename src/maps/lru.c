/* SPDX-License-Identifier: MIT */
/*
 * LRU_HASH and LRU_PERCPU_HASH (kernel/bpf/bpf_lru_list.c): an update
 * never fails for lack of room; when every element is in use, the least
 * recently used one is evicted for the new key.
 *
 * The kernel keeps approximate per-CPU and global active/inactive lists.
 * bpfvm keeps one global list instead, in the order elements were taken
 * (inserted), and gives it the kernel's cheap notion of use: a lookup only
 * sets the element's referenced bit, no list move. Eviction is second
 * chance from the tail: a referenced element moves to the head with its
 * bit cleared, the first unreferenced one is taken. So a key looked up
 * since the last pass over it survives the next evictions, and the victim
 * is the oldest element nobody used lately. BPF_F_NO_COMMON_LRU (per-CPU
 * lists in the kernel) is accepted and uses the same global list.
 *
 * Locks: the LRU lock may be held while taking a bucket lock (eviction
 * unlinks the victim), never the other way round; element disposal after
 * a delete takes the LRU lock only after the bucket is unlocked.
 */
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>

#include "maps/map_internal.h"

static struct htab_elem *elem_of(struct htab_lru_node *n)
{
	return (struct htab_elem *)((char *)n -
				    offsetof(struct htab_elem, lru));
}

static void list_del(struct htab_lru_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
}

static void list_add_head(struct htab_lru_node *head, struct htab_lru_node *n)
{
	n->next = head->next;
	n->prev = head;
	head->next->prev = n;
	head->next = n;
}

/*
 * Find a victim (LRU lock held): from the tail, give referenced elements
 * a second chance, skip elements that are not in the table (being set up
 * by an update, or being disposed of), take the first other one. Every
 * element looked at moves to the head, so each is looked at once per pass.
 */
static struct htab_elem *evict(struct htab *t)
{
	uint64_t budget = 2 * t->lru_len + 1;

	while (budget-- && t->lru_len) {
		struct htab_lru_node *n = t->lru_head.prev;
		struct htab_elem *e = elem_of(n);
		struct htab_bucket *b;
		bool unlinked;

		list_del(n);
		list_add_head(&t->lru_head, n);
		if (__atomic_load_n(&e->ref, __ATOMIC_RELAXED)) {
			__atomic_store_n(&e->ref, 0, __ATOMIC_RELAXED);
			continue;
		}
		/* The hash may be rewritten meanwhile by an update setting
		 * e up; then e is not found in the bucket and is skipped. */
		b = htab_bucket_of(t,
				   __atomic_load_n(&e->hash, __ATOMIC_RELAXED));
		map_lock(&b->lock);
		unlinked = htab_unlink(b, e);
		map_unlock(&b->lock);
		if (unlinked)
			return e;
	}
	return NULL;
}

/* A free element for a key, on the list (at its head), in no bucket; with
 * evict, the least recently used element when none is free. Only when
 * every element is in flight in other threads' updates is there none to
 * evict; then wait for one of them to finish. */
static struct htab_elem *lru_pop(struct htab *t, bool may_evict)
{
	struct htab_elem *e;

	for (;;) {
		map_lock(&t->lru_lock);
		e = map_pool_get(&t->pool);
		if (e) {
			list_add_head(&t->lru_head, &e->lru);
			t->lru_len++;
		} else if (may_evict) {
			e = evict(t);
		}
		if (e)
			__atomic_store_n(&e->ref, 0, __ATOMIC_RELAXED);
		map_unlock(&t->lru_lock);
		if (e || !may_evict)
			return e;
		sched_yield();
	}
}

void htab_lru_push_free(struct htab *t, struct htab_elem *e)
{
	map_lock(&t->lru_lock);
	list_del(&e->lru);
	t->lru_len--;
	map_unlock(&t->lru_lock);
	map_pool_put(&t->pool, e);
}

/* Whether key is in the table; mark it used if so, so that an eviction
 * this update causes passes over the very key being updated. */
static bool touch(struct htab *t, struct htab_bucket *b, uint32_t hash,
		  const void *key)
{
	struct htab_elem *e;

	map_lock(&b->lock);
	e = htab_find(t, b, hash, key);
	if (e)
		htab_set_ref(e);
	map_unlock(&b->lock);
	return e != NULL;
}

/*
 * htab_lru_map_update_elem and __htab_lru_percpu_map_update_elem. An
 * element for a new key is taken first (evicting if need be, which takes
 * bucket locks, so before ours is locked); the flags are then checked
 * under the bucket lock. A new key's element is linked in; an existing
 * key of a plain LRU gets a fresh element too when one is free (so
 * lookups see the old value or the new, whole), else, like every per-CPU
 * one, its value is written in place.
 *
 * Unlike the kernel, an update whose flags are bound to fail, or that
 * replaces a key's value, never evicts another key: the kernel takes an
 * element for every update before it looks at the key.
 */
long htab_lru_update(struct htab *t, const void *key, const void *value,
		     uint64_t flags, uint32_t cpu)
{
	bool percpu = t->nslots > 1, exists;
	uint32_t hash;
	struct htab_bucket *b;
	struct htab_elem *old, *e = NULL;

	if (flags > BPFVM_EXIST)
		return -EINVAL;
	hash = htab_hash(t, key);
	b = htab_bucket_of(t, hash);
	exists = touch(t, b, hash, key);
	if (exists && flags == BPFVM_NOEXIST)
		return -EEXIST;
	if (!exists && flags == BPFVM_EXIST)
		return -ENOENT;
	for (;;) {
		if (!e && (!exists || !percpu))
			e = lru_pop(t, !exists);
		if (e) {
			memcpy(htab_elem_key(e), key, t->key_size);
			__atomic_store_n(&e->hash, hash, __ATOMIC_RELAXED);
			if (!percpu)
				htab_fill_value(t, e, value, 0);
		}
		map_lock(&b->lock);
		old = htab_find(t, b, hash, key);
		if ((old && flags == BPFVM_NOEXIST) ||
		    (!old && flags == BPFVM_EXIST)) {
			map_unlock(&b->lock);
			if (e)
				htab_lru_push_free(t, e);
			return old ? -EEXIST : -ENOENT;
		}
		if (old && (percpu || !e)) {
			htab_set_ref(old);
			htab_write_value(t, old, value, percpu ? cpu : 0);
			map_unlock(&b->lock);
			if (e)
				htab_lru_push_free(t, e);
			return 0;
		}
		if (e)
			break;
		/* The key went away meanwhile: insert it after all. */
		map_unlock(&b->lock);
		exists = false;
	}
	if (percpu)
		htab_fill_value(t, e, value, cpu);
	e->next = b->head;
	b->head = e;
	if (old) {
		htab_set_ref(e);
		htab_unlink(b, old);
	}
	map_unlock(&b->lock);
	if (old)
		htab_dispose(t, old);
	return 0;
}
