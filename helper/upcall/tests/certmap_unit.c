// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall unit tests: the certificate mapping rules (certmap.c) --
 * the parser and its errors (file:line, whole file rejected), each match
 * component and their combinations, bindings and their strength,
 * priorities, templates -- and the x509_* keys of upcall.conf.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "certmap.h"
#include "config.h"

/* A certificate as the rules see it: alice's, with one of everything. */
static void alice(struct certmap_cert *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->issuer, "CN=ksspi test issuing CA,O=ksspi test,DC=ksspi,DC=test");
	strcpy(c->subject, "CN=alice,O=ksspi test,DC=ksspi,DC=test");
	strcpy(c->subject_cn, "alice");
	strcpy(c->serial, "2000");
	strcpy(c->ski, "524CB485B1AD8591BFBD3436776017FCDADB64A3");
	strcpy(c->pukey_sha256,
	       "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF");
	c->has_ku = 1;
	c->ku = CERTMAP_KU_DIGITAL_SIGNATURE | CERTMAP_KU_KEY_ENCIPHERMENT;
	c->n_eku = 2;
	strcpy(c->eku[0], CERTMAP_OID_CLIENTAUTH);
	strcpy(c->eku[1], CERTMAP_OID_SCLOGON);
	c->n_upn = 1;
	strcpy(c->upn[0], "Alice@KSSPI.TEST");
	c->n_rfc822 = 1;
	strcpy(c->rfc822[0], "alice.smith@ksspi.test");
	c->n_dns = 1;
	strcpy(c->dns[0], "alice-laptop.ksspi.test");
}

static int parse(const char *text, struct certmap **m, char *err, size_t n)
{
	err[0] = '\0';
	return certmap_parse(text, strlen(text), "rules", m, err, n);
}

/* Parse @text, map alice (changed by @edit) and return the result. */
static enum certmap_result run(struct __test_metadata *_metadata,
			       const char *text, int strong_only,
			       void (*edit)(struct certmap_cert *),
			       struct certmap_match *res)
{
	struct certmap_cert c;
	struct certmap *m = NULL;
	enum certmap_result r;
	char err[256], why[512];

	alice(&c);
	if (edit)
		edit(&c);
	if (parse(text, &m, err, sizeof(err))) {
		TH_LOG("parse: %s", err);
		return (enum certmap_result)-1;
	}
	r = certmap_find(m, &c, strong_only, res, why, sizeof(why));
	TH_LOG("-> %d %s [%s] %s", r, res->account, res->rule, why);
	certmap_free(m);
	return r;
}

#define MAPS(_text, _account) do {					\
	struct certmap_match _r;					\
	ASSERT_EQ(CERTMAP_OK, run(_metadata, _text, 0, NULL, &_r));	\
	EXPECT_STREQ(_account, _r.account);				\
} while (0)

#define NOMATCH(_text) do {						\
	struct certmap_match _r;					\
	EXPECT_EQ(CERTMAP_NO_MATCH, run(_metadata, _text, 0, NULL, &_r)); \
} while (0)

TEST(issuer_subject)
{
	MAPS("[r]\nmatch = <ISSUER>^CN=ksspi test issuing CA,\nmap = u1\n", "u1");
	NOMATCH("[r]\nmatch = <ISSUER>^CN=other CA,\nmap = u1\n");
	MAPS("[r]\nmatch = <SUBJECT>^CN=alice,.*DC=test$\nmap = u1\n", "u1");
	/* unanchored, like SSSD; case-sensitive */
	MAPS("[r]\nmatch = <SUBJECT>alice\nmap = u1\n", "u1");
	NOMATCH("[r]\nmatch = <SUBJECT>ALICE\nmap = u1\n");
}

TEST(san_kinds)
{
	MAPS("[r]\nmatch = <SAN:upn>^Alice@KSSPI\\.TEST$\nmap = u1\n", "u1");
	MAPS("[r]\nmatch = <SAN:ntPrincipalName>@KSSPI\\.TEST$\nmap = u1\n", "u1");
	MAPS("[r]\nmatch = <SAN:Principal>Alice\nmap = u1\n", "u1");
	MAPS("[r]\nmatch = <SAN>Alice\nmap = u1\n", "u1");
	NOMATCH("[r]\nmatch = <SAN:upn>^alice@\nmap = u1\n");
	MAPS("[r]\nmatch = <SAN:rfc822Name>^alice\\.smith@ksspi\\.test$\nmap = u1\n", "u1");
	MAPS("[r]\nmatch = <SAN:email>smith@\nmap = u1\n", "u1");
	MAPS("[r]\nmatch = <SAN:dNSName>\\.ksspi\\.test$\nmap = u1\n", "u1");
	NOMATCH("[r]\nmatch = <SAN:uniformResourceIdentifier>.\nmap = u1\n");
	/* keywords are case-insensitive, as in SSSD */
	MAPS("[r]\nmatch = <san:UPN>Alice\nmap = u1\n", "u1");
}

TEST(eku_ku)
{
	MAPS("[r]\nmatch = <EKU>clientAuth\nmap = u1\n", "u1");
	MAPS("[r]\nmatch = <EKU>clientAuth, smartcardLogon\nmap = u1\n", "u1");
	MAPS("[r]\nmatch = <EKU>1.3.6.1.5.5.7.3.2\nmap = u1\n", "u1");
	/* every listed one must be there */
	NOMATCH("[r]\nmatch = <EKU>clientAuth,serverAuth\nmap = u1\n");
	MAPS("[r]\nmatch = <KU>digitalSignature\nmap = u1\n", "u1");
	MAPS("[r]\nmatch = <KU>digitalSignature,keyEncipherment\nmap = u1\n", "u1");
	NOMATCH("[r]\nmatch = <KU>digitalSignature,nonRepudiation\nmap = u1\n");
}

static void no_ku(struct certmap_cert *c)
{
	c->has_ku = 0;
	c->ku = 0;
}

TEST(ku_absent)
{
	struct certmap_match r;

	/* a rule that asks for a key usage wants it written down */
	EXPECT_EQ(CERTMAP_NO_MATCH,
		  run(_metadata, "[r]\nmatch = <KU>digitalSignature\nmap = u\n",
		      0, no_ku, &r));
}

TEST(and_or)
{
	/* SSSD/pkinit style: one leading operator for the whole rule */
	MAPS("[r]\nmatch = &&<ISSUER>issuing CA<SUBJECT>CN=alice<EKU>clientAuth\nmap = u1\n", "u1");
	NOMATCH("[r]\nmatch = &&<ISSUER>issuing CA<SUBJECT>CN=bob\nmap = u1\n");
	MAPS("[r]\nmatch = ||<SUBJECT>CN=bob<SUBJECT>CN=alice\nmap = u1\n", "u1");
	NOMATCH("[r]\nmatch = ||<SUBJECT>CN=bob<SUBJECT>CN=carol\nmap = u1\n");
	/* without an operator, components are and-ed */
	NOMATCH("[r]\nmatch = <SUBJECT>CN=alice<SAN:upn>^bob@\nmap = u1\n");
	/* infix, && binds tighter than || */
	MAPS("[r]\nmatch = <SUBJECT>CN=bob && <EKU>clientAuth || <SAN:upn>^Alice@\nmap = u1\n", "u1");
	NOMATCH("[r]\nmatch = <SUBJECT>CN=bob || <SAN:upn>^Alice@ && <EKU>serverAuth\nmap = u1\n");
	MAPS("[r]\nmatch = <SUBJECT>CN=bob || <SAN:upn>^Alice@ && <EKU>clientAuth\nmap = u1\n", "u1");
	/* an explicit operator overrides the leading one for its place */
	MAPS("[r]\nmatch = &&<SUBJECT>CN=bob || <SUBJECT>CN=alice<EKU>clientAuth\nmap = u1\n", "u1");
	/* a regex may contain '|' and '&' that are not operators */
	MAPS("[r]\nmatch = <SUBJECT>CN=(bob|alice),\nmap = u1\n", "u1");
	/* quantifiers inside brackets or escaped are literal */
	MAPS("[r]\nmatch = <SUBJECT>CN=[a-z+*]+, *O=ksspi\\+* test\nmap = u1\n", "u1");
}

TEST(bindings)
{
	struct certmap_match r;

	ASSERT_EQ(CERTMAP_OK, run(_metadata,
		  "[r]\nbind = ski:52:4c:b4:85:b1:ad:85:91:bf:bd:34:36:77:60:17:fc:da:db:64:a3\nmap = u1\n",
		  1, NULL, &r));
	EXPECT_EQ(1, r.strong);
	ASSERT_EQ(CERTMAP_OK, run(_metadata,
		  "[r]\nbind = issuer-serial:002000:CN=ksspi test issuing CA,O=ksspi test,DC=ksspi,DC=test\nmap = u2\n",
		  1, NULL, &r));
	EXPECT_STREQ("u2", r.account);
	EXPECT_EQ(1, r.strong);
	ASSERT_EQ(CERTMAP_OK, run(_metadata,
		  "[r]\nbind = sha256-pukey:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nmap = u3\n",
		  1, NULL, &r));
	EXPECT_STREQ("u3", r.account);
	/* another serial, another issuer, another key: no */
	EXPECT_EQ(CERTMAP_NO_MATCH, run(_metadata,
		  "[r]\nbind = issuer-serial:2001:CN=ksspi test issuing CA,O=ksspi test,DC=ksspi,DC=test\nmap = u\n",
		  0, NULL, &r));
	EXPECT_EQ(CERTMAP_NO_MATCH, run(_metadata,
		  "[r]\nbind = issuer-serial:2000:CN=other CA\nmap = u\n", 0, NULL, &r));
	EXPECT_EQ(CERTMAP_NO_MATCH, run(_metadata,
		  "[r]\nbind = ski:524CB485B1AD8591BFBD3436776017FCDADB64A4\nmap = u\n",
		  0, NULL, &r));
	/* several binds: any of them; with a match: both must hold */
	ASSERT_EQ(CERTMAP_OK, run(_metadata,
		  "[r]\nbind = ski:00\nbind = ski:524CB485B1AD8591BFBD3436776017FCDADB64A3\nmap = u4\n",
		  0, NULL, &r));
	EXPECT_EQ(CERTMAP_NO_MATCH, run(_metadata,
		  "[r]\nmatch = <EKU>serverAuth\nbind = ski:524CB485B1AD8591BFBD3436776017FCDADB64A3\nmap = u\n",
		  0, NULL, &r));
}

TEST(strength)
{
	static const char rules[] =
		"[weak-upn]\npriority = 1\nmatch = <SAN:upn>^Alice@\nmap = weakuser\n"
		"[strong-ski]\npriority = 2\nbind = ski:524CB485B1AD8591BFBD3436776017FCDADB64A3\n"
		"match = <EKU>clientAuth\nmap = stronguser\n";
	static const char weak_only[] =
		"[weak-upn]\nmatch = <SAN:upn>^Alice@\nmap = weakuser\n";
	struct certmap_match r;

	ASSERT_EQ(CERTMAP_OK, run(_metadata, rules, 0, NULL, &r));
	EXPECT_STREQ("weakuser", r.account);
	EXPECT_STREQ("weak-upn", r.rule);
	EXPECT_EQ(0, r.strong);
	EXPECT_STREQ("rules:1", r.where);	/* the [rule] line */
	/* x509_require_strong: the weak rule is skipped */
	ASSERT_EQ(CERTMAP_OK, run(_metadata, rules, 1, NULL, &r));
	EXPECT_STREQ("stronguser", r.account);
	EXPECT_EQ(1, r.strong);
	EXPECT_EQ(CERTMAP_WEAK_ONLY, run(_metadata, weak_only, 1, NULL, &r));
	EXPECT_STREQ("", r.account);
}

TEST(priorities)
{
	struct certmap_match r;

	/* lower first; equal: file order; none: after all, in file order */
	ASSERT_EQ(CERTMAP_OK, run(_metadata,
		  "[a]\nmatch = <SUBJECT>alice\nmap = a\n"
		  "[b]\npriority = 20\nmatch = <SUBJECT>alice\nmap = b\n"
		  "[c]\npriority = 10\nmatch = <SUBJECT>alice\nmap = c\n"
		  "[d]\npriority = 10\nmatch = <SUBJECT>alice\nmap = d\n",
		  0, NULL, &r));
	EXPECT_STREQ("c", r.rule);
	ASSERT_EQ(CERTMAP_OK, run(_metadata,
		  "[a]\nmatch = <SUBJECT>bob\nmap = a\n"
		  "[b]\nmatch = <SUBJECT>alice\nmap = b\n"
		  "[c]\nmatch = <SUBJECT>alice\nmap = c\n", 0, NULL, &r));
	EXPECT_STREQ("b", r.rule);
	ASSERT_EQ(CERTMAP_OK, run(_metadata,
		  "[a]\nmatch = <SUBJECT>alice\nmap = a\n"
		  "[b]\npriority = 4294967295\nmatch = <SUBJECT>alice\nmap = b\n",
		  0, NULL, &r));
	EXPECT_STREQ("b", r.rule);
	/* first match wins even when a later rule would also apply */
	ASSERT_EQ(CERTMAP_OK, run(_metadata,
		  "[x]\npriority = 0\nmatch = <EKU>clientAuth\nmap = first\n"
		  "[y]\npriority = 0\nmatch = <SUBJECT>alice\nmap = second\n",
		  0, NULL, &r));
	EXPECT_STREQ("first", r.account);
}

static void two_upns(struct certmap_cert *c)
{
	c->n_upn = 2;
	strcpy(c->upn[1], "other@KSSPI.TEST");
}

static void evil_upn(struct certmap_cert *c)
{
	strcpy(c->upn[0], "../root@KSSPI.TEST");
}

static void no_upn(struct certmap_cert *c)
{
	c->n_upn = 0;
}

TEST(templates)
{
	struct certmap_match r;

	MAPS("[r]\nmatch = <EKU>clientAuth\nmap = {upn_short}\n", "Alice");
	MAPS("[r]\nmatch = <EKU>clientAuth\nmap = {upn_short:lower}\n", "alice");
	MAPS("[r]\nmatch = <EKU>clientAuth\nmap = {upn}\n", "Alice@KSSPI.TEST");
	MAPS("[r]\nmatch = <EKU>clientAuth\nmap = {upn_domain:lower}\n", "ksspi.test");
	MAPS("[r]\nmatch = <EKU>clientAuth\nmap = {rfc822_local}\n", "alice.smith");
	MAPS("[r]\nmatch = <EKU>clientAuth\nmap = {rfc822}\n", "alice.smith@ksspi.test");
	MAPS("[r]\nmatch = <EKU>clientAuth\nmap = {subject_cn}\n", "alice");
	MAPS("[r]\nmatch = <EKU>clientAuth\nmap = {dns_short}\n", "alice-laptop");
	MAPS("[r]\nmatch = <EKU>clientAuth\nmap = ad_{subject_cn}_x\n", "ad_alice_x");
	/* a field the certificate lacks: the rule does not apply */
	ASSERT_EQ(CERTMAP_OK, run(_metadata,
		  "[r]\nmatch = <EKU>clientAuth\nmap = {upn_short}\n"
		  "[s]\nmatch = <EKU>clientAuth\nmap = {subject_cn}\n",
		  0, no_upn, &r));
	EXPECT_STREQ("s", r.rule);
	EXPECT_EQ(CERTMAP_NO_MATCH, run(_metadata,
		  "[r]\nmatch = <EKU>clientAuth\nmap = {subject_uid}\n", 0, NULL, &r));
	/* ambiguous or unusable values refuse the logon, no fall-through */
	EXPECT_EQ(CERTMAP_BAD_NAME, run(_metadata,
		  "[r]\nmatch = <EKU>clientAuth\nmap = {upn_short}\n"
		  "[s]\nmatch = <EKU>clientAuth\nmap = {subject_cn}\n",
		  0, two_upns, &r));
	EXPECT_EQ(CERTMAP_BAD_NAME, run(_metadata,
		  "[r]\nmatch = <EKU>clientAuth\nmap = {upn_short}\n", 0,
		  evil_upn, &r));
	EXPECT_STREQ("", r.account);
}

/* Each syntax error: the file is rejected and the error says file:line. */

struct bad_case {
	const char *text;
	const char *want;	/* "rules:N: ..." prefix and a word */
};

static const struct bad_case bad_cases[] = {
	{ "match = <SUBJECT>x\n", "rules:1: key outside" },
	{ "[r]\nmatch = <SUBJECT>x\n", "rules:1: rule [r] has no map" },
	{ "[r]\nmap = u\n", "rules:1: rule [r] has neither" },
	{ "[r]\nmatch = <SUBJECT>x\nmap = u\nfoo = bar\n", "rules:4: unknown key" },
	{ "[r]\nmatch = <SUBJECT>x\nmap = u\n[r]\nmatch = <SUBJECT>x\nmap = u\n",
	  "rules:4: rule [r] defined twice" },
	{ "[bad name]\n", "rules:1: rule name" },
	{ "[]\n", "rules:1: bad rule header" },
	{ "[r\n", "rules:1: bad rule header" },
	{ "[r]\njust words\n", "rules:2: expected" },
	{ "[r]\nmatch = SUBJECT x\nmap = u\n", "rules:2: expected <KEYWORD>" },
	{ "[r]\nmatch = <FOO>x\nmap = u\n", "rules:2: expected <KEYWORD>" },
	{ "[r]\nmatch = <SUBJECT>\nmap = u\n", "rules:2: empty value" },
	{ "[r]\nmatch = <SUBJECT>(\nmap = u\n", "rules:2: bad regular expression" },
	{ "[r]\nmatch = <SUBJECT>x &&\nmap = u\n", "rules:2: operator at the end" },
	{ "[r]\nmatch = <SUBJECT>a++\nmap = u\n", "rules:2: regular expression 'a++': stacked" },
	{ "[r]\nmatch = <SUBJECT>a{9}{9}\nmap = u\n", "rules:2: regular expression" },
	{ "[r]\nmatch = <SUBJECT>a{1000}\nmap = u\n", "rules:2: regular expression 'a{1000}': repeat" },
	{ "[r]\nmatch = <SUBJECT>(a)\\1\nmap = u\n", "rules:2: regular expression '(a)\\1': back-ref" },
	{ "[r]\nmatch =\nmap = u\n", "rules:2: empty match" },
	{ "[r]\nmatch = <EKU>clientAuth,,x\nmap = u\n", "rules:2: empty entry" },
	{ "[r]\nmatch = <EKU>bogusAuth\nmap = u\n", "rules:2: unknown extended key usage" },
	{ "[r]\nmatch = <KU>digitalSig\nmap = u\n", "rules:2: unknown key usage" },
	{ "[r]\nmatch = <SUBJECT>x\nmatch = <SUBJECT>y\nmap = u\n", "rules:3: match given twice" },
	{ "[r]\nmatch = <SUBJECT>x\nmap = u\nmap = v\n", "rules:4: map given twice" },
	{ "[r]\nmatch = <SUBJECT>x\nmap = {nope}\n", "rules:3: unknown field" },
	{ "[r]\nmatch = <SUBJECT>x\nmap = {upn\n", "rules:3: unclosed" },
	{ "[r]\nmatch = <SUBJECT>x\nmap = a/b\n", "rules:3: map: '/'" },
	{ "[r]\nmatch = <SUBJECT>x\nmap = u\npriority = -1\n", "rules:4: priority" },
	{ "[r]\nmatch = <SUBJECT>x\nmap = u\npriority = 4294967296\n", "rules:4: priority" },
	{ "[r]\nmatch = <SUBJECT>x\nmap = u\npriority = 1\npriority = 2\n", "rules:5: priority given twice" },
	{ "[r]\nbind = ski:xyz\nmap = u\n", "rules:2: bad hex" },
	{ "[r]\nbind = sha256-pukey:abcd\nmap = u\n", "rules:2: bad hex" },
	{ "[r]\nbind = issuer-serial:2000\nmap = u\n", "rules:2: issuer-serial" },
	{ "[r]\nbind = issuer-serial:2000:\nmap = u\n", "rules:2: issuer-serial: bad issuer" },
	{ "[r]\nbind = subject:CN=x\nmap = u\n", "rules:2: bind wants" },
	{ "[ok]\nmatch = <SUBJECT>x\nmap = u\n\n# fine so far\n[r]\nmatch = <SUBJECT>\x01\nmap = u\n",
	  "rules:7: control character" },
};

TEST(syntax_errors)
{
	struct certmap *m;
	char err[256];
	unsigned int i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		m = (struct certmap *)&m;
		EXPECT_EQ(-EINVAL, parse(bad_cases[i].text, &m, err, sizeof(err)))
			TH_LOG("case %u", i);
		EXPECT_EQ(NULL, m);
		EXPECT_EQ(0, strncmp(err, bad_cases[i].want, strlen(bad_cases[i].want)))
			TH_LOG("case %u: '%s', want '%s'", i, err, bad_cases[i].want);
	}
}

TEST(whole_file)
{
	struct certmap *m = NULL;
	char err[256], *big;
	size_t i;

	/* fine: comments, blank lines, CRLF, blanks around keys */
	ASSERT_EQ(0, parse("# c\n; c\r\n\n  [r1] \r\n  match =  <SUBJECT>x  \r\n"
			   "map=u\n[r2]\nbind = ski:00\nmap = u\n", &m, err,
			   sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(2, certmap_count(m));
	certmap_free(m);
	ASSERT_EQ(0, parse("# nothing\n", &m, err, sizeof(err)));
	EXPECT_EQ(0, certmap_count(m));
	certmap_free(m);
	/* a NUL byte, too large, too many rules */
	EXPECT_EQ(-EINVAL, certmap_parse("[r]\0", 4, "rules", &m, err, sizeof(err)));
	big = malloc(CERTMAP_FILE_MAX + 2);
	ASSERT_NE(NULL, big);
	memset(big, '#', CERTMAP_FILE_MAX + 1);
	EXPECT_EQ(-EINVAL, certmap_parse(big, CERTMAP_FILE_MAX + 1, "rules", &m,
					 err, sizeof(err)));
	big[0] = '\0';
	for (i = 0; i <= CERTMAP_RULES_MAX; i++)
		sprintf(big + strlen(big), "[r%zu]\nbind = ski:00\nmap = u\n", i);
	EXPECT_EQ(-EINVAL, parse(big, &m, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "more than"));
	free(big);
}

TEST(load_file)
{
	char dir[] = "/tmp/ksspi-certmap-XXXXXX", path[64], err[256];
	struct certmap *m = NULL;
	FILE *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/rules", dir);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fputs("[r]\nmatch = <SUBJECT>x\nmap = u\n[s]\nmatch = <SUBJECT>(\nmap = u\n", f);
	fclose(f);
	chmod(path, 0644);
	EXPECT_EQ(-EINVAL, certmap_load(path, getuid(), &m, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "/rules:5: bad regular expression")) TH_LOG("%s", err);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fputs("[r]\nmatch = <SUBJECT>x\nmap = u\n", f);
	fclose(f);
	EXPECT_EQ(0, certmap_load(path, getuid(), &m, err, sizeof(err)));
	certmap_free(m);
	EXPECT_EQ(-EPERM, certmap_load(path, getuid() + 1, &m, err, sizeof(err)));
	chmod(path, 0620);
	EXPECT_EQ(-EPERM, certmap_load(path, getuid(), &m, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "group/world-writable"));
	unlink(path);
	EXPECT_EQ(-ENOENT, certmap_load(path, getuid(), &m, err, sizeof(err)));
	ASSERT_EQ(0, symlink("/etc/passwd", path));
	EXPECT_EQ(-ELOOP, certmap_load(path, getuid(), &m, err, sizeof(err)));
	unlink(path);
	rmdir(dir);
}

/* upcall.conf keys of the x509 package. */

static int conf(const char *text, struct kup_config *cfg, char *err)
{
	kup_config_defaults(cfg);
	return kup_config_parse(text, strlen(text), cfg, err, 200);
}

TEST(config_keys)
{
	struct kup_config cfg;
	char err[200];

	ASSERT_EQ(0, conf("", &cfg, err));
	EXPECT_STREQ("", cfg.x509_ca);
	EXPECT_EQ(0, cfg.x509_require_strong);
	EXPECT_EQ(1, cfg.x509_smartcard_eku);
	EXPECT_EQ(6, cfg.x509_max_chain);
	EXPECT_EQ(0, cfg.file_owner);
	ASSERT_EQ(0, conf("x509_ca = /etc/ksspi/ca.pem\nx509_ca_dir = /etc/ksspi/ca.d\n"
			  "x509_crl = /etc/ksspi/crl.pem\nx509_rules = /etc/ksspi/certmap.rules\n"
			  "x509_require_strong = yes\nx509_smartcard_eku = no\n"
			  "x509_max_chain = 16\n", &cfg, err)) TH_LOG("%s", err);
	EXPECT_STREQ("/etc/ksspi/ca.pem", cfg.x509_ca);
	EXPECT_STREQ("/etc/ksspi/ca.d", cfg.x509_ca_dir);
	EXPECT_STREQ("/etc/ksspi/crl.pem", cfg.x509_crl);
	EXPECT_STREQ("/etc/ksspi/certmap.rules", cfg.x509_rules);
	EXPECT_EQ(1, cfg.x509_require_strong);
	EXPECT_EQ(0, cfg.x509_smartcard_eku);
	EXPECT_EQ(16, cfg.x509_max_chain);
	EXPECT_NE(0, conf("x509_max_chain = 1\n", &cfg, err));
	EXPECT_STREQ("line 1: bad value for x509_max_chain", err);
	EXPECT_NE(0, conf("x509_max_chain = 17\n", &cfg, err));
	EXPECT_NE(0, conf("\nx509_ca = relative.pem\n", &cfg, err));
	EXPECT_STREQ("line 2: bad value for x509_ca", err);
	EXPECT_NE(0, conf("x509_rules = FILE:/etc/x\n", &cfg, err));
	EXPECT_NE(0, conf("x509_crl =\n", &cfg, err));
	EXPECT_NE(0, conf("x509_require_strong = maybe\n", &cfg, err));
	EXPECT_NE(0, conf("x509_ca_dir = /etc/\x01x\n", &cfg, err));
}

TEST_HARNESS_MAIN
