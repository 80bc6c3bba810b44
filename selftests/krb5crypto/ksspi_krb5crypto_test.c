// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi_krb5crypto_test: known-answer and token tests of kmod/krb5_*.c,
 * driven by selftests/ksspi/krb5crypto_test.c through debugfs:
 *
 *   /sys/kernel/debug/ksspi_krb5crypto/cases   the case names, one a line
 *   /sys/kernel/debug/ksspi_krb5crypto/run     write a case name, read
 *                                              "pass" or "fail: why"
 *
 * It calls the functions ksspi.ko exports (namespace KSSPI_INTERNAL), the
 * ones the product uses.  Vectors: RFC 3961 A.1 (n-fold), RFC 3962 B
 * (DK of string-to-key, AES-CTS), RFC 8009 A (key derivation, encryption
 * with a given confounder, checksums).
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "../../kmod/krb5.h"

MODULE_IMPORT_NS(KSSPI_INTERNAL);

#define TEXT_MAX	8192
#define HEX_MAX		256	/* bytes of a hex vector */

struct kc_out {
	char *text;
	size_t len;
};

static __printf(2, 3) void out(struct kc_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	o->len += vscnprintf(o->text + o->len, TEXT_MAX - o->len, fmt, ap);
	va_end(ap);
}

/* Fails the case with a message; used as "return fail(o, ...)". */
#define fail(o, fmt, ...) ({ out(o, "fail: " fmt "\n", ##__VA_ARGS__); -1; })

/* Decodes a hex vector into a kmalloc'ed buffer (the tests free it). */
static u8 *unhex(const char *hex, unsigned int *len)
{
	unsigned int n = strlen(hex) / 2;
	u8 *p = kmalloc(max(n, 1U), GFP_KERNEL);

	if (!p)
		return NULL;
	if (hex2bin(p, hex, n)) {
		kfree(p);
		return NULL;
	}
	*len = n;
	return p;
}

static int check_bytes(struct kc_out *o, const char *what, const u8 *got,
		       const char *want_hex)
{
	unsigned int n;
	u8 *want = unhex(want_hex, &n);
	int ret = 0;

	if (!want)
		return fail(o, "%s: bad vector", what);
	if (memcmp(got, want, n))
		ret = fail(o, "%s: got %*phN, want %s", what, min(n, 64U), got,
			   want_hex);
	kfree(want);
	return ret;
}

/* ---- RFC 3961 A.1: n-fold -------------------------------------------- */

struct nfold_vec {
	const char *in;		/* ASCII */
	unsigned int bits;
	const char *out;
};

static const struct nfold_vec nfold_vecs[] = {
	{ "012345", 64, "be072631276b1955" },
	{ "password", 56, "78a07b6caf85fa" },
	{ "Rough Consensus, and Running Code", 64, "bb6ed30870b7f0e0" },
	{ "password", 168, "59e4a8ca7c0385c3c37b3f6d2000247cb6e6bd5b3e" },
	{ "MASSACHVSETTS INSTITVTE OF TECHNOLOGY", 192,
	  "db3b0d8f0b061e603282b308a50841229ad798fab9540c1b" },
	{ "Q", 168, "518a54a215a8452a518a54a215a8452a518a54a215" },
	{ "ba", 168, "fb25d531ae8974499f52fd92ea9857c4ba24cf297e" },
	{ "kerberos", 64, "6b65726265726f73" },
	{ "kerberos", 128, "6b65726265726f737b9b5b2b93132b93" },
	{ "kerberos", 168, "8372c236344e5f1550cd0747e15d62ca7a5a3bcea4" },
	{ "kerberos", 256, "6b65726265726f737b9b5b2b93132b935c9bdcdad95c9899c4cae4dee6d6cae4" },
};

static int case_nfold(struct kc_out *o, unsigned long i)
{
	const struct nfold_vec *v = &nfold_vecs[i];
	u8 res[32];
	int err;

	err = ksspi_krb5_nfold(v->in, strlen(v->in), res, v->bits / 8);
	if (err)
		return fail(o, "nfold: %d", err);
	return check_bytes(o, "n-fold", res, v->out);
}

/* ---- RFC 3962 B: DK("kerberos") of the PBKDF2 output ------------------ */

struct dk_vec {
	u32 etype;
	const char *pbkdf2;	/* tkey: PBKDF2-HMAC-SHA1 output */
	const char *key;	/* DK(tkey, "kerberos") */
};

static const struct dk_vec dk_vecs[] = {
	/* iteration count 1, "password", "ATHENA.MIT.EDUraeburn" */
	{ 17, "cdedb5281bb2f801565a1122b2563515",
	  "42263c6e89f4fc28b8df68ee09799f15" },
	{ 18, "cdedb5281bb2f801565a1122b25635150ad1f7a04bb9f3a333ecc0e2e1f70837",
	  "fe697b52bc0d3ce14432ba036a92e65bbb52280990a2fa27883998d72af30161" },
	/* iteration count 2 */
	{ 17, "01dbee7f4a9e243e988b62c73cda935d",
	  "c651bf29e2300ac27fa469d693bdda13" },
	{ 18, "01dbee7f4a9e243e988b62c73cda935da05378b93244ec8f48a99e61ad799d86",
	  "a2e16d16b36069c135d5e9d2e25f896102685618b95914b467c67622225824ff" },
	/* iteration count 1200 */
	{ 17, "5c08eb61fdf71e4e4ec3cf6ba1f5512b",
	  "4c01cd46d632d01e6dbe230a01ed642a" },
	{ 18, "5c08eb61fdf71e4e4ec3cf6ba1f5512ba7e52ddbc5e5142f708a31e2e62b1e13",
	  "55a6ac740ad17b4846941051e1e8b0a7548d93b0ab30a8bc3ff16280382b8c2a" },
};

static int case_dk(struct kc_out *o, unsigned long i)
{
	const struct dk_vec *v = &dk_vecs[i];
	unsigned int len;
	u8 *tkey = unhex(v->pbkdf2, &len), res[32];
	int err, ret;

	if (!tkey)
		return fail(o, "bad vector");
	err = ksspi_krb5_derive(v->etype, tkey, len, "kerberos", 8, res, len);
	kfree(tkey);
	if (err)
		return fail(o, "derive: %d", err);
	ret = check_bytes(o, "DK", res, v->key);
	memzero_explicit(res, sizeof(res));
	return ret;
}

/* ---- RFC 3962 B: AES-128-CTS, IV 0, key "chicken teriyaki" ------------ */

static const char cts_plain[] =
	"I would like the General Gau's Chicken, please, and wonton soup.";

struct cts_vec {
	unsigned int len;
	const char *ct;
};

static const struct cts_vec cts_vecs[] = {
	{ 17, "c6353568f2bf8cb4d8a580362da7ff7f97" },
	{ 31, "fc00783e0efdb2c1d445d4c8eff7ed2297687268d6ecccc0c07b25e25ecfe5" },
	{ 32, "39312523a78662d5be7fcbcc98ebf5a897687268d6ecccc0c07b25e25ecfe584" },
	{ 47,
	  "97687268d6ecccc0c07b25e25ecfe584b3fffd940c16a18c1b5549d2f838029e39312523a78662d5be7fcbcc98ebf5"
	},
	{ 48,
	  "97687268d6ecccc0c07b25e25ecfe5849dad8bbb96c4cdc03bc103e1a194bbd839312523a78662d5be7fcbcc98ebf5a8"
	},
	{ 64,
	  "97687268d6ecccc0c07b25e25ecfe58439312523a78662d5be7fcbcc98ebf5a84807efe836ee89a526730dbc2f7bc8409dad8bbb96c4cdc03bc103e1a194bbd8"
	},
};

static int case_cts(struct kc_out *o, unsigned long i)
{
	const struct cts_vec *v = &cts_vecs[i];
	u8 buf[64];
	int err;

	memcpy(buf, cts_plain, v->len);
	err = ksspi_krb5_kat_cts("chicken teriyaki", 16, buf, v->len, true);
	if (err)
		return fail(o, "encrypt: %d", err);
	if (check_bytes(o, "ciphertext", buf, v->ct))
		return -1;
	err = ksspi_krb5_kat_cts("chicken teriyaki", 16, buf, v->len, false);
	if (err)
		return fail(o, "decrypt: %d", err);
	if (memcmp(buf, cts_plain, v->len))
		return fail(o, "decrypt: not the plaintext");
	return 0;
}

/* ---- RFC 8009 A ------------------------------------------------------- */

static const char * const k8009[2] = {
	"3705d96080c17728a0e800eab6e0d23c",
	"6d404d37faf79f9df0d33568d320669800eb4836472ea8a026d16b7182460c52",
};

static int case_8009_keys(struct kc_out *o, unsigned long i)
{
	static const char * const want[2][3] = {
		{ "b31a018a48f54776f403e9a396325dc3",
		  "9b197dd1e8c5609d6e67c3e37c62c72e",
		  "9fda0e56ab2d85e1569a688696c26a6c" },
		{ "ef5718be86cc84963d8bbb5031e9f5c4ba41f28faf69e73d",
		  "56ab22bee63d82d7bc5227f6773f8ea7a5eb1c825160c38312980c442e5c7e49",
		  "69b16514e3cd8e56b82010d5c73012b622c4d00ffc23ed1f" },
	};
	static const u8 kind[3] = { 0x99, 0xaa, 0x55 };
	static const char * const name[3] = { "Kc", "Ke", "Ki" };
	unsigned int len, j;
	u8 *base = unhex(k8009[i], &len), res[32];
	int err = 0;

	if (!base)
		return fail(o, "bad vector");
	for (j = 0; j < 3 && !err; j++) {
		u8 c[5] = { 0, 0, 0, 2, kind[j] };

		err = ksspi_krb5_derive(19 + i, base, len, c, sizeof(c), res,
					strlen(want[i][j]) / 2);
		if (err)
			err = fail(o, "%s: derive: %d", name[j], err);
		else
			err = check_bytes(o, name[j], res, want[i][j]);
	}
	kfree(base);
	return err;
}

struct enc_vec {
	unsigned int et;	/* 0: 19, 1: 20 */
	const char *plain;
	const char *conf;
	const char *ct;
};

static const struct enc_vec enc_vecs[] = {
	{ 0, "", "7e5895eaf2672435bad817f545a37148",
	  "ef85fb890bb8472f4dab20394dca781dad877eda39d50c870c0d5a0a8e48c718" },
	{ 0, "000102030405", "7bca285e2fd4130fb55b1a5c83bc5b24",
	  "84d7f30754ed987bab0bf3506beb09cfb55402cef7e6877ce99e247e52d16ed4421dfdf8976c" },
	{ 0, "000102030405060708090a0b0c0d0e0f",
	  "56ab21713ff62c0a1457200f6fa9948f",
	  "3517d640f50ddc8ad3628722b3569d2ae07493fa8263254080ea65c1008e8fc295fb4852e7d83e1e7c48c37eebe6b0d3"
	},
	{ 0, "000102030405060708090a0b0c0d0e0f1011121314",
	  "a7a4e29a4728ce10664fb64e49ad3fac",
	  "720f73b18d9859cd6ccb4346115cd336c70f58edc0c4437c5573544c31c813bce1e6d072c186b39a413c2f92ca9b8334a287ffcbfc"
	},
	{ 1, "", "f764e9fa15c276478b2c7d0c4e5f58e4",
	  "41f53fa5bfe7026d91faf9be959195a058707273a96a40f0a01960621ac612748b9bbfbe7eb4ce3c" },
	{ 1, "000102030405", "b80d3251c1f6471494256ffe712d0b9a",
	  "4ed7b37c2bcac8f74f23c1cf07e62bc7b75fb3f637b9f559c7f664f69eab7b6092237526ea0d1f61cb20d69d10f2"
	},
	{ 1, "000102030405060708090a0b0c0d0e0f",
	  "53bf8a0d105265d4e276428624ce5e63",
	  "bc47ffec7998eb91e8115cf8d19dac4bbbe2e163e87dd37f49beca92027764f68cf51f14d798c2273f35df574d1f932e40c4ff255b36a266"
	},
	{ 1, "000102030405060708090a0b0c0d0e0f1011121314",
	  "763e65367e864f02f55153c7e3b58af1",
	  "40013e2df58e8751957d2878bcd2d6fe101ccfd556cb1eae79db3c3ee86429f2b2a602ac86fef6ecb647d6295fae077a1feb517508d2c16b4192e01f62"
	},
};

static int case_8009_enc(struct kc_out *o, unsigned long i)
{
	const struct enc_vec *v = &enc_vecs[i];
	unsigned int blen, plen, clen, ctlen;
	u8 *base = unhex(k8009[v->et], &blen);
	u8 *plain = unhex(v->plain, &plen);
	u8 *conf = unhex(v->conf, &clen);
	u8 *ct = kmalloc(HEX_MAX, GFP_KERNEL);
	int err, ret = -1;

	if (!base || !plain || !conf || !ct) {
		fail(o, "bad vector or no memory");
		goto out_free;
	}
	ctlen = strlen(v->ct) / 2;
	err = ksspi_krb5_kat_encrypt(19 + v->et, base, blen, 2, conf, plain,
				     plen, ct);
	if (err) {
		fail(o, "encrypt: %d", err);
		goto out_free;
	}
	if (check_bytes(o, "ciphertext", ct, v->ct))
		goto out_free;
	err = ksspi_krb5_kat_decrypt(19 + v->et, base, blen, 2, ct, ctlen);
	if (err) {
		fail(o, "decrypt: %d", err);
		goto out_free;
	}
	if (memcmp(ct, conf, 16) || memcmp(ct + 16, plain, plen)) {
		fail(o, "decrypt: not the confounder and plaintext");
		goto out_free;
	}
	/* Every byte of the ciphertext and checksum matters. */
	for (clen = 0; clen < ctlen; clen++) {
		if (hex2bin(ct, v->ct, ctlen))
			break;
		ct[clen] ^= 0x01;
		err = ksspi_krb5_kat_decrypt(19 + v->et, base, blen, 2, ct,
					     ctlen);
		if (err != -EBADMSG) {
			fail(o, "byte %u flipped: %d, want -EBADMSG", clen,
			     err);
			goto out_free;
		}
	}
	ret = 0;
out_free:
	kfree(ct);
	kfree(conf);
	kfree(plain);
	kfree(base);
	return ret;
}

static int case_8009_mic(struct kc_out *o, unsigned long i)
{
	static const char * const want[2] = {
		"d78367186643d67b411cba9139fc1dee",
		"45ee791567eefca37f4ac1e0222de80d43c3bfa06699672a",
	};
	unsigned int blen, plen;
	u8 *base = unhex(k8009[i], &blen);
	u8 *plain = unhex("000102030405060708090a0b0c0d0e0f1011121314", &plen);
	u8 res[24];
	int err, ret = -1;

	if (!base || !plain) {
		fail(o, "bad vector or no memory");
		goto out_free;
	}
	err = ksspi_krb5_kat_checksum(19 + i, base, blen, 2, plain, plen, res);
	if (err)
		fail(o, "checksum: %d", err);
	else
		ret = check_bytes(o, "checksum", res, want[i]);
out_free:
	kfree(plain);
	kfree(base);
	return ret;
}

/* ---- RFC 4121 tokens -------------------------------------------------- */

static const u32 etypes[] = { 17, 18, 19, 20 };

struct kc_pair {
	struct ksspi_krb5_ctx *ini;
	struct ksspi_krb5_ctx *acc;
};

static void pair_free(struct kc_pair *p)
{
	ksspi_krb5_ctx_free(p->ini);
	ksspi_krb5_ctx_free(p->acc);
}

/* Both ends of a context over one random key. */
static int pair_new(struct kc_out *o, u32 et, u32 flags, struct kc_pair *p)
{
	unsigned int keylen = et == 17 || et == 19 ? 16 : 32;
	u8 key[32];

	get_random_bytes(key, sizeof(key));
	p->ini = ksspi_krb5_ctx_new(et, key, keylen,
				    flags | KSSPI_KRB5_F_INITIATOR, GFP_KERNEL);
	p->acc = ksspi_krb5_ctx_new(et, key, keylen, flags, GFP_KERNEL);
	memzero_explicit(key, sizeof(key));
	if (IS_ERR(p->ini) || IS_ERR(p->acc)) {
		fail(o, "ctx_new(%u): %d %d", et, PTR_ERR_OR_ZERO(p->ini),
		     PTR_ERR_OR_ZERO(p->acc));
		if (!IS_ERR(p->ini))
			ksspi_krb5_ctx_free(p->ini);
		if (!IS_ERR(p->acc))
			ksspi_krb5_ctx_free(p->acc);
		p->ini = NULL;
		p->acc = NULL;
		return -1;
	}
	return 0;
}

static const unsigned int sizes[] = {
	0, 1, 15, 16, 17, 31, 32, 33, 255, 1000, 1023, 1024, 4097, 16384,
	65535, 65536,
};

enum kc_layout { L_TRAILER, L_DCE, L_SIGN_ONLY, L_NR };
static const char * const layout_name[] = { "trailer", "dce", "sign-only" };

/*
 * One message in one layout: @buf holds header, data and trailer
 * contiguously (a gss_wrap() token once wrapped); SIGN_ONLY pieces are
 * separate.
 */
struct kc_msg {
	struct ksspi_krb5_iov iov[5];
	unsigned int n;
	u8 *buf;
	u8 *so;		/* two SIGN_ONLY pieces of 7 and 9 bytes */
	u8 *orig;
	unsigned int len;
	unsigned int total;
};

static void msg_free(struct kc_msg *m)
{
	kvfree(m->buf);
	kfree(m->so);
	kvfree(m->orig);
}

static int msg_new(struct kc_msg *m, struct ksspi_krb5_ctx *k, bool conf,
		   enum kc_layout lay, unsigned int len, bool use_vmalloc)
{
	struct ksspi_krb5_sizes s;
	unsigned int h;

	memset(m, 0, sizeof(*m));
	ksspi_krb5_sizes(k, conf, &s);
	m->len = len;
	m->total = s.header + len + s.trailer;
	h = lay == L_DCE ? s.header + s.trailer : s.header;
	m->buf = use_vmalloc ? vmalloc(m->total) :
			       kvmalloc(m->total, GFP_KERNEL);
	m->orig = kvmalloc(len + 1, GFP_KERNEL);
	m->so = kmalloc(16, GFP_KERNEL);
	if (!m->buf || !m->orig || !m->so) {
		msg_free(m);
		return -ENOMEM;
	}
	get_random_bytes(m->buf + h, len);
	memcpy(m->orig, m->buf + h, len);
	get_random_bytes(m->so, 16);
	m->iov[m->n++] = (struct ksspi_krb5_iov){ KSSPI_KRB5_IOV_HEADER, h,
						  m->buf };
	if (lay == L_SIGN_ONLY)
		m->iov[m->n++] = (struct ksspi_krb5_iov){
			KSSPI_KRB5_IOV_SIGN_ONLY, 7, m->so };
	m->iov[m->n++] = (struct ksspi_krb5_iov){ KSSPI_KRB5_IOV_DATA, len,
						  m->buf + h };
	if (lay == L_SIGN_ONLY)
		m->iov[m->n++] = (struct ksspi_krb5_iov){
			KSSPI_KRB5_IOV_SIGN_ONLY, 9, m->so + 7 };
	if (lay != L_DCE)
		m->iov[m->n++] = (struct ksspi_krb5_iov){
			KSSPI_KRB5_IOV_TRAILER, s.trailer, m->buf + h + len };
	return 0;
}

/* Wrap by @tx, unwrap by @rx as pieces and as a STREAM; check all. */
static int roundtrip(struct kc_out *o, struct ksspi_krb5_ctx *tx,
		     struct ksspi_krb5_ctx *rx, bool conf, enum kc_layout lay,
		     unsigned int len, bool use_vmalloc)
{
	struct ksspi_krb5_iov iov[5], st[4];
	u64 seq = ((u64)get_random_u32() << 32) | len, got_seq = 0;
	bool got_conf = !conf;
	struct kc_msg m;
	unsigned int ns = 0, i;
	int err, ret = -1;
	u8 *data;

	if (msg_new(&m, tx, conf, lay, len, use_vmalloc))
		return fail(o, "no memory");
	data = m.iov[lay == L_SIGN_ONLY ? 2 : 1].data;
	err = ksspi_krb5_wrap(tx, seq, conf, m.iov, m.n);
	if (err) {
		fail(o, "wrap: %d", err);
		goto out;
	}
	if (m.iov[0].len + len + (lay == L_DCE ? 0 : m.iov[m.n - 1].len) !=
	    m.total) {
		fail(o, "wrap used %u + %u bytes of %u", m.iov[0].len, len,
		     m.total);
		goto out;
	}
	if (conf && len >= 16 && !memcmp(data, m.orig, len)) {
		fail(o, "wrap: DATA not encrypted in place");
		goto out;
	}
	if (!conf && memcmp(data, m.orig, len)) {
		fail(o, "wrap: DATA changed without confidentiality");
		goto out;
	}
	/* The STREAM copy first: the pieces are unwrapped in place. */
	st[ns++] = (struct ksspi_krb5_iov){ KSSPI_KRB5_IOV_STREAM, m.total,
					    NULL };
	st[0].data = kvmalloc(m.total, GFP_KERNEL);
	if (!st[0].data) {
		fail(o, "no memory");
		goto out;
	}
	memcpy(st[0].data, m.buf, m.total);
	if (lay == L_SIGN_ONLY) {
		st[ns++] = m.iov[1];
		st[ns++] = (struct ksspi_krb5_iov){ KSSPI_KRB5_IOV_DATA, 0,
						    NULL };
		st[ns++] = m.iov[3];
	} else {
		st[ns++] = (struct ksspi_krb5_iov){ KSSPI_KRB5_IOV_DATA, 0,
						    NULL };
	}
	memcpy(iov, m.iov, sizeof(iov));
	err = ksspi_krb5_unwrap(rx, iov, m.n, &got_conf, &got_seq);
	if (err || got_conf != conf || got_seq != seq) {
		fail(o, "unwrap: %d conf %d seq %llx, want %llx", err,
		     got_conf, got_seq, seq);
		goto out_stream;
	}
	if (memcmp(data, m.orig, len)) {
		fail(o, "unwrap: not the plaintext");
		goto out_stream;
	}
	got_seq = 0;
	got_conf = !conf;
	err = ksspi_krb5_unwrap(rx, st, ns, &got_conf, &got_seq);
	if (err || got_conf != conf || got_seq != seq) {
		fail(o, "unwrap STREAM: %d conf %d seq %llx, want %llx", err,
		     got_conf, got_seq, seq);
		goto out_stream;
	}
	i = lay == L_SIGN_ONLY ? 2 : 1;
	if (st[i].len != len || st[i].data < st[0].data ||
	    st[i].data + len > st[0].data + m.total ||
	    memcmp(st[i].data, m.orig, len)) {
		fail(o, "unwrap STREAM: DATA is not the plaintext");
		goto out_stream;
	}
	ret = 0;
out_stream:
	kvfree(st[0].data);
out:
	msg_free(&m);
	return ret;
}

static int case_wrap(struct kc_out *o, unsigned long i)
{
	struct kc_pair p;
	unsigned int s, lay, dir, conf;
	int ret = 0;

	if (pair_new(o, etypes[i], 0, &p))
		return -1;
	for (s = 0; s < ARRAY_SIZE(sizes) && !ret; s++)
		for (lay = 0; lay < L_NR && !ret; lay++)
			for (dir = 0; dir < 2 && !ret; dir++)
				for (conf = 0; conf < 2 && !ret; conf++) {
					ret = roundtrip(o, dir ? p.acc : p.ini,
							dir ? p.ini : p.acc,
							conf, lay, sizes[s],
							false);
					if (ret)
						out(o, "  (%s, %u bytes, %s, conf %u)\n",
						    layout_name[lay], sizes[s],
						    dir ? "acceptor" : "initiator",
						    conf);
				}
	pair_free(&p);
	return ret;
}

/* With the acceptor-subkey flag, and vmalloc'ed buffers (one sg a page). */
static int case_subkey_vmalloc(struct kc_out *o, unsigned long i)
{
	struct kc_pair p;
	unsigned int dir, conf;
	int ret = 0;

	if (pair_new(o, etypes[i], KSSPI_KRB5_F_ACCEPTOR_SUBKEY, &p))
		return -1;
	for (dir = 0; dir < 2 && !ret; dir++)
		for (conf = 0; conf < 2 && !ret; conf++)
			ret = roundtrip(o, dir ? p.acc : p.ini,
					dir ? p.ini : p.acc, conf,
					conf ? L_DCE : L_TRAILER, 65536 - 3,
					true);
	pair_free(&p);
	return ret;
}

static int expect_bad(int err)
{
	return err == -EBADMSG || err == -EPROTO;
}

static int case_mic(struct kc_out *o, unsigned long i)
{
	struct ksspi_krb5_iov iov[3];
	struct ksspi_krb5_sizes s;
	u8 tok[64], bad[65], *msg;
	unsigned int toklen, s_i, j, bit;
	struct kc_pair p;
	u64 seq;
	int err, ret = -1;

	if (pair_new(o, etypes[i], 0, &p))
		return -1;
	msg = kvmalloc(65536 + 8, GFP_KERNEL);
	if (!msg) {
		fail(o, "no memory");
		goto out_pair;
	}
	get_random_bytes(msg, 65536 + 8);
	ksspi_krb5_sizes(p.ini, false, &s);
	for (s_i = 0; s_i < ARRAY_SIZE(sizes); s_i++) {
		unsigned int len = sizes[s_i];

		iov[0] = (struct ksspi_krb5_iov){ KSSPI_KRB5_IOV_DATA, len,
						  msg };
		iov[1] = (struct ksspi_krb5_iov){ KSSPI_KRB5_IOV_SIGN_ONLY, 8,
						  msg + len };
		toklen = s.mic - 1;
		err = ksspi_krb5_get_mic(p.ini, len, iov, 2, tok, &toklen);
		if (err != -EMSGSIZE) {
			fail(o, "get_mic into %u bytes: %d", s.mic - 1, err);
			goto out_msg;
		}
		toklen = sizeof(tok);
		err = ksspi_krb5_get_mic(p.ini, len, iov, 2, tok, &toklen);
		if (err || toklen != s.mic) {
			fail(o, "get_mic: %d, %u bytes", err, toklen);
			goto out_msg;
		}
		err = ksspi_krb5_verify_mic(p.acc, iov, 2, tok, toklen, &seq);
		if (err || seq != len) {
			fail(o, "verify_mic (%u bytes): %d", len, err);
			goto out_msg;
		}
		err = ksspi_krb5_verify_mic(p.ini, iov, 2, tok, toklen, &seq);
		if (err != -EPROTO) {
			fail(o, "own MIC reflected: %d, want -EPROTO", err);
			goto out_msg;
		}
		if (len) {
			msg[len - 1] ^= 0x80;
			err = ksspi_krb5_verify_mic(p.acc, iov, 2, tok, toklen,
						    &seq);
			msg[len - 1] ^= 0x80;
			if (err != -EBADMSG) {
				fail(o, "message changed: %d", err);
				goto out_msg;
			}
		}
		msg[len] ^= 1;	/* the SIGN_ONLY piece */
		err = ksspi_krb5_verify_mic(p.acc, iov, 2, tok, toklen, &seq);
		msg[len] ^= 1;
		if (err != -EBADMSG) {
			fail(o, "SIGN_ONLY changed: %d", err);
			goto out_msg;
		}
	}
	/* Tamper with the last token (64 KiB): every byte, two bits. */
	for (j = 0; j < toklen; j++)
		for (bit = 0; bit < 2; bit++) {
			memcpy(bad, tok, toklen);
			bad[j] ^= bit ? 0x80 : 0x01;
			err = ksspi_krb5_verify_mic(p.acc, iov, 2, bad, toklen,
						    &seq);
			if (!expect_bad(err)) {
				fail(o, "byte %u ^ %#x: %d", j,
				     bit ? 0x80 : 1, err);
				goto out_msg;
			}
		}
	for (j = 0; j < toklen; j++) {
		err = ksspi_krb5_verify_mic(p.acc, iov, 2, tok, j, &seq);
		if (err != -EMSGSIZE) {
			fail(o, "truncated to %u: %d, want -EMSGSIZE", j, err);
			goto out_msg;
		}
	}
	memcpy(bad, tok, toklen);
	bad[toklen] = 0;
	err = ksspi_krb5_verify_mic(p.acc, iov, 2, bad, toklen + 1, &seq);
	if (err != -EPROTO) {
		fail(o, "one byte too long: %d, want -EPROTO", err);
		goto out_msg;
	}
	ret = 0;
out_msg:
	kvfree(msg);
out_pair:
	pair_free(&p);
	return ret;
}

/*
 * Tampering with a wrapped 37-byte message: every byte of the token (as
 * pieces and as a STREAM) flipped, two bits each, fails; truncated pieces
 * are -EMSGSIZE.
 */
static int tamper_one(struct kc_out *o, struct kc_pair *p, bool conf,
		      enum kc_layout lay)
{
	const unsigned int len = 37;
	struct ksspi_krb5_iov iov[5];
	unsigned int j, bit, piece;
	struct kc_msg m;
	u8 *good = NULL;
	bool c;
	u64 seq;
	int err, ret = -1;

	if (msg_new(&m, p->ini, conf, lay, len, false))
		return fail(o, "no memory");
	err = ksspi_krb5_wrap(p->ini, 7, conf, m.iov, m.n);
	good = kmemdup(m.buf, m.total, GFP_KERNEL);
	if (err || !good) {
		fail(o, "wrap: %d", err);
		goto out;
	}
	for (j = 0; j < m.total; j++)
		for (bit = 0; bit < 2; bit++) {
			/* As pieces. */
			memcpy(m.buf, good, m.total);
			m.buf[j] ^= bit ? 0x80 : 0x01;
			memcpy(iov, m.iov, sizeof(iov));
			err = ksspi_krb5_unwrap(p->acc, iov, m.n, &c, &seq);
			if (!expect_bad(err)) {
				fail(o, "%s: byte %u ^ %#x: %d",
				     layout_name[lay], j, bit ? 0x80 : 1, err);
				goto out;
			}
			/* As a STREAM. */
			memcpy(m.buf, good, m.total);
			m.buf[j] ^= bit ? 0x80 : 0x01;
			iov[0] = (struct ksspi_krb5_iov){
				KSSPI_KRB5_IOV_STREAM, m.total, m.buf };
			err = ksspi_krb5_unwrap(p->acc, iov, 1, &c, &seq);
			if (lay != L_SIGN_ONLY && !expect_bad(err)) {
				fail(o, "STREAM: byte %u ^ %#x: %d", j,
				     bit ? 0x80 : 1, err);
				goto out;
			}
		}
	/* Truncated HEADER and TRAILER pieces. */
	for (piece = 0; piece < m.n; piece++) {
		if (m.iov[piece].type != KSSPI_KRB5_IOV_HEADER &&
		    m.iov[piece].type != KSSPI_KRB5_IOV_TRAILER)
			continue;
		for (j = 0; j < m.iov[piece].len; j++) {
			memcpy(m.buf, good, m.total);
			memcpy(iov, m.iov, sizeof(iov));
			iov[piece].len = j;
			err = ksspi_krb5_unwrap(p->acc, iov, m.n, &c, &seq);
			if (err != -EMSGSIZE) {
				fail(o, "%s: piece %u truncated to %u: %d",
				     layout_name[lay], piece, j, err);
				goto out;
			}
		}
	}
	/* A STREAM shorter than the smallest token. */
	for (j = 0; j < m.total - len; j++) {
		memcpy(m.buf, good, m.total);
		iov[0] = (struct ksspi_krb5_iov){ KSSPI_KRB5_IOV_STREAM, j,
						  m.buf };
		err = ksspi_krb5_unwrap(p->acc, iov, 1, &c, &seq);
		if (err != -EMSGSIZE) {
			fail(o, "STREAM truncated to %u: %d", j, err);
			goto out;
		}
	}
	/* Reflected to the sender, and to a context without the subkey. */
	memcpy(m.buf, good, m.total);
	memcpy(iov, m.iov, sizeof(iov));
	err = ksspi_krb5_unwrap(p->ini, iov, m.n, &c, &seq);
	if (err != -EPROTO) {
		fail(o, "reflected: %d, want -EPROTO", err);
		goto out;
	}
	memcpy(m.buf, good, m.total);
	err = ksspi_krb5_unwrap(p->acc, iov, m.n, &c, &seq);
	if (err || seq != 7 || c != conf ||
	    memcmp(m.iov[lay == L_SIGN_ONLY ? 2 : 1].data, m.orig, len)) {
		fail(o, "%s: the untouched token: %d", layout_name[lay], err);
		goto out;
	}
	ret = 0;
out:
	kfree(good);
	msg_free(&m);
	return ret;
}

static int case_tamper(struct kc_out *o, unsigned long i)
{
	struct kc_pair p;
	unsigned int lay, conf;
	int ret = 0;

	if (pair_new(o, etypes[i], 0, &p))
		return -1;
	for (lay = 0; lay < L_NR && !ret; lay++)
		for (conf = 0; conf < 2 && !ret; conf++)
			ret = tamper_one(o, &p, conf, lay);
	pair_free(&p);
	return ret;
}

/* Keys, flags and enctypes that do not match. */
static int case_mismatch(struct kc_out *o, unsigned long i)
{
	struct kc_pair a, b, sub;
	struct kc_msg m;
	u64 seq;
	bool c;
	int err, ret = -1;

	if (pair_new(o, etypes[i], 0, &a))
		return -1;
	if (pair_new(o, etypes[i], 0, &b))
		goto out_a;
	if (pair_new(o, etypes[i], KSSPI_KRB5_F_ACCEPTOR_SUBKEY, &sub))
		goto out_b;
	if (msg_new(&m, a.ini, true, L_DCE, 100, false)) {
		fail(o, "no memory");
		goto out_sub;
	}
	err = ksspi_krb5_wrap(a.ini, 1, true, m.iov, m.n);
	if (err) {
		fail(o, "wrap: %d", err);
		goto out_msg;
	}
	err = ksspi_krb5_unwrap(b.acc, m.iov, m.n, &c, &seq);
	if (err != -EBADMSG) {
		fail(o, "another key: %d, want -EBADMSG", err);
		goto out_msg;
	}
	err = ksspi_krb5_unwrap(sub.acc, m.iov, m.n, &c, &seq);
	if (err != -EPROTO) {
		fail(o, "no AcceptorSubkey flag to a subkey context: %d", err);
		goto out_msg;
	}
	ret = 0;
out_msg:
	msg_free(&m);
out_sub:
	pair_free(&sub);
out_b:
	pair_free(&b);
out_a:
	pair_free(&a);
	return ret;
}

static int case_refuse(struct kc_out *o, unsigned long unused)
{
	static const u32 bad[] = { 0, 1, 3, 16, 23, 24, 25, 26, 21 };
	struct ksspi_krb5_ctx *k;
	u8 key[32] = {};
	unsigned int j;

	for (j = 0; j < ARRAY_SIZE(bad); j++) {
		if (ksspi_krb5_enctype_supported(bad[j]))
			return fail(o, "enctype %u supported", bad[j]);
		k = ksspi_krb5_ctx_new(bad[j], key, 16, 0, GFP_KERNEL);
		if (PTR_ERR(k) != -ENOPKG)
			return fail(o, "enctype %u: %d, want -ENOPKG", bad[j],
				    PTR_ERR_OR_ZERO(k));
	}
	for (j = 0; j < ARRAY_SIZE(etypes); j++) {
		unsigned int wrong = etypes[j] == 17 || etypes[j] == 19 ?
				     32 : 16;

		if (!ksspi_krb5_enctype_supported(etypes[j]))
			return fail(o, "enctype %u not supported", etypes[j]);
		k = ksspi_krb5_ctx_new(etypes[j], key, wrong, 0, GFP_KERNEL);
		if (PTR_ERR(k) != -EINVAL)
			return fail(o, "enctype %u, %u-byte key: %d",
				    etypes[j], wrong, PTR_ERR_OR_ZERO(k));
		k = ksspi_krb5_ctx_new(etypes[j], key, 32 - wrong + 16, 0x100,
				       GFP_KERNEL);
		if (PTR_ERR(k) != -EINVAL)
			return fail(o, "unknown flag: %d", PTR_ERR_OR_ZERO(k));
	}
	ksspi_krb5_ctx_free(NULL);
	return 0;
}

/* ---- micro-benchmark (printed, never asserted) ------------------------ */

static int case_bench(struct kc_out *o, unsigned long unused)
{
	static const unsigned int bsz[] = { 64, 1024, 16384, 65536 };
	unsigned int e, s, r, reps;

	out(o, "pass\n# ns per call: enctype size wrap unwrap get_mic verify_mic\n");
	for (e = 0; e < ARRAY_SIZE(etypes); e++) {
		struct kc_pair p;

		if (pair_new(o, etypes[e], 0, &p))
			return -1;
		for (s = 0; s < ARRAY_SIZE(bsz); s++) {
			struct ksspi_krb5_iov iov[1];
			u64 t[4] = {}, t0, seq;
			unsigned int toklen;
			struct kc_msg m;
			u8 tok[64];
			bool c;
			int err = 0;

			reps = bsz[s] >= 16384 ? 64 : 512;
			if (msg_new(&m, p.ini, true, L_DCE, bsz[s], false)) {
				pair_free(&p);
				return fail(o, "no memory");
			}
			for (r = 0; r < reps && !err; r++) {
				m.iov[0].len = m.total - bsz[s];
				t0 = ktime_get_ns();
				err = ksspi_krb5_wrap(p.ini, r, true, m.iov,
						      m.n);
				t[0] += ktime_get_ns() - t0;
				t0 = ktime_get_ns();
				err = err ?: ksspi_krb5_unwrap(p.acc, m.iov,
							       m.n, &c, &seq);
				t[1] += ktime_get_ns() - t0;
				iov[0] = m.iov[1];
				toklen = sizeof(tok);
				t0 = ktime_get_ns();
				err = err ?: ksspi_krb5_get_mic(p.ini, r, iov,
								1, tok,
								&toklen);
				t[2] += ktime_get_ns() - t0;
				t0 = ktime_get_ns();
				err = err ?: ksspi_krb5_verify_mic(p.acc, iov,
								   1, tok,
								   toklen,
								   &seq);
				t[3] += ktime_get_ns() - t0;
			}
			msg_free(&m);
			if (err) {
				pair_free(&p);
				o->len = 0;
				return fail(o, "bench: %d", err);
			}
			out(o, "# %u %u %llu %llu %llu %llu\n", etypes[e],
			    bsz[s], t[0] / reps, t[1] / reps, t[2] / reps,
			    t[3] / reps);
		}
		pair_free(&p);
	}
	return 0;
}

/* ---- the case table and debugfs --------------------------------------- */

struct kc_case {
	char name[32];
	int (*fn)(struct kc_out *o, unsigned long arg);
	unsigned long arg;
};

static struct kc_case *cases;
static unsigned int ncases;
static struct dentry *dir;
static DEFINE_MUTEX(run_lock);	/* one case at a time: stable figures */

static __printf(3, 4) void add_case(int (*fn)(struct kc_out *, unsigned long),
				    unsigned long arg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(cases[ncases].name, sizeof(cases[ncases].name), fmt, ap);
	va_end(ap);
	cases[ncases].fn = fn;
	cases[ncases].arg = arg;
	ncases++;
}

#define MAX_CASES	96

static int build_cases(void)
{
	unsigned int i;

	cases = kcalloc(MAX_CASES, sizeof(*cases), GFP_KERNEL);
	if (!cases)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(nfold_vecs); i++)
		add_case(case_nfold, i, "rfc3961_nfold_%u", i + 1);
	for (i = 0; i < ARRAY_SIZE(dk_vecs); i++)
		add_case(case_dk, i, "rfc3962_dk_%u", i + 1);
	for (i = 0; i < ARRAY_SIZE(cts_vecs); i++)
		add_case(case_cts, i, "rfc3962_cts_%u", cts_vecs[i].len);
	for (i = 0; i < 2; i++)
		add_case(case_8009_keys, i, "rfc8009_keys_%u", 19 + i);
	for (i = 0; i < ARRAY_SIZE(enc_vecs); i++)
		add_case(case_8009_enc, i, "rfc8009_enc_%u_%u",
			 19 + enc_vecs[i].et, (unsigned int)strlen(enc_vecs[i].plain) / 2);
	for (i = 0; i < 2; i++)
		add_case(case_8009_mic, i, "rfc8009_mic_%u", 19 + i);
	for (i = 0; i < ARRAY_SIZE(etypes); i++) {
		add_case(case_mic, i, "mic_%u", etypes[i]);
		add_case(case_wrap, i, "wrap_%u", etypes[i]);
		add_case(case_subkey_vmalloc, i, "subkey_vmalloc_%u",
			 etypes[i]);
		add_case(case_tamper, i, "tamper_%u", etypes[i]);
		add_case(case_mismatch, i, "mismatch_%u", etypes[i]);
	}
	add_case(case_refuse, 0, "refuse");
	add_case(case_bench, 0, "bench");
	return 0;
}

static int run_open(struct inode *inode, struct file *file)
{
	struct kc_out *o = kzalloc(sizeof(*o), GFP_KERNEL);

	if (!o)
		return -ENOMEM;
	o->text = kzalloc(TEXT_MAX, GFP_KERNEL);
	if (!o->text) {
		kfree(o);
		return -ENOMEM;
	}
	file->private_data = o;
	return 0;
}

static int run_release(struct inode *inode, struct file *file)
{
	struct kc_out *o = file->private_data;

	kfree(o->text);
	kfree(o);
	return 0;
}

static ssize_t run_write(struct file *file, const char __user *ubuf,
			 size_t len, loff_t *ppos)
{
	struct kc_out *o = file->private_data;
	char name[32];
	unsigned int i;

	if (len >= sizeof(name))
		return -EINVAL;
	if (copy_from_user(name, ubuf, len))
		return -EFAULT;
	name[len] = 0;
	strim(name);
	for (i = 0; i < ncases; i++)
		if (!strcmp(cases[i].name, name))
			break;
	if (i == ncases)
		return -ENOENT;
	mutex_lock(&run_lock);
	o->len = 0;
	if (!cases[i].fn(o, cases[i].arg) && !o->len)
		out(o, "pass\n");
	else if (!o->len)
		out(o, "fail: (no message)\n");
	mutex_unlock(&run_lock);
	return len;
}

static ssize_t run_read(struct file *file, char __user *ubuf, size_t len,
			loff_t *ppos)
{
	struct kc_out *o = file->private_data;

	return simple_read_from_buffer(ubuf, len, ppos, o->text, o->len);
}

static const struct file_operations run_fops = {
	.owner = THIS_MODULE,
	.open = run_open,
	.release = run_release,
	.read = run_read,
	.write = run_write,
	.llseek = default_llseek,
};

static ssize_t cases_read(struct file *file, char __user *ubuf, size_t len,
			  loff_t *ppos)
{
	char *text = kzalloc(MAX_CASES * 33, GFP_KERNEL);
	size_t n = 0;
	unsigned int i;
	ssize_t ret;

	if (!text)
		return -ENOMEM;
	for (i = 0; i < ncases; i++)
		n += scnprintf(text + n, MAX_CASES * 33 - n, "%s\n",
			       cases[i].name);
	ret = simple_read_from_buffer(ubuf, len, ppos, text, n);
	kfree(text);
	return ret;
}

static const struct file_operations cases_fops = {
	.owner = THIS_MODULE,
	.read = cases_read,
	.llseek = default_llseek,
};

static int __init kc_init(void)
{
	int err = build_cases();

	if (err)
		return err;
	dir = debugfs_create_dir("ksspi_krb5crypto", NULL);
	debugfs_create_file("run", 0600, dir, NULL, &run_fops);
	debugfs_create_file("cases", 0400, dir, NULL, &cases_fops);
	return 0;
}

static void __exit kc_exit(void)
{
	debugfs_remove_recursive(dir);
	kfree(cases);
}

module_init(kc_init);
module_exit(kc_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ksspi: RFC 3961/3962/8009/4121 self-test of kmod/krb5_*.c");
