/* SPDX-License-Identifier: MIT */
/*
 * The XDP runner: packets through a program on worker threads, each with
 * its own buffer and per-CPU slot, as a NIC's queues would. Packets go
 * to workers by an RSS hash of their source (rss.c), in capture order;
 * the first pass records every verdict and output packet, later passes
 * only count (for --repeat).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfvm/maps.h"
#include "bpfvm/net.h"
#include "net/net_internal.h"

/* The packet being run on this thread, for the replay clock. */
static _Thread_local uint64_t packet_time;

static uint64_t replay_clock(void *user)
{
	return packet_time;
}

struct worker {
	pthread_t thread;
	unsigned index;
	const bpfvm_prog *prog;
	const struct bpfvm_packets *in;
	const struct bpfvm_xdp_opts *opts;
	struct bpfvm_xdp_result *res; /* verdicts/out shared, disjoint */
	const uint8_t *queue; /* per packet: its worker */
	uint64_t actions[BPFVM_XDP_ACTIONS + 1];
	uint64_t runs, errors;
	bpfvm_error first_error;
	bool failed_setup;
};

static void record(struct worker *w, size_t i, const bpfvm_xdp_buff *buf,
		   uint64_t action)
{
	struct bpfvm_packet *out = &w->res->out.pkts[i];
	unsigned a = action < BPFVM_XDP_ACTIONS ? (unsigned)action
						 : BPFVM_XDP_ACTIONS;

	w->res->verdicts[i] = (uint8_t)a;
	out->ts_ns = w->in->pkts[i].ts_ns;
	if (a != BPFVM_XDP_PASS && a != BPFVM_XDP_TX && a != BPFVM_XDP_REDIRECT)
		return;
	size_t len;
	const uint8_t *data = bpfvm_xdp_data(buf, &len);
	out->data = malloc(len ? len : 1);
	if (!out->data)
		return; /* counted, not written */
	memcpy(out->data, data, len);
	out->len = out->wire_len = (uint32_t)len;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	bpfvm_xdp_buff *buf = bpfvm_xdp_buff_new();
	unsigned passes = w->opts->repeat ? w->opts->repeat : 1;

	if (!buf) {
		w->failed_setup = true;
		return NULL;
	}
	bpfvm_cpu_set(w->index);
	for (unsigned pass = 0; pass < passes; pass++) {
		for (size_t i = 0; i < w->in->count; i++) {
			const struct bpfvm_packet *pkt = &w->in->pkts[i];
			if (w->queue && w->queue[i] != w->index)
				continue;
			bpfvm_error err = { .insn = -1, .line = -1 };
			uint64_t action;

			packet_time = pkt->ts_ns;
			w->runs++;
			if (bpfvm_xdp_buff_set(buf, pkt->data, pkt->len,
					       w->opts->ifindex, w->index)) {
				action = BPFVM_XDP_DROP; /* too big for a frame */
			} else if (bpfvm_run_xdp(w->prog, buf, &action, &err)) {
				if (!w->errors++)
					w->first_error = err;
				action = BPFVM_XDP_ABORTED;
			}
			unsigned a = action < BPFVM_XDP_ACTIONS
					     ? (unsigned)action
					     : BPFVM_XDP_ACTIONS;
			w->actions[a]++;
			if (pass == 0)
				record(w, i, buf, action);
		}
	}
	bpfvm_xdp_buff_free(buf);
	return NULL;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int bpfvm_xdp_run(const bpfvm_prog *prog, const struct bpfvm_packets *in,
		  const struct bpfvm_xdp_opts *opts,
		  struct bpfvm_xdp_result *res, bpfvm_error *err)
{
	unsigned nworkers = opts->workers ? opts->workers : 1;
	struct worker *w = calloc(nworkers, sizeof(*w));
	int rc = 0;

	memset(res, 0, sizeof(*res));
	res->verdicts = calloc(in->count ? in->count : 1, 1);
	res->out.pkts = calloc(in->count ? in->count : 1, sizeof(*res->out.pkts));
	res->out.count = in->count;
	res->out.linktype = in->linktype;
	if (!w || !res->verdicts || !res->out.pkts) {
		free(w);
		bpfvm_xdp_result_free(res);
		return bpfvm_fail(err, -1, "out of memory");
	}
	uint8_t *queue = NULL;
	if (nworkers > 1) {
		if (!(queue = malloc(in->count ? in->count : 1))) {
			free(w);
			bpfvm_xdp_result_free(res);
			return bpfvm_fail(err, -1, "out of memory");
		}
		for (size_t i = 0; i < in->count; i++)
			queue[i] = (uint8_t)(bpfvm_rss_hash(in->pkts[i].data,
							    in->pkts[i].len) %
					     nworkers);
	}
	if (opts->replay_clock)
		bpfvm_set_clock(bpfvm_prog_vm(prog), replay_clock, NULL);
	double start = now_seconds();
	for (unsigned i = 0; i < nworkers; i++) {
		w[i] = (struct worker){
			.index = i, .prog = prog, .in = in, .opts = opts,
			.res = res, .queue = queue,
		};
		if (nworkers == 1)
			work(&w[i]);
		else if (pthread_create(&w[i].thread, NULL, work, &w[i]))
			w[i].failed_setup = true;
	}
	for (unsigned i = 0; nworkers > 1 && i < nworkers; i++)
		if (!w[i].failed_setup || w[i].thread)
			pthread_join(w[i].thread, NULL);
	res->seconds = now_seconds() - start;
	if (opts->replay_clock)
		bpfvm_set_clock(bpfvm_prog_vm(prog), NULL, NULL);
	for (unsigned i = 0; i < nworkers; i++) {
		if (w[i].failed_setup) {
			rc = bpfvm_fail(err, -1, "worker %u could not start "
				"(no low-memory frame or thread)", i);
			continue;
		}
		for (int a = 0; a <= BPFVM_XDP_ACTIONS; a++)
			res->actions[a] += w[i].actions[a];
		res->runs += w[i].runs;
		if (w[i].errors && !res->errors)
			res->first_error = w[i].first_error;
		res->errors += w[i].errors;
	}
	free(w);
	free(queue);
	if (rc)
		bpfvm_xdp_result_free(res);
	return rc;
}

void bpfvm_xdp_result_free(struct bpfvm_xdp_result *res)
{
	free(res->verdicts);
	bpfvm_packets_free(&res->out);
	memset(res, 0, sizeof(*res));
}
