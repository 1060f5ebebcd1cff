/* SPDX-License-Identifier: MIT */
/*
 * bpfvm net: packets in and out (pcap and pcapng files through libpcap),
 * and the XDP runner that pushes them through a program on worker threads.
 */
#ifndef BPFVM_NET_H
#define BPFVM_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "isa.h"
#include "vm.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bpfvm_packet {
	uint64_t ts_ns; /* capture time */
	uint32_t len; /* bytes captured (data) */
	uint32_t wire_len; /* bytes on the wire */
	uint8_t *data;
};

struct bpfvm_packets {
	struct bpfvm_packet *pkts;
	size_t count;
	int linktype; /* DLT_* */
};

/* Read a whole pcap or pcapng file into memory. Returns 0 or -1 with err
 * saying what and where (file, packet number). */
int bpfvm_pcap_read(const char *path, struct bpfvm_packets *out,
		    bpfvm_error *err);
/* Parse a capture held in memory (for fuzzing and tests). */
int bpfvm_pcap_read_mem(const void *data, size_t size,
			struct bpfvm_packets *out, bpfvm_error *err);
/* Write packets as a pcap file. Returns 0 or -1. */
int bpfvm_pcap_write(const char *path, int linktype,
		     const struct bpfvm_packet *pkts, size_t count,
		     bpfvm_error *err);
void bpfvm_packets_free(struct bpfvm_packets *p);

struct bpfvm_xdp_opts {
	unsigned workers; /* threads; 0 or 1: the calling thread */
	unsigned repeat; /* passes over the packets (the first is kept) */
	uint32_t ifindex; /* ingress_ifindex the program sees */
	bool replay_clock; /* bpf_ktime_get_ns returns packet times */
};

#define BPFVM_XDP_ACTIONS 5 /* ABORTED, DROP, PASS, TX, REDIRECT */

struct bpfvm_xdp_result {
	uint64_t actions[BPFVM_XDP_ACTIONS + 1]; /* last: unknown codes */
	uint64_t runs; /* program runs over all passes */
	uint64_t errors; /* runs that failed (counted as ABORTED) */
	bpfvm_error first_error;
	double seconds; /* wall time of all passes */
	/* First pass, per input packet: the action and the packet as the
	 * program left it (PASS, TX and REDIRECT) or len 0. */
	uint8_t *verdicts;
	struct bpfvm_packets out;
};

/* Run an XDP program over every packet. Returns 0 (program errors are
 * counted, not fatal) or -1 with err when the run could not start. */
int bpfvm_xdp_run(const bpfvm_prog *prog, const struct bpfvm_packets *in,
		  const struct bpfvm_xdp_opts *opts,
		  struct bpfvm_xdp_result *res, bpfvm_error *err);
void bpfvm_xdp_result_free(struct bpfvm_xdp_result *res);

#ifdef __cplusplus
}
#endif
#endif
