// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall unit tests: certificate logon (x509.c) against a test PKI
 * that selftests/x509/mkcerts makes once per run: chain validation and
 * each way it fails, the proof-of-possession signature for each
 * algorithm, mapping through a rules file to this host's accounts, the
 * initiator's key and chain loading.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "kselftest_harness.h"
#include "certmap.h"
#include "config.h"
#include "x509.h"
#include "x509_debug.h"

static char pki[64];		/* made by the constructor, once */
static int pki_ok;

__attribute__((constructor)) static void pki_make(void)
{
	const char *mk = getenv("KSSPI_X509_MKCERTS");
	char cmd[256];

	if (!mk)
		mk = "selftests/x509/mkcerts";
	strcpy(pki, "/tmp/ksspi-x509-unit-XXXXXX");
	if (!mkdtemp(pki))
		return;
	snprintf(cmd, sizeof(cmd), "%s %s >/dev/null 2>&1", mk, pki);
	pki_ok = system(cmd) == 0;
}

__attribute__((destructor)) static void pki_remove(void)
{
	char cmd[128];

	if (pki[0] && strncmp(pki, "/tmp/ksspi-x509-unit-", 21) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", pki);
		if (system(cmd))
			pki[0] = '\0';
	}
}

static void pki_path(char *dst, size_t size, const char *name)
{
	snprintf(dst, size, "%s/%s", pki, name);
}

FIXTURE(x509)
{
	struct kup_config cfg;
	char rules[128];
	char msg[1024];
	struct kx509_chain chain;
	unsigned char sig[KX509_SIG_MAX];
	struct kx509_logon_in in;
	struct kx509_logon_out out;
};

static void write_rules(struct __test_metadata *_metadata,
			FIXTURE_DATA(x509) *self, const char *text)
{
	FILE *f = fopen(self->rules, "w");

	ASSERT_NE(NULL, f);
	fputs(text, f);
	ASSERT_EQ(0, fclose(f));
	ASSERT_EQ(0, chmod(self->rules, 0644));
}

static void pki_setup(struct __test_metadata *_metadata,
		       FIXTURE_DATA(x509) *self)
{
	if (!pki_ok)
		SKIP(return, "selftests/x509/mkcerts failed (openssl missing?)");
	kup_config_defaults(&self->cfg);
	self->cfg.file_owner = getuid();
	pki_path(self->cfg.x509_ca, sizeof(self->cfg.x509_ca), "ca-bundle.pem");
	snprintf(self->rules, sizeof(self->rules), "%s/rules-%d", pki,
		 (int)getpid());
	strcpy(self->cfg.x509_rules, self->rules);
	write_rules(_metadata, self,
		    "# alice's and bob's certificates map to nobody\n"
		    "[by-upn]\n"
		    "match = <SAN:upn>^(alice|bob)@KSSPI\\.TEST$ && <EKU>clientAuth\n"
		    "map = nobody\n"
		    "[smartcard]\n"
		    "match = <EKU>smartcardLogon\n"
		    "map = nobody\n"
		    "[root-by-template]\n"
		    "match = <SAN:upn>^root@\n"
		    "map = {upn_short}\n");
	memset(&self->chain, 0, sizeof(self->chain));
	memset(&self->out, 0, sizeof(self->out));
}

static void pki_teardown(FIXTURE_DATA(x509) *self)
{
	kx509_chain_free(&self->chain);
	kx509_logon_out_free(&self->out);
	if (self->rules[0])
		unlink(self->rules);
}

FIXTURE_SETUP(x509)
{
	pki_setup(_metadata, self);
}

FIXTURE_TEARDOWN(x509)
{
	pki_teardown(self);
}

/* Load NAME.chain.pem, sign a challenge with NAME.key.pem, log on. */
static int32_t logon_alg(struct __test_metadata *_metadata,
			 FIXTURE_DATA(x509) *self, const char *name,
			 unsigned int alg)
{
	static const unsigned char tbs[] = "ksspi x509 challenge: target=host/server nonce=0123456789abcdef";
	char path[128], key[128];
	size_t siglen = sizeof(self->sig);
	int32_t st;

	snprintf(path, sizeof(path), "%s/%s.chain.pem", pki, name);
	snprintf(key, sizeof(key), "%s/%s.key.pem", pki, name);
	kx509_chain_free(&self->chain);
	st = kx509_load_chain(path, &self->chain, self->msg, sizeof(self->msg));
	EXPECT_EQ(SEC_E_OK, st) TH_LOG("%s", self->msg);
	if (!alg)
		EXPECT_EQ(SEC_E_OK, kx509_default_sig_alg(&self->chain, &alg));
	st = kx509_sign(key, alg, tbs, sizeof(tbs) - 1, self->sig, &siglen,
			self->msg, sizeof(self->msg));
	EXPECT_EQ(SEC_E_OK, st) TH_LOG("%s", self->msg);
	memset(&self->in, 0, sizeof(self->in));
	self->in.chain = self->chain;
	self->in.tbs = tbs;
	self->in.tbs_len = sizeof(tbs) - 1;
	self->in.sig = self->sig;
	self->in.sig_len = siglen;
	self->in.sig_alg = alg;
	kx509_logon_out_free(&self->out);
	st = kx509_logon(&self->cfg, &self->in, &self->out, self->msg,
			 sizeof(self->msg));
	TH_LOG("%s: %#x %s", name, (unsigned int)st, self->msg);
	return st;
}

static int32_t logon(struct __test_metadata *_metadata,
		     FIXTURE_DATA(x509) *self, const char *name)
{
	return logon_alg(_metadata, self, name, 0);
}

static int32_t relogon(FIXTURE_DATA(x509) *self)
{
	kx509_logon_out_free(&self->out);
	return kx509_logon(&self->cfg, &self->in, &self->out, self->msg,
			   sizeof(self->msg));
}

/* Good chains, each signature algorithm. */

FIXTURE(good)
{
	FIXTURE_DATA(x509) x;
};

FIXTURE_VARIANT(good)
{
	const char *name;
	unsigned int alg;
};

FIXTURE_VARIANT_ADD(good, rsa_pkcs1) { "alice-rsa", KX509_SIG_RSA_PKCS1_SHA256 };
FIXTURE_VARIANT_ADD(good, rsa_pss) { "alice-rsa", KX509_SIG_RSA_PSS_SHA256 };
FIXTURE_VARIANT_ADD(good, ec_p256) { "alice-ec", KX509_SIG_ECDSA_SHA256 };
FIXTURE_VARIANT_ADD(good, ec_p384) { "alice-p384", KX509_SIG_ECDSA_SHA256 };
FIXTURE_VARIANT_ADD(good, bob_rsa) { "bob-rsa", KX509_SIG_RSA_PKCS1_SHA256 };
FIXTURE_VARIANT_ADD(good, bob_ec) { "bob-ec", KX509_SIG_ECDSA_SHA256 };

FIXTURE_SETUP(good)
{
	pki_setup(_metadata, &self->x);
}

FIXTURE_TEARDOWN(good)
{
	pki_teardown(&self->x);
}

TEST_F(good, chain)
{
	FIXTURE_DATA(x509) *x = &self->x;
	struct passwd *pw = getpwnam("nobody");

	if (!pw)
		SKIP(return, "no 'nobody' account on this host");
	ASSERT_EQ(SEC_E_OK, logon_alg(_metadata, x, variant->name,
				      variant->alg));
	EXPECT_EQ(pw->pw_uid, x->out.uid);
	EXPECT_EQ(pw->pw_gid, x->out.gid);
	EXPECT_STREQ("nobody", x->out.account);
	EXPECT_STREQ("by-upn", x->out.rule);
	EXPECT_EQ(KX509_WEAK, x->out.strength);
	ASSERT_GE(x->out.ngroups, 1);
	EXPECT_EQ(pw->pw_gid, x->out.groups[0]);
	EXPECT_NE(NULL, strstr(x->out.subject, "CN=")) TH_LOG("%s", x->out.subject);
	EXPECT_NE(NULL, strstr(x->out.subject, ",O=ksspi test,"));

	/* the same signature over other bytes, or by a changed signature */
	x->in.tbs_len--;
	EXPECT_EQ(SEC_E_LOGON_DENIED, relogon(x));
	x->in.tbs_len++;
	x->sig[x->in.sig_len / 2] ^= 0x10;
	EXPECT_EQ(SEC_E_LOGON_DENIED, relogon(x)) TH_LOG("%s", x->msg);
	x->sig[x->in.sig_len / 2] ^= 0x10;
	EXPECT_EQ(SEC_E_OK, relogon(x));
	/* the kernel-proven path needs no signature at all */
	x->in.sig = NULL;
	x->in.sig_len = 0;
	EXPECT_EQ(SEC_E_LOGON_DENIED, relogon(x));
	x->in.possession_proven = 1;
	EXPECT_EQ(SEC_E_OK, relogon(x));
	EXPECT_NE(NULL, strstr(x->msg, "possession proven"));
}

/* Each validation failure (variant-independent: run once per variant). */

TEST_F(x509, expired)
{
	EXPECT_EQ(SEC_E_CERT_EXPIRED, logon(_metadata, self, "expired"));
	EXPECT_NE(NULL, strstr(self->msg, "expired")) TH_LOG("%s", self->msg);
	EXPECT_EQ(SEC_E_CERT_EXPIRED, logon(_metadata, self, "notyet"));
	EXPECT_NE(NULL, strstr(self->msg, "not yet valid"));
	EXPECT_EQ(0, self->out.uid);
	EXPECT_STREQ("", self->out.account);
}

TEST_F(x509, wrong_usage)
{
	EXPECT_EQ(SEC_E_CERT_WRONG_USAGE, logon(_metadata, self, "wrongeku"));
	EXPECT_NE(NULL, strstr(self->msg, "clientAuth"));
	EXPECT_EQ(SEC_E_CERT_WRONG_USAGE, logon(_metadata, self, "noku"));
	EXPECT_NE(NULL, strstr(self->msg, "digitalSignature"));
	/* Microsoft smartcard logon EKU: accepted unless turned off */
	if (getpwnam("nobody"))
		EXPECT_EQ(SEC_E_OK, logon(_metadata, self, "smartcard"));
	EXPECT_STREQ(getpwnam("nobody") ? "smartcard" : "", self->out.rule);
	self->cfg.x509_smartcard_eku = 0;
	EXPECT_EQ(SEC_E_CERT_WRONG_USAGE, logon(_metadata, self, "smartcard"));
}

TEST_F(x509, untrusted)
{
	EXPECT_EQ(SEC_E_UNTRUSTED_ROOT, logon(_metadata, self, "unknownca"));
	/* the intermediate alone is no anchor for a chain without it */
	pki_path(self->cfg.x509_ca, sizeof(self->cfg.x509_ca), "other.pem");
	EXPECT_EQ(SEC_E_UNTRUSTED_ROOT, logon(_metadata, self, "alice-ec"));
}

TEST_F(x509, revoked)
{
	/* without CRLs nothing is known about revocation */
	if (getpwnam("nobody"))
		EXPECT_EQ(SEC_E_OK, logon(_metadata, self, "revoked"));
	pki_path(self->cfg.x509_crl, sizeof(self->cfg.x509_crl), "crl.pem");
	EXPECT_EQ(CRYPT_E_REVOKED, logon(_metadata, self, "revoked"));
	EXPECT_NE(NULL, strstr(self->msg, "revoked"));
	if (getpwnam("nobody"))
		EXPECT_EQ(SEC_E_OK, logon(_metadata, self, "alice-rsa"));
	/* CRL checking on: a CA of the chain without a CRL fails closed */
	self->cfg.x509_max_chain = 16;
	EXPECT_EQ(SEC_E_CERT_UNKNOWN, logon(_metadata, self, "long"));
	EXPECT_NE(NULL, strstr(self->msg, "no CRL"));
	/* a CRL file with no CRL in it is a configuration error */
	strcpy(self->cfg.x509_crl, self->cfg.x509_ca);
	EXPECT_EQ(SEC_E_NO_AUTHENTICATING_AUTHORITY,
		  logon(_metadata, self, "alice-rsa"));
}

TEST_F(x509, tampered)
{
	EXPECT_EQ(SEC_E_CERT_UNKNOWN, logon(_metadata, self, "tampered"));
	EXPECT_NE(NULL, strstr(self->msg, "signature")) TH_LOG("%s", self->msg);
}

TEST_F(x509, long_chain)
{
	EXPECT_EQ(SEC_E_CERT_UNKNOWN, logon(_metadata, self, "long"));
	EXPECT_NE(NULL, strstr(self->msg, "x509_max_chain"));
	EXPECT_EQ(13, self->chain.n);
	self->cfg.x509_max_chain = 13;
	/* 13 presented, 14 with the root: still too long */
	EXPECT_EQ(SEC_E_CERT_UNKNOWN, logon(_metadata, self, "long"));
	self->cfg.x509_max_chain = 14;
	if (getpwnam("nobody"))
		EXPECT_EQ(SEC_E_OK, logon(_metadata, self, "long"));
}

TEST_F(x509, garbage_der)
{
	static const unsigned char junk[] = { 0x30, 0x82, 0xff, 0xff, 0x01 };
	unsigned char big[KX509_CERT_MAX + 1], *copy;
	size_t len;

	/* a valid request to start from (mapped or not) */
	logon(_metadata, self, "alice-ec");
	/* garbage, truncated, trailing bytes, too big, empty, too many */
	self->in.chain.der[0] = junk;
	self->in.chain.len[0] = sizeof(junk);
	EXPECT_EQ(SEC_E_CERT_UNKNOWN, relogon(self));
	EXPECT_NE(NULL, strstr(self->msg, "DER"));
	len = self->chain.len[0];
	self->in.chain.der[0] = self->chain.der[0];
	self->in.chain.len[0] = len - 1;
	EXPECT_EQ(SEC_E_CERT_UNKNOWN, relogon(self));
	copy = malloc(len + 1);
	ASSERT_NE(NULL, copy);
	memcpy(copy, self->chain.der[0], len);
	copy[len] = 0;
	self->in.chain.der[0] = copy;
	self->in.chain.len[0] = len + 1;
	EXPECT_EQ(SEC_E_CERT_UNKNOWN, relogon(self));
	free(copy);
	memset(big, 0x30, sizeof(big));
	self->in.chain.der[0] = big;
	self->in.chain.len[0] = sizeof(big);
	EXPECT_EQ(SEC_E_CERT_UNKNOWN, relogon(self));
	self->in.chain.der[0] = self->chain.der[0];
	self->in.chain.len[0] = 0;
	EXPECT_EQ(SEC_E_CERT_UNKNOWN, relogon(self));
	self->in.chain.len[0] = len;
	/* a garbage intermediate */
	self->in.chain.der[1] = junk;
	self->in.chain.len[1] = sizeof(junk);
	EXPECT_EQ(SEC_E_CERT_UNKNOWN, relogon(self));
	self->in.chain.n = 0;
	EXPECT_EQ(SEC_E_CERT_UNKNOWN, relogon(self));
	self->in.chain.n = KX509_CHAIN_MAX + 1;
	EXPECT_EQ(SEC_E_CERT_UNKNOWN, relogon(self));
}

TEST_F(x509, huge_chain)
{
	unsigned int i;

	if (logon(_metadata, self, "alice-ec") != SEC_E_OK)
		SKIP(return, "no 'nobody' account on this host");
	/* 16 copies of the intermediate: never more than x509_max_chain */
	self->cfg.x509_max_chain = 16;
	for (i = 1; i < KX509_CHAIN_MAX; i++) {
		self->in.chain.der[i] = self->chain.der[1];
		self->in.chain.len[i] = self->chain.len[1];
	}
	self->in.chain.n = KX509_CHAIN_MAX;
	EXPECT_EQ(SEC_E_OK, relogon(self)) TH_LOG("%s", self->msg);
	self->cfg.x509_max_chain = 6;
	EXPECT_EQ(SEC_E_CERT_UNKNOWN, relogon(self));
}

/* Configuration of the trust anchors. */

TEST_F(x509, anchors)
{
	char path[128];

	self->cfg.x509_ca[0] = '\0';
	EXPECT_EQ(SEC_E_NO_AUTHENTICATING_AUTHORITY,
		  logon(_metadata, self, "alice-rsa"));
	EXPECT_NE(NULL, strstr(self->msg, "x509_ca"));
	/* a directory of anchors (any *.pem, no c_rehash) */
	snprintf(path, sizeof(path), "%s/anchors", pki);
	mkdir(path, 0755);
	snprintf(self->msg, sizeof(self->msg), "cp %s/root.pem %s/anchors/root.pem",
		 pki, pki);
	ASSERT_EQ(0, system(self->msg));
	strcpy(self->cfg.x509_ca_dir, path);
	if (getpwnam("nobody"))
		EXPECT_EQ(SEC_E_OK, logon(_metadata, self, "alice-rsa"));
	chmod(path, 0777);
	EXPECT_EQ(SEC_E_NO_AUTHENTICATING_AUTHORITY,
		  logon(_metadata, self, "alice-rsa"));
	EXPECT_NE(NULL, strstr(self->msg, "writable"));
	chmod(path, 0755);
	self->cfg.x509_ca_dir[0] = '\0';
	/* missing, group-writable, not owned by the owner, not PEM */
	pki_path(self->cfg.x509_ca, sizeof(self->cfg.x509_ca), "missing.pem");
	EXPECT_EQ(SEC_E_NO_AUTHENTICATING_AUTHORITY,
		  logon(_metadata, self, "alice-rsa"));
	pki_path(self->cfg.x509_ca, sizeof(self->cfg.x509_ca), "ca-bundle.pem");
	chmod(self->cfg.x509_ca, 0664);
	EXPECT_EQ(SEC_E_NO_AUTHENTICATING_AUTHORITY,
		  logon(_metadata, self, "alice-rsa"));
	chmod(self->cfg.x509_ca, 0644);
	self->cfg.file_owner = getuid() + 1;
	EXPECT_EQ(SEC_E_NO_AUTHENTICATING_AUTHORITY,
		  logon(_metadata, self, "alice-rsa"));
	self->cfg.file_owner = getuid();
	pki_path(self->cfg.x509_ca, sizeof(self->cfg.x509_ca), "alice-rsa.key.der");
	EXPECT_EQ(SEC_E_NO_AUTHENTICATING_AUTHORITY,
		  logon(_metadata, self, "alice-rsa"));
}

/* Mapping at logon time. */

TEST_F(x509, maps_to_root)
{
	EXPECT_EQ(SEC_E_LOGON_DENIED, logon(_metadata, self, "root-leaf"));
	EXPECT_NE(NULL, strstr(self->msg, "allow_root")) TH_LOG("%s", self->msg);
	EXPECT_NE(NULL, strstr(self->msg, "root-by-template"));
	EXPECT_EQ(0, self->out.ngroups);
	self->cfg.allow_root = 1;
	EXPECT_EQ(SEC_E_OK, logon(_metadata, self, "root-leaf"));
	EXPECT_EQ(0, self->out.uid);
	EXPECT_STREQ("root", self->out.account);
}

TEST_F(x509, require_strong)
{
	struct certmap_cert facts;
	const unsigned char *p;
	char text[512];
	X509 *x;

	self->cfg.x509_require_strong = 1;
	EXPECT_EQ(SEC_E_LOGON_DENIED, logon(_metadata, self, "alice-ec"));
	EXPECT_NE(NULL, strstr(self->msg, "weak")) TH_LOG("%s", self->msg);

	/* a binding by SKI of this very certificate is strong */
	p = self->chain.der[0];
	x = d2i_X509(NULL, &p, (long)self->chain.len[0]);
	ASSERT_NE(NULL, x);
	ASSERT_EQ(0, certmap_cert_from_x509(x, &facts));
	X509_free(x);
	snprintf(text, sizeof(text),
		 "[weak]\npriority = 1\nmatch = <SUBJECT>CN=alice\nmap = nobody\n"
		 "[alice-ski]\npriority = 2\nbind = ski:%s\nmap = nobody\n",
		 facts.ski);
	write_rules(_metadata, self, text);
	if (!getpwnam("nobody"))
		SKIP(return, "no 'nobody' account on this host");
	EXPECT_EQ(SEC_E_OK, relogon(self)) TH_LOG("%s", self->msg);
	EXPECT_EQ(KX509_STRONG, self->out.strength);
	EXPECT_STREQ("alice-ski", self->out.rule);
	/* without the policy the weak rule comes first */
	self->cfg.x509_require_strong = 0;
	EXPECT_EQ(SEC_E_OK, relogon(self));
	EXPECT_EQ(KX509_WEAK, self->out.strength);
	EXPECT_STREQ("weak", self->out.rule);
	/* the other P-256 leaf of alice has another key: no strong binding */
	self->cfg.x509_require_strong = 1;
	EXPECT_EQ(SEC_E_LOGON_DENIED, logon(_metadata, self, "revoked"));
}

TEST_F(x509, rules_file)
{
	/* no rules: valid, but nobody to map to */
	self->cfg.x509_rules[0] = '\0';
	EXPECT_EQ(SEC_E_LOGON_DENIED, logon(_metadata, self, "alice-rsa"));
	EXPECT_NE(NULL, strstr(self->msg, "x509_rules"));
	/* a bad file is rejected whole, with file:line */
	strcpy(self->cfg.x509_rules, self->rules);
	write_rules(_metadata, self, "[ok]\nmatch = <SUBJECT>.\nmap = nobody\n"
				     "[bad]\nmatch = <SUBJECT>(\nmap = nobody\n");
	EXPECT_EQ(SEC_E_NO_AUTHENTICATING_AUTHORITY,
		  logon(_metadata, self, "alice-rsa"));
	snprintf(self->msg + 512, 256, "%s:5:", self->rules);
	EXPECT_NE(NULL, strstr(self->msg, self->msg + 512));
	/* an unsafe file */
	write_rules(_metadata, self, "[ok]\nmatch = <SUBJECT>.\nmap = nobody\n");
	chmod(self->rules, 0666);
	EXPECT_EQ(SEC_E_NO_AUTHENTICATING_AUTHORITY,
		  logon(_metadata, self, "alice-rsa"));
	/* no rule matches; the rule names an account that does not exist */
	write_rules(_metadata, self, "[x]\nmatch = <SUBJECT>CN=carol\nmap = nobody\n"
				     "[y]\nmatch = <SUBJECT>CN=alice\nmap = ksspi-no-such-user\n");
	EXPECT_EQ(SEC_E_LOGON_DENIED, logon(_metadata, self, "bob-rsa"));
	EXPECT_NE(NULL, strstr(self->msg, "no rule"));
	EXPECT_EQ(SEC_E_LOGON_DENIED, logon(_metadata, self, "alice-rsa"));
	EXPECT_NE(NULL, strstr(self->msg, "ksspi-no-such-user"));
}

/* Signatures of the wrong kind. */

TEST_F(x509, signature_mismatch)
{
	char key[128];
	size_t siglen = sizeof(self->sig);

	if (logon(_metadata, self, "alice-rsa") != SEC_E_OK)
		SKIP(return, "no 'nobody' account on this host");
	/* bob's key over alice's challenge */
	snprintf(key, sizeof(key), "%s/bob-rsa.key.pem", pki);
	ASSERT_EQ(SEC_E_OK, kx509_sign(key, KX509_SIG_RSA_PKCS1_SHA256,
				       self->in.tbs, self->in.tbs_len, self->sig,
				       &siglen, self->msg, sizeof(self->msg)));
	self->in.sig_len = siglen;
	EXPECT_EQ(SEC_E_LOGON_DENIED, relogon(self));
	/* PKCS#1 signature announced as PSS, an ECDSA alg for an RSA key */
	self->in.sig_alg = KX509_SIG_RSA_PSS_SHA256;
	EXPECT_EQ(SEC_E_LOGON_DENIED, relogon(self));
	self->in.sig_alg = KX509_SIG_ECDSA_SHA256;
	EXPECT_EQ(SEC_E_ALGORITHM_MISMATCH, relogon(self));
	self->in.sig_alg = 77;
	EXPECT_EQ(SEC_E_ALGORITHM_MISMATCH, relogon(self));
	self->in.sig_alg = KX509_SIG_RSA_PKCS1_SHA256;
	self->in.sig_len = KX509_SIG_MAX + 1;
	EXPECT_EQ(SEC_E_LOGON_DENIED, relogon(self));
	self->in.sig_len = siglen;
	self->in.tbs_len = KX509_TBS_MAX + 1;
	EXPECT_EQ(SEC_E_LOGON_DENIED, relogon(self));
}

/* The initiator's side. */

TEST_F(x509, sign_and_keys)
{
	static const unsigned char tbs[] = "challenge";
	char key[128], der[128], bad[128];
	size_t siglen = 8;

	snprintf(key, sizeof(key), "%s/alice-rsa.key.pem", pki);
	snprintf(der, sizeof(der), "%s/alice-rsa.key.der", pki);
	snprintf(bad, sizeof(bad), "%s/alice-rsa.pem", pki);
	EXPECT_EQ(SEC_E_BUFFER_TOO_SMALL,
		  kx509_sign(key, KX509_SIG_RSA_PKCS1_SHA256, tbs, 9, self->sig,
			     &siglen, self->msg, sizeof(self->msg)));
	EXPECT_EQ(256, siglen);
	/* the PKCS#8 DER key (the one for the kernel keyring) signs too */
	EXPECT_EQ(SEC_E_OK, kx509_sign(der, KX509_SIG_RSA_PSS_SHA256, tbs, 9,
				       self->sig, &siglen, self->msg,
				       sizeof(self->msg))) TH_LOG("%s", self->msg);
	EXPECT_EQ(SEC_E_NO_CREDENTIALS,
		  kx509_sign("/nonexistent/key", KX509_SIG_RSA_PKCS1_SHA256, tbs,
			     9, self->sig, &siglen, self->msg, sizeof(self->msg)));
	EXPECT_EQ(SEC_E_UNKNOWN_CREDENTIALS,
		  kx509_sign(bad, KX509_SIG_RSA_PKCS1_SHA256, tbs, 9, self->sig,
			     &siglen, self->msg, sizeof(self->msg)));
	EXPECT_EQ(SEC_E_ALGORITHM_MISMATCH,
		  kx509_sign(key, KX509_SIG_ECDSA_SHA256, tbs, 9, self->sig,
			     &siglen, self->msg, sizeof(self->msg)));
	EXPECT_EQ(SEC_E_INVALID_PARAMETER,
		  kx509_sign(key, KX509_SIG_RSA_PKCS1_SHA256, tbs, 0, self->sig,
			     &siglen, self->msg, sizeof(self->msg)));

	/* the key must be the leaf's */
	snprintf(bad, sizeof(bad), "%s/alice-rsa.chain.pem", pki);
	ASSERT_EQ(SEC_E_OK, kx509_load_chain(bad, &self->chain, self->msg,
					     sizeof(self->msg)));
	EXPECT_EQ(2, self->chain.n);
	EXPECT_EQ(SEC_E_OK, kx509_check_key(key, &self->chain, self->msg,
					    sizeof(self->msg)));
	EXPECT_EQ(SEC_E_OK, kx509_check_key(der, &self->chain, self->msg,
					    sizeof(self->msg)));
	snprintf(bad, sizeof(bad), "%s/bob-rsa.key.pem", pki);
	EXPECT_EQ(SEC_E_UNKNOWN_CREDENTIALS,
		  kx509_check_key(bad, &self->chain, self->msg, sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, "not the private key"));
	snprintf(bad, sizeof(bad), "%s/alice-ec.key.pem", pki);
	EXPECT_EQ(SEC_E_UNKNOWN_CREDENTIALS,
		  kx509_check_key(bad, &self->chain, self->msg, sizeof(self->msg)));
}

TEST_F(x509, load_chain)
{
	char path[128];

	EXPECT_EQ(SEC_E_NO_CREDENTIALS,
		  kx509_load_chain("/nonexistent/chain.pem", &self->chain,
				   self->msg, sizeof(self->msg)));
	EXPECT_EQ(0, self->chain.n);
	pki_path(path, sizeof(path), "alice-rsa.key.pem");
	EXPECT_EQ(SEC_E_UNKNOWN_CREDENTIALS,
		  kx509_load_chain(path, &self->chain, self->msg,
				   sizeof(self->msg)));
	pki_path(path, sizeof(path), "long.chain.pem");
	EXPECT_EQ(SEC_E_OK, kx509_load_chain(path, &self->chain, self->msg,
					     sizeof(self->msg)));
	EXPECT_EQ(13, self->chain.n);
	kx509_chain_free(&self->chain);
	/* one DER certificate */
	pki_path(path, sizeof(path), "der.cer");
	snprintf(self->msg, sizeof(self->msg),
		 "openssl x509 -in %s/bob-ec.pem -outform DER -out %s", pki, path);
	ASSERT_EQ(0, system(self->msg));
	EXPECT_EQ(SEC_E_OK, kx509_load_chain(path, &self->chain, self->msg,
					     sizeof(self->msg)));
	EXPECT_EQ(1, self->chain.n);
	unlink(path);
}

TEST_F(x509, cert_facts)
{
	struct certmap_cert c;
	const unsigned char *p;
	char cmd[512], want[80] = "";
	FILE *f;
	X509 *x;

	ASSERT_EQ(SEC_E_OK, kx509_load_chain(strcat(strcpy(cmd, pki), "/bob-rsa.pem"),
					     &self->chain, self->msg,
					     sizeof(self->msg)));
	p = self->chain.der[0];
	x = d2i_X509(NULL, &p, (long)self->chain.len[0]);
	ASSERT_NE(NULL, x);
	ASSERT_EQ(0, certmap_cert_from_x509(x, &c));
	X509_free(x);
	EXPECT_STREQ("CN=bob,O=ksspi test,DC=ksspi,DC=test", c.subject);
	EXPECT_STREQ("CN=ksspi test issuing CA,O=ksspi test,DC=ksspi,DC=test",
		     c.issuer);
	EXPECT_STREQ("bob", c.subject_cn);
	EXPECT_EQ(1, c.n_upn);
	EXPECT_STREQ("bob@KSSPI.TEST", c.upn[0]);
	EXPECT_EQ(1, c.n_rfc822);
	EXPECT_STREQ("bob@ksspi.test", c.rfc822[0]);
	EXPECT_EQ(1, c.n_dns);
	EXPECT_STREQ("bob-host.ksspi.test", c.dns[0]);
	EXPECT_STREQ("2002", c.serial);
	EXPECT_EQ(40, strlen(c.ski));
	EXPECT_EQ(1, c.has_ku);
	EXPECT_EQ(CERTMAP_KU_DIGITAL_SIGNATURE, c.ku);
	EXPECT_EQ(1, c.n_eku);
	EXPECT_STREQ(CERTMAP_OID_CLIENTAUTH, c.eku[0]);
	/* the public-key hash is the one of openssl's SubjectPublicKeyInfo */
	snprintf(cmd, sizeof(cmd),
		 "openssl x509 -in %s/bob-rsa.pem -noout -pubkey | "
		 "openssl pkey -pubin -outform DER | openssl dgst -sha256 -r", pki);
	f = popen(cmd, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(want, sizeof(want), f));
	pclose(f);
	want[64] = '\0';
	for (p = (unsigned char *)want; *p; p++)
		want[p - (unsigned char *)want] = (char)toupper(*p);
	EXPECT_STREQ(want, c.pukey_sha256);
}

/* ksspi-upcall --x509-map, the administrator's test of a certificate. */

static int run_map(struct __test_metadata *_metadata,
		   FIXTURE_DATA(x509) *self, const char *conf, const char *key,
		   const char *chain, char *out, size_t outlen)
{
	char *argv[8], outpath[128];
	int argc = 0, saved, fd, ret;
	ssize_t n;

	argv[argc++] = "--x509-map";
	argv[argc++] = "-c";
	argv[argc++] = (char *)conf;
	if (key) {
		argv[argc++] = "--key";
		argv[argc++] = (char *)key;
	}
	argv[argc++] = (char *)chain;
	argv[argc] = NULL;
	snprintf(outpath, sizeof(outpath), "%s/map-out-%d", pki, (int)getpid());
	fflush(stdout);
	saved = dup(1);
	fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (saved < 0 || fd < 0 || dup2(fd, 1) < 0)
		return -1;
	close(fd);
	ret = kx509_debug_map(argc, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	fd = open(outpath, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, out, outlen - 1);
	out[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	unlink(outpath);
	TH_LOG("exit %d:\n%s", ret, out);
	return ret;
}

TEST_F(x509, debug_map)
{
	char conf[128], key[128], chain[128], out[4096];
	FILE *f;

	if (!getpwnam("nobody"))
		SKIP(return, "no 'nobody' account on this host");
	snprintf(conf, sizeof(conf), "%s/upcall-%d.conf", pki, (int)getpid());
	f = fopen(conf, "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "x509_ca = %s\nx509_crl = %s/crl.pem\nx509_rules = %s\n",
		self->cfg.x509_ca, pki, self->rules);
	ASSERT_EQ(0, fclose(f));
	chmod(conf, 0644);
	pki_path(key, sizeof(key), "bob-ec.key.pem");
	pki_path(chain, sizeof(chain), "bob-ec.chain.pem");
	EXPECT_EQ(0, run_map(_metadata, self, conf, key, chain, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "SAN dNSName:  bob-host.ksspi.test"));
	EXPECT_NE(NULL, strstr(out, "  bind = issuer-serial:2003:CN=ksspi test issuing CA,"));
	EXPECT_NE(NULL, strstr(out, "  bind = ski:"));
	EXPECT_NE(NULL, strstr(out, "  bind = sha256-pukey:"));
	EXPECT_NE(NULL, strstr(out, "sign:         SEC_E_OK"));
	EXPECT_NE(NULL, strstr(out, "account:      nobody"));
	EXPECT_NE(NULL, strstr(out, "rule:         by-upn"));
	EXPECT_NE(NULL, strstr(out, "strength:     weak"));
	/* the wrong key: the proof of possession fails */
	pki_path(key, sizeof(key), "alice-ec.key.pem");
	EXPECT_EQ(1, run_map(_metadata, self, conf, key, chain, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "key:          SEC_E_UNKNOWN_CREDENTIALS"));
	EXPECT_NE(NULL, strstr(out, "result:       SEC_E_LOGON_DENIED"));
	/* revoked, without a key */
	pki_path(chain, sizeof(chain), "revoked.chain.pem");
	EXPECT_EQ(1, run_map(_metadata, self, conf, NULL, chain, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "result:       CRYPT_E_REVOKED"));
	unlink(conf);
}

TEST_HARNESS_MAIN
