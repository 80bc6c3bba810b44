// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi_kapi: the in-kernel API as an in-kernel server uses it, driven by
 * selftests/ksspi/kerberos_test.c.
 *
 * Each open of /sys/kernel/debug/ksspi_kapi/accept is one server-side
 * session.  A write() is one leg of AcceptSecurityContext: a &struct
 * kapi_req followed by the client's token.  The first write acquires
 * inbound credentials of the named package from kernel context (an
 * in-kernel server: the system keytab).  When the leg establishes the
 * context, the module takes the client's token, impersonates it and opens
 * kapi_req.path and kapi_req.path2 read-only, as a file server would, then
 * reverts.  A read()
 * returns the &struct kapi_res of the last leg and its output token.
 *
 * The layouts are duplicated in the test; both sides check the sizes.
 *
 * Message protection (selftests/ksspi/msgprot_test.c): once the context is
 * established, the ioctl %KAPI_IOC_MSG runs one of ksspi_make_signature(),
 * ksspi_verify_signature(), ksspi_encrypt_message() or
 * ksspi_decrypt_message() on kernel copies of the caller's buffers, in
 * place, as an in-kernel server would on its own memory.
 */
#include <linux/module.h>
#include <linux/ioctl.h>
#include <linux/ktime.h>
#include <linux/cred.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>

#include "../../kmod/ksspi.h"

#define KAPI_OUT_MAX	16384
#define KAPI_NAME_MAX	256
#define KAPI_PATH_MAX	256

/* One leg, as written by the test. */
struct kapi_req {
	char package[KSSPI_PACKAGE_NAME_MAX];
	char path[KAPI_PATH_MAX];
	char path2[KAPI_PATH_MAX];
	u32 asc_req;
	u32 in_len;
	/* the client's token follows */
};

/* The outcome of the last leg, as read by the test. */
struct kapi_res {
	s32 acquire_err;	/* ksspi_acquire_credentials(), 0 or -errno */
	s32 status;		/* SECURITY_STATUS of the leg */
	u32 ret_flags;
	u32 out_len;
	u32 state;		/* KSSPI_STATE_* after the leg */
	u32 level;		/* token level (established) */
	u32 uid;		/* token uid, init_user_ns (established) */
	u32 fsuid;		/* current_fsuid() while impersonating */
	s32 impersonate_err;	/* 0 or the ERR_PTR of ksspi_impersonate_token() */
	s32 open_err;		/* filp_open(path) while impersonating: 0 or -errno */
	s32 open2_err;		/* the same for path2 */
	char name[KAPI_NAME_MAX];	/* SECPKG_ATTR_NAMES */
	char token_name[KAPI_NAME_MAX];	/* ksspi_token_name() */
	/* out_len bytes of output token follow */
};

#define KAPI_MSG_BUFS	4

/* One message call (KAPI_IOC_MSG); buffers as in struct ksspi_sec_buffer. */
struct kapi_msg {
	u32 op;			/* 0 sign, 1 verify, 2 encrypt, 3 decrypt */
	u32 qop;		/* in: fQOP; out: pfQOP */
	s32 status;		/* out */
	u32 count;
	struct {
		u32 type;
		u32 len;
		u64 data;	/* user pointer; out: moved for a stream's DATA */
	} bufs[KAPI_MSG_BUFS];
};

#define KAPI_IOC_MSG	_IOWR('k', 1, struct kapi_msg)

/*
 * make bench (selftests/bench/msg-bench.c): @iters calls of one message
 * call on @size bytes, timed in the kernel.  Sign and encrypt work on one
 * buffer in place; verify and decrypt take @iters tokens of @toklen bytes
 * the peer made, in order, at @tokens (verify: the signed @size bytes
 * first).
 */
struct kapi_bench {
	u32 op;			/* as kapi_msg.op */
	u32 size;
	u32 iters;
	u32 toklen;
	u64 tokens;
	u64 ns;			/* out */
	s32 status;		/* out: the first status other than SEC_E_OK */
	u32 reserved;
};

#define KAPI_IOC_BENCH	_IOWR('k', 2, struct kapi_bench)

struct kapi_session {
	struct mutex lock;	/* serializes legs on this open file */
	struct ksspi_cred *cred;
	struct ksspi_context *ctx;
	struct kapi_res res;
	u8 *out;
	bool done;
};

static struct dentry *kapi_dir;

static int kapi_open(struct inode *inode, struct file *file)
{
	struct kapi_session *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return -ENOMEM;
	s->out = kvmalloc(KAPI_OUT_MAX, GFP_KERNEL);
	if (!s->out) {
		kfree(s);
		return -ENOMEM;
	}
	mutex_init(&s->lock);
	file->private_data = s;
	return 0;
}

static int kapi_release(struct inode *inode, struct file *file)
{
	struct kapi_session *s = file->private_data;

	ksspi_delete_security_context(s->ctx);
	if (s->cred)
		ksspi_free_credentials(s->cred);
	kvfree(s->out);
	kfree(s);
	return 0;
}

/* Opens @path read-only; 0 or -errno. */
static int kapi_open_file(const char *path)
{
	struct file *f;

	if (!path[0])
		return 0;
	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	filp_close(f, NULL);
	return 0;
}

/* As a file server does per request: act as the client around the VFS call. */
static void kapi_use_token(struct kapi_session *s, const struct kapi_req *req)
{
	struct ksspi_context_attrs attrs;
	struct ksspi_token *tok;
	const struct cred *old;

	ksspi_query_context_attributes(s->ctx, &attrs);
	s->res.state = attrs.state;
	if (attrs.name)
		strscpy(s->res.name, attrs.name, sizeof(s->res.name));
	if (ksspi_query_security_context_token(s->ctx, &tok) != SEC_E_OK)
		return;
	s->res.level = ksspi_token_level(tok);
	s->res.uid = from_kuid(&init_user_ns, ksspi_token_uid(tok));
	if (ksspi_token_name(tok))
		strscpy(s->res.token_name, ksspi_token_name(tok),
			sizeof(s->res.token_name));
	old = ksspi_impersonate_token(tok);
	if (IS_ERR(old)) {
		s->res.impersonate_err = PTR_ERR(old);
	} else {
		s->res.fsuid = from_kuid(&init_user_ns, current_fsuid());
		s->res.open_err = kapi_open_file(req->path);
		s->res.open2_err = kapi_open_file(req->path2);
		ksspi_revert(old);
	}
	ksspi_token_put(tok);
}

static ssize_t kapi_write(struct file *file, const char __user *ubuf,
			  size_t len, loff_t *ppos)
{
	struct kapi_session *s = file->private_data;
	struct ksspi_leg leg = {};
	struct kapi_req *req;
	ssize_t ret;

	if (len < sizeof(*req) || len > sizeof(*req) + KSSPI_TOKEN_MAX)
		return -EINVAL;
	req = vmemdup_user(ubuf, len);
	if (IS_ERR(req))
		return PTR_ERR(req);
	ret = -EINVAL;
	if (req->in_len != len - sizeof(*req) ||
	    strnlen(req->package, sizeof(req->package)) == sizeof(req->package) ||
	    strnlen(req->path, sizeof(req->path)) == sizeof(req->path) ||
	    strnlen(req->path2, sizeof(req->path2)) == sizeof(req->path2))
		goto out_free;

	mutex_lock(&s->lock);
	memset(&s->res, 0, sizeof(s->res));
	s->res.uid = (u32)-1;
	s->res.fsuid = (u32)-1;
	if (!s->cred) {
		s->res.acquire_err = ksspi_acquire_credentials(req->package,
							       SECPKG_CRED_INBOUND,
							       NULL, &s->cred);
		if (s->res.acquire_err) {
			s->cred = NULL;
			goto done;
		}
	}
	leg.in = req + 1;
	leg.in_len = req->in_len;
	leg.out = s->out;
	leg.out_size = KAPI_OUT_MAX;
	s->res.status = ksspi_accept_security_context(s->cred, &s->ctx,
						      req->asc_req, &leg);
	s->res.ret_flags = leg.ret_flags;
	s->res.out_len = leg.out_len <= KAPI_OUT_MAX ? leg.out_len : 0;
	if (s->res.status == SEC_E_OK)
		kapi_use_token(s, req);
done:
	s->done = true;
	mutex_unlock(&s->lock);
	ret = len;
out_free:
	kvfree(req);
	return ret;
}

static ssize_t kapi_read(struct file *file, char __user *ubuf, size_t len,
			 loff_t *ppos)
{
	struct kapi_session *s = file->private_data;
	size_t need;
	ssize_t ret;

	mutex_lock(&s->lock);
	ret = -ENODATA;
	if (!s->done)
		goto out;
	need = sizeof(s->res) + s->res.out_len;
	ret = -EMSGSIZE;
	if (len < need)
		goto out;
	ret = -EFAULT;
	if (copy_to_user(ubuf, &s->res, sizeof(s->res)) ||
	    copy_to_user(ubuf + sizeof(s->res), s->out, s->res.out_len))
		goto out;
	ret = need;
out:
	mutex_unlock(&s->lock);
	return ret;
}

/* Kernel copies of the buffers, the call on them, and the copies back. */
static long kapi_msg(struct kapi_session *s, struct kapi_msg *m)
{
	struct ksspi_secbuffer kb[KAPI_MSG_BUFS] = {};
	void *alloc[KAPI_MSG_BUFS] = {};
	unsigned int i;
	int stream = -1;
	long ret = 0;

	if (!m->count || m->count > KAPI_MSG_BUFS)
		return -EINVAL;
	for (i = 0; i < m->count; i++) {
		if (m->bufs[i].len > KSSPI_MESSAGE_MAX)
			return -EINVAL;
		kb[i].type = m->bufs[i].type;
		kb[i].len = m->bufs[i].len;
		if (kb[i].type == SECBUFFER_STREAM)
			stream = i;
		if (!kb[i].len)
			continue;
		kb[i].data = vmemdup_user(u64_to_user_ptr(m->bufs[i].data),
					  kb[i].len);
		if (IS_ERR(kb[i].data)) {
			ret = PTR_ERR(kb[i].data);
			kb[i].data = NULL;
			goto out;
		}
		alloc[i] = kb[i].data;
	}
	switch (m->op) {
	case 0:
		m->status = ksspi_make_signature(s->ctx, m->qop, kb, m->count,
						 0);
		break;
	case 1:
		m->status = ksspi_verify_signature(s->ctx, kb, m->count, 0,
						   &m->qop);
		break;
	case 2:
		m->status = ksspi_encrypt_message(s->ctx, m->qop, kb,
						  m->count, 0);
		break;
	case 3:
		m->status = ksspi_decrypt_message(s->ctx, kb, m->count, 0,
						  &m->qop);
		break;
	default:
		ret = -EINVAL;
		goto out;
	}
	if (m->status != SEC_E_OK)
		goto out;
	for (i = 0; i < m->count; i++) {
		bool in_stream = stream >= 0 && kb[i].type == SECBUFFER_DATA;
		const u8 *src = kb[i].data;
		u64 dst = m->bufs[i].data;

		if (in_stream) {
			/* Pointed into the kernel's copy of the stream. */
			const u8 *base = kb[stream].data;

			if (kb[i].len && (src < base ||
					  src + kb[i].len > base + kb[stream].len)) {
				ret = -EPROTO;
				goto out;
			}
			dst = m->bufs[stream].data + (kb[i].len ? src - base : 0);
			m->bufs[i].data = dst;
		}
		if (kb[i].len > m->bufs[i].len && !in_stream) {
			ret = -EPROTO;
			goto out;
		}
		m->bufs[i].len = kb[i].len;
		if (kb[i].len && copy_to_user(u64_to_user_ptr(dst), src,
					      kb[i].len)) {
			ret = -EFAULT;
			goto out;
		}
	}
out:
	for (i = 0; i < m->count; i++)
		kvfree(alloc[i]);
	return ret;
}

static long kapi_bench(struct kapi_session *s, struct kapi_bench *b)
{
	struct ksspi_secbuffer sb[2];
	size_t in_len, buf_len;
	u8 *buf, *in = NULL;
	u64 t0;
	u32 i;

	if (b->op > 3 || b->size > (1 << 20) || !b->iters ||
	    b->iters > 100000 || b->toklen > b->size + 256)
		return -EINVAL;
	buf_len = b->size + 256;
	buf = kvmalloc(buf_len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	memset(buf, 0x5a, buf_len);
	if (b->op == 1 || b->op == 3) {
		in_len = (size_t)b->iters * b->toklen + (b->op == 1 ? b->size : 0);
		if (in_len > (64 << 20)) {
			kvfree(buf);
			return -EINVAL;
		}
		in = vmemdup_user(u64_to_user_ptr(b->tokens), in_len);
		if (IS_ERR(in)) {
			kvfree(buf);
			return PTR_ERR(in);
		}
	}
	b->status = SEC_E_OK;
	t0 = ktime_get_ns();
	for (i = 0; i < b->iters && b->status == SEC_E_OK; i++) {
		switch (b->op) {
		case 0:
			sb[0] = (struct ksspi_secbuffer){ SECBUFFER_DATA, b->size, buf + 256 };
			sb[1] = (struct ksspi_secbuffer){ SECBUFFER_TOKEN, 256, buf };
			b->status = ksspi_make_signature(s->ctx, 0, sb, 2, 0);
			break;
		case 1:
			sb[0] = (struct ksspi_secbuffer){ SECBUFFER_DATA, b->size, in };
			sb[1] = (struct ksspi_secbuffer){ SECBUFFER_TOKEN, b->toklen,
				in + b->size + (size_t)i * b->toklen };
			b->status = ksspi_verify_signature(s->ctx, sb, 2, 0, NULL);
			break;
		case 2:
			sb[0] = (struct ksspi_secbuffer){ SECBUFFER_TOKEN, 256, buf };
			sb[1] = (struct ksspi_secbuffer){ SECBUFFER_DATA, b->size, buf + 256 };
			b->status = ksspi_encrypt_message(s->ctx, 0, sb, 2, 0);
			break;
		case 3:
			sb[0] = (struct ksspi_secbuffer){ SECBUFFER_STREAM, b->toklen,
				in + (size_t)i * b->toklen };
			sb[1] = (struct ksspi_secbuffer){ SECBUFFER_DATA, 0, NULL };
			b->status = ksspi_decrypt_message(s->ctx, sb, 2, 0, NULL);
			break;
		}
	}
	b->ns = ktime_get_ns() - t0;
	kvfree(in);
	kvfree(buf);
	return 0;
}

static long kapi_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct kapi_session *s = file->private_data;
	struct kapi_bench b;
	struct kapi_msg m;
	long ret;

	if (cmd == KAPI_IOC_BENCH) {
		if (copy_from_user(&b, (void __user *)arg, sizeof(b)))
			return -EFAULT;
		mutex_lock(&s->lock);
		ret = s->ctx ? kapi_bench(s, &b) : -ENOENT;
		mutex_unlock(&s->lock);
		if (!ret && copy_to_user((void __user *)arg, &b, sizeof(b)))
			ret = -EFAULT;
		return ret;
	}
	if (cmd != KAPI_IOC_MSG)
		return -ENOTTY;
	if (copy_from_user(&m, (void __user *)arg, sizeof(m)))
		return -EFAULT;
	mutex_lock(&s->lock);
	ret = s->ctx ? kapi_msg(s, &m) : -ENOENT;
	mutex_unlock(&s->lock);
	if (!ret && copy_to_user((void __user *)arg, &m, sizeof(m)))
		ret = -EFAULT;
	return ret;
}

static const struct file_operations kapi_fops = {
	.owner = THIS_MODULE,
	.open = kapi_open,
	.release = kapi_release,
	.read = kapi_read,
	.write = kapi_write,
	.unlocked_ioctl = kapi_ioctl,
	.llseek = no_llseek,
};

static int __init kapi_init(void)
{
	kapi_dir = debugfs_create_dir("ksspi_kapi", NULL);
	debugfs_create_file("accept", 0600, kapi_dir, NULL, &kapi_fops);
	return 0;
}

static void __exit kapi_exit(void)
{
	debugfs_remove(kapi_dir);
}

module_init(kapi_init);
module_exit(kapi_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ksspi in-kernel API test module (selftests)");
