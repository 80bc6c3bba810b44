// SPDX-License-Identifier: GPL-2.0
/*
 * The x509 package: certificate logon with a proof of possession of the
 * leaf's private key (Documentation/userspace-api/x509.rst).
 *
 * Four legs:
 *
 *   initiator -> HELLO      the chain (leaf first) and the signature
 *                           algorithm it will sign with
 *   acceptor  -> CHALLENGE  32 fresh random bytes (get_random_bytes())
 *   initiator -> PROOF      a signature by the leaf's key over the
 *                           to-be-signed structure (TBS, below)
 *   acceptor                the helper validates the chain against its trust
 *                           anchors, verifies the signature over the TBS the
 *                           acceptor builds itself, and maps the certificate
 *                           to a local account: the token
 *
 * The TBS binds the proof to this exchange and nothing else: a context
 * string, the acceptor's challenge, SHA-256 of the target name (the
 * initiator's target, the acceptor's own principal), SHA-256 of the channel
 * bindings, SHA-256 of the chain as sent, and the signature algorithm.  A
 * proof replayed into another context meets another challenge; a proof for
 * another target or another chain covers other hashes: both fail the
 * signature check in the helper (SEC_E_LOGON_DENIED).  The acceptor's
 * challenge is used once and wiped with the rest of the state on every
 * outcome.
 *
 * The initiator signs either in the kernel, with an asymmetric key from the
 * caller's keyrings (RSA, PKCS#1 v1.5 with SHA-256: what the kernel's
 * software key subtype can sign with in 6.1), so that the private key never
 * sits in the program; or through the helper (KSSPI_UPCALL_X509_SIGN), which
 * reads a key file with the handle owner's ids.
 *
 * Kernel code that already verified a TLS peer (kTLS after tlshd) hands the
 * peer's chain to ksspi_x509_accept_tls_peer(), which only maps it.
 */
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/key.h>
#include <linux/keyctl.h>
#include <linux/printk.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/unaligned/packed_struct.h>
#include <asm/unaligned.h>
#include <crypto/public_key.h>
#include <crypto/sha2.h>
#include <keys/asymmetric-type.h>

#include "object.h"
#include "params.h"
#include "package.h"
#include "upcall.h"
#include "uapi.h"
#include "x509.h"
#include "../uapi/linux/ksspi_upcall.h"

/* Token framing: magic, version, type, two reserved zero bytes. */
#define X509_MAGIC		0x6b783539U	/* "kx59" */
#define X509_VERSION		1
#define X509_HDR_LEN		8
#define X509_MSG_HELLO		1
#define X509_MSG_CHALLENGE	2
#define X509_MSG_PROOF		3
#define X509_CHALLENGE_LEN	32

/* The context string opening the TBS: exactly 32 bytes. */
static const char x509_tbs_context[32] = "ksspi x509 proof of possession 1";
#define X509_TBS_LEN		(32 + X509_CHALLENGE_LEN + 3 * SHA256_DIGEST_SIZE + 4)

#define X509_MAX_TOKEN		(X509_HDR_LEN + 4 + KSSPI_UPCALL_X509_CHAIN_MAX)

#define X509_ISC_FLAGS		(ISC_REQ_CONNECTION | ISC_REQ_IDENTIFY)
#define X509_ASC_FLAGS		(ASC_REQ_CONNECTION | ASC_REQ_IDENTIFY)

/**
 * struct x509_cred - The package's part of an outbound handle.
 * @certs: the chain, DER back to back, leaf first.
 * @certs_len: its length.
 * @sig_alg: KSSPI_X509_SIG_* the handle signs with.
 * @key_path: the helper signs with this file, or NULL.
 * @key: or the kernel signs with this asymmetric key (a reference).
 * @key_sig_size: the size of @key's signatures (its modulus).
 */
struct x509_cred {
	u8 *certs;
	u32 certs_len;
	u32 sig_alg;
	char *key_path;
	struct key *key;
	u32 key_sig_size;
};

/* Where a context stands. */
enum x509_phase {
	X509_START,		/* nothing sent or received */
	X509_WAIT_CHALLENGE,	/* initiator sent HELLO */
	X509_WAIT_PROOF,	/* acceptor sent CHALLENGE */
	X509_TLS_PEER,		/* acceptor of a kernel TLS peer, next step maps */
	X509_DONE,
};

/**
 * struct x509_ctx - The package's part of a context.
 * @phase: an &enum x509_phase.
 * @challenge: the acceptor's challenge (wiped once used).
 * @certs: the chain the peer sent (acceptor), or NULL.
 * @certs_len: its length.
 * @ncerts: certificates in the chain.
 * @sig_alg: KSSPI_X509_SIG_* of the proof.
 * @strength: KSSPI_X509_STRENGTH_* of the mapping (established acceptor).
 * @proven: a kernel TLS peer accepted without a proof.
 */
struct x509_ctx {
	enum x509_phase phase;
	u8 challenge[X509_CHALLENGE_LEN];
	u8 *certs;
	u32 certs_len;
	u32 ncerts;
	u32 sig_alg;
	u32 strength;
	bool proven;
};

static struct ksspi_package x509_package;

static void init_req(struct ksspi_upcall_req *req,
		     const struct ksspi_cred *cred, u16 op)
{
	memset(req, 0, sizeof(*req));
	req->op = op;
	req->flags = cred->kernel ? KSSPI_UPCALL_F_KERNEL : 0;
	req->package_id = KSSPI_PACKAGE_X509;
	req->cred_use = cred->use;
	req->requester = cred->owner;
}

/* As kerberos.c: the upcall's own failures, for AcquireCredentialsHandle. */
static int upcall_errno(int err)
{
	switch (err) {
	case -EINTR:
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		return -EINTR;
	case -ENOMEM:
	case -ETIMEDOUT:
	case -EBADMSG:
	case -EHOSTUNREACH:
	case -EACCES:
	case -ENOKEY:
		return err;
	case -EKEYREJECTED:
	case -EKEYREVOKED:
	case -EKEYEXPIRED:
	case -ENOENT:
		return -EHOSTUNREACH;
	default:
		return -EPROTO;
	}
}

/* The errno of an acquire for the helper's status (x509.rst table). */
static int acquire_errno(s32 status)
{
	switch (status) {
	case SEC_E_OK:
		return 0;
	case SEC_E_NO_CREDENTIALS:
		return -ENOKEY;
	case SEC_E_NOT_OWNER:
		return -EACCES;
	case SEC_E_UNKNOWN_CREDENTIALS:
	case SEC_E_CERT_UNKNOWN:
		return -EKEYREJECTED;
	case SEC_E_ALGORITHM_MISMATCH:
		return -EOPNOTSUPP;
	default:
		return status > 0 ? -EBADMSG : -EPROTO;
	}
}

/*
 * The caller's asymmetric key: looked up as KEYCTL_PKEY_SIGN looks up its
 * key (the caller must be able to search it), and it must be able to sign
 * PKCS#1 v1.5 SHA-256 -- an RSA key with its private part.  The handle
 * keeps the reference, as a descriptor keeps a file open.
 */
static int x509_get_key(key_serial_t serial, struct key **keyp, u32 *sig_size)
{
	struct kernel_pkey_params params = {
		.encoding = "pkcs1",
		.hash_algo = "sha256",
	};
	struct kernel_pkey_query info;
	key_ref_t kref;
	struct key *key;
	int ret;

	if (serial <= 0)
		return -EINVAL;
	kref = lookup_user_key(serial, 0, KEY_NEED_SEARCH);
	if (IS_ERR(kref))
		return PTR_ERR(kref);
	key = key_ref_to_ptr(kref);
	if (key->type != &key_type_asymmetric) {
		ret = -EKEYREJECTED;
		goto err_put;
	}
	ret = key_validate(key);
	if (ret)
		goto err_put;
	params.key = key;
	ret = query_asymmetric_key(&params, &info);
	if (ret)
		goto err_unsupported;
	if (!(info.supported_ops & KEYCTL_SUPPORTS_SIGN) ||
	    !info.max_sig_size || info.max_sig_size > KSSPI_UPCALL_X509_SIG_MAX)
		goto err_unsupported;
	*keyp = key;
	*sig_size = info.max_sig_size;
	return 0;

err_unsupported:
	ret = -EOPNOTSUPP;
err_put:
	key_put(key);
	return ret;
}

static void x509_cred_destroy(struct x509_cred *xc)
{
	if (!xc)
		return;
	kfree(xc->certs);
	kfree(xc->key_path);
	key_put(xc->key);
	kfree(xc);
}

/*
 * Outbound: the chain and key named by the caller.  The helper, as the
 * owner, reads the chain file (or parses the chain given), checks a key
 * file against the leaf, and names the leaf's subject and the signature
 * algorithm its key implies.
 */
static int x509_cred_outbound(struct ksspi_cred *cred,
			      const struct ksspi_x509_args *a)
{
	struct ksspi_upcall_reply *reply;
	struct ksspi_upcall_req req;
	struct x509_cred *xc;
	int ret;

	if (!a || !a->chain_path == !a->chain || !a->key_path == !a->key_serial)
		return -EINVAL;
	if (a->chain && ksspi_upcall_x509_split(a->chain, a->chain_len,
						NULL, NULL) < 0)
		return -EINVAL;

	xc = kzalloc(sizeof(*xc), GFP_KERNEL);
	if (!xc)
		return -ENOMEM;
	if (a->key_serial) {
		ret = x509_get_key(a->key_serial, &xc->key, &xc->key_sig_size);
		if (ret)
			goto err_free;
	} else {
		xc->key_path = kstrdup(a->key_path, GFP_KERNEL);
		if (!xc->key_path) {
			ret = -ENOMEM;
			goto err_free;
		}
	}

	init_req(&req, cred, KSSPI_UPCALL_X509_CHAIN);
	ksspi_upcall_add_string(&req, KSSPI_UPCALL_X509_CHAIN_PATH, a->chain_path);
	if (a->chain)
		ksspi_upcall_add_item(&req, KSSPI_UPCALL_X509_CERTS, a->chain, a->chain_len);
	ksspi_upcall_add_string(&req, KSSPI_UPCALL_X509_KEY_PATH, a->key_path);
	ret = ksspi_upcall(&req, &reply);
	if (ret) {
		ret = upcall_errno(ret);
		goto err_free;
	}
	ret = acquire_errno(reply->status);
	if (ret) {
		pr_info_ratelimited("ksspi: x509 acquire: status %#x: %s\n",
				    (u32)reply->status,
				    reply->message ?: "no message");
		goto err_reply;
	}
	/* The upcall checked the items' form; here, that they fit. */
	ret = -EBADMSG;
	if (!reply->client_name || !reply->x509_sig_alg ||
	    !reply->x509_certs != !a->chain_path)
		goto err_reply;
	/* The kernel signs RSA PKCS#1 v1.5 only; the leaf must be RSA. */
	if (xc->key && reply->x509_sig_alg == KSSPI_X509_SIG_ECDSA_SHA256) {
		ret = -EOPNOTSUPP;
		goto err_reply;
	}
	xc->sig_alg = xc->key ? KSSPI_X509_SIG_RSA_PKCS1_SHA256 :
				reply->x509_sig_alg;
	if (a->chain) {
		xc->certs = kmemdup(a->chain, a->chain_len, GFP_KERNEL);
		xc->certs_len = a->chain_len;
	} else {
		xc->certs = reply->x509_certs;
		xc->certs_len = reply->x509_certs_len;
		reply->x509_certs = NULL;
	}
	if (!cred->principal)
		cred->principal = kstrdup(reply->client_name, GFP_KERNEL);
	if (!xc->certs || !cred->principal) {
		ret = -ENOMEM;
		goto err_reply;
	}
	ksspi_upcall_reply_free(reply);
	cred->pkg_data = xc;
	return 0;

err_reply:
	ksspi_upcall_reply_free(reply);
err_free:
	x509_cred_destroy(xc);
	return ret;
}

static int x509_cred_init(struct ksspi_cred *cred)
{
	const struct ksspi_x509_args *a = cred->pkg_args;

	if (cred->ccache || cred->keytab)
		return -EINVAL;
	switch (cred->use) {
	case SECPKG_CRED_OUTBOUND:
		return x509_cred_outbound(cred, a);
	case SECPKG_CRED_INBOUND:
		/*
		 * No material: the trust anchors are the helper's.  A user
		 * acceptor names the target it answers to, which the
		 * initiator's proof must cover; kernel code may go without
		 * one when it accepts only TLS peers.
		 */
		if (a && (a->chain || a->chain_path || a->key_path ||
			  a->key_serial))
			return -EINVAL;
		if (!cred->principal && !cred->kernel)
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

static void x509_cred_free(struct ksspi_cred *cred)
{
	x509_cred_destroy(cred->pkg_data);
}

/* Token framing. */
static u8 *msg_new(u8 type, u32 body, u32 *len)
{
	u8 *m = kzalloc(X509_HDR_LEN + body, GFP_KERNEL);

	if (!m)
		return NULL;
	put_unaligned_be32(X509_MAGIC, m);
	m[4] = X509_VERSION;
	m[5] = type;
	*len = X509_HDR_LEN + body;
	return m;
}

/* The body of a token of @type, or NULL if the token is not one. */
static const u8 *msg_body(const struct ksspi_leg *leg, u8 type, u32 *body)
{
	const u8 *m = leg->in;

	if (!m || leg->in_len <= X509_HDR_LEN ||
	    leg->in_len > X509_MAX_TOKEN ||
	    get_unaligned_be32(m) != X509_MAGIC || m[4] != X509_VERSION ||
	    m[5] != type || m[6] || m[7])
		return NULL;
	*body = leg->in_len - X509_HDR_LEN;
	return m + X509_HDR_LEN;
}

/*
 * The to-be-signed structure (x509.rst): context string, challenge,
 * SHA-256 of the target name, of the channel bindings (none yet: the step
 * API carries none, so the hash of nothing), of the chain, and the
 * signature algorithm (big endian).
 */
static void build_tbs(u8 *tbs, const u8 *challenge, const char *target,
		      const u8 *certs, u32 certs_len, u32 sig_alg)
{
	u8 *p = tbs;

	memcpy(p, x509_tbs_context, sizeof(x509_tbs_context));
	p += sizeof(x509_tbs_context);
	memcpy(p, challenge, X509_CHALLENGE_LEN);
	p += X509_CHALLENGE_LEN;
	sha256(target, strlen(target), p);
	p += SHA256_DIGEST_SIZE;
	sha256(NULL, 0, p);
	p += SHA256_DIGEST_SIZE;
	sha256(certs, certs_len, p);
	p += SHA256_DIGEST_SIZE;
	put_unaligned_be32(sig_alg, p);
}

/* Initiator, leg 1: HELLO. */
static s32 initiate_hello(struct ksspi_context *ctx, struct x509_ctx *x,
			  const struct ksspi_leg *leg, u8 **out, u32 *out_len)
{
	const struct x509_cred *xc = ctx->cred->pkg_data;
	u8 *m;

	if (leg->in_len)
		return SEC_E_INVALID_TOKEN;
	if (!ctx->target)
		return SEC_E_TARGET_UNKNOWN;
	m = msg_new(X509_MSG_HELLO, 4 + xc->certs_len, out_len);
	if (!m)
		return SEC_E_INSUFFICIENT_MEMORY;
	put_unaligned_be32(xc->sig_alg, m + X509_HDR_LEN);
	memcpy(m + X509_HDR_LEN + 4, xc->certs, xc->certs_len);
	*out = m;
	x->phase = X509_WAIT_CHALLENGE;
	return SEC_I_CONTINUE_NEEDED;
}

/*
 * Signs @tbs with the handle's keyring key: PKCS#1 v1.5, SHA-256.  @sig
 * must be heap memory of %KSSPI_UPCALL_X509_SIG_MAX bytes.
 */
static s32 sign_keyring(const struct x509_cred *xc, const u8 *tbs,
			u8 *sig, u32 *sig_len)
{
	struct kernel_pkey_params params = {
		.key = xc->key,
		.encoding = "pkcs1",
		.hash_algo = "sha256",
		.in_len = SHA256_DIGEST_SIZE,
		/*
		 * Exactly the key's size: 6.1's pkcs1pad pads a short
		 * result up to the key size assuming out_len is no more.
		 */
		.out_len = xc->key_sig_size,
	};
	u8 *digest;
	int ret;

	/* Both go into scatterlists: heap, never the (vmapped) stack. */
	digest = kmalloc(SHA256_DIGEST_SIZE, GFP_KERNEL);
	if (!digest)
		return SEC_E_INSUFFICIENT_MEMORY;
	sha256(tbs, X509_TBS_LEN, digest);
	ret = create_signature(&params, digest, sig);
	kfree_sensitive(digest);
	if (ret < 0) {
		pr_info_ratelimited("ksspi: x509: keyring signature failed: %d\n",
				    ret);
		return ret == -ENOMEM ? SEC_E_INSUFFICIENT_MEMORY :
					SEC_E_NO_CREDENTIALS;
	}
	if (!ret || ret > KSSPI_UPCALL_X509_SIG_MAX)
		return SEC_E_INTERNAL_ERROR;
	*sig_len = ret;
	return SEC_E_OK;
}

/* Signs @tbs through the helper, which reads the key file as the owner. */
static int sign_helper(const struct ksspi_context *ctx,
		       const struct x509_cred *xc, const u8 *tbs,
		       u8 *sig, u32 *sig_len, s32 *status)
{
	struct ksspi_upcall_reply *reply;
	struct ksspi_upcall_req req;
	int ret;

	init_req(&req, ctx->cred, KSSPI_UPCALL_X509_SIGN);
	req.context_id = ctx->id;
	req.leg = 1;
	ksspi_upcall_add_string(&req, KSSPI_UPCALL_X509_KEY_PATH, xc->key_path);
	ksspi_upcall_add_item(&req, KSSPI_UPCALL_X509_TBS, tbs, X509_TBS_LEN);
	ksspi_upcall_add_item(&req, KSSPI_UPCALL_X509_SIG_ALG, &xc->sig_alg,
			      sizeof(xc->sig_alg));
	ret = ksspi_upcall(&req, &reply);
	if (ret) {
		ret = upcall_errno(ret);
		if (ret == -EINTR)
			return ret;
		*status = ret == -ENOMEM ? SEC_E_INSUFFICIENT_MEMORY :
					   SEC_E_NO_AUTHENTICATING_AUTHORITY;
		return 0;
	}
	if (reply->status != SEC_E_OK) {
		pr_info_ratelimited("ksspi: x509 context %llu: signing failed: status %#x: %s\n",
				    ctx->id, (u32)reply->status,
				    reply->message ?: "no message");
		*status = reply->status == SEC_E_INSUFFICIENT_MEMORY ?
			  SEC_E_INSUFFICIENT_MEMORY : SEC_E_NO_CREDENTIALS;
	} else {
		/* Present and at most ..._SIG_MAX: the upcall checked. */
		memcpy(sig, reply->x509_sig, reply->x509_sig_len);
		*sig_len = reply->x509_sig_len;
		*status = SEC_E_OK;
	}
	ksspi_upcall_reply_free(reply);
	return 0;
}

/* Initiator, leg 2: the challenge in, the PROOF out; then established. */
static int initiate_proof(struct ksspi_context *ctx, struct x509_ctx *x,
			  const struct ksspi_leg *leg, u8 **out, u32 *out_len,
			  s32 *status)
{
	const struct x509_cred *xc = ctx->cred->pkg_data;
	const u8 *challenge;
	u8 *tbs, *sig, *m;
	u32 body, sig_len = 0;
	int ret = 0;

	challenge = msg_body(leg, X509_MSG_CHALLENGE, &body);
	if (!challenge || body != X509_CHALLENGE_LEN) {
		*status = SEC_E_INVALID_TOKEN;
		return 0;
	}
	tbs = kmalloc(X509_TBS_LEN + KSSPI_UPCALL_X509_SIG_MAX, GFP_KERNEL);
	if (!tbs) {
		*status = SEC_E_INSUFFICIENT_MEMORY;
		return 0;
	}
	sig = tbs + X509_TBS_LEN;
	build_tbs(tbs, challenge, ctx->target, xc->certs, xc->certs_len,
		  xc->sig_alg);
	if (xc->key)
		*status = sign_keyring(xc, tbs, sig, &sig_len);
	else
		ret = sign_helper(ctx, xc, tbs, sig, &sig_len, status);
	if (ret || *status != SEC_E_OK)
		goto out;

	m = msg_new(X509_MSG_PROOF, sig_len, out_len);
	if (!m) {
		*status = SEC_E_INSUFFICIENT_MEMORY;
		goto out;
	}
	memcpy(m + X509_HDR_LEN, sig, sig_len);
	ctx->client_name = kstrdup(ctx->cred->principal, GFP_KERNEL);
	ctx->server_name = kstrdup(ctx->target, GFP_KERNEL);
	if (!ctx->client_name || !ctx->server_name) {
		kfree(m);
		*status = SEC_E_INSUFFICIENT_MEMORY;
		goto out;
	}
	*out = m;
	x->sig_alg = xc->sig_alg;
	x->phase = X509_DONE;
	ctx->ret_flags = ctx->req_flags & ISC_RET_IDENTIFY;
	*status = SEC_E_OK;
out:
	kfree_sensitive(tbs);
	return ret;
}

/* Acceptor, leg 1: HELLO in, CHALLENGE out. */
static s32 accept_hello(struct ksspi_context *ctx, struct x509_ctx *x,
			const struct ksspi_leg *leg, u8 **out, u32 *out_len)
{
	const u8 *body;
	u32 len, alg;
	int n;
	u8 *m;

	body = msg_body(leg, X509_MSG_HELLO, &len);
	if (!body || len <= 4)
		return SEC_E_INVALID_TOKEN;
	alg = get_unaligned_be32(body);
	if (alg < KSSPI_X509_SIG_RSA_PKCS1_SHA256 ||
	    alg > KSSPI_X509_SIG_RSA_PSS_SHA256)
		return SEC_E_ALGORITHM_MISMATCH;
	n = ksspi_upcall_x509_split(body + 4, len - 4, NULL, NULL);
	if (n < 0)
		return SEC_E_CERT_UNKNOWN;
	/* A proof must name the target it is for: this handle's. */
	if (!ctx->cred->principal)
		return SEC_E_WRONG_PRINCIPAL;

	x->certs = kmemdup(body + 4, len - 4, GFP_KERNEL);
	if (!x->certs)
		return SEC_E_INSUFFICIENT_MEMORY;
	x->certs_len = len - 4;
	x->ncerts = n;
	x->sig_alg = alg;
	m = msg_new(X509_MSG_CHALLENGE, X509_CHALLENGE_LEN, out_len);
	if (!m)
		return SEC_E_INSUFFICIENT_MEMORY;
	get_random_bytes(x->challenge, sizeof(x->challenge));
	memcpy(m + X509_HDR_LEN, x->challenge, sizeof(x->challenge));
	*out = m;
	x->phase = X509_WAIT_PROOF;
	return SEC_I_CONTINUE_NEEDED;
}

/* Statuses an x509 logon may end with; anything else is malformed. */
static bool logon_status_known(s32 status)
{
	switch (status) {
	case SEC_E_UNTRUSTED_ROOT:
	case SEC_E_CERT_EXPIRED:
	case SEC_E_CERT_WRONG_USAGE:
	case CRYPT_E_REVOKED:
	case SEC_E_CERT_UNKNOWN:
	case SEC_E_LOGON_DENIED:
	case SEC_E_NO_AUTHENTICATING_AUTHORITY:
	case SEC_E_ALGORITHM_MISMATCH:
	case SEC_E_INVALID_TOKEN:
	case SEC_E_INSUFFICIENT_MEMORY:
	case SEC_E_INTERNAL_ERROR:
		return true;
	}
	return false;
}

/* The client's token from a validated X509_ACCEPT reply. */
static s32 make_token(struct ksspi_context *ctx, struct x509_ctx *x,
		      struct ksspi_upcall_reply *r)
{
	struct ksspi_token_desc desc = {
		.uid = r->uid,
		.gid = r->gid,
		.groups = r->groups,
		.name = r->client_name,
		.level = SECURITY_IMPERSONATION,
		.source = r->instantiator,
	};
	struct group_info *none = NULL;
	s32 status;

	/* The upcall checked: a uid, a gid, a name, a strength. */
	if (strlen(r->client_name) > KSSPI_NAME_MAX)
		return SEC_E_NO_AUTHENTICATING_AUTHORITY;
	ctx->client_name = kstrdup(r->client_name, GFP_KERNEL);
	if (ctx->cred->principal)
		ctx->server_name = kstrdup(ctx->cred->principal, GFP_KERNEL);
	if (!ctx->client_name ||
	    (ctx->cred->principal && !ctx->server_name))
		return SEC_E_INSUFFICIENT_MEMORY;
	ctx->expiry = ktime_get_real_seconds() + ksspi_context_lifetime;
	desc.expiry = ctx->expiry;
	if (ctx->req_flags & ASC_REQ_IDENTIFY)
		desc.level = SECURITY_IDENTIFICATION;
	if (!desc.groups) {
		none = groups_alloc(0);
		if (!none)
			return SEC_E_INSUFFICIENT_MEMORY;
		desc.groups = none;
	}
	status = ksspi_token_create(ctx->pkg, &desc, &ctx->token);
	if (none)
		put_group_info(none);
	if (status)
		return status;
	x->strength = r->x509_strength;
	if (desc.level == SECURITY_IDENTIFICATION)
		ctx->ret_flags |= ASC_RET_IDENTIFY;
	return SEC_E_OK;
}

/*
 * Acceptor, last leg: the helper validates and maps.  With @sig the proof
 * over the TBS this side builds; without, a kernel TLS peer.
 */
static int accept_logon(struct ksspi_context *ctx, struct x509_ctx *x,
			const u8 *sig, u32 sig_len, s32 *status)
{
	static const u32 proven = 1;
	struct ksspi_upcall_reply *reply;
	struct ksspi_upcall_req req;
	u8 tbs[X509_TBS_LEN];
	int ret;

	init_req(&req, ctx->cred, KSSPI_UPCALL_X509_ACCEPT);
	req.context_id = ctx->id;
	req.leg = 1;
	req.req_flags = ctx->req_flags;
	ksspi_upcall_add_item(&req, KSSPI_UPCALL_X509_CERTS, x->certs, x->certs_len);
	if (sig) {
		build_tbs(tbs, x->challenge, ctx->cred->principal, x->certs,
			  x->certs_len, x->sig_alg);
		ksspi_upcall_add_item(&req, KSSPI_UPCALL_X509_TBS, tbs, sizeof(tbs));
		ksspi_upcall_add_item(&req, KSSPI_UPCALL_X509_SIGNATURE, sig, sig_len);
		ksspi_upcall_add_item(&req, KSSPI_UPCALL_X509_SIG_ALG, &x->sig_alg,
				      sizeof(x->sig_alg));
	} else {
		ksspi_upcall_add_item(&req, KSSPI_UPCALL_X509_PROVEN, &proven,
				      sizeof(proven));
	}
	ret = ksspi_upcall(&req, &reply);
	memzero_explicit(tbs, sizeof(tbs));
	if (ret == -EPERM) {
		*status = SEC_E_LOGON_DENIED;
		return 0;
	}
	if (ret) {
		ret = upcall_errno(ret);
		if (ret == -EINTR)
			return ret;
		*status = ret == -ENOMEM ? SEC_E_INSUFFICIENT_MEMORY :
					   SEC_E_NO_AUTHENTICATING_AUTHORITY;
		return 0;
	}
	if (reply->status == SEC_E_OK) {
		*status = make_token(ctx, x, reply);
	} else if (logon_status_known(reply->status)) {
		pr_info_ratelimited("ksspi: x509 context %llu: logon refused: status %#x: %s\n",
				    ctx->id, (u32)reply->status,
				    reply->message ?: "no message");
		*status = reply->status;
	} else {
		pr_warn_ratelimited("ksspi: x509 context %llu: helper response refused: unknown status\n",
				    ctx->id);
		*status = SEC_E_NO_AUTHENTICATING_AUTHORITY;
	}
	ksspi_upcall_reply_free(reply);
	return 0;
}

/* Acceptor, leg 2: PROOF in. */
static int accept_proof(struct ksspi_context *ctx, struct x509_ctx *x,
			const struct ksspi_leg *leg, s32 *status)
{
	const u8 *sig;
	u32 len;
	int ret;

	sig = msg_body(leg, X509_MSG_PROOF, &len);
	if (!sig || len > KSSPI_UPCALL_X509_SIG_MAX) {
		*status = SEC_E_INVALID_TOKEN;
		return 0;
	}
	ret = accept_logon(ctx, x, sig, len, status);
	if (ret)
		return ret;
	/* Used once, whatever the outcome. */
	memzero_explicit(x->challenge, sizeof(x->challenge));
	return 0;
}

static void x509_ctx_wipe(struct x509_ctx *x)
{
	kfree(x->certs);
	x->certs = NULL;
	x->certs_len = 0;
	memzero_explicit(x->challenge, sizeof(x->challenge));
}

static struct x509_ctx *x509_ctx_of(struct ksspi_context *ctx)
{
	struct x509_ctx *x = ctx->pkg_data;

	if (!x) {
		x = kzalloc(sizeof(*x), GFP_KERNEL);
		ctx->pkg_data = x;
	}
	return x;
}

static int x509_step(struct ksspi_context *ctx, struct ksspi_leg *leg,
		     u8 **out, u32 *out_len, s32 *status)
{
	struct x509_ctx *x;
	int ret = 0;

	lockdep_assert_held(&ctx->lock);

	x = x509_ctx_of(ctx);
	if (!x) {
		*status = SEC_E_INSUFFICIENT_MEMORY;
		return 0;
	}
	if (leg->in_len > X509_MAX_TOKEN) {
		*status = SEC_E_INVALID_TOKEN;
		goto done;
	}
	switch (x->phase) {
	case X509_START:
		*status = ctx->initiator ?
			  initiate_hello(ctx, x, leg, out, out_len) :
			  accept_hello(ctx, x, leg, out, out_len);
		break;
	case X509_WAIT_CHALLENGE:
		ret = initiate_proof(ctx, x, leg, out, out_len, status);
		break;
	case X509_WAIT_PROOF:
		ret = accept_proof(ctx, x, leg, status);
		break;
	case X509_TLS_PEER:
		if (leg->in_len) {
			*status = SEC_E_INVALID_TOKEN;
			break;
		}
		ret = accept_logon(ctx, x, NULL, 0, status);
		break;
	default:
		*status = SEC_E_INVALID_HANDLE;
		break;
	}
done:
	if (ret)
		return ret;
	/* Success keeps only what queries need; failure keeps nothing. */
	if (*status != SEC_I_CONTINUE_NEEDED) {
		x509_ctx_wipe(x);
		x->phase = X509_DONE;
	}
	return 0;
}

static void x509_ctx_free(struct ksspi_context *ctx)
{
	struct x509_ctx *x = ctx->pkg_data;

	if (x) {
		x509_ctx_wipe(x);
		kfree(x);
	}
}

/**
 * ksspi_x509_accept_tls_peer() - Accept an in-kernel TLS peer by its
 * certificate chain.
 * @cred: inbound x509 credentials of kernel code (ksspi_acquire_credentials()).
 * @chain: the peer's chain as DER certificates back to back, leaf first.
 * @chain_len: bytes at @chain.
 * @possession_proven: the caller's TLS handshake (tlshd) verified that the
 *	peer holds the leaf's private key; must be true.
 * @ctxp: out: an established acceptor context (its token is the mapped
 *	account), or NULL on failure.
 *
 * Only kernel code can call this: the helper then validates the chain
 * against its trust anchors and maps it without a proof of possession.
 * May sleep.
 *
 * Return: %SEC_E_OK; %SEC_E_INVALID_PARAMETER when possession was not
 * proven or the chain does not frame; %SEC_E_WRONG_CREDENTIAL_HANDLE for a
 * handle that is not inbound x509 credentials of kernel code; the logon
 * statuses of Documentation/userspace-api/x509.rst.
 */
s32 ksspi_x509_accept_tls_peer(struct ksspi_cred *cred, const u8 *chain,
			       u32 chain_len, bool possession_proven,
			       struct ksspi_context **ctxp)
{
	struct ksspi_context *ctx;
	struct ksspi_leg leg = {};
	struct x509_ctx *x;
	s32 status;
	int n, ret;

	*ctxp = NULL;
	if (!cred || cred->pkg != &x509_package || !cred->kernel ||
	    !(cred->use & SECPKG_CRED_INBOUND))
		return SEC_E_WRONG_CREDENTIAL_HANDLE;
	if (!possession_proven || !chain)
		return SEC_E_INVALID_PARAMETER;
	n = ksspi_upcall_x509_split(chain, chain_len, NULL, NULL);
	if (n < 0)
		return SEC_E_INVALID_PARAMETER;

	ret = ksspi_context_new(cred, false, 0, NULL, &ctx);
	if (ret)
		return ret == -ENOMEM ? SEC_E_INSUFFICIENT_MEMORY :
					SEC_E_INTERNAL_ERROR;
	mutex_lock(&ctx->lock);
	x = x509_ctx_of(ctx);
	if (x) {
		x->certs = kmemdup(chain, chain_len, GFP_KERNEL);
		x->certs_len = chain_len;
		x->ncerts = n;
		x->proven = true;
		x->phase = X509_TLS_PEER;
	}
	mutex_unlock(&ctx->lock);
	if (!x || !x->certs) {
		ksspi_context_put(ctx);
		return SEC_E_INSUFFICIENT_MEMORY;
	}
	ret = ksspi_context_step(ctx, &leg, &status);
	if (ret)
		status = SEC_E_INTERNAL_ERROR;
	if (status != SEC_E_OK) {
		ksspi_context_put(ctx);
		return status;
	}
	*ctxp = ctx;
	return SEC_E_OK;
}
EXPORT_SYMBOL_GPL(ksspi_x509_accept_tls_peer);

/* Copies in a path of @len bytes without a NUL; none when both are 0. */
static char *copy_path(u64 uptr, u32 len)
{
	char *s;

	if (!len)
		return uptr ? ERR_PTR(-EINVAL) : NULL;
	if (len > KSSPI_NAME_MAX)
		return ERR_PTR(-EINVAL);
	s = memdup_user_nul(u64_to_user_ptr(uptr), len);
	if (!IS_ERR(s) && strlen(s) != len) {
		kfree(s);
		return ERR_PTR(-EINVAL);
	}
	return s;
}

/**
 * ksspi_x509_ioctl_acquire() - %KSSPI_IOC_X509_ACQUIRE.
 * @uarg: the caller's &struct ksspi_x509_acquire.
 *
 * Return: a credentials descriptor, or a negative errno (x509.rst).
 */
long ksspi_x509_ioctl_acquire(void __user *uarg)
{
	struct ksspi_cred_args args = { .package = "x509" };
	struct ksspi_x509_args xa = {};
	struct ksspi_x509_acquire xq;
	char *principal = NULL, *chain_path = NULL, *key_path = NULL;
	u8 *chain = NULL;
	struct ksspi_cred *cred;
	u32 usize;
	long ret;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < sizeof(xq))
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	ret = copy_struct_from_user(&xq, sizeof(xq), uarg, usize);
	if (ret)
		return ret;
	if (xq.flags || (xq.use != SECPKG_CRED_INBOUND &&
			 xq.use != SECPKG_CRED_OUTBOUND))
		return -EINVAL;

	principal = copy_path(xq.principal, xq.principal_len);
	chain_path = copy_path(xq.chain_path, xq.chain_path_len);
	key_path = copy_path(xq.key_path, xq.key_path_len);
	if (IS_ERR(principal) || IS_ERR(chain_path) || IS_ERR(key_path)) {
		ret = -EINVAL;
		goto out;
	}
	if (xq.chain_len || xq.chain) {
		if (!xq.chain || !xq.chain_len ||
		    xq.chain_len > KSSPI_UPCALL_X509_CHAIN_MAX) {
			ret = -EINVAL;
			goto out;
		}
		chain = memdup_user(u64_to_user_ptr(xq.chain), xq.chain_len);
		if (IS_ERR(chain)) {
			ret = PTR_ERR(chain);
			chain = NULL;
			goto out;
		}
	}
	/* Before the helper is asked: the answer must get out. */
	if (copy_to_user(uarg, &xq, sizeof(xq))) {
		ret = -EFAULT;
		goto out;
	}
	xa.chain_path = chain_path;
	xa.chain = chain;
	xa.chain_len = chain ? xq.chain_len : 0;
	xa.key_path = key_path;
	xa.key_serial = xq.key_serial;
	args.use = xq.use;
	args.principal = principal;
	args.pkg_args = &xa;
	ret = ksspi_cred_acquire(&args, &cred);
	if (ret)
		goto out;
	xq.expiry = cred->expiry;
	if (copy_to_user(uarg, &xq, sizeof(xq))) {
		ksspi_cred_put(cred);
		ret = -EFAULT;
		goto out;
	}
	ret = ksspi_uapi_cred_fd(cred);
out:
	if (!IS_ERR(principal))
		kfree(principal);
	if (!IS_ERR(chain_path))
		kfree(chain_path);
	if (!IS_ERR(key_path))
		kfree(key_path);
	kfree(chain);
	return ret;
}

/**
 * ksspi_x509_ioctl_query() - %KSSPI_IOC_X509_QUERY: QueryContextAttributes
 * (%SECPKG_ATTR_KSSPI_X509_INFO).
 * @ctx: the context.
 * @uarg: the caller's &struct ksspi_x509_info.
 *
 * Return: 0; -EINVAL for a bad argument or a context of another package;
 * -ENOENT before the context is established.
 */
long ksspi_x509_ioctl_query(struct ksspi_context *ctx, void __user *uarg)
{
	struct ksspi_x509_info xi;
	const struct x509_ctx *x;
	u32 usize;
	long ret;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < sizeof(xi))
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	ret = copy_struct_from_user(&xi, sizeof(xi), uarg, usize);
	if (ret)
		return ret;
	if (xi.flags || ctx->pkg != &x509_package)
		return -EINVAL;

	mutex_lock(&ctx->lock);
	x = ctx->pkg_data;
	if (ctx->state != KSSPI_STATE_ESTABLISHED || !x) {
		ret = -ENOENT;
	} else {
		memset(&xi, 0, sizeof(xi));
		xi.size = usize;
		xi.attr = SECPKG_ATTR_KSSPI_X509_INFO;
		xi.strength = x->strength;
		xi.sig_alg = x->proven ? 0 : x->sig_alg;
		xi.ncerts = x->ncerts;
		xi.possession_proven = x->proven;
	}
	mutex_unlock(&ctx->lock);
	if (ret)
		return ret;
	return copy_to_user(uarg, &xi, sizeof(xi)) ? -EFAULT : 0;
}

static const struct ksspi_package_ops x509_ops = {
	.cred_init = x509_cred_init,
	.cred_free = x509_cred_free,
	.step = x509_step,
	.ctx_free = x509_ctx_free,
};

static struct ksspi_package x509_package = {
	.name = "x509",
	.comment = "Certificate logon with proof of possession, via ksspi-upcall",
	.id = KSSPI_PACKAGE_X509,
	.capabilities = SECPKG_FLAG_CONNECTION | SECPKG_FLAG_MULTI_REQUIRED |
			SECPKG_FLAG_EXTENDED_ERROR | SECPKG_FLAG_IMPERSONATION |
			SECPKG_FLAG_LOGON,
	.version = 1,
	.max_token = X509_MAX_TOKEN,
	.isc_flags = X509_ISC_FLAGS,
	.asc_flags = X509_ASC_FLAGS,
	.ops = &x509_ops,
};

int ksspi_x509_init(void)
{
	return ksspi_package_register(&x509_package);
}

void ksspi_x509_exit(void)
{
	ksspi_package_unregister(&x509_package);
}
