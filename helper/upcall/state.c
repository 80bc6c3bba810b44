// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall: packing and checking the between-legs state.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/ksspi_upcall.h>

#include "state.h"

struct state_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t role;
	uint32_t package_id;
	uint32_t next_leg;
	uint32_t req_flags;
	uint32_t mech;
	uint32_t ctx_len;
	uint32_t reserved;
};

int kup_state_pack(const struct kup_state *st, uint8_t **out, size_t *len)
{
	struct state_hdr h = {
		.magic = KUP_STATE_MAGIC,
		.version = KUP_STATE_VERSION,
		.role = st->role,
		.package_id = st->package_id,
		.next_leg = st->next_leg,
		.req_flags = st->req_flags,
		.mech = st->mech,
		.ctx_len = st->ctx_len,
	};
	size_t total = sizeof(h) + st->ctx_len;
	uint8_t *buf;

	if (total > KSSPI_UPCALL_STATE_MAX)
		return -EMSGSIZE;
	buf = malloc(total);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, &h, sizeof(h));
	if (st->ctx_len)
		memcpy(buf + sizeof(h), st->ctx, st->ctx_len);
	*out = buf;
	*len = total;
	return 0;
}

int kup_state_unpack(const uint8_t *buf, size_t len, struct kup_state *st)
{
	struct state_hdr h;

	memset(st, 0, sizeof(*st));
	if (len < sizeof(h) || len > KSSPI_UPCALL_STATE_MAX)
		return -EBADMSG;
	memcpy(&h, buf, sizeof(h));
	if (h.magic != KUP_STATE_MAGIC || h.version != KUP_STATE_VERSION ||
	    h.reserved || h.ctx_len != len - sizeof(h) ||
	    (h.role != KUP_ROLE_INITIATOR && h.role != KUP_ROLE_ACCEPTOR))
		return -EBADMSG;
	st->role = h.role;
	st->package_id = h.package_id;
	st->next_leg = h.next_leg;
	st->req_flags = h.req_flags;
	st->mech = h.mech;
	st->ctx = h.ctx_len ? buf + sizeof(h) : NULL;
	st->ctx_len = h.ctx_len;
	return 0;
}
