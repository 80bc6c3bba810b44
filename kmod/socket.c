// SPDX-License-Identifier: GPL-2.0
/*
 * Socket-bound contexts: WSASetSocketSecurity, WSAQuerySocketSecurity,
 * WSAImpersonateSocketPeer and WSARevertImpersonation for Linux.
 *
 * A binding ties the client of an established acceptor context to one
 * connected socket.  It lives until the socket is closed, the context is
 * freed or the binding is detached, whichever comes first.
 *
 * Why not hang the binding on the socket itself: an out-of-tree module has
 * no field of its own in struct sock or struct socket, and chaining
 * sk->sk_destruct (or sk_user_data) races with the protocol and with other
 * users of those hooks, and would leave a dangling function pointer in a
 * socket that outlives the module.  Instead each binding sits in a table
 * keyed by struct sock and holds a reference to that sock (sock_hold()):
 * the sock cannot be freed, so its address cannot be reused by another
 * socket while the binding exists, and a lookup compares the sock's
 * back-pointer to its struct socket, which close (sock_orphan()) clears.
 * A closed socket's binding is therefore dead at once for every lookup,
 * and a delayed work reaps it within REAP_INTERVAL, dropping the sock.
 *
 * The context side needs no reference at all: the binding keeps its own
 * reference to the client's token and a copy of what a query returns, and
 * uses the context pointer only as a key; the context's release calls
 * ksspi_socket_context_gone() before the context is freed, which unlinks
 * every binding made from it.  So closing the context's last descriptor
 * (or ksspi_delete_security_context()) ends the binding, as closing the
 * socket does.
 *
 * Every binding pins the module, so ksspi cannot be unloaded while one
 * exists (the reaper drops a closed socket's binding within REAP_INTERVAL).
 *
 * Privilege: attaching needs only what the caller holds, a socket and a
 * context; it grants nothing.  A user thread that impersonates the peer
 * goes through the same check as impersonating the context itself
 * (ksspi_thread_impersonate()).  Kernel code that impersonates the peer of
 * a binding a user made is held to what that user could have done: the
 * check is made against the attacher's credentials when it attaches.
 */
#include <linux/err.h>
#include <linux/file.h>
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>
#include <net/sock.h>

#include "object.h"
#include "impersonate.h"
#include "socket.h"
#include "uapi.h"

#define REAP_INTERVAL	(2 * HZ)

/**
 * struct sock_binding - A context bound to a socket.
 * @by_sk: entry in @by_sk, keyed by @sk.
 * @by_ctx: entry in @by_ctx, keyed by @ctx.
 * @sk: the socket's sock, with a reference.
 * @sock: the socket, only compared, never dereferenced: a live binding's
 *	@sk points back to it.
 * @ctx: the context it was made from, only compared: no reference.
 * @token: the client's token, with a reference.
 * @attacher: the attacher's credentials, or NULL for kernel code.
 * @package_id: the context's package.
 * @ctx_flags: the context's ASC_RET_* bits.
 * @kernel_may_impersonate: kernel code may impersonate @token: the
 *	binding was made by kernel code, or the attacher could impersonate it.
 */
struct sock_binding {
	struct hlist_node by_sk;
	struct hlist_node by_ctx;
	struct sock *sk;
	const struct socket *sock;
	const struct ksspi_context *ctx;
	struct ksspi_token *token;
	const struct cred *attacher;
	u32 package_id;
	u32 ctx_flags;
	bool kernel_may_impersonate;
};

static DEFINE_HASHTABLE(by_sk, 6);
static DEFINE_HASHTABLE(by_ctx, 6);
static DEFINE_SPINLOCK(bindings_lock);	/* protects both tables and nr */
static unsigned int nr_bindings;
static struct delayed_work reaper;

/* Closed (orphaned) or regrafted: the binding no longer names @sock. */
static bool binding_dead(const struct sock_binding *b)
{
	return sock_flag(b->sk, SOCK_DEAD) ||
	       READ_ONCE(b->sk->sk_socket) != b->sock;
}

static void unlink_binding(struct sock_binding *b)
{
	lockdep_assert_held(&bindings_lock);
	hash_del(&b->by_sk);
	hash_del(&b->by_ctx);
	nr_bindings--;
}

/* Drops what a binding holds; never under bindings_lock (sock_put). */
static void free_binding(struct sock_binding *b)
{
	if (b->attacher)
		put_cred(b->attacher);
	ksspi_token_put(b->token);
	sock_put(b->sk);
	kfree(b);
	module_put(THIS_MODULE);
}

static void free_list(struct hlist_head *dead)
{
	struct sock_binding *b;
	struct hlist_node *tmp;

	hlist_for_each_entry_safe(b, tmp, dead, by_sk)
		free_binding(b);
}

/*
 * The live binding of @sock, or NULL.  Dead bindings found on the way are
 * moved to @dead for the caller to free after unlocking.
 */
static struct sock_binding *lookup(const struct socket *sock,
				   struct hlist_head *dead)
{
	struct sock_binding *b, *found = NULL;
	struct hlist_node *tmp;
	struct sock *sk = sock->sk;

	lockdep_assert_held(&bindings_lock);
	if (!sk)
		return NULL;
	hash_for_each_possible_safe(by_sk, b, tmp, by_sk, (unsigned long)sk) {
		if (b->sk != sk)
			continue;
		if (binding_dead(b)) {
			unlink_binding(b);
			hlist_add_head(&b->by_sk, dead);
			continue;
		}
		if (b->sock == sock)
			found = b;
	}
	return found;
}

/* Connection-oriented and connected: a peer that stays the same. */
static int check_socket(const struct socket *sock)
{
	if (!sock->sk)
		return -ENOTCONN;
	if (sock->type != SOCK_STREAM && sock->type != SOCK_SEQPACKET)
		return -EOPNOTSUPP;
	if (READ_ONCE(sock->state) != SS_CONNECTED)
		return -ENOTCONN;
	return 0;
}

/*
 * Binds @ctx's client to @sock.  @attacher: the user's credentials, or
 * NULL for kernel code.
 */
static int attach(struct socket *sock, struct ksspi_context *ctx,
		  const struct cred *attacher)
{
	struct ksspi_context_attrs attrs;
	struct sock_binding *b;
	struct ksspi_token *tok;
	HLIST_HEAD(dead);
	int ret;

	ret = check_socket(sock);
	if (ret)
		return ret;
	/* Only an established acceptor context has a client token. */
	tok = ksspi_context_token(ctx);
	if (!tok)
		return -EINVAL;
	ksspi_query_context_attributes(ctx, &attrs);

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b) {
		ret = -ENOMEM;
		goto err_put_token;
	}
	b->sock = sock;
	b->ctx = ctx;
	b->token = tok;
	b->package_id = attrs.package_id;
	b->ctx_flags = attrs.ctx_flags;
	if (attacher) {
		b->attacher = get_cred(attacher);
		b->kernel_may_impersonate = ksspi_may_impersonate(attacher, tok);
	} else {
		b->kernel_may_impersonate = true;
	}

	spin_lock(&bindings_lock);
	if (lookup(sock, &dead)) {
		spin_unlock(&bindings_lock);
		ret = -EBUSY;
		goto err_free;
	}
	/*
	 * The caller holds the socket (a file reference or its own kernel
	 * socket), so sock->sk is alive here; from now on our reference
	 * keeps it so.
	 */
	b->sk = sock->sk;
	sock_hold(b->sk);
	__module_get(THIS_MODULE);
	hash_add(by_sk, &b->by_sk, (unsigned long)b->sk);
	hash_add(by_ctx, &b->by_ctx, (unsigned long)ctx);
	nr_bindings++;
	spin_unlock(&bindings_lock);
	free_list(&dead);
	queue_delayed_work(system_wq, &reaper, REAP_INTERVAL);
	return 0;

err_free:
	free_list(&dead);
	if (b->attacher)
		put_cred(b->attacher);
	kfree(b);
err_put_token:
	ksspi_token_put(tok);
	return ret;
}

static int detach(struct socket *sock)
{
	struct sock_binding *b;
	HLIST_HEAD(dead);

	spin_lock(&bindings_lock);
	b = lookup(sock, &dead);
	if (b) {
		unlink_binding(b);
		hlist_add_head(&b->by_sk, &dead);
	}
	spin_unlock(&bindings_lock);
	free_list(&dead);
	return b ? 0 : -ENOENT;
}

/*
 * What a query returns, copied under the lock; sec->token gets a new
 * reference.  -ENOENT: nothing attached.
 */
static int query(struct socket *sock, struct ksspi_socket_security *sec,
		 bool *kernel_may)
{
	struct sock_binding *b;
	HLIST_HEAD(dead);

	memset(sec, 0, sizeof(*sec));
	spin_lock(&bindings_lock);
	b = lookup(sock, &dead);
	if (b) {
		sec->token = ksspi_token_get(b->token);
		sec->package_id = b->package_id;
		sec->ctx_flags = b->ctx_flags;
		sec->kernel = !b->attacher;
		sec->attacher = b->attacher ? b->attacher->euid :
					      GLOBAL_ROOT_UID;
		if (kernel_may)
			*kernel_may = b->kernel_may_impersonate;
	}
	spin_unlock(&bindings_lock);
	free_list(&dead);
	if (!b)
		return -ENOENT;
	sec->uid = sec->token->uid;
	sec->gid = sec->token->gid;
	sec->level = sec->token->level;
	sec->expiry = sec->token->expiry;
	sec->name = sec->token->name;
	return 0;
}

/**
 * ksspi_socket_attach() - Bind a context's client to a connected socket.
 * @sock: a connected stream or seqpacket socket the caller holds.
 * @ctx: an established acceptor context.
 *
 * The binding holds no reference to @ctx: it ends when @ctx is freed
 * (ksspi_delete_security_context() of the last reference), when @sock is
 * closed, or with ksspi_socket_detach().
 *
 * Return: 0; -ENOTCONN (not connected), -EOPNOTSUPP (not connection
 * oriented), -EINVAL (@ctx is not an established acceptor context),
 * -EBUSY (something is attached already), -ENOMEM.
 */
int ksspi_socket_attach(struct socket *sock, struct ksspi_context *ctx)
{
	return attach(sock, ctx, NULL);
}
EXPORT_SYMBOL_GPL(ksspi_socket_attach);

/**
 * ksspi_socket_detach() - Undo ksspi_socket_attach().
 * @sock: the socket.
 *
 * Return: 0, or -ENOENT when nothing is attached.
 */
int ksspi_socket_detach(struct socket *sock)
{
	return detach(sock);
}
EXPORT_SYMBOL_GPL(ksspi_socket_detach);

/**
 * ksspi_socket_query() - The security of a socket's peer.
 * @sock: the socket.
 * @sec: filled in; @sec->token is a new reference the caller puts with
 *	ksspi_token_put(), and @sec->name lives as long as it.
 *
 * Return: 0, or -ENOENT when nothing is attached (@sec is zeroed).
 */
int ksspi_socket_query(struct socket *sock, struct ksspi_socket_security *sec)
{
	return query(sock, sec, NULL);
}
EXPORT_SYMBOL_GPL(ksspi_socket_query);

/**
 * ksspi_impersonate_socket_peer() - WSAImpersonateSocketPeer for the kernel.
 * @sock: the socket.
 *
 * Installs the peer's credentials on the current thread like
 * ksspi_impersonate_token(); undo with ksspi_revert().  Closing the socket
 * or the context meanwhile does not change the thread's credentials.
 *
 * Return: the credentials for ksspi_revert(); ERR_PTR(-ENOENT) when nothing
 * is attached, ERR_PTR(-EPERM) when a user attached the context and could
 * not have impersonated its client, ERR_PTR(-EKEYEXPIRED) for an expired
 * token; then the thread's credentials are unchanged.
 */
const struct cred *ksspi_impersonate_socket_peer(struct socket *sock)
{
	struct ksspi_socket_security sec;
	const struct cred *old;
	bool may = false;
	int ret;

	ret = query(sock, &sec, &may);
	if (ret)
		return ERR_PTR(ret);
	old = may ? ksspi_impersonate_token(sec.token) : ERR_PTR(-EPERM);
	/* The installed credentials hold their own references. */
	ksspi_token_put(sec.token);
	return old;
}
EXPORT_SYMBOL_GPL(ksspi_impersonate_socket_peer);

/* Called by the context's release, before the context is freed. */
void ksspi_socket_context_gone(struct ksspi_context *ctx)
{
	struct sock_binding *b;
	struct hlist_node *tmp;
	HLIST_HEAD(dead);

	/* Racy but safe: a binding is only added by a context holder. */
	if (!READ_ONCE(nr_bindings))
		return;
	spin_lock(&bindings_lock);
	hash_for_each_possible_safe(by_ctx, b, tmp, by_ctx, (unsigned long)ctx) {
		if (b->ctx != ctx)
			continue;
		unlink_binding(b);
		hlist_add_head(&b->by_sk, &dead);
	}
	spin_unlock(&bindings_lock);
	free_list(&dead);
}

unsigned int ksspi_socket_count(void)
{
	return READ_ONCE(nr_bindings);
}

static void reap(struct work_struct *work)
{
	struct sock_binding *b;
	struct hlist_node *tmp;
	HLIST_HEAD(dead);
	bool more;
	int bkt;

	spin_lock(&bindings_lock);
	hash_for_each_safe(by_sk, bkt, tmp, b, by_sk) {
		if (!binding_dead(b))
			continue;
		unlink_binding(b);
		hlist_add_head(&b->by_sk, &dead);
	}
	more = nr_bindings;
	spin_unlock(&bindings_lock);
	free_list(&dead);
	if (more)
		schedule_delayed_work(&reaper, REAP_INTERVAL);
}

/* ---- ioctls on /dev/ksspi ---- */

/* Copies in an argument whose first member is its size (>= @ksize). */
static int copy_arg(void *karg, size_t ksize, void __user *uarg, u32 *usize)
{
	u32 size;

	if (get_user(size, (u32 __user *)uarg))
		return -EFAULT;
	if (size < ksize)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	*usize = size;
	return copy_struct_from_user(karg, ksize, uarg, size);
}

static long ioc_attach(void __user *uarg, bool detaching)
{
	struct ksspi_socket_attach sa;
	struct ksspi_context *ctx;
	struct socket *sock;
	u32 usize;
	int ret;

	ret = copy_arg(&sa, sizeof(sa), uarg, &usize);
	if (ret)
		return ret;
	if (sa.flags || (detaching && sa.ctx_fd != -1))
		return -EINVAL;
	sock = sockfd_lookup(sa.sock_fd, &ret);
	if (!sock)
		return ret;	/* -EBADF, or -ENOTSOCK */
	if (detaching) {
		ret = detach(sock);
		goto out_put_sock;
	}
	ctx = ksspi_context_from_fd(sa.ctx_fd);
	if (IS_ERR(ctx)) {
		ret = PTR_ERR(ctx);
		goto out_put_sock;
	}
	ret = attach(sock, ctx, current_cred());
	ksspi_context_put(ctx);
out_put_sock:
	sockfd_put(sock);
	return ret;
}

static long ioc_query(void __user *uarg)
{
	struct user_namespace *ns = current_user_ns();
	struct ksspi_socket_security sec;
	struct ksspi_socket_info si;
	struct socket *sock;
	size_t need;
	u32 usize;
	int ret;

	ret = copy_arg(&si, sizeof(si), uarg, &usize);
	if (ret)
		return ret;
	if (si.flags || si.reserved)
		return -EINVAL;
	sock = sockfd_lookup(si.sock_fd, &ret);
	if (!sock)
		return ret;
	ret = query(sock, &sec, NULL);
	sockfd_put(sock);
	if (ret)
		return ret;

	si.package_id = sec.package_id;
	si.level = sec.level;
	si.ctx_flags = sec.ctx_flags;
	si.uid = from_kuid_munged(ns, sec.uid);
	si.gid = from_kgid_munged(ns, sec.gid);
	si.attacher_uid = from_kuid_munged(ns, sec.attacher);
	si.attach_flags = sec.kernel ? KSSPI_SOCKET_KERNEL : 0;
	si.expiry = sec.expiry;
	need = strlen(sec.name) + 1;
	if (si.name && si.name_size < need)
		ret = -ERANGE;
	else if (si.name && copy_to_user(u64_to_user_ptr(si.name), sec.name,
					 need))
		ret = -EFAULT;
	si.name_size = need;
	ksspi_token_put(sec.token);
	if (ret == -EFAULT)
		return ret;
	if (copy_to_user(uarg, &si, min_t(u32, usize, sizeof(si))))
		return -EFAULT;
	return ret;
}

static long ioc_impersonate(void __user *uarg)
{
	struct ksspi_socket_security sec;
	struct ksspi_socket_impersonate im;
	struct socket *sock;
	u32 usize;
	int ret;

	ret = copy_arg(&im, sizeof(im), uarg, &usize);
	if (ret)
		return ret;
	if (im.flags || im.reserved)
		return -EINVAL;
	sock = sockfd_lookup(im.sock_fd, &ret);
	if (!sock)
		return ret;
	ret = query(sock, &sec, NULL);
	sockfd_put(sock);
	if (ret)
		return ret;
	/* The status must get out once the credentials may have changed. */
	im.status = SEC_E_INTERNAL_ERROR;
	im.level = 0;
	if (copy_to_user(uarg, &im, min_t(u32, usize, sizeof(im)))) {
		ret = -EFAULT;
		goto out_put;
	}
	im.status = ksspi_thread_impersonate(sec.token, &im.level);
	if (copy_to_user(uarg, &im, min_t(u32, usize, sizeof(im))))
		ret = -EFAULT;
out_put:
	ksspi_token_put(sec.token);
	return ret;
}

static long ioc_revert(void __user *uarg)
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
	im.level = 0;
	if (copy_to_user(uarg, &im, min_t(u32, usize, sizeof(im))))
		return -EFAULT;
	im.status = ksspi_thread_revert();
	if (copy_to_user(uarg, &im, min_t(u32, usize, sizeof(im))))
		return -EFAULT;
	return 0;
}

/* The socket ioctls of /dev/ksspi. */
long ksspi_socket_ioctl(unsigned int cmd, void __user *uarg)
{
	switch (cmd) {
	case KSSPI_IOC_SOCKET_ATTACH:
		return ioc_attach(uarg, false);
	case KSSPI_IOC_SOCKET_DETACH:
		return ioc_attach(uarg, true);
	case KSSPI_IOC_SOCKET_QUERY:
		return ioc_query(uarg);
	case KSSPI_IOC_SOCKET_IMPERSONATE:
		return ioc_impersonate(uarg);
	case KSSPI_IOC_SOCKET_REVERT:
		return ioc_revert(uarg);
	}
	return -ENOTTY;
}

void ksspi_socket_init(void)
{
	INIT_DELAYED_WORK(&reaper, reap);
}

/* Bindings pin the module: none can be left when it goes away. */
void ksspi_socket_exit(void)
{
	cancel_delayed_work_sync(&reaper);
	WARN_ON_ONCE(nr_bindings);
}
