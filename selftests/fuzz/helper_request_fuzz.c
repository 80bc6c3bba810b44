// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: ksspi-upcall's decoding of what the kernel sends it
 * (helper/upcall/proto.c): the base64 callout information, the request
 * header and items, and the responses its debug mode reads back.
 *
 * Input: byte 0 selects the path (0 binary request, 1 base64 text then
 * the request, 2 a response, 3 a base64 round trip), the rest is the
 * message.  Beyond memory safety (ASan, UBSan, LeakSanitizer), a request
 * that decodes must satisfy what the rest of the helper relies on: a known
 * operation, a valid uid and gid, strings that kup_string_ok() accepts,
 * tokens and state within their limits and inside the message, the items
 * each operation requires.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ksspi.h>

#include "proto.h"

#ifdef KSSPI_UPCALL_F_LUCID
#define UPCALL_F_LUCID KSSPI_UPCALL_F_LUCID
#else
#define UPCALL_F_LUCID 0
#endif

#define RULE(cond) do {							\
	if (!(cond)) {							\
		fprintf(stderr, "accepted a request breaking: %s\n", #cond); \
		abort();						\
	}								\
} while (0)

static void check_string(const char *s)
{
	if (s)
		RULE(kup_string_ok((const uint8_t *)s, strlen(s)));
}

static void check_bytes(const struct kup_bytes *b, const uint8_t *msg,
			size_t len, uint32_t max)
{
	if (!b->data)
		return;
	RULE(b->len && b->len <= max);
	RULE(b->data >= msg && b->data + b->len <= msg + len);
}

static void request(const uint8_t *msg, size_t len)
{
	struct kup_request req;
	char err[256];

	err[0] = 0;
	if (kup_request_decode(msg, len, &req, err, sizeof(err))) {
		RULE(memchr(err, 0, sizeof(err)));
		return;
	}
	RULE(req.op >= KSSPI_UPCALL_ACQUIRE && req.op <= KSSPI_UPCALL_DONOR);
	RULE(req.uid != (uint32_t)-1 && req.gid != (uint32_t)-1);
	RULE(!(req.flags & ~(KSSPI_UPCALL_F_KERNEL | UPCALL_F_LUCID)));
	RULE(req.leg <= KUP_LEG_MAX);
	RULE(req.ngroups <= KUP_GROUPS_MAX);
	RULE(!req.ngroups || req.groups);
	check_string(req.target);
	check_string(req.principal);
	check_string(req.ccache);
	check_string(req.keytab);
	check_bytes(&req.input, msg, len, KSSPI_TOKEN_MAX);
	check_bytes(&req.state, msg, len, KSSPI_UPCALL_STATE_MAX);
	check_bytes(&req.ccache_data, msg, len, KSSPI_UPCALL_MAX);
	if (req.op == KSSPI_UPCALL_INITIATE)
		RULE(req.target);
	if (req.op == KSSPI_UPCALL_ACCEPT)
		RULE(req.input.data);
	if (req.op == KSSPI_UPCALL_DONOR)
		RULE(!req.target && !req.input.data && !req.state.data);
	kup_request_free(&req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kup_response resp;
	uint8_t *bin = NULL;
	size_t binlen = 0;
	char err[256];
	char *text;

	if (!size || size > KSSPI_UPCALL_MAX * 2)
		return 0;
	switch (data[0] & 3) {
	case 0:
		request(data + 1, size - 1);
		break;
	case 1:
		if (!kup_base64_decode((const char *)data + 1, size - 1, &bin,
				       &binlen)) {
			request(bin, binlen);
			free(bin);
		}
		break;
	case 2:
		if (!kup_response_decode(data + 1, size - 1, &resp, err,
					 sizeof(err)))
			RULE(resp.hdr.hdr.size == size - 1);
		break;
	default:
		/* What the helper encodes, it decodes back to the same bytes. */
		if (size == 1)
			break;	/* an empty message is never sent */
		text = kup_base64_encode(data + 1, size - 1);
		if (!text)
			break;
		RULE(!kup_base64_decode(text, strlen(text), &bin, &binlen));
		RULE(binlen == size - 1 && !memcmp(bin, data + 1, binlen));
		free(bin);
		free(text);
		break;
	}
	return 0;
}
