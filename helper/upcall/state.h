/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksspi-upcall: the opaque state a context carries from one leg to the
 * next (a fresh helper process runs every leg).  It is the exported krb5
 * mechanism context plus what SPNEGO framing needs to remember.  The kernel
 * keeps it (never readable by users) and hands it back with the next leg.
 */
#ifndef KSSPI_UPCALL_STATE_H
#define KSSPI_UPCALL_STATE_H

#include <stddef.h>
#include <stdint.h>

#define KUP_STATE_MAGIC		0x5453736bU	/* "ksST" */
#define KUP_STATE_VERSION	1

enum kup_role {
	KUP_ROLE_INITIATOR = 1,
	KUP_ROLE_ACCEPTOR = 2,
};

struct kup_state {
	uint16_t role;		/* enum kup_role */
	uint32_t package_id;
	uint32_t next_leg;	/* the leg this state is for */
	uint32_t req_flags;	/* flags of the first leg */
	uint32_t mech;		/* SPNEGO: enum kup_mech to answer with */
	const uint8_t *ctx;	/* exported krb5 context (may be empty) */
	uint32_t ctx_len;
};

int kup_state_pack(const struct kup_state *st, uint8_t **out, size_t *len);
int kup_state_unpack(const uint8_t *buf, size_t len, struct kup_state *st);

#endif
