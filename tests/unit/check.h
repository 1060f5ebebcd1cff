/* SPDX-License-Identifier: MIT */
/* A minimal test harness: CHECK macros count failures, DONE() reports. */
#ifndef BPFVM_TEST_CHECK_H
#define BPFVM_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_failures, check_count;

#define CHECK(cond)                                                          \
	do {                                                                 \
		check_count++;                                               \
		if (!(cond)) {                                               \
			check_failures++;                                    \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n",         \
				__FILE__, __LINE__, #cond);                  \
		}                                                            \
	} while (0)

#define CHECK_U64(actual, expected)                                          \
	do {                                                                 \
		uint64_t a_ = (actual), e_ = (expected);                     \
		check_count++;                                               \
		if (a_ != e_) {                                              \
			check_failures++;                                    \
			fprintf(stderr, "%s:%d: %s = 0x%" PRIx64             \
				", expected 0x%" PRIx64 "\n", __FILE__,      \
				__LINE__, #actual, a_, e_);                  \
		}                                                            \
	} while (0)

#define CHECK_STR_CONTAINS(haystack, needle)                                 \
	do {                                                                 \
		const char *h_ = (haystack), *n_ = (needle);                 \
		check_count++;                                               \
		if (!h_ || !strstr(h_, n_)) {                                \
			check_failures++;                                    \
			fprintf(stderr, "%s:%d: \"%s\" does not contain "    \
				"\"%s\"\n", __FILE__, __LINE__,              \
				h_ ? h_ : "(null)", n_);                     \
		}                                                            \
	} while (0)

#define DONE()                                                               \
	do {                                                                 \
		printf("%d checks, %d failed\n", check_count,                \
		       check_failures);                                      \
		return check_failures ? 1 : 0;                               \
	} while (0)

#endif
