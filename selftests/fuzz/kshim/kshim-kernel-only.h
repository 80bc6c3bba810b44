/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim-kernel-only.h - kernel services a parser never uses at run time:
 * keys, usermode helpers, pids, signals, wait queues.  They exist so that
 * the module file compiles; each aborts if a harness ever reaches it.
 */
#ifndef KSSPI_KSHIM_KERNEL_ONLY_H
#define KSSPI_KSHIM_KERNEL_ONLY_H

#define KSHIM_UNREACHED(what) kshim_unreached(__func__, what)

static inline void kshim_unreached(const char *fn, const char *what)
{
	fprintf(stderr, "kshim: %s reached %s, which a parser never calls\n",
		fn, what);
	abort();
}

/* keys */
typedef s32 key_serial_t;
typedef u32 key_perm_t;
struct key_type;
struct key_preparsed_payload {
	const char *orig_description;
	char *description;
	union { void *data[4]; } payload;
	const void *data;
	size_t datalen;
	size_t quotalen;
	time64_t expiry;
};
struct key {
	key_serial_t serial;
	unsigned long flags;
	char *description;
	unsigned short datalen;
	union { void *data[4]; } payload;
	struct { int dummy; } sem;
};
struct key_type {
	const char *name;
	int (*vet_description)(const char *description);
	int (*preparse)(struct key_preparsed_payload *prep);
	void (*free_preparse)(struct key_preparsed_payload *prep);
	int (*instantiate)(struct key *key, struct key_preparsed_payload *prep);
	void (*revoke)(struct key *key);
	void (*destroy)(struct key *key);
	void (*describe)(const struct key *key, struct seq_file *m);
	int (*request_key)(struct key *auth_key, void *aux);
};
struct request_key_auth {
	struct key *target_key;
};
#define KEY_POS_ALL 0x3f000000
#define KEY_POS_SETATTR 0x20000000
#define KEY_USR_VIEW 0x00010000
#define KEY_USR_READ 0x00020000
#define KEY_ALLOC_QUOTA_OVERRUN 0x0001
#define KEY_ALLOC_NOT_IN_QUOTA 0x0002
#define KEY_FLAG_USER_CONSTRUCT 4
#define KEY_IS_POSITIVE 1
#define KEY_REQKEY_DEFL_THREAD_KEYRING 1
static inline int generic_key_instantiate(struct key *k, struct key_preparsed_payload *p)
{ KSHIM_UNREACHED("keys"); return -EINVAL; }
static inline struct key *key_get(struct key *k) { KSHIM_UNREACHED("keys"); return k; }
static inline void key_put(struct key *k) { if (k) KSHIM_UNREACHED("keys"); }
static inline int key_link(struct key *a, struct key *b) { KSHIM_UNREACHED("keys"); return -EINVAL; }
static inline void key_revoke(struct key *k) { KSHIM_UNREACHED("keys"); }
static inline void key_invalidate(struct key *k) { KSHIM_UNREACHED("keys"); }
static inline bool key_is_positive(const struct key *k) { KSHIM_UNREACHED("keys"); return false; }
static inline short key_read_state(const struct key *k) { KSHIM_UNREACHED("keys"); return 0; }
static inline struct key *keyring_alloc(const char *d, kuid_t u, kgid_t g,
					const struct cred *c, key_perm_t p,
					unsigned long f, void *r, struct key *dst)
{ KSHIM_UNREACHED("keys"); return ERR_PTR(-EINVAL); }
static inline struct key *request_key_with_auxdata(struct key_type *t,
						   const char *d, const char *dom,
						   const void *info, size_t len,
						   void *aux)
{ KSHIM_UNREACHED("keys"); return ERR_PTR(-EINVAL); }
static inline int register_key_type(struct key_type *t) { KSHIM_UNREACHED("keys"); return -EINVAL; }
static inline void unregister_key_type(struct key_type *t) { KSHIM_UNREACHED("keys"); }
static inline struct request_key_auth *get_request_key_auth(const struct key *k)
{ KSHIM_UNREACHED("keys"); return NULL; }
static inline int complete_request_key(struct key *k, int e) { KSHIM_UNREACHED("keys"); return e; }
#define down_write(s) KSHIM_UNREACHED("locks")
#define up_write(s) KSHIM_UNREACHED("locks")

/* credentials the kernel makes */
extern struct task_struct init_task;
static inline struct cred *prepare_kernel_cred(void *t) { KSHIM_UNREACHED("creds"); return NULL; }
static inline struct cred *prepare_creds(void) { KSHIM_UNREACHED("creds"); return NULL; }
static inline const struct cred *override_creds(const struct cred *c) { KSHIM_UNREACHED("creds"); return c; }
static inline void revert_creds(const struct cred *c) { KSHIM_UNREACHED("creds"); }

/* usermode helpers */
struct subprocess_info { void *data; };
#define UMH_WAIT_EXEC 1
static inline struct subprocess_info *call_usermodehelper_setup(
	const char *path, char **argv, char **envp, gfp_t gfp,
	int (*init)(struct subprocess_info *, struct cred *),
	void (*cleanup)(struct subprocess_info *), void *data)
{ KSHIM_UNREACHED("usermode helpers"); return NULL; }
static inline int call_usermodehelper_exec(struct subprocess_info *i, int wait)
{ KSHIM_UNREACHED("usermode helpers"); return -EINVAL; }

/* tasks, pids, signals */
struct task_struct { unsigned int flags; };
struct pid { wait_queue_head_t wait_pidfd; };
enum pid_type { PIDTYPE_PID, PIDTYPE_TGID, PIDTYPE_PGID, PIDTYPE_SID };
extern struct task_struct kshim_current_task;
#define current (&kshim_current_task)
#define SIGKILL 9
static inline struct pid *get_pid(struct pid *p) { if (p) KSHIM_UNREACHED("pids"); return p; }
static inline void put_pid(struct pid *p) { if (p) KSHIM_UNREACHED("pids"); }
static inline struct pid *task_tgid(struct task_struct *t) { KSHIM_UNREACHED("pids"); return NULL; }
static inline int kill_pid(struct pid *p, int sig, int priv) { KSHIM_UNREACHED("pids"); return 0; }
static inline int kill_pgrp(struct pid *p, int sig, int priv) { KSHIM_UNREACHED("pids"); return 0; }
static inline int send_sig(int sig, struct task_struct *t, int priv) { KSHIM_UNREACHED("pids"); return 0; }
static inline bool thread_group_exited(struct pid *p) { KSHIM_UNREACHED("pids"); return true; }
static inline int signal_pending(struct task_struct *t) { KSHIM_UNREACHED("signals"); return 0; }
#define do_each_pid_task(pid, type, task) \
	do { (void)(pid); (void)(type); (task) = NULL; KSHIM_UNREACHED("pids"); {
#define while_each_pid_task(pid, type, task) } } while (0)
#define rcu_read_lock() do { } while (0)
#define rcu_read_unlock() do { } while (0)

/* wait queues and scheduling */
struct wait_queue_entry { int dummy; };
struct wait_bit_queue_entry { struct wait_queue_entry wq_entry; };
#define DEFINE_WAIT(name) struct wait_queue_entry name = { 0 }
#define DEFINE_WAIT_BIT(name, word, bit) struct wait_bit_queue_entry name = { { 0 } }
#define TASK_INTERRUPTIBLE 1
#define TASK_UNINTERRUPTIBLE 2
static inline wait_queue_head_t *bit_waitqueue(void *word, int bit)
{ KSHIM_UNREACHED("wait queues"); return NULL; }
static inline void prepare_to_wait(wait_queue_head_t *q, struct wait_queue_entry *e, int state)
{ KSHIM_UNREACHED("wait queues"); }
static inline void finish_wait(wait_queue_head_t *q, struct wait_queue_entry *e)
{ KSHIM_UNREACHED("wait queues"); }
static inline long schedule_timeout(long t) { KSHIM_UNREACHED("scheduling"); return 0; }
static inline int test_bit(int nr, const volatile unsigned long *addr)
{ return (*addr >> nr) & 1; }

#endif /* KSSPI_KSHIM_KERNEL_ONLY_H */
