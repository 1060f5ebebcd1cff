/* SPDX-License-Identifier: MIT */
/* Captures in and out, read and written by libpcap (pcap and pcapng). */
#define _GNU_SOURCE
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/net.h"

#define MAX_CAPTURE_PACKETS (64u << 20) /* a bound on memory, not a limit */

static int read_all(pcap_t *p, const char *name, struct bpfvm_packets *out,
		    bpfvm_error *err)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->linktype = pcap_datalink(p);
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		if (out->count == MAX_CAPTURE_PACKETS) {
			bpfvm_fail(err, -1, "%s: more than %u packets", name,
				   MAX_CAPTURE_PACKETS);
			goto fail;
		}
		if (out->count == cap) {
			cap = cap ? cap * 2 : 1024;
			struct bpfvm_packet *grown =
				realloc(out->pkts, cap * sizeof(*grown));
			if (!grown)
				goto oom;
			out->pkts = grown;
		}
		struct bpfvm_packet *pkt = &out->pkts[out->count];
		pkt->data = malloc(h->caplen ? h->caplen : 1);
		if (!pkt->data)
			goto oom;
		memcpy(pkt->data, data, h->caplen);
		pkt->len = h->caplen;
		pkt->wire_len = h->len;
		pkt->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull +
			     (uint64_t)h->ts.tv_usec * 1000ull;
		out->count++;
	}
	if (rc == -1) {
		bpfvm_fail(err, -1, "%s: packet %zu: %s", name, out->count + 1,
			   pcap_geterr(p));
		goto fail;
	}
	return 0;
oom:
	bpfvm_fail(err, -1, "%s: out of memory at packet %zu", name,
		   out->count + 1);
fail:
	bpfvm_packets_free(out);
	return -1;
}

int bpfvm_pcap_read(const char *path, struct bpfvm_packets *out,
		    bpfvm_error *err)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_open_offline(path, ebuf);

	if (!p)
		return bpfvm_fail(err, -1, "%s", ebuf);
	int rc = read_all(p, path, out, err);
	pcap_close(p);
	return rc;
}

int bpfvm_pcap_read_mem(const void *data, size_t size,
			struct bpfvm_packets *out, bpfvm_error *err)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	FILE *f = fmemopen((void *)data, size, "rb");
	pcap_t *p;

	if (!f)
		return bpfvm_fail(err, -1, "capture in memory: cannot open");
	p = pcap_fopen_offline(f, ebuf); /* closes f on success */
	if (!p) {
		fclose(f);
		return bpfvm_fail(err, -1, "capture in memory: %s", ebuf);
	}
	int rc = read_all(p, "capture in memory", out, err);
	pcap_close(p);
	return rc;
}

int bpfvm_pcap_write(const char *path, int linktype,
		     const struct bpfvm_packet *pkts, size_t count,
		     bpfvm_error *err)
{
	pcap_t *dead = pcap_open_dead(linktype, 262144);
	pcap_dumper_t *d = dead ? pcap_dump_open(dead, path) : NULL;

	if (!d) {
		bpfvm_fail(err, -1, "%s: %s", path,
			   dead ? pcap_geterr(dead) : "cannot open");
		if (dead)
			pcap_close(dead);
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		if (!pkts[i].len)
			continue;
		struct pcap_pkthdr h = {
			.ts = { .tv_sec = (time_t)(pkts[i].ts_ns / 1000000000ull),
				.tv_usec = (suseconds_t)(pkts[i].ts_ns %
							 1000000000ull / 1000) },
			.caplen = pkts[i].len,
			.len = pkts[i].len,
		};
		pcap_dump((u_char *)d, &h, pkts[i].data);
	}
	int rc = pcap_dump_flush(d);
	pcap_dump_close(d);
	pcap_close(dead);
	return rc ? bpfvm_fail(err, -1, "%s: write error", path) : 0;
}

void bpfvm_packets_free(struct bpfvm_packets *p)
{
	for (size_t i = 0; i < p->count; i++)
		free(p->pkts[i].data);
	free(p->pkts);
	memset(p, 0, sizeof(*p));
}
