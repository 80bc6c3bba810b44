/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters and the registry of live objects, shown under
 * /sys/kernel/debug/ksspi/.
 */
#ifndef _KSSPI_STATS_H
#define _KSSPI_STATS_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/types.h>

struct ksspi_context;
struct ksspi_token;

enum ksspi_counter {
	KSSPI_STAT_CREDS,		/* credentials acquired */
	KSSPI_STAT_CONTEXTS,		/* contexts made */
	KSSPI_STAT_TOKENS,		/* tokens made */
	KSSPI_STAT_LEGS,		/* legs run */
	KSSPI_STAT_ESTABLISHED,		/* contexts established */
	KSSPI_STAT_LEG_FAILURES,	/* legs that failed the context */
	KSSPI_STAT_IMPERSONATIONS,	/* user impersonations granted */
	KSSPI_STAT_IMPERSONATION_DENIED,/* user impersonations refused */
	KSSPI_STAT_REVERTS,		/* user reverts done */
	KSSPI_STAT_REVERT_DENIED,	/* user reverts refused */
	KSSPI_STAT_UPCALLS,		/* helper upcalls started */
	KSSPI_STAT_UPCALL_OK,		/* upcalls with a valid answer */
	KSSPI_STAT_UPCALL_FAILED,	/* no helper, no answer, negated */
	KSSPI_STAT_UPCALL_TIMEOUTS,	/* upcalls past their deadline */
	KSSPI_STAT_UPCALL_MALFORMED,	/* upcalls with a malformed answer */
	KSSPI_STAT_UPCALL_INTERRUPTED,	/* upcalls ended by a signal */
	KSSPI_STAT_NR,
};

void ksspi_stat_inc(enum ksspi_counter c);
void ksspi_stat_status(s32 status);

u64 ksspi_object_id(void);
void ksspi_context_register(struct ksspi_context *ctx);
void ksspi_context_unregister(struct ksspi_context *ctx);
void ksspi_token_register(struct ksspi_token *tok);
void ksspi_token_unregister(struct ksspi_token *tok);

void ksspi_stats_init(void);
void ksspi_stats_exit(void);

#endif /* _KSSPI_STATS_H */
