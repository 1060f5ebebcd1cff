/* SPDX-License-Identifier: MIT */
/*
 * Program types from SEC() names: libbpf's table (section_defs in
 * libbpf.c; docs.kernel.org/bpf/libbpf/program_types.html), in its order,
 * with its matching rules written in each entry:
 *   "name"   the section is exactly name;
 *   "name+"  name, or name/<anything> ("kprobe/__x64_sys_open");
 *   "name/"  name/<anything>.
 * Before libbpf 1.0 every entry was a plain prefix ("xdp1", "socket2",
 * "cgroup/sock1", "tc/tail" in older objects); names no rule matches are
 * tried that way last, the longest entry winning, provided a letter does
 * not follow it (so "tcp_rtt" is not "tc").
 */
#include <string.h>

#include "bpfvm/elf.h"

static const struct {
	const char *sec;
	enum bpfvm_prog_type type;
} section_defs[] = {
	{ "socket", BPFVM_PROG_SOCKET_FILTER },
	{ "sk_reuseport/migrate", BPFVM_PROG_SK_REUSEPORT },
	{ "sk_reuseport", BPFVM_PROG_SK_REUSEPORT },
	{ "kprobe+", BPFVM_PROG_KPROBE },
	{ "uprobe+", BPFVM_PROG_KPROBE },
	{ "uprobe.s+", BPFVM_PROG_KPROBE },
	{ "kretprobe+", BPFVM_PROG_KPROBE },
	{ "uretprobe+", BPFVM_PROG_KPROBE },
	{ "uretprobe.s+", BPFVM_PROG_KPROBE },
	{ "kprobe.multi+", BPFVM_PROG_KPROBE },
	{ "kretprobe.multi+", BPFVM_PROG_KPROBE },
	{ "uprobe.multi+", BPFVM_PROG_KPROBE },
	{ "uretprobe.multi+", BPFVM_PROG_KPROBE },
	{ "uprobe.multi.s+", BPFVM_PROG_KPROBE },
	{ "uretprobe.multi.s+", BPFVM_PROG_KPROBE },
	{ "kprobe.session+", BPFVM_PROG_KPROBE },
	{ "ksyscall+", BPFVM_PROG_KPROBE },
	{ "kretsyscall+", BPFVM_PROG_KPROBE },
	{ "usdt+", BPFVM_PROG_KPROBE },
	{ "usdt.s+", BPFVM_PROG_KPROBE },
	{ "tc/ingress", BPFVM_PROG_SCHED_CLS },
	{ "tc/egress", BPFVM_PROG_SCHED_CLS },
	{ "tcx/ingress", BPFVM_PROG_SCHED_CLS },
	{ "tcx/egress", BPFVM_PROG_SCHED_CLS },
	{ "tc", BPFVM_PROG_SCHED_CLS },
	{ "classifier", BPFVM_PROG_SCHED_CLS },
	{ "action", BPFVM_PROG_SCHED_ACT },
	{ "netkit/primary", BPFVM_PROG_SCHED_CLS },
	{ "netkit/peer", BPFVM_PROG_SCHED_CLS },
	{ "tracepoint+", BPFVM_PROG_TRACEPOINT },
	{ "tp+", BPFVM_PROG_TRACEPOINT },
	{ "raw_tracepoint+", BPFVM_PROG_RAW_TRACEPOINT },
	{ "raw_tp+", BPFVM_PROG_RAW_TRACEPOINT },
	{ "raw_tracepoint.w+", BPFVM_PROG_RAW_TRACEPOINT_WRITABLE },
	{ "raw_tp.w+", BPFVM_PROG_RAW_TRACEPOINT_WRITABLE },
	{ "tp_btf+", BPFVM_PROG_TRACING },
	{ "fentry+", BPFVM_PROG_TRACING },
	{ "fmod_ret+", BPFVM_PROG_TRACING },
	{ "fexit+", BPFVM_PROG_TRACING },
	{ "fentry.s+", BPFVM_PROG_TRACING },
	{ "fmod_ret.s+", BPFVM_PROG_TRACING },
	{ "fexit.s+", BPFVM_PROG_TRACING },
	{ "freplace+", BPFVM_PROG_EXT },
	{ "lsm+", BPFVM_PROG_LSM },
	{ "lsm.s+", BPFVM_PROG_LSM },
	{ "lsm_cgroup+", BPFVM_PROG_LSM },
	{ "iter+", BPFVM_PROG_TRACING },
	{ "iter.s+", BPFVM_PROG_TRACING },
	{ "syscall", BPFVM_PROG_SYSCALL },
	{ "xdp.frags/devmap", BPFVM_PROG_XDP },
	{ "xdp/devmap", BPFVM_PROG_XDP },
	{ "xdp.frags/cpumap", BPFVM_PROG_XDP },
	{ "xdp/cpumap", BPFVM_PROG_XDP },
	{ "xdp.frags", BPFVM_PROG_XDP },
	{ "xdp", BPFVM_PROG_XDP },
	{ "perf_event", BPFVM_PROG_PERF_EVENT },
	{ "lwt_in", BPFVM_PROG_LWT_IN },
	{ "lwt_out", BPFVM_PROG_LWT_OUT },
	{ "lwt_xmit", BPFVM_PROG_LWT_XMIT },
	{ "lwt_seg6local", BPFVM_PROG_LWT_SEG6LOCAL },
	{ "sockops", BPFVM_PROG_SOCK_OPS },
	{ "sk_skb/stream_parser", BPFVM_PROG_SK_SKB },
	{ "sk_skb/stream_verdict", BPFVM_PROG_SK_SKB },
	{ "sk_skb", BPFVM_PROG_SK_SKB },
	{ "sk_msg", BPFVM_PROG_SK_MSG },
	{ "lirc_mode2", BPFVM_PROG_LIRC_MODE2 },
	{ "flow_dissector", BPFVM_PROG_FLOW_DISSECTOR },
	{ "cgroup_skb/ingress", BPFVM_PROG_CGROUP_SKB },
	{ "cgroup_skb/egress", BPFVM_PROG_CGROUP_SKB },
	{ "cgroup/skb", BPFVM_PROG_CGROUP_SKB },
	{ "cgroup/sock_create", BPFVM_PROG_CGROUP_SOCK },
	{ "cgroup/sock_release", BPFVM_PROG_CGROUP_SOCK },
	{ "cgroup/sock", BPFVM_PROG_CGROUP_SOCK },
	{ "cgroup/post_bind4", BPFVM_PROG_CGROUP_SOCK },
	{ "cgroup/post_bind6", BPFVM_PROG_CGROUP_SOCK },
	{ "cgroup/bind4", BPFVM_PROG_CGROUP_SOCK_ADDR },
	{ "cgroup/bind6", BPFVM_PROG_CGROUP_SOCK_ADDR },
	{ "cgroup/connect4", BPFVM_PROG_CGROUP_SOCK_ADDR },
	{ "cgroup/connect6", BPFVM_PROG_CGROUP_SOCK_ADDR },
	{ "cgroup/connect_unix", BPFVM_PROG_CGROUP_SOCK_ADDR },
	{ "cgroup/sendmsg4", BPFVM_PROG_CGROUP_SOCK_ADDR },
	{ "cgroup/sendmsg6", BPFVM_PROG_CGROUP_SOCK_ADDR },
	{ "cgroup/sendmsg_unix", BPFVM_PROG_CGROUP_SOCK_ADDR },
	{ "cgroup/recvmsg4", BPFVM_PROG_CGROUP_SOCK_ADDR },
	{ "cgroup/recvmsg6", BPFVM_PROG_CGROUP_SOCK_ADDR },
	{ "cgroup/recvmsg_unix", BPFVM_PROG_CGROUP_SOCK_ADDR },
	{ "cgroup/getpeername4", BPFVM_PROG_CGROUP_SOCK_ADDR },
	{ "cgroup/getpeername6", BPFVM_PROG_CGROUP_SOCK_ADDR },
	{ "cgroup/getpeername_unix", BPFVM_PROG_CGROUP_SOCK_ADDR },
	{ "cgroup/getsockname4", BPFVM_PROG_CGROUP_SOCK_ADDR },
	{ "cgroup/getsockname6", BPFVM_PROG_CGROUP_SOCK_ADDR },
	{ "cgroup/getsockname_unix", BPFVM_PROG_CGROUP_SOCK_ADDR },
	{ "cgroup/sysctl", BPFVM_PROG_CGROUP_SYSCTL },
	{ "cgroup/getsockopt", BPFVM_PROG_CGROUP_SOCKOPT },
	{ "cgroup/setsockopt", BPFVM_PROG_CGROUP_SOCKOPT },
	{ "cgroup/dev", BPFVM_PROG_CGROUP_DEVICE },
	{ "struct_ops+", BPFVM_PROG_STRUCT_OPS },
	{ "struct_ops.s+", BPFVM_PROG_STRUCT_OPS },
	{ "sk_lookup", BPFVM_PROG_SK_LOOKUP },
	{ "netfilter", BPFVM_PROG_NETFILTER },
	/* Names of libbpf before 1.0, since renamed. */
	{ "xdp_devmap/", BPFVM_PROG_XDP },
	{ "xdp_cpumap/", BPFVM_PROG_XDP },
};

#define NDEFS (sizeof(section_defs) / sizeof(section_defs[0]))

static bool matches(const char *def, const char *sec)
{
	size_t len = strlen(def);

	if (def[len - 1] == '/')
		return !strncmp(sec, def, len);
	if (def[len - 1] == '+') {
		len--;
		return !strncmp(sec, def, len) &&
		       (sec[len] == '\0' || sec[len] == '/');
	}
	return !strcmp(sec, def);
}

enum bpfvm_prog_type bpfvm_prog_type_of_section(const char *section)
{
	size_t best = NDEFS, best_len = 0;

	if (!section)
		return BPFVM_PROG_UNSPEC;
	for (size_t i = 0; i < NDEFS; i++)
		if (matches(section_defs[i].sec, section))
			return section_defs[i].type;
	for (size_t i = 0; i < NDEFS; i++) {
		const char *def = section_defs[i].sec;
		size_t len = strlen(def);

		if (def[len - 1] == '+')
			len--;
		if (len > best_len && !strncmp(section, def, len) &&
		    !(section[len] >= 'a' && section[len] <= 'z')) {
			best = i;
			best_len = len;
		}
	}
	return best < NDEFS ? section_defs[best].type : BPFVM_PROG_UNSPEC;
}
