/* SPDX-License-Identifier: MIT */
/*
 * Map entries from text (--map-init FILE) as typed fields, one entry a line:
 *
 *     # blocklist: an LPM key (prefix length + address) -> rule id
 *     blocklist_v4 cidr4:10.66.0.0/16 = u32:1
 *     config u32:0 = u64:100 u64:20 u64:1000 u64:200
 *
 * Fields: u8/u16/u32/u64 and s8/s16/s32/s64 (host order), be16/be32/be64
 * (network order), ip4:A.B.C.D, ip6:ADDR, cidr4:A.B.C.D/LEN and
 * cidr6:ADDR/LEN (an LPM key: u32 prefix length, then the address),
 * mac:aa:bb:cc:dd:ee:ff, hex:0011ff, pad:N (N zero bytes). The fields
 * must fill the map's key and value exactly; a per-CPU map's value is
 * given once and stored for every CPU.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/object.h"

#define MAX_BYTES 4096

struct bytes {
	uint8_t b[MAX_BYTES];
	size_t n;
};

static int put(struct bytes *out, const void *p, size_t n)
{
	if (out->n + n > MAX_BYTES)
		return -1;
	memcpy(out->b + out->n, p, n);
	out->n += n;
	return 0;
}

static int parse_uint(const char *s, uint64_t max, uint64_t *v)
{
	char *end;
	errno = 0;
	if (*s == '-')
		return -1;
	*v = strtoull(s, &end, 0);
	return (*s && !*end && !errno && *v <= max) ? 0 : -1;
}

static int parse_sint(const char *s, int bits, int64_t *v)
{
	char *end;
	int64_t lim = bits == 64 ? INT64_MAX : ((int64_t)1 << (bits - 1)) - 1;
	errno = 0;
	*v = strtoll(s, &end, 0);
	return (*s && !*end && !errno && *v <= lim && *v >= -lim - 1) ? 0 : -1;
}

/* One field; returns 0, or -1 with why filled. */
static int field(const char *f, struct bytes *out, char *why, size_t whylen)
{
	static const struct {
		const char *name;
		int bits;
		enum { UINT, SINT, BE } kind;
	} ints[] = {
		{ "u8", 8, UINT },   { "u16", 16, UINT }, { "u32", 32, UINT },
		{ "u64", 64, UINT }, { "s8", 8, SINT },   { "s16", 16, SINT },
		{ "s32", 32, SINT }, { "s64", 64, SINT }, { "be16", 16, BE },
		{ "be32", 32, BE },  { "be64", 64, BE },
	};
	const char *colon = strchr(f, ':');
	size_t tlen = colon ? (size_t)(colon - f) : 0;
	const char *v = colon ? colon + 1 : "";
	uint8_t buf[20];

	if (!colon) {
		snprintf(why, whylen, "'%s': a field is TYPE:VALUE", f);
		return -1;
	}
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		if (strlen(ints[i].name) != tlen || strncmp(f, ints[i].name, tlen))
			continue;
		int nb = ints[i].bits / 8;
		uint64_t u;
		int64_t s;
		if (ints[i].kind == SINT) {
			if (parse_sint(v, ints[i].bits, &s))
				goto bad;
			u = (uint64_t)s;
		} else if (parse_uint(v, ints[i].bits == 64 ? UINT64_MAX
					 : (1ull << ints[i].bits) - 1, &u)) {
			goto bad;
		}
		for (int k = 0; k < nb; k++) /* host (little-endian) or BE */
			buf[ints[i].kind == BE ? nb - 1 - k : k] =
				(uint8_t)(u >> (8 * k));
		return put(out, buf, (size_t)nb) ? -2 : 0;
	}
	if (!strncmp(f, "ip4:", 4) || !strncmp(f, "ip6:", 4) ||
	    !strncmp(f, "cidr4:", 6) || !strncmp(f, "cidr6:", 6)) {
		bool six = f[tlen - 1] == '6', cidr = f[0] == 'c';
		char addr[64];
		const char *slash = strchr(v, '/');
		uint64_t plen = 0;
		size_t alen = slash ? (size_t)(slash - v) : strlen(v);
		if (alen >= sizeof(addr) || (cidr != (slash != NULL)))
			goto bad;
		memcpy(addr, v, alen);
		addr[alen] = 0;
		if (inet_pton(six ? AF_INET6 : AF_INET, addr, buf) != 1)
			goto bad;
		if (cidr) {
			uint32_t p32;
			if (parse_uint(slash + 1, six ? 128 : 32, &plen))
				goto bad;
			p32 = (uint32_t)plen;
			if (put(out, &p32, 4))
				return -2;
		}
		return put(out, buf, six ? 16 : 4) ? -2 : 0;
	}
	if (!strncmp(f, "mac:", 4)) {
		unsigned m[6];
		char tail;
		if (sscanf(v, "%x:%x:%x:%x:%x:%x%c", &m[0], &m[1], &m[2], &m[3],
			   &m[4], &m[5], &tail) != 6)
			goto bad;
		for (int k = 0; k < 6; k++) {
			if (m[k] > 0xff)
				goto bad;
			buf[k] = (uint8_t)m[k];
		}
		return put(out, buf, 6) ? -2 : 0;
	}
	if (!strncmp(f, "hex:", 4)) {
		size_t n = strlen(v);
		if (n == 0 || n % 2)
			goto bad;
		for (size_t k = 0; k < n; k += 2) {
			char two[3] = { v[k], v[k + 1], 0 }, *end;
			uint8_t b = (uint8_t)strtoul(two, &end, 16);
			if (*end || !isxdigit((unsigned char)two[0]))
				goto bad;
			if (put(out, &b, 1))
				return -2;
		}
		return 0;
	}
	if (!strncmp(f, "pad:", 4)) {
		uint64_t n;
		if (parse_uint(v, MAX_BYTES, &n))
			goto bad;
		uint8_t zero[MAX_BYTES] = { 0 };
		return put(out, zero, (size_t)n) ? -2 : 0;
	}
	snprintf(why, whylen, "'%s': unknown field type", f);
	return -1;
bad:
	snprintf(why, whylen, "'%s': invalid value", f);
	return -1;
}

static int fields(char *text, struct bytes *out, char *why, size_t whylen)
{
	out->n = 0;
	for (char *f = strtok(text, " \t"); f; f = strtok(NULL, " \t")) {
		int rc = field(f, out, why, whylen);
		if (rc == -2)
			snprintf(why, whylen, "more than %d bytes", MAX_BYTES);
		if (rc)
			return -1;
	}
	return 0;
}

int bpfvm_parse_fields(const char *text, void *out, size_t cap, size_t *len,
		       bpfvm_error *err)
{
	struct bytes *b = malloc(sizeof(*b));
	char *copy = strdup(text), why[160] = "";
	int rc = 0;

	if (!b || !copy)
		rc = bpfvm_fail(err, -1, "out of memory");
	else if (fields(copy, b, why, sizeof(why)))
		rc = bpfvm_fail(err, -1, "%s", why);
	else if (b->n > cap)
		rc = bpfvm_fail(err, -1, "%zu bytes, more than %zu", b->n, cap);
	else {
		memcpy(out, b->b, b->n);
		*len = b->n;
	}
	free(b);
	free(copy);
	return rc;
}

int bpfvm_map_init_each(const char *text, bpfvm_map_init_fn fn, void *ctx,
			bpfvm_error *err)
{
	char *copy = strdup(text), *save = NULL;
	struct bytes *key = malloc(sizeof(*key)), *value = malloc(sizeof(*value));
	int lineno = 0, rc = 0;

	if (!copy || !key || !value) {
		rc = bpfvm_fail(err, -1, "out of memory");
		goto out;
	}
	for (char *line = copy; line && !rc; line = save) {
		char why[160] = "", name[128];
		int consumed = 0;

		save = strchr(line, '\n');
		if (save)
			*save++ = 0;
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		if (sscanf(line, " %127s %n", name, &consumed) != 1)
			continue; /* blank */
		char *eq = strchr(line, '=');
		if (!eq) {
			rc = bpfvm_fail(err, -1, "expected 'MAP KEY-FIELDS = "
					"VALUE-FIELDS'");
			break;
		}
		*eq = 0;
		if (fields(line + consumed, key, why, sizeof(why)) ||
		    fields(eq + 1, value, why, sizeof(why))) {
			rc = bpfvm_fail(err, -1, "%s", why);
			break;
		}
		rc = fn(ctx, name, key->b, key->n, value->b, value->n, err);
	}
	if (rc && err)
		err->line = lineno;
out:
	free(key);
	free(value);
	free(copy);
	return rc;
}

/* One entry into a bpfvm map: sizes checked, per-CPU values replicated. */
static int obj_entry(void *ctx, const char *name, const void *key, size_t klen,
		     const void *value, size_t vlen, bpfvm_error *err)
{
	bpfvm_map *map = bpfvm_obj_map_named(ctx, name);

	if (!map)
		return bpfvm_fail(err, -1, "no map named '%s'", name);
	const struct bpfvm_map_spec *spec = bpfvm_map_get_spec(map);
	if (klen != spec->key_size || vlen != spec->value_size || vlen == 0)
		return bpfvm_fail(err, -1, "map '%s' takes a %u-byte key and "
			"a %u-byte value, the line gives %zu and %zu", name,
			spec->key_size, spec->value_size, klen, vlen);
	size_t hsize = bpfvm_map_host_value_size(map);
	uint8_t *all = calloc(1, hsize);
	if (!all)
		return bpfvm_fail(err, -1, "out of memory");
	size_t stride = hsize == vlen ? vlen : (vlen + 7) / 8 * 8;
	for (size_t off = 0; off + vlen <= hsize; off += stride)
		memcpy(all + off, value, vlen);
	int e = bpfvm_map_update(map, key, all, BPFVM_ANY);
	free(all);
	if (e)
		return bpfvm_fail(err, -1, "map '%s': update failed: %s", name,
				  strerror(-e));
	return 0;
}

int bpfvm_obj_map_init(const bpfvm_obj *obj, const char *text,
		       bpfvm_error *err)
{
	return bpfvm_map_init_each(text, obj_entry, (void *)obj, err);
}
