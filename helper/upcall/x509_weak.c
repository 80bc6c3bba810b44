// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall: weak stand-ins for the certificate logic of x509.h until
 * x509.c is merged; its definitions replace these at link time.  Every
 * operation answers SEC_E_UNSUPPORTED_FUNCTION.
 */
#include <string.h>
#include <stdio.h>

#include "x509.h"

#define WEAK __attribute__((weak))

WEAK int32_t kx509_logon(const struct kup_config *cfg,
			 const struct kx509_logon_in *in,
			 struct kx509_logon_out *out, char *msg, size_t msglen)
{
	(void)cfg;
	(void)in;
	memset(out, 0, sizeof(*out));
	snprintf(msg, msglen, "x509 logon not built in");
	return SEC_E_UNSUPPORTED_FUNCTION;
}

WEAK void kx509_logon_out_free(struct kx509_logon_out *out)
{
	(void)out;
}

WEAK int32_t kx509_sign(const char *key_path, unsigned int sig_alg,
			const unsigned char *tbs, size_t tbs_len,
			unsigned char *sig, size_t *sig_len,
			char *msg, size_t msglen)
{
	(void)key_path;
	(void)sig_alg;
	(void)tbs;
	(void)tbs_len;
	(void)sig;
	(void)sig_len;
	snprintf(msg, msglen, "x509 signing not built in");
	return SEC_E_UNSUPPORTED_FUNCTION;
}

WEAK int32_t kx509_check_key(const char *key_path,
			     const struct kx509_chain *chain,
			     char *msg, size_t msglen)
{
	(void)key_path;
	(void)chain;
	snprintf(msg, msglen, "x509 not built in");
	return SEC_E_UNSUPPORTED_FUNCTION;
}

WEAK int32_t kx509_load_chain(const char *chain_path, struct kx509_chain *out,
			      char *msg, size_t msglen)
{
	(void)chain_path;
	memset(out, 0, sizeof(*out));
	snprintf(msg, msglen, "x509 not built in");
	return SEC_E_UNSUPPORTED_FUNCTION;
}

WEAK void kx509_chain_free(struct kx509_chain *chain)
{
	(void)chain;
}

WEAK int32_t kx509_default_sig_alg(const struct kx509_chain *chain,
				   unsigned int *sig_alg)
{
	(void)chain;
	*sig_alg = 0;
	return SEC_E_UNSUPPORTED_FUNCTION;
}
