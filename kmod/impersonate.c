// SPDX-License-Identifier: GPL-2.0
/*
 * Impersonation by user threads.
 *
 * A user thread that impersonates really runs with the client's credentials
 * until it reverts: the client's ids are committed as the thread's own
 * (Linux credentials are per thread), so every check the kernel makes, in
 * any syscall, sees the client.  What the thread had before is kept in a
 * record keyed by the task, and revert restores it only if the thread still
 * runs under exactly the credentials ksspi installed.  An execve(), a fork()
 * or any credential change replaces that pointer, so neither the new
 * program, nor a child, nor another thread, nor a holder of a passed fd can
 * ever "revert" back to the server's privileges.
 *
 * Records of threads that exit while impersonating are reaped by a delayed
 * work; each record pins the module, so it cannot be unloaded under them.
 */
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/hashtable.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/capability.h>
#include <linux/user_namespace.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#include "object.h"
#include "impersonate.h"
#include "stats.h"
#include "trace.h"

#define REAP_INTERVAL	(2 * HZ)

struct imp_record {
	struct hlist_node node;
	struct task_struct *task;
	const struct cred *installed;
	const struct cred *original;
	struct ksspi_token *token;
};

static DEFINE_HASHTABLE(records, 6);
static DEFINE_SPINLOCK(records_lock);
static unsigned int nr_records;
static struct delayed_work reaper;

static struct imp_record *lookup(struct task_struct *task)
{
	struct imp_record *rec;

	lockdep_assert_held(&records_lock);
	hash_for_each_possible(records, rec, node, (unsigned long)task)
		if (rec->task == task)
			return rec;
	return NULL;
}

static void unlink_record(struct imp_record *rec)
{
	lockdep_assert_held(&records_lock);
	hash_del(&rec->node);
	nr_records--;
}

/* @original is put unless the caller took it over (set it to NULL). */
static void free_record(struct imp_record *rec)
{
	if (!rec)
		return;
	if (rec->original)
		put_cred(rec->original);
	put_cred(rec->installed);
	ksspi_token_put(rec->token);
	put_task_struct(rec->task);
	kfree(rec);
	module_put(THIS_MODULE);
}

/*
 * The current thread's record if it still runs under the credentials the
 * record installed; a stale record is unlinked and returned in *stale.
 */
static struct imp_record *current_record(struct imp_record **stale)
{
	struct imp_record *rec;

	lockdep_assert_held(&records_lock);
	*stale = NULL;
	rec = lookup(current);
	if (rec && rec->installed != rcu_access_pointer(current->real_cred)) {
		unlink_record(rec);
		*stale = rec;
		rec = NULL;
	}
	return rec;
}

/* groups_search() is not exported; group lists are sorted, so bisect. */
static bool in_groups(const struct group_info *gi, kgid_t gid)
{
	unsigned int left = 0, right = gi->ngroups;

	while (left < right) {
		unsigned int mid = (left + right) / 2;

		if (gid_gt(gid, gi->gid[mid]))
			left = mid + 1;
		else if (gid_lt(gid, gi->gid[mid]))
			right = mid;
		else
			return true;
	}
	return false;
}

/* Only an unoverridden thread's credentials may be committed. */
static bool creds_overridden(void)
{
	return rcu_access_pointer(current->cred) !=
	       rcu_access_pointer(current->real_cred);
}

static bool in_cred_groups(const struct cred *c, kgid_t gid)
{
	return gid_eq(c->egid, gid) || gid_eq(c->gid, gid) ||
	       in_groups(c->group_info, gid);
}

/* The token names the caller itself: same user, no group it lacks. */
static bool same_identity(const struct cred *base,
			  const struct ksspi_token *tok)
{
	int i;

	if (!uid_eq(base->euid, tok->uid) || !in_cred_groups(base, tok->gid))
		return false;
	for (i = 0; i < tok->groups->ngroups; i++)
		if (!in_cred_groups(base, tok->groups->gid[i]))
			return false;
	return true;
}

static bool all_mapped(struct user_namespace *ns,
		       const struct ksspi_token *tok)
{
	int i;

	if (!kuid_has_mapping(ns, tok->uid) || !kgid_has_mapping(ns, tok->gid))
		return false;
	for (i = 0; i < tok->groups->ngroups; i++)
		if (!kgid_has_mapping(ns, tok->groups->gid[i]))
			return false;
	return true;
}

/*
 * SeImpersonatePrivilege's analog is CAP_SETUID plus CAP_SETGID in the user
 * namespace of the thread's own credentials, and every id of the client
 * must exist there.  The check is made against @base, the credentials the
 * thread had before any impersonation, with them temporarily in force so
 * that LSMs judge the right subject.
 */
static bool may_impersonate(const struct cred *base,
			    const struct ksspi_token *tok)
{
	const struct cred *saved;
	bool ok;

	if (tok->level < SECURITY_IMPERSONATION)
		return true;
	if (same_identity(base, tok))
		return true;
	if (!all_mapped(base->user_ns, tok))
		return false;
	saved = override_creds(base);
	ok = ns_capable(base->user_ns, CAP_SETUID) &&
	     ns_capable(base->user_ns, CAP_SETGID);
	revert_creds(saved);
	return ok;
}

/* may_impersonate() for socket bindings made by user threads. */
bool ksspi_may_impersonate(const struct cred *base,
			   const struct ksspi_token *tok)
{
	return may_impersonate(base, tok);
}

/**
 * ksspi_thread_impersonate() - Impersonate @tok on the calling thread.
 * @tok: the token.
 * @level: out: the level now in effect.
 *
 * Impersonating again while impersonating replaces the client; the privilege
 * check is still made against the thread's original credentials, and one
 * revert returns to them.
 *
 * Return: %SEC_E_OK; %SEC_E_NO_IMPERSONATION, %SEC_E_CONTEXT_EXPIRED or
 * %SEC_E_INSUFFICIENT_MEMORY with the thread's credentials unchanged.
 */
s32 ksspi_thread_impersonate(struct ksspi_token *tok, u32 *level)
{
	struct imp_record *rec, *stale, *fresh;
	const struct cred *base, *new;
	s32 status = SEC_E_OK;

	/* Someone overrode our subjective creds: nothing sane to commit. */
	if (creds_overridden())
		return SEC_E_NO_IMPERSONATION;
	if (ksspi_token_expired(tok))
		return SEC_E_CONTEXT_EXPIRED;

	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
	if (!fresh)
		return SEC_E_INSUFFICIENT_MEMORY;

	/* Only this thread adds, changes or removes its own record. */
	spin_lock(&records_lock);
	rec = current_record(&stale);
	spin_unlock(&records_lock);
	free_record(stale);

	base = rec ? rec->original : current_cred();
	if (!may_impersonate(base, tok)) {
		status = SEC_E_NO_IMPERSONATION;
		goto out_free;
	}
	new = ksspi_token_cred_for(tok, base);
	if (IS_ERR(new)) {
		status = PTR_ERR(new) == -ENOMEM ? SEC_E_INSUFFICIENT_MEMORY :
						   SEC_E_NO_IMPERSONATION;
		goto out_free;
	}

	if (rec) {
		const struct cred *old_installed = rec->installed;
		struct ksspi_token *old_token = rec->token;

		commit_creds((struct cred *)get_cred(new));
		spin_lock(&records_lock);
		rec->installed = new;
		rec->token = ksspi_token_get(tok);
		spin_unlock(&records_lock);
		put_cred(old_installed);
		ksspi_token_put(old_token);
	} else {
		__module_get(THIS_MODULE);
		fresh->task = get_task_struct(current);
		fresh->original = get_current_cred();
		fresh->installed = new;
		fresh->token = ksspi_token_get(tok);
		commit_creds((struct cred *)get_cred(new));
		spin_lock(&records_lock);
		hash_add(records, &fresh->node, (unsigned long)current);
		nr_records++;
		spin_unlock(&records_lock);
		fresh = NULL;
		queue_delayed_work(system_wq, &reaper, REAP_INTERVAL);
	}
	*level = tok->level;
out_free:
	kfree(fresh);
	ksspi_stat_inc(status ? KSSPI_STAT_IMPERSONATION_DENIED :
				KSSPI_STAT_IMPERSONATIONS);
	trace_ksspi_impersonate(tok->id, __kuid_val(tok->uid),
				tok->level, status, false);
	return status;
}

/**
 * ksspi_thread_revert() - Revert the calling thread's impersonation.
 *
 * Return: %SEC_E_OK, or %SEC_E_NO_IMPERSONATION when the thread is not
 * impersonating (or no longer runs under the credentials ksspi installed),
 * with its credentials unchanged.
 */
s32 ksspi_thread_revert(void)
{
	struct imp_record *rec, *stale;

	if (creds_overridden())
		return SEC_E_NO_IMPERSONATION;

	spin_lock(&records_lock);
	rec = current_record(&stale);
	if (rec)
		unlink_record(rec);
	spin_unlock(&records_lock);
	free_record(stale);
	if (!rec) {
		ksspi_stat_inc(KSSPI_STAT_REVERT_DENIED);
		trace_ksspi_revert(SEC_E_NO_IMPERSONATION, false);
		return SEC_E_NO_IMPERSONATION;
	}

	/* commit_creds() takes over the record's reference to the original. */
	commit_creds((struct cred *)rec->original);
	rec->original = NULL;
	free_record(rec);
	ksspi_stat_inc(KSSPI_STAT_REVERTS);
	trace_ksspi_revert(SEC_E_OK, false);
	return SEC_E_OK;
}

/**
 * ksspi_thread_token() - The token the calling thread impersonates.
 *
 * Return: a new reference, or NULL.
 */
struct ksspi_token *ksspi_thread_token(void)
{
	struct imp_record *rec, *stale;
	struct ksspi_token *tok = NULL;

	spin_lock(&records_lock);
	rec = current_record(&stale);
	if (rec)
		tok = ksspi_token_get(rec->token);
	spin_unlock(&records_lock);
	free_record(stale);
	return tok;
}

unsigned int ksspi_thread_count(void)
{
	return READ_ONCE(nr_records);
}

void ksspi_thread_show(struct seq_file *m)
{
	struct imp_record *rec;
	int bkt;

	spin_lock(&records_lock);
	hash_for_each(records, bkt, rec, node)
		seq_printf(m, "%d %u %llu %u %s\n", task_pid_nr(rec->task),
			   from_kuid(&init_user_ns, rec->original->euid),
			   rec->token->id, rec->token->level, rec->token->name);
	spin_unlock(&records_lock);
}

static void reap(struct work_struct *work)
{
	struct imp_record *rec;
	struct hlist_node *tmp;
	HLIST_HEAD(dead);
	bool more;
	int bkt;

	spin_lock(&records_lock);
	hash_for_each_safe(records, bkt, tmp, rec, node) {
		if (!(READ_ONCE(rec->task->flags) & PF_EXITING))
			continue;
		unlink_record(rec);
		hlist_add_head(&rec->node, &dead);
	}
	more = nr_records;
	spin_unlock(&records_lock);

	hlist_for_each_entry_safe(rec, tmp, &dead, node)
		free_record(rec);
	if (more)
		schedule_delayed_work(&reaper, REAP_INTERVAL);
}

void ksspi_impersonate_init(void)
{
	INIT_DELAYED_WORK(&reaper, reap);
}

/* Records pin the module: none can be left when it goes away. */
void ksspi_impersonate_exit(void)
{
	cancel_delayed_work_sync(&reaper);
	WARN_ON_ONCE(nr_records);
}
