// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi_fileserver: a sample in-kernel file server over ksspi's exported API.
 *
 * It listens on a TCP port (module parameter "port"); "threads" kernel
 * threads each accept one connection at a time and serve it to the end.
 * Each connection authenticates with AcceptSecurityContext (negotiate,
 * kerberos or local, as the client's first message says), the context is
 * attached to the socket (ksspi_socket_attach()), and every request then
 * runs its VFS calls as the socket's peer (ksspi_impersonate_socket_peer())
 * and reverts before anything else: the client sees exactly what its own
 * Unix permissions allow.  The wire protocol is in ksspi_fs_proto.h; it is
 * plain (no message protection yet).
 *
 * Lifetime: every open connection holds a reference to this module, so
 * rmmod is refused (EWOULDBLOCK) while a client is connected; an idle
 * server unloads, closing its listener and stopping its threads.  A
 * connection idle for "idle_timeout" seconds, a malformed frame or a failed
 * handshake closes the connection.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/kthread.h>
#include <linux/net.h>
#include <linux/in.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/cred.h>
#include <linux/uio.h>
#include <linux/atomic.h>
#include <linux/timekeeping.h>
#include <net/sock.h>
#include <linux/tcp.h>
#include <asm/unaligned.h>

#include "../../kmod/ksspi.h"
#include "ksspi_fs_proto.h"

static unsigned short port = KSSPI_FS_PORT;
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "TCP port to listen on (default 4445)");

static unsigned int threads = 2;
module_param(threads, uint, 0444);
MODULE_PARM_DESC(threads, "Server threads, each serving one connection at a time (default 2, at most 64)");

static bool impersonate = true;
module_param(impersonate, bool, 0644);
MODULE_PARM_DESC(impersonate,
		 "Impersonate the client around every VFS call (default yes; no is only the benchmark's floor: requests then run as root)");

static unsigned int idle_timeout = 30;
module_param(idle_timeout, uint, 0644);
MODULE_PARM_DESC(idle_timeout, "Seconds a connection may stay silent (default 30)");

/* Observability for the tests: read-only counters. */
static atomic_t requests = ATOMIC_INIT(0);
static atomic_t cred_mismatches = ATOMIC_INIT(0);
static atomic_t connections = ATOMIC_INIT(0);
module_param_named(requests, requests.counter, int, 0444);
MODULE_PARM_DESC(requests, "Requests served");
module_param_named(cred_mismatches, cred_mismatches.counter, int, 0444);
MODULE_PARM_DESC(cred_mismatches,
		 "Requests after which a thread's credentials were not its own (must stay 0)");
module_param_named(connections, connections.counter, int, 0444);
MODULE_PARM_DESC(connections, "Connections open now");
static atomic64_t impersonation_ns = ATOMIC64_INIT(0);

static int get_ns(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&impersonation_ns));
}

static const struct kernel_param_ops ns_ops = { .get = get_ns };
module_param_cb(impersonation_ns, &ns_ops, NULL, 0444);
MODULE_PARM_DESC(impersonation_ns,
		 "Nanoseconds spent impersonating and reverting, all requests (for make bench)");

#define MAX_THREADS	64

static struct socket *listener;
static struct task_struct **workers;
static unsigned int nr_workers;

/* Inbound credentials per package, acquired on first use and kept. */
static DEFINE_MUTEX(creds_lock);
static struct ksspi_cred *pkg_creds[4];

/* One connection, served by one thread. */
struct conn {
	struct socket *sock;
	struct ksspi_context *ctx;
	u8 *in;		/* a received body, KSSPI_FS_MSG_MAX */
	u8 *out;	/* a reply body, KSSPI_FS_MSG_MAX */
};

static const char *pkg_name(u8 pkg)
{
	switch (pkg) {
	case KSSPI_FS_PKG_NEGOTIATE:
		return "negotiate";
	case KSSPI_FS_PKG_KERBEROS:
		return "kerberos";
	case KSSPI_FS_PKG_LOCAL:
		return "local";
	}
	return NULL;
}

/*
 * The server's inbound credentials for @pkg.  Kernel credentials use the
 * system keytab (kerberos, negotiate) or the local principal of root.
 */
static int get_creds(u8 pkg, struct ksspi_cred **credp)
{
	const char *name = pkg_name(pkg);
	int ret = 0;

	if (!name)
		return -EPROTO;
	mutex_lock(&creds_lock);
	if (!pkg_creds[pkg])
		ret = ksspi_acquire_credentials(name, SECPKG_CRED_INBOUND,
						pkg == KSSPI_FS_PKG_LOCAL ?
						KSSPI_FS_LOCAL_PRINCIPAL : NULL,
						&pkg_creds[pkg]);
	*credp = pkg_creds[pkg];
	mutex_unlock(&creds_lock);
	return ret;
}

/* Sends @n kvecs whole (one frame: one segment, no Nagle wait). */
static int send_all(struct socket *sock, struct kvec *iov, size_t n)
{
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
	size_t left = 0, i;
	int ret;

	for (i = 0; i < n; i++)
		left += iov[i].iov_len;
	while (left) {
		ret = kernel_sendmsg(sock, &msg, iov, n, left);
		if (ret <= 0)
			return ret ? ret : -EPIPE;
		left -= ret;
		/* A short send: skip what went out. */
		while (n && ret >= (int)iov->iov_len) {
			ret -= iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base += ret;
			iov->iov_len -= ret;
		}
	}
	return 0;
}

/* Returns 0, or -ECONNRESET when the peer closed before @len bytes. */
static int recv_all(struct socket *sock, void *buf, size_t len)
{
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {};
	int ret;

	while (iov.iov_len) {
		ret = kernel_recvmsg(sock, &msg, &iov, 1, iov.iov_len,
				     MSG_WAITALL);
		if (ret < 0)
			return ret;
		if (!ret)
			return -ECONNRESET;
		iov.iov_base += ret;
		iov.iov_len -= ret;
	}
	return 0;
}

/* Receives one frame into c->in; returns the body length or -errno. */
static int recv_frame(struct conn *c)
{
	__be32 hdr;
	u32 len;
	int ret;

	ret = recv_all(c->sock, &hdr, sizeof(hdr));
	if (ret)
		return ret;
	len = be32_to_cpu(hdr);
	if (!len || len > KSSPI_FS_MSG_MAX)
		return -EBADMSG;
	ret = recv_all(c->sock, c->in, len);
	return ret ? ret : len;
}

static int send_frame(struct conn *c, const void *body, u32 len)
{
	__be32 hdr = cpu_to_be32(len);
	struct kvec iov[2] = {
		{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)body, .iov_len = len },
	};

	return send_all(c->sock, iov, 2);
}

/* A reply {op, be32 err, data}; data are already at c->out + 5. */
static int send_reply(struct conn *c, int err, u32 data_len)
{
	c->out[0] = KSSPI_FS_REPLY;
	put_unaligned_be32(err < 0 ? -err : 0, c->out + 1);
	return send_frame(c, c->out, 5 + (err < 0 ? 0 : data_len));
}

/* The handshake; 0 once the context is established and attached. */
static int handshake(struct conn *c)
{
	struct ksspi_cred *cred = NULL;
	struct ksspi_leg leg;
	unsigned int legs;
	u8 pkg = 0;
	s32 status;
	int len, ret;

	for (legs = 0; legs < KSSPI_FS_MAX_LEGS; legs++) {
		len = recv_frame(c);
		if (len < 0)
			return len;
		if (len < 2 || c->in[0] != KSSPI_FS_AUTH ||
		    len - 2 > KSSPI_FS_TOKEN_MAX)
			return -EBADMSG;
		if (!cred) {
			pkg = c->in[1];
			ret = get_creds(pkg, &cred);
			if (ret)
				return ret == -EPROTO ? -EBADMSG : ret;
		} else if (c->in[1] != pkg) {
			return -EBADMSG;
		}

		memset(&leg, 0, sizeof(leg));
		leg.in = c->in + 2;
		leg.in_len = len - 2;
		leg.out = c->out + 5;
		leg.out_size = KSSPI_FS_TOKEN_MAX;
		status = ksspi_accept_security_context(cred, &c->ctx,
						       ASC_REQ_MUTUAL_AUTH |
						       ASC_REQ_CONNECTION,
						       &leg);
		c->out[0] = KSSPI_FS_AUTH_REPLY;
		put_unaligned_be32((u32)status, c->out + 1);
		if (status != SEC_E_OK && status != SEC_I_CONTINUE_NEEDED)
			leg.out_len = 0;
		ret = send_frame(c, c->out, 5 + leg.out_len);
		if (ret)
			return ret;
		if (status == SEC_E_OK)
			return ksspi_socket_attach(c->sock, c->ctx);
		if (status != SEC_I_CONTINUE_NEEDED)
			return -EACCES;
	}
	return -EBADMSG;
}

/* A path argument: NUL-terminated in place, no NUL inside, absolute. */
static char *take_path(u8 *p, u32 len, char *buf)
{
	if (!len || len > KSSPI_FS_PATH_MAX || memchr(p, 0, len) || p[0] != '/')
		return NULL;
	memcpy(buf, p, len);
	buf[len] = 0;
	return buf;
}

struct list_ctx {
	struct dir_context dc;
	u8 *buf;
	u32 len;
	int err;
};

static bool list_actor(struct dir_context *dc, const char *name, int namelen,
		       loff_t off, u64 ino, unsigned int type)
{
	struct list_ctx *lc = container_of(dc, struct list_ctx, dc);

	if ((namelen == 1 && name[0] == '.') ||
	    (namelen == 2 && name[0] == '.' && name[1] == '.'))
		return true;
	if (lc->len + namelen + 1 > KSSPI_FS_DATA_MAX) {
		lc->err = -E2BIG;
		return false;
	}
	memcpy(lc->buf + lc->len, name, namelen);
	lc->len += namelen;
	lc->buf[lc->len++] = '\n';
	return true;
}

/*
 * The VFS part of a request, run as the client (or as the server with
 * impersonation off).  Fills c->out + 5 and returns its length or -errno.
 */
static int do_vfs(struct conn *c, u8 op, const char *path, const u8 *data,
		  u32 data_len, u32 offset, u32 count)
{
	struct list_ctx lc = { .dc.actor = list_actor, .buf = c->out + 5 };
	struct file *f;
	loff_t pos;
	ssize_t n;
	int ret;

	switch (op) {
	case KSSPI_FS_READ:
		f = filp_open(path, O_RDONLY | O_LARGEFILE, 0);
		if (IS_ERR(f))
			return PTR_ERR(f);
		pos = offset;
		n = kernel_read(f, c->out + 5, min_t(u32, count,
						     KSSPI_FS_DATA_MAX), &pos);
		filp_close(f, NULL);
		return n;
	case KSSPI_FS_LIST:
		f = filp_open(path, O_RDONLY | O_DIRECTORY, 0);
		if (IS_ERR(f))
			return PTR_ERR(f);
		ret = iterate_dir(f, &lc.dc);
		filp_close(f, NULL);
		if (ret)
			return ret;
		return lc.err ? lc.err : lc.len;
	case KSSPI_FS_WRITE:
		f = filp_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_LARGEFILE,
			      0640);
		if (IS_ERR(f))
			return PTR_ERR(f);
		pos = 0;
		n = data_len ? kernel_write(f, data, data_len, &pos) : 0;
		ret = filp_close(f, NULL);
		if (n >= 0 && n != data_len)
			n = -EIO;
		return n < 0 ? n : ret;
	case KSSPI_FS_WHOAMI:
		put_unaligned_be32(from_kuid(&init_user_ns, current_fsuid()),
				   c->out + 5);
		put_unaligned_be32(from_kgid(&init_user_ns, current_fsgid()),
				   c->out + 9);
		return 8;
	}
	return -EOPNOTSUPP;
}

/* One request in c->in; 0 to go on, -errno to close the connection. */
static int serve_one(struct conn *c, u32 len)
{
	const struct cred *own = current_cred(), *old = NULL;
	struct ksspi_socket_security sec = {};
	char *path = NULL, *pbuf;
	const u8 *data = NULL;
	u32 data_len = 0, offset = 0, count = 0, plen, extra = 0;
	u8 op = c->in[0];
	u64 t0, t1, t2;
	int ret;

	pbuf = kmalloc(KSSPI_FS_PATH_MAX + 1, GFP_KERNEL);
	if (!pbuf)
		return -ENOMEM;
	switch (op) {
	case KSSPI_FS_READ:
		if (len < 9)
			goto bad;
		offset = get_unaligned_be32(c->in + 1);
		count = get_unaligned_be32(c->in + 5);
		path = take_path(c->in + 9, len - 9, pbuf);
		break;
	case KSSPI_FS_LIST:
		path = take_path(c->in + 1, len - 1, pbuf);
		break;
	case KSSPI_FS_WRITE:
		if (len < 3)
			goto bad;
		plen = get_unaligned_be16(c->in + 1);
		if (plen > len - 3 || len - 3 - plen > KSSPI_FS_DATA_MAX)
			goto bad;
		path = take_path(c->in + 3, plen, pbuf);
		data = c->in + 3 + plen;
		data_len = len - 3 - plen;
		break;
	case KSSPI_FS_WHOAMI:
		if (len != 1)
			goto bad;
		path = pbuf;
		break;
	default:
		goto bad;
	}
	if (!path)
		goto bad;

	if (impersonate) {
		t0 = ktime_get_ns();
		old = ksspi_impersonate_socket_peer(c->sock);
		t1 = ktime_get_ns();
		if (IS_ERR(old)) {
			/* e.g. the token expired: refuse, as nobody. */
			ret = PTR_ERR(old) == -EKEYEXPIRED ? -EKEYEXPIRED :
							      -EACCES;
			goto reply;
		}
	}
	ret = do_vfs(c, op, path, data, data_len, offset, count);
	if (impersonate) {
		t2 = ktime_get_ns();
		ksspi_revert(old);
		atomic64_add(t1 - t0 + ktime_get_ns() - t2, &impersonation_ns);
	}
	/* Whatever happened in the VFS, we are ourselves again. */
	if (current_cred() != own)
		atomic_inc(&cred_mismatches);
	atomic_inc(&requests);

	if (ret >= 0 && op == KSSPI_FS_WHOAMI &&
	    !ksspi_socket_query(c->sock, &sec)) {
		u32 n = strlen(sec.name);

		memcpy(c->out + 5 + ret, sec.name, n);
		extra = n;
		ksspi_token_put(sec.token);
	}
reply:
	kfree(pbuf);
	return send_reply(c, ret, ret < 0 ? 0 : ret + extra);
bad:
	kfree(pbuf);
	return -EBADMSG;
}

static void set_timeouts(struct socket *sock)
{
	long t = idle_timeout ? (long)idle_timeout * HZ : MAX_SCHEDULE_TIMEOUT;

	lock_sock(sock->sk);
	sock->sk->sk_rcvtimeo = t;
	sock->sk->sk_sndtimeo = t;
	release_sock(sock->sk);
	/* Replies are whole frames: send them at once. */
	tcp_sock_set_nodelay(sock->sk);
}

static void serve(struct socket *sock)
{
	struct conn c = { .sock = sock };
	int len, ret;

	set_timeouts(sock);
	c.in = kvmalloc(KSSPI_FS_MSG_MAX, GFP_KERNEL);
	c.out = kvmalloc(KSSPI_FS_MSG_MAX, GFP_KERNEL);
	if (!c.in || !c.out)
		goto out_free;
	ret = handshake(&c);
	if (ret)
		goto out_free;
	while (!kthread_should_stop()) {
		len = recv_frame(&c);
		if (len < 0)
			break;
		if (serve_one(&c, len))
			break;
	}
out_free:
	/* Deleting the context ends the socket's binding too. */
	ksspi_delete_security_context(c.ctx);
	kvfree(c.out);
	kvfree(c.in);
}

static int worker(void *arg)
{
	struct socket *sock;
	int ret;

	while (!kthread_should_stop()) {
		ret = kernel_accept(listener, &sock, 0);
		if (ret) {
			/* Shut down by module exit: wait to be stopped. */
			if (ret == -EINVAL)
				break;
			continue;
		}
		/*
		 * An open connection pins the module: rmmod is refused
		 * until it ends.  Once unloading has begun, refuse it.
		 */
		if (!try_module_get(THIS_MODULE)) {
			sock_release(sock);
			continue;
		}
		atomic_inc(&connections);
		serve(sock);
		kernel_sock_shutdown(sock, SHUT_RDWR);
		sock_release(sock);
		atomic_dec(&connections);
		/*
		 * Safe from the module's own thread: the module is freed
		 * only after its exit has stopped this thread.
		 */
		module_put(THIS_MODULE);
	}
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 10);
	return 0;
}

static int __init fs_init(void)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_ANY),
		.sin_port = htons(port),
	};
	unsigned int i;
	int ret;

	if (!threads || threads > MAX_THREADS)
		return -EINVAL;
	ret = sock_create_kern(&init_net, PF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &listener);
	if (ret)
		return ret;
	sock_set_reuseaddr(listener->sk);
	ret = kernel_bind(listener, (struct sockaddr *)&addr, sizeof(addr));
	if (ret)
		goto err_release;
	ret = kernel_listen(listener, 128);
	if (ret)
		goto err_release;

	workers = kcalloc(threads, sizeof(*workers), GFP_KERNEL);
	if (!workers) {
		ret = -ENOMEM;
		goto err_release;
	}
	for (i = 0; i < threads; i++) {
		workers[i] = kthread_run(worker, NULL, "ksspi-fs/%u", i);
		if (IS_ERR(workers[i])) {
			ret = PTR_ERR(workers[i]);
			goto err_stop;
		}
		get_task_struct(workers[i]);
		nr_workers++;
	}
	pr_info("ksspi_fileserver: listening on port %u, %u threads%s\n",
		port, threads, impersonate ? "" : ", impersonation OFF");
	return 0;

err_stop:
	kernel_sock_shutdown(listener, SHUT_RDWR);
	while (nr_workers--) {
		kthread_stop(workers[nr_workers]);
		put_task_struct(workers[nr_workers]);
	}
	kfree(workers);
err_release:
	sock_release(listener);
	return ret;
}

static void __exit fs_exit(void)
{
	unsigned int i;

	/* No connection is open (each pins us): wake the accepts. */
	kernel_sock_shutdown(listener, SHUT_RDWR);
	for (i = 0; i < nr_workers; i++) {
		kthread_stop(workers[i]);
		put_task_struct(workers[i]);
	}
	kfree(workers);
	sock_release(listener);
	for (i = 0; i < ARRAY_SIZE(pkg_creds); i++)
		ksspi_free_credentials(pkg_creds[i]);
}

module_init(fs_init);
module_exit(fs_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ksspi sample: an in-kernel file server that impersonates its clients");
