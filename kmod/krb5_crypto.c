// SPDX-License-Identifier: GPL-2.0
/*
 * The RFC 3961 simplified profile for the AES enctypes: aes128/aes256-cts-
 * hmac-sha1-96 (RFC 3962: DK with n-fold, HMAC over the plaintext) and
 * aes128-cts-hmac-sha256-128 / aes256-cts-hmac-sha384-192 (RFC 8009:
 * KDF-HMAC-SHA2, HMAC over IV and ciphertext), on the kernel crypto API.
 *
 * A context's keys are derived and its transforms keyed once, in
 * ksspi_krb5_ctx_new(); the derived key bytes only live on the stack while
 * they are handed to setkey, and are wiped there.  The transforms keep their
 * own copies (the crypto API wipes them when the transform is freed).
 * Messages are encrypted in place through scatterlists over the caller's
 * pieces; requests and hash descriptors live on the stack.
 */
#include <crypto/aes.h>
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/skcipher.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "krb5_int.h"

static const struct krb5_enctype krb5_enctypes[] = {
	{ KSSPI_KRB5_AES128_CTS_HMAC_SHA1_96, "hmac(sha1)", 16, 16, 12, false },
	{ KSSPI_KRB5_AES256_CTS_HMAC_SHA1_96, "hmac(sha1)", 32, 32, 12, false },
	{ KSSPI_KRB5_AES128_CTS_HMAC_SHA256_128, "hmac(sha256)", 16, 16, 16,
	  true },
	{ KSSPI_KRB5_AES256_CTS_HMAC_SHA384_192, "hmac(sha384)", 32, 24, 24,
	  true },
};

/* Largest HMAC output (SHA-384) and derived key (AES-256). */
#define KRB5_MAX_HASH	48
#define KRB5_MAX_KEY	32

/* Scatterlist entries on the stack before one is allocated. */
#define KRB5_SG_STACK	8

static const struct krb5_enctype *krb5_find(u32 enctype)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(krb5_enctypes); i++)
		if (krb5_enctypes[i].etype == enctype)
			return &krb5_enctypes[i];
	return NULL;
}

/**
 * ksspi_krb5_enctype_supported() - Whether message protection can use an
 *	enctype.
 * @enctype: a Kerberos enctype number.
 *
 * Return: true for 17, 18, 19 and 20.
 */
bool ksspi_krb5_enctype_supported(u32 enctype)
{
	return krb5_find(enctype);
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_enctype_supported, KSSPI_INTERNAL);

/**
 * ksspi_krb5_nfold() - The n-fold operation of RFC 3961 section 5.1.
 * @in: the input.
 * @inlen: its length in bytes (at least 1).
 * @out: the output.
 * @outlen: its length in bytes (at least 1).
 *
 * The input is repeated, each copy rotated right by 13 bits more than the
 * previous one, up to the least common multiple of the lengths; the
 * outlen-byte blocks of that are added with end-around carry.
 *
 * Return: 0, or -EINVAL for an empty input or output.
 */
int ksspi_krb5_nfold(const u8 *in, unsigned int inlen, u8 *out,
		     unsigned int outlen)
{
	unsigned int a = outlen, b = inlen, lcm, inbits = inlen * 8;
	unsigned int carry = 0;
	int i;

	if (!inlen || !outlen || inlen > 256 || outlen > 256)
		return -EINVAL;
	while (b) {
		unsigned int t = a % b;

		a = b;
		b = t;
	}
	lcm = outlen / a * inlen;
	memset(out, 0, outlen);
	for (i = lcm - 1; i >= 0; i--) {
		/* The input bit that lands in bit 7 of byte i of the stream. */
		unsigned int msbit = ((inbits - 1) +
				      (inbits + 13) * (i / inlen) +
				      (inlen - i % inlen) * 8) % inbits;
		unsigned int hi = in[(inlen - 1 - msbit / 8) % inlen];
		unsigned int lo = in[(inlen - msbit / 8) % inlen];

		carry += (((hi << 8) | lo) >> ((msbit & 7) + 1)) & 0xff;
		carry += out[i % outlen];
		out[i % outlen] = carry & 0xff;
		carry >>= 8;
	}
	/* End-around carry: ones' complement addition. */
	for (i = outlen - 1; carry && i >= 0; i--) {
		carry += out[i];
		out[i] = carry & 0xff;
		carry >>= 8;
	}
	return 0;
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_nfold, KSSPI_INTERNAL);

/* RFC 3961 DK: AES-encrypt n-fold(constant) repeatedly, concatenated. */
static int krb5_dk(const u8 *base, unsigned int baselen, const u8 *constant,
		   unsigned int clen, u8 *out, unsigned int outlen)
{
	struct crypto_aes_ctx *aes;
	u8 block[AES_BLOCK_SIZE];
	unsigned int done;
	int err;

	aes = kmalloc(sizeof(*aes), GFP_KERNEL);
	if (!aes)
		return -ENOMEM;
	err = aes_expandkey(aes, base, baselen);
	if (err)
		goto out_free;
	err = ksspi_krb5_nfold(constant, clen, block, sizeof(block));
	if (err)
		goto out_free;
	for (done = 0; done < outlen; done += AES_BLOCK_SIZE) {
		aes_encrypt(aes, block, block);
		memcpy(out + done, block, min_t(unsigned int, AES_BLOCK_SIZE,
						outlen - done));
	}
	memzero_explicit(block, sizeof(block));
out_free:
	kfree_sensitive(aes);
	return err;
}

/* RFC 8009 KDF-HMAC-SHA2(key, label, k) with one HMAC (k <= its size). */
static int krb5_kdf(struct crypto_shash *hmac, const u8 *base,
		    unsigned int baselen, const u8 *label, unsigned int llen,
		    u8 *out, unsigned int outlen)
{
	static const u8 one[4] = { 0, 0, 0, 1 }, zero;
	SHASH_DESC_ON_STACK(desc, hmac);
	u8 digest[KRB5_MAX_HASH];
	__be32 bits = cpu_to_be32(outlen * 8);
	int err;

	if (outlen > crypto_shash_digestsize(hmac))
		return -EINVAL;
	err = crypto_shash_setkey(hmac, base, baselen);
	if (err)
		return err;
	desc->tfm = hmac;
	err = crypto_shash_init(desc) ?:
	      crypto_shash_update(desc, one, sizeof(one)) ?:
	      crypto_shash_update(desc, label, llen) ?:
	      crypto_shash_update(desc, &zero, 1) ?:
	      crypto_shash_finup(desc, (const u8 *)&bits, sizeof(bits),
				 digest);
	shash_desc_zero(desc);
	if (!err)
		memcpy(out, digest, outlen);
	memzero_explicit(digest, sizeof(digest));
	return err;
}

static int krb5_derive(const struct krb5_enctype *et,
		       struct crypto_shash *kdf, const u8 *base,
		       const u8 *constant, unsigned int clen, u8 *out,
		       unsigned int outlen)
{
	if (et->etm)
		return krb5_kdf(kdf, base, et->keylen, constant, clen, out,
				outlen);
	return krb5_dk(base, et->keylen, constant, clen, out, outlen);
}

/**
 * ksspi_krb5_derive() - Derive a key: DK (RFC 3962) or KDF-HMAC-SHA2
 *	(RFC 8009) of the enctype, with an arbitrary constant.
 * @enctype: 17, 18, 19 or 20.
 * @base: the base key.
 * @baselen: its length (the enctype's key length).
 * @constant: the constant (usage and 0x99/0xAA/0x55, or "kerberos").
 * @clen: its length.
 * @out: the derived key.
 * @outlen: bytes wanted (at most 32, or the HMAC's size for RFC 8009).
 *
 * Return: 0, -ENOPKG, -EINVAL or -ENOMEM.
 */
int ksspi_krb5_derive(u32 enctype, const u8 *base, unsigned int baselen,
		      const u8 *constant, unsigned int clen, u8 *out,
		      unsigned int outlen)
{
	const struct krb5_enctype *et = krb5_find(enctype);
	struct crypto_shash *kdf = NULL;
	int err;

	if (!et)
		return -ENOPKG;
	if (baselen != et->keylen || !clen || outlen > KRB5_MAX_HASH)
		return -EINVAL;
	if (et->etm) {
		kdf = crypto_alloc_shash(et->hmac, 0, 0);
		if (IS_ERR(kdf))
			return PTR_ERR(kdf);
	}
	err = krb5_derive(et, kdf, base, constant, clen, out, outlen);
	crypto_free_shash(kdf);
	return err;
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_derive, KSSPI_INTERNAL);

static struct crypto_shash *krb5_hmac_key(const struct krb5_enctype *et,
					  struct crypto_shash *kdf,
					  const u8 *base, u32 usage, u8 kind)
{
	u8 constant[5] = { usage >> 24, usage >> 16, usage >> 8, usage, kind };
	struct crypto_shash *tfm;
	u8 key[KRB5_MAX_KEY];
	int err;

	tfm = crypto_alloc_shash(et->hmac, 0, 0);
	if (IS_ERR(tfm))
		return tfm;
	err = krb5_derive(et, kdf, base, constant, sizeof(constant), key,
			  et->kilen) ?:
	      crypto_shash_setkey(tfm, key, et->kilen);
	memzero_explicit(key, sizeof(key));
	if (err) {
		crypto_free_shash(tfm);
		return ERR_PTR(err);
	}
	return tfm;
}

static struct crypto_sync_skcipher *krb5_cts_key(const u8 *key,
						 unsigned int keylen)
{
	struct crypto_sync_skcipher *tfm;
	int err;

	tfm = crypto_alloc_sync_skcipher("cts(cbc(aes))", 0, 0);
	if (IS_ERR(tfm))
		return tfm;
	err = crypto_sync_skcipher_setkey(tfm, key, keylen);
	if (err) {
		crypto_free_sync_skcipher(tfm);
		return ERR_PTR(err);
	}
	return tfm;
}

static void krb5_keys_free(struct krb5_keys *k)
{
	crypto_free_sync_skcipher(k->ke);
	crypto_free_shash(k->ki);
	crypto_free_shash(k->kc_seal);
	crypto_free_shash(k->kc_sign);
	memset(k, 0, sizeof(*k));
}

/*
 * Key one sender's transforms: Ke and Ki of its seal usage, Kc of its seal
 * and sign usages.  A sign usage of 0 skips Kc of the sign usage (the
 * known-answer tests key one usage only).
 */
static int krb5_keys_init(const struct krb5_enctype *et,
			  struct crypto_shash *kdf, const u8 *base,
			  u32 seal, u32 sign, struct krb5_keys *k)
{
	u8 constant[5] = { seal >> 24, seal >> 16, seal >> 8, seal, 0xaa };
	u8 key[KRB5_MAX_KEY];
	int err;

	err = krb5_derive(et, kdf, base, constant, sizeof(constant), key,
			  et->keylen);
	if (err)
		return err;
	k->ke = krb5_cts_key(key, et->keylen);
	memzero_explicit(key, sizeof(key));
	if (IS_ERR(k->ke)) {
		err = PTR_ERR(k->ke);
		k->ke = NULL;
		return err;
	}
	k->ki = krb5_hmac_key(et, kdf, base, seal, 0x55);
	if (IS_ERR(k->ki)) {
		err = PTR_ERR(k->ki);
		goto err_ki;
	}
	k->kc_seal = krb5_hmac_key(et, kdf, base, seal, 0x99);
	if (IS_ERR(k->kc_seal)) {
		err = PTR_ERR(k->kc_seal);
		goto err_kc_seal;
	}
	if (!sign)
		return 0;
	k->kc_sign = krb5_hmac_key(et, kdf, base, sign, 0x99);
	if (IS_ERR(k->kc_sign)) {
		err = PTR_ERR(k->kc_sign);
		goto err_kc_sign;
	}
	return 0;

err_kc_sign:
	k->kc_sign = NULL;
	crypto_free_shash(k->kc_seal);
err_kc_seal:
	k->kc_seal = NULL;
	crypto_free_shash(k->ki);
err_ki:
	k->ki = NULL;
	crypto_free_sync_skcipher(k->ke);
	k->ke = NULL;
	return err;
}

/**
 * ksspi_krb5_ctx_new() - Key the transforms of an established context.
 * @enctype: the session key's enctype (17, 18, 19 or 20).
 * @key: the session key (the acceptor subkey if there is one).
 * @keylen: its length (16 or 32).
 * @flags: KSSPI_KRB5_F_*.
 * @gfp: allocation flags for the context itself (the crypto API allocates
 *	its transforms with GFP_KERNEL: may sleep).
 *
 * Derives Ke, Ki and Kc of both directions' key usages (22-25 of RFC 4121)
 * and keys one transform per derived key.  @key is not kept; the caller
 * wipes its copy.
 *
 * Return: the context, or ERR_PTR(-ENOPKG) for another enctype,
 * ERR_PTR(-EINVAL) for a key of the wrong length, ERR_PTR(-ENOMEM).
 */
struct ksspi_krb5_ctx *ksspi_krb5_ctx_new(u32 enctype, const u8 *key,
					  unsigned int keylen, u32 flags,
					  gfp_t gfp)
{
	const struct krb5_enctype *et = krb5_find(enctype);
	bool init = flags & KSSPI_KRB5_F_INITIATOR;
	struct crypto_shash *kdf = NULL;
	struct ksspi_krb5_ctx *k;
	int err;

	if (!et)
		return ERR_PTR(-ENOPKG);
	if (keylen != et->keylen ||
	    flags & ~(KSSPI_KRB5_F_INITIATOR | KSSPI_KRB5_F_ACCEPTOR_SUBKEY))
		return ERR_PTR(-EINVAL);
	k = kzalloc(sizeof(*k), gfp);
	if (!k)
		return ERR_PTR(-ENOMEM);
	k->et = et;
	k->flags = flags;
	if (et->etm) {
		kdf = crypto_alloc_shash(et->hmac, 0, 0);
		if (IS_ERR(kdf)) {
			err = PTR_ERR(kdf);
			goto err_kdf;
		}
	}
	err = krb5_keys_init(et, kdf, key,
			     init ? KSSPI_KRB5_KU_INITIATOR_SEAL :
				    KSSPI_KRB5_KU_ACCEPTOR_SEAL,
			     init ? KSSPI_KRB5_KU_INITIATOR_SIGN :
				    KSSPI_KRB5_KU_ACCEPTOR_SIGN, &k->send);
	if (err)
		goto err_send;
	err = krb5_keys_init(et, kdf, key,
			     init ? KSSPI_KRB5_KU_ACCEPTOR_SEAL :
				    KSSPI_KRB5_KU_INITIATOR_SEAL,
			     init ? KSSPI_KRB5_KU_ACCEPTOR_SIGN :
				    KSSPI_KRB5_KU_INITIATOR_SIGN, &k->recv);
	if (err)
		goto err_recv;
	/* The KDF transform held the base key: freeing it wipes it. */
	crypto_free_shash(kdf);
	return k;

err_recv:
	krb5_keys_free(&k->send);
err_send:
	crypto_free_shash(kdf);
err_kdf:
	kfree(k);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_ctx_new, KSSPI_INTERNAL);

/**
 * ksspi_krb5_ctx_free() - Free a context's transforms (which wipes their
 *	keys).
 * @k: the context, or NULL.
 */
void ksspi_krb5_ctx_free(struct ksspi_krb5_ctx *k)
{
	if (!k)
		return;
	krb5_keys_free(&k->send);
	krb5_keys_free(&k->recv);
	kfree_sensitive(k);
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_ctx_free, KSSPI_INTERNAL);

/* Scatterlist entries a piece needs: one per page unless linearly mapped. */
static unsigned int krb5_sg_count(const u8 *p, u32 len)
{
	if (!len)
		return 0;
	if (virt_addr_valid(p))
		return 1;
	return DIV_ROUND_UP(offset_in_page(p) + len, PAGE_SIZE);
}

static int krb5_sg_fill(struct scatterlist *sg, unsigned int *i, u8 *p,
			u32 len)
{
	if (!len)
		return 0;
	if (virt_addr_valid(p)) {
		sg_set_page(&sg[(*i)++], virt_to_page(p), len,
			    offset_in_page(p));
		return 0;
	}
	while (len) {
		unsigned int off = offset_in_page(p);
		unsigned int chunk = min_t(u32, len, PAGE_SIZE - off);
		struct page *page = vmalloc_to_page(p);

		if (!page)
			return -EFAULT;
		sg_set_page(&sg[(*i)++], page, chunk, off);
		p += chunk;
		len -= chunk;
	}
	return 0;
}

/* CBC-CTS with a zero IV over the encrypted segments, in place. */
static int krb5_cts(struct crypto_sync_skcipher *tfm,
		    const struct krb5_seg *seg, unsigned int nseg, bool encrypt)
{
	SYNC_SKCIPHER_REQUEST_ON_STACK(req, tfm);
	struct scatterlist sg_stack[KRB5_SG_STACK], *sg = sg_stack;
	u8 iv[AES_BLOCK_SIZE] = {};
	unsigned int i, nsg = 0, len = 0;
	int err;

	for (i = 0; i < nseg; i++) {
		if (!seg[i].enc)
			continue;
		nsg += krb5_sg_count(seg[i].p, seg[i].len);
		len += seg[i].len;
	}
	if (len < AES_BLOCK_SIZE)
		return -EINVAL;
	if (nsg > ARRAY_SIZE(sg_stack)) {
		sg = kmalloc_array(nsg, sizeof(*sg), GFP_KERNEL);
		if (!sg)
			return -ENOMEM;
	}
	sg_init_table(sg, nsg);
	for (i = 0, nsg = 0; i < nseg; i++) {
		if (!seg[i].enc)
			continue;
		err = krb5_sg_fill(sg, &nsg, seg[i].p, seg[i].len);
		if (err)
			goto out;
	}
	skcipher_request_set_sync_tfm(req, tfm);
	skcipher_request_set_callback(req, 0, NULL, NULL);
	skcipher_request_set_crypt(req, sg, sg, len, iv);
	err = encrypt ? crypto_skcipher_encrypt(req) :
			crypto_skcipher_decrypt(req);
	skcipher_request_zero(req);
out:
	if (sg != sg_stack)
		kfree(sg);
	return err;
}

/*
 * HMAC over the segments (all of them, in order), after @prefix; the
 * digest is truncated to the enctype's checksum size.
 */
static int krb5_hmac(const struct krb5_enctype *et, struct crypto_shash *tfm,
		     const u8 *prefix, unsigned int plen,
		     const struct krb5_seg *seg, unsigned int nseg, u8 *out)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	u8 digest[KRB5_MAX_HASH];
	unsigned int i;
	int err;

	desc->tfm = tfm;
	err = crypto_shash_init(desc);
	if (!err && plen)
		err = crypto_shash_update(desc, prefix, plen);
	for (i = 0; !err && i < nseg; i++)
		if (seg[i].len)
			err = crypto_shash_update(desc, seg[i].p, seg[i].len);
	if (!err)
		err = crypto_shash_final(desc, digest);
	shash_desc_zero(desc);
	if (!err)
		memcpy(out, digest, et->cksum);
	memzero_explicit(digest, sizeof(digest));
	return err;
}

static const u8 krb5_zero_iv[AES_BLOCK_SIZE];

/**
 * krb5_seal() - Encrypt the message in place and compute its checksum.
 * @et: the enctype.
 * @k: the sender's keys.
 * @seg: the message: confounder, pieces, trailer plaintext, in order.
 * @nseg: the number of @seg.
 * @cksum: receives the enctype's checksum size of bytes.
 *
 * RFC 3962: HMAC(Ki, plaintext), then CTS.  RFC 8009: CTS, then
 * HMAC(Ki, IV | ciphertext).  Integrity-only segments go into the HMAC
 * where they stand, as MIT's iov functions do.
 *
 * Return: 0 or a negative errno.
 */
int krb5_seal(const struct krb5_enctype *et, const struct krb5_keys *k,
	      const struct krb5_seg *seg, unsigned int nseg, u8 *cksum)
{
	int err;

	if (et->etm)
		return krb5_cts(k->ke, seg, nseg, true) ?:
		       krb5_hmac(et, k->ki, krb5_zero_iv, sizeof(krb5_zero_iv),
				 seg, nseg, cksum);
	err = krb5_hmac(et, k->ki, NULL, 0, seg, nseg, cksum);
	return err ?: krb5_cts(k->ke, seg, nseg, true);
}

/**
 * krb5_unseal() - Check and decrypt a message in place.
 * @et: the enctype.
 * @k: the sender's keys.
 * @seg: the message as krb5_seal() took it, encrypted.
 * @nseg: the number of @seg.
 * @cksum: the checksum that came with it.
 *
 * RFC 8009 checks before decrypting; RFC 3962 can only check the
 * plaintext, so on a mismatch the decrypted segments are wiped rather than
 * left for a caller that ignores the error.
 *
 * Return: 0, -EBADMSG on a checksum mismatch, or another negative errno.
 */
int krb5_unseal(const struct krb5_enctype *et, const struct krb5_keys *k,
		const struct krb5_seg *seg, unsigned int nseg,
		const u8 *cksum)
{
	u8 mine[KRB5_MAX_HASH];
	unsigned int i;
	int err;

	if (et->etm) {
		err = krb5_hmac(et, k->ki, krb5_zero_iv, sizeof(krb5_zero_iv),
				seg, nseg, mine);
		if (err)
			return err;
		if (crypto_memneq(mine, cksum, et->cksum))
			return -EBADMSG;
		return krb5_cts(k->ke, seg, nseg, false);
	}
	err = krb5_cts(k->ke, seg, nseg, false) ?:
	      krb5_hmac(et, k->ki, NULL, 0, seg, nseg, mine);
	if (err)
		return err;
	if (crypto_memneq(mine, cksum, et->cksum)) {
		for (i = 0; i < nseg; i++)
			if (seg[i].enc)
				memzero_explicit(seg[i].p, seg[i].len);
		return -EBADMSG;
	}
	return 0;
}

/**
 * krb5_checksum() - The enctype's keyed checksum over the segments.
 * @et: the enctype.
 * @kc: HMAC keyed with Kc of the usage.
 * @seg: the data.
 * @nseg: the number of @seg.
 * @out: receives the enctype's checksum size of bytes.
 *
 * Return: 0 or a negative errno.
 */
int krb5_checksum(const struct krb5_enctype *et, struct crypto_shash *kc,
		  const struct krb5_seg *seg, unsigned int nseg, u8 *out)
{
	return krb5_hmac(et, kc, NULL, 0, seg, nseg, out);
}

/* A one-usage key set for the known-answer tests, with the same code. */
static int krb5_kat_keys(u32 enctype, const u8 *base, unsigned int baselen,
			 u32 usage, const struct krb5_enctype **etp,
			 struct krb5_keys *k)
{
	const struct krb5_enctype *et = krb5_find(enctype);
	struct crypto_shash *kdf = NULL;
	int err;

	if (!et)
		return -ENOPKG;
	if (baselen != et->keylen)
		return -EINVAL;
	if (et->etm) {
		kdf = crypto_alloc_shash(et->hmac, 0, 0);
		if (IS_ERR(kdf))
			return PTR_ERR(kdf);
	}
	memset(k, 0, sizeof(*k));
	err = krb5_keys_init(et, kdf, base, usage, 0, k);
	crypto_free_shash(kdf);
	*etp = et;
	return err;
}

/**
 * ksspi_krb5_kat_encrypt() - RFC 3961 encryption with a given confounder,
 *	for known-answer tests.
 * @enctype: 17, 18, 19 or 20.
 * @base: the base key.
 * @baselen: its length.
 * @usage: the key usage.
 * @confounder: 16 bytes.
 * @plain: the plaintext.
 * @len: its length.
 * @out: receives 16 + @len + checksum-size bytes: the ciphertext and the
 *	checksum.
 *
 * Return: 0 or a negative errno.
 */
int ksspi_krb5_kat_encrypt(u32 enctype, const u8 *base, unsigned int baselen,
			   u32 usage, const u8 *confounder, const u8 *plain,
			   unsigned int len, u8 *out)
{
	const struct krb5_enctype *et;
	struct krb5_keys k;
	struct krb5_seg seg;
	u8 *buf;
	int err;

	err = krb5_kat_keys(enctype, base, baselen, usage, &et, &k);
	if (err)
		return err;
	buf = kmalloc(KRB5_BLOCK + len + et->cksum, GFP_KERNEL);
	if (!buf) {
		err = -ENOMEM;
		goto out_keys;
	}
	memcpy(buf, confounder, KRB5_BLOCK);
	memcpy(buf + KRB5_BLOCK, plain, len);
	seg = (struct krb5_seg){ buf, KRB5_BLOCK + len, true };
	err = krb5_seal(et, &k, &seg, 1, buf + KRB5_BLOCK + len);
	if (!err)
		memcpy(out, buf, KRB5_BLOCK + len + et->cksum);
	kfree_sensitive(buf);
out_keys:
	krb5_keys_free(&k);
	return err;
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_kat_encrypt, KSSPI_INTERNAL);

/**
 * ksspi_krb5_kat_decrypt() - RFC 3961 decryption, for known-answer tests.
 * @enctype: 17, 18, 19 or 20.
 * @base: the base key.
 * @baselen: its length.
 * @usage: the key usage.
 * @buf: ciphertext and checksum; the confounder and plaintext on return.
 * @len: its length.
 *
 * Return: 0, -EBADMSG, -EMSGSIZE for a too short @buf, or another errno.
 */
int ksspi_krb5_kat_decrypt(u32 enctype, const u8 *base, unsigned int baselen,
			   u32 usage, u8 *buf, unsigned int len)
{
	const struct krb5_enctype *et;
	struct krb5_keys k;
	struct krb5_seg seg;
	u8 *tmp;
	int err;

	err = krb5_kat_keys(enctype, base, baselen, usage, &et, &k);
	if (err)
		return err;
	if (len < KRB5_BLOCK + et->cksum) {
		err = -EMSGSIZE;
		goto out_keys;
	}
	tmp = kmemdup(buf, len, GFP_KERNEL);
	if (!tmp) {
		err = -ENOMEM;
		goto out_keys;
	}
	seg = (struct krb5_seg){ tmp, len - et->cksum, true };
	err = krb5_unseal(et, &k, &seg, 1, tmp + len - et->cksum);
	if (!err)
		memcpy(buf, tmp, len - et->cksum);
	kfree_sensitive(tmp);
out_keys:
	krb5_keys_free(&k);
	return err;
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_kat_decrypt, KSSPI_INTERNAL);

/**
 * ksspi_krb5_kat_checksum() - RFC 3961 get_mic (the enctype's keyed
 *	checksum), for known-answer tests.
 * @enctype: 17, 18, 19 or 20.
 * @base: the base key.
 * @baselen: its length.
 * @usage: the key usage.
 * @data: the data.
 * @len: its length.
 * @out: receives the checksum (12, 16 or 24 bytes).
 *
 * Return: 0 or a negative errno.
 */
int ksspi_krb5_kat_checksum(u32 enctype, const u8 *base, unsigned int baselen,
			    u32 usage, const u8 *data, unsigned int len,
			    u8 *out)
{
	const struct krb5_enctype *et;
	struct krb5_keys k;
	struct krb5_seg seg;
	int err;

	err = krb5_kat_keys(enctype, base, baselen, usage, &et, &k);
	if (err)
		return err;
	seg = (struct krb5_seg){ (u8 *)data, len, false };
	err = krb5_checksum(et, k.kc_seal, &seg, 1, out);
	krb5_keys_free(&k);
	return err;
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_kat_checksum, KSSPI_INTERNAL);

/**
 * ksspi_krb5_kat_cts() - AES-CTS with a zero IV (RFC 3962 appendix B), for
 *	known-answer tests.
 * @key: the AES key.
 * @keylen: its length.
 * @buf: the data, transformed in place.
 * @len: its length (at least 16).
 * @encrypt: encrypt, or decrypt.
 *
 * Return: 0 or a negative errno.
 */
int ksspi_krb5_kat_cts(const u8 *key, unsigned int keylen, u8 *buf,
		       unsigned int len, bool encrypt)
{
	struct crypto_sync_skcipher *tfm = krb5_cts_key(key, keylen);
	struct krb5_seg seg;
	u8 *tmp;
	int err;

	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	tmp = kmemdup(buf, len, GFP_KERNEL);
	if (!tmp) {
		err = -ENOMEM;
		goto out_tfm;
	}
	seg = (struct krb5_seg){ tmp, len, true };
	err = krb5_cts(tfm, &seg, 1, encrypt);
	if (!err)
		memcpy(buf, tmp, len);
	kfree_sensitive(tmp);
out_tfm:
	crypto_free_sync_skcipher(tfm);
	return err;
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_kat_cts, KSSPI_INTERNAL);
