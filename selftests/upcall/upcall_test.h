/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * What upcall_test writes to /sys/kernel/debug/ksspi_upcall_test/call:
 * a &struct ut_request, then the data of its items one after the other.
 * The write runs ksspi_upcall() as the writer (its credentials are the
 * requester's) and returns the whole length, or fails with the upcall's
 * errno; a read then gives the reply, one "name value" line per field.
 */
#ifndef KSSPI_UPCALL_TEST_H
#define KSSPI_UPCALL_TEST_H

#include <linux/types.h>

#define UT_ITEMS_MAX	8
/* Largest write: the header and 8 items of up to 64 KiB. */
#define UT_WRITE_MAX	(1024 * 1024)

struct ut_item {
	__u16 type;
	__u16 pad;
	__u32 len;
};

struct ut_request {
	__u16 op;
	__u16 nr_items;
	__u32 flags;
	__u64 context_id;
	__u32 package_id;
	__u32 leg;
	__u32 req_flags;
	__u32 cred_use;
	struct ut_item items[UT_ITEMS_MAX];
};

#endif /* KSSPI_UPCALL_TEST_H */
