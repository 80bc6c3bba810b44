/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksspi-upcall: the x509 operations of the wire (KSSPI_UPCALL_X509_*),
 * between the decoded request and the certificate logic of x509.h.  Each
 * runs in the worker, already the requester (or kernel_user).
 */
#ifndef KSSPI_UPCALL_X509_WIRE_H
#define KSSPI_UPCALL_X509_WIRE_H

#include "gss.h"

void kup_x509_chain(const struct kup_work *w, struct kup_result *res);
void kup_x509_sign(const struct kup_work *w, struct kup_result *res);
void kup_x509_accept(const struct kup_work *w, struct kup_result *res);

#endif
