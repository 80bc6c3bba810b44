// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 4121 per-message tokens over krb5_crypto.c: MIC tokens (TOK_ID 04 04)
 * and Wrap tokens (05 04) with and without confidentiality.
 *
 * A message is a list of pieces (&struct ksspi_krb5_iov), in the order of
 * MIT's gss_wrap_iov(): DATA pieces are encrypted in place, SIGN_ONLY
 * pieces are only integrity-protected, HEADER and TRAILER hold the token.
 * Without a TRAILER the trailer is rotated into the HEADER piece with RRC
 * (the DCE/Windows layout, also what SSPI's TOKEN buffer holds), so the
 * data never moves.  A whole gss_wrap() token (STREAM) is unrotated and
 * unwrapped in place.
 *
 * Wrap token with confidentiality (EC = 0 when we make it):
 *   header(16) | E(confounder(16) | data | filler(EC) | header'(16)) | cksum
 * where header' is the header with RRC 0.  Without confidentiality:
 *   header(16, EC = cksum size) | data | cksum(data | header, EC = RRC = 0)
 * Sequence numbers are taken and returned as they are; windows and replay
 * detection are the caller's.
 */
#include <crypto/algapi.h>
#include <linux/err.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#include "krb5_int.h"

#define KRB5_TOK_MIC		0x0404
#define KRB5_TOK_WRAP		0x0504

#define KRB5_FLAG_SENT_BY_ACCEPTOR	0x01
#define KRB5_FLAG_SEALED		0x02
#define KRB5_FLAG_ACCEPTOR_SUBKEY	0x04

/* Segments on the stack before an array is allocated. */
#define KRB5_SEG_STACK	12

/**
 * struct krb5_msg - The segments of one message under construction.
 * @seg: the segments (@stack or allocated).
 * @n: how many are in use.
 * @stack: room for small messages.
 */
struct krb5_msg {
	struct krb5_seg *seg;
	unsigned int n;
	struct krb5_seg stack[KRB5_SEG_STACK];
};

static int krb5_msg_init(struct krb5_msg *m, unsigned int max)
{
	m->n = 0;
	m->seg = m->stack;
	if (max > KRB5_SEG_STACK) {
		m->seg = kmalloc_array(max, sizeof(*m->seg), GFP_KERNEL);
		if (!m->seg)
			return -ENOMEM;
	}
	return 0;
}

static void krb5_msg_add(struct krb5_msg *m, u8 *p, u32 len, bool enc)
{
	m->seg[m->n++] = (struct krb5_seg){ p, len, enc };
}

static void krb5_msg_free(struct krb5_msg *m)
{
	if (m->seg != m->stack)
		kfree(m->seg);
}

/*
 * The caller's DATA and SIGN_ONLY pieces, in order; with @sdata (a STREAM
 * unwrap) the DATA piece's place (or the STREAM's, without one) takes the
 * plaintext inside the stream.
 */
static void krb5_msg_pieces(struct krb5_msg *m,
			    const struct ksspi_krb5_iov *iov, unsigned int n,
			    bool conf, u8 *sdata, u32 slen)
{
	bool have_data = false;
	unsigned int i;

	for (i = 0; sdata && i < n; i++)
		have_data |= iov[i].type == KSSPI_KRB5_IOV_DATA;
	for (i = 0; i < n; i++) {
		switch (iov[i].type) {
		case KSSPI_KRB5_IOV_DATA:
			if (sdata)
				krb5_msg_add(m, sdata, slen, conf);
			else
				krb5_msg_add(m, iov[i].data, iov[i].len, conf);
			break;
		case KSSPI_KRB5_IOV_SIGN_ONLY:
			krb5_msg_add(m, iov[i].data, iov[i].len, false);
			break;
		case KSSPI_KRB5_IOV_STREAM:
			if (!have_data)
				krb5_msg_add(m, sdata, slen, conf);
			break;
		}
	}
}

/**
 * struct krb5_layout - Where a Wrap token's parts are.
 * @header: HEADER piece (or the STREAM).
 * @trailer: TRAILER piece, or NULL.
 * @stream: STREAM piece, or NULL.
 * @data: the DATA piece of a STREAM unwrap, or NULL.
 */
struct krb5_layout {
	struct ksspi_krb5_iov *header;
	struct ksspi_krb5_iov *trailer;
	struct ksspi_krb5_iov *stream;
	struct ksspi_krb5_iov *data;
};

/* Sort the pieces: at most one of each framing piece, no unknown type. */
static int krb5_layout(struct ksspi_krb5_iov *iov, unsigned int n,
		       struct krb5_layout *l)
{
	unsigned int i, ndata = 0;

	memset(l, 0, sizeof(*l));
	if (!iov && n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		struct ksspi_krb5_iov **slot = NULL;

		if (iov[i].len && !iov[i].data)
			return -EINVAL;
		switch (iov[i].type) {
		case KSSPI_KRB5_IOV_DATA:
			ndata++;
			l->data = &iov[i];
			break;
		case KSSPI_KRB5_IOV_HEADER:
			slot = &l->header;
			break;
		case KSSPI_KRB5_IOV_TRAILER:
			slot = &l->trailer;
			break;
		case KSSPI_KRB5_IOV_STREAM:
			slot = &l->stream;
			break;
		case KSSPI_KRB5_IOV_PADDING:
		case KSSPI_KRB5_IOV_SIGN_ONLY:
		case KSSPI_KRB5_IOV_EMPTY:
			break;
		default:
			return -EINVAL;
		}
		if (slot) {
			if (*slot)
				return -EINVAL;
			*slot = &iov[i];
		}
	}
	if (l->stream && (l->header || l->trailer || ndata > 1))
		return -EINVAL;
	if (!l->stream) {
		l->data = NULL;
		if (!l->header)
			return -EINVAL;
	}
	return 0;
}

static u8 krb5_my_flags(const struct ksspi_krb5_ctx *k)
{
	return (k->flags & KSSPI_KRB5_F_INITIATOR ?
		0 : KRB5_FLAG_SENT_BY_ACCEPTOR) |
	       (k->flags & KSSPI_KRB5_F_ACCEPTOR_SUBKEY ?
		KRB5_FLAG_ACCEPTOR_SUBKEY : 0);
}

static void krb5_put_header(u8 *h, u16 tok_id, u8 flags, u16 ec, u16 rrc,
			    u64 seq)
{
	put_unaligned_be16(tok_id, h);
	h[2] = flags;
	h[3] = 0xff;
	put_unaligned_be16(ec, h + 4);
	put_unaligned_be16(rrc, h + 6);
	put_unaligned_be64(seq, h + 8);
}

/*
 * A received token's TOK_ID, filler and flags: it must come from the peer
 * (a token of our own reflected back has the other direction bit) and use
 * the key we have.  Unknown flag bits are ignored (RFC 4121 4.2.2).
 */
static int krb5_check_header(const struct ksspi_krb5_ctx *k, const u8 *h,
			     u16 tok_id)
{
	u8 peer = krb5_my_flags(k) ^ KRB5_FLAG_SENT_BY_ACCEPTOR;
	u8 mask = KRB5_FLAG_SENT_BY_ACCEPTOR | KRB5_FLAG_ACCEPTOR_SUBKEY;

	if (get_unaligned_be16(h) != tok_id || h[3] != 0xff)
		return -EPROTO;
	if (tok_id == KRB5_TOK_MIC &&
	    (get_unaligned_be32(h + 4) != 0xffffffff))
		return -EPROTO;
	if ((h[2] & mask) != peer)
		return -EPROTO;
	return 0;
}

/**
 * ksspi_krb5_sizes() - Buffer sizes of a context's tokens.
 * @k: the context.
 * @conf: for Wrap tokens with confidentiality.
 * @s: receives the sizes.
 */
void ksspi_krb5_sizes(const struct ksspi_krb5_ctx *k, bool conf,
		      struct ksspi_krb5_sizes *s)
{
	unsigned int cksum = k->et->cksum;

	s->mic = KRB5_BLOCK + cksum;
	s->header = KRB5_BLOCK + (conf ? KRB5_BLOCK : 0);
	s->trailer = (conf ? KRB5_BLOCK : 0) + cksum;
	s->block = 1;
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_sizes, KSSPI_INTERNAL);

/* Only DATA, SIGN_ONLY, PADDING and EMPTY pieces may be MIC'd. */
static int krb5_mic_pieces(const struct ksspi_krb5_iov *iov, unsigned int n)
{
	unsigned int i;

	if (!iov && n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (iov[i].len && !iov[i].data)
			return -EINVAL;
		if (iov[i].type != KSSPI_KRB5_IOV_DATA &&
		    iov[i].type != KSSPI_KRB5_IOV_SIGN_ONLY &&
		    iov[i].type != KSSPI_KRB5_IOV_PADDING &&
		    iov[i].type != KSSPI_KRB5_IOV_EMPTY)
			return -EINVAL;
	}
	return 0;
}

/**
 * ksspi_krb5_get_mic() - Make a MIC token over a message.
 * @k: the context.
 * @seq: the sequence number to put in the token.
 * @iov: the message (DATA and SIGN_ONLY pieces are covered, in order).
 * @n: the number of @iov.
 * @tok: receives the token.
 * @toklen: in: room at @tok; out: the token's length.
 *
 * Return: 0, -EMSGSIZE if @tok is too small, -EINVAL, -ENOMEM.
 */
int ksspi_krb5_get_mic(struct ksspi_krb5_ctx *k, u64 seq,
		       const struct ksspi_krb5_iov *iov, unsigned int n,
		       u8 *tok, unsigned int *toklen)
{
	unsigned int need = KRB5_BLOCK + k->et->cksum;
	struct krb5_msg m;
	int err;

	err = krb5_mic_pieces(iov, n);
	if (err)
		return err;
	if (*toklen < need)
		return -EMSGSIZE;
	err = krb5_msg_init(&m, n + 1);
	if (err)
		return err;
	krb5_put_header(tok, KRB5_TOK_MIC, krb5_my_flags(k), 0xffff, 0xffff,
			seq);
	krb5_msg_pieces(&m, iov, n, false, NULL, 0);
	krb5_msg_add(&m, tok, KRB5_BLOCK, false);
	err = krb5_checksum(k->et, k->send.kc_sign, m.seg, m.n,
			    tok + KRB5_BLOCK);
	krb5_msg_free(&m);
	if (!err)
		*toklen = need;
	return err;
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_get_mic, KSSPI_INTERNAL);

/**
 * ksspi_krb5_verify_mic() - Check a MIC token over a message.
 * @k: the context.
 * @iov: the message, as ksspi_krb5_get_mic() took it.
 * @n: the number of @iov.
 * @tok: the token.
 * @toklen: its length.
 * @seq: receives the token's sequence number.
 *
 * Return: 0, -EBADMSG (checksum), -EPROTO (not a MIC token of the peer),
 * -EMSGSIZE (truncated), -EINVAL, -ENOMEM.
 */
int ksspi_krb5_verify_mic(struct ksspi_krb5_ctx *k,
			  const struct ksspi_krb5_iov *iov, unsigned int n,
			  const u8 *tok, unsigned int toklen, u64 *seq)
{
	unsigned int need = KRB5_BLOCK + k->et->cksum;
	u8 hdr[KRB5_BLOCK], mine[32];
	struct krb5_msg m;
	int err;

	err = krb5_mic_pieces(iov, n);
	if (err)
		return err;
	if (toklen < KRB5_BLOCK)
		return -EMSGSIZE;
	err = krb5_check_header(k, tok, KRB5_TOK_MIC);
	if (err)
		return err;
	if (toklen < need)
		return -EMSGSIZE;
	if (toklen > need)
		return -EPROTO;
	err = krb5_msg_init(&m, n + 1);
	if (err)
		return err;
	memcpy(hdr, tok, sizeof(hdr));
	krb5_msg_pieces(&m, iov, n, false, NULL, 0);
	krb5_msg_add(&m, hdr, sizeof(hdr), false);
	err = krb5_checksum(k->et, k->recv.kc_sign, m.seg, m.n, mine);
	krb5_msg_free(&m);
	if (err)
		return err;
	if (crypto_memneq(mine, tok + KRB5_BLOCK, k->et->cksum))
		return -EBADMSG;
	*seq = get_unaligned_be64(tok + 8);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_verify_mic, KSSPI_INTERNAL);

/**
 * ksspi_krb5_wrap() - Make a Wrap token, encrypting DATA in place.
 * @k: the context.
 * @seq: the sequence number to put in the token.
 * @conf: encrypt (else integrity only).
 * @iov: the message: one HEADER, optionally one TRAILER and PADDING, DATA
 *	and SIGN_ONLY pieces in order.  HEADER needs &ksspi_krb5_sizes.header
 *	bytes and TRAILER &ksspi_krb5_sizes.trailer; without a TRAILER the
 *	HEADER needs both (the trailer is rotated into it: RRC).  Their @len
 *	are set to the bytes used; PADDING's to 0.
 * @n: the number of @iov.
 *
 * Return: 0, -EMSGSIZE if HEADER or TRAILER is too small, -EINVAL,
 * -ENOMEM.
 */
int ksspi_krb5_wrap(struct ksspi_krb5_ctx *k, u64 seq, bool conf,
		    struct ksspi_krb5_iov *iov, unsigned int n)
{
	unsigned int cksum = k->et->cksum;
	u8 *h, *ck, *ehdr = NULL, *confounder = NULL;
	struct krb5_layout l;
	struct krb5_msg m;
	unsigned int i;
	u16 rrc = 0;
	int err;

	err = krb5_layout(iov, n, &l);
	if (err)
		return err;
	if (l.stream)
		return -EINVAL;
	h = l.header->data;
	if (conf) {
		if (l.trailer) {
			if (l.header->len < 2 * KRB5_BLOCK ||
			    l.trailer->len < KRB5_BLOCK + cksum)
				return -EMSGSIZE;
			confounder = h + KRB5_BLOCK;
			ehdr = l.trailer->data;
			ck = ehdr + KRB5_BLOCK;
			l.header->len = 2 * KRB5_BLOCK;
			l.trailer->len = KRB5_BLOCK + cksum;
		} else {
			if (l.header->len < 3 * KRB5_BLOCK + cksum)
				return -EMSGSIZE;
			rrc = KRB5_BLOCK + cksum;
			ehdr = h + KRB5_BLOCK;
			ck = ehdr + KRB5_BLOCK;
			confounder = ck + cksum;
			l.header->len = 3 * KRB5_BLOCK + cksum;
		}
	} else {
		if (l.trailer) {
			if (l.header->len < KRB5_BLOCK ||
			    l.trailer->len < cksum)
				return -EMSGSIZE;
			ck = l.trailer->data;
			l.header->len = KRB5_BLOCK;
			l.trailer->len = cksum;
		} else {
			if (l.header->len < KRB5_BLOCK + cksum)
				return -EMSGSIZE;
			rrc = cksum;
			ck = h + KRB5_BLOCK;
			l.header->len = KRB5_BLOCK + cksum;
		}
	}
	/* Room checked: from here on the pieces are written. */
	for (i = 0; i < n; i++)
		if (iov[i].type == KSSPI_KRB5_IOV_PADDING)
			iov[i].len = 0;
	err = krb5_msg_init(&m, n + 2);
	if (err)
		return err;
	krb5_put_header(h, KRB5_TOK_WRAP,
			krb5_my_flags(k) | (conf ? KRB5_FLAG_SEALED : 0), 0, 0,
			seq);
	if (conf) {
		memcpy(ehdr, h, KRB5_BLOCK);
		get_random_bytes(confounder, KRB5_BLOCK);
		krb5_msg_add(&m, confounder, KRB5_BLOCK, true);
		krb5_msg_pieces(&m, iov, n, true, NULL, 0);
		krb5_msg_add(&m, ehdr, KRB5_BLOCK, true);
		err = krb5_seal(k->et, &k->send, m.seg, m.n, ck);
	} else {
		krb5_msg_pieces(&m, iov, n, false, NULL, 0);
		krb5_msg_add(&m, h, KRB5_BLOCK, false);
		err = krb5_checksum(k->et, k->send.kc_seal, m.seg, m.n, ck);
		put_unaligned_be16(cksum, h + 4);
	}
	put_unaligned_be16(rrc, h + 6);
	krb5_msg_free(&m);
	return err;
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_wrap, KSSPI_INTERNAL);

static void krb5_reverse(u8 *p, u32 n)
{
	u32 i;

	for (i = 0; i < n / 2; i++)
		swap(p[i], p[n - 1 - i]);
}

/* Rotate left by @r in place, without a second buffer. */
static void krb5_rotate_left(u8 *p, u32 n, u32 r)
{
	if (!n)
		return;
	r %= n;
	if (!r)
		return;
	krb5_reverse(p, r);
	krb5_reverse(p + r, n - r);
	krb5_reverse(p, n);
}

/* The length of the token part after the header, or an error. */
static int krb5_need(u32 have, u32 need)
{
	if (have < need)
		return -EMSGSIZE;
	return have > need ? -EPROTO : 0;
}

/**
 * ksspi_krb5_unwrap() - Check a Wrap token and decrypt it in place.
 * @k: the context.
 * @iov: the message: HEADER (+ TRAILER) with DATA and SIGN_ONLY pieces as
 *	ksspi_krb5_wrap() made them, or one STREAM (a whole token, any RRC)
 *	with SIGN_ONLY pieces and optionally one DATA piece, which is pointed
 *	at the plaintext inside the STREAM.  Without a TRAILER the HEADER must
 *	hold exactly the header and the rotated trailer (RRC = EC + 16 +
 *	checksum size sealed, checksum size otherwise; Windows' RRC of 16 +
 *	checksum size with EC > 0 is accepted too).
 * @n: the number of @iov.
 * @conf: receives whether the token was sealed.
 * @seq: receives the token's sequence number.
 *
 * Return: 0, -EBADMSG (integrity), -EPROTO (not a Wrap token of the peer,
 * or framing that does not fit the pieces), -EMSGSIZE (truncated),
 * -EINVAL, -ENOMEM.
 */
int ksspi_krb5_unwrap(struct ksspi_krb5_ctx *k, struct ksspi_krb5_iov *iov,
		      unsigned int n, bool *conf, u64 *seq)
{
	unsigned int cksum = k->et->cksum;
	u8 *h, *ck, *ehdr = NULL, *sdata = NULL, hdr[KRB5_BLOCK], mine[32];
	u32 hlen, ec, rrc, least, tail = 0, slen = 0;
	struct krb5_layout l;
	struct krb5_msg m;
	bool sealed;
	int err;

	err = krb5_layout(iov, n, &l);
	if (err)
		return err;
	h = l.stream ? l.stream->data : l.header->data;
	hlen = l.stream ? l.stream->len : l.header->len;
	if (hlen < KRB5_BLOCK)
		return -EMSGSIZE;
	err = krb5_check_header(k, h, KRB5_TOK_WRAP);
	if (err)
		return err;
	sealed = h[2] & KRB5_FLAG_SEALED;
	ec = get_unaligned_be16(h + 4);
	rrc = get_unaligned_be16(h + 6);
	if (sealed)
		tail = ec + KRB5_BLOCK;
	else if (ec != cksum)
		return -EPROTO;

	/*
	 * Shorter than a token with EC 0 is a truncation; room that does not
	 * match EC (and RRC) is a malformed token.
	 */
	least = (sealed ? 2 * KRB5_BLOCK : 0) + cksum;
	if (l.stream) {
		u32 blen = hlen - KRB5_BLOCK;
		u32 over = (sealed ? KRB5_BLOCK : 0) + tail + cksum;

		if (blen < least)
			return -EMSGSIZE;
		if (blen < over)
			return -EPROTO;
		krb5_rotate_left(h + KRB5_BLOCK, blen, rrc);
		put_unaligned_be16(0, h + 6);
		sdata = h + KRB5_BLOCK + (sealed ? KRB5_BLOCK : 0);
		slen = blen - over;
		ehdr = sdata + slen;
		ck = ehdr + tail;
	} else if (l.trailer) {
		err = krb5_need(hlen, KRB5_BLOCK + (sealed ? KRB5_BLOCK : 0));
		if (err)
			return err;
		if (l.trailer->len < least - (sealed ? KRB5_BLOCK : 0))
			return -EMSGSIZE;
		if (rrc || l.trailer->len != tail + cksum)
			return -EPROTO;
		ehdr = l.trailer->data;
		ck = ehdr + tail;
	} else {
		if (hlen < KRB5_BLOCK + least)
			return -EMSGSIZE;
		if (rrc != tail + cksum &&
		    !(sealed && rrc == KRB5_BLOCK + cksum))
			return -EPROTO;
		if (hlen != KRB5_BLOCK + tail + cksum +
			    (sealed ? KRB5_BLOCK : 0))
			return -EPROTO;
		ehdr = h + KRB5_BLOCK;
		ck = ehdr + tail;
	}

	err = krb5_msg_init(&m, n + 2);
	if (err)
		return err;
	if (sealed) {
		u8 *confounder;

		if (l.stream)
			confounder = h + KRB5_BLOCK;
		else if (l.trailer)
			confounder = h + KRB5_BLOCK;
		else
			confounder = ck + cksum;
		krb5_msg_add(&m, confounder, KRB5_BLOCK, true);
		krb5_msg_pieces(&m, iov, n, true, sdata, slen);
		krb5_msg_add(&m, ehdr, tail, true);
		err = krb5_unseal(k->et, &k->recv, m.seg, m.n, ck);
		/*
		 * The encrypted copy must match the header, RRC aside (it is
		 * 0 in the copy).  EC too: it is not covered otherwise, and
		 * moving the data/filler boundary keeps the HMAC input.
		 */
		if (!err && (memcmp(ehdr + ec, h, 6) ||
			     memcmp(ehdr + ec + 8, h + 8, 8)))
			err = -EBADMSG;
	} else {
		memcpy(hdr, h, sizeof(hdr));
		put_unaligned_be32(0, hdr + 4);
		krb5_msg_pieces(&m, iov, n, false, sdata, slen);
		krb5_msg_add(&m, hdr, sizeof(hdr), false);
		err = krb5_checksum(k->et, k->recv.kc_seal, m.seg, m.n, mine);
		if (!err && crypto_memneq(mine, ck, cksum))
			err = -EBADMSG;
	}
	krb5_msg_free(&m);
	if (err)
		return err;
	if (l.data) {
		l.data->data = sdata;
		l.data->len = slen;
	}
	*conf = sealed;
	*seq = get_unaligned_be64(h + 8);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(ksspi_krb5_unwrap, KSSPI_INTERNAL);
