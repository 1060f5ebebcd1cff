/* SPDX-License-Identifier: MIT */
#ifndef BPFVM_NET_INTERNAL_H
#define BPFVM_NET_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* The RSS hash of a frame (Ethernet): by source address. */
uint32_t bpfvm_rss_hash(const uint8_t *pkt, size_t len);

#endif
