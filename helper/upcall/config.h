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
	/* x509 package (x509.c, certmap.c); files checked like this one */
	char x509_ca[KUP_PATH_MAX];	/* PEM bundle of trust anchors */
	char x509_ca_dir[KUP_PATH_MAX];	/* directory of PEM anchors */
	char x509_crl[KUP_PATH_MAX];	/* PEM CRLs: checking turned on */
	char x509_rules[KUP_PATH_MAX];	/* certificate -> account rules */
	int x509_require_strong;	/* KB5014754 full enforcement */
	int x509_smartcard_eku;		/* accept MS smartcard-logon EKU */
	unsigned int x509_max_chain;	/* certificates in a path, 2-16 */
	uid_t file_owner;		/* who must own the files (root) */
};

void kup_config_defaults(struct kup_config *cfg);
int kup_config_parse(const char *text, size_t len, struct kup_config *cfg,
		     char *err, size_t errlen);
int kup_config_load(const char *path, uid_t owner, struct kup_config *cfg,
		    char *err, size_t errlen);

#endif
