/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksspi-upcall: certificate -> local account rules (the x509_rules file).
 *
 *   # comment                ; comment
 *   [alice-card]             a rule; name: letters, digits, ._-
 *   priority = 10            lower first (0 = first); rules without one
 *                            come after all that have one, in file order
 *   match = <ISSUER>^CN=ksspi test issuing CA,.*$ && <SAN:upn>@KSSPI\.TEST$
 *   bind  = ski:524CB485B1AD8591BFBD3436776017FCDADB64A3
 *   map   = {upn_short:lower}
 *
 * A rule applies when its match expression holds and, if it has bind
 * lines, one of them names this very certificate or key.  Rules with a
 * bind are strong bindings in the sense of Microsoft KB5014754
 * (issuer+serial, SKI, public-key hash); rules without are weak (they
 * trust names the CA wrote into the certificate).  The first rule that
 * applies, in priority order, gives the account; with require_strong the
 * weak rules are not considered.  See
 * Documentation/admin-guide/ksspi-x509-mapping.rst for the whole syntax.
 *
 * A file with any error is rejected as a whole, with "file:line: why".
 */
#ifndef KSSPI_UPCALL_CERTMAP_H
#define KSSPI_UPCALL_CERTMAP_H

#include <stddef.h>
#include <sys/types.h>
#include <openssl/x509.h>

#define CERTMAP_FILE_MAX	262144	/* bytes of a rules file */
#define CERTMAP_RULES_MAX	1024
#define CERTMAP_NAME_MAX	64	/* rule name, with its NUL */
#define CERTMAP_VALUES_MAX	16	/* SAN values of one type we look at */
#define CERTMAP_VALUE_MAX	256	/* bytes of one value, with its NUL */
#define CERTMAP_DN_MAX		1024
#define CERTMAP_FNAME_MAX	256	/* rules file name in "file:line" */

struct certmap;

/* What the rules can look at, taken from a (validated) leaf certificate. */
struct certmap_cert {
	char issuer[CERTMAP_DN_MAX];	/* RFC 2253 */
	char subject[CERTMAP_DN_MAX];
	char subject_cn[CERTMAP_VALUE_MAX];	/* first CN, "" if none */
	char subject_uid[CERTMAP_VALUE_MAX];	/* first UID (0.9.2342...1) */
	char serial[CERTMAP_VALUE_MAX];	/* upper-case hex, no leading 00 */
	char ski[CERTMAP_VALUE_MAX];	/* upper-case hex, "" if none */
	char pukey_sha256[65];		/* SHA-256(SubjectPublicKeyInfo) hex */
	unsigned int ku;		/* CERTMAP_KU_*; all set if no KU */
	int has_ku;
	unsigned int n_eku;
	char eku[CERTMAP_VALUES_MAX][64];	/* dotted OIDs */
	/* SAN values; a value with a NUL or control byte is left out. */
	unsigned int n_upn, n_rfc822, n_dns, n_uri;
	char upn[CERTMAP_VALUES_MAX][CERTMAP_VALUE_MAX];
	char rfc822[CERTMAP_VALUES_MAX][CERTMAP_VALUE_MAX];
	char dns[CERTMAP_VALUES_MAX][CERTMAP_VALUE_MAX];
	char uri[CERTMAP_VALUES_MAX][CERTMAP_VALUE_MAX];
};

/* RFC 5280 key usage bits, as <KU> names them. */
#define CERTMAP_KU_DIGITAL_SIGNATURE	0x001
#define CERTMAP_KU_NON_REPUDIATION	0x002
#define CERTMAP_KU_KEY_ENCIPHERMENT	0x004
#define CERTMAP_KU_DATA_ENCIPHERMENT	0x008
#define CERTMAP_KU_KEY_AGREEMENT	0x010
#define CERTMAP_KU_KEY_CERT_SIGN	0x020
#define CERTMAP_KU_CRL_SIGN		0x040
#define CERTMAP_KU_ENCIPHER_ONLY	0x080
#define CERTMAP_KU_DECIPHER_ONLY	0x100

#define CERTMAP_OID_UPN		"1.3.6.1.4.1.311.20.2.3"
#define CERTMAP_OID_SCLOGON	"1.3.6.1.4.1.311.20.2.2"
#define CERTMAP_OID_CLIENTAUTH	"1.3.6.1.5.5.7.3.2"

enum certmap_result {
	CERTMAP_OK = 0,
	CERTMAP_NO_MATCH,	/* no rule applies */
	CERTMAP_WEAK_ONLY,	/* only weak rules apply, strong required */
	CERTMAP_BAD_NAME,	/* the rule's template gave no usable name */
};

struct certmap_match {
	char account[256];
	char rule[CERTMAP_NAME_MAX];
	char where[CERTMAP_FNAME_MAX + 16];	/* "file:line" of the rule */
	int strong;
};

int certmap_parse(const char *text, size_t len, const char *fname,
		  struct certmap **out, char *err, size_t errlen);
/* @path must be a regular file owned by @owner, not group/world-writable. */
int certmap_load(const char *path, uid_t owner, struct certmap **out,
		 char *err, size_t errlen);
void certmap_free(struct certmap *m);
unsigned int certmap_count(const struct certmap *m);

int certmap_cert_from_x509(X509 *x, struct certmap_cert *c);

enum certmap_result certmap_find(const struct certmap *m,
				 const struct certmap_cert *c,
				 int require_strong, struct certmap_match *res,
				 char *why, size_t whylen);

/*
 * Read a whole small file that must be owned by @owner and not writable
 * by group or others (config, rules, CA, CRL): malloc()ed, NUL-terminated.
 * -errno, with @err saying why.
 */
int certmap_read_file(const char *path, uid_t owner, size_t max, char **buf,
		      size_t *len, char *err, size_t errlen);

#endif
