/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksspi-upcall: logging to syslog (LOG_AUTHPRIV), or to stderr when it is a
 * terminal or in debug mode.
 */
#ifndef KSSPI_UPCALL_LOG_H
#define KSSPI_UPCALL_LOG_H

#include <syslog.h>

void kup_log_open(int to_stderr, int verbose);
void kup_log_verbose(int verbose);
void kup_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
