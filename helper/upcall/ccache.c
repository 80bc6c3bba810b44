// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall: ccache images and in-memory keytabs.
 *
 * FILE ccache format, version 4 (big endian):
 *   u16 0x0504, u16 header length, header tags, default principal,
 *   credentials (each as krb5_marshal_credentials() writes it).
 *   principal: u32 name type, u32 count, data realm, count x data
 *   data: u32 length, bytes
 * The reader walks each credential itself to find where it ends, then lets
 * libkrb5 unmarshal exactly those bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ccache.h"

#define PRINC_COMPONENTS_MAX	32
#define IMAGE_MAX		(1u << 20)

struct wbuf {
	uint8_t *p;
	size_t len, cap;
	int err;
};

static void put(struct wbuf *b, const void *d, size_t n)
{
	if (b->err)
		return;
	if (b->len + n > IMAGE_MAX) {
		b->err = 1;
		return;
	}
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		uint8_t *np;

		while (cap < b->len + n)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			b->err = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void put32(struct wbuf *b, uint32_t v)
{
	uint8_t x[4] = { v >> 24, v >> 16, v >> 8, v };

	put(b, x, 4);
}

static void put_data(struct wbuf *b, const krb5_data *d)
{
	put32(b, d->length);
	put(b, d->data, d->length);
}

static void put_principal(struct wbuf *b, krb5_const_principal p)
{
	krb5_int32 i;

	put32(b, (uint32_t)p->type);
	put32(b, (uint32_t)p->length);
	put_data(b, &p->realm);
	for (i = 0; i < p->length; i++)
		put_data(b, &p->data[i]);
}

krb5_error_code kup_ccache_image(krb5_context kctx, krb5_ccache cc,
				 uint8_t **out, size_t *len)
{
	static const uint8_t hdr[4] = { 0x05, 0x04, 0x00, 0x00 };
	struct wbuf b = { 0 };
	krb5_principal princ = NULL;
	krb5_cc_cursor cur;
	krb5_creds creds;
	krb5_error_code ret;
	int n = 0;

	ret = krb5_cc_get_principal(kctx, cc, &princ);
	if (ret)
		return ret;
	put(&b, hdr, sizeof(hdr));
	put_principal(&b, princ);
	ret = krb5_cc_start_seq_get(kctx, cc, &cur);
	if (ret)
		goto out;
	while (!(ret = krb5_cc_next_cred(kctx, cc, &cur, &creds))) {
		krb5_data *m = NULL;

		ret = krb5_marshal_credentials(kctx, &creds, &m);
		krb5_free_cred_contents(kctx, &creds);
		if (ret)
			break;
		put(&b, m->data, m->length);
		krb5_free_data(kctx, m);
		if (++n > KUP_CCACHE_CREDS_MAX)
			b.err = 1;
	}
	krb5_cc_end_seq_get(kctx, cc, &cur);
	if (ret == KRB5_CC_END)
		ret = 0;
	if (!ret && (b.err || n == 0))
		ret = n ? ENOMEM : KRB5_CC_NOTFOUND;
out:
	krb5_free_principal(kctx, princ);
	if (ret) {
		if (b.p)
			memset(b.p, 0, b.cap);
		free(b.p);
		return ret;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}

struct rbuf {
	const uint8_t *p, *end;
};

static int get32(struct rbuf *r, uint32_t *v)
{
	if (r->end - r->p < 4)
		return -1;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	     (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	return 0;
}

static int get16(struct rbuf *r, uint16_t *v)
{
	if (r->end - r->p < 2)
		return -1;
	*v = (uint16_t)(r->p[0] << 8 | r->p[1]);
	r->p += 2;
	return 0;
}

static int skip(struct rbuf *r, size_t n)
{
	if ((size_t)(r->end - r->p) < n)
		return -1;
	r->p += n;
	return 0;
}

static int skip_data(struct rbuf *r)
{
	uint32_t n;

	return get32(r, &n) || skip(r, n);
}

static int skip_principal(struct rbuf *r)
{
	uint32_t type, count, i;

	if (get32(r, &type) || get32(r, &count) ||
	    count > PRINC_COMPONENTS_MAX || skip_data(r))
		return -1;
	for (i = 0; i < count; i++)
		if (skip_data(r))
			return -1;
	return 0;
}

/* addresses or authdata: u32 count, each u16 type + data. */
static int skip_typed_list(struct rbuf *r)
{
	uint32_t count, i;
	uint16_t type;

	if (get32(r, &count) || count > 1024)
		return -1;
	for (i = 0; i < count; i++)
		if (get16(r, &type) || skip_data(r))
			return -1;
	return 0;
}

static int skip_creds(struct rbuf *r)
{
	uint16_t enctype;

	return skip_principal(r) || skip_principal(r) ||
	       get16(r, &enctype) || skip_data(r) ||	/* keyblock */
	       skip(r, 4 * 4 + 1 + 4) ||	/* times, is_skey, flags */
	       skip_typed_list(r) || skip_typed_list(r) ||
	       skip_data(r) || skip_data(r);	/* ticket, second ticket */
}

static krb5_error_code get_principal(struct rbuf *r, krb5_principal *out)
{
	krb5_principal p;
	uint32_t type, count, i, n;

	if (get32(r, &type) || get32(r, &count) || count == 0 ||
	    count > PRINC_COMPONENTS_MAX)
		return KRB5_CC_FORMAT;
	p = calloc(1, sizeof(*p));
	if (!p)
		return ENOMEM;
	p->magic = KV5M_PRINCIPAL;
	p->type = (krb5_int32)type;
	p->data = calloc(count, sizeof(*p->data));
	if (!p->data)
		goto bad;
	if (get32(r, &n) || (size_t)(r->end - r->p) < n)
		goto bad;
	p->realm.data = malloc(n + 1);
	if (!p->realm.data)
		goto bad;
	memcpy(p->realm.data, r->p, n);
	p->realm.data[n] = '\0';
	p->realm.length = n;
	r->p += n;
	for (i = 0; i < count; i++) {
		if (get32(r, &n) || (size_t)(r->end - r->p) < n)
			goto bad;
		p->data[i].data = malloc(n + 1);
		if (!p->data[i].data)
			goto bad;
		memcpy(p->data[i].data, r->p, n);
		p->data[i].data[n] = '\0';
		p->data[i].length = n;
		p->length = (krb5_int32)i + 1;
		r->p += n;
	}
	*out = p;
	return 0;
bad:
	if (p->data)
		for (i = 0; i < (uint32_t)p->length; i++)
			free(p->data[i].data);
	free(p->data);
	free(p->realm.data);
	free(p);
	return KRB5_CC_FORMAT;
}

krb5_error_code kup_ccache_from_image(krb5_context kctx, const uint8_t *img,
				      size_t len, const char *name,
				      krb5_ccache *out)
{
	struct rbuf r = { img, img + len };
	krb5_principal princ = NULL;
	krb5_ccache cc = NULL;
	krb5_error_code ret;
	uint16_t version, hlen;
	int n = 0;

	if (len > IMAGE_MAX || get16(&r, &version) || version != 0x0504 ||
	    get16(&r, &hlen) || skip(&r, hlen))
		return KRB5_CC_FORMAT;
	ret = get_principal(&r, &princ);
	if (ret)
		return ret;
	ret = krb5_cc_resolve(kctx, name, &cc);
	if (ret)
		goto out;
	ret = krb5_cc_initialize(kctx, cc, princ);
	if (ret)
		goto out;
	while (r.p < r.end) {
		const uint8_t *start = r.p;
		krb5_creds *creds = NULL;
		krb5_data d;

		if (skip_creds(&r) || ++n > KUP_CCACHE_CREDS_MAX) {
			ret = KRB5_CC_FORMAT;
			goto out;
		}
		d.magic = KV5M_DATA;
		d.data = (char *)start;
		d.length = (unsigned int)(r.p - start);
		ret = krb5_unmarshal_credentials(kctx, &d, &creds);
		if (ret)
			goto out;
		ret = krb5_cc_store_cred(kctx, cc, creds);
		krb5_free_creds(kctx, creds);
		if (ret)
			goto out;
	}
	if (n == 0)
		ret = KRB5_CC_NOTFOUND;
out:
	krb5_free_principal(kctx, princ);
	if (ret) {
		if (cc)
			krb5_cc_destroy(kctx, cc);
		return ret;
	}
	*out = cc;
	return 0;
}

krb5_error_code kup_keytab_to_memory(krb5_context kctx, const char *src,
				     const char *dst, int *nkeys)
{
	krb5_keytab in = NULL, mem = NULL;
	krb5_kt_cursor cur;
	krb5_keytab_entry e;
	krb5_error_code ret;
	int n = 0;

	if (src && *src)
		ret = krb5_kt_resolve(kctx, src, &in);
	else
		ret = krb5_kt_default(kctx, &in);
	if (ret)
		return ret;
	ret = krb5_kt_resolve(kctx, dst, &mem);
	if (ret)
		goto out;
	ret = krb5_kt_start_seq_get(kctx, in, &cur);
	if (ret)
		goto out;
	while (!(ret = krb5_kt_next_entry(kctx, in, &e, &cur))) {
		ret = krb5_kt_add_entry(kctx, mem, &e);
		krb5_free_keytab_entry_contents(kctx, &e);
		if (ret)
			break;
		n++;
	}
	krb5_kt_end_seq_get(kctx, in, &cur);
	if (ret == KRB5_KT_END)
		ret = n ? 0 : KRB5_KT_NOTFOUND;
	*nkeys = n;
out:
	/* The MEMORY keytab lives on while the process does. */
	if (in)
		krb5_kt_close(kctx, in);
	return ret;
}

/*
 * Whether the current (dropped) identity can open a FILE: ccache or
 * keytab name.  Other types are left to libkrb5.  0 yes, else an errno.
 */
int kup_file_readable(const char *name)
{
	const char *path = name;
	int fd;

	if (!strncmp(path, "FILE:", 5) || !strncmp(path, "WRFILE:", 7))
		path = strchr(path, ':') + 1;
	else if (strchr(path, ':') && path[0] != '/')
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}
