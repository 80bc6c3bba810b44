/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module parameters, shared by the files that obey them.
 */
#ifndef _KSSPI_PARAMS_H
#define _KSSPI_PARAMS_H

#include <linux/types.h>

/* Lifetime of an established context, in seconds. */
extern unsigned int ksspi_context_lifetime;
/* Lifetime of a local package ticket, in milliseconds. */
extern unsigned int ksspi_local_ticket_ms;
/* Outstanding local tickets allowed, host-wide. */
extern unsigned int ksspi_local_max_tickets;
/* Whether an identity may map to uid or gid 0. */
extern bool ksspi_allow_root;

#endif /* _KSSPI_PARAMS_H */
