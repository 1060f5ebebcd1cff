/* SPDX-License-Identifier: MIT */
/* bpfvm: an eBPF runtime. One header per component; this one has them all. */
#ifndef BPFVM_BPFVM_H
#define BPFVM_BPFVM_H

#include "asm.h"
#include "ctx.h"
#include "elf.h"
#include "helpers.h"
#include "isa.h"
#include "maps.h"
#include "vm.h"

#endif
