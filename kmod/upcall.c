// SPDX-License-Identifier: GPL-2.0
/*
 * The request-key upcall to ksspi-upcall.
 *
 * Every call requests a key of the module's own type "ksspi" with a unique
 * description and the request in the callout information; /sbin/request-key
 * runs the helper named in /etc/request-key.d, which instantiates the key
 * with its response (or negates it).  The wire format is
 * uapi/linux/ksspi_upcall.h; Documentation/security/upcall.rst tells the
 * whole story.
 *
 * The kernel's generic construction (call_sbin_request_key()) waits for
 * /sbin/request-key to exit, uninterruptibly and without a deadline.  The
 * key type therefore has its own ->request_key actor: it starts
 * /sbin/request-key the same way, waits interruptibly until the key is
 * instantiated or negated, the helper exits, or the deadline passes, and on
 * a deadline or a signal negates the key (so that a late answer finds no
 * key to instantiate and no authority to do it with) and kills the helper.
 *
 * The keys live in a keyring of the module's own, which only the module's
 * credentials (used for the request) can reach: user space can neither
 * create, request, read nor update a key of this type, and every key is
 * revoked and invalidated as soon as its answer is taken.
 */
#include <linux/base64.h>
#include <linux/capability.h>
#include <linux/highuid.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/key.h>
#include <linux/key-type.h>
#include <linux/keyctl.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/pid.h>
#include <linux/ratelimit.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/umh.h>
#include <linux/user_namespace.h>
#include <linux/wait_bit.h>
#include <keys/request_key_auth-type.h>

#include "compat.h"
#include "params.h"
#include "stats.h"
#include "trace.h"
#include "upcall.h"
#include "../uapi/linux/ksspi.h"
#include "../uapi/linux/ksspi_upcall.h"

#define UPCALL_TIMEOUT_MIN_MS	100
#define UPCALL_TIMEOUT_MAX_MS	600000
#define UPCALL_DESC_PREFIX	"ksspi;"
/* "ksspi;" and 16 hex digits. */
#define UPCALL_DESC_MAX		(sizeof(UPCALL_DESC_PREFIX) + 16)

static unsigned int upcall_timeout_ms = 15000;
/* Upcalls in flight wait here too: a new deadline applies to them at once. */
static DECLARE_WAIT_QUEUE_HEAD(timeout_wq);

static int timeout_set(const char *val, const struct kernel_param *kp)
{
	unsigned int ms;
	int ret;

	ret = kstrtouint(val, 0, &ms);
	if (ret)
		return ret;
	if (ms < UPCALL_TIMEOUT_MIN_MS || ms > UPCALL_TIMEOUT_MAX_MS)
		return -EINVAL;
	WRITE_ONCE(*(unsigned int *)kp->arg, ms);
	wake_up_all(&timeout_wq);
	return 0;
}

static const struct kernel_param_ops timeout_ops = {
	.set = timeout_set,
	.get = param_get_uint,
};

module_param_cb(upcall_timeout_ms, &timeout_ops, &upcall_timeout_ms, 0644);
MODULE_PARM_DESC(upcall_timeout_ms,
		 "Deadline of a helper upcall from its start, in milliseconds, 100..600000 (default 15000); a change applies to upcalls in flight");

/*
 * The credentials every request is made with: the kernel's, with a keyring
 * of our own as the thread keyring and the destination of requested keys.
 * Only code that overrides its credentials with these can make a key of
 * our type (see upcall_vet_description()).
 */
static const struct cred *upcall_cred;
static atomic64_t next_id;
static atomic_t in_flight;

/* Failed upcalls by reason, for debugfs: reasons are string constants. */
#define REASONS_MAX	64
static struct {
	const char *why;
	u64 count;
} reasons[REASONS_MAX];
static DEFINE_SPINLOCK(reasons_lock);

/* What the helper instantiated the key with. */
struct upcall_payload {
	const struct cred *cred;	/* the instantiating process's */
	bool oversize;			/* more than KSSPI_UPCALL_MAX bytes */
	u32 len;
	u8 data[];
};

/* One call, on the caller's stack: the actor gets it as aux data. */
struct upcall_call {
	u64 id;
	const struct ksspi_upcall_req *req;
	struct key *session;		/* the helper's session keyring */
	struct pid *helper;		/* the process started for the call */
	bool constructed;		/* the actor ran */
	int result;			/* what it found */
	const char *why;		/* why it failed, for logs and traces */
	struct upcall_payload *payload;	/* the answer it took */
};

static void payload_free(struct upcall_payload *p)
{
	if (!p)
		return;
	put_cred(p->cred);
	kfree_sensitive(p);
}

/* The key type. */

static int upcall_vet_description(const char *desc)
{
	size_t len = strlen(desc);
	u64 id;

	/* No one but ksspi_upcall() makes keys of this type. */
	if (current_cred() != upcall_cred)
		return -EPERM;
	if (len >= UPCALL_DESC_MAX ||
	    strncmp(desc, UPCALL_DESC_PREFIX, strlen(UPCALL_DESC_PREFIX)) ||
	    kstrtou64(desc + strlen(UPCALL_DESC_PREFIX), 16, &id))
		return -EINVAL;
	return 0;
}

/*
 * Takes the helper's answer as it is, with the instantiator's credentials;
 * ksspi_upcall() validates it.  An oversize answer is kept as a marker so
 * that it counts as malformed rather than as no answer.
 */
static int upcall_preparse(struct key_preparsed_payload *prep)
{
	bool oversize = prep->datalen > KSSPI_UPCALL_MAX;
	size_t len = oversize ? 0 : prep->datalen;
	struct upcall_payload *p;

	/* add_key(2): only the holder of an authorisation instantiates. */
	if (!current_cred()->request_key_auth)
		return -EPERM;
	p = kmalloc(struct_size(p, data, len), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->cred = get_current_cred();
	p->oversize = oversize;
	p->len = len;
	memcpy(p->data, prep->data, len);
	prep->payload.data[0] = p;
	prep->quotalen = len;
	return 0;
}

static void upcall_free_preparse(struct key_preparsed_payload *prep)
{
	payload_free(prep->payload.data[0]);
}

/* Called with the key's semaphore held: nothing else reads the payload. */
static void upcall_revoke(struct key *key)
{
	struct upcall_payload *p = key->payload.data[0];

	key->payload.data[0] = NULL;
	payload_free(p);
}

static void upcall_destroy(struct key *key)
{
	payload_free(key->payload.data[0]);
}

static void upcall_describe(const struct key *key, struct seq_file *m)
{
	seq_puts(m, key->description);
	if (key_is_positive(key))
		seq_printf(m, ": %u", key->datalen);
}

static int upcall_request_key(struct key *authkey, void *aux);

/*
 * No ->read: the answer holds secrets (session keys, delegated
 * credentials) and is never readable, not even by its possessor.
 */
static struct key_type key_type_ksspi = {
	.name = KSSPI_UPCALL_KEY_TYPE,
	.vet_description = upcall_vet_description,
	.preparse = upcall_preparse,
	.free_preparse = upcall_free_preparse,
	.instantiate = generic_key_instantiate,
	.revoke = upcall_revoke,
	.destroy = upcall_destroy,
	.describe = upcall_describe,
	.request_key = upcall_request_key,
};

/* Starting the helper. */

/* Runs in the new process before it executes /sbin/request-key. */
static int helper_init(struct subprocess_info *info, struct cred *new)
{
	struct upcall_call *call = info->data;

	/* The authorisation key is found through the session keyring. */
	key_put(new->session_keyring);
	new->session_keyring = key_get(call->session);
	call->helper = get_pid(task_tgid(current));
	return 0;
}

/*
 * Starts /sbin/request-key as call_sbin_request_key() does, but returns as
 * soon as it runs.  Waits (uninterruptibly, as the kernel does for every
 * usermode helper) only for the exec.
 */
static int upcall_spawn(struct upcall_call *call, struct key *authkey,
			struct key *key)
{
	static char *const envp[] = {
		"HOME=/",
		"PATH=/sbin:/bin:/usr/sbin:/usr/bin",
		NULL
	};
	static const char path[] = "/sbin/request-key";
	const struct cred *cred = current_cred();
	char key_str[12], ring_str[12], desc[20];
	struct subprocess_info *info;
	struct key *session;
	char *argv[9];
	int ret, i = 0;

	snprintf(desc, sizeof(desc), "_req.%u", key->serial);
	session = keyring_alloc(desc, cred->fsuid, cred->fsgid, cred,
				KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ,
				KEY_ALLOC_QUOTA_OVERRUN, NULL, NULL);
	if (IS_ERR(session))
		return PTR_ERR(session);
	ret = key_link(session, authkey);
	if (ret)
		goto out_put;

	/*
	 * The arguments call_sbin_request_key() gives: operation, key,
	 * requester's uid and gid (ours: the request carries the real ones),
	 * its thread, process and session keyrings (our keyring).
	 */
	snprintf(key_str, sizeof(key_str), "%d", key->serial);
	snprintf(ring_str, sizeof(ring_str), "%d", cred->thread_keyring->serial);
	argv[i++] = (char *)path;
	argv[i++] = "create";
	argv[i++] = key_str;
	argv[i++] = "0";
	argv[i++] = "0";
	argv[i++] = ring_str;
	argv[i++] = "0";
	argv[i++] = ring_str;
	argv[i] = NULL;
	info = call_usermodehelper_setup(path, argv, (char **)envp, GFP_KERNEL,
					 helper_init, NULL, call);
	if (!info) {
		ret = -ENOMEM;
		goto out_put;
	}
	call->session = session;
	ret = call_usermodehelper_exec(info, UMH_WAIT_EXEC);
	call->session = NULL;
	if (ret > 0)	/* a wait status: cannot happen with UMH_WAIT_EXEC */
		ret = -ECHILD;
out_put:
	key_put(session);
	return ret;
}

/*
 * Kills the helper, and its process group and session if it made itself
 * their leader; its other descendants die of PR_SET_PDEATHSIG.  A struct
 * pid is never reused, so nothing else can be hit.
 */
static void kill_helper(struct pid *pid)
{
	struct task_struct *task;

	kill_pid(pid, SIGKILL, 1);
	kill_pgrp(pid, SIGKILL, 1);
	rcu_read_lock();
	do_each_pid_task(pid, PIDTYPE_SID, task) {
		send_sig(SIGKILL, task, 1);
	} while_each_pid_task(pid, PIDTYPE_SID, task);
	rcu_read_unlock();
}

/*
 * Waits until the key is instantiated or negated, the helper exits, a
 * signal arrives or the deadline passes, whichever comes first: on the
 * key's construction bit (as wait_for_key_construction() does), on the
 * helper's pid (as a pidfd poll does) and on changes of the deadline at
 * once.  The deadline is @start plus the upcall_timeout_ms parameter as it
 * is now, so that lowering it releases callers that already wait.
 */
static int upcall_wait(struct upcall_call *call, struct key *key,
		       unsigned long start)
{
	wait_queue_head_t *kwq = bit_waitqueue(&key->flags,
					       KEY_FLAG_USER_CONSTRUCT);
	DEFINE_WAIT_BIT(kwait, &key->flags, KEY_FLAG_USER_CONSTRUCT);
	wait_queue_head_t *hwq = &call->helper->wait_pidfd;
	DEFINE_WAIT(hwait);
	DEFINE_WAIT(twait);
	long left;
	int ret;

	for (;;) {
		prepare_to_wait(kwq, &kwait.wq_entry, TASK_INTERRUPTIBLE);
		prepare_to_wait(hwq, &hwait, TASK_INTERRUPTIBLE);
		prepare_to_wait(&timeout_wq, &twait, TASK_INTERRUPTIBLE);
		if (!test_bit(KEY_FLAG_USER_CONSTRUCT, &key->flags)) {
			ret = 0;
			break;
		}
		if (thread_group_exited(call->helper)) {
			/* It may have answered just before it went. */
			smp_rmb();
			ret = test_bit(KEY_FLAG_USER_CONSTRUCT, &key->flags) ?
			      -EHOSTUNREACH : 0;
			break;
		}
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		left = (long)(start +
			      msecs_to_jiffies(READ_ONCE(upcall_timeout_ms)) -
			      jiffies);
		if (left <= 0) {
			ret = -ETIMEDOUT;
			break;
		}
		schedule_timeout(left);
	}
	finish_wait(&timeout_wq, &twait);
	finish_wait(hwq, &hwait);
	finish_wait(kwq, &kwait.wq_entry);
	return ret;
}

/* Takes the answer out of a constructed key. */
static int upcall_take(struct upcall_call *call, struct key *key)
{
	short state = key_read_state(key);

	if (state < 0) {	/* negated or rejected by the helper */
		call->why = "negated by the helper";
		return state == -EACCES ? -EACCES : -ENOKEY;
	}
	if (state != KEY_IS_POSITIVE) {
		call->why = "not instantiated";
		return -ENOKEY;
	}
	down_write(&key->sem);
	call->payload = key->payload.data[0];
	key->payload.data[0] = NULL;
	up_write(&key->sem);
	if (!call->payload) {
		call->why = "revoked";
		return -EKEYREVOKED;
	}
	return 0;
}

/*
 * The key type's ->request_key actor, run by request_key_with_auxdata() in
 * the caller's context with the key under construction.  It returns 0 only
 * when it took an answer; on any error it negates the key first (which
 * also disables the authorisation key), as construct_key() requires.
 * Either way the key is revoked and invalidated: it is never found again.
 */
static int upcall_request_key(struct key *authkey, void *aux)
{
	struct key *key = get_request_key_auth(authkey)->target_key;
	struct upcall_call *call = aux;
	unsigned long start = jiffies;
	int ret;

	call->constructed = true;
	if (signal_pending(current)) {
		/* A caller already told to stop starts no helper. */
		ret = -EINTR;
		call->why = "interrupted";
	} else {
		ret = upcall_spawn(call, authkey, key);
		if (ret) {
			pr_warn_ratelimited("ksspi: upcall %llu: cannot run /sbin/request-key: %d\n",
					    call->id, ret);
			call->why = "cannot run /sbin/request-key";
			if (ret != -ENOMEM)
				ret = -EHOSTUNREACH;
		} else {
			ret = upcall_wait(call, key, start);
		}
	}
	if (ret == -EHOSTUNREACH && !call->why)
		call->why = "the helper exited without answering";
	else if (ret == -ETIMEDOUT)
		call->why = "deadline passed";
	else if (ret == -EINTR)
		call->why = "interrupted";
	else if (!ret)
		ret = upcall_take(call, key);
	if (ret) {
		complete_request_key(authkey, ret);
		key_invalidate(authkey);
		if (call->helper && (ret == -ETIMEDOUT || ret == -EINTR))
			kill_helper(call->helper);
	}
	key_revoke(key);
	key_invalidate(key);
	call->result = ret;
	return ret;
}

/* The request. */

static size_t item_size(u32 len)
{
	return sizeof(struct ksspi_upcall_item) + ALIGN(len, KSSPI_UPCALL_ALIGN);
}

static u8 *put_item(u8 *p, u16 type, const void *data, u32 len)
{
	struct ksspi_upcall_item item = { .type = type, .len = len };

	memcpy(p, &item, sizeof(item));
	p += sizeof(item);
	if (len)
		memcpy(p, data, len);
	/* The buffer is zeroed: the padding is already there. */
	return p + ALIGN(len, KSSPI_UPCALL_ALIGN);
}

/* Request item types a package may pass (GROUPS the upcall adds). */
#define REQUEST_ITEMS	(BIT(KSSPI_UPCALL_TARGET) | BIT(KSSPI_UPCALL_PRINCIPAL) | \
			 BIT(KSSPI_UPCALL_CCACHE) | BIT(KSSPI_UPCALL_KEYTAB) |  \
			 BIT(KSSPI_UPCALL_INPUT) | BIT(KSSPI_UPCALL_STATE) |    \
			 BIT(KSSPI_UPCALL_CCACHE_DATA) |			       \
			 BIT(KSSPI_UPCALL_X509_CERTS) |			       \
			 BIT(KSSPI_UPCALL_X509_TBS) |			       \
			 BIT(KSSPI_UPCALL_X509_SIGNATURE) |		       \
			 BIT(KSSPI_UPCALL_X509_SIG_ALG) |		       \
			 BIT(KSSPI_UPCALL_X509_KEY_PATH) |		       \
			 BIT(KSSPI_UPCALL_X509_CHAIN_PATH) |		       \
			 BIT(KSSPI_UPCALL_X509_PROVEN))

static int check_req(const struct ksspi_upcall_req *req)
{
	u32 seen = 0;
	unsigned int i;

	if (req->op < KSSPI_UPCALL_ACQUIRE || req->op > KSSPI_UPCALL_X509_CHAIN ||
	    req->flags & ~(KSSPI_UPCALL_F_KERNEL | KSSPI_UPCALL_F_LUCID) ||
	    !req->requester ||
	    req->nr_items > KSSPI_UPCALL_ITEMS_MAX)
		return -EINVAL;
	for (i = 0; i < req->nr_items; i++) {
		u16 type = req->items[i].type & ~KSSPI_UPCALL_ITEM_OPTIONAL;

		if (type >= 32 || !(REQUEST_ITEMS & BIT(type)) ||
		    seen & BIT(type) ||
		    req->items[i].len > KSSPI_UPCALL_MAX ||
		    (req->items[i].len && !req->items[i].data))
			return -EINVAL;
		if (type == KSSPI_UPCALL_STATE &&
		    req->items[i].len > KSSPI_UPCALL_STATE_MAX)
			return -EINVAL;
		seen |= BIT(type);
	}
	return 0;
}

/*
 * Encodes the request: header, the caller's items, then the requester's
 * groups.  Returns a buffer to free with kvfree_sensitive() (it may hold
 * tokens and delegated credentials).
 */
static u8 *build_request(const struct ksspi_upcall_req *req, u64 id,
			 size_t *sizep)
{
	const struct group_info *gi = req->requester->group_info;
	struct ksspi_upcall_request hdr = {
		.hdr = {
			.magic = KSSPI_UPCALL_MAGIC,
			.version = KSSPI_UPCALL_VERSION,
			.op = req->op,
			.flags = req->flags,
		},
		.id = id,
		.context_id = req->context_id,
		.package_id = req->package_id,
		.leg = req->leg,
		.req_flags = req->req_flags,
		.cred_use = req->cred_use,
		.uid = from_kuid_munged(&init_user_ns, req->requester->uid),
		.gid = from_kgid_munged(&init_user_ns, req->requester->gid),
		.now = ktime_get_real_seconds(),
	};
	size_t size = sizeof(hdr);
	unsigned int i;
	u8 *buf, *p;

	for (i = 0; i < req->nr_items; i++)
		size += item_size(req->items[i].len);
	if (gi->ngroups)
		size += item_size(gi->ngroups * sizeof(u32));
	if (size > KSSPI_UPCALL_MAX)
		return ERR_PTR(-EMSGSIZE);
	hdr.hdr.size = size;

	buf = kvzalloc(size, GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	memcpy(buf, &hdr, sizeof(hdr));
	p = buf + sizeof(hdr);
	for (i = 0; i < req->nr_items; i++)
		p = put_item(p, req->items[i].type, req->items[i].data,
			     req->items[i].len);
	if (gi->ngroups) {
		struct ksspi_upcall_item item = {
			.type = KSSPI_UPCALL_GROUPS,
			.len = gi->ngroups * sizeof(u32),
		};

		memcpy(p, &item, sizeof(item));
		p += sizeof(item);
		for (i = 0; i < gi->ngroups; i++) {
			u32 g = from_kgid_munged(&init_user_ns, gi->gid[i]);

			memcpy(p, &g, sizeof(g));
			p += sizeof(g);
		}
	}
	*sizep = size;
	return buf;
}

/* The response. */

#define RESPONSE_ITEMS	(BIT(KSSPI_UPCALL_GROUPS) | BIT(KSSPI_UPCALL_STATE) | \
			 BIT(KSSPI_UPCALL_OUTPUT) |			       \
			 BIT(KSSPI_UPCALL_CLIENT_NAME) |		       \
			 BIT(KSSPI_UPCALL_SERVER_NAME) |		       \
			 BIT(KSSPI_UPCALL_LOCAL_NAME) |			       \
			 BIT(KSSPI_UPCALL_SESSION_KEY) |		       \
			 BIT(KSSPI_UPCALL_DELEGATED) |			       \
			 BIT(KSSPI_UPCALL_MESSAGE) |			       \
			 BIT(KSSPI_UPCALL_LUCID) |			       \
			 X509_ITEMS)
#define X509_ITEMS	(BIT(KSSPI_UPCALL_X509_CERTS) |		       \
			 BIT(KSSPI_UPCALL_X509_SIGNATURE) |		       \
			 BIT(KSSPI_UPCALL_X509_SIG_ALG) |		       \
			 BIT(KSSPI_UPCALL_X509_STRENGTH))
#define STRING_ITEMS	(BIT(KSSPI_UPCALL_CLIENT_NAME) |		       \
			 BIT(KSSPI_UPCALL_SERVER_NAME) |		       \
			 BIT(KSSPI_UPCALL_LOCAL_NAME) |			       \
			 BIT(KSSPI_UPCALL_MESSAGE))
#define NR_TYPES	(KSSPI_UPCALL_X509_STRENGTH + 1)
#define LUCID_FLAGS	(KSSPI_UPCALL_LUCID_INITIATOR |			       \
			 KSSPI_UPCALL_LUCID_ACCEPTOR_SUBKEY)

/* The items of a response, by type. */
struct response {
	struct ksspi_upcall_response hdr;
	u32 seen;
	const u8 *data[NR_TYPES];
	u32 len[NR_TYPES];
};

/* Length of the DER TLV at @p (at most @room bytes), or 0 if it is none. */
static u32 der_tlv_len(const u8 *p, u32 room)
{
	u32 n, len = 0, i;

	if (room < 2)
		return 0;
	if (p[1] < 0x80) {
		len = p[1];
		n = 2;
	} else {
		/* Definite long form, minimal, at most 4 length bytes. */
		i = p[1] & 0x7f;
		if (!i || i > 4 || room < 2 + i || !p[2])
			return 0;
		for (n = 0; n < i; n++)
			len = len << 8 | p[2 + n];
		if (len < 0x80)
			return 0;
		n = 2 + i;
	}
	if (len > room - n)
		return 0;
	return n + len;
}

/**
 * ksspi_upcall_x509_split() - Split a chain into its certificates.
 * @der: DER certificates back to back, leaf first.
 * @len: bytes at @der.
 * @off: out, the offset of each certificate, or NULL.
 * @lens: out, the length of each certificate, or NULL.
 *
 * Checks the framing only (each a SEQUENCE of a definite, minimal length,
 * nothing between or after them); the helper validates the certificates
 * with OpenSSL.
 *
 * Return: the number of certificates (1 to %KSSPI_UPCALL_X509_CERTS_MAX),
 * or -EINVAL.
 */
int ksspi_upcall_x509_split(const u8 *der, u32 len, u32 *off, u32 *lens)
{
	u32 pos = 0, n = 0, l;

	if (!len || len > KSSPI_UPCALL_X509_CHAIN_MAX)
		return -EINVAL;
	while (pos < len) {
		if (n == KSSPI_UPCALL_X509_CERTS_MAX || der[pos] != 0x30)
			return -EINVAL;
		l = der_tlv_len(der + pos, len - pos);
		if (!l)
			return -EINVAL;
		if (off)
			off[n] = pos;
		if (lens)
			lens[n] = l;
		pos += l;
		n++;
	}
	return n;
}

static bool printable(const u8 *s, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

/* Splits the items and checks each on its own; NULL if all is well. */
static const char *parse_items(const u8 *buf, u32 size, struct response *r)
{
	u32 off = sizeof(r->hdr);

	while (off < size) {
		struct ksspi_upcall_item item;
		u32 padded;

		if (size - off < sizeof(item))
			return "truncated item header";
		memcpy(&item, buf + off, sizeof(item));
		off += sizeof(item);
		if (item.flags)
			return "item flags";
		if (item.type >= NR_TYPES || !(RESPONSE_ITEMS & BIT(item.type)))
			return "unknown item type";
		if (r->seen & BIT(item.type))
			return "repeated item";
		if (!item.len)
			return "empty item";
		if (item.len > size - off)
			return "item overruns the message";
		padded = ALIGN(item.len, KSSPI_UPCALL_ALIGN);
		if (padded > size - off)
			return "item padding missing";
		if (memchr_inv(buf + off + item.len, 0, padded - item.len))
			return "item padding not zero";
		r->seen |= BIT(item.type);
		r->data[item.type] = buf + off;
		r->len[item.type] = item.len;
		off += padded;

		if (BIT(item.type) & STRING_ITEMS &&
		    (item.len > KSSPI_NAME_MAX ||
		     !printable(r->data[item.type], item.len)))
			return "string too long or not printable";
	}
	if (r->seen & BIT(KSSPI_UPCALL_GROUPS) &&
	    (r->len[KSSPI_UPCALL_GROUPS] % sizeof(u32) ||
	     r->len[KSSPI_UPCALL_GROUPS] / sizeof(u32) >
	     KSSPI_UPCALL_GROUPS_MAX))
		return "bad group list";
	if (r->len[KSSPI_UPCALL_STATE] > KSSPI_UPCALL_STATE_MAX)
		return "state too long";
	if (r->len[KSSPI_UPCALL_OUTPUT] > KSSPI_TOKEN_MAX)
		return "output token too long";
	if (r->len[KSSPI_UPCALL_SESSION_KEY] > KSSPI_UPCALL_SESSION_KEY_MAX)
		return "session key too long";
	if (r->seen & BIT(KSSPI_UPCALL_X509_CERTS) &&
	    ksspi_upcall_x509_split(r->data[KSSPI_UPCALL_X509_CERTS],
				    r->len[KSSPI_UPCALL_X509_CERTS],
				    NULL, NULL) < 0)
		return "bad certificate chain";
	if (r->len[KSSPI_UPCALL_X509_SIGNATURE] > KSSPI_UPCALL_X509_SIG_MAX)
		return "signature too long";
	if (r->seen & BIT(KSSPI_UPCALL_X509_SIG_ALG)) {
		u32 alg;

		if (r->len[KSSPI_UPCALL_X509_SIG_ALG] != sizeof(alg))
			return "bad signature algorithm";
		memcpy(&alg, r->data[KSSPI_UPCALL_X509_SIG_ALG], sizeof(alg));
		if (alg < KSSPI_X509_SIG_RSA_PKCS1_SHA256 ||
		    alg > KSSPI_X509_SIG_RSA_PSS_SHA256)
			return "bad signature algorithm";
	}
	if (r->seen & BIT(KSSPI_UPCALL_X509_STRENGTH)) {
		u32 st;

		if (r->len[KSSPI_UPCALL_X509_STRENGTH] != sizeof(st))
			return "bad binding strength";
		memcpy(&st, r->data[KSSPI_UPCALL_X509_STRENGTH], sizeof(st));
		if (st < KSSPI_X509_STRENGTH_WEAK ||
		    st > KSSPI_X509_STRENGTH_STRONG)
			return "bad binding strength";
	}
	if (r->seen & BIT(KSSPI_UPCALL_LUCID)) {
		struct ksspi_upcall_lucid lucid;

		if (r->len[KSSPI_UPCALL_LUCID] != sizeof(lucid))
			return "bad lucid context";
		memcpy(&lucid, r->data[KSSPI_UPCALL_LUCID], sizeof(lucid));
		if (lucid.protocol > 1 || lucid.flags & ~LUCID_FLAGS)
			return "bad lucid context";
	}
	return NULL;
}

static bool status_valid(s32 status)
{
	u32 s = status;

	return status == SEC_E_OK || status == SEC_I_CONTINUE_NEEDED ||
	       (s & 0xffff0000U) == 0x80090000U;
}

static u32 group_at(const struct response *r, u32 i)
{
	u32 g;

	memcpy(&g, r->data[KSSPI_UPCALL_GROUPS] + i * sizeof(g), sizeof(g));
	return g;
}

/* The header and how the items fit together; NULL if all is well. */
static const char *check_response(const struct upcall_call *call,
				  const struct response *r)
{
	const struct ksspi_upcall_response *h = &r->hdr;
	u16 op = call->req->op;
	bool acceptor = (op == KSSPI_UPCALL_ACCEPT ||
			 op == KSSPI_UPCALL_X509_ACCEPT) &&
			h->status == SEC_E_OK;
	bool ok = h->status == SEC_E_OK;
	bool delegation = h->level == SECURITY_DELEGATION;
	bool has_uid = h->uid != (u32)-1;
	u32 i, n;

	if (h->hdr.magic != KSSPI_UPCALL_MAGIC)
		return "bad magic";
	if (h->hdr.version != KSSPI_UPCALL_VERSION)
		return "bad version";
	if (h->hdr.op != call->req->op)
		return "answers another operation";
	if (h->hdr.flags)
		return "response flags";
	if (h->id != call->id)
		return "answers another request";
	if (!status_valid(h->status))
		return "bad status";
	if (h->expiry < 0)
		return "bad expiry";
	if (h->level > SECURITY_DELEGATION)
		return "bad level";
	if (has_uid != (h->gid != (u32)-1))
		return "uid and gid disagree";
	if (!acceptor && (has_uid || h->level ||
			  r->seen & (BIT(KSSPI_UPCALL_GROUPS) |
				     BIT(KSSPI_UPCALL_LOCAL_NAME) |
				     BIT(KSSPI_UPCALL_DELEGATED))))
		return "identity without an established acceptor";
	/*
	 * The local name is the account the uid was looked up from: an
	 * answer without a uid (an unmapped client at anonymous or
	 * identification level) names no account.
	 */
	if (!has_uid && (h->level >= SECURITY_IMPERSONATION ||
			 r->seen & (BIT(KSSPI_UPCALL_GROUPS) |
				    BIT(KSSPI_UPCALL_LOCAL_NAME))))
		return "level, groups or local name without a uid";
	if (!(r->seen & BIT(KSSPI_UPCALL_DELEGATED)) != !delegation)
		return "delegated credentials and level disagree";
	if (!(r->seen & BIT(KSSPI_UPCALL_SESSION_KEY)) != !h->enctype)
		return "session key and enctype disagree";
	if (r->seen & BIT(KSSPI_UPCALL_LUCID) &&
	    (!(call->req->flags & KSSPI_UPCALL_F_LUCID) ||
	     h->status != SEC_E_OK ||
	     (call->req->op != KSSPI_UPCALL_INITIATE &&
	      call->req->op != KSSPI_UPCALL_ACCEPT) ||
	     !(r->seen & BIT(KSSPI_UPCALL_SESSION_KEY))))
		return "lucid context not asked for or without a key";
	/* Each x509 item answers one operation, and only its success. */
	if (r->seen & X509_ITEMS && !ok)
		return "x509 item with a failure";
	if (r->seen & (BIT(KSSPI_UPCALL_X509_CERTS) |
		       BIT(KSSPI_UPCALL_X509_SIG_ALG)) &&
	    op != KSSPI_UPCALL_X509_CHAIN)
		return "certificates not asked for";
	if (op == KSSPI_UPCALL_X509_CHAIN && ok &&
	    !(r->seen & BIT(KSSPI_UPCALL_X509_SIG_ALG)))
		return "chain without a signature algorithm";
	if (!(r->seen & BIT(KSSPI_UPCALL_X509_SIGNATURE)) !=
	    !(op == KSSPI_UPCALL_X509_SIGN && ok))
		return "signature missing or not asked for";
	if (!(r->seen & BIT(KSSPI_UPCALL_X509_STRENGTH)) !=
	    !(op == KSSPI_UPCALL_X509_ACCEPT && ok))
		return "binding strength missing or not asked for";
	if (op == KSSPI_UPCALL_X509_ACCEPT && ok &&
	    (!has_uid || !(r->seen & BIT(KSSPI_UPCALL_CLIENT_NAME)) ||
	     h->level != SECURITY_IMPERSONATION || h->enctype ||
	     r->seen & BIT(KSSPI_UPCALL_LUCID)))
		return "x509 logon without an identity";
	n = r->len[KSSPI_UPCALL_GROUPS] / sizeof(u32);
	for (i = 0; i < n; i++)
		if (group_at(r, i) == (u32)-1)
			return "bad group";
	return NULL;
}

static bool claims_root(const struct response *r)
{
	u32 i, n = r->len[KSSPI_UPCALL_GROUPS] / sizeof(u32);

	if (r->hdr.uid == 0 || r->hdr.gid == 0)
		return true;
	for (i = 0; i < n; i++)
		if (group_at(r, i) == 0)
			return true;
	return false;
}

static char *dup_string(const struct response *r, u16 type)
{
	if (!(r->seen & BIT(type)))
		return NULL;
	return kmemdup_nul(r->data[type], r->len[type], GFP_KERNEL);
}

static u8 *dup_data(const struct response *r, u16 type, u32 *lenp)
{
	*lenp = r->len[type];
	if (!(r->seen & BIT(type)))
		return NULL;
	return kmemdup(r->data[type], r->len[type], GFP_KERNEL);
}

static bool missing(const struct response *r, u16 type, const void *p)
{
	return r->seen & BIT(type) && !p;
}

/*
 * Whether @c is a plain task credential of @want's ids: every uid and gid
 * those of @want, no supplementary group, no capability, the initial user
 * namespace.
 */
static bool is_donor(const struct cred *c, const struct cred *want)
{
	return c->user_ns == &init_user_ns &&
	       uid_eq(c->uid, want->uid) && uid_eq(c->euid, want->uid) &&
	       uid_eq(c->suid, want->uid) && uid_eq(c->fsuid, want->uid) &&
	       gid_eq(c->gid, want->gid) && gid_eq(c->egid, want->gid) &&
	       gid_eq(c->sgid, want->gid) && gid_eq(c->fsgid, want->gid) &&
	       !c->group_info->ngroups &&
	       cap_isclear(c->cap_effective) && cap_isclear(c->cap_permitted) &&
	       cap_isclear(c->cap_inheritable) && cap_isclear(c->cap_ambient);
}

/* Copies a validated response out. */
static int make_reply(struct upcall_call *call, const struct response *r,
		      struct ksspi_upcall_reply **replyp)
{
	const struct cred *ic = call->payload->cred;
	struct ksspi_upcall_reply *reply;
	u32 i, n;

	reply = kzalloc(sizeof(*reply), GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	reply->status = r->hdr.status;
	reply->ret_flags = r->hdr.ret_flags;
	reply->gss_major = r->hdr.gss_major;
	reply->gss_minor = r->hdr.gss_minor;
	reply->expiry = r->hdr.expiry;
	reply->uid = make_kuid(&init_user_ns, r->hdr.uid);
	reply->gid = make_kgid(&init_user_ns, r->hdr.gid);
	reply->level = r->hdr.level;
	reply->enctype = r->hdr.enctype;
	reply->message = dup_string(r, KSSPI_UPCALL_MESSAGE);
	if (missing(r, KSSPI_UPCALL_MESSAGE, reply->message))
		goto err_nomem;

	if (r->hdr.uid != (u32)-1 && !ksspi_allow_root && claims_root(r)) {
		/* The module's rule, whatever the helper's configuration. */
		pr_warn_ratelimited("ksspi: upcall %llu: the helper mapped the client to uid %u gid %u or group 0; refused (allow_root is off)\n",
				    call->id, r->hdr.uid, r->hdr.gid);
		call->why = "identity maps to root";
		reply->status = SEC_E_LOGON_DENIED;
		reply->uid = INVALID_UID;
		reply->gid = INVALID_GID;
		reply->level = 0;
		reply->enctype = 0;
		*replyp = reply;
		return 0;
	}

	n = r->len[KSSPI_UPCALL_GROUPS] / sizeof(u32);
	if (n) {
		reply->groups = groups_alloc(n);
		if (!reply->groups)
			goto err_nomem;
		for (i = 0; i < n; i++)
			reply->groups->gid[i] = make_kgid(&init_user_ns,
							  group_at(r, i));
		groups_sort(reply->groups);
	}
	reply->output = dup_data(r, KSSPI_UPCALL_OUTPUT, &reply->output_len);
	reply->state = dup_data(r, KSSPI_UPCALL_STATE, &reply->state_len);
	reply->client_name = dup_string(r, KSSPI_UPCALL_CLIENT_NAME);
	reply->server_name = dup_string(r, KSSPI_UPCALL_SERVER_NAME);
	reply->local_name = dup_string(r, KSSPI_UPCALL_LOCAL_NAME);
	reply->session_key = dup_data(r, KSSPI_UPCALL_SESSION_KEY,
				      &reply->session_key_len);
	reply->delegated = dup_data(r, KSSPI_UPCALL_DELEGATED,
				    &reply->delegated_len);
	reply->x509_certs = dup_data(r, KSSPI_UPCALL_X509_CERTS,
				     &reply->x509_certs_len);
	reply->x509_sig = dup_data(r, KSSPI_UPCALL_X509_SIGNATURE,
				   &reply->x509_sig_len);
	if (r->seen & BIT(KSSPI_UPCALL_X509_SIG_ALG))
		memcpy(&reply->x509_sig_alg,
		       r->data[KSSPI_UPCALL_X509_SIG_ALG], sizeof(u32));
	if (r->seen & BIT(KSSPI_UPCALL_X509_STRENGTH))
		memcpy(&reply->x509_strength,
		       r->data[KSSPI_UPCALL_X509_STRENGTH], sizeof(u32));
	if (r->seen & BIT(KSSPI_UPCALL_LUCID)) {
		memcpy(&reply->lucid, r->data[KSSPI_UPCALL_LUCID],
		       sizeof(reply->lucid));
		reply->has_lucid = true;
	}
	if (missing(r, KSSPI_UPCALL_OUTPUT, reply->output) ||
	    missing(r, KSSPI_UPCALL_STATE, reply->state) ||
	    missing(r, KSSPI_UPCALL_CLIENT_NAME, reply->client_name) ||
	    missing(r, KSSPI_UPCALL_SERVER_NAME, reply->server_name) ||
	    missing(r, KSSPI_UPCALL_LOCAL_NAME, reply->local_name) ||
	    missing(r, KSSPI_UPCALL_SESSION_KEY, reply->session_key) ||
	    missing(r, KSSPI_UPCALL_DELEGATED, reply->delegated) ||
	    missing(r, KSSPI_UPCALL_X509_CERTS, reply->x509_certs) ||
	    missing(r, KSSPI_UPCALL_X509_SIGNATURE, reply->x509_sig))
		goto err_nomem;

	if (call->req->op == KSSPI_UPCALL_DONOR) {
		if (is_donor(ic, call->req->requester))
			reply->instantiator = get_cred(ic);
		else
			call->why = "donor credentials refused";
	} else if (uid_valid(reply->uid) && uid_eq(ic->uid, reply->uid) &&
		   uid_eq(ic->euid, reply->uid) &&
		   uid_eq(ic->suid, reply->uid) &&
		   uid_eq(ic->fsuid, reply->uid)) {
		reply->instantiator = get_cred(ic);
	}
	*replyp = reply;
	return 0;

err_nomem:
	ksspi_upcall_reply_free(reply);
	return -ENOMEM;
}

static int parse_response(struct upcall_call *call,
			  struct ksspi_upcall_reply **replyp)
{
	const struct upcall_payload *p = call->payload;
	struct response *r;
	const char *why;
	int ret;

	if (p->oversize)
		why = "too long";
	else if (p->len < sizeof(r->hdr))
		why = "too short";
	else
		why = NULL;
	if (why)
		goto malformed;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	memcpy(&r->hdr, p->data, sizeof(r->hdr));
	if (r->hdr.hdr.size != p->len)
		why = "size does not match";
	else if (p->len % KSSPI_UPCALL_ALIGN)
		why = "size not aligned";
	else
		why = parse_items(p->data, p->len, r);
	if (!why)
		why = check_response(call, r);
	ret = why ? -EBADMSG : make_reply(call, r, replyp);
	kfree(r);
	if (!why)
		return ret;
malformed:
	call->why = why;
	pr_warn_ratelimited("ksspi: upcall %llu (op %u): malformed response (%u bytes): %s\n",
			    call->id, call->req->op, p->len, why);
	return -EBADMSG;
}

static void count_reason(const char *why)
{
	unsigned int i;

	spin_lock(&reasons_lock);
	for (i = 0; i < REASONS_MAX; i++) {
		if (!reasons[i].why)
			reasons[i].why = why;
		if (!strcmp(reasons[i].why, why)) {
			reasons[i].count++;
			break;
		}
	}
	spin_unlock(&reasons_lock);
}

/**
 * ksspi_upcall_show_failures() - Failed upcalls by reason, for debugfs.
 * @m: where to print one "COUNT REASON" line per reason seen.
 */
void ksspi_upcall_show_failures(struct seq_file *m)
{
	unsigned int i;

	seq_puts(m, "# count reason\n");
	spin_lock(&reasons_lock);
	for (i = 0; i < REASONS_MAX && reasons[i].why; i++)
		seq_printf(m, "%llu %s\n", reasons[i].count, reasons[i].why);
	spin_unlock(&reasons_lock);
}

/**
 * ksspi_upcall() - Ask the helper.
 * @req: the request; its items are copied before this returns.
 * @replyp: where to store the response.
 *
 * Sleeps until the helper answers, for at most the upcall_timeout_ms module
 * parameter.  Interruptible: a signal ends the wait, kills the helper and
 * discards any answer it gives later.
 *
 * Return: 0 with *@replyp set to a validated response (whose status may
 * be an error the helper reported), or -errno with *@replyp NULL:
 * -EHOSTUNREACH no helper could be run, or it exited without answering;
 * -ENOKEY the helper negated the key (-EACCES if it rejected it with
 * EACCES); -ETIMEDOUT no answer by the deadline; -EINTR a signal;
 * -EBADMSG a malformed response; -EINVAL a bad @req; -EMSGSIZE a request
 * over %KSSPI_UPCALL_MAX bytes; -ENOMEM; -EDQUOT the kernel's key quota.
 */
int ksspi_upcall(const struct ksspi_upcall_req *req,
		 struct ksspi_upcall_reply **replyp)
{
	struct upcall_call call = { .req = req };
	char desc[UPCALL_DESC_MAX];
	const struct cred *saved;
	size_t msg_len, info_len;
	struct key *key;
	char *info;
	ktime_t start;
	u8 *msg;
	int ret;

	*replyp = NULL;
	ret = check_req(req);
	if (ret)
		return ret;
	call.id = atomic64_inc_return(&next_id);
	msg = build_request(req, call.id, &msg_len);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	info = kvmalloc(DIV_ROUND_UP(msg_len, 3) * 4, GFP_KERNEL);
	if (!info) {
		kvfree_sensitive(msg, msg_len);
		return -ENOMEM;
	}
	info_len = base64_encode(msg, msg_len, info);
	kvfree_sensitive(msg, msg_len);
	snprintf(desc, sizeof(desc), UPCALL_DESC_PREFIX "%llx", call.id);

	ksspi_stat_inc(KSSPI_STAT_UPCALLS);
	atomic_inc(&in_flight);
	trace_ksspi_upcall_start(call.id, req->op, req->context_id,
				 from_kuid_munged(&init_user_ns,
						  req->requester->uid),
				 msg_len);
	start = ktime_get();

	saved = override_creds(upcall_cred);
	key = request_key_with_auxdata(&key_type_ksspi, desc, NULL, info, info_len,
				       &call);
	revert_creds(saved);
	kvfree_sensitive(info, info_len);

	if (call.constructed) {
		ret = call.result;
	} else {
		/* The actor never ran: no key, quota, memory. */
		ret = IS_ERR(key) ? PTR_ERR(key) : -EPROTO;
		call.why = "request_key() failed";
	}
	if (!IS_ERR(key)) {
		/* The actor revoked it: request_key() cannot return it. */
		key_invalidate(key);
		key_put(key);
	}
	if (!ret)
		ret = parse_response(&call, replyp);

	switch (ret) {
	case 0:
		ksspi_stat_inc(KSSPI_STAT_UPCALL_OK);
		break;
	case -ETIMEDOUT:
		ksspi_stat_inc(KSSPI_STAT_UPCALL_TIMEOUTS);
		pr_warn_ratelimited("ksspi: upcall %llu (op %u): no answer within %u ms; helper killed\n",
				    call.id, req->op,
				    READ_ONCE(upcall_timeout_ms));
		break;
	case -EINTR:
		ksspi_stat_inc(KSSPI_STAT_UPCALL_INTERRUPTED);
		break;
	case -EBADMSG:
		ksspi_stat_inc(KSSPI_STAT_UPCALL_MALFORMED);
		break;
	case -EHOSTUNREACH:
		ksspi_stat_inc(KSSPI_STAT_UPCALL_FAILED);
		pr_warn_ratelimited("ksspi: upcall %llu (op %u): the helper did not answer (missing or crashed)\n",
				    call.id, req->op);
		break;
	default:
		ksspi_stat_inc(KSSPI_STAT_UPCALL_FAILED);
		pr_info_ratelimited("ksspi: upcall %llu (op %u) failed: %d\n",
				    call.id, req->op, ret);
		break;
	}
	if (call.why)
		count_reason(call.why);
	atomic_dec(&in_flight);
	trace_ksspi_upcall_done(call.id, req->op, req->context_id,
				ktime_us_delta(ktime_get(), start), ret,
				*replyp ? (*replyp)->status : 0,
				call.why ?: "");
	payload_free(call.payload);
	put_pid(call.helper);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(ksspi_upcall, KSSPI_INTERNAL);

/**
 * ksspi_upcall_reply_free() - Free a response.
 * @reply: what ksspi_upcall() returned, or NULL.
 */
void ksspi_upcall_reply_free(struct ksspi_upcall_reply *reply)
{
	if (!reply)
		return;
	if (reply->groups)
		put_group_info(reply->groups);
	kfree(reply->output);
	kfree_sensitive(reply->state);
	kfree(reply->client_name);
	kfree(reply->server_name);
	kfree(reply->local_name);
	kfree(reply->message);
	kfree_sensitive(reply->session_key);
	kfree_sensitive(reply->delegated);
	kfree(reply->x509_certs);
	kfree(reply->x509_sig);
	if (reply->instantiator)
		put_cred(reply->instantiator);
	kfree(reply);
}
EXPORT_SYMBOL_NS_GPL(ksspi_upcall_reply_free, KSSPI_INTERNAL);

/* The credentials a donor request is made for: overflow ids, no group. */
static const struct cred *donor_requester(void)
{
	kuid_t uid = make_kuid(&init_user_ns, overflowuid);
	kgid_t gid = make_kgid(&init_user_ns, overflowgid);
	struct cred *c = ksspi_prepare_kernel_cred();

	if (!c)
		return NULL;
	c->uid = uid;
	c->euid = uid;
	c->suid = uid;
	c->fsuid = uid;
	c->gid = gid;
	c->egid = gid;
	c->sgid = gid;
	c->fsgid = gid;
	return c;
}

/**
 * ksspi_upcall_anon_donor() - Credentials to account anonymous impersonation.
 *
 * Asks the helper (%KSSPI_UPCALL_DONOR) to instantiate the key from a
 * process running as the overflow uid and gid with no group and no
 * capability, and returns that process's credentials: a task credential
 * of the anonymous identity, whose user_struct and ucounts a user thread
 * impersonating an anonymous or identification-level token is accounted
 * to (see Documentation/security/impersonation.rst).  Each call is an
 * upcall; callers cache the credentials they build from the result.
 *
 * Return: a new reference, or NULL when no helper answered with such
 * credentials (the reason is logged and counted like any upcall failure).
 */
const struct cred *ksspi_upcall_anon_donor(void)
{
	struct ksspi_upcall_req req = { .op = KSSPI_UPCALL_DONOR };
	struct ksspi_upcall_reply *reply;
	const struct cred *donor = NULL;
	int ret;

	req.requester = donor_requester();
	if (!req.requester)
		return NULL;
	ret = ksspi_upcall(&req, &reply);
	if (!ret) {
		if (reply->status == SEC_E_OK && reply->instantiator)
			donor = get_cred(reply->instantiator);
		else
			pr_warn_ratelimited("ksspi: the helper did not donate anonymous credentials (status 0x%08x)\n",
					    (u32)reply->status);
		ksspi_upcall_reply_free(reply);
	}
	put_cred(req.requester);
	return donor;
}

/**
 * ksspi_upcall_in_flight() - Upcalls waiting for the helper now.
 *
 * Return: their number.
 */
unsigned int ksspi_upcall_in_flight(void)
{
	return atomic_read(&in_flight);
}

/**
 * ksspi_upcall_init() - Register the key type and make the credentials.
 *
 * Return: 0 or -errno.
 */
int ksspi_upcall_init(void)
{
	struct key *keyring;
	struct cred *cred;
	int ret;

	cred = ksspi_prepare_kernel_cred();
	if (!cred)
		return -ENOMEM;
	keyring = keyring_alloc(".ksspi_upcall", GLOBAL_ROOT_UID,
				GLOBAL_ROOT_GID, cred,
				(KEY_POS_ALL & ~KEY_POS_SETATTR) | KEY_USR_VIEW,
				KEY_ALLOC_NOT_IN_QUOTA, NULL, NULL);
	if (IS_ERR(keyring)) {
		ret = PTR_ERR(keyring);
		goto err_cred;
	}
	cred->thread_keyring = keyring;
	cred->jit_keyring = KEY_REQKEY_DEFL_THREAD_KEYRING;

	ret = register_key_type(&key_type_ksspi);
	if (ret)
		goto err_cred;
	upcall_cred = cred;
	return 0;

err_cred:
	put_cred(cred);
	return ret;
}

/**
 * ksspi_upcall_exit() - Unregister the key type.
 *
 * No upcall can run: each is made from a module call that holds a
 * reference to the module.
 */
void ksspi_upcall_exit(void)
{
	unregister_key_type(&key_type_ksspi);
	key_revoke(upcall_cred->thread_keyring);
	put_cred(upcall_cred);
}
