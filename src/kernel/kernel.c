/* SPDX-License-Identifier: MIT */
/* The kernel backend over libbpf. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfvm/kernel.h"

struct bpfvm_kobj {
	struct bpf_object *obj;
};

/* libbpf's messages (the verifier log among them) go to a buffer that
 * errors quote, not to stderr. */
static _Thread_local char libbpf_log[4096];
static _Thread_local size_t libbpf_log_len;

static int capture_log(enum libbpf_print_level level, const char *fmt,
		       va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	size_t room = sizeof(libbpf_log) - libbpf_log_len;
	int n = vsnprintf(libbpf_log + libbpf_log_len, room, fmt, ap);
	if (n > 0)
		libbpf_log_len += (size_t)n < room ? (size_t)n : room - 1;
	if (libbpf_log_len > sizeof(libbpf_log) / 2) { /* keep the tail */
		memmove(libbpf_log, libbpf_log + libbpf_log_len / 2,
			libbpf_log_len - libbpf_log_len / 2 + 1);
		libbpf_log_len -= libbpf_log_len / 2;
	}
	return n;
}

static void start_log(void)
{
	libbpf_set_print(capture_log);
	libbpf_log_len = 0;
	libbpf_log[0] = 0;
}

/* The last lines of the log, for a one-line error. */
static const char *log_tail(void)
{
	size_t n = libbpf_log_len;
	while (n > 0 && (libbpf_log[n - 1] == '\n' || libbpf_log[n - 1] == ' '))
		libbpf_log[--n] = 0;
	const char *p = libbpf_log + n;
	for (int lines = 0; p > libbpf_log && lines < 3; p--)
		if (p[-1] == '\n')
			lines++;
	return p;
}

bool bpfvm_kernel_available(char *why, size_t whylen)
{
	/* The smallest program: r0 = 0; exit. */
	struct bpf_insn prog[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "probe", "GPL", prog, 2, NULL);

	if (fd < 0) {
		snprintf(why, whylen, "bpf(BPF_PROG_LOAD) failed: %s%s",
			 strerror(errno),
			 geteuid() ? " (not running as root)" : "");
		return false;
	}
	close(fd);
	return true;
}

int bpfvm_kernel_load(const char *path, bpfvm_kobj **out, bpfvm_error *err)
{
	bpfvm_kobj *k = calloc(1, sizeof(*k));

	*out = NULL;
	if (!k)
		return bpfvm_fail(err, -1, "out of memory");
	start_log();
	k->obj = bpf_object__open_file(path, NULL);
	if (!k->obj) {
		int e = errno;
		free(k);
		return bpfvm_fail(err, -1, "%s: libbpf cannot open it: %s: %s",
				  path, strerror(e), log_tail());
	}
	if (bpf_object__load(k->obj)) {
		int e = errno;
		bpfvm_fail(err, -1, "%s: the kernel refused it: %s: %s", path,
			   strerror(e), log_tail());
		bpfvm_kernel_close(k);
		return -1;
	}
	*out = k;
	return 0;
}

void bpfvm_kernel_close(bpfvm_kobj *kobj)
{
	if (!kobj)
		return;
	bpf_object__close(kobj->obj);
	free(kobj);
}

int bpfvm_kernel_map_update(bpfvm_kobj *kobj, const char *map,
			    const void *key, const void *value,
			    size_t value_size, uint64_t flags,
			    bpfvm_error *err)
{
	struct bpf_map *m = bpf_object__find_map_by_name(kobj->obj, map);

	if (!m)
		return bpfvm_fail(err, -1, "no map named '%s'", map);
	if (bpf_map__update_elem(m, key, bpf_map__key_size(m), value,
				 value_size, flags))
		return bpfvm_fail(err, -1, "map '%s': update failed: %s", map,
				  strerror(errno));
	return 0;
}

int bpfvm_kernel_map_lookup(bpfvm_kobj *kobj, const char *map,
			    const void *key, void *value, size_t value_size,
			    bpfvm_error *err)
{
	struct bpf_map *m = bpf_object__find_map_by_name(kobj->obj, map);
	int e;

	if (!m) {
		bpfvm_fail(err, -1, "no map named '%s'", map);
		return -ENOENT;
	}
	if (!bpf_map__lookup_elem(m, key, bpf_map__key_size(m), value,
				  value_size, 0))
		return 0;
	e = errno;
	bpfvm_fail(err, -1, "map '%s': lookup failed: %s", map, strerror(e));
	return -e;
}

static struct bpf_program *find_prog(bpfvm_kobj *kobj, const char *name)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, kobj->obj)
		if (!name || !strcmp(bpf_program__name(p), name) ||
		    !strcmp(bpf_program__section_name(p), name))
			return p;
	return NULL;
}

int bpfvm_kernel_test_run(bpfvm_kobj *kobj, const char *prog,
			  const void *data, size_t len, void *out,
			  size_t *out_len, uint32_t *retval, uint32_t repeat,
			  uint32_t *duration_ns, bpfvm_error *err)
{
	struct bpf_program *p = find_prog(kobj, prog);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data,
		    .data_size_in = (uint32_t)len, .data_out = out,
		    .data_size_out = (uint32_t)*out_len,
		    .repeat = repeat ? repeat : 1);

	if (!p)
		return bpfvm_fail(err, -1, "no program '%s'", prog ? prog : "");
	if (bpf_prog_test_run_opts(bpf_program__fd(p), &opts))
		return bpfvm_fail(err, -1, "BPF_PROG_TEST_RUN: %s",
				  strerror(errno));
	*out_len = opts.data_size_out;
	*retval = opts.retval;
	if (duration_ns)
		*duration_ns = opts.duration;
	return 0;
}

static int xdp_flags(const char *mode, uint32_t *flags)
{
	if (!mode)
		*flags = 0;
	else if (!strcmp(mode, "skb"))
		*flags = XDP_FLAGS_SKB_MODE;
	else if (!strcmp(mode, "native"))
		*flags = XDP_FLAGS_DRV_MODE;
	else
		return -1;
	return 0;
}

int bpfvm_kernel_xdp_attach(bpfvm_kobj *kobj, const char *prog,
			    const char *ifname, const char *mode,
			    bpfvm_error *err)
{
	struct bpf_program *p = find_prog(kobj, prog);
	unsigned ifindex = if_nametoindex(ifname);
	uint32_t flags;

	if (!p)
		return bpfvm_fail(err, -1, "no program '%s'", prog ? prog : "");
	if (!ifindex)
		return bpfvm_fail(err, -1, "%s: no such interface", ifname);
	if (xdp_flags(mode, &flags))
		return bpfvm_fail(err, -1, "unknown XDP mode '%s' (skb or "
				  "native)", mode);
	if (bpf_xdp_attach((int)ifindex, bpf_program__fd(p), flags, NULL))
		return bpfvm_fail(err, -1, "%s: XDP attach failed: %s", ifname,
				  strerror(errno));
	return 0;
}

int bpfvm_kernel_xdp_detach(const char *ifname, bpfvm_error *err)
{
	unsigned ifindex = if_nametoindex(ifname);

	if (!ifindex)
		return bpfvm_fail(err, -1, "%s: no such interface", ifname);
	if (bpf_xdp_detach((int)ifindex, 0, NULL))
		return bpfvm_fail(err, -1, "%s: XDP detach failed: %s", ifname,
				  strerror(errno));
	return 0;
}
