// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall: certificate -> local account rules.
 *
 * The match syntax is the one of SSSD's certmap "matchrule" and MIT's
 * pkinit_cert_match: <KEYWORD>value components, joined by && or ||
 * (either as one leading operator for the whole rule, as there, or
 * between the components, with && binding tighter than ||).  Values of
 * <ISSUER>, <SUBJECT> and <SAN:...> are POSIX extended regular
 * expressions, unanchored like SSSD's; <EKU> and <KU> are comma-separated
 * lists that must all be present.
 *
 * The parser never applies half a file: any error rejects it whole.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "certmap.h"

#define PATTERN_MAX	512	/* bytes of one regular expression */
#define TERMS_MAX	32	/* components of one match expression */
#define BINDS_MAX	16
#define LIST_MAX	16	/* entries of an <EKU> list */
#define TEMPLATE_MAX	256

enum term_kind {
	T_ISSUER,
	T_SUBJECT,
	T_UPN,
	T_RFC822,
	T_DNS,
	T_URI,
	T_EKU,
	T_KU,
};

struct term {
	enum term_kind kind;
	int or_before;		/* an || separates it from the previous term */
	regex_t re;
	int has_re;
	unsigned int ku;
	unsigned int n_eku;
	char eku[LIST_MAX][64];
};

enum bind_kind {
	B_ISSUER_SERIAL,
	B_SKI,
	B_PUKEY,
};

struct bind {
	enum bind_kind kind;
	char serial[CERTMAP_VALUE_MAX];		/* upper hex */
	char hex[CERTMAP_VALUE_MAX];		/* SKI / SHA-256, upper hex */
	char issuer[CERTMAP_DN_MAX];
};

struct rule {
	char name[CERTMAP_NAME_MAX];
	int line;
	int has_priority;
	unsigned long priority;
	unsigned int order;
	unsigned int n_terms;
	struct term terms[TERMS_MAX];
	unsigned int n_binds;
	struct bind binds[BINDS_MAX];
	char map[TEMPLATE_MAX];
	int has_match, has_map;
};

struct certmap {
	char fname[CERTMAP_FNAME_MAX];
	unsigned int n, cap;
	struct rule **rules;	/* sorted: priority, then file order */
};

static const struct {
	const char *name;
	enum term_kind kind;
} keywords[] = {
	{ "ISSUER", T_ISSUER },
	{ "SUBJECT", T_SUBJECT },
	{ "SAN:upn", T_UPN },
	{ "SAN:ntPrincipalName", T_UPN },
	{ "SAN:Principal", T_UPN },
	{ "SAN", T_UPN },
	{ "SAN:rfc822Name", T_RFC822 },
	{ "SAN:email", T_RFC822 },
	{ "SAN:dNSName", T_DNS },
	{ "SAN:uniformResourceIdentifier", T_URI },
	{ "SAN:URI", T_URI },
	{ "EKU", T_EKU },
	{ "KU", T_KU },
};

static const struct {
	const char *name;
	const char *oid;
} eku_names[] = {
	{ "clientAuth", CERTMAP_OID_CLIENTAUTH },
	{ "serverAuth", "1.3.6.1.5.5.7.3.1" },
	{ "codeSigning", "1.3.6.1.5.5.7.3.3" },
	{ "emailProtection", "1.3.6.1.5.5.7.3.4" },
	{ "timeStamping", "1.3.6.1.5.5.7.3.8" },
	{ "OCSPSigning", "1.3.6.1.5.5.7.3.9" },
	{ "smartcardLogon", CERTMAP_OID_SCLOGON },
	{ "msScLogin", CERTMAP_OID_SCLOGON },
	{ "pkinitKPClientAuth", "1.3.6.1.5.2.3.4" },
	{ "pkinit", "1.3.6.1.5.2.3.4" },
	{ "pkinitKPKdc", "1.3.6.1.5.2.3.5" },
	{ "anyExtendedKeyUsage", "2.5.29.37.0" },
};

static const struct {
	const char *name;
	unsigned int bit;
} ku_names[] = {
	{ "digitalSignature", CERTMAP_KU_DIGITAL_SIGNATURE },
	{ "nonRepudiation", CERTMAP_KU_NON_REPUDIATION },
	{ "contentCommitment", CERTMAP_KU_NON_REPUDIATION },
	{ "keyEncipherment", CERTMAP_KU_KEY_ENCIPHERMENT },
	{ "dataEncipherment", CERTMAP_KU_DATA_ENCIPHERMENT },
	{ "keyAgreement", CERTMAP_KU_KEY_AGREEMENT },
	{ "keyCertSign", CERTMAP_KU_KEY_CERT_SIGN },
	{ "cRLSign", CERTMAP_KU_CRL_SIGN },
	{ "encipherOnly", CERTMAP_KU_ENCIPHER_ONLY },
	{ "decipherOnly", CERTMAP_KU_DECIPHER_ONLY },
};

/* Template fields: {name} or {name:lower}. */
static const char *const fields[] = {
	"upn", "upn_short", "upn_domain", "rfc822", "rfc822_local",
	"subject_cn", "subject_uid", "dns", "dns_short",
};

static int fail(char *err, size_t errlen, const char *fname, int line,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail(char *err, size_t errlen, const char *fname, int line,
		const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(err, errlen, "%s:%d: ", fname, line);
	if (n < 0 || (size_t)n >= errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void rule_free(struct rule *r)
{
	unsigned int i;

	if (!r)
		return;
	for (i = 0; i < r->n_terms; i++)
		if (r->terms[i].has_re)
			regfree(&r->terms[i].re);
	free(r);
}

void certmap_free(struct certmap *m)
{
	unsigned int i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++)
		rule_free(m->rules[i]);
	free(m->rules);
	free(m);
}

unsigned int certmap_count(const struct certmap *m)
{
	return m ? m->n : 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int valid_oid(const char *s)
{
	int dots = 0, digit = 0;

	if (strlen(s) >= 64)
		return 0;
	for (; *s; s++) {
		if (isdigit((unsigned char)*s)) {
			digit = 1;
		} else if (*s == '.' && digit) {
			dots++;
			digit = 0;
		} else {
			return 0;
		}
	}
	return digit && dots >= 1;
}

/* Comma-separated <EKU>/<KU> list. */
static int parse_list(struct term *t, char *v, char *why, size_t whylen)
{
	char *rest = v, *tok;
	unsigned int i;

	while ((tok = strsep(&rest, ","))) {
		tok = trim(tok);
		if (!*tok) {
			snprintf(why, whylen, "empty entry in list");
			return -1;
		}
		if (t->kind == T_KU) {
			for (i = 0; i < sizeof(ku_names) / sizeof(ku_names[0]); i++)
				if (!strcasecmp(tok, ku_names[i].name))
					break;
			if (i == sizeof(ku_names) / sizeof(ku_names[0])) {
				snprintf(why, whylen, "unknown key usage '%.64s'",
					 tok);
				return -1;
			}
			t->ku |= ku_names[i].bit;
			continue;
		}
		if (t->n_eku == LIST_MAX) {
			snprintf(why, whylen, "more than %d EKUs", LIST_MAX);
			return -1;
		}
		for (i = 0; i < sizeof(eku_names) / sizeof(eku_names[0]); i++)
			if (!strcasecmp(tok, eku_names[i].name))
				break;
		if (i < sizeof(eku_names) / sizeof(eku_names[0])) {
			strcpy(t->eku[t->n_eku++], eku_names[i].oid);
		} else if (valid_oid(tok)) {
			strcpy(t->eku[t->n_eku++], tok);
		} else {
			snprintf(why, whylen, "unknown extended key usage '%.64s'",
				 tok);
			return -1;
		}
	}
	if (t->kind == T_KU ? !t->ku : !t->n_eku) {
		snprintf(why, whylen, "empty list");
		return -1;
	}
	return 0;
}

/* Is s (inside a match value) the start of a <KEYWORD>? Its length, or 0. */
static size_t keyword_at(const char *s, enum term_kind *kind)
{
	size_t i, n;

	if (*s != '<')
		return 0;
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		n = strlen(keywords[i].name);
		if (!strncasecmp(s + 1, keywords[i].name, n) && s[n + 1] == '>') {
			if (kind)
				*kind = keywords[i].kind;
			return n + 2;
		}
	}
	return 0;
}

/* An infix operator: " && " / " || " (blank before, blank/'<'/end after). */
static int op_at(const char *start, const char *s)
{
	if ((s[0] != '&' || s[1] != '&') && (s[0] != '|' || s[1] != '|'))
		return 0;
	if (s > start && s[-1] != ' ' && s[-1] != '\t')
		return 0;
	if (s[2] && s[2] != ' ' && s[2] != '\t' && s[2] != '<')
		return 0;
	return s[0] == '&' ? 1 : 2;
}

static int pattern_tame(const char *re, char *why, size_t whylen);

static int parse_match(struct rule *r, const char *expr, char *why,
		       size_t whylen)
{
	char buf[PATTERN_MAX + 1];
	const char *p = expr, *v, *e;
	int default_or = 0, or_next = 0, rc;
	size_t kl, n;

	while (*p == ' ' || *p == '\t')
		p++;
	/* pkinit_cert_match / SSSD: one leading operator for the rule */
	if ((!strncmp(p, "&&", 2) || !strncmp(p, "||", 2)) && p[2] == '<') {
		default_or = p[0] == '|';
		p += 2;
	}
	if (!*p) {
		snprintf(why, whylen, "empty match expression");
		return -1;
	}
	while (*p) {
		struct term *t;
		enum term_kind kind;

		while (*p == ' ' || *p == '\t')
			p++;
		kl = keyword_at(p, &kind);
		if (!kl) {
			snprintf(why, whylen, "expected <KEYWORD> at '%.32s'", p);
			return -1;
		}
		if (r->n_terms == TERMS_MAX) {
			snprintf(why, whylen, "more than %d components",
				 TERMS_MAX);
			return -1;
		}
		t = &r->terms[r->n_terms];
		memset(t, 0, sizeof(*t));
		t->kind = kind;
		t->or_before = r->n_terms ? or_next : 0;
		v = p + kl;
		for (e = v; *e && !keyword_at(e, NULL) && !op_at(v, e); e++)
			;
		p = e;
		/* the value, without the blanks around it */
		while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		while (v < e && (*v == ' ' || *v == '\t'))
			v++;
		n = (size_t)(e - v);
		if (!n) {
			snprintf(why, whylen, "empty value after <%s>",
				 kind == T_EKU ? "EKU" : kind == T_KU ? "KU" :
				 "...");
			return -1;
		}
		if (n > PATTERN_MAX) {
			snprintf(why, whylen, "value longer than %d bytes",
				 PATTERN_MAX);
			return -1;
		}
		memcpy(buf, v, n);
		buf[n] = '\0';
		if (kind == T_EKU || kind == T_KU) {
			if (parse_list(t, buf, why, whylen))
				return -1;
		} else {
			char rwhy[64];

			if (!pattern_tame(buf, rwhy, sizeof(rwhy))) {
				snprintf(why, whylen, "regular expression '%.64s': %s",
					 buf, rwhy);
				return -1;
			}
			rc = regcomp(&t->re, buf, REG_EXTENDED | REG_NOSUB);
			if (rc) {
				char rerr[96];

				regerror(rc, &t->re, rerr, sizeof(rerr));
				snprintf(why, whylen, "bad regular expression '%.64s': %s",
					 buf, rerr);
				return -1;
			}
			t->has_re = 1;
		}
		r->n_terms++;
		or_next = default_or;
		if (op_at(v, p)) {
			or_next = op_at(v, p) == 2;
			p += 2;
			while (*p == ' ' || *p == '\t')
				p++;
			if (!*p) {
				snprintf(why, whylen, "operator at the end");
				return -1;
			}
		}
	}
	return 0;
}

/*
 * Refuse what makes POSIX regex engines slow rather than wrong: stacked
 * quantifiers ("a++", "a{9}{9}", undefined in POSIX anyway), big counted
 * repeats, back-references (not ERE), and too many quantifiers.  The file
 * is root's, but a typo must not stall every logon.
 */
#define QUANT_MAX	32
#define REPEAT_MAX	64

static int pattern_tame(const char *re, char *why, size_t whylen)
{
	int prev_quant = 0, nquant = 0;
	const char *p = re, *q;

	while (*p) {
		if (*p == '\\') {
			if (p[1] >= '0' && p[1] <= '9') {
				snprintf(why, whylen, "back-references are not allowed");
				return 0;
			}
			p += p[1] ? 2 : 1;
			prev_quant = 0;
			continue;
		}
		if (*p == '[') {
			q = p + 1;
			if (*q == '^')
				q++;
			if (*q == ']')
				q++;
			while (*q && *q != ']') {
				if (*q == '[' && (q[1] == ':' || q[1] == '.' ||
						  q[1] == '=')) {
					const char *e = strchr(q + 2, q[1]);

					q = e && e[1] == ']' ? e + 2 : q + 1;
					continue;
				}
				q++;
			}
			p = *q ? q + 1 : q;
			prev_quant = 0;
			continue;
		}
		if (*p == '*' || *p == '+' || *p == '?' || *p == '{') {
			if (prev_quant) {
				snprintf(why, whylen, "stacked quantifiers");
				return 0;
			}
			if (++nquant > QUANT_MAX) {
				snprintf(why, whylen, "more than %d quantifiers",
					 QUANT_MAX);
				return 0;
			}
			prev_quant = 1;
			if (*p == '{') {
				unsigned long n;
				char *end;

				for (q = p + 1; *q && *q != '}'; q++) {
					if (*q < '0' || *q > '9')
						continue;
					n = strtoul(q, &end, 10);
					if (n > REPEAT_MAX) {
						snprintf(why, whylen,
							 "repeat count over %d",
							 REPEAT_MAX);
						return 0;
					}
					q = end - 1;
				}
				p = *q ? q + 1 : q;
				continue;
			}
			p++;
			continue;
		}
		prev_quant = 0;
		p++;
	}
	return 1;
}

/* Hex with optional ':' or ' ' separators -> upper hex, no leading 00s. */
static int parse_hex(const char *s, char *dst, size_t size, int strip_zeros)
{
	size_t n = 0;

	for (; *s; s++) {
		if (*s == ':' || *s == ' ')
			continue;
		if (!isxdigit((unsigned char)*s) || n + 1 >= size)
			return -1;
		dst[n++] = (char)toupper((unsigned char)*s);
	}
	dst[n] = '\0';
	if (!n)
		return -1;
	if (strip_zeros) {
		size_t z = 0;

		while (z + 1 < n && dst[z] == '0')
			z++;
		memmove(dst, dst + z, n - z + 1);
	}
	return 0;
}

static int parse_bind(struct rule *r, char *v, char *why, size_t whylen)
{
	struct bind *b;
	char *colon;

	if (r->n_binds == BINDS_MAX) {
		snprintf(why, whylen, "more than %d bind lines", BINDS_MAX);
		return -1;
	}
	b = &r->binds[r->n_binds];
	memset(b, 0, sizeof(*b));
	if (!strncasecmp(v, "ski:", 4)) {
		b->kind = B_SKI;
		if (parse_hex(v + 4, b->hex, sizeof(b->hex), 0))
			goto bad_hex;
	} else if (!strncasecmp(v, "sha256-pukey:", 13)) {
		b->kind = B_PUKEY;
		if (parse_hex(v + 13, b->hex, sizeof(b->hex), 0) ||
		    strlen(b->hex) != 64)
			goto bad_hex;
	} else if (!strncasecmp(v, "issuer-serial:", 14)) {
		b->kind = B_ISSUER_SERIAL;
		v += 14;
		colon = strchr(v, ':');
		if (!colon) {
			snprintf(why, whylen,
				 "issuer-serial: wants SERIAL:ISSUER-DN");
			return -1;
		}
		*colon = '\0';
		if (parse_hex(v, b->serial, sizeof(b->serial), 1))
			goto bad_hex;
		v = colon + 1;
		if (!*v || strlen(v) >= sizeof(b->issuer)) {
			snprintf(why, whylen, "issuer-serial: bad issuer DN");
			return -1;
		}
		strcpy(b->issuer, v);
	} else {
		snprintf(why, whylen,
			 "bind wants ski:, sha256-pukey: or issuer-serial:");
		return -1;
	}
	r->n_binds++;
	return 0;
bad_hex:
	snprintf(why, whylen, "bad hex value in bind");
	return -1;
}

static int name_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-';
}

/* Literal text: what may be in an account name; fields in braces. */
static int parse_template(struct rule *r, const char *v, char *why,
			  size_t whylen)
{
	const char *p, *close;
	size_t n, i;

	if (!*v || strlen(v) >= sizeof(r->map)) {
		snprintf(why, whylen, "map is empty or too long");
		return -1;
	}
	for (p = v; *p; p++) {
		if (*p == '{') {
			close = strchr(p, '}');
			if (!close) {
				snprintf(why, whylen, "unclosed '{' in map");
				return -1;
			}
			n = (size_t)(close - p - 1);
			if (n > 6 && !strncmp(close - 6, ":lower", 6))
				n -= 6;
			for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
				if (strlen(fields[i]) == n &&
				    !strncmp(p + 1, fields[i], n))
					break;
			if (i == sizeof(fields) / sizeof(fields[0])) {
				snprintf(why, whylen, "unknown field '%.*s' in map",
					 (int)(close - p - 1) > 32 ? 32 :
					 (int)(close - p - 1), p + 1);
				return -1;
			}
			p = close;
		} else if (!name_char(*p) && *p != '@') {
			snprintf(why, whylen,
				 "map: '%c' is not allowed in an account name",
				 isprint((unsigned char)*p) ? *p : '?');
			return -1;
		}
	}
	strcpy(r->map, v);
	return 0;
}

static int rule_done(struct rule *r, const char *fname, char *err,
		     size_t errlen)
{
	if (!r->has_map)
		return fail(err, errlen, fname, r->line,
			    "rule [%s] has no map", r->name);
	if (!r->has_match && !r->n_binds)
		return fail(err, errlen, fname, r->line,
			    "rule [%s] has neither match nor bind", r->name);
	return 0;
}

static int rule_cmp(const void *a, const void *b)
{
	const struct rule *x = *(const struct rule *const *)a;
	const struct rule *y = *(const struct rule *const *)b;

	if (x->has_priority != y->has_priority)
		return x->has_priority ? -1 : 1;
	if (x->has_priority && x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int set_key(struct rule *r, const char *k, char *v, char *why,
		   size_t whylen)
{
	char *end;

	if (!strcmp(k, "priority")) {
		if (r->has_priority) {
			snprintf(why, whylen, "priority given twice");
			return -1;
		}
		errno = 0;
		r->priority = strtoul(v, &end, 10);
		if (errno || *end || end == v || !isdigit((unsigned char)*v) ||
		    r->priority > 0xffffffffUL) {
			snprintf(why, whylen, "priority must be 0-4294967295");
			return -1;
		}
		r->has_priority = 1;
		return 0;
	}
	if (!strcmp(k, "match")) {
		if (r->has_match) {
			snprintf(why, whylen, "match given twice");
			return -1;
		}
		r->has_match = 1;
		return parse_match(r, v, why, whylen);
	}
	if (!strcmp(k, "map")) {
		if (r->has_map) {
			snprintf(why, whylen, "map given twice");
			return -1;
		}
		r->has_map = 1;
		return parse_template(r, v, why, whylen);
	}
	if (!strcmp(k, "bind"))
		return parse_bind(r, v, why, whylen);
	snprintf(why, whylen, "unknown key '%.32s'", k);
	return -1;
}

int certmap_parse(const char *text, size_t len, const char *fname,
		  struct certmap **out, char *err, size_t errlen)
{
	struct certmap *m;
	struct rule *cur = NULL;
	char *copy, *line, *next, why[256];
	int lineno = 0, ret = 0;
	unsigned int i;

	*out = NULL;
	if (!fname)
		fname = "rules";
	if (len > CERTMAP_FILE_MAX)
		return fail(err, errlen, fname, 0, "file too large");
	if (memchr(text, '\0', len))
		return fail(err, errlen, fname, 0, "NUL byte in file");
	m = calloc(1, sizeof(*m));
	copy = strndup(text, len);
	if (!m || !copy) {
		free(m);
		free(copy);
		return -ENOMEM;
	}
	snprintf(m->fname, sizeof(m->fname), "%s", fname);
	for (line = copy; line && !ret; line = next) {
		char *eq, *k, *v;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		line = trim(line);
		if (!*line || *line == '#' || *line == ';')
			continue;
		for (k = line; *k; k++)
			if (iscntrl((unsigned char)*k) && *k != '\t')
				break;
		if (*k) {
			ret = fail(err, errlen, fname, lineno,
				   "control character");
			break;
		}
		if (*line == '[') {
			size_t n = strlen(line);

			if (cur) {
				ret = rule_done(cur, fname, err, errlen);
				if (ret)
					break;
				cur = NULL;
			}
			if (n < 3 || line[n - 1] != ']' ||
			    n - 2 >= CERTMAP_NAME_MAX) {
				ret = fail(err, errlen, fname, lineno,
					   "bad rule header (want [name])");
				break;
			}
			line[n - 1] = '\0';
			for (k = line + 1; *k; k++)
				if (!name_char(*k))
					break;
			if (*k) {
				ret = fail(err, errlen, fname, lineno,
					   "rule name may only have letters, digits, '.', '_', '-'");
				break;
			}
			for (i = 0; i < m->n; i++)
				if (!strcmp(m->rules[i]->name, line + 1))
					break;
			if (i < m->n) {
				ret = fail(err, errlen, fname, lineno,
					   "rule [%s] defined twice (line %d)",
					   line + 1, m->rules[i]->line);
				break;
			}
			if (m->n == CERTMAP_RULES_MAX) {
				ret = fail(err, errlen, fname, lineno,
					   "more than %d rules",
					   CERTMAP_RULES_MAX);
				break;
			}
			if (m->n == m->cap) {
				unsigned int cap = m->cap ? m->cap * 2 : 8;
				struct rule **nr;

				nr = realloc(m->rules, cap * sizeof(*nr));
				if (!nr) {
					ret = -ENOMEM;
					break;
				}
				m->rules = nr;
				m->cap = cap;
			}
			cur = calloc(1, sizeof(*cur));
			if (!cur) {
				ret = -ENOMEM;
				break;
			}
			strcpy(cur->name, line + 1);
			cur->line = lineno;
			cur->order = m->n;
			m->rules[m->n++] = cur;
			continue;
		}
		eq = strchr(line, '=');
		if (!eq) {
			ret = fail(err, errlen, fname, lineno,
				   "expected [rule] or key = value");
			break;
		}
		if (!cur) {
			ret = fail(err, errlen, fname, lineno,
				   "key outside a [rule]");
			break;
		}
		*eq = '\0';
		k = trim(line);
		v = trim(eq + 1);
		if (set_key(cur, k, v, why, sizeof(why))) {
			ret = fail(err, errlen, fname, lineno, "%s", why);
			break;
		}
	}
	if (!ret && cur)
		ret = rule_done(cur, fname, err, errlen);
	free(copy);
	if (ret) {
		certmap_free(m);
		return ret;
	}
	if (m->n)
		qsort(m->rules, m->n, sizeof(*m->rules), rule_cmp);
	*out = m;
	return 0;
}

int certmap_read_file(const char *path, uid_t owner, size_t max, char **buf,
		      size_t *len, char *err, size_t errlen)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	char *b;
	int fd, ret;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	ret = -EPERM;
	if (fstat(fd, &st)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out_close;
	}
	if (st.st_uid != owner || st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen,
			 "%s: must be owned by uid %u and not group/world-writable",
			 path, (unsigned int)owner);
		goto out_close;
	}
	if ((unsigned long long)st.st_size > max) {
		ret = -EFBIG;
		snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
		goto out_close;
	}
	ret = -ENOMEM;
	b = malloc((size_t)st.st_size + 1);
	if (!b) {
		snprintf(err, errlen, "out of memory");
		goto out_close;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, b + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	b[got] = '\0';
	*buf = b;
	*len = got;
	ret = 0;
out_close:
	close(fd);
	return ret;
}

int certmap_load(const char *path, uid_t owner, struct certmap **out,
		 char *err, size_t errlen)
{
	char *buf;
	size_t len;
	int ret;

	*out = NULL;
	ret = certmap_read_file(path, owner, CERTMAP_FILE_MAX, &buf, &len,
				err, errlen);
	if (ret)
		return ret;
	ret = certmap_parse(buf, len, path, out, err, errlen);
	free(buf);
	return ret;
}

/* Certificate facts. */

static int printable(const unsigned char *s, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static void add_value(char (*arr)[CERTMAP_VALUE_MAX], unsigned int *n,
		      const unsigned char *s, int len)
{
	if (*n >= CERTMAP_VALUES_MAX || len <= 0 ||
	    len >= CERTMAP_VALUE_MAX || !printable(s, len))
		return;
	memcpy(arr[*n], s, (size_t)len);
	arr[*n][len] = '\0';
	(*n)++;
}

static void name_to_string(const X509_NAME *name, char *dst, size_t size)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;

	dst[0] = '\0';
	if (!b)
		return;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		n = BIO_get_mem_data(b, &p);
		if (n > 0 && (size_t)n < size && printable((unsigned char *)p, (int)n)) {
			memcpy(dst, p, (size_t)n);
			dst[n] = '\0';
		}
	}
	BIO_free(b);
}

static void first_entry(const X509_NAME *name, int nid, char *dst,
			size_t size)
{
	const ASN1_STRING *s;
	unsigned char *u = NULL;
	int i, n;

	dst[0] = '\0';
	i = X509_NAME_get_index_by_NID(name, nid, -1);
	if (i < 0)
		return;
	s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
	n = ASN1_STRING_to_UTF8(&u, s);
	if (n > 0 && (size_t)n < size && printable(u, n)) {
		memcpy(dst, u, (size_t)n);
		dst[n] = '\0';
	}
	OPENSSL_free(u);
}

static void to_hex(const unsigned char *p, size_t n, char *dst, size_t size)
{
	static const char hx[] = "0123456789ABCDEF";
	size_t i;

	if (n * 2 + 1 > size)
		n = (size - 1) / 2;
	for (i = 0; i < n; i++) {
		dst[2 * i] = hx[p[i] >> 4];
		dst[2 * i + 1] = hx[p[i] & 15];
	}
	dst[2 * n] = '\0';
}

static void san_values(X509 *x, struct certmap_cert *c)
{
	GENERAL_NAMES *gens;
	ASN1_OBJECT *upn_oid;
	int i;

	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	if (!gens)
		return;
	upn_oid = OBJ_txt2obj(CERTMAP_OID_UPN, 1);
	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const ASN1_STRING *s;

		switch (g->type) {
		case GEN_EMAIL:
			s = g->d.rfc822Name;
			add_value(c->rfc822, &c->n_rfc822, ASN1_STRING_get0_data(s),
				  ASN1_STRING_length(s));
			break;
		case GEN_DNS:
			s = g->d.dNSName;
			add_value(c->dns, &c->n_dns, ASN1_STRING_get0_data(s),
				  ASN1_STRING_length(s));
			break;
		case GEN_URI:
			s = g->d.uniformResourceIdentifier;
			add_value(c->uri, &c->n_uri, ASN1_STRING_get0_data(s),
				  ASN1_STRING_length(s));
			break;
		case GEN_OTHERNAME:
			if (!upn_oid || OBJ_cmp(g->d.otherName->type_id, upn_oid) ||
			    !g->d.otherName->value ||
			    g->d.otherName->value->type != V_ASN1_UTF8STRING)
				break;
			s = g->d.otherName->value->value.utf8string;
			add_value(c->upn, &c->n_upn, ASN1_STRING_get0_data(s),
				  ASN1_STRING_length(s));
			break;
		}
	}
	ASN1_OBJECT_free(upn_oid);
	GENERAL_NAMES_free(gens);
}

int certmap_cert_from_x509(X509 *x, struct certmap_cert *c)
{
	const ASN1_OCTET_STRING *ski;
	EXTENDED_KEY_USAGE *eku;
	unsigned char *spki = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	const ASN1_INTEGER *sn;
	BIGNUM *bn;
	uint32_t ku;
	int n, i;

	memset(c, 0, sizeof(*c));
	name_to_string(X509_get_issuer_name(x), c->issuer, sizeof(c->issuer));
	name_to_string(X509_get_subject_name(x), c->subject,
		       sizeof(c->subject));
	first_entry(X509_get_subject_name(x), NID_commonName, c->subject_cn,
		    sizeof(c->subject_cn));
	first_entry(X509_get_subject_name(x), NID_userId, c->subject_uid,
		    sizeof(c->subject_uid));
	if (!c->issuer[0] || !c->subject[0])
		return -1;

	sn = X509_get0_serialNumber(x);
	bn = sn ? ASN1_INTEGER_to_BN(sn, NULL) : NULL;
	if (bn) {
		char *h = BN_bn2hex(bn);

		if (h && strlen(h) < sizeof(c->serial))
			strcpy(c->serial, h);
		OPENSSL_free(h);
		BN_free(bn);
	}
	if (!c->serial[0])
		return -1;

	ski = X509_get0_subject_key_id(x);
	if (ski)
		to_hex(ASN1_STRING_get0_data(ski), (size_t)ASN1_STRING_length(ski),
		       c->ski, sizeof(c->ski));

	n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki);
	if (n <= 0 || !EVP_Digest(spki, (size_t)n, md, &mdlen, EVP_sha256(), NULL)) {
		OPENSSL_free(spki);
		return -1;
	}
	OPENSSL_free(spki);
	to_hex(md, mdlen, c->pukey_sha256, sizeof(c->pukey_sha256));

	ku = X509_get_key_usage(x);
	c->has_ku = ku != UINT32_MAX;
	/* OpenSSL: KU_DIGITAL_SIGNATURE 0x80 ... KU_DECIPHER_ONLY 0x8000 */
	c->ku = (ku & KU_DIGITAL_SIGNATURE ? CERTMAP_KU_DIGITAL_SIGNATURE : 0) |
		(ku & KU_NON_REPUDIATION ? CERTMAP_KU_NON_REPUDIATION : 0) |
		(ku & KU_KEY_ENCIPHERMENT ? CERTMAP_KU_KEY_ENCIPHERMENT : 0) |
		(ku & KU_DATA_ENCIPHERMENT ? CERTMAP_KU_DATA_ENCIPHERMENT : 0) |
		(ku & KU_KEY_AGREEMENT ? CERTMAP_KU_KEY_AGREEMENT : 0) |
		(ku & KU_KEY_CERT_SIGN ? CERTMAP_KU_KEY_CERT_SIGN : 0) |
		(ku & KU_CRL_SIGN ? CERTMAP_KU_CRL_SIGN : 0) |
		(ku & KU_ENCIPHER_ONLY ? CERTMAP_KU_ENCIPHER_ONLY : 0) |
		(ku & KU_DECIPHER_ONLY ? CERTMAP_KU_DECIPHER_ONLY : 0);

	eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	for (i = 0; eku && i < sk_ASN1_OBJECT_num(eku) &&
		    c->n_eku < CERTMAP_VALUES_MAX; i++) {
		char oid[64];
		int l = OBJ_obj2txt(oid, sizeof(oid),
				    sk_ASN1_OBJECT_value(eku, i), 1);

		if (l > 0 && (size_t)l < sizeof(oid))
			strcpy(c->eku[c->n_eku++], oid);
	}
	EXTENDED_KEY_USAGE_free(eku);
	san_values(x, c);
	return 0;
}

/* Matching. */

static int any_re(const regex_t *re, char (*arr)[CERTMAP_VALUE_MAX],
		  unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!regexec(re, arr[i], 0, NULL, 0))
			return 1;
	return 0;
}

static int term_holds(const struct term *t, const struct certmap_cert *c)
{
	unsigned int i, j;

	switch (t->kind) {
	case T_ISSUER:
		return !regexec(&t->re, c->issuer, 0, NULL, 0);
	case T_SUBJECT:
		return !regexec(&t->re, c->subject, 0, NULL, 0);
	case T_UPN:
		return any_re(&t->re, (char (*)[CERTMAP_VALUE_MAX])c->upn,
			      c->n_upn);
	case T_RFC822:
		return any_re(&t->re, (char (*)[CERTMAP_VALUE_MAX])c->rfc822,
			      c->n_rfc822);
	case T_DNS:
		return any_re(&t->re, (char (*)[CERTMAP_VALUE_MAX])c->dns,
			      c->n_dns);
	case T_URI:
		return any_re(&t->re, (char (*)[CERTMAP_VALUE_MAX])c->uri,
			      c->n_uri);
	case T_KU:
		/* no KU extension: RFC 5280 says any use, but a rule that
		 * asks for one wants it written down */
		return c->has_ku && (c->ku & t->ku) == t->ku;
	case T_EKU:
		for (i = 0; i < t->n_eku; i++) {
			for (j = 0; j < c->n_eku; j++)
				if (!strcmp(t->eku[i], c->eku[j]))
					break;
			if (j == c->n_eku)
				return 0;
		}
		return 1;
	}
	return 0;
}

/* Terms are an OR of AND groups (&& binds tighter). */
static int match_holds(const struct rule *r, const struct certmap_cert *c)
{
	unsigned int i;
	int group = 1;

	if (!r->has_match)
		return 1;
	for (i = 0; i < r->n_terms; i++) {
		if (r->terms[i].or_before) {
			if (group)
				return 1;
			group = 1;
		}
		if (group && !term_holds(&r->terms[i], c))
			group = 0;
	}
	return group;
}

static int bind_holds(const struct rule *r, const struct certmap_cert *c)
{
	unsigned int i;

	if (!r->n_binds)
		return 1;
	for (i = 0; i < r->n_binds; i++) {
		const struct bind *b = &r->binds[i];

		switch (b->kind) {
		case B_SKI:
			if (c->ski[0] && !strcmp(b->hex, c->ski))
				return 1;
			break;
		case B_PUKEY:
			if (!strcmp(b->hex, c->pukey_sha256))
				return 1;
			break;
		case B_ISSUER_SERIAL:
			if (!strcmp(b->serial, c->serial) &&
			    !strcmp(b->issuer, c->issuer))
				return 1;
			break;
		}
	}
	return 0;
}

/* The one value of a field; 0 absent, -1 ambiguous (several values). */
static int field_value(const char *f, size_t n, const struct certmap_cert *c,
		       char *dst, size_t size)
{
	const char *src = NULL, *at;
	unsigned int count = 1;
	size_t len;

#define IS(name) (n == strlen(name) && !strncmp(f, name, n))
	if (IS("upn") || IS("upn_short") || IS("upn_domain")) {
		count = c->n_upn;
		src = c->upn[0];
	} else if (IS("rfc822") || IS("rfc822_local")) {
		count = c->n_rfc822;
		src = c->rfc822[0];
	} else if (IS("dns") || IS("dns_short")) {
		count = c->n_dns;
		src = c->dns[0];
	} else if (IS("subject_cn")) {
		src = c->subject_cn;
	} else if (IS("subject_uid")) {
		src = c->subject_uid;
	}
	if (!src || !count || !*src)
		return 0;
	if (count > 1)
		return -1;
	len = strlen(src);
	if (IS("upn_short") || IS("rfc822_local")) {
		at = strrchr(src, '@');
		if (!at)
			return -1;
		len = (size_t)(at - src);
	} else if (IS("upn_domain")) {
		at = strrchr(src, '@');
		if (!at)
			return -1;
		src = at + 1;
		len = strlen(src);
	} else if (IS("dns_short")) {
		at = strchr(src, '.');
		if (at)
			len = (size_t)(at - src);
	}
#undef IS
	if (!len || len >= size)
		return -1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 1;
}

/* 1 made, 0 a field is absent (the rule does not apply), -1 bad name. */
static int expand(const char *tpl, const struct certmap_cert *c, char *dst,
		  size_t size, char *why, size_t whylen)
{
	char val[CERTMAP_VALUE_MAX];
	const char *p, *close;
	size_t n = 0, fl, i;
	int lower, r;

	for (p = tpl; *p; p++) {
		if (*p != '{') {
			if (n + 1 >= size)
				goto too_long;
			dst[n++] = *p;
			continue;
		}
		close = strchr(p, '}');
		fl = (size_t)(close - p - 1);
		lower = fl > 6 && !strncmp(close - 6, ":lower", 6);
		if (lower)
			fl -= 6;
		r = field_value(p + 1, fl, c, val, sizeof(val));
		if (r == 0)
			return 0;
		if (r < 0) {
			snprintf(why, whylen, "{%.*s}: several or unusable values",
				 (int)fl, p + 1);
			return -1;
		}
		for (i = 0; val[i]; i++) {
			if (!name_char(val[i]) && val[i] != '@') {
				snprintf(why, whylen,
					 "{%.*s} has a character not allowed in an account name",
					 (int)fl, p + 1);
				return -1;
			}
			if (n + 1 >= size)
				goto too_long;
			dst[n++] = lower ? (char)tolower((unsigned char)val[i]) :
				   val[i];
		}
		p = close;
	}
	dst[n] = '\0';
	if (!n || dst[0] == '-' || dst[0] == '.' || dst[0] == '@' ||
	    !strcmp(dst, "..")) {
		snprintf(why, whylen, "'%.64s' is not an account name", dst);
		return -1;
	}
	return 1;
too_long:
	snprintf(why, whylen, "account name too long");
	return -1;
}

enum certmap_result certmap_find(const struct certmap *m,
				 const struct certmap_cert *c,
				 int require_strong, struct certmap_match *res,
				 char *why, size_t whylen)
{
	const struct rule *weak = NULL;
	char ewhy[192];
	unsigned int i;
	int r;

	memset(res, 0, sizeof(*res));
	snprintf(why, whylen, "no rule matches");
	for (i = 0; m && i < m->n; i++) {
		const struct rule *rule = m->rules[i];

		if (!match_holds(rule, c) || !bind_holds(rule, c))
			continue;
		if (require_strong && !rule->n_binds) {
			if (!weak)
				weak = rule;
			continue;
		}
		r = expand(rule->map, c, res->account, sizeof(res->account),
			   ewhy, sizeof(ewhy));
		if (r == 0)
			continue;
		snprintf(res->rule, sizeof(res->rule), "%s", rule->name);
		snprintf(res->where, sizeof(res->where), "%s:%d", m->fname,
			 rule->line);
		res->strong = rule->n_binds > 0;
		if (r < 0) {
			snprintf(why, whylen, "rule [%s] (%s): %s", rule->name,
				 res->where, ewhy);
			res->account[0] = '\0';
			return CERTMAP_BAD_NAME;
		}
		snprintf(why, whylen, "rule [%s] (%s), %s binding", rule->name,
			 res->where, res->strong ? "strong" : "weak");
		return CERTMAP_OK;
	}
	if (weak) {
		snprintf(why, whylen,
			 "only weak binding rule [%s] (%s:%d) matches and x509_require_strong is on",
			 weak->name, m->fname, weak->line);
		return CERTMAP_WEAK_ONLY;
	}
	return CERTMAP_NO_MATCH;
}
