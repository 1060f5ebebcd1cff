/* SPDX-License-Identifier: MIT */
/*
 * Every kernel helper, by id: name, return and argument kinds, gpl_only,
 * packet_only, and bpfvm's implementation where there is one.
 *
 * Ids and names are the kernel's __BPF_FUNC_MAPPER (include/uapi/linux/
 * bpf.h), 1 to 209 (user_ringbuf_drain). Kinds are those of each
 * helper's struct bpf_func_proto in the kernel, mapped onto enum
 * bpfvm_arg / bpfvm_ret; kinds bpfvm does not model (sockets, tasks,
 * BTF-typed pointers, spin locks, timers, dynptrs, kptrs, fixed-size out
 * parameters such as strtol's long *) are listed as ANYTHING, and
 * returns of such objects as INTEGER: no helper with one is provided, so
 * nothing relies on them. MEM covers the kernel's PTR_TO_MEM with or
 * without MEM_RDONLY / PTR_MAYBE_NULL; UMEM is PTR_TO_UNINIT_MEM (or
 * PTR_TO_MEM | MEM_UNINIT | MEM_WRITE).
 *
 * packet_only marks helpers that act on the packet of an XDP or tc
 * program (their r1 is the packet context, or they decide its verdict).
 */
#include <stddef.h>

#include "helpers/helpers_internal.h"

#define ANY   BPFVM_ARG_ANYTHING
#define MAP   BPFVM_ARG_CONST_MAP_PTR
#define KEY   BPFVM_ARG_PTR_TO_MAP_KEY
#define VAL   BPFVM_ARG_PTR_TO_MAP_VALUE
#define UVAL  BPFVM_ARG_PTR_TO_UNINIT_MAP_VALUE
#define MEM   BPFVM_ARG_PTR_TO_MEM
#define UMEM  BPFVM_ARG_PTR_TO_UNINIT_MEM
#define SZ    BPFVM_ARG_CONST_SIZE
#define SZ0   BPFVM_ARG_CONST_SIZE_OR_ZERO
#define CTX   BPFVM_ARG_PTR_TO_CTX
#define FUNC  BPFVM_ARG_PTR_TO_FUNC
#define STK   BPFVM_ARG_PTR_TO_STACK_OR_NULL
#define ALLOC BPFVM_ARG_PTR_TO_ALLOC_MEM
#define STR   BPFVM_ARG_PTR_TO_CONST_STR
#define ASZ0  BPFVM_ARG_CONST_ALLOC_SIZE_OR_ZERO

#define INT	      BPFVM_RET_INTEGER
#define VOID	      BPFVM_RET_VOID
#define VAL_OR_NULL   BPFVM_RET_PTR_TO_MAP_VALUE_OR_NULL
#define ALLOC_OR_NULL BPFVM_RET_PTR_TO_ALLOC_MEM_OR_NULL

/* Flags column: G gpl_only, P packet_only. */
#define _  0
#define G  1
#define P  2
#define GP (G | P)

#define ENTRY(id_, name_, fn_, flags_, ret_, ...)                              \
	[id_] = { .id = id_,                                                   \
		  .name = #name_,                                              \
		  .fn = fn_,                                                   \
		  .ret = ret_,                                                 \
		  .args = { __VA_ARGS__ },                                     \
		  .gpl_only = (flags_)&G,                                      \
		  .packet_only = ((flags_)&P) != 0 }
/* B: bpfvm provides it; K: the kernel has it, bpfvm does not. */
#define B(id, name, ...) ENTRY(id, name, bpfvm_bpf_##name, __VA_ARGS__)
#define K(id, name, ...) ENTRY(id, name, NULL, __VA_ARGS__)

#define LAST_ID 209

static const struct bpfvm_helper_proto protos[LAST_ID + 1] = {
	B(1, map_lookup_elem, _, VAL_OR_NULL, MAP, KEY),
	B(2, map_update_elem, _, INT, MAP, KEY, VAL, ANY),
	B(3, map_delete_elem, _, INT, MAP, KEY),
	K(4, probe_read, G, INT, UMEM, SZ0, ANY),
	B(5, ktime_get_ns, _, INT),
	B(6, trace_printk, G, INT, MEM, SZ, ANY, ANY, ANY),
	B(7, get_prandom_u32, _, INT),
	B(8, get_smp_processor_id, _, INT),
	K(9, skb_store_bytes, P, INT, CTX, ANY, MEM, SZ, ANY),
	K(10, l3_csum_replace, P, INT, CTX, ANY, ANY, ANY, ANY),
	K(11, l4_csum_replace, P, INT, CTX, ANY, ANY, ANY, ANY),
	B(12, tail_call, _, VOID, CTX, MAP, ANY),
	K(13, clone_redirect, P, INT, CTX, ANY, ANY),
	B(14, get_current_pid_tgid, _, INT),
	B(15, get_current_uid_gid, _, INT),
	B(16, get_current_comm, _, INT, UMEM, SZ),
	K(17, get_cgroup_classid, P, INT, CTX),
	K(18, skb_vlan_push, P, INT, CTX, ANY, ANY),
	K(19, skb_vlan_pop, P, INT, CTX),
	K(20, skb_get_tunnel_key, P, INT, CTX, UMEM, SZ, ANY),
	K(21, skb_set_tunnel_key, P, INT, CTX, MEM, SZ, ANY),
	K(22, perf_event_read, _, INT, MAP, ANY),
	B(23, redirect, P, INT, ANY, ANY),
	K(24, get_route_realm, P, INT, CTX),
	K(25, perf_event_output, G, INT, CTX, MAP, ANY, MEM, SZ0),
	K(26, skb_load_bytes, P, INT, CTX, ANY, UMEM, SZ),
	K(27, get_stackid, G, INT, CTX, MAP, ANY),
	B(28, csum_diff, _, INT, MEM, SZ0, MEM, SZ0, ANY),
	K(29, skb_get_tunnel_opt, P, INT, CTX, UMEM, SZ),
	K(30, skb_set_tunnel_opt, P, INT, CTX, MEM, SZ),
	K(31, skb_change_proto, P, INT, CTX, ANY, ANY),
	K(32, skb_change_type, P, INT, CTX, ANY),
	K(33, skb_under_cgroup, P, INT, CTX, MAP, ANY),
	K(34, get_hash_recalc, P, INT, CTX),
	K(35, get_current_task, G, INT),
	K(36, probe_write_user, G, INT, ANY, MEM, SZ),
	K(37, current_task_under_cgroup, _, INT, MAP, ANY),
	K(38, skb_change_tail, P, INT, CTX, ANY, ANY),
	K(39, skb_pull_data, P, INT, CTX, ANY),
	K(40, csum_update, P, INT, CTX, ANY),
	K(41, set_hash_invalid, P, VOID, CTX),
	B(42, get_numa_node_id, _, INT),
	K(43, skb_change_head, P, INT, CTX, ANY, ANY),
	B(44, xdp_adjust_head, P, INT, CTX, ANY),
	K(45, probe_read_str, G, INT, UMEM, SZ0, ANY),
	K(46, get_socket_cookie, _, INT, CTX),
	K(47, get_socket_uid, _, INT, CTX),
	K(48, set_hash, P, INT, CTX, ANY),
	K(49, setsockopt, _, INT, CTX, ANY, ANY, MEM, SZ),
	K(50, skb_adjust_room, P, INT, CTX, ANY, ANY, ANY),
	B(51, redirect_map, P, INT, MAP, ANY, ANY),
	K(52, sk_redirect_map, _, INT, CTX, MAP, ANY, ANY),
	K(53, sock_map_update, _, INT, CTX, MAP, KEY, ANY),
	B(54, xdp_adjust_meta, P, INT, CTX, ANY),
	K(55, perf_event_read_value, _, INT, MAP, ANY, UMEM, SZ),
	K(56, perf_prog_read_value, _, INT, CTX, UMEM, SZ),
	K(57, getsockopt, _, INT, CTX, ANY, ANY, UMEM, SZ),
	K(58, override_return, G, INT, CTX, ANY),
	K(59, sock_ops_cb_flags_set, _, INT, CTX, ANY),
	K(60, msg_redirect_map, _, INT, CTX, MAP, ANY, ANY),
	K(61, msg_apply_bytes, _, INT, CTX, ANY),
	K(62, msg_cork_bytes, _, INT, CTX, ANY),
	K(63, msg_pull_data, _, INT, CTX, ANY, ANY, ANY),
	K(64, bind, _, INT, CTX, MEM, SZ),
	B(65, xdp_adjust_tail, P, INT, CTX, ANY),
	K(66, skb_get_xfrm_state, P, INT, CTX, ANY, UMEM, SZ, ANY),
	K(67, get_stack, G, INT, CTX, UMEM, SZ0, ANY),
	K(68, skb_load_bytes_relative, P, INT, CTX, ANY, UMEM, SZ, ANY),
	K(69, fib_lookup, P, INT, CTX, MEM, SZ, ANY),
	K(70, sock_hash_update, _, INT, CTX, MAP, KEY, ANY),
	K(71, msg_redirect_hash, _, INT, CTX, MAP, KEY, ANY),
	K(72, sk_redirect_hash, _, INT, CTX, MAP, KEY, ANY),
	K(73, lwt_push_encap, P, INT, CTX, ANY, MEM, SZ),
	K(74, lwt_seg6_store_bytes, P, INT, CTX, ANY, MEM, SZ),
	K(75, lwt_seg6_adjust_srh, P, INT, CTX, ANY, ANY),
	K(76, lwt_seg6_action, P, INT, CTX, ANY, MEM, SZ),
	K(77, rc_repeat, G, INT, CTX),
	K(78, rc_keydown, G, INT, CTX, ANY, ANY, ANY),
	K(79, skb_cgroup_id, P, INT, CTX),
	K(80, get_current_cgroup_id, _, INT),
	K(81, get_local_storage, _, VAL_OR_NULL, MAP, ANY),
	K(82, sk_select_reuseport, _, INT, CTX, MAP, KEY, ANY),
	K(83, skb_ancestor_cgroup_id, P, INT, CTX, ANY),
	K(84, sk_lookup_tcp, P, INT, CTX, MEM, SZ, ANY, ANY),
	K(85, sk_lookup_udp, P, INT, CTX, MEM, SZ, ANY, ANY),
	K(86, sk_release, _, INT, ANY),
	B(87, map_push_elem, _, INT, MAP, VAL, ANY),
	B(88, map_pop_elem, _, INT, MAP, UVAL),
	B(89, map_peek_elem, _, INT, MAP, UVAL),
	K(90, msg_push_data, _, INT, CTX, ANY, ANY, ANY),
	K(91, msg_pop_data, _, INT, CTX, ANY, ANY, ANY),
	K(92, rc_pointer_rel, G, INT, CTX, ANY, ANY),
	K(93, spin_lock, _, VOID, ANY),
	K(94, spin_unlock, _, VOID, ANY),
	K(95, sk_fullsock, _, INT, ANY),
	K(96, tcp_sock, _, INT, ANY),
	K(97, skb_ecn_set_ce, P, INT, CTX),
	K(98, get_listener_sock, _, INT, ANY),
	K(99, skc_lookup_tcp, P, INT, CTX, MEM, SZ, ANY, ANY),
	K(100, tcp_check_syncookie, _, INT, ANY, MEM, SZ, MEM, SZ),
	K(101, sysctl_get_name, _, INT, CTX, UMEM, SZ, ANY),
	K(102, sysctl_get_current_value, _, INT, CTX, UMEM, SZ),
	K(103, sysctl_get_new_value, _, INT, CTX, UMEM, SZ),
	K(104, sysctl_set_new_value, _, INT, CTX, MEM, SZ),
	B(105, strtol, _, INT, MEM, SZ, ANY, ANY),
	B(106, strtoul, _, INT, MEM, SZ, ANY, ANY),
	K(107, sk_storage_get, _, VAL_OR_NULL, MAP, ANY, VAL, ANY),
	K(108, sk_storage_delete, _, INT, MAP, ANY),
	K(109, send_signal, _, INT, ANY),
	K(110, tcp_gen_syncookie, _, INT, ANY, MEM, SZ, MEM, SZ),
	K(111, skb_output, G, INT, ANY, MAP, ANY, MEM, SZ0),
	K(112, probe_read_user, G, INT, UMEM, SZ0, ANY),
	K(113, probe_read_kernel, G, INT, UMEM, SZ0, ANY),
	K(114, probe_read_user_str, G, INT, UMEM, SZ0, ANY),
	K(115, probe_read_kernel_str, G, INT, UMEM, SZ0, ANY),
	K(116, tcp_send_ack, _, INT, ANY, ANY),
	K(117, send_signal_thread, _, INT, ANY),
	B(118, jiffies64, _, INT),
	K(119, read_branch_records, G, INT, CTX, UMEM, SZ0, ANY),
	K(120, get_ns_current_pid_tgid, _, INT, ANY, ANY, UMEM, SZ),
	K(121, xdp_output, GP, INT, ANY, MAP, ANY, MEM, SZ0),
	K(122, get_netns_cookie, _, INT, CTX),
	K(123, get_current_ancestor_cgroup_id, _, INT, ANY),
	K(124, sk_assign, P, INT, CTX, ANY, ANY),
	B(125, ktime_get_boot_ns, _, INT),
	K(126, seq_printf, G, INT, ANY, MEM, SZ, MEM, SZ0),
	K(127, seq_write, G, INT, ANY, MEM, SZ0),
	K(128, sk_cgroup_id, _, INT, ANY),
	K(129, sk_ancestor_cgroup_id, _, INT, ANY, ANY),
	B(130, ringbuf_output, _, INT, MAP, MEM, SZ0, ANY),
	B(131, ringbuf_reserve, _, ALLOC_OR_NULL, MAP, ASZ0, ANY),
	B(132, ringbuf_submit, _, VOID, ALLOC, ANY),
	B(133, ringbuf_discard, _, VOID, ALLOC, ANY),
	B(134, ringbuf_query, _, INT, MAP, ANY),
	K(135, csum_level, P, INT, CTX, ANY),
	K(136, skc_to_tcp6_sock, _, INT, ANY),
	K(137, skc_to_tcp_sock, _, INT, ANY),
	K(138, skc_to_tcp_timewait_sock, _, INT, ANY),
	K(139, skc_to_tcp_request_sock, _, INT, ANY),
	K(140, skc_to_udp6_sock, _, INT, ANY),
	K(141, get_task_stack, _, INT, ANY, UMEM, SZ0, ANY),
	K(142, load_hdr_opt, _, INT, CTX, UMEM, SZ, ANY),
	K(143, store_hdr_opt, _, INT, CTX, MEM, SZ, ANY),
	K(144, reserve_hdr_opt, _, INT, CTX, ANY, ANY),
	K(145, inode_storage_get, _, VAL_OR_NULL, MAP, ANY, VAL, ANY),
	K(146, inode_storage_delete, _, INT, MAP, ANY),
	K(147, d_path, _, INT, ANY, UMEM, SZ),
	K(148, copy_from_user, G, INT, UMEM, SZ0, ANY),
	K(149, snprintf_btf, _, INT, UMEM, SZ, MEM, SZ, ANY),
	K(150, seq_printf_btf, _, INT, ANY, MEM, SZ0, ANY),
	K(151, skb_cgroup_classid, P, INT, CTX),
	K(152, redirect_neigh, P, INT, ANY, MEM, SZ0, ANY),
	K(153, per_cpu_ptr, _, INT, ANY, ANY),
	K(154, this_cpu_ptr, _, INT, ANY),
	K(155, redirect_peer, P, INT, ANY, ANY),
	K(156, task_storage_get, _, VAL_OR_NULL, MAP, ANY, VAL, ANY),
	K(157, task_storage_delete, _, INT, MAP, ANY),
	K(158, get_current_task_btf, G, INT),
	K(159, bprm_opts_set, _, INT, ANY, ANY),
	B(160, ktime_get_coarse_ns, _, INT),
	K(161, ima_inode_hash, _, INT, ANY, UMEM, SZ),
	K(162, sock_from_file, _, INT, ANY),
	K(163, check_mtu, P, INT, CTX, ANY, ANY, ANY, ANY),
	B(164, for_each_map_elem, _, INT, MAP, FUNC, STK, ANY),
	B(165, snprintf, G, INT, UMEM, SZ0, STR, MEM, SZ0),
	K(166, sys_bpf, _, INT, ANY, MEM, SZ),
	K(167, btf_find_by_name_kind, _, INT, MEM, SZ, ANY, ANY),
	K(168, sys_close, _, INT, ANY),
	K(169, timer_init, G, INT, ANY, MAP, ANY),
	K(170, timer_set_callback, G, INT, ANY, FUNC),
	K(171, timer_start, G, INT, ANY, ANY, ANY),
	K(172, timer_cancel, G, INT, ANY),
	K(173, get_func_ip, _, INT, CTX),
	K(174, get_attach_cookie, _, INT, CTX),
	K(175, task_pt_regs, _, INT, ANY),
	K(176, get_branch_snapshot, G, INT, UMEM, SZ0, ANY),
	B(177, trace_vprintk, G, INT, MEM, SZ, MEM, SZ0),
	K(178, skc_to_unix_sock, _, INT, ANY),
	K(179, kallsyms_lookup_name, _, INT, MEM, SZ, ANY, ANY),
	K(180, find_vma, _, INT, ANY, ANY, FUNC, STK, ANY),
	B(181, loop, _, INT, ANY, FUNC, STK, ANY),
	B(182, strncmp, _, INT, MEM, SZ, STR),
	K(183, get_func_arg, _, INT, CTX, ANY, ANY),
	K(184, get_func_ret, _, INT, CTX, ANY),
	K(185, get_func_arg_cnt, _, INT, CTX),
	K(186, get_retval, _, INT),
	K(187, set_retval, _, INT, ANY),
	B(188, xdp_get_buff_len, P, INT, CTX),
	B(189, xdp_load_bytes, P, INT, CTX, ANY, UMEM, SZ),
	B(190, xdp_store_bytes, P, INT, CTX, ANY, MEM, SZ),
	K(191, copy_from_user_task, G, INT, UMEM, SZ0, ANY, ANY, ANY),
	K(192, skb_set_tstamp, P, INT, CTX, ANY, ANY),
	K(193, ima_file_hash, _, INT, ANY, UMEM, SZ),
	K(194, kptr_xchg, _, INT, ANY, ANY),
	B(195, map_lookup_percpu_elem, _, VAL_OR_NULL, MAP, KEY, ANY),
	K(196, skc_to_mptcp_sock, _, INT, ANY),
	K(197, dynptr_from_mem, _, INT, UMEM, SZ0, ANY, ANY),
	K(198, ringbuf_reserve_dynptr, _, INT, MAP, ANY, ANY, ANY),
	K(199, ringbuf_submit_dynptr, _, VOID, ANY, ANY),
	K(200, ringbuf_discard_dynptr, _, VOID, ANY, ANY),
	K(201, dynptr_read, _, INT, UMEM, SZ0, ANY, ANY, ANY),
	K(202, dynptr_write, _, INT, ANY, ANY, MEM, SZ0, ANY),
	K(203, dynptr_data, _, INT, ANY, ANY, ASZ0),
	K(204, tcp_raw_gen_syncookie_ipv4, _, INT, MEM, MEM, SZ),
	K(205, tcp_raw_gen_syncookie_ipv6, _, INT, MEM, MEM, SZ),
	K(206, tcp_raw_check_syncookie_ipv4, _, INT, MEM, MEM),
	K(207, tcp_raw_check_syncookie_ipv6, _, INT, MEM, MEM),
	B(208, ktime_get_tai_ns, _, INT),
	K(209, user_ringbuf_drain, _, INT, MAP, FUNC, STK, ANY),
};

const struct bpfvm_helper_proto *bpfvm_helper_proto(uint32_t id)
{
	if (id == 0 || id > LAST_ID || !protos[id].name)
		return NULL;
	return &protos[id];
}

int bpfvm_register_kernel_helpers(bpfvm *vm)
{
	for (uint32_t id = 1; id <= LAST_ID; id++) {
		const struct bpfvm_helper_proto *p = &protos[id];

		if (bpfvm_register_helper(vm, id, p->name, p->fn))
			return -1;
	}
	return 0;
}
