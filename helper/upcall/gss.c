// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall: GSS-API (MIT krb5 mechanism) for acquire, initiate and
 * accept.  Every call uses the krb5 mechanism directly; the negotiate
 * package gets its SPNEGO framing from spnego.c, so a multi-leg context is
 * always an exportable krb5 context and the minor status is always the
 * Kerberos error (see status.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <linux/ksspi.h>

#include "ccache.h"
#include "gss.h"
#include "krb5err.h"
#include "mapping.h"
#include "spnego.h"
#include "state.h"
#include "status.h"

static gss_OID_desc krb5_oid = {
	9, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02" };
static gss_OID_set_desc krb5_set = { 1, &krb5_oid };

void kup_result_init(struct kup_result *res)
{
	memset(res, 0, sizeof(*res));
	res->uid = (uint32_t)-1;
	res->gid = (uint32_t)-1;
	res->status = SEC_E_INTERNAL_ERROR;
}

static void free_secret(uint8_t *p, size_t len)
{
	if (p) {
		memset(p, 0, len);
		free(p);
	}
}

void kup_result_free(struct kup_result *res)
{
	free(res->groups);
	free(res->output);
	free_secret(res->state, res->state_len);
	free(res->client_name);
	free(res->server_name);
	free(res->local_name);
	free_secret(res->session_key, res->session_key_len);
	free_secret(res->delegated, res->delegated_len);
	free(res->x509_certs);
	free(res->x509_sig);
	memset(res, 0, sizeof(*res));
}

void kup_result_msg(struct kup_result *res, const char *fmt, ...)
{
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(res->message, sizeof(res->message), fmt, ap);
	va_end(ap);
	/* It goes into a response string: printable only. */
	for (i = 0; res->message[i]; i++)
		if ((unsigned char)res->message[i] < 0x20 ||
		    res->message[i] == 0x7f)
			res->message[i] = ' ';
}

uint32_t kup_isc_to_gss(uint32_t isc)
{
	uint32_t g = 0;

	/* Like Windows: delegate only where the KDC says ok-as-delegate. */
	if (isc & ISC_REQ_DELEGATE)
		g |= GSS_C_DELEG_POLICY_FLAG;
	if (isc & ISC_REQ_MUTUAL_AUTH)
		g |= GSS_C_MUTUAL_FLAG;
	if (isc & ISC_REQ_REPLAY_DETECT)
		g |= GSS_C_REPLAY_FLAG;
	if (isc & ISC_REQ_SEQUENCE_DETECT)
		g |= GSS_C_SEQUENCE_FLAG;
	if (isc & ISC_REQ_CONFIDENTIALITY)
		g |= GSS_C_CONF_FLAG;
	if (isc & ISC_REQ_INTEGRITY)
		g |= GSS_C_INTEG_FLAG;
	if (isc & ISC_REQ_IDENTIFY)
		g |= GSS_C_IDENTIFY_FLAG;
	if (isc & ISC_REQ_USE_DCE_STYLE)
		g |= GSS_C_DCE_STYLE;
	return g;
}

uint32_t kup_gss_to_isc(uint32_t g)
{
	uint32_t r = 0;

	if (g & GSS_C_DELEG_FLAG)
		r |= ISC_RET_DELEGATE;
	if (g & GSS_C_MUTUAL_FLAG)
		r |= ISC_RET_MUTUAL_AUTH;
	if (g & GSS_C_REPLAY_FLAG)
		r |= ISC_RET_REPLAY_DETECT;
	if (g & GSS_C_SEQUENCE_FLAG)
		r |= ISC_RET_SEQUENCE_DETECT;
	if (g & GSS_C_CONF_FLAG)
		r |= ISC_RET_CONFIDENTIALITY;
	if (g & GSS_C_INTEG_FLAG)
		r |= ISC_RET_INTEGRITY;
	if (g & GSS_C_IDENTIFY_FLAG)
		r |= ISC_RET_IDENTIFY;
	if (g & GSS_C_DCE_STYLE)
		r |= ISC_RET_USED_DCE_STYLE;
	return r;
}

uint32_t kup_gss_to_asc(uint32_t g)
{
	uint32_t r = 0;

	if (g & GSS_C_DELEG_FLAG)
		r |= ASC_RET_DELEGATE;
	if (g & GSS_C_MUTUAL_FLAG)
		r |= ASC_RET_MUTUAL_AUTH;
	if (g & GSS_C_REPLAY_FLAG)
		r |= ASC_RET_REPLAY_DETECT;
	if (g & GSS_C_SEQUENCE_FLAG)
		r |= ASC_RET_SEQUENCE_DETECT;
	if (g & GSS_C_CONF_FLAG)
		r |= ASC_RET_CONFIDENTIALITY;
	if (g & GSS_C_INTEG_FLAG)
		r |= ASC_RET_INTEGRITY;
	if (g & GSS_C_IDENTIFY_FLAG)
		r |= ASC_RET_IDENTIFY;
	if (g & GSS_C_DCE_STYLE)
		r |= ASC_RET_USED_DCE_STYLE;
	return r;
}

/* "major/minor: text" of a GSS failure, into the result message. */
static void gss_fail(struct kup_result *res, enum kup_phase phase,
		     const char *what, OM_uint32 major, OM_uint32 minor)
{
	OM_uint32 min, ctx = 0;
	gss_buffer_desc mj = GSS_C_EMPTY_BUFFER, mn = GSS_C_EMPTY_BUFFER;

	res->major = major;
	res->minor = (int32_t)minor;
	res->status = kup_map_status(phase, major, (int32_t)minor);
	gss_display_status(&min, major, GSS_C_GSS_CODE, GSS_C_NO_OID, &ctx,
			   &mj);
	ctx = 0;
	if (minor)
		gss_display_status(&min, minor, GSS_C_MECH_CODE, &krb5_oid,
				   &ctx, &mn);
	kup_result_msg(res, "%s: %.*s%s%.*s", what, (int)mj.length,
		       (char *)mj.value, mn.length ? ": " : "",
		       (int)mn.length, (char *)mn.value);
	gss_release_buffer(&min, &mj);
	gss_release_buffer(&min, &mn);
}

static char *name_string(gss_name_t name)
{
	OM_uint32 maj, min;
	gss_buffer_desc b = GSS_C_EMPTY_BUFFER;
	char *s = NULL;

	if (name == GSS_C_NO_NAME)
		return NULL;
	maj = gss_display_name(&min, name, &b, NULL);
	if (maj == GSS_S_COMPLETE &&
	    kup_string_ok(b.value, b.length))
		s = strndup(b.value, b.length);
	gss_release_buffer(&min, &b);
	return s;
}

static OM_uint32 import_principal(OM_uint32 *minor, const char *s,
				  gss_name_t *out)
{
	gss_buffer_desc b = { strlen(s), (void *)s };

	return gss_import_name(minor, &b, GSS_KRB5_NT_PRINCIPAL_NAME, out);
}

/*
 * "service/host[@REALM]" is a Kerberos principal name, "service@host" (or
 * a bare "service") a host-based service name.
 */
static OM_uint32 import_target(OM_uint32 *minor, const char *s,
			       gss_name_t *out)
{
	gss_buffer_desc b = { strlen(s), (void *)s };

	if (strchr(s, '/'))
		return gss_import_name(minor, &b, GSS_KRB5_NT_PRINCIPAL_NAME,
				       out);
	return gss_import_name(minor, &b, GSS_C_NT_HOSTBASED_SERVICE, out);
}

static int64_t expiry_from(OM_uint32 time_rec)
{
	if (time_rec == GSS_C_INDEFINITE || time_rec == 0)
		return 0;
	return (int64_t)time(NULL) + time_rec;
}

static int take_buffer(gss_buffer_t b, uint8_t **out, size_t *len)
{
	OM_uint32 min;

	*out = NULL;
	*len = 0;
	if (b->length) {
		*out = malloc(b->length);
		if (!*out) {
			gss_release_buffer(&min, b);
			return -1;
		}
		memcpy(*out, b->value, b->length);
		*len = b->length;
	}
	gss_release_buffer(&min, b);
	return 0;
}

/* Expand %U (uid) in a client keytab template. */
static int expand_template(const char *tmpl, uid_t uid, char *out,
			   size_t size)
{
	size_t o = 0;
	int n;

	for (; *tmpl; tmpl++) {
		if (tmpl[0] == '%' && tmpl[1] == 'U') {
			n = snprintf(out + o, size - o, "%u",
				     (unsigned int)uid);
			if (n < 0 || (size_t)n >= size - o)
				return -1;
			o += (size_t)n;
			tmpl++;
			continue;
		}
		if (o + 1 >= size)
			return -1;
		out[o++] = *tmpl;
	}
	out[o] = '\0';
	return 0;
}

/*
 * Initiator credentials of the handle: delegated credentials (a ccache
 * image), a named client keytab, a named ccache, or the requester's
 * default ccache (with the configured client keytab as MIT's fallback).
 * Never anything from a caller's environment: ours is empty.
 */
static int init_cred(const struct kup_work *w, struct kup_result *res,
		     gss_cred_id_t *cred, OM_uint32 *lifetime)
{
	const struct kup_request *req = w->req;
	gss_key_value_element_desc el[2];
	gss_key_value_set_desc store = { 0, el };
	gss_name_t name = GSS_C_NO_NAME;
	char ktbuf[KUP_PATH_MAX], ccname[64], msg[KUP_KRB5_MSG_MAX];
	OM_uint32 maj, min;
	krb5_error_code kret;
	krb5_ccache cc = NULL;
	int err;

	snprintf(ccname, sizeof(ccname), "MEMORY:ksspi-init-%d", getpid());
	if (req->principal) {
		maj = import_principal(&min, req->principal, &name);
		if (GSS_ERROR(maj)) {
			gss_fail(res, KUP_PHASE_ACQUIRE, "principal", maj, min);
			res->status = SEC_E_UNKNOWN_CREDENTIALS;
			return -1;
		}
	}
	if (req->ccache_data.data) {
		kret = kup_ccache_from_image(w->kctx, req->ccache_data.data,
					     req->ccache_data.len, ccname,
					     &cc);
		if (kret) {
			res->status = SEC_E_NO_CREDENTIALS;
			kup_result_msg(res, "delegated ccache image: %s",
				       kup_krb5_msg(w->kctx, kret, msg,
						    sizeof(msg)));
			goto fail;
		}
		el[store.count].key = "ccache";
		el[store.count++].value = ccname;
	} else if (req->flags & KSSPI_UPCALL_F_KERNEL && w->system_keytab) {
		el[store.count].key = "client_keytab";
		el[store.count++].value = w->system_keytab;
		el[store.count].key = "ccache";
		el[store.count++].value = ccname;
	} else if (req->keytab) {
		err = kup_file_readable(req->keytab);
		if (err) {
			res->status = err == ENOENT ? SEC_E_NO_CREDENTIALS :
						      SEC_E_NOT_OWNER;
			kup_result_msg(res, "client keytab %s: %s",
				       req->keytab, strerror(err));
			goto fail;
		}
		el[store.count].key = "client_keytab";
		el[store.count++].value = req->keytab;
		el[store.count].key = "ccache";
		el[store.count++].value = ccname;
	} else {
		if (req->ccache) {
			err = kup_file_readable(req->ccache);
			if (err) {
				res->status = err == ENOENT ?
					SEC_E_NO_CREDENTIALS : SEC_E_NOT_OWNER;
				kup_result_msg(res, "ccache %s: %s",
					       req->ccache, strerror(err));
				goto fail;
			}
			el[store.count].key = "ccache";
			el[store.count++].value = req->ccache;
		}
		if (w->cfg->client_keytab[0]) {
			if (expand_template(w->cfg->client_keytab, req->uid,
					    ktbuf, sizeof(ktbuf))) {
				kup_result_msg(res, "client_keytab too long");
				goto fail;
			}
			el[store.count].key = "client_keytab";
			el[store.count++].value = ktbuf;
		}
	}
	maj = gss_acquire_cred_from(&min, name, GSS_C_INDEFINITE, &krb5_set,
				    GSS_C_INITIATE, &store, cred, NULL,
				    lifetime);
	if (GSS_ERROR(maj)) {
		gss_fail(res, KUP_PHASE_ACQUIRE, "initiator credentials", maj,
			 min);
		if (res->status != SEC_E_NO_AUTHENTICATING_AUTHORITY &&
		    res->status != SEC_E_TIME_SKEW)
			res->status = SEC_E_NO_CREDENTIALS;
		goto fail;
	}
	gss_release_name(&min, &name);
	/* A MEMORY ccache stays registered while the process lives. */
	if (cc)
		krb5_cc_close(w->kctx, cc);
	return 0;
fail:
	gss_release_name(&min, &name);
	if (cc)
		krb5_cc_destroy(w->kctx, cc);
	return -1;
}

/* The acceptor's keytab, for the store of gss_acquire_cred_from(). */
static const char *acceptor_keytab(const struct kup_work *w)
{
	if (w->req->flags & KSSPI_UPCALL_F_KERNEL)
		return w->system_keytab;
	if (w->req->keytab)
		return w->req->keytab;
	if (w->cfg->keytab[0])
		return w->cfg->keytab;
	return NULL;
}

static int accept_cred(const struct kup_work *w, struct kup_result *res,
		       gss_cred_id_t *cred)
{
	const char *kt = acceptor_keytab(w);
	gss_key_value_element_desc el = { "keytab", kt };
	gss_key_value_set_desc store = { kt ? 1 : 0, &el };
	gss_name_t name = GSS_C_NO_NAME;
	char defkt[KUP_PATH_MAX];
	OM_uint32 maj, min, tmp;
	int err;

	if (!(w->req->flags & KSSPI_UPCALL_F_KERNEL)) {
		const char *check = kt;

		if (!check && !krb5_kt_default_name(w->kctx, defkt,
						    sizeof(defkt)))
			check = defkt;
		err = check ? kup_file_readable(check) : 0;
		if (err) {
			res->status = err == ENOENT ? SEC_E_NO_CREDENTIALS :
						      SEC_E_NOT_OWNER;
			kup_result_msg(res, "keytab %s: %s", check,
				       strerror(err));
			return -1;
		}
	}
	if (w->req->principal) {
		maj = import_principal(&min, w->req->principal, &name);
		if (GSS_ERROR(maj)) {
			gss_fail(res, KUP_PHASE_ACQUIRE, "principal", maj, min);
			res->status = SEC_E_UNKNOWN_CREDENTIALS;
			return -1;
		}
	}
	maj = gss_acquire_cred_from(&min, name, GSS_C_INDEFINITE, &krb5_set,
				    GSS_C_ACCEPT, &store, cred, NULL, NULL);
	gss_release_name(&tmp, &name);
	if (GSS_ERROR(maj)) {
		gss_fail(res, KUP_PHASE_ACQUIRE, "acceptor credentials", maj,
			 min);
		res->status = SEC_E_NO_CREDENTIALS;
		return -1;
	}
	return 0;
}

void kup_gss_acquire(const struct kup_work *w, struct kup_result *res)
{
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
	gss_name_t name = GSS_C_NO_NAME;
	OM_uint32 maj, min, lifetime = 0;

	if (w->req->cred_use & SECPKG_CRED_OUTBOUND) {
		if (init_cred(w, res, &cred, &lifetime)) {
			/* Acquire knows no skew: the credentials are unusable. */
			if (res->status == SEC_E_TIME_SKEW)
				res->status = SEC_E_NO_CREDENTIALS;
			return;
		}
		maj = gss_inquire_cred(&min, cred, &name, &lifetime, NULL,
				       NULL);
		if (GSS_ERROR(maj) || lifetime == 0) {
			if (GSS_ERROR(maj))
				gss_fail(res, KUP_PHASE_ACQUIRE,
					 "initiator credentials", maj, min);
			else
				kup_result_msg(res, "credentials expired");
			if (res->status != SEC_E_NO_AUTHENTICATING_AUTHORITY)
				res->status = SEC_E_NO_CREDENTIALS;
			goto out;
		}
		res->client_name = name_string(name);
		res->expiry = expiry_from(lifetime);
		gss_release_name(&min, &name);
		gss_release_cred(&min, &cred);
	}
	if (w->req->cred_use & SECPKG_CRED_INBOUND) {
		if (accept_cred(w, res, &cred))
			return;
		if (w->req->principal)
			res->server_name = strdup(w->req->principal);
	}
	res->status = SEC_E_OK;
out:
	gss_release_name(&min, &name);
	gss_release_cred(&min, &cred);
}

/*
 * Session key, end time and per-message state from the lucid context;
 * consumes @ctx.
 */
static void lucid_info(struct kup_result *res, gss_ctx_id_t *ctx)
{
	int subkey = 0;
	gss_krb5_lucid_context_v1_t *lc;
	gss_krb5_lucid_key_t *key;
	OM_uint32 maj, min;
	void *p = NULL;

	maj = gss_krb5_export_lucid_sec_context(&min, ctx, 1, &p);
	if (GSS_ERROR(maj) || !p)
		return;
	lc = p;
	if (lc->protocol == 0)
		key = &lc->rfc1964_kd.ctx_key;
	else if (lc->cfx_kd.have_acceptor_subkey)
		key = &lc->cfx_kd.acceptor_subkey, subkey = 1;
	else
		key = &lc->cfx_kd.ctx_key;
	if (key->length && key->length <= 64) {
		res->session_key = malloc(key->length);
		if (res->session_key) {
			memcpy(res->session_key, key->data, key->length);
			res->session_key_len = key->length;
			res->enctype = key->type;
		}
	}
	if (lc->endtime)
		res->expiry = lc->endtime;
	res->has_lucid = 1;
	res->lucid.protocol = lc->protocol;
	res->lucid.flags = (lc->initiate ? KSSPI_UPCALL_LUCID_INITIATOR : 0) |
			   (subkey ? KSSPI_UPCALL_LUCID_ACCEPTOR_SUBKEY : 0);
	res->lucid.send_seq = lc->send_seq;
	res->lucid.recv_seq = lc->recv_seq;
	gss_krb5_free_lucid_sec_context(&min, p);
}

static int export_state(struct kup_result *res, gss_ctx_id_t *ctx,
			const struct kup_request *req, enum kup_role role,
			uint32_t mech)
{
	gss_buffer_desc b = GSS_C_EMPTY_BUFFER;
	struct kup_state st = { 0 };
	OM_uint32 maj, min;
	int ret;

	maj = gss_export_sec_context(&min, ctx, &b);
	if (GSS_ERROR(maj)) {
		gss_fail(res, KUP_PHASE_ACQUIRE, "export context", maj, min);
		res->status = SEC_E_INTERNAL_ERROR;
		return -1;
	}
	st.role = role;
	st.package_id = req->package_id;
	st.next_leg = req->leg + 1;
	st.req_flags = req->req_flags;
	st.mech = mech;
	st.ctx = b.value;
	st.ctx_len = (uint32_t)b.length;
	ret = kup_state_pack(&st, &res->state, &res->state_len);
	memset(b.value, 0, b.length);
	gss_release_buffer(&min, &b);
	if (ret) {
		res->status = SEC_E_INTERNAL_ERROR;
		kup_result_msg(res, "context state too large");
		return -1;
	}
	return 0;
}

static int import_state(const struct kup_request *req, enum kup_role role,
			struct kup_result *res, gss_ctx_id_t *ctx,
			uint32_t *mech)
{
	gss_buffer_desc b;
	struct kup_state st;
	OM_uint32 maj, min;

	if (kup_state_unpack(req->state.data, req->state.len, &st) ||
	    st.role != role || st.package_id != req->package_id ||
	    st.next_leg != req->leg || !st.ctx_len) {
		res->status = SEC_E_INVALID_TOKEN;
		kup_result_msg(res, "context state does not fit this leg");
		return -1;
	}
	b.value = (void *)st.ctx;
	b.length = st.ctx_len;
	maj = gss_import_sec_context(&min, &b, ctx);
	if (GSS_ERROR(maj)) {
		gss_fail(res, KUP_PHASE_ACQUIRE, "import context", maj, min);
		res->status = SEC_E_INTERNAL_ERROR;
		return -1;
	}
	*mech = st.mech;
	return 0;
}

/*
 * A krb5 mechanism token (AP-REQ, AP-REP, KRB-ERROR) in its whole GSS
 * framing, naming the krb5 OID.  DCE-style continuation tokens are raw.
 */
static int token_is_krb5(const void *tok, size_t len)
{
	enum kup_mech mech;

	return !kup_gss_framing(tok, len, &mech) && mech != KUP_MECH_OTHER;
}

/* Names of an established context into the result. */
static void context_names(struct kup_result *res, gss_ctx_id_t ctx)
{
	gss_name_t src = GSS_C_NO_NAME, targ = GSS_C_NO_NAME;
	OM_uint32 maj, min;

	maj = gss_inquire_context(&min, ctx, &src, &targ, NULL, NULL, NULL,
				  NULL, NULL);
	if (GSS_ERROR(maj))
		return;
	res->client_name = name_string(src);
	res->server_name = name_string(targ);
	gss_release_name(&min, &src);
	gss_release_name(&min, &targ);
}

void kup_gss_initiate(const struct kup_work *w, struct kup_result *res)
{
	const struct kup_request *req = w->req;
	int spnego = req->package_id == KSSPI_PACKAGE_NEGOTIATE;
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	gss_name_t target = GSS_C_NO_NAME;
	gss_buffer_desc in = GSS_C_EMPTY_BUFFER, out = GSS_C_EMPTY_BUFFER;
	struct kup_neg_resp nr = { .neg_state = KUP_NEG_ABSENT };
	enum kup_phase phase = req->leg ? KUP_PHASE_INIT_REPLY :
					  KUP_PHASE_INIT_FIRST;
	OM_uint32 maj, min, ret_flags = 0, time_rec = 0, lifetime;
	uint32_t mech = KUP_MECH_KRB5;
	uint8_t *tok = NULL;
	size_t toklen = 0;

	maj = import_target(&min, req->target, &target);
	if (GSS_ERROR(maj)) {
		gss_fail(res, phase, "target name", maj, min);
		res->status = SEC_E_TARGET_UNKNOWN;
		goto out;
	}
	if (req->leg == 0) {
		if (init_cred(w, res, &cred, &lifetime))
			goto out;
	} else {
		if (import_state(req, KUP_ROLE_INITIATOR, res, &ctx, &mech))
			goto out;
		if (spnego) {
			if (kup_spnego_parse_resp(req->input.data,
						  req->input.len, &nr)) {
				res->status = SEC_E_INVALID_TOKEN;
				kup_result_msg(res, "not a SPNEGO NegTokenResp");
				goto out;
			}
			if (nr.neg_state == KUP_NEG_REJECT) {
				res->status = SEC_E_LOGON_DENIED;
				kup_result_msg(res, "acceptor rejected");
				goto out;
			}
			if ((nr.has_mech &&
			     nr.supported_mech == KUP_MECH_OTHER) ||
			    !nr.response_token.data) {
				res->status = SEC_E_INVALID_TOKEN;
				kup_result_msg(res, "SPNEGO reply without a Kerberos token");
				goto out;
			}
			in.value = (void *)nr.response_token.data;
			in.length = nr.response_token.len;
		} else {
			in.value = (void *)req->input.data;
			in.length = req->input.len;
		}
	}

	if (req->leg && !(req->req_flags & ISC_REQ_USE_DCE_STYLE) &&
	    !token_is_krb5(in.value, in.length)) {
		res->status = SEC_E_INVALID_TOKEN;
		kup_result_msg(res, "not a whole Kerberos GSS-API token");
		goto out;
	}
	maj = gss_init_sec_context(&min, cred, &ctx, target, &krb5_oid,
				   kup_isc_to_gss(req->req_flags), 0,
				   GSS_C_NO_CHANNEL_BINDINGS,
				   req->leg ? &in : GSS_C_NO_BUFFER, NULL,
				   &out, &ret_flags, &time_rec);
	if (GSS_ERROR(maj)) {
		OM_uint32 tmp;

		gss_release_buffer(&tmp, &out);
		gss_fail(res, phase, "gss_init_sec_context", maj, min);
		goto out;
	}
	if (take_buffer(&out, &tok, &toklen)) {
		res->status = SEC_E_INSUFFICIENT_MEMORY;
		goto out;
	}
	res->ret_flags = kup_gss_to_isc(ret_flags);
	res->major = maj;

	if (spnego && req->leg == 0) {
		if (kup_spnego_make_init(tok, toklen, &res->output,
					 &res->output_len))
			goto nomem;
	} else if (spnego && toklen) {
		if (kup_spnego_make_resp(KUP_NEG_ABSENT, KUP_MECH_OTHER, tok,
					 toklen, NULL, 0, &res->output,
					 &res->output_len))
			goto nomem;
	} else if (toklen) {
		res->output = tok;
		res->output_len = toklen;
		tok = NULL;
	}

	if (maj & GSS_S_CONTINUE_NEEDED) {
		if (export_state(res, &ctx, req, KUP_ROLE_INITIATOR, mech))
			goto out;
		res->status = SEC_I_CONTINUE_NEEDED;
		goto out;
	}

	/* Established. */
	if (spnego && nr.mech_list_mic.data) {
		gss_buffer_desc msg = {
			kup_spnego_our_mechlist_len,
			(void *)kup_spnego_our_mechlist };
		gss_buffer_desc mic = { nr.mech_list_mic.len,
					(void *)nr.mech_list_mic.data };

		maj = gss_verify_mic(&min, ctx, &msg, &mic, NULL);
		if (GSS_ERROR(maj)) {
			gss_fail(res, KUP_PHASE_INIT_REPLY, "mechListMIC", maj,
				 min);
			res->status = SEC_E_MUTUAL_AUTH_FAILED;
			goto out;
		}
	}
	if (spnego && req->leg &&
	    (nr.neg_state == KUP_NEG_REQUEST_MIC ||
	     nr.neg_state == KUP_NEG_ACCEPT_INCOMPLETE)) {
		/* The acceptor wants our mechListMIC to finish. */
		gss_buffer_desc msg = {
			kup_spnego_our_mechlist_len,
			(void *)kup_spnego_our_mechlist };
		gss_buffer_desc mic = GSS_C_EMPTY_BUFFER;

		maj = gss_get_mic(&min, ctx, GSS_C_QOP_DEFAULT, &msg, &mic);
		if (GSS_ERROR(maj)) {
			gss_fail(res, KUP_PHASE_INIT_REPLY, "gss_get_mic", maj,
				 min);
			goto out;
		}
		free(res->output);
		res->output = NULL;
		if (kup_spnego_make_resp(KUP_NEG_ABSENT, KUP_MECH_OTHER,
					 NULL, 0, mic.value, mic.length,
					 &res->output, &res->output_len)) {
			gss_release_buffer(&min, &mic);
			goto nomem;
		}
		gss_release_buffer(&min, &mic);
	}
	context_names(res, ctx);
	res->expiry = expiry_from(time_rec);
	lucid_info(res, &ctx);
	res->status = SEC_E_OK;
	goto out;
nomem:
	res->status = SEC_E_INSUFFICIENT_MEMORY;
out:
	free(tok);
	if (ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&min, &ctx, GSS_C_NO_BUFFER);
	gss_release_name(&min, &target);
	gss_release_cred(&min, &cred);
}

/* Delegated credentials into a ccache image. */
static void delegated_image(const struct kup_work *w, struct kup_result *res,
			    gss_cred_id_t deleg)
{
	char ccname[64];
	gss_key_value_element_desc el = { "ccache", ccname };
	gss_key_value_set_desc store = { 1, &el };
	krb5_ccache cc = NULL;
	OM_uint32 maj, min;
	krb5_error_code kret;

	snprintf(ccname, sizeof(ccname), "MEMORY:ksspi-deleg-%d", getpid());
	maj = gss_store_cred_into(&min, deleg, GSS_C_INITIATE, &krb5_oid, 1,
				  0, &store, NULL, NULL);
	if (GSS_ERROR(maj))
		return;
	kret = krb5_cc_resolve(w->kctx, ccname, &cc);
	if (!kret) {
		kret = kup_ccache_image(w->kctx, cc, &res->delegated,
					&res->delegated_len);
		krb5_cc_destroy(w->kctx, cc);
	}
	if (kret) {
		res->delegated = NULL;
		res->delegated_len = 0;
	}
}

/* Client principal -> account, level; 0 to go on, -1 refused. */
static int map_client(const struct kup_work *w, struct kup_result *res,
		      OM_uint32 gss_flags, int delegated)
{
	struct kup_identity id;
	enum kup_map_result m;
	char why[200];

	if (!res->client_name) {
		res->status = SEC_E_LOGON_DENIED;
		kup_result_msg(res, "no client name");
		return -1;
	}
	m = kup_map_account(w->kctx, res->client_name, w->cfg, &id, why,
			    sizeof(why));
	switch (m) {
	case KUP_MAP_OK:
		res->uid = id.uid;
		res->gid = id.gid;
		res->groups = id.groups;
		res->ngroups = id.ngroups;
		res->local_name = strdup(id.local);
		id.groups = NULL;
		kup_identity_free(&id);
		if (!res->local_name) {
			res->status = SEC_E_INSUFFICIENT_MEMORY;
			return -1;
		}
		if (delegated)
			res->level = SECURITY_DELEGATION;
		else if (gss_flags & GSS_C_IDENTIFY_FLAG)
			res->level = SECURITY_IDENTIFICATION;
		else
			res->level = SECURITY_IMPERSONATION;
		return 0;
	case KUP_MAP_UNMAPPED:
		if (w->cfg->unmapped == KUP_UNMAPPED_ANONYMOUS) {
			res->level = SECURITY_IDENTIFICATION;
			kup_result_msg(res, "unmapped, anonymous: %s", why);
			return 0;
		}
		res->status = SEC_E_LOGON_DENIED;
		kup_result_msg(res, "%s: %s", res->client_name, why);
		return -1;
	case KUP_MAP_ROOT:
	case KUP_MAP_ERROR:
		break;
	}
	res->status = m == KUP_MAP_ROOT ? SEC_E_LOGON_DENIED :
					  SEC_E_INTERNAL_ERROR;
	kup_result_msg(res, "%s: %s", res->client_name, why);
	return -1;
}

void kup_gss_accept(const struct kup_work *w, struct kup_result *res)
{
	const struct kup_request *req = w->req;
	int spnego = req->package_id == KSSPI_PACKAGE_NEGOTIATE;
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL, deleg = GSS_C_NO_CREDENTIAL;
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	gss_name_t src = GSS_C_NO_NAME;
	gss_buffer_desc in, out = GSS_C_EMPTY_BUFFER;
	OM_uint32 maj, min, ret_flags = 0, time_rec = 0;
	uint32_t mech = KUP_MECH_KRB5;
	uint8_t *tok = NULL;
	size_t toklen = 0;

	in.value = (void *)req->input.data;
	in.length = req->input.len;
	if (req->leg && import_state(req, KUP_ROLE_ACCEPTOR, res, &ctx, &mech))
		goto out;
	if (spnego && req->leg == 0) {
		struct kup_neg_init ni;

		if (kup_spnego_parse_init(req->input.data, req->input.len,
					  &ni)) {
			res->status = SEC_E_INVALID_TOKEN;
			kup_result_msg(res, "not a SPNEGO NegTokenInit");
			goto out;
		}
		if (!ni.has_krb5 || ni.first_mech == KUP_MECH_OTHER ||
		    !ni.mech_token.data) {
			res->status = SEC_E_INVALID_TOKEN;
			kup_result_msg(res, "Kerberos is not the initiator's preferred mechanism");
			goto out;
		}
		mech = ni.first_mech;
		in.value = (void *)ni.mech_token.data;
		in.length = ni.mech_token.len;
	} else if (spnego) {
		struct kup_neg_resp nr;

		if (kup_spnego_parse_resp(req->input.data, req->input.len,
					  &nr) || !nr.response_token.data) {
			res->status = SEC_E_INVALID_TOKEN;
			kup_result_msg(res, "not a SPNEGO NegTokenResp with a token");
			goto out;
		}
		in.value = (void *)nr.response_token.data;
		in.length = nr.response_token.len;
	}
	if (req->leg == 0 && !token_is_krb5(in.value, in.length)) {
		res->status = SEC_E_INVALID_TOKEN;
		kup_result_msg(res, "not a whole Kerberos GSS-API token");
		goto out;
	}
	if (accept_cred(w, res, &cred))
		goto out;

	maj = gss_accept_sec_context(&min, &ctx, cred, &in,
				     GSS_C_NO_CHANNEL_BINDINGS, &src, NULL,
				     &out, &ret_flags, &time_rec, &deleg);
	if (GSS_ERROR(maj)) {
		OM_uint32 tmp;

		gss_release_buffer(&tmp, &out);
		gss_fail(res, KUP_PHASE_ACCEPT, "gss_accept_sec_context", maj,
			 min);
		goto out;
	}
	if (take_buffer(&out, &tok, &toklen)) {
		res->status = SEC_E_INSUFFICIENT_MEMORY;
		goto out;
	}
	res->major = maj;
	res->ret_flags = kup_gss_to_asc(ret_flags);
	if (spnego) {
		int st = maj & GSS_S_CONTINUE_NEEDED ?
			KUP_NEG_ACCEPT_INCOMPLETE : KUP_NEG_ACCEPT_COMPLETED;

		if (kup_spnego_make_resp(st, req->leg ? KUP_MECH_OTHER :
					 (enum kup_mech)mech, tok, toklen,
					 NULL, 0, &res->output,
					 &res->output_len))
			goto nomem;
	} else if (toklen) {
		res->output = tok;
		res->output_len = toklen;
		tok = NULL;
	}
	if (maj & GSS_S_CONTINUE_NEEDED) {
		if (export_state(res, &ctx, req, KUP_ROLE_ACCEPTOR, mech))
			goto out;
		res->status = SEC_I_CONTINUE_NEEDED;
		goto out;
	}

	res->client_name = name_string(src);
	context_names(res, ctx);
	if (map_client(w, res, ret_flags,
		       deleg != GSS_C_NO_CREDENTIAL &&
		       ret_flags & GSS_C_DELEG_FLAG))
		goto refused;
	if (res->level == SECURITY_DELEGATION) {
		delegated_image(w, res, deleg);
		if (!res->delegated) {
			/* Keep going without: the token is Impersonation. */
			res->level = SECURITY_IMPERSONATION;
			res->ret_flags &= ~ASC_RET_DELEGATE;
		}
	} else {
		res->ret_flags &= ~ASC_RET_DELEGATE;
	}
	res->expiry = expiry_from(time_rec);
	lucid_info(res, &ctx);
	res->status = SEC_E_OK;
	goto out;
refused:
	/* Nothing of a refused context goes back. */
	free(res->output);
	res->output = NULL;
	res->output_len = 0;
	goto out;
nomem:
	res->status = SEC_E_INSUFFICIENT_MEMORY;
out:
	free(tok);
	if (ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&min, &ctx, GSS_C_NO_BUFFER);
	gss_release_name(&min, &src);
	gss_release_cred(&min, &deleg);
	gss_release_cred(&min, &cred);
}
