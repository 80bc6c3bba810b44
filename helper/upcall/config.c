// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall: the configuration file.
 *
 *   # comment            ; comment
 *   key = value
 *
 * An unknown key, a bad value or a line that is not "key = value" makes
 * the whole file invalid, and the helper refuses every request until it is
 * fixed (a security configuration that is half understood is worse than
 * none).  A missing file means the defaults.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

#define CONFIG_MAX	65536

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void kup_config_defaults(struct kup_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->kernel_user, "nobody");
	cfg->unmapped = KUP_UNMAPPED_REFUSE;
	cfg->timeout = 10;
	cfg->x509_smartcard_eku = 1;
	cfg->x509_max_chain = 6;
}

static int parse_bool(const char *v, int *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1") ||
	    !strcmp(v, "on")) {
		*out = 1;
		return 0;
	}
	if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0") ||
	    !strcmp(v, "off")) {
		*out = 0;
		return 0;
	}
	return -1;
}

/* An absolute path (optionally "FILE:"-prefixed) without control chars. */
static int parse_path(const char *v, char *dst, size_t size, int prefix_ok)
{
	const char *p = v;

	if (prefix_ok && !strncmp(p, "FILE:", 5))
		p += 5;
	if (p[0] != '/' || strlen(v) >= size)
		return -1;
	for (p = v; *p; p++)
		if (iscntrl((unsigned char)*p))
			return -1;
	strcpy(dst, v);
	return 0;
}

static int set_key(struct kup_config *cfg, const char *k, const char *v)
{
	char *end;
	unsigned long n;
	size_t i;

	if (!strcmp(k, "keytab"))
		return parse_path(v, cfg->keytab, sizeof(cfg->keytab), 1);
	if (!strcmp(k, "client_keytab"))
		return parse_path(v, cfg->client_keytab,
				  sizeof(cfg->client_keytab), 1);
	if (!strcmp(k, "krb5_config"))
		return parse_path(v, cfg->krb5_config,
				  sizeof(cfg->krb5_config), 0);
	if (!strcmp(k, "allow_root"))
		return parse_bool(v, &cfg->allow_root);
	if (!strcmp(k, "debug"))
		return parse_bool(v, &cfg->debug);
	if (!strcmp(k, "unmapped")) {
		if (!strcmp(v, "refuse"))
			cfg->unmapped = KUP_UNMAPPED_REFUSE;
		else if (!strcmp(v, "anonymous"))
			cfg->unmapped = KUP_UNMAPPED_ANONYMOUS;
		else
			return -1;
		return 0;
	}
	if (!strcmp(k, "timeout")) {
		errno = 0;
		n = strtoul(v, &end, 10);
		if (errno || *end || end == v || n < 1 || n > 300)
			return -1;
		cfg->timeout = (unsigned int)n;
		return 0;
	}
	if (!strcmp(k, "x509_ca"))
		return parse_path(v, cfg->x509_ca, sizeof(cfg->x509_ca), 0);
	if (!strcmp(k, "x509_ca_dir"))
		return parse_path(v, cfg->x509_ca_dir,
				  sizeof(cfg->x509_ca_dir), 0);
	if (!strcmp(k, "x509_crl"))
		return parse_path(v, cfg->x509_crl, sizeof(cfg->x509_crl), 0);
	if (!strcmp(k, "x509_rules"))
		return parse_path(v, cfg->x509_rules,
				  sizeof(cfg->x509_rules), 0);
	if (!strcmp(k, "x509_require_strong"))
		return parse_bool(v, &cfg->x509_require_strong);
	if (!strcmp(k, "x509_smartcard_eku"))
		return parse_bool(v, &cfg->x509_smartcard_eku);
	if (!strcmp(k, "x509_max_chain")) {
		errno = 0;
		n = strtoul(v, &end, 10);
		if (errno || *end || end == v || n < 2 || n > 16)
			return -1;
		cfg->x509_max_chain = (unsigned int)n;
		return 0;
	}
	if (!strcmp(k, "kernel_user")) {
		if (!*v || strlen(v) >= sizeof(cfg->kernel_user))
			return -1;
		for (i = 0; v[i]; i++)
			if (!isalnum((unsigned char)v[i]) &&
			    !strchr("._-", v[i]))
				return -1;
		strcpy(cfg->kernel_user, v);
		return 0;
	}
	return -2;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int kup_config_parse(const char *text, size_t len, struct kup_config *cfg,
		     char *err, size_t errlen)
{
	char *copy, *line, *next;
	int lineno = 0, ret = 0;

	if (memchr(text, '\0', len))
		return fail(err, errlen, "NUL byte in configuration");
	copy = strndup(text, len);
	if (!copy)
		return -ENOMEM;
	for (line = copy; line && !ret; line = next) {
		char *eq, *k, *v;
		int r;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		line = trim(line);
		if (!*line || *line == '#' || *line == ';')
			continue;
		eq = strchr(line, '=');
		if (!eq) {
			ret = fail(err, errlen, "line %d: expected key = value",
				   lineno);
			break;
		}
		*eq = '\0';
		k = trim(line);
		v = trim(eq + 1);
		r = set_key(cfg, k, v);
		if (r == -2)
			ret = fail(err, errlen, "line %d: unknown key '%s'",
				   lineno, k);
		else if (r)
			ret = fail(err, errlen, "line %d: bad value for %s",
				   lineno, k);
	}
	free(copy);
	return ret;
}

/*
 * Load @path, which must be a regular file owned by @owner (root for the
 * real upcall) and not writable by group or others.  ENOENT: defaults.
 */
int kup_config_load(const char *path, uid_t owner, struct kup_config *cfg,
		    char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	size_t len = 0;
	int fd, ret;

	kup_config_defaults(cfg);
	cfg->file_owner = owner;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	}
	ret = -EPERM;
	if (fstat(fd, &st)) {
		fail(err, errlen, "%s: %s", path, strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(err, errlen, "%s: not a regular file", path);
		goto out_close;
	}
	if (st.st_uid != owner || st.st_mode & (S_IWGRP | S_IWOTH)) {
		fail(err, errlen,
		     "%s: must be owned by uid %u and not group/world-writable",
		     path, (unsigned int)owner);
		goto out_close;
	}
	if (st.st_size > CONFIG_MAX) {
		fail(err, errlen, "%s: too large", path);
		goto out_close;
	}
	ret = -ENOMEM;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto out_close;
	while (len < (size_t)st.st_size) {
		n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	ret = kup_config_parse(buf, len, cfg, err, errlen);
	free(buf);
out_close:
	close(fd);
	return ret;
}
