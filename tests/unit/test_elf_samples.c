/* SPDX-License-Identifier: MIT */
/*
 * The ELF reader over the shared corpus of real objects (every .o of
 * $SHARED/samples/<project>: Cilium, Falco, Linux samples, verifier test builds
 * and deliberately invalid files). Every object must be opened or refused with
 * a message that says where and what; opened ones must hold consistent
 * programs (map indexes, call and callback targets inside the program) and
 * their maps must format. Prints, per project, what opened (programs,
 * maps) and every distinct refusal.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/elf.h"
#include "check.h"

#define MAX_FILES   512
#define MAX_REASONS 64

struct project {
	int opened;
	int refused;
	int progs;
	int maps;
	char *reasons[MAX_REASONS];
	int reason_count[MAX_REASONS];
	int nreasons;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in dir (sorted), those ending in suffix ("" for directories). */
static int list_dir(const char *dir, const char *suffix, char **names)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) && n < MAX_FILES) {
		size_t len = strlen(e->d_name), sl = strlen(suffix);

		if (e->d_name[0] == '.')
			continue;
		if (sl && (len < sl || strcmp(e->d_name + len - sl, suffix)))
			continue;
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), cmp_str);
	return n;
}

/* A refusal must say where (a section, map, symbol, BTF type or the file
 * header) and be more than a word or two. */
static int specific(const char *msg)
{
	static const char *const where[] = {
		"section ", "map '", "symbol", "type [", "ELF", "file",
	};

	if (strlen(msg) < 24)
		return 0;
	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++)
		if (strstr(msg, where[i]))
			return 1;
	return 0;
}

/* Drop what differs between objects of one cause (numbers, names in
 * quotes), so a project's refusals group by reason. */
static void reason_key(const char *msg, char *key, size_t len)
{
	size_t k = 0;
	int quoted = 0;

	for (const char *p = msg; *p && k + 2 < len; p++) {
		if (*p == '\'') {
			quoted = !quoted;
			key[k++] = '\'';
			if (quoted)
				key[k++] = '*';
			continue;
		}
		if (quoted)
			continue;
		if (isdigit((unsigned char)*p)) {
			if (!k || key[k - 1] != '#')
				key[k++] = '#';
			continue;
		}
		key[k++] = *p;
	}
	key[k] = '\0';
}

static void add_reason(struct project *pr, const char *msg)
{
	char key[256];

	reason_key(msg, key, sizeof(key));
	for (int i = 0; i < pr->nreasons; i++) {
		if (!strcmp(pr->reasons[i], key)) {
			pr->reason_count[i]++;
			return;
		}
	}
	if (pr->nreasons < MAX_REASONS) {
		pr->reasons[pr->nreasons] = strdup(key);
		pr->reason_count[pr->nreasons++] = 1;
	}
}

/* Map references, calls and callback addresses stay inside the program
 * and the object's map list. */
static void check_prog(const bpfvm_elf *elf, const struct bpfvm_elf_prog *p,
		       const char *file)
{
	size_t nmaps = bpfvm_elf_nmaps(elf);
	int bad = 0;

	for (size_t pc = 0; pc < p->count && !bad; pc++) {
		const bpfvm_insn *in = &p->insns[pc];
		long long target = (long long)pc + 1 + in->imm;

		if (in->code == BPFVM_OP_LDDW && pc + 1 < p->count) {
			if (in->src == BPFVM_PSEUDO_MAP_IDX)
				bad = (size_t)in->imm >= nmaps;
			else if (in->src == BPFVM_PSEUDO_MAP_IDX_VALUE)
				bad = (size_t)in->imm >= nmaps ||
				      (uint32_t)in[1].imm >
					      bpfvm_elf_map(elf,
							    (size_t)in->imm)
						      ->spec.value_size;
			else if (in->src == BPFVM_PSEUDO_FUNC)
				bad = target < 0 ||
				      target >= (long long)p->count;
			pc++;
		} else if (in->code == BPFVM_OP_CALL &&
			   in->src == BPFVM_CALL_LOCAL) {
			bad = target < 0 || target >= (long long)p->count;
		}
		if (bad)
			fprintf(stderr,
				"%s: program '%s': instruction %zu "
				"refers outside the program or maps\n",
				file, p->name, pc);
	}
	CHECK(!bad);
	CHECK(p->count > 0);
}

static void check_maps(const bpfvm_elf *elf)
{
	static unsigned char zeros[1 << 16];
	char buf[512];

	for (size_t i = 0; i < bpfvm_elf_nmaps(elf); i++) {
		const struct bpfvm_elf_map *m = bpfvm_elf_map(elf, i);
		size_t n;

		CHECK(m->spec.name != NULL);
		n = bpfvm_elf_format(elf, m->btf_key_type, zeros,
				     m->spec.key_size < sizeof(zeros)
					     ? m->spec.key_size
					     : sizeof(zeros),
				     buf, sizeof(buf));
		CHECK(n < sizeof(buf) && strlen(buf) == n);
		n = bpfvm_elf_format(elf, m->btf_value_type,
				     m->data ? m->data : zeros,
				     m->data ? m->data_size
				     : m->spec.value_size < sizeof(zeros)
					     ? m->spec.value_size
					     : sizeof(zeros),
				     buf, sizeof(buf));
		CHECK(n < sizeof(buf) && strlen(buf) == n);
	}
}

static void run_project(const char *root, const char *name)
{
	char dir[2048], path[4096], *files[MAX_FILES];
	struct project pr = { 0 };
	int n;

	snprintf(dir, sizeof(dir), "%s/%s", root, name);
	n = list_dir(dir, ".o", files);
	if (n <= 0)
		return;
	for (int i = 0; i < n; i++) {
		bpfvm_error err = { 0 };
		bpfvm_elf *elf;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (bpfvm_elf_open(path, &elf, &err)) {
			pr.refused++;
			printf("  refused %-40s %s\n", files[i], err.msg);
			if (!specific(err.msg))
				fprintf(stderr,
					"%s: refusal too generic: "
					"\"%s\"\n",
					path, err.msg);
			CHECK(specific(err.msg));
			add_reason(&pr, err.msg);
			free(files[i]);
			continue;
		}
		/* The deliberately invalid objects must not open. */
		CHECK(strcmp(name, "invalid") != 0);
		pr.opened++;
		pr.progs += (int)bpfvm_elf_nprogs(elf);
		pr.maps += (int)bpfvm_elf_nmaps(elf);
		printf("  opened  %-40s %zu programs, %zu maps\n", files[i],
		       bpfvm_elf_nprogs(elf), bpfvm_elf_nmaps(elf));
		for (size_t k = 0; k < bpfvm_elf_nprogs(elf); k++)
			check_prog(elf, bpfvm_elf_prog(elf, k), path);
		check_maps(elf);
		bpfvm_elf_close(elf);
		free(files[i]);
	}
	printf("%s: %d opened (%d programs, %d maps), %d refused\n", name,
	       pr.opened, pr.progs, pr.maps, pr.refused);
	for (int i = 0; i < pr.nreasons; i++) {
		printf("    %dx %s\n", pr.reason_count[i], pr.reasons[i]);
		free(pr.reasons[i]);
	}
}

int main(void)
{
	const char *shared = getenv("SHARED");
	char root[1024], *projects[MAX_FILES];
	int n;

	if (!shared) {
		printf("SKIP: SHARED is not set (ctest sets it)\n");
		return 77;
	}
	snprintf(root, sizeof(root), "%s/samples", shared);
	n = list_dir(root, "", projects);
	if (n <= 0) {
		printf("SKIP: no sample objects in %s\n", root);
		return 77;
	}
	for (int i = 0; i < n; i++) {
		run_project(root, projects[i]);
		free(projects[i]);
	}
	DONE();
}
