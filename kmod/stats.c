// SPDX-License-Identifier: GPL-2.0
/*
 * Counters and the registry of live objects, for administrators:
 *
 *   /sys/kernel/debug/ksspi/stats           counters and failures by status
 *   /sys/kernel/debug/ksspi/contexts        one line per live context
 *   /sys/kernel/debug/ksspi/tokens          one line per live token
 *   /sys/kernel/debug/ksspi/impersonations  one line per impersonating thread
 *   /sys/kernel/debug/ksspi/upcall_failures failed helper upcalls by reason
 *
 * Every file is a read-only view (mode 0400); the formats are documented in
 * Documentation/admin-guide/ksspi.rst and read by ksspictl.
 */
#include <linux/debugfs.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/uidgid.h>

#include "object.h"
#include "package.h"
#include "stats.h"
#include "impersonate.h"
#include "upcall.h"

/* SECURITY_STATUS errors are 0x800903xx: index them by the low byte. */
#define STATUS_SLOTS 0x80

static atomic64_t counters[KSSPI_STAT_NR];
static atomic64_t by_status[STATUS_SLOTS];
static atomic64_t next_id;
static LIST_HEAD(contexts);
static LIST_HEAD(tokens);
static DEFINE_MUTEX(contexts_lock);
/* Taken under a context's lock (a leg that makes a token): never the reverse. */
static DEFINE_MUTEX(tokens_lock);
static struct dentry *dir;

static const char *const counter_names[KSSPI_STAT_NR] = {
	[KSSPI_STAT_CREDS] = "credentials_acquired",
	[KSSPI_STAT_CONTEXTS] = "contexts_created",
	[KSSPI_STAT_TOKENS] = "tokens_created",
	[KSSPI_STAT_LEGS] = "legs",
	[KSSPI_STAT_ESTABLISHED] = "contexts_established",
	[KSSPI_STAT_LEG_FAILURES] = "leg_failures",
	[KSSPI_STAT_IMPERSONATIONS] = "impersonations",
	[KSSPI_STAT_IMPERSONATION_DENIED] = "impersonations_denied",
	[KSSPI_STAT_REVERTS] = "reverts",
	[KSSPI_STAT_REVERT_DENIED] = "reverts_denied",
	[KSSPI_STAT_UPCALLS] = "upcalls",
	[KSSPI_STAT_UPCALL_OK] = "upcalls_ok",
	[KSSPI_STAT_UPCALL_FAILED] = "upcalls_failed",
	[KSSPI_STAT_UPCALL_TIMEOUTS] = "upcalls_timed_out",
	[KSSPI_STAT_UPCALL_MALFORMED] = "upcalls_malformed",
	[KSSPI_STAT_UPCALL_INTERRUPTED] = "upcalls_interrupted",
};

void ksspi_stat_inc(enum ksspi_counter c)
{
	atomic64_inc(&counters[c]);
}

/* Counts an error status by its code. */
void ksspi_stat_status(s32 status)
{
	u32 s = status;

	if (status < 0 && (s & ~0xffU) == 0x80090300U &&
	    (s & 0xff) < STATUS_SLOTS)
		atomic64_inc(&by_status[s & 0xff]);
}

/* Ids name objects in trace events and in these files. */
u64 ksspi_object_id(void)
{
	return atomic64_inc_return(&next_id);
}

void ksspi_context_register(struct ksspi_context *ctx)
{
	mutex_lock(&contexts_lock);
	list_add_tail(&ctx->node, &contexts);
	mutex_unlock(&contexts_lock);
}

void ksspi_context_unregister(struct ksspi_context *ctx)
{
	mutex_lock(&contexts_lock);
	list_del(&ctx->node);
	mutex_unlock(&contexts_lock);
}

void ksspi_token_register(struct ksspi_token *tok)
{
	mutex_lock(&tokens_lock);
	list_add_tail(&tok->node, &tokens);
	mutex_unlock(&tokens_lock);
}

void ksspi_token_unregister(struct ksspi_token *tok)
{
	mutex_lock(&tokens_lock);
	list_del(&tok->node);
	mutex_unlock(&tokens_lock);
}

static int stats_show(struct seq_file *m, void *v)
{
	unsigned int live_ctx = 0, live_tok = 0;
	struct ksspi_context *ctx;
	struct ksspi_token *tok;
	int i;

	mutex_lock(&contexts_lock);
	list_for_each_entry(ctx, &contexts, node)
		live_ctx++;
	mutex_unlock(&contexts_lock);
	mutex_lock(&tokens_lock);
	list_for_each_entry(tok, &tokens, node)
		live_tok++;
	mutex_unlock(&tokens_lock);

	for (i = 0; i < KSSPI_STAT_NR; i++)
		seq_printf(m, "%s %lld\n", counter_names[i],
			   atomic64_read(&counters[i]));
	seq_printf(m, "contexts_live %u\n", live_ctx);
	seq_printf(m, "tokens_live %u\n", live_tok);
	seq_printf(m, "impersonating_threads %u\n", ksspi_thread_count());
	seq_printf(m, "local_tickets_live %u\n", ksspi_local_tickets());
	seq_printf(m, "upcalls_in_flight %u\n", ksspi_upcall_in_flight());
	for (i = 0; i < STATUS_SLOTS; i++) {
		s64 n = atomic64_read(&by_status[i]);

		if (n)
			seq_printf(m, "status 0x%08x %lld\n", 0x80090300U + i,
				   n);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static const char *state_name(u32 state)
{
	static const char *const names[] = {
		"new", "in_progress", "established", "failed",
	};

	return state < ARRAY_SIZE(names) ? names[state] : "?";
}

static int contexts_show(struct seq_file *m, void *v)
{
	struct ksspi_context *ctx;

	seq_puts(m, "# id package role state owner_uid level expiry client server\n");
	mutex_lock(&contexts_lock);
	list_for_each_entry(ctx, &contexts, node) {
		mutex_lock(&ctx->lock);
		seq_printf(m, "%llu %s %s %s %u %u %lld %s %s\n", ctx->id,
			   ctx->pkg->name,
			   ctx->initiator ? "initiator" : "acceptor",
			   state_name(ctx->state),
			   from_kuid(&init_user_ns, ctx->cred->owner->euid),
			   ctx->token ? ctx->token->level : 0, ctx->expiry,
			   ctx->client_name ?: "-",
			   ctx->server_name ?: (ctx->target ?: "-"));
		mutex_unlock(&ctx->lock);
	}
	mutex_unlock(&contexts_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(contexts);

static int tokens_show(struct seq_file *m, void *v)
{
	struct ksspi_token *tok;

	seq_puts(m, "# id package uid gid ngroups level expiry name\n");
	mutex_lock(&tokens_lock);
	list_for_each_entry(tok, &tokens, node)
		seq_printf(m, "%llu %s %u %u %d %u %lld %s\n", tok->id,
			   tok->pkg->name, from_kuid(&init_user_ns, tok->uid),
			   from_kgid(&init_user_ns, tok->gid),
			   tok->groups->ngroups, tok->level, tok->expiry,
			   tok->name);
	mutex_unlock(&tokens_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(tokens);

static int impersonations_show(struct seq_file *m, void *v)
{
	seq_puts(m, "# tid original_uid token_id level name\n");
	ksspi_thread_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(impersonations);

static int upcall_failures_show(struct seq_file *m, void *v)
{
	ksspi_upcall_show_failures(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(upcall_failures);

void ksspi_stats_init(void)
{
	dir = debugfs_create_dir("ksspi", NULL);
	debugfs_create_file("stats", 0400, dir, NULL, &stats_fops);
	debugfs_create_file("contexts", 0400, dir, NULL, &contexts_fops);
	debugfs_create_file("tokens", 0400, dir, NULL, &tokens_fops);
	debugfs_create_file("impersonations", 0400, dir, NULL,
			    &impersonations_fops);
	debugfs_create_file("upcall_failures", 0400, dir, NULL,
			    &upcall_failures_fops);
}

void ksspi_stats_exit(void)
{
	debugfs_remove_recursive(dir);
}
