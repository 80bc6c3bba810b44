/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim.h - just enough of the kernel's API for a module file to compile
 * as a userspace unit, so that libFuzzer can drive its parsing code.
 *
 * Every linux/... header under this directory includes this file; a
 * fuzz harness #includes the module's .c file with -I selftests/fuzz/kshim
 * ahead of the system headers.  Memory functions are malloc-backed (so
 * AddressSanitizer and LeakSanitizer see every allocation, and
 * ksspi_shim_fail_after() can make them fail); credentials and group lists
 * are refcounted like the kernel's; everything the parsing code never
 * reaches at run time (keys, usermode helpers, wait queues, pids) is a
 * declaration or a stub that aborts, so that a harness calling it fails
 * loudly instead of testing nothing.
 */
#ifndef KSSPI_KSHIM_H
#define KSSPI_KSHIM_H

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/types.h>

/* ---- types and basic macros ---- */

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;
typedef s64 time64_t;
typedef s64 ktime_t;
typedef unsigned int gfp_t;
typedef struct { int counter; } atomic_t;
typedef struct { s64 counter; } atomic64_t;
typedef struct { int dummy; } spinlock_t;
typedef struct { int dummy; } wait_queue_head_t;

#define __user
#define __init
#define __exit
#define __must_check
#ifndef __always_inline
#define __always_inline inline
#endif
#define __maybe_unused __attribute__((unused))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define READ_ONCE(x) (*(volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define smp_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define barrier() __asm__ __volatile__("" ::: "memory")

#define GFP_KERNEL 0u
#define GFP_NOFS 0u
#define __GFP_NOWARN 0u
#define __GFP_ZERO 1u

#define BIT(n) (1UL << (n))
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#define ALIGN(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define min_t(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b) ((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define swap(a, b) do { __typeof__(a) __t = (a); (a) = (b); (b) = __t; } while (0)
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)
#define WARN_ON(c) ({ bool __c = (c); if (__c) kshim_warn(__FILE__, __LINE__, #c); __c; })
#define WARN_ON_ONCE(c) WARN_ON(c)
#define BUG_ON(c) do { if (c) abort(); } while (0)
#define check_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#define check_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)
#define struct_size(p, member, n) \
	(sizeof(*(p)) + sizeof(*(p)->member) * (size_t)(n))
#define array_size(a, b) ((size_t)(a) * (size_t)(b))

/* A WARN is a bug the fuzzer found: stop with a report. */
static inline void kshim_warn(const char *file, int line, const char *what)
{
	fprintf(stderr, "WARNING at %s:%d: %s\n", file, line, what);
	abort();
}

/* ---- printk: quiet unless KSSPI_SHIM_VERBOSE is set ---- */

static inline void kshim_printk(const char *fmt, ...)
{
	va_list ap;

	if (!getenv("KSSPI_SHIM_VERBOSE"))
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

#define pr_fmt(fmt) fmt
#define pr_err(fmt, ...) kshim_printk(fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...) kshim_printk(fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...) kshim_printk(fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) kshim_printk(fmt, ##__VA_ARGS__)
#define pr_notice(fmt, ...) kshim_printk(fmt, ##__VA_ARGS__)
#define pr_err_ratelimited pr_err
#define pr_warn_ratelimited pr_warn
#define pr_info_ratelimited pr_info
#define pr_notice_ratelimited pr_notice
#define pr_debug_ratelimited pr_debug

/* ---- errors ---- */

#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) ((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline bool IS_ERR(const void *ptr) { return IS_ERR_VALUE(ptr); }
static inline bool IS_ERR_OR_NULL(const void *ptr) { return !ptr || IS_ERR(ptr); }
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

/* ---- memory: malloc-backed, with an optional failure point ---- */

/*
 * kshim_fail_at: when non-zero, the allocation with that number (counted
 * from 1 since the last reset) fails, as failslab would make it.
 */
extern unsigned long kshim_alloc_count, kshim_fail_at;

static inline bool kshim_alloc_fails(void)
{
	return ++kshim_alloc_count == kshim_fail_at;
}

static inline void *kmalloc(size_t size, gfp_t gfp)
{
	if (kshim_alloc_fails())
		return NULL;
	return (gfp & __GFP_ZERO) ? calloc(1, size ? size : 1) :
				    malloc(size ? size : 1);
}

static inline void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return kzalloc(n * size, gfp);
}

#define kmalloc_array(n, s, g) (((s) && (n) > SIZE_MAX / (s)) ? NULL : kmalloc((n) * (s), g))
#define kvmalloc(s, g) kmalloc(s, g)
#define kvzalloc(s, g) kzalloc(s, g)
#define kvcalloc(n, s, g) kcalloc(n, s, g)
#define kvmalloc_array(n, s, g) kmalloc_array(n, s, g)

static inline void kfree(const void *p)
{
	free((void *)p);
}

#define kvfree(p) kfree(p)

static inline void kfree_sensitive(const void *p)
{
	/* The size is unknown here; ASan still catches any use after. */
	free((void *)p);
}

static inline void kvfree_sensitive(const void *p, size_t len)
{
	if (p)
		memset((void *)p, 0, len);
	free((void *)p);
}

static inline void *kmemdup(const void *src, size_t len, gfp_t gfp)
{
	void *p = kmalloc(len, gfp);

	if (p)
		memcpy(p, src, len);
	return p;
}

static inline char *kmemdup_nul(const char *s, size_t len, gfp_t gfp)
{
	char *p = kmalloc(len + 1, gfp);

	if (p) {
		memcpy(p, s, len);
		p[len] = 0;
	}
	return p;
}

static inline char *kstrdup(const char *s, gfp_t gfp)
{
	return s ? kmemdup_nul(s, strlen(s), gfp) : NULL;
}

static inline char *kstrndup(const char *s, size_t max, gfp_t gfp)
{
	return s ? kmemdup_nul(s, strnlen(s, max), gfp) : NULL;
}

static inline void *memchr_inv(const void *start, int c, size_t bytes)
{
	const u8 *p = start;
	size_t i;

	for (i = 0; i < bytes; i++)
		if (p[i] != (u8)c)
			return (void *)(p + i);
	return NULL;
}

#define memzero_explicit(p, n) memset(p, 0, n)

static inline ssize_t strscpy(char *dst, const char *src, size_t size)
{
	size_t len = strnlen(src, size);

	if (!size)
		return -E2BIG;
	if (len == size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = 0;
		return -E2BIG;
	}
	memcpy(dst, src, len + 1);
	return len;
}

/* ---- numbers ---- */

static inline int kstrtoull(const char *s, unsigned int base, unsigned long long *res)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	*res = strtoull(s, &end, base);
	if (errno)
		return -ERANGE;
	if (*end == '\n')
		end++;
	return *end ? -EINVAL : 0;
}

static inline int kstrtou64(const char *s, unsigned int base, u64 *res)
{
	unsigned long long v;
	int ret = kstrtoull(s, base, &v);

	if (!ret)
		*res = v;
	return ret;
}

static inline int kstrtouint(const char *s, unsigned int base, unsigned int *res)
{
	unsigned long long v;
	int ret = kstrtoull(s, base, &v);

	if (ret)
		return ret;
	if (v > UINT_MAX)
		return -ERANGE;
	*res = v;
	return 0;
}

/* ---- locks (single-threaded harnesses) ---- */

#define DEFINE_SPINLOCK(x) spinlock_t x = { 0 }
#define spin_lock(l) ((void)(l))
#define spin_unlock(l) ((void)(l))
#define spin_lock_bh(l) ((void)(l))
#define spin_unlock_bh(l) ((void)(l))
#define lockdep_assert_held(l) ((void)(l))
#define DECLARE_WAIT_QUEUE_HEAD(x) wait_queue_head_t x = { 0 }
#define wake_up_all(q) ((void)(q))
#define wake_up(q) ((void)(q))

/* ---- atomics (single-threaded harnesses) ---- */

#define ATOMIC_INIT(i) { (i) }
#define atomic_read(a) ((a)->counter)
#define atomic_set(a, i) ((a)->counter = (i))
#define atomic_inc(a) ((void)++(a)->counter)
#define atomic_dec(a) ((void)--(a)->counter)
#define atomic_inc_return(a) (++(a)->counter)
#define atomic_dec_and_test(a) (--(a)->counter == 0)
#define atomic64_read(a) ((a)->counter)
#define atomic64_set(a, i) ((a)->counter = (i))
#define atomic64_inc(a) ((void)++(a)->counter)
#define atomic64_inc_return(a) (++(a)->counter)
#define atomic64_add(i, a) ((void)((a)->counter += (i)))

/* ---- ids ---- */

typedef struct { uid_t val; } kuid_t;
typedef struct { gid_t val; } kgid_t;
struct user_namespace { int dummy; };
extern struct user_namespace init_user_ns;

#define KUIDT_INIT(v) ((kuid_t){ (uid_t)(v) })
#define KGIDT_INIT(v) ((kgid_t){ (gid_t)(v) })
#define INVALID_UID KUIDT_INIT(-1)
#define INVALID_GID KGIDT_INIT(-1)
#define GLOBAL_ROOT_UID KUIDT_INIT(0)
#define GLOBAL_ROOT_GID KGIDT_INIT(0)
#define __kuid_val(u) ((u).val)
#define __kgid_val(g) ((g).val)

static inline kuid_t make_kuid(struct user_namespace *ns, uid_t uid)
{
	return KUIDT_INIT(uid);
}

static inline kgid_t make_kgid(struct user_namespace *ns, gid_t gid)
{
	return KGIDT_INIT(gid);
}

static inline bool uid_valid(kuid_t u) { return u.val != (uid_t)-1; }
static inline bool gid_valid(kgid_t g) { return g.val != (gid_t)-1; }
static inline bool uid_eq(kuid_t a, kuid_t b) { return a.val == b.val; }
static inline bool gid_eq(kgid_t a, kgid_t b) { return a.val == b.val; }
static inline bool gid_lt(kgid_t a, kgid_t b) { return a.val < b.val; }
static inline uid_t from_kuid(struct user_namespace *ns, kuid_t u) { return u.val; }
static inline gid_t from_kgid(struct user_namespace *ns, kgid_t g) { return g.val; }
static inline uid_t from_kuid_munged(struct user_namespace *ns, kuid_t u)
{
	return uid_valid(u) ? u.val : 65534;
}
static inline gid_t from_kgid_munged(struct user_namespace *ns, kgid_t g)
{
	return gid_valid(g) ? g.val : 65534;
}

/* ---- group lists and credentials, refcounted ---- */

struct group_info {
	atomic_t usage;
	int ngroups;
	kgid_t gid[];
};

static inline struct group_info *groups_alloc(int n)
{
	struct group_info *gi;

	if (n < 0)
		return NULL;
	gi = kmalloc(sizeof(*gi) + n * sizeof(kgid_t), GFP_KERNEL);
	if (!gi)
		return NULL;
	gi->usage.counter = 1;
	gi->ngroups = n;
	return gi;
}

static inline int kshim_gid_cmp(const void *a, const void *b)
{
	const kgid_t *x = a, *y = b;

	return (x->val > y->val) - (x->val < y->val);
}

static inline void groups_sort(struct group_info *gi)
{
	qsort(gi->gid, gi->ngroups, sizeof(kgid_t), kshim_gid_cmp);
}

static inline struct group_info *get_group_info(struct group_info *gi)
{
	gi->usage.counter++;
	return gi;
}

static inline void put_group_info(struct group_info *gi)
{
	if (!--gi->usage.counter)
		free(gi);
}

typedef struct { u64 val; } kernel_cap_t;
static inline bool cap_isclear(kernel_cap_t c) { return !c.val; }

/* The overflow ids (linux/highuid.h); the harness defines them. */
extern int overflowuid, overflowgid;

struct key;
struct cred {
	atomic_t usage;
	kuid_t uid, euid, suid, fsuid;
	kgid_t gid, egid, sgid, fsgid;
	struct group_info *group_info;
	kernel_cap_t cap_inheritable, cap_permitted, cap_effective, cap_bset;
	kernel_cap_t cap_ambient;
	struct key *session_keyring, *thread_keyring, *process_keyring;
	struct key *request_key_auth;
	unsigned char jit_keyring;
	struct user_namespace *user_ns;
};

/* The "current" task's credentials: the harness may set them. */
extern struct cred kshim_current_cred;

static inline const struct cred *get_cred(const struct cred *c)
{
	((struct cred *)c)->usage.counter++;
	return c;
}

static inline void put_cred(const struct cred *c)
{
	struct cred *cc = (struct cred *)c;

	if (!cc || cc == &kshim_current_cred) {
		if (cc)
			cc->usage.counter--;
		return;
	}
	if (!--cc->usage.counter) {
		if (cc->group_info)
			put_group_info(cc->group_info);
		free(cc);
	}
}

#define current_cred() ((const struct cred *)&kshim_current_cred)
#define get_current_cred() get_cred(current_cred())
#define current_user_ns() (&init_user_ns)
#define current_uid() (kshim_current_cred.uid)
#define current_euid() (kshim_current_cred.euid)

/* ---- time ---- */

#define NSEC_PER_USEC 1000L
#define NSEC_PER_MSEC 1000000L
#define NSEC_PER_SEC 1000000000L
#define HZ 100
extern time64_t kshim_now;
static inline time64_t ktime_get_real_seconds(void) { return kshim_now; }
static inline time64_t ktime_get_boottime_seconds(void) { return kshim_now; }
static inline ktime_t ktime_get(void) { return kshim_now * NSEC_PER_SEC; }
static inline s64 ktime_us_delta(ktime_t a, ktime_t b) { return (a - b) / 1000; }
static inline s64 ktime_ms_delta(ktime_t a, ktime_t b) { return (a - b) / 1000000; }
static inline unsigned long msecs_to_jiffies(unsigned int ms) { return ms / 10; }
extern unsigned long jiffies;
#define time_after(a, b) ((long)((b) - (a)) < 0)
#define time_before(a, b) time_after(b, a)

/* ---- base64 (RFC 4648, with padding), as lib/base64.c ---- */

static inline int base64_encode(const u8 *src, int srclen, char *dst)
{
	static const char t[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	u32 ac = 0;
	int bits = 0, i;
	char *cp = dst;

	for (i = 0; i < srclen; i++) {
		ac = (ac << 8) | src[i];
		bits += 8;
		do {
			bits -= 6;
			*cp++ = t[(ac >> bits) & 0x3f];
		} while (bits >= 6);
	}
	if (bits) {
		*cp++ = t[(ac << (6 - bits)) & 0x3f];
		bits -= 6;
	}
	while (bits < 0) {
		*cp++ = '=';
		bits += 2;
	}
	return cp - dst;
}

/* ---- module boilerplate ---- */

struct module;
#define THIS_MODULE ((struct module *)0)
struct kernel_param;
struct kernel_param_ops {
	int (*set)(const char *val, const struct kernel_param *kp);
	int (*get)(char *buffer, const struct kernel_param *kp);
};
struct kernel_param {
	void *arg;
};
int param_get_uint(char *buffer, const struct kernel_param *kp);
int param_get_bool(char *buffer, const struct kernel_param *kp);
#define module_param_cb(name, ops, arg, perm) \
	static __maybe_unused const void *__kshim_param_##name[] = { ops, arg }
#define module_param_named(name, var, type, perm) \
	static __maybe_unused const void *__kshim_param_##name = &(var)
#define module_param(name, type, perm)
#define MODULE_PARM_DESC(name, desc)
#define EXPORT_SYMBOL(s)
#define EXPORT_SYMBOL_GPL(s)
#define EXPORT_SYMBOL_NS(s, ns)
#define EXPORT_SYMBOL_NS_GPL(s, ns)
#define MODULE_LICENSE(x)
#define MODULE_DESCRIPTION(x)
#define MODULE_VERSION(x)
#define __module_get(m) ((void)0)
#define module_put(m) ((void)0)
#define try_module_get(m) 1

/* ---- trace events: nothing ---- */

#define TP_PROTO(...) __VA_ARGS__
#define TP_ARGS(...) __VA_ARGS__
#define TRACE_EVENT(name, proto, args, tstruct, assign, print) \
	static inline void trace_##name(proto) {}
#define DECLARE_EVENT_CLASS(name, proto, args, tstruct, assign, print)
#define DEFINE_EVENT(template, name, proto, args) \
	static inline void trace_##name(proto) {}

/* ---- seq_file ---- */

struct seq_file { int dummy; };
#define seq_printf(m, fmt, ...) ((void)(m))
#define seq_puts(m, s) ((void)(m))

/*
 * ---- what parsing never reaches: declared only ----
 * (keys, usermode helpers, pids, signals, wait queues, scheduling).  A
 * harness that reaches one of them fails to link, or aborts.
 */
#include "kshim-kernel-only.h"

#endif /* KSSPI_KSHIM_H */
