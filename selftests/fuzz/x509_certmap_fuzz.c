// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the certificate mapping rules parser
 * (helper/upcall/certmap.c, certmap_parse()) and the matcher.  The input
 * is the rules file's text.  A refused file leaves a terminated
 * "rules:LINE: why" message and no rules; an accepted one is run against
 * a certificate with one value of every kind, and whatever account it
 * yields must be a safe account name.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certmap.h"

#define RULE(cond) do {							\
	if (!(cond)) {							\
		fprintf(stderr, "certmap broke a rule: %s\n", #cond);	\
		abort();						\
	}								\
} while (0)

static void cert(struct certmap_cert *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->issuer, "CN=ksspi test issuing CA,O=ksspi test,DC=ksspi,DC=test");
	strcpy(c->subject, "CN=alice,O=ksspi test,DC=ksspi,DC=test");
	strcpy(c->subject_cn, "alice");
	strcpy(c->subject_uid, "alice.u");
	strcpy(c->serial, "2000");
	strcpy(c->ski, "524CB485B1AD8591BFBD3436776017FCDADB64A3");
	strcpy(c->pukey_sha256,
	       "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF");
	c->has_ku = 1;
	c->ku = CERTMAP_KU_DIGITAL_SIGNATURE;
	c->n_eku = 1;
	strcpy(c->eku[0], CERTMAP_OID_CLIENTAUTH);
	c->n_upn = 1;
	strcpy(c->upn[0], "alice@KSSPI.TEST");
	c->n_rfc822 = 1;
	strcpy(c->rfc822[0], "alice@ksspi.test");
	c->n_dns = 1;
	strcpy(c->dns[0], "alice.ksspi.test");
	c->n_uri = 1;
	strcpy(c->uri[0], "https://ksspi.test/alice");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct certmap_match res;
	struct certmap_cert c;
	struct certmap *m = NULL;
	enum certmap_result r;
	char err[256], why[512];
	const char *p;
	int ret, strong;

	memset(err, 'x', sizeof(err));
	ret = certmap_parse((const char *)data, size, "rules", &m, err,
			    sizeof(err));
	if (ret) {
		RULE(ret == -EINVAL || ret == -ENOMEM);
		RULE(!m);
		RULE(ret == -ENOMEM || memchr(err, 0, sizeof(err)));
		RULE(ret == -ENOMEM || !strncmp(err, "rules:", 6));
		return 0;
	}
	RULE(m);
	RULE(certmap_count(m) <= CERTMAP_RULES_MAX);
	cert(&c);
	for (strong = 0; strong < 2; strong++) {
		r = certmap_find(m, &c, strong, &res, why, sizeof(why));
		RULE(memchr(why, 0, sizeof(why)));
		if (r != CERTMAP_OK) {
			RULE(r == CERTMAP_NO_MATCH || r == CERTMAP_WEAK_ONLY ||
			     r == CERTMAP_BAD_NAME);
			RULE(!res.account[0]);
			continue;
		}
		RULE(!strong || res.strong);
		RULE(res.account[0] && res.account[0] != '-' &&
		     res.account[0] != '.');
		for (p = res.account; *p; p++)
			RULE((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || strchr("._-@", *p));
	}
	certmap_free(m);
	return 0;
}
