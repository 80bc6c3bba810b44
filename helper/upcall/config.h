/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksspi-upcall: /etc/ksspi/upcall.conf, found by path (the upcall runs with
 * a clean environment), root-owned and not writable by group or others.
 */
#ifndef KSSPI_UPCALL_CONFIG_H
#define KSSPI_UPCALL_CONFIG_H

#include <stddef.h>
#include <sys/types.h>

#define KUP_CONFIG_PATH		"/etc/ksspi/upcall.conf"
#define KUP_PATH_MAX		1024

enum kup_unmapped {
	KUP_UNMAPPED_REFUSE,
	KUP_UNMAPPED_ANONYMOUS,
};

struct kup_config {
	char keytab[KUP_PATH_MAX];	/* acceptor keytab; "" = krb5 default */
	char client_keytab[KUP_PATH_MAX]; /* initiator keytab template */
	char krb5_config[KUP_PATH_MAX];	/* KRB5_CONFIG for libkrb5; "" = default */
	char kernel_user[64];		/* who in-kernel acceptors run as */
	int allow_root;
	enum kup_unmapped unmapped;
	unsigned int timeout;		/* seconds for the whole request */
	int debug;			/* log more */
};

void kup_config_defaults(struct kup_config *cfg);
int kup_config_parse(const char *text, size_t len, struct kup_config *cfg,
		     char *err, size_t errlen);
int kup_config_load(const char *path, uid_t owner, struct kup_config *cfg,
		    char *err, size_t errlen);

#endif
