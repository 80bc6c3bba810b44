/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksspi-upcall: privilege separation.  The GSS-API work runs in a child
 * that becomes the requester; the parent stays root only to become the
 * *client* of an established acceptor before it instantiates the key (the
 * module keeps the instantiating process's credentials as the client's
 * task credentials).  The child dies with the parent (PR_SET_PDEATHSIG),
 * and the parent's deadline kills it.
 */
#ifndef KSSPI_UPCALL_WORKER_H
#define KSSPI_UPCALL_WORKER_H

#include <stddef.h>

#include "proto.h"

/* What the child runs: fills @msg with the encoded response; 0 on success. */
typedef int (*kup_work_fn)(void *arg, struct kup_msg *msg);

int kup_worker_run(kup_work_fn fn, void *arg, struct kup_msg *out,
		   char *err, size_t errlen);
void kup_worker_kill(void);
int kup_worker_guard(void);

#endif
