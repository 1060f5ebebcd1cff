// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * bpf_printk (trace_printk with up to 3 arguments, trace_vprintk with
 * more) and the clocks under a VM clock (bpfvm_set_clock). bpfvm only:
 * the host captures the printed lines (bpfvm_set_print), which in the
 * kernel go to the trace buffer. Programs of bpfvm's raw type (a section
 * libbpf does not know): r1 is the host's memory, r2 its length.
 */
#include "expect.h"

SEC("raw")
int raw_len(void *mem, __u64 len)
{
	return len;
}

/* trace_printk returns the length of the formatted message, the
 * newline included. */
SEC("raw")
int print_lines(void *mem)
{
	char word[8] = "word";
	__u8 ip[4] = { 192, 0, 2, 1 };

	EXPECT(bpf_printk("hello %d", 42), 8);
	EXPECT(bpf_printk("%s|%5u|%-3x|\n", word, 7, 255), 16);
	EXPECT(bpf_printk("%lld %llx %c", -1LL, 0xabcdefULL, 'z'), 11);
	/* More than three arguments: trace_vprintk. */
	EXPECT(bpf_printk("%d %d %d %d %d", 1, 2, 3, 4, 5), 9);
	EXPECT(bpf_printk("ip %pI4 %%", ip), 14);
	/* Formats the kernel refuses: nothing printed, -EINVAL. */
	EXPECT(bpf_printk("bad %q", 1), -EINVAL);
	EXPECT(bpf_printk("bad %5.2d", 1), -EINVAL);
	EXPECT(bpf_printk("%sx", word), -EINVAL);
	EXPECT(bpf_printk("last"), 4);
	return 0;
}

/* The clocks, for the host to compare with the clock it set. */
struct clocks {
	__u64 mono, boot, coarse, jiffies, tai, cpu;
};

SEC("raw")
int read_clocks(struct clocks *c)
{
	c->mono = bpf_ktime_get_ns();
	c->boot = bpf_ktime_get_boot_ns();
	c->coarse = bpf_ktime_get_coarse_ns();
	c->jiffies = bpf_jiffies64();
	c->tai = bpf_ktime_get_tai_ns();
	c->cpu = bpf_get_smp_processor_id();
	bpf_printk("cpu %llu", c->cpu);
	return 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
