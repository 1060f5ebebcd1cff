/* SPDX-License-Identifier: MIT */
/*
 * LPM_TRIE (kernel/bpf/lpm_trie.c): longest prefix match over keys
 * struct { u32 prefixlen; u8 data[]; }, data in network order (data[0]
 * holds the most significant bits), up to 256 bytes of it.
 *
 * The trie is the kernel's: a binary tree where each node holds a prefix,
 * and a child continues it with one more bit (child[0] for a 0 bit) plus
 * however many bits further down the chain of nodes compresses. Where two
 * prefixes part, an intermediate node (no value, not an element) holds
 * the common part; intermediate nodes always have two children. Lookups
 * walk down while the node's prefix matches, remembering the last real
 * node; updates and deletes work on exact prefixes.
 *
 * get_next_key walks in postorder, so more specific prefixes come before
 * the ones that contain them (the kernel's documented order), and a key
 * not in the trie restarts the walk from the first node.
 *
 * One spinlock covers the trie for readers and writers (the kernel lets
 * readers in under RCU). Nodes come from a pool, so a value pointer a
 * program got stays valid memory after its prefix is replaced or deleted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map_internal.h"

#define LPM_KEY_HDR	  4u /* u32 prefixlen */
#define LPM_DATA_SIZE_MIN 1u
#define LPM_DATA_SIZE_MAX 256u
#define LPM_NODE_IM	  1u /* intermediate: no value */

struct lpm_node {
	struct lpm_node *child[2]; /* child[0] links the pool's free list */
	uint32_t prefixlen;
	uint32_t flags;
	uint8_t data[]; /* data_size bytes, padded to 8, then the value */
};

#define LPM_VAL_SIZE_MAX                                                       \
	(MAP_KMALLOC_MAX_SIZE - LPM_DATA_SIZE_MAX - sizeof(struct lpm_node))

struct lpm_trie {
	struct bpfvm_map map;
	struct map_lock lock;
	struct lpm_node *root;
	uint32_t n_entries;
	uint32_t data_size;
	uint32_t max_prefixlen;
	uint32_t value_off; /* of the value from data[0] */
	struct map_pool pool;
};

/* A key as the trie reads it. */
struct lpm_key {
	uint32_t prefixlen;
	const uint8_t *data;
};

static struct lpm_trie *trie_of(struct bpfvm_map *map)
{
	return (struct lpm_trie *)map;
}

static struct lpm_key key_of(const void *key)
{
	struct lpm_key k;

	memcpy(&k.prefixlen, key, sizeof(k.prefixlen));
	k.data = (const uint8_t *)key + LPM_KEY_HDR;
	return k;
}

static void *value_of(struct lpm_trie *t, struct lpm_node *n)
{
	return n->data + t->value_off;
}

static unsigned bit_at(const uint8_t *data, uint32_t index)
{
	return (data[index / 8] >> (7 - index % 8)) & 1;
}

/* w (8, 4 or 1) bytes of data as a big-endian number. */
static inline uint64_t load_be(const uint8_t *p, unsigned w)
{
	uint64_t v64;
	uint32_t v32;

	switch (w) {
	case 8:
		memcpy(&v64, p, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		v64 = __builtin_bswap64(v64);
#endif
		return v64;
	case 4:
		memcpy(&v32, p, 4);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		v32 = __builtin_bswap32(v32);
#endif
		return v32;
	default:
		return *p;
	}
}

/* How many leading bits of node and key agree, up to the shorter of the
 * two prefixes; compared 8 (then 4, then 1) bytes at a time. */
static uint32_t match_len(const struct lpm_trie *t, const struct lpm_node *n,
			  const struct lpm_key *k)
{
	uint32_t limit =
		n->prefixlen < k->prefixlen ? n->prefixlen : k->prefixlen;
	uint32_t len = 0, i = 0;

	while (i < t->data_size && len < limit) {
		uint32_t left = t->data_size - i;
		unsigned w = left >= 8 ? 8 : left >= 4 ? 4 : 1;
		uint64_t diff =
			load_be(n->data + i, w) ^ load_be(k->data + i, w);

		if (diff) {
			len += (uint32_t)__builtin_clzll(diff) - (64 - 8 * w);
			break;
		}
		len += 8 * w;
		i += w;
	}
	return len < limit ? len : limit;
}

/* ---- spec and life ---- */

static int trie_check(const struct bpfvm_map_spec *spec, bpfvm_error *err)
{
	if (!spec->max_entries)
		return map_spec_fail(err, EINVAL,
				     "max_entries 0 is invalid for lpm_trie "
				     "maps");
	if (!(spec->map_flags & BPFVM_F_NO_PREALLOC))
		return map_spec_fail(err, EINVAL,
				     "lpm_trie maps need BPF_F_NO_PREALLOC");
	if (spec->key_size < LPM_KEY_HDR + LPM_DATA_SIZE_MIN ||
	    spec->key_size > LPM_KEY_HDR + LPM_DATA_SIZE_MAX)
		return map_spec_fail(
			err, EINVAL,
			"key_size %u is invalid for lpm_trie maps: "
			"a u32 prefixlen and %u to %u bytes of "
			"data (%u to %u)",
			spec->key_size, LPM_DATA_SIZE_MIN, LPM_DATA_SIZE_MAX,
			LPM_KEY_HDR + LPM_DATA_SIZE_MIN,
			LPM_KEY_HDR + LPM_DATA_SIZE_MAX);
	if (!spec->value_size || spec->value_size > LPM_VAL_SIZE_MAX)
		return map_spec_fail(err, EINVAL,
				     "value_size %u is invalid for lpm_trie "
				     "maps (1 to %zu)",
				     spec->value_size, LPM_VAL_SIZE_MAX);
	return 0;
}

static size_t node_size(uint32_t key_size, uint32_t value_size)
{
	return sizeof(struct lpm_node) + round_up8(key_size - LPM_KEY_HDR) +
	       round_up8(value_size);
}

/* At most max_entries elements and one intermediate node fewer, plus the
 * node an update takes before it gives back the one it replaced. */
static uint64_t trie_capacity(uint32_t max_entries)
{
	return 2 * (uint64_t)max_entries + 1;
}

static uint64_t trie_mem(const struct bpfvm_map_spec *spec, uint32_t ncpus)
{
	return sat_mul(trie_capacity(spec->max_entries),
		       node_size(spec->key_size, spec->value_size));
}

static struct bpfvm_map *trie_alloc(const struct bpfvm_map *proto)
{
	struct lpm_trie *t = calloc(1, sizeof(*t));
	uint32_t ks = proto->spec.key_size;

	if (!t)
		return NULL;
	t->map = *proto;
	t->data_size = ks - LPM_KEY_HDR;
	t->max_prefixlen = t->data_size * 8;
	t->value_off = round_up8(t->data_size);
	map_pool_init(&t->pool, node_size(ks, proto->spec.value_size),
		      trie_capacity(proto->spec.max_entries), false);
	return &t->map;
}

static void trie_free(struct bpfvm_map *map)
{
	map_pool_destroy(&trie_of(map)->pool);
	free(trie_of(map));
}

/* ---- lookup ---- */

/* trie_lookup_elem: the deepest real node whose prefix covers the key
 * (trie locked). */
static struct lpm_node *longest_match(struct lpm_trie *t,
				      const struct lpm_key *k)
{
	struct lpm_node *found = NULL;

	for (struct lpm_node *n = t->root; n;) {
		uint32_t m = match_len(t, n, k);

		if (m == t->max_prefixlen) {
			found = n;
			break;
		}
		if (m < n->prefixlen)
			break;
		if (!(n->flags & LPM_NODE_IM))
			found = n;
		n = n->child[bit_at(k->data, n->prefixlen)];
	}
	return found;
}

static void *trie_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	struct lpm_trie *t = trie_of(map);
	struct lpm_key k = key_of(key);
	struct lpm_node *n;

	map_lock(&t->lock);
	n = longest_match(t, &k);
	map_unlock(&t->lock);
	return n ? value_of(t, n) : NULL;
}

static int trie_sys_lookup(struct bpfvm_map *map, const void *key, void *value)
{
	struct lpm_trie *t = trie_of(map);
	struct lpm_key k = key_of(key);
	struct lpm_node *n;

	map_lock(&t->lock);
	n = longest_match(t, &k);
	if (n)
		map_copy_out(value, value_of(t, n), map->spec.value_size);
	map_unlock(&t->lock);
	return n ? 0 : -ENOENT;
}

/* ---- update and delete ---- */

/* trie_check_add_elem: a new element, allowed by the flags and the room. */
static int add_elem(struct lpm_trie *t, uint64_t flags)
{
	if (flags == BPFVM_EXIST)
		return -ENOENT;
	if (t->n_entries == t->map.spec.max_entries)
		return -ENOSPC;
	t->n_entries++;
	return 0;
}

/*
 * trie_update_elem, as of the kernel's fixes for BPF_EXIST/BPF_NOEXIST
 * and for replacing a prefix in a full trie (v6.14): replacing never
 * needs room, a new prefix fails with -ENOSPC when max_entries are in.
 * The new node replaces an existing one whole, so a lookup sees the old
 * value or the new, never a mix.
 */
static long trie_update(struct bpfvm_map *map, const void *key,
			const void *value, uint64_t flags, uint32_t cpu)
{
	struct lpm_trie *t = trie_of(map);
	struct lpm_key k = key_of(key);
	struct lpm_node *n, *new, *im, *freed = NULL, **slot;
	uint32_t m = 0;
	int rc;

	if (flags > BPFVM_EXIST)
		return -EINVAL;
	if (k.prefixlen > t->max_prefixlen)
		return -EINVAL;
	/* Nodes are taken and given back under the trie lock, so the pool's
	 * bound (trie_capacity) holds however many threads update. */
	map_lock(&t->lock);
	new = map_pool_get(&t->pool);
	if (!new) {
		map_unlock(&t->lock);
		return -ENOMEM;
	}
	new->child[0] = new->child[1] = NULL;
	new->prefixlen = k.prefixlen;
	new->flags = 0;
	memcpy(new->data, k.data, t->data_size);
	map_store_value(map, value_of(t, new), value);
	slot = &t->root;
	while ((n = *slot)) {
		m = match_len(t, n, &k);
		if (n->prefixlen != m || n->prefixlen == k.prefixlen)
			break;
		slot = &n->child[bit_at(k.data, n->prefixlen)];
	}
	if (!n) { /* an empty slot: attach there */
		rc = add_elem(t, flags);
		if (rc)
			goto fail;
		*slot = new;
		goto out;
	}
	if (n->prefixlen == m) { /* the same prefix: replace the node */
		if (!(n->flags & LPM_NODE_IM))
			rc = flags == BPFVM_NOEXIST ? -EEXIST : 0;
		else
			rc = add_elem(t, flags);
		if (rc)
			goto fail;
		new->child[0] = n->child[0];
		new->child[1] = n->child[1];
		*slot = new;
		freed = n;
		goto out;
	}
	rc = add_elem(t, flags);
	if (rc)
		goto fail;
	if (m == k.prefixlen) { /* new covers n: insert it above */
		new->child[bit_at(n->data, m)] = n;
		*slot = new;
		goto out;
	}
	/* They part at bit m: an intermediate node holds both. */
	im = map_pool_get(&t->pool);
	if (!im) {
		t->n_entries--;
		rc = -ENOMEM;
		goto fail;
	}
	im->prefixlen = m;
	im->flags = LPM_NODE_IM;
	memcpy(im->data, n->data, t->data_size);
	im->child[bit_at(k.data, m)] = new;
	im->child[!bit_at(k.data, m)] = n;
	*slot = im;
out:
	if (freed)
		map_pool_put(&t->pool, freed);
	map_unlock(&t->lock);
	return 0;
fail:
	map_pool_put(&t->pool, new);
	map_unlock(&t->lock);
	return rc;
}

/* trie_delete_elem: the exact prefix goes; a node with two children stays
 * as an intermediate one, and an intermediate parent left with one child
 * goes too, so intermediate nodes keep exactly two children. */
static long trie_delete(struct bpfvm_map *map, const void *key)
{
	struct lpm_trie *t = trie_of(map);
	struct lpm_key k = key_of(key);
	struct lpm_node *n, *parent = NULL, *free1 = NULL, *free2 = NULL;
	struct lpm_node **trim, **trim2;
	uint32_t m = 0;

	if (k.prefixlen > t->max_prefixlen)
		return -EINVAL;
	map_lock(&t->lock);
	trim = trim2 = &t->root;
	while ((n = *trim)) {
		m = match_len(t, n, &k);
		if (n->prefixlen != m || n->prefixlen == k.prefixlen)
			break;
		parent = n;
		trim2 = trim;
		trim = &n->child[bit_at(k.data, n->prefixlen)];
	}
	if (!n || n->prefixlen != k.prefixlen || n->prefixlen != m ||
	    (n->flags & LPM_NODE_IM)) {
		map_unlock(&t->lock);
		return -ENOENT;
	}
	t->n_entries--;
	if (n->child[0] && n->child[1]) {
		n->flags |= LPM_NODE_IM;
	} else if (parent && (parent->flags & LPM_NODE_IM) && !n->child[0] &&
		   !n->child[1]) {
		*trim2 = parent->child[n == parent->child[0]];
		free1 = parent;
		free2 = n;
	} else {
		*trim = n->child[0] ? n->child[0] : n->child[1];
		free1 = n;
	}
	if (free1)
		map_pool_put(&t->pool, free1);
	if (free2)
		map_pool_put(&t->pool, free2);
	map_unlock(&t->lock);
	return 0;
}

/* ---- iteration ---- */

/* The first real node in postorder under root: go left (else right)
 * while possible, remembering the last real node; intermediate nodes
 * have two children, so the walk always ends on a real one. */
static struct lpm_node *leftmost(struct lpm_node *root)
{
	struct lpm_node *next = NULL;

	for (struct lpm_node *n = root; n;) {
		if (n->flags & LPM_NODE_IM) {
			n = n->child[0];
		} else {
			next = n;
			n = n->child[0] ? n->child[0] : n->child[1];
		}
	}
	return next;
}

/* trie_get_next_key: find the key's node recording the path, then its
 * postorder successor: the leftmost of a right sibling subtree, else the
 * first real ancestor. */
static int trie_get_next_key(struct bpfvm_map *map, const void *key,
			     void *next_key)
{
	struct lpm_trie *t = trie_of(map);
	struct lpm_node **stack, *n, *next = NULL;
	struct lpm_key k;
	int sp = -1, rc = 0;

	stack = malloc(((size_t)t->max_prefixlen + 1) * sizeof(*stack));
	if (!stack)
		return -ENOMEM;
	map_lock(&t->lock);
	if (!t->root) {
		rc = -ENOENT;
		goto out;
	}
	if (!key)
		goto first;
	k = key_of(key);
	if (k.prefixlen > t->max_prefixlen)
		goto first;
	for (n = t->root; n;) {
		uint32_t m = match_len(t, n, &k);

		stack[++sp] = n;
		if (n->prefixlen != m || n->prefixlen == k.prefixlen)
			break;
		n = n->child[bit_at(k.data, n->prefixlen)];
	}
	if (!n || n->prefixlen != k.prefixlen || (n->flags & LPM_NODE_IM))
		goto first;
	for (n = stack[sp]; sp > 0; sp--) {
		struct lpm_node *parent = stack[sp - 1];

		if (parent->child[0] == n && parent->child[1]) {
			next = leftmost(parent->child[1]);
			goto copy;
		}
		if (!(parent->flags & LPM_NODE_IM)) {
			next = parent;
			goto copy;
		}
		n = parent;
	}
	rc = -ENOENT;
	goto out;
first:
	next = leftmost(t->root);
copy:
	memcpy(next_key, &next->prefixlen, sizeof(next->prefixlen));
	memcpy((char *)next_key + LPM_KEY_HDR, next->data, t->data_size);
out:
	map_unlock(&t->lock);
	free(stack);
	return rc;
}

const struct map_ops lpm_trie_map_ops = {
	.name = "lpm_trie",
	.flags_ok = BPFVM_F_NO_PREALLOC | BPFVM_F_NUMA_NODE | MAP_F_ACCESS_MASK,
	.check = trie_check,
	.mem = trie_mem,
	.alloc = trie_alloc,
	.free = trie_free,
	.lookup_elem = trie_lookup,
	.update_elem = trie_update,
	.delete_elem = trie_delete,
	.get_next_key = trie_get_next_key,
	.sys_lookup = trie_sys_lookup,
};
