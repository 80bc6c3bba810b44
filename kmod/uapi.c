// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl layer: /dev/ksspi, and anon-inode file descriptors for
 * credentials, contexts and tokens, each made from the one before it.
 *
 * Every argument is a structure whose first member is its size, copied with
 * copy_struct_from_user() so that it can grow; unknown flags are -EINVAL.
 * A descriptor's type is its f_op: an ioctl only ever sees the object its
 * own file_operations were made for.
 */
#include <linux/anon_inodes.h>
#include <linux/build_bug.h>
#include <linux/capability.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "object.h"
#include "package.h"
#include "impersonate.h"
#include "socket.h"
#include "uapi.h"
#include "x509.h"

/*
 * Copies in an argument whose first member is its size: at least @ksize
 * bytes, or exactly @old bytes, the size of an earlier version of the
 * structure (0: none), whose missing members read as zero.
 */
static int copy_arg_ver(void *karg, size_t ksize, size_t old,
			void __user *uarg, u32 *usize)
{
	u32 size;
	int ret;

	if (get_user(size, (u32 __user *)uarg))
		return -EFAULT;
	if (size < ksize && (!old || size != old))
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	ret = copy_struct_from_user(karg, ksize, uarg, size);
	if (ret)
		return ret;
	*usize = size;
	return 0;
}

static int copy_arg(void *karg, size_t ksize, void __user *uarg, u32 *usize)
{
	return copy_arg_ver(karg, ksize, 0, uarg, usize);
}

/*
 * Copies a name out: fills @size with the space needed and fails with
 * -ERANGE when the caller's buffer is smaller.  Without a buffer only the
 * size is reported.
 */
static int copy_name(u64 uptr, u32 *size, const char *name)
{
	size_t need = strlen(name) + 1;
	u32 have = *size;

	*size = need;
	if (!uptr)
		return 0;
	if (have < need)
		return -ERANGE;
	if (copy_to_user(u64_to_user_ptr(uptr), name, need))
		return -EFAULT;
	return 0;
}

/*
 * Fails unless the caller's argument can be written back: calls that change
 * state probe first, so that the outcome never gets lost on the way out.
 */
static int probe_writable(void __user *uarg, const void *karg, u32 usize,
			  size_t ksize)
{
	return copy_to_user(uarg, karg, min_t(u32, usize, ksize)) ? -EFAULT : 0;
}

/* Copies in a string of @len bytes that must not contain a NUL. */
static char *copy_string(u64 uptr, u32 len)
{
	char *s;

	if (!len || len > KSSPI_NAME_MAX)
		return ERR_PTR(-EINVAL);
	s = memdup_user_nul(u64_to_user_ptr(uptr), len);
	if (!IS_ERR(s) && strlen(s) != len) {
		kfree(s);
		return ERR_PTR(-EINVAL);
	}
	return s;
}

/* ---- tokens ---- */

static int token_info(struct ksspi_token *tok, void __user *uarg)
{
	struct user_namespace *ns = current_user_ns();
	struct ksspi_token_info ti;
	u32 __user *ugroups;
	u32 usize, i, room;
	int ret, err = 0;

	ret = copy_arg(&ti, sizeof(ti), uarg, &usize);
	if (ret)
		return ret;
	if (ti.flags)
		return -EINVAL;

	ti.uid = from_kuid_munged(ns, tok->uid);
	ti.gid = from_kgid_munged(ns, tok->gid);
	ti.level = tok->level;
	ti.package_id = tok->pkg->id;
	ti.expiry = tok->expiry;
	room = ti.ngroups;
	ti.ngroups = tok->groups->ngroups;
	if (room < ti.ngroups) {
		err = -ERANGE;
	} else {
		ugroups = u64_to_user_ptr(ti.groups);
		for (i = 0; i < ti.ngroups; i++)
			if (put_user(from_kgid_munged(ns, tok->groups->gid[i]),
				     ugroups + i))
				return -EFAULT;
	}
	ret = copy_name(ti.name, &ti.name_size, tok->name);
	if (ret == -EFAULT)
		return ret;
	err = err ?: ret;
	if (copy_to_user(uarg, &ti, min_t(u32, usize, sizeof(ti))))
		return -EFAULT;
	return err;
}

static long impersonate(struct ksspi_token *tok, void __user *uarg)
{
	struct ksspi_impersonate im;
	u32 usize;
	int ret;

	ret = copy_arg(&im, sizeof(im), uarg, &usize);
	if (ret)
		return ret;
	if (im.flags)
		return -EINVAL;
	im.level = 0;
	im.status = SEC_E_INTERNAL_ERROR;
	if (probe_writable(uarg, &im, usize, sizeof(im)))
		return -EFAULT;
	if (tok)
		im.status = ksspi_thread_impersonate(tok, &im.level);
	else
		im.status = SEC_E_NO_IMPERSONATION;
	/* The thread's credentials may have changed: the status must get out. */
	if (copy_to_user(uarg, &im, min_t(u32, usize, sizeof(im))))
		return -EFAULT;
	return 0;
}

static long revert(void __user *uarg)
{
	struct ksspi_impersonate im;
	u32 usize;
	int ret;

	ret = copy_arg(&im, sizeof(im), uarg, &usize);
	if (ret)
		return ret;
	if (im.flags)
		return -EINVAL;
	im.status = SEC_E_INTERNAL_ERROR;
	if (probe_writable(uarg, &im, usize, sizeof(im)))
		return -EFAULT;
	im.status = ksspi_thread_revert();
	im.level = 0;
	if (copy_to_user(uarg, &im, min_t(u32, usize, sizeof(im))))
		return -EFAULT;
	return 0;
}

static long token_ioctl(struct file *file, unsigned int cmd,
			unsigned long arg)
{
	struct ksspi_token *tok = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case KSSPI_IOC_QUERY_TOKEN:
		return token_info(tok, uarg);
	case KSSPI_IOC_IMPERSONATE:
		return impersonate(tok, uarg);
	case KSSPI_IOC_REVERT:
		return revert(uarg);
	}
	return -ENOTTY;
}

static int token_release(struct inode *inode, struct file *file)
{
	ksspi_token_put(file->private_data);
	return 0;
}

static const struct file_operations token_fops = {
	.owner = THIS_MODULE,
	.release = token_release,
	.unlocked_ioctl = token_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* Consumes @tok's reference in all cases. */
static int token_fd(struct ksspi_token *tok)
{
	int fd = anon_inode_getfd("[ksspi-token]", &token_fops, tok,
				  O_RDWR | O_CLOEXEC);

	if (fd < 0)
		ksspi_token_put(tok);
	return fd;
}

/* ---- contexts ---- */

/*
 * A leg whose result could not reach the caller is kept for the next step,
 * unless it consumed nothing (incomplete input) or is already kept (too
 * small a buffer).
 */
static void keep_leg(struct ksspi_context *ctx, const void *out,
		     const struct ksspi_leg *leg, s32 status)
{
	if (status != SEC_E_BUFFER_TOO_SMALL &&
	    status != SEC_E_INCOMPLETE_MESSAGE)
		ksspi_context_keep(ctx, out, leg->out_len, status);
}

static long ctx_step(struct ksspi_context *ctx, void __user *uarg)
{
	struct ksspi_leg leg = {};
	struct ksspi_step st;
	void *in = NULL, *out = NULL;
	u32 usize;
	long ret;

	ret = copy_arg(&st, sizeof(st), uarg, &usize);
	if (ret)
		return ret;
	if (st.flags || st.reserved)
		return -EINVAL;
	if (st.in_len > KSSPI_TOKEN_MAX)
		return -EMSGSIZE;
	if (probe_writable(uarg, &st, usize, sizeof(st)))
		return -EFAULT;
	if (st.in_len) {
		in = vmemdup_user(u64_to_user_ptr(st.in_token), st.in_len);
		if (IS_ERR(in))
			return PTR_ERR(in);
	}
	leg.in = in;
	leg.in_len = st.in_len;
	leg.out_size = min_t(u32, st.out_size, KSSPI_TOKEN_MAX);
	if (leg.out_size) {
		out = kvmalloc(leg.out_size, GFP_KERNEL);
		if (!out) {
			ret = -ENOMEM;
			goto out_free;
		}
	}
	leg.out = out;

	ret = ksspi_context_step(ctx, &leg, &st.status);
	if (ret)
		goto out_free;	/* -EINTR: the leg was not run */
	st.out_len = leg.out_len;
	st.ret_flags = leg.ret_flags;
	st.missing = leg.missing;
	st.extra = leg.extra;
	st.expiry = leg.expiry;
	if (st.status != SEC_E_BUFFER_TOO_SMALL && leg.out_len &&
	    copy_to_user(u64_to_user_ptr(st.out_token), out, leg.out_len)) {
		/* Bad output buffer: keep the leg for a retry, lose nothing. */
		keep_leg(ctx, out, &leg, st.status);
		ret = -EFAULT;
		goto out_free;
	}
	if (copy_to_user(uarg, &st, min_t(u32, usize, sizeof(st)))) {
		/* Unmapped since the probe: the leg waits for a retry. */
		keep_leg(ctx, out, &leg, st.status);
		ret = -EFAULT;
	}
out_free:
	if (out)
		memzero_explicit(out, leg.out_size);
	kvfree(out);
	kvfree(in);
	return ret;
}

/*
 * Copies the session key to @uptr (when not 0), setting *@size to its
 * length: -ENOENT when there is none, -ERANGE when *@size is too small.
 */
static int copy_session_key(struct ksspi_context *ctx, u64 uptr, u32 *size,
			    u32 *enctype)
{
	u8 key[KSSPI_SESSION_KEY_MAX];
	u32 etype = 0;
	int len, ret = 0;

	len = ksspi_context_session_key(ctx, key, sizeof(key), &etype);
	if (len < 0)
		return len == -ERANGE ? -EPROTO : len;
	if (enctype)
		*enctype = etype;
	if (uptr && *size < len)
		ret = -ERANGE;
	else if (uptr && copy_to_user(u64_to_user_ptr(uptr), key, len))
		ret = -EFAULT;
	*size = len;
	memzero_explicit(key, sizeof(key));
	return ret;
}

static long ctx_session_key(struct ksspi_context *ctx, void __user *uarg)
{
	struct ksspi_session_key sk;
	u32 usize;
	int ret, err;

	ret = copy_arg(&sk, sizeof(sk), uarg, &usize);
	if (ret)
		return ret;
	if (sk.flags)
		return -EINVAL;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	err = copy_session_key(ctx, sk.key, &sk.key_size, &sk.enctype);
	if (err == -ENOENT || err == -EFAULT)
		return err;
	if (copy_to_user(uarg, &sk, min_t(u32, usize, sizeof(sk))))
		return -EFAULT;
	return err;
}

static long ctx_query(struct ksspi_context *ctx, void __user *uarg)
{
	struct ksspi_context_attrs a;
	struct ksspi_context_info ci;
	u64 want, have = 0;
	u32 usize;
	int ret, err = 0;

	ret = copy_arg_ver(&ci, sizeof(ci), KSSPI_CONTEXT_INFO_SIZE_VER0, uarg,
			   &usize);
	if (ret)
		return ret;
	if (ci.flags)
		return -EINVAL;
	want = ci.mask;
	if ((want & KSSPI_ATTR(SECPKG_ATTR_SESSION_KEY)) &&
	    !capable(CAP_SYS_ADMIN))
		return -EPERM;

	ksspi_query_context_attributes(ctx, &a);
	ci.state = a.state;
	if (want & KSSPI_ATTR(SECPKG_ATTR_PACKAGE_INFO)) {
		ci.package_id = a.package_id;
		have |= KSSPI_ATTR(SECPKG_ATTR_PACKAGE_INFO);
	}
	if (want & KSSPI_ATTR(SECPKG_ATTR_SIZES)) {
		ci.max_token = a.max_token;
		ci.max_signature = a.max_signature;
		ci.block_size = a.block_size;
		ci.security_trailer = a.security_trailer;
		have |= KSSPI_ATTR(SECPKG_ATTR_SIZES);
	}
	/* Only for a context that protects messages (none: unanswered). */
	if ((want & KSSPI_ATTR(SECPKG_ATTR_STREAM_SIZES)) && a.stream_header &&
	    usize >= offsetofend(struct ksspi_context_info, stream_buffers)) {
		ci.stream_header = a.stream_header;
		ci.stream_trailer = a.stream_trailer;
		ci.stream_max_message = a.stream_max_message;
		ci.stream_buffers = a.stream_buffers;
		ci.block_size = a.block_size;
		have |= KSSPI_ATTR(SECPKG_ATTR_STREAM_SIZES);
	}
	if (want & KSSPI_ATTR(SECPKG_ATTR_FLAGS)) {
		ci.ctx_flags = a.ctx_flags;
		have |= KSSPI_ATTR(SECPKG_ATTR_FLAGS);
	}
	if (want & KSSPI_ATTR(SECPKG_ATTR_SESSION_KEY)) {
		ret = copy_session_key(ctx, ci.session_key,
				       &ci.session_key_size, NULL);
		if (ret == -EFAULT)
			return ret;
		if (ret != -ENOENT) {
			err = err ?: ret;
			have |= KSSPI_ATTR(SECPKG_ATTR_SESSION_KEY);
		}
	}
	if (a.state == KSSPI_STATE_ESTABLISHED) {
		if (want & KSSPI_ATTR(SECPKG_ATTR_LIFESPAN)) {
			ci.start = a.start;
			ci.expiry = a.expiry;
			have |= KSSPI_ATTR(SECPKG_ATTR_LIFESPAN);
		}
		if ((want & KSSPI_ATTR(SECPKG_ATTR_ACCESS_TOKEN)) &&
		    !ctx->initiator) {
			ci.level = a.level;
			have |= KSSPI_ATTR(SECPKG_ATTR_ACCESS_TOKEN);
		}
		if ((want & KSSPI_ATTR(SECPKG_ATTR_NAMES)) && a.name) {
			ret = copy_name(ci.name, &ci.name_size, a.name);
			if (ret == -EFAULT)
				return ret;
			err = err ?: ret;
			have |= KSSPI_ATTR(SECPKG_ATTR_NAMES);
		}
		if ((want & KSSPI_ATTR(SECPKG_ATTR_NATIVE_NAMES)) &&
		    a.client_name && a.server_name) {
			ret = copy_name(ci.client_name, &ci.client_name_size,
					a.client_name);
			if (ret == -EFAULT)
				return ret;
			err = err ?: ret;
			ret = copy_name(ci.server_name, &ci.server_name_size,
					a.server_name);
			if (ret == -EFAULT)
				return ret;
			err = err ?: ret;
			have |= KSSPI_ATTR(SECPKG_ATTR_NATIVE_NAMES);
		}
	}
	ci.mask = have;
	if (copy_to_user(uarg, &ci, min_t(u32, usize, sizeof(ci))))
		return -EFAULT;
	return err;
}

/* ---- message protection ---- */

/* Whether a call writes the buffer (and its length) back. */
static bool msg_writes(enum ksspi_msg_op op, u32 type)
{
	switch (type) {
	case SECBUFFER_TOKEN:
		return op == KSSPI_MSG_SIGN || op == KSSPI_MSG_ENCRYPT;
	case SECBUFFER_DATA:
		return op == KSSPI_MSG_ENCRYPT || op == KSSPI_MSG_DECRYPT;
	case SECBUFFER_PADDING:
		return op == KSSPI_MSG_ENCRYPT;
	}
	return false;
}

/*
 * Copies the buffers a successful call changed back to the caller.  The
 * plaintext of a decrypted stream lies inside the stream: it is copied to
 * the same place in the caller's stream buffer, and the data buffer is
 * pointed there, as DecryptMessage does.
 */
static int msg_copy_out(enum ksspi_msg_op op, struct ksspi_sec_buffer *ub,
			const struct ksspi_secbuffer *kb, const u8 *store,
			const size_t *off, unsigned int count)
{
	int stream = -1;
	unsigned int i;

	for (i = 0; i < count; i++)
		if (kb[i].type == SECBUFFER_STREAM)
			stream = i;
	for (i = 0; i < count; i++) {
		void __user *dst = u64_to_user_ptr(ub[i].data);

		if (!msg_writes(op, kb[i].type))
			continue;
		if (stream >= 0 && kb[i].type == SECBUFFER_DATA) {
			const u8 *sbase = store + off[stream];
			size_t pos = (const u8 *)kb[i].data - sbase;

			if (!kb[i].len) {
				pos = 0;
			} else if ((const u8 *)kb[i].data < sbase ||
				   pos + kb[i].len > ub[stream].len) {
				return -EPROTO;	/* cannot happen */
			}
			ub[i].data = ub[stream].data + pos;
			dst = u64_to_user_ptr(ub[i].data);
		} else if (kb[i].len > ub[i].len) {
			return -EPROTO;		/* cannot happen either */
		}
		if (kb[i].len && copy_to_user(dst, kb[i].data, kb[i].len))
			return -EFAULT;
		ub[i].len = kb[i].len;
	}
	return 0;
}

static long ctx_message(struct ksspi_context *ctx, enum ksspi_msg_op op,
			void __user *uarg)
{
	struct ksspi_sec_buffer ub[KSSPI_MESSAGE_BUFFERS_MAX];
	struct ksspi_secbuffer kb[KSSPI_MESSAGE_BUFFERS_MAX];
	size_t off[KSSPI_MESSAGE_BUFFERS_MAX];
	struct ksspi_msg msg = { .op = op, .bufs = kb };
	struct ksspi_message m;
	size_t total = 0;
	u8 *store;
	unsigned int i;
	u32 usize;
	long ret;

	ret = copy_arg(&m, sizeof(m), uarg, &usize);
	if (ret)
		return ret;
	if (m.flags || m.seq_no || !m.count ||
	    m.count > KSSPI_MESSAGE_BUFFERS_MAX)
		return -EINVAL;
	if ((op == KSSPI_MSG_VERIFY || op == KSSPI_MSG_DECRYPT) && m.qop)
		return -EINVAL;
	if (copy_from_user(ub, u64_to_user_ptr(m.buffers),
			   m.count * sizeof(ub[0])))
		return -EFAULT;
	for (i = 0; i < m.count; i++) {
		off[i] = total;
		total += ub[i].len;
		if (total > KSSPI_MESSAGE_MAX)
			return -EMSGSIZE;
	}
	if (probe_writable(uarg, &m, usize, sizeof(m)))
		return -EFAULT;
	/*
	 * A call uses up a sequence number: what it writes must get out.
	 * (A stream is where a decrypted stream's plaintext goes.)
	 */
	for (i = 0; i < m.count; i++) {
		u32 type = ub[i].type;

		if ((msg_writes(op, type) ||
		     (op == KSSPI_MSG_DECRYPT && type == SECBUFFER_STREAM)) &&
		    ub[i].len &&
		    fault_in_safe_writeable(u64_to_user_ptr(ub[i].data),
					    ub[i].len))
			return -EFAULT;
	}

	/* One copy of the message; the package works on it in place. */
	store = kvmalloc(max_t(size_t, total, 1), GFP_KERNEL_ACCOUNT);
	if (!store)
		return -ENOMEM;
	for (i = 0; i < m.count; i++) {
		u32 type = ub[i].type & ~SECBUFFER_ATTRMASK;

		kb[i].type = ub[i].type;
		kb[i].len = ub[i].len;
		kb[i].data = ub[i].len ? store + off[i] : NULL;
		if (!ub[i].len)
			continue;
		/* What only receives output is not read from the caller. */
		if ((type == SECBUFFER_TOKEN &&
		     (op == KSSPI_MSG_SIGN || op == KSSPI_MSG_ENCRYPT)) ||
		    type == SECBUFFER_PADDING) {
			memset(kb[i].data, 0, kb[i].len);
			continue;
		}
		if (copy_from_user(kb[i].data, u64_to_user_ptr(ub[i].data),
				   ub[i].len)) {
			ret = -EFAULT;
			goto out_free;
		}
	}
	msg.count = m.count;
	msg.qop = m.qop;
	ret = ksspi_message(ctx, &msg, &m.status);
	if (ret)
		goto out_free;
	m.qop = msg.qop;
	m.seq = msg.seq;
	if (m.status == SEC_E_OK) {
		ret = msg_copy_out(op, ub, kb, store, off, m.count);
		if (!ret && copy_to_user(u64_to_user_ptr(m.buffers), ub,
					 m.count * sizeof(ub[0])))
			ret = -EFAULT;
		if (ret)
			goto out_free;
	}
	if (copy_to_user(uarg, &m, min_t(u32, usize, sizeof(m))))
		ret = -EFAULT;
out_free:
	kvfree_sensitive(store, max_t(size_t, total, 1));
	return ret;
}

static long ctx_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ksspi_context *ctx = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case KSSPI_IOC_STEP:
		return ctx_step(ctx, uarg);
	case KSSPI_IOC_QUERY_CONTEXT:
		return ctx_query(ctx, uarg);
	case KSSPI_IOC_QUERY_SESSION_KEY:
		return ctx_session_key(ctx, uarg);
	case KSSPI_IOC_MAKE_SIGNATURE:
		return ctx_message(ctx, KSSPI_MSG_SIGN, uarg);
	case KSSPI_IOC_VERIFY_SIGNATURE:
		return ctx_message(ctx, KSSPI_MSG_VERIFY, uarg);
	case KSSPI_IOC_ENCRYPT_MESSAGE:
		return ctx_message(ctx, KSSPI_MSG_ENCRYPT, uarg);
	case KSSPI_IOC_DECRYPT_MESSAGE:
		return ctx_message(ctx, KSSPI_MSG_DECRYPT, uarg);
	case KSSPI_IOC_GET_TOKEN: {
		struct ksspi_token *tok;

		if (arg)
			return -EINVAL;
		tok = ksspi_context_token(ctx);
		return tok ? token_fd(tok) : -ENOENT;
	}
	case KSSPI_IOC_IMPERSONATE: {
		struct ksspi_token *tok = ksspi_context_token(ctx);
		long ret = impersonate(tok, uarg);

		ksspi_token_put(tok);
		return ret;
	}
	case KSSPI_IOC_REVERT:
		return revert(uarg);
	case KSSPI_IOC_X509_QUERY:
		return ksspi_x509_ioctl_query(ctx, uarg);
	}
	return -ENOTTY;
}

static int ctx_release(struct inode *inode, struct file *file)
{
	ksspi_context_put(file->private_data);
	return 0;
}

static const struct file_operations ctx_fops = {
	.owner = THIS_MODULE,
	.release = ctx_release,
	.unlocked_ioctl = ctx_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/**
 * ksspi_context_from_fd() - The context a descriptor of the caller names.
 * @fd: a context descriptor.
 *
 * Return: a new reference; ERR_PTR(-EBADF) when @fd is not open,
 * ERR_PTR(-EINVAL) when it is not a context descriptor.
 */
struct ksspi_context *ksspi_context_from_fd(int fd)
{
	struct ksspi_context *ctx;
	struct fd f = fdget(fd);

	if (!f.file)
		return ERR_PTR(-EBADF);
	if (f.file->f_op == &ctx_fops)
		ctx = ksspi_context_get(f.file->private_data);
	else
		ctx = ERR_PTR(-EINVAL);
	fdput(f);
	return ctx;
}

/* ---- credentials ---- */

static long cred_new_context(struct ksspi_cred *cred, void __user *uarg)
{
	struct ksspi_context_new cn;
	struct ksspi_context *ctx;
	char *target = NULL;
	bool initiator;
	u32 usize;
	int ret, fd;

	ret = copy_arg(&cn, sizeof(cn), uarg, &usize);
	if (ret)
		return ret;
	if (cn.flags != KSSPI_CONTEXT_INITIATE &&
	    cn.flags != KSSPI_CONTEXT_ACCEPT)
		return -EINVAL;
	initiator = cn.flags == KSSPI_CONTEXT_INITIATE;
	if ((cn.target_len || cn.target) && !initiator)
		return -EINVAL;
	if (cn.target && !cn.target_len)
		return -EINVAL;
	if (cn.target_len) {
		target = copy_string(cn.target, cn.target_len);
		if (IS_ERR(target))
			return PTR_ERR(target);
	}
	ret = ksspi_context_new(cred, initiator, cn.req_flags, target, &ctx);
	kfree(target);
	if (ret)
		return ret;
	fd = anon_inode_getfd("[ksspi-context]", &ctx_fops, ctx,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0)
		ksspi_context_put(ctx);
	return fd;
}

static long cred_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case KSSPI_IOC_NEW_CONTEXT:
		return cred_new_context(file->private_data, uarg);
	case KSSPI_IOC_REVERT:
		return revert(uarg);
	}
	return -ENOTTY;
}

static int cred_release(struct inode *inode, struct file *file)
{
	ksspi_cred_put(file->private_data);
	return 0;
}

static const struct file_operations cred_fops = {
	.owner = THIS_MODULE,
	.release = cred_release,
	.unlocked_ioctl = cred_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* ---- /dev/ksspi ---- */

static void fill_package(struct ksspi_package_info *pi,
			 const struct ksspi_package *pkg)
{
	memset(pi, 0, sizeof(*pi));
	pi->size = sizeof(*pi);
	strscpy(pi->name, pkg->name, sizeof(pi->name));
	strscpy(pi->comment, pkg->comment, sizeof(pi->comment));
	pi->capabilities = pkg->capabilities;
	pi->id = pkg->id;
	pi->version = pkg->version;
	pi->max_token = pkg->max_token;
}

struct enum_state {
	struct ksspi_package_info *infos;
	u32 room;
	u32 count;
};

static int enum_one(const struct ksspi_package *pkg, void *arg)
{
	struct enum_state *es = arg;

	if (es->count < es->room)
		fill_package(&es->infos[es->count], pkg);
	es->count++;
	return 0;
}

#define ENUM_MAX 32

static long dev_enum(void __user *uarg)
{
	struct ksspi_enum_packages ep;
	struct enum_state es = {};
	u32 usize, i, n;
	int ret;

	ret = copy_arg(&ep, sizeof(ep), uarg, &usize);
	if (ret)
		return ret;
	if (ep.flags || ep.entry_size < sizeof(struct ksspi_package_info) ||
	    ep.entry_size > PAGE_SIZE)
		return -EINVAL;
	es.room = min_t(u32, ep.count, ENUM_MAX);
	es.infos = kcalloc(ENUM_MAX, sizeof(*es.infos), GFP_KERNEL);
	if (!es.infos)
		return -ENOMEM;
	/* Snapshot under the registry lock, copy out without it. */
	ksspi_package_enum(enum_one, &es);
	n = min(es.count, es.room);
	for (i = 0; i < n; i++) {
		void __user *dst = u64_to_user_ptr(ep.packages) +
				   (size_t)i * ep.entry_size;

		if (copy_to_user(dst, &es.infos[i], sizeof(es.infos[i])) ||
		    clear_user(dst + sizeof(es.infos[i]),
			       ep.entry_size - sizeof(es.infos[i]))) {
			ret = -EFAULT;
			goto out;
		}
	}
	ep.count = es.count;
	if (copy_to_user(uarg, &ep, min_t(u32, usize, sizeof(ep))))
		ret = -EFAULT;
	else if (n < es.count)
		ret = -ERANGE;
out:
	kfree(es.infos);
	return ret;
}

static long dev_query_package(void __user *uarg)
{
	const struct ksspi_package *pkg;
	struct ksspi_package_info pi;
	u32 usize;
	int ret;

	ret = copy_arg(&pi, sizeof(pi), uarg, &usize);
	if (ret)
		return ret;
	if (pi.flags || !memchr(pi.name, 0, sizeof(pi.name)))
		return -EINVAL;
	pkg = ksspi_package_find(pi.name);
	if (!pkg)
		return -ENOPKG;
	fill_package(&pi, pkg);
	pi.size = usize;
	if (copy_to_user(uarg, &pi, min_t(u32, usize, sizeof(pi))))
		return -EFAULT;
	return 0;
}

/*
 * Copies in an optional name: none when @len and @uptr are both 0; a
 * pointer without a length is -EINVAL, as is a name longer than
 * %KSSPI_NAME_MAX or with a NUL inside.
 */
static char *copy_opt_string(u64 uptr, u32 len)
{
	if (!len)
		return uptr ? ERR_PTR(-EINVAL) : NULL;
	return copy_string(uptr, len);
}

static long dev_acquire(void __user *uarg)
{
	struct ksspi_cred_args args = {};
	struct ksspi_acquire_cred ac;
	struct ksspi_cred *cred;
	char *principal, *ccache = NULL, *keytab = NULL;
	u32 usize;
	int ret, fd;

	ret = copy_arg_ver(&ac, sizeof(ac), KSSPI_ACQUIRE_CRED_SIZE_VER0, uarg,
			   &usize);
	if (ret)
		return ret;
	if (ac.flags || !memchr(ac.package, 0, sizeof(ac.package)))
		return -EINVAL;
	principal = copy_opt_string(ac.principal, ac.principal_len);
	if (IS_ERR(principal))
		return PTR_ERR(principal);
	ccache = copy_opt_string(ac.ccache, ac.ccache_len);
	if (IS_ERR(ccache)) {
		ret = PTR_ERR(ccache);
		ccache = NULL;
		goto out_free;
	}
	keytab = copy_opt_string(ac.keytab, ac.keytab_len);
	if (IS_ERR(keytab)) {
		ret = PTR_ERR(keytab);
		keytab = NULL;
		goto out_free;
	}
	/* Before the package may ask its helper: the answer must get out. */
	ret = probe_writable(uarg, &ac, usize, sizeof(ac));
	if (ret)
		goto out_free;

	args.package = ac.package;
	args.use = ac.use;
	args.principal = principal;
	args.ccache = ccache;
	args.keytab = keytab;
	ret = ksspi_cred_acquire(&args, &cred);
	if (ret)
		goto out_free;
	ac.expiry = cred->expiry;
	if (copy_to_user(uarg, &ac, min_t(u32, usize, sizeof(ac)))) {
		ksspi_cred_put(cred);
		ret = -EFAULT;
		goto out_free;
	}
	fd = anon_inode_getfd("[ksspi-cred]", &cred_fops, cred,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0)
		ksspi_cred_put(cred);
	ret = fd;
out_free:
	kfree(principal);
	kfree(ccache);
	kfree(keytab);
	return ret;
}

/**
 * ksspi_uapi_cred_fd() - A credentials descriptor for a new handle.
 * @cred: the handle; its reference moves to the descriptor (dropped when
 *	no descriptor can be made).
 *
 * Return: the descriptor, or a negative errno.
 */
int ksspi_uapi_cred_fd(struct ksspi_cred *cred)
{
	int fd = anon_inode_getfd("[ksspi-cred]", &cred_fops, cred,
				  O_RDWR | O_CLOEXEC);

	if (fd < 0)
		ksspi_cred_put(cred);
	return fd;
}

static long dev_whoami(void __user *uarg)
{
	struct ksspi_token_info ti;
	struct ksspi_token *tok;
	u32 usize;
	long ret;

	/* Argument errors first, whether or not the thread impersonates. */
	ret = copy_arg(&ti, sizeof(ti), uarg, &usize);
	if (ret)
		return ret;
	if (ti.flags)
		return -EINVAL;
	tok = ksspi_thread_token();
	if (!tok)
		return -ENOENT;
	ret = token_info(tok, uarg);
	ksspi_token_put(tok);
	return ret;
}

long ksspi_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case KSSPI_IOC_GET_ABI_VERSION:
		return arg ? -EINVAL : KSSPI_ABI_VERSION;
	case KSSPI_IOC_ENUM_PACKAGES:
		return dev_enum(uarg);
	case KSSPI_IOC_QUERY_PACKAGE:
		return dev_query_package(uarg);
	case KSSPI_IOC_ACQUIRE_CRED:
		return dev_acquire(uarg);
	case KSSPI_IOC_WHOAMI:
		return dev_whoami(uarg);
	case KSSPI_IOC_X509_ACQUIRE:
		return ksspi_x509_ioctl_acquire(uarg);
	case KSSPI_IOC_REVERT:
		return revert(uarg);
	case KSSPI_IOC_SOCKET_ATTACH ... KSSPI_IOC_SOCKET_REVERT:
		return ksspi_socket_ioctl(cmd, uarg);
	}
	return -ENOTTY;
}

/* The ABI has no holes and its sizes never shrink: check at build time. */
void ksspi_uapi_check(void)
{
	BUILD_BUG_ON(sizeof(struct ksspi_package_info) != 120);
	BUILD_BUG_ON(sizeof(struct ksspi_enum_packages) != 24);
	BUILD_BUG_ON(sizeof(struct ksspi_acquire_cred) !=
		     KSSPI_ACQUIRE_CRED_SIZE_VER1);
	BUILD_BUG_ON(offsetofend(struct ksspi_acquire_cred, expiry) !=
		     KSSPI_ACQUIRE_CRED_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ksspi_session_key) != 24);
	BUILD_BUG_ON(sizeof(struct ksspi_context_new) != 24);
	BUILD_BUG_ON(sizeof(struct ksspi_step) != 64);
	BUILD_BUG_ON(sizeof(struct ksspi_context_info) !=
		     KSSPI_CONTEXT_INFO_SIZE_VER1);
	BUILD_BUG_ON(offsetofend(struct ksspi_context_info, session_key) !=
		     KSSPI_CONTEXT_INFO_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ksspi_sec_buffer) != 16);
	BUILD_BUG_ON(sizeof(struct ksspi_message) != 40);
	BUILD_BUG_ON(sizeof(struct ksspi_token_info) != 56);
	BUILD_BUG_ON(sizeof(struct ksspi_impersonate) != 16);
	BUILD_BUG_ON(sizeof(struct ksspi_socket_attach) != 16);
	BUILD_BUG_ON(sizeof(struct ksspi_socket_info) != 64);
	BUILD_BUG_ON(sizeof(struct ksspi_socket_impersonate) != 24);
	BUILD_BUG_ON(sizeof(struct ksspi_x509_acquire) != 72);
	BUILD_BUG_ON(sizeof(struct ksspi_x509_info) != 32);
}
