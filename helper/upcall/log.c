// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall: logging.
 */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static int use_stderr;
static int log_verbose;

void kup_log_open(int to_stderr, int verbose)
{
	use_stderr = to_stderr;
	log_verbose = verbose;
	if (!use_stderr)
		openlog("ksspi-upcall", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
}

void kup_log(int prio, const char *fmt, ...)
{
	va_list ap;

	if (prio == LOG_DEBUG && !log_verbose)
		return;
	va_start(ap, fmt);
	if (use_stderr) {
		fputs("ksspi-upcall: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(prio, fmt, ap);
	}
	va_end(ap);
}

void kup_log_verbose(int verbose)
{
	log_verbose = verbose;
}
