/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksspi-upcall: the wire format of uapi/linux/ksspi_upcall.h -- decoding
 * and validating requests, building responses (and, for the debug mode,
 * the reverse of both).
 */
#ifndef KSSPI_UPCALL_PROTO_H
#define KSSPI_UPCALL_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <linux/ksspi_upcall.h>

/* A byte range inside a decoded message (not owned). */
struct kup_bytes {
	const uint8_t *data;
	uint32_t len;
};

/*
 * A request that parsed and validated.  Strings are NUL-terminated copies
 * (or NULL when absent); byte items point into the message, which must
 * outlive the request.
 */
struct kup_request {
	uint16_t op;
	uint32_t flags;
	uint64_t id;
	uint64_t context_id;
	uint32_t package_id;
	uint32_t leg;
	uint32_t req_flags;
	uint32_t cred_use;
	uint32_t uid;
	uint32_t gid;
	int64_t now;
	uint32_t *groups;	/* owned copy */
	size_t ngroups;
	int has_groups;
	char *target;
	char *principal;
	char *ccache;
	char *keytab;
	struct kup_bytes input;
	struct kup_bytes state;
	struct kup_bytes ccache_data;
	/* x509 (ops 5-7): see uapi/linux/ksspi_upcall.h */
	struct kup_bytes x509_certs;
	struct kup_bytes x509_tbs;
	struct kup_bytes x509_sig;
	uint32_t x509_sig_alg;	/* 0: absent */
	char *x509_key_path;
	char *x509_chain_path;
	int x509_proven;
	uint32_t items_seen;	/* bit n: item type n was present */
};

/* A growable message being built. */
struct kup_msg {
	uint8_t *buf;
	size_t len;
	size_t cap;
	int failed;		/* allocation failed or too big */
};

/* A response as the debug mode reads it back. */
struct kup_response {
	struct ksspi_upcall_response hdr;
	struct kup_bytes items[32];	/* by type, 0..31 */
	uint32_t items_seen;
};

/* Largest leg number accepted (SPNEGO with krb5 needs at most 3). */
#define KUP_LEG_MAX		16
/* Most supplementary groups in a request or response. */
#define KUP_GROUPS_MAX		65536

int kup_base64_decode(const char *in, size_t inlen, uint8_t **out,
		      size_t *outlen);
char *kup_base64_encode(const uint8_t *in, size_t len);

int kup_request_decode(const uint8_t *msg, size_t len,
		       struct kup_request *req, char *err, size_t errlen);
void kup_request_free(struct kup_request *req);

void kup_msg_init(struct kup_msg *m, size_t hdrsize);
void kup_msg_item(struct kup_msg *m, uint16_t type, const void *data,
		  size_t len);
int kup_msg_finish(struct kup_msg *m, uint16_t op, uint32_t flags);
void kup_msg_free(struct kup_msg *m);

int kup_response_decode(const uint8_t *msg, size_t len,
			struct kup_response *resp, char *err, size_t errlen);

int kup_string_ok(const uint8_t *s, size_t len);
const char *kup_op_name(unsigned int op);
const char *kup_package_name(unsigned int id);

#endif
