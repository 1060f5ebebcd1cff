/* SPDX-License-Identifier: MIT */
/*
 * The pcap path: a capture (pcap or pcapng bytes) read from memory through
 * libpcap, then every packet through an XDP program that parses headers,
 * grows and shrinks the packet (the runner's frame handling), and written
 * back out as a capture.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bpfvm/bpfvm.h"
#include "bpfvm/net.h"

/* r2 = data; r3 = data_end; if data + 14 > data_end: drop;
 * adjust_head(-16), then adjust_tail(+8) of what is left; pass. */
static const char program[] =
	"r6 = r1\n"
	"r2 = *(u32 *)(r6 + 0)\n"
	"r3 = *(u32 *)(r6 + 4)\n"
	"r4 = r2\n"
	"r4 += 14\n"
	"if r4 > r3 goto +12\n"
	"r0 = *(u16 *)(r2 + 12)\n"
	"r1 = r6\n"
	"r2 = -16\n"
	"call 44\n"
	"r1 = r6\n"
	"r2 = 8\n"
	"call 65\n"
	"r1 = r6\n"
	"r2 = 16\n"
	"call 44\n"
	"r0 = 2\n"
	"exit\n"
	"r0 = 1\n"
	"exit\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bpfvm *vm;
static bpfvm_prog *prog;

static void setup(void)
{
	bpfvm_error err;
	bpfvm_insn *insns;
	size_t count;

	vm = bpfvm_new();
	if (!vm || bpfvm_register_kernel_helpers(vm) ||
	    bpfvm_asm(program, &insns, &count, &err)) {
		fprintf(stderr, "fuzz_pcap setup failed\n");
		abort();
	}
	prog = bpfvm_load_typed(vm, BPFVM_PROG_XDP, "fuzz", insns, count, &err);
	free(insns);
	if (!prog) {
		fprintf(stderr, "fuzz_pcap: load: insn %d: %s\n", err.insn,
			err.msg);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfvm_packets in;
	struct bpfvm_xdp_result res;
	struct bpfvm_xdp_opts opts = { .workers = 1 };
	bpfvm_error err;
	char out[64];

	if (!prog)
		setup();
	if (bpfvm_pcap_read_mem(data, size, &in, &err))
		return 0;
	if (bpfvm_xdp_run(prog, &in, &opts, &res, &err) == 0) {
		/* Every run must end in an action, never an error. */
		if (res.errors) {
			fprintf(stderr, "run error: %s\n", res.first_error.msg);
			abort();
		}
		snprintf(out, sizeof(out), "/tmp/fuzz_pcap.%d.pcap", getpid());
		bpfvm_pcap_write(out, in.linktype, res.out.pkts, res.out.count,
				 &err);
		unlink(out);
		bpfvm_xdp_result_free(&res);
	}
	bpfvm_packets_free(&in);
	return 0;
}
