/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host unit tests of ksspi-upcall: helpers shared by the *_unit.c files.
 */
#ifndef KSSPI_UPCALL_UNIT_H
#define KSSPI_UPCALL_UNIT_H

#include <stdint.h>
#include <string.h>
#include <linux/ksspi.h>
#include <linux/ksspi_upcall.h>

#include "proto.h"

/* Start a request message with a valid header for @op. */
static inline void unit_req_start(struct kup_msg *m, uint16_t op)
{
	kup_msg_init(m, sizeof(struct ksspi_upcall_request));
	(void)op;
}

/* Finish it: fill the fixed part after the common header. */
static inline int unit_req_finish(struct kup_msg *m, uint16_t op,
				  uint32_t flags,
				  const struct ksspi_upcall_request *fields)
{
	struct ksspi_upcall_request r = *fields;

	if (m->failed)
		return -1;
	memcpy(m->buf + sizeof(r.hdr), (uint8_t *)&r + sizeof(r.hdr),
	       sizeof(r) - sizeof(r.hdr));
	return kup_msg_finish(m, op, flags);
}

static inline struct ksspi_upcall_request unit_fields(uint16_t op)
{
	struct ksspi_upcall_request r = { 0 };

	r.id = 0x1234;
	r.uid = 2001;
	r.gid = 2001;
	r.now = 1700000000;
	if (op != KSSPI_UPCALL_DONOR) {
		r.package_id = KSSPI_PACKAGE_KERBEROS;
		r.cred_use = op == KSSPI_UPCALL_ACCEPT ? SECPKG_CRED_INBOUND :
			     op == KSSPI_UPCALL_INITIATE ?
			     SECPKG_CRED_OUTBOUND : SECPKG_CRED_BOTH;
	}
	if (op == KSSPI_UPCALL_INITIATE || op == KSSPI_UPCALL_ACCEPT)
		r.context_id = 7;
	return r;
}

#endif
