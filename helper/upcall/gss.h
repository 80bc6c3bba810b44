/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksspi-upcall: the GSS-API work of one request (acquire, one leg of
 * initiate or accept), as the already-dropped identity.
 */
#ifndef KSSPI_UPCALL_GSS_H
#define KSSPI_UPCALL_GSS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <krb5.h>

#include "config.h"
#include "proto.h"

/* Everything a response can carry. */
struct kup_result {
	int32_t status;
	uint32_t ret_flags;
	uint32_t major;
	int32_t minor;
	int64_t expiry;
	uint32_t uid;
	uint32_t gid;
	uint32_t level;
	uint32_t enctype;
	gid_t *groups;
	int ngroups;
	uint8_t *output;
	size_t output_len;
	uint8_t *state;
	size_t state_len;
	char *client_name;
	char *server_name;
	char *local_name;
	uint8_t *session_key;
	size_t session_key_len;
	uint8_t *delegated;
	size_t delegated_len;
	int has_lucid;
	struct ksspi_upcall_lucid lucid;
	/* x509 (x509_wire.c): sent only with SEC_E_OK */
	uint8_t *x509_certs;
	size_t x509_certs_len;
	uint8_t *x509_sig;
	size_t x509_sig_len;
	uint32_t x509_sig_alg;
	uint32_t x509_strength;
	char message[256];
};

/* Where the work finds its credentials. */
struct kup_work {
	const struct kup_request *req;
	const struct kup_config *cfg;
	krb5_context kctx;
	/* MEMORY keytab prepared as root for in-kernel users, or NULL. */
	const char *system_keytab;
};

void kup_result_init(struct kup_result *res);
void kup_result_free(struct kup_result *res);
void kup_result_msg(struct kup_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void kup_gss_acquire(const struct kup_work *w, struct kup_result *res);
void kup_gss_initiate(const struct kup_work *w, struct kup_result *res);
void kup_gss_accept(const struct kup_work *w, struct kup_result *res);

uint32_t kup_isc_to_gss(uint32_t isc);
uint32_t kup_gss_to_isc(uint32_t gss);
uint32_t kup_gss_to_asc(uint32_t gss);

#endif
