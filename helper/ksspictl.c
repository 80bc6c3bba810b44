// SPDX-License-Identifier: GPL-2.0
/*
 * ksspictl - look at and exercise the ksspi kernel module.
 *
 *   ksspictl [-o text|json] [-n] [-v] COMMAND [ARGS...]
 *
 * packages        the security packages the module offers (ioctl)
 * stats           counters and failures by status (debugfs, root)
 * contexts        live security contexts (debugfs, root)
 * tokens          live access tokens (debugfs, root)
 * impersonations  threads impersonating right now (debugfs, root)
 * whoami          the calling thread's identity and impersonation
 * test-local      a whole local-package handshake inside this process
 * test-kerberos   a Kerberos handshake, ccache to keytab, with diagnosis
 * run             impersonate a token descriptor, then exec a command
 *
 * Exit codes follow sysexits.h; see ksspictl(8).  Two environment
 * variables move the files it uses, for tests and for containers:
 * KSSPI_DEVICE (default /dev/ksspi) and KSSPI_DEBUGFS (the debugfs mount
 * point, default /sys/kernel/debug).
 */
#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <krb5/krb5.h>

#include "libksspi.h"
#include "upcall/config.h"

#ifndef KSSPI_VERSION
#define KSSPI_VERSION "unknown"
#endif

/* test-local ran and the handshake (or impersonation) failed. */
#define EXIT_CHECK_FAILED	1
/* run: the command could not be run as the client / was not found. */
#define EXIT_CANNOT_RUN		126
#define EXIT_NOT_FOUND		127

#define DEFAULT_DEBUGFS		"/sys/kernel/debug"
#define TOKBUF			4096
#define MAX_LEGS		8

static bool json;
static bool numeric;
static bool verbose;

/* ---- small helpers ---------------------------------------------------- */

static void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		errx(EX_OSERR, "out of memory");
	return p;
}

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		errx(EX_OSERR, "out of memory");
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		errx(EX_OSERR, "out of memory");
	return p;
}

static char *__attribute__((format(printf, 1, 2))) xasprintf(const char *fmt,
							      ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		errx(EX_OSERR, "out of memory");
	return s;
}

static bool parse_uint(const char *s, unsigned long long *v)
{
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

static bool parse_int(const char *s, long long *v)
{
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return !errno && !*end;
}

static const char *user_name(uid_t uid)
{
	struct passwd *pw = numeric ? NULL : getpwuid(uid);

	return pw ? pw->pw_name : NULL;
}

static const char *group_name(gid_t gid)
{
	struct group *gr = numeric ? NULL : getgrgid(gid);

	return gr ? gr->gr_name : NULL;
}

/* "alice" when the uid has a passwd entry (and -n is not given), else "2001". */
static char *user_cell(const char *uid_text)
{
	unsigned long long uid;
	const char *name;

	if (!parse_uint(uid_text, &uid) || uid > UINT32_MAX)
		return xstrdup(uid_text);
	name = user_name(uid);
	return name ? xstrdup(name) : xasprintf("%llu", uid);
}

static char *group_cell(const char *gid_text)
{
	unsigned long long gid;
	const char *name;

	if (!parse_uint(gid_text, &gid) || gid > UINT32_MAX)
		return xstrdup(gid_text);
	name = group_name(gid);
	return name ? xstrdup(name) : xasprintf("%llu", gid);
}

/* "2001(alice)" in the style of id(1), or "2001". */
static void put_id(uint32_t id, const char *name)
{
	if (name)
		printf("%" PRIu32 "(%s)", id, name);
	else
		printf("%" PRIu32, id);
}

/* Local time of @t (seconds since the epoch), "-" for 0. */
static char *time_cell(long long t)
{
	struct tm tm;
	time_t tt = t;
	char buf[64];

	if (!t)
		return xstrdup("-");
	if (!localtime_r(&tt, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm))
		return xasprintf("%lld", t);
	return xstrdup(buf);
}

static const char *package_name(uint32_t id)
{
	switch (id) {
	case KSSPI_PACKAGE_NEGOTIATE:
		return "negotiate";
	case KSSPI_PACKAGE_X509:
		return "x509";
	case KSSPI_PACKAGE_KERBEROS:
		return "kerberos";
	case KSSPI_PACKAGE_LOCAL:
		return "local";
	}
	return "?";
}

struct flag_name {
	uint32_t bit;
	const char *name;
};

#define FN(prefix, x) { prefix##x, #x }

static const struct flag_name pkg_caps[] = {
	FN(SECPKG_FLAG_, INTEGRITY), FN(SECPKG_FLAG_, PRIVACY),
	FN(SECPKG_FLAG_, TOKEN_ONLY), FN(SECPKG_FLAG_, DATAGRAM),
	FN(SECPKG_FLAG_, CONNECTION), FN(SECPKG_FLAG_, MULTI_REQUIRED),
	FN(SECPKG_FLAG_, CLIENT_ONLY), FN(SECPKG_FLAG_, EXTENDED_ERROR),
	FN(SECPKG_FLAG_, IMPERSONATION), FN(SECPKG_FLAG_, ACCEPT_WIN32_NAME),
	FN(SECPKG_FLAG_, STREAM), FN(SECPKG_FLAG_, NEGOTIABLE),
	FN(SECPKG_FLAG_, GSS_COMPATIBLE), FN(SECPKG_FLAG_, LOGON),
	FN(SECPKG_FLAG_, MUTUAL_AUTH), FN(SECPKG_FLAG_, DELEGATION),
	FN(SECPKG_FLAG_, READONLY_WITH_CHECKSUM),
	{ 0, NULL }
};

static const struct flag_name isc_ret[] = {
	FN(ISC_RET_, DELEGATE), FN(ISC_RET_, MUTUAL_AUTH),
	FN(ISC_RET_, REPLAY_DETECT), FN(ISC_RET_, SEQUENCE_DETECT),
	FN(ISC_RET_, CONFIDENTIALITY), FN(ISC_RET_, USE_SESSION_KEY),
	FN(ISC_RET_, USED_COLLECTED_CREDS), FN(ISC_RET_, USED_SUPPLIED_CREDS),
	FN(ISC_RET_, ALLOCATED_MEMORY), FN(ISC_RET_, USED_DCE_STYLE),
	FN(ISC_RET_, DATAGRAM), FN(ISC_RET_, CONNECTION),
	FN(ISC_RET_, INTERMEDIATE_RETURN), FN(ISC_RET_, CALL_LEVEL),
	FN(ISC_RET_, EXTENDED_ERROR), FN(ISC_RET_, STREAM),
	FN(ISC_RET_, INTEGRITY), FN(ISC_RET_, IDENTIFY),
	FN(ISC_RET_, NULL_SESSION), FN(ISC_RET_, MANUAL_CRED_VALIDATION),
	FN(ISC_RET_, FRAGMENT_ONLY), FN(ISC_RET_, FORWARD_CREDENTIALS),
	FN(ISC_RET_, USED_HTTP_STYLE), FN(ISC_RET_, NO_ADDITIONAL_TOKEN),
	FN(ISC_RET_, REAUTHENTICATION), FN(ISC_RET_, CONFIDENTIALITY_ONLY),
	{ 0, NULL }
};

static const struct flag_name asc_ret[] = {
	FN(ASC_RET_, DELEGATE), FN(ASC_RET_, MUTUAL_AUTH),
	FN(ASC_RET_, REPLAY_DETECT), FN(ASC_RET_, SEQUENCE_DETECT),
	FN(ASC_RET_, CONFIDENTIALITY), FN(ASC_RET_, USE_SESSION_KEY),
	FN(ASC_RET_, SESSION_TICKET), FN(ASC_RET_, ALLOCATED_MEMORY),
	FN(ASC_RET_, USED_DCE_STYLE), FN(ASC_RET_, DATAGRAM),
	FN(ASC_RET_, CONNECTION), FN(ASC_RET_, CALL_LEVEL),
	FN(ASC_RET_, THIRD_LEG_FAILED), FN(ASC_RET_, EXTENDED_ERROR),
	FN(ASC_RET_, STREAM), FN(ASC_RET_, INTEGRITY),
	FN(ASC_RET_, LICENSING), FN(ASC_RET_, IDENTIFY),
	FN(ASC_RET_, NULL_SESSION), FN(ASC_RET_, ALLOW_NON_USER_LOGONS),
	FN(ASC_RET_, ALLOW_CONTEXT_REPLAY), FN(ASC_RET_, FRAGMENT_ONLY),
	FN(ASC_RET_, NO_TOKEN), FN(ASC_RET_, NO_ADDITIONAL_TOKEN),
	{ 0, NULL }
};

#undef FN

/* "connection,mutual_auth" (lower case), "none" for 0. */
static char *flags_string(const struct flag_name *names, uint32_t v)
{
	char *s = xstrdup(""), *t;
	uint32_t left = v;

	for (; names->name; names++) {
		if (!(v & names->bit))
			continue;
		left &= ~names->bit;
		t = xasprintf("%s%s%s", s, *s ? "," : "", names->name);
		free(s);
		s = t;
	}
	if (left) {
		t = xasprintf("%s%s0x%" PRIx32, s, *s ? "," : "", left);
		free(s);
		s = t;
	}
	for (t = s; *t; t++)
		*t = tolower((unsigned char)*t);
	if (!*s) {
		free(s);
		s = xstrdup("none");
	}
	return s;
}

/* ---- JSON ------------------------------------------------------------- */

static void json_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			if (*p < 0x20)
				printf("\\u%04x", *p);
			else
				putchar(*p);
		}
	}
	putchar('"');
}

/* ---- tables: one set of rows, printed as text columns or JSON ---------- */

enum {
	COL_TEXT = 1,	/* shown in the text table */
	COL_JSON = 2,	/* a member of the JSON object */
	COL_NUM = 4,	/* JSON: a number ("-" or garbage: null) */
	COL_LIST = 8,	/* JSON: comma-separated list -> array of strings */
	COL_BOTH = COL_TEXT | COL_JSON,
};

struct column {
	const char *title;
	const char *key;
	unsigned int flags;
};

struct table {
	const struct column *cols;
	int ncols;
	char **cells;
	int nrows;
};

static void table_add(struct table *t, char **cells)
{
	int i;

	t->cells = xrealloc(t->cells,
			    sizeof(char *) * t->ncols * (t->nrows + 1));
	for (i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = cells[i];
	t->nrows++;
}

static void table_free(struct table *t)
{
	int i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = 0;
}

static void json_cell(const struct column *c, const char *v)
{
	long long n;
	const char *p, *comma;

	if (c->flags & COL_NUM) {
		if (parse_int(v, &n))
			printf("%lld", n);
		else
			fputs("null", stdout);
		return;
	}
	if (!(c->flags & COL_LIST)) {
		json_string(strcmp(v, "-") ? v : NULL);
		return;
	}
	putchar('[');
	for (p = v; *p && strcmp(v, "none") && strcmp(v, "-"); p = comma + 1) {
		char *item;

		comma = strchr(p, ',');
		if (!comma)
			comma = p + strlen(p);
		item = xasprintf("%.*s", (int)(comma - p), p);
		if (p != v)
			putchar(',');
		json_string(item);
		free(item);
		if (!*comma)
			break;
	}
	putchar(']');
}

static void table_print_json(const struct table *t)
{
	int r, c;
	bool first;

	putchar('[');
	for (r = 0; r < t->nrows; r++) {
		printf("%s{", r ? ",\n " : "");
		first = true;
		for (c = 0; c < t->ncols; c++) {
			if (!(t->cols[c].flags & COL_JSON))
				continue;
			printf("%s\"%s\":", first ? "" : ",", t->cols[c].key);
			json_cell(&t->cols[c], t->cells[r * t->ncols + c]);
			first = false;
		}
		putchar('}');
	}
	puts("]");
}

static void table_print(const struct table *t)
{
	int *width = xmalloc(sizeof(int) * t->ncols);
	int r, c, last = -1;

	if (json) {
		table_print_json(t);
		free(width);
		return;
	}
	for (c = 0; c < t->ncols; c++) {
		if (!(t->cols[c].flags & COL_TEXT))
			continue;
		last = c;
		width[c] = strlen(t->cols[c].title);
		for (r = 0; r < t->nrows; r++) {
			int w = strlen(t->cells[r * t->ncols + c]);

			if (w > width[c])
				width[c] = w;
		}
	}
	for (r = -1; r < t->nrows; r++) {
		for (c = 0; c <= last; c++) {
			const char *v = r < 0 ? t->cols[c].title :
						t->cells[r * t->ncols + c];

			if (!(t->cols[c].flags & COL_TEXT))
				continue;
			if (c == last)
				printf("%s\n", v);
			else
				printf("%-*s  ", width[c], v);
		}
	}
	free(width);
}

/* ---- the device ------------------------------------------------------- */

static const char *device_path(void)
{
	const char *p = getenv("KSSPI_DEVICE");

	return p && *p ? p : KSSPI_DEVICE_PATH;
}

/*
 * Opens the device and checks that it speaks our ABI, or exits with a
 * message that says what to fix.
 */
static int open_device(void)
{
	const char *path = device_path();
	int fd = open(path, O_RDWR | O_CLOEXEC);
	int v, e;

	if (fd < 0) {
		e = errno;
		switch (e) {
		case ENOENT:
		case ENXIO:
		case ENODEV:
			if (!strcmp(path, KSSPI_DEVICE_PATH) &&
			    !access("/sys/module/ksspi", F_OK))
				errx(EX_UNAVAILABLE,
				     "%s: %s, although the ksspi module is loaded: is devtmpfs mounted on /dev (or udev running)?",
				     path, strerror(e));
			errx(EX_UNAVAILABLE,
			     "ksspi module not loaded: run 'modprobe ksspi' (%s: %s)",
			     path, strerror(e));
		case EACCES:
		case EPERM:
			errx(EX_NOPERM,
			     "%s: permission denied: the module creates it with mode 0666; check udev rules, the container's device list or the security policy",
			     path);
		default:
			errx(EX_OSERR, "%s: %s", path, strerror(e));
		}
	}
	v = ksspi_abi_version(fd);
	if (v < 0)
		errx(EX_PROTOCOL,
		     "%s is not the ksspi device (KSSPI_IOC_GET_ABI_VERSION: %s)",
		     path, strerror(-v));
	if (v != KSSPI_ABI_VERSION)
		errx(EX_PROTOCOL,
		     "ksspi ABI version mismatch: the loaded module speaks version %d, this ksspictl was built for version %d; install ksspictl and libksspi from the same release as the module, or load the matching module",
		     v, KSSPI_ABI_VERSION);
	return fd;
}

/* Reads /sys/module/ksspi/parameters/@name ("Y", "1000", ...). */
static char *module_param(const char *name)
{
	char path[256], buf[64];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/ksspi/parameters/%s", name);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return xstrdup(buf);
}

/* Commands without options: accept only --help. */
static int no_args(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: ksspictl [-o text|json] [-n] %s\n", argv[0]);
		return 1;
	}
	if (argc > 1)
		errx(EX_USAGE, "%s takes no arguments", argv[0]);
	return 0;
}

/* ---- packages --------------------------------------------------------- */

static const struct column package_cols[] = {
	{ "NAME", "name", COL_BOTH },
	{ "ID", "id", COL_BOTH | COL_NUM },
	{ "VERSION", "version", COL_BOTH | COL_NUM },
	{ "MAX_TOKEN", "max_token", COL_BOTH | COL_NUM },
	{ "CAPABILITIES", "capabilities", COL_BOTH | COL_LIST },
	{ "COMMENT", "comment", COL_BOTH },
};

static int cmd_packages(int argc, char **argv)
{
	struct table t = { package_cols, 6, NULL, 0 };
	struct ksspi_package_info *infos = NULL;
	unsigned int count = 8, i;
	int dev, ret;

	if (no_args(argc, argv))
		return 0;
	dev = open_device();
	for (;;) {
		infos = xrealloc(infos, sizeof(*infos) * count);
		memset(infos, 0, sizeof(*infos) * count);
		for (i = 0; i < count; i++)
			infos[i].size = sizeof(*infos);
		ret = ksspi_enumerate_packages(dev, infos, &count);
		if (ret != -ERANGE)
			break;
	}
	if (ret < 0)
		errx(EX_OSERR, "KSSPI_IOC_ENUM_PACKAGES: %s", strerror(-ret));
	for (i = 0; i < count; i++) {
		char *cells[6];

		infos[i].name[sizeof(infos[i].name) - 1] = 0;
		infos[i].comment[sizeof(infos[i].comment) - 1] = 0;
		cells[0] = xstrdup(infos[i].name);
		cells[1] = xasprintf("%" PRIu32, infos[i].id);
		cells[2] = xasprintf("%" PRIu32, infos[i].version);
		cells[3] = xasprintf("%" PRIu32, infos[i].max_token);
		cells[4] = flags_string(pkg_caps, infos[i].capabilities);
		cells[5] = xstrdup(infos[i].comment[0] ? infos[i].comment :
							 "-");
		table_add(&t, cells);
	}
	table_print(&t);
	table_free(&t);
	free(infos);
	close(dev);
	return 0;
}

/* ---- debugfs views ---------------------------------------------------- */

static const char *debugfs_root(void)
{
	const char *p = getenv("KSSPI_DEBUGFS");

	return p && *p ? p : DEFAULT_DEBUGFS;
}

/* Opens a file of the ksspi debugfs directory, or exits saying why not. */
static FILE *open_debugfs(const char *name)
{
	const char *root = debugfs_root();
	char *dir = xasprintf("%s/ksspi", root);
	char *path = xasprintf("%s/%s", dir, name);
	struct statfs sf;
	struct stat st;
	FILE *f;
	int e;

	f = fopen(path, "re");
	if (f) {
		free(path);
		free(dir);
		return f;
	}
	e = errno;
	switch (e) {
	case EACCES:
		errx(EX_NOPERM,
		     "%s: permission denied: the ksspi debugfs files are readable by root only",
		     path);
	case EPERM:
		errx(EX_NOPERM,
		     "%s: operation not permitted: debugfs is refused (kernel lockdown=confidentiality, or debugfs=off on the kernel command line?)",
		     path);
	case ENOENT:
		if (statfs(root, &sf) || sf.f_type != DEBUGFS_MAGIC) {
			if (stat(dir, &st))
				errx(EX_UNAVAILABLE,
				     "debugfs is not mounted on %s: run 'mount -t debugfs none %s'",
				     root, root);
		}
		if (stat(dir, &st))
			errx(EX_UNAVAILABLE,
			     "ksspi module not loaded: run 'modprobe ksspi' (%s is missing)",
			     dir);
		errx(EX_PROTOCOL,
		     "%s is missing: the loaded ksspi module does not provide it (a different version of the module?)",
		     path);
	default:
		errx(EX_OSERR, "%s: %s", path, strerror(e));
	}
}

/*
 * Splits @line in place at single spaces into at most @n fields; the last
 * field takes the rest of the line.  Returns the number of fields.
 */
static int split(char *line, char **f, int n)
{
	int i = 0;

	line[strcspn(line, "\n")] = 0;
	while (i < n) {
		f[i++] = line;
		if (i == n)
			break;
		line = strchr(line, ' ');
		if (!line)
			break;
		*line++ = 0;
	}
	return i;
}

struct view {
	const char *file;
	const struct column *cols;
	int ncols;
	int nfields;	/* fields in a line of the file */
	/* Makes the cells of one row from the fields of one line. */
	bool (*row)(char **f, char **cells);
};

static bool bad_lines;

static int show_view(const struct view *v, int argc, char **argv)
{
	struct table t = { v->cols, v->ncols, NULL, 0 };
	FILE *f;
	char *line = NULL, **fields, **cells;
	size_t cap = 0;
	unsigned int lineno = 0;

	if (no_args(argc, argv))
		return 0;
	f = open_debugfs(v->file);
	fields = xmalloc(sizeof(char *) * v->nfields);
	cells = xmalloc(sizeof(char *) * v->ncols);
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (split(line, fields, v->nfields) != v->nfields ||
		    !v->row(fields, cells)) {
			warnx("%s/ksspi/%s:%u: line not understood, skipped",
			      debugfs_root(), v->file, lineno);
			bad_lines = true;
			continue;
		}
		table_add(&t, cells);
	}
	if (ferror(f))
		errx(EX_IOERR, "%s/ksspi/%s: %s", debugfs_root(), v->file,
		     strerror(errno));
	fclose(f);
	table_print(&t);
	table_free(&t);
	free(line);
	free(fields);
	free(cells);
	return bad_lines ? EX_PROTOCOL : 0;
}

static bool all_numeric(char **f, const int *idx, int n)
{
	unsigned long long v;
	int i;

	for (i = 0; i < n; i++)
		if (!parse_uint(f[idx[i]], &v))
			return false;
	return true;
}

static char *level_cell(const char *level)
{
	unsigned long long v;

	if (!parse_uint(level, &v) || v > UINT32_MAX)
		return xstrdup(level);
	return xstrdup(ksspi_level_string(v));
}

/* # id package role state owner_uid level expiry client server */
static const struct column context_cols[] = {
	{ "ID", "id", COL_BOTH | COL_NUM },
	{ "PACKAGE", "package", COL_BOTH },
	{ "ROLE", "role", COL_BOTH },
	{ "STATE", "state", COL_BOTH },
	{ "OWNER", "owner", COL_BOTH },
	{ "", "owner_uid", COL_JSON | COL_NUM },
	{ "LEVEL", "level", COL_BOTH },
	{ "EXPIRES", "expires", COL_TEXT },
	{ "", "expiry", COL_JSON | COL_NUM },
	{ "CLIENT", "client", COL_BOTH },
	{ "SERVER", "server", COL_BOTH },
};

static bool context_row(char **f, char **cells)
{
	static const int num[] = { 0, 4, 5 };
	long long expiry;
	bool has_token;

	if (!all_numeric(f, num, 3) || !parse_int(f[6], &expiry))
		return false;
	/* Only an established acceptor holds a token with a level. */
	has_token = !strcmp(f[2], "acceptor") && !strcmp(f[3], "established");
	cells[0] = xstrdup(f[0]);
	cells[1] = xstrdup(f[1]);
	cells[2] = xstrdup(f[2]);
	cells[3] = xstrdup(f[3]);
	cells[4] = user_cell(f[4]);
	cells[5] = xstrdup(f[4]);
	cells[6] = has_token ? level_cell(f[5]) : xstrdup("-");
	cells[7] = time_cell(expiry);
	cells[8] = xasprintf("%lld", expiry);
	cells[9] = xstrdup(f[7]);
	cells[10] = xstrdup(f[8]);
	return true;
}

static const struct view contexts_view = {
	"contexts", context_cols, 11, 9, context_row
};

/* # id package uid gid ngroups level expiry name */
static const struct column token_cols[] = {
	{ "ID", "id", COL_BOTH | COL_NUM },
	{ "PACKAGE", "package", COL_BOTH },
	{ "USER", "user", COL_BOTH },
	{ "", "uid", COL_JSON | COL_NUM },
	{ "GROUP", "group", COL_BOTH },
	{ "", "gid", COL_JSON | COL_NUM },
	{ "NGROUPS", "ngroups", COL_BOTH | COL_NUM },
	{ "LEVEL", "level", COL_BOTH },
	{ "EXPIRES", "expires", COL_TEXT },
	{ "", "expiry", COL_JSON | COL_NUM },
	{ "NAME", "name", COL_BOTH },
};

static bool token_row(char **f, char **cells)
{
	static const int num[] = { 0, 2, 3, 4, 5 };
	long long expiry;

	if (!all_numeric(f, num, 5) || !parse_int(f[6], &expiry))
		return false;
	cells[0] = xstrdup(f[0]);
	cells[1] = xstrdup(f[1]);
	cells[2] = user_cell(f[2]);
	cells[3] = xstrdup(f[2]);
	cells[4] = group_cell(f[3]);
	cells[5] = xstrdup(f[3]);
	cells[6] = xstrdup(f[4]);
	cells[7] = level_cell(f[5]);
	cells[8] = time_cell(expiry);
	cells[9] = xasprintf("%lld", expiry);
	cells[10] = xstrdup(f[7]);
	return true;
}

static const struct view tokens_view = {
	"tokens", token_cols, 11, 8, token_row
};

/* # tid original_uid token_id level name */
static const struct column imp_cols[] = {
	{ "TID", "tid", COL_BOTH | COL_NUM },
	{ "COMMAND", "command", COL_BOTH },
	{ "ORIGINAL_USER", "original_user", COL_BOTH },
	{ "", "original_uid", COL_JSON | COL_NUM },
	{ "TOKEN", "token_id", COL_BOTH | COL_NUM },
	{ "LEVEL", "level", COL_BOTH },
	{ "NAME", "name", COL_BOTH },
};

static char *comm_cell(const char *tid)
{
	char path[64], buf[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/comm", tid);
	f = fopen(path, "re");
	if (!f)
		return xstrdup("-");
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return xstrdup(buf[0] ? buf : "-");
}

static bool imp_row(char **f, char **cells)
{
	static const int num[] = { 0, 1, 2, 3 };

	if (!all_numeric(f, num, 4))
		return false;
	cells[0] = xstrdup(f[0]);
	cells[1] = comm_cell(f[0]);
	cells[2] = user_cell(f[1]);
	cells[3] = xstrdup(f[1]);
	cells[4] = xstrdup(f[2]);
	cells[5] = level_cell(f[3]);
	cells[6] = xstrdup(f[4]);
	return true;
}

static const struct view imp_view = {
	"impersonations", imp_cols, 7, 5, imp_row
};

static int cmd_contexts(int argc, char **argv)
{
	return show_view(&contexts_view, argc, argv);
}

static int cmd_tokens(int argc, char **argv)
{
	return show_view(&tokens_view, argc, argv);
}

static int cmd_impersonations(int argc, char **argv)
{
	return show_view(&imp_view, argc, argv);
}

/*
 * stats: "name value" lines, then "status 0xSTATUS count" lines for the
 * error statuses seen.
 */
static int cmd_stats(int argc, char **argv)
{
	struct entry {
		char *name;
		long long value;
		bool status;
	} *e = NULL;
	int n = 0, i, width = 0;
	unsigned int lineno = 0;
	char *line = NULL, *f[3];
	size_t cap = 0;
	bool first;
	FILE *fp;

	if (no_args(argc, argv))
		return 0;
	fp = open_debugfs("stats");
	while (getline(&line, &cap, fp) > 0) {
		unsigned long long st;
		long long v;

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		e = xrealloc(e, sizeof(*e) * (n + 1));
		if (!strncmp(line, "status ", 7) && split(line, f, 3) == 3 &&
		    parse_uint(f[1], &st) && st <= UINT32_MAX &&
		    parse_int(f[2], &v)) {
			e[n].name = xstrdup(f[1]);
			e[n].value = v;
			e[n].status = true;
		} else if (split(line, f, 2) == 2 && parse_int(f[1], &v) &&
			   strcmp(f[0], "status")) {
			e[n].name = xstrdup(f[0]);
			e[n].value = v;
			e[n].status = false;
			if ((int)strlen(f[0]) > width)
				width = strlen(f[0]);
		} else {
			warnx("%s/ksspi/stats:%u: line not understood, skipped",
			      debugfs_root(), lineno);
			bad_lines = true;
			continue;
		}
		n++;
	}
	fclose(fp);
	free(line);

	if (json) {
		fputs("{\"counters\":{", stdout);
		for (i = 0, first = true; i < n; i++) {
			if (e[i].status)
				continue;
			printf("%s", first ? "" : ",");
			json_string(e[i].name);
			printf(":%lld", e[i].value);
			first = false;
		}
		fputs("},\n \"failures\":[", stdout);
		for (i = 0, first = true; i < n; i++) {
			if (!e[i].status)
				continue;
			printf("%s{\"status\":", first ? "" : ",");
			json_string(e[i].name);
			fputs(",\"name\":", stdout);
			json_string(ksspi_status_string(strtoul(e[i].name,
								NULL, 0)));
			printf(",\"count\":%lld}", e[i].value);
			first = false;
		}
		puts("]}");
	} else {
		for (i = 0; i < n; i++)
			if (!e[i].status)
				printf("%-*s  %lld\n", width, e[i].name,
				       e[i].value);
		for (i = 0, first = true; i < n; i++) {
			if (!e[i].status)
				continue;
			if (first)
				puts("failures by status:");
			printf("  %s  %-34s  %lld\n", e[i].name,
			       ksspi_status_string(strtoul(e[i].name, NULL,
							   0)),
			       e[i].value);
			first = false;
		}
	}
	for (i = 0; i < n; i++)
		free(e[i].name);
	free(e);
	return bad_lines ? EX_PROTOCOL : 0;
}

/* ---- whoami ----------------------------------------------------------- */

/*
 * Describes @ti (a token) in text: "uid 2001(alice) gid ... level ...".
 */
static void print_token(const struct ksspi_token_info *ti,
			const uint32_t *groups, const char *name)
{
	char *exp = time_cell(ti->expiry);
	uint32_t i;

	printf("name=%s uid=", name);
	put_id(ti->uid, user_name(ti->uid));
	printf(" gid=");
	put_id(ti->gid, group_name(ti->gid));
	printf(" groups=");
	for (i = 0; i < ti->ngroups; i++) {
		if (i)
			putchar(',');
		put_id(groups[i], group_name(groups[i]));
	}
	if (!ti->ngroups)
		putchar('-');
	printf(" level=%s package=%s expires=%s\n",
	       ksspi_level_string(ti->level), package_name(ti->package_id),
	       exp);
	free(exp);
}

static void json_token(const struct ksspi_token_info *ti,
		       const uint32_t *groups, const char *name)
{
	uint32_t i;

	fputs("{\"name\":", stdout);
	json_string(name);
	printf(",\"uid\":%" PRIu32 ",\"user\":", ti->uid);
	json_string(user_name(ti->uid));
	printf(",\"gid\":%" PRIu32 ",\"groups\":[", ti->gid);
	for (i = 0; i < ti->ngroups; i++)
		printf("%s%" PRIu32, i ? "," : "", groups[i]);
	fputs("],\"level\":", stdout);
	json_string(ksspi_level_string(ti->level));
	fputs(",\"package\":", stdout);
	json_string(package_name(ti->package_id));
	printf(",\"expiry\":%lld}", (long long)ti->expiry);
}

/*
 * Fills @ti for a token fd (@whoami false) or for the calling thread
 * (@whoami true, @fd the device).  *@groups is allocated; @name has
 * KSSPI_NAME_MAX + 1 bytes.  Returns 0 or -errno.
 */
static int get_token_info(int fd, bool whoami, struct ksspi_token_info *ti,
			  uint32_t **groups, char *name)
{
	uint32_t room = 64;
	int ret;

	*groups = NULL;
	for (;;) {
		*groups = xrealloc(*groups, sizeof(uint32_t) * room);
		memset(ti, 0, sizeof(*ti));
		ti->ngroups = room;
		ti->groups = (uintptr_t)*groups;
		ti->name = (uintptr_t)name;
		ti->name_size = KSSPI_NAME_MAX + 1;
		ret = whoami ? ksspi_whoami(fd, ti) : ksspi_query_token(fd, ti);
		if (ret != -ERANGE || ti->ngroups <= room)
			break;
		room = ti->ngroups;
	}
	name[KSSPI_NAME_MAX] = 0;
	return ret;
}

static int cmd_whoami(int argc, char **argv)
{
	struct ksspi_token_info ti;
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	char name[KSSPI_NAME_MAX + 1];
	uint32_t *tgroups;
	gid_t *groups;
	int dev, ret, n, i;

	if (no_args(argc, argv))
		return 0;
	dev = open_device();
	ret = get_token_info(dev, true, &ti, &tgroups, name);
	if (ret && ret != -ENOENT)
		errx(EX_OSERR, "KSSPI_IOC_WHOAMI: %s", strerror(-ret));
	getresuid(&ruid, &euid, &suid);
	getresgid(&rgid, &egid, &sgid);
	n = getgroups(0, NULL);
	groups = xmalloc(sizeof(gid_t) * (n > 0 ? n : 1));
	n = getgroups(n, groups);
	if (n < 0)
		n = 0;

	if (json) {
		printf("{\"uid\":%u,\"user\":", (unsigned int)ruid);
		json_string(user_name(ruid));
		printf(",\"euid\":%u,\"gid\":%u,\"egid\":%u,\"groups\":[",
		       (unsigned int)euid, (unsigned int)rgid,
		       (unsigned int)egid);
		for (i = 0; i < n; i++)
			printf("%s%u", i ? "," : "", (unsigned int)groups[i]);
		fputs("],\"impersonating\":", stdout);
		if (ret)
			fputs("null", stdout);
		else
			json_token(&ti, tgroups, name);
		puts("}");
	} else {
		printf("uid=");
		put_id(ruid, user_name(ruid));
		if (euid != ruid) {
			printf(" euid=");
			put_id(euid, user_name(euid));
		}
		printf(" gid=");
		put_id(rgid, group_name(rgid));
		if (egid != rgid) {
			printf(" egid=");
			put_id(egid, group_name(egid));
		}
		printf(" groups=");
		for (i = 0; i < n; i++) {
			if (i)
				putchar(',');
			put_id(groups[i], group_name(groups[i]));
		}
		if (!n)
			putchar('-');
		putchar('\n');
		if (ret) {
			puts("ksspi: not impersonating");
		} else {
			printf("ksspi: impersonating ");
			print_token(&ti, tgroups, name);
		}
	}
	free(groups);
	free(tgroups);
	close(dev);
	return 0;
}

/* ---- test-local ------------------------------------------------------- */

static void leg_report(int leg, const char *role, int32_t st, size_t in_len,
		       size_t out_len)
{
	printf("leg %d  %-9s  %-28s 0x%08" PRIx32 "  in %zu bytes, out %zu bytes\n",
	       leg, role, ksspi_status_string(st), (uint32_t)st, in_len,
	       out_len);
}

static bool is_root_identity(void)
{
	gid_t *g;
	int n, i;
	bool root = geteuid() == 0 || getegid() == 0;

	n = getgroups(0, NULL);
	if (n <= 0)
		return root;
	g = xmalloc(sizeof(gid_t) * n);
	n = getgroups(n, g);
	for (i = 0; i < n; i++)
		root |= g[i] == 0;
	free(g);
	return root;
}

/* Says what a failed status usually means for the local package. */
static void hint(int32_t st, bool acceptor)
{
	char *allow_root;

	switch (st) {
	case SEC_E_LOGON_DENIED:
		if (!acceptor || !is_root_identity())
			break;
		allow_root = module_param("allow_root");
		if (!allow_root || strcmp(allow_root, "Y"))
			warnx("hint: the kernel makes no token for uid 0, gid 0 or group 0 while the module parameter allow_root is off (%s); run test-local as an ordinary user, e.g. 'setpriv --reuid=nobody --regid=nogroup --clear-groups ksspictl test-local'",
			      allow_root ? allow_root : "unknown");
		free(allow_root);
		break;
	case SEC_E_INSUFFICIENT_MEMORY:
		warnx("hint: the local package limits waiting tickets (module parameter local_max_tickets, a quarter per user); see 'ksspictl stats' for local_tickets_live");
		break;
	case SEC_E_CONTEXT_EXPIRED:
		warnx("hint: the ticket outlived the module parameter local_ticket_ms");
		break;
	case SEC_E_WRONG_PRINCIPAL:
		warnx("hint: the acceptor's principal is not the initiator's target");
		break;
	}
}

static const struct option test_local_opts[] = {
	{ "target", required_argument, NULL, 't' },
	{ "mutual", no_argument, NULL, 'm' },
	{ "level", required_argument, NULL, 'l' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void test_local_usage(FILE *f)
{
	fprintf(f,
		"Usage: ksspictl test-local [--target PRINCIPAL] [--mutual] [--level LEVEL]\n"
		"\n"
		"Authenticates this process to itself with the local package: acquires\n"
		"inbound credentials for PRINCIPAL (default uid:EUID) and outbound ones,\n"
		"runs every leg, queries names, flags and the token, impersonates the\n"
		"token and reverts.  LEVEL: anonymous, identification, impersonation\n"
		"(default) or delegation.  Run it as an ordinary user: the kernel makes\n"
		"no token for root unless allow_root is set.\n");
}

static int cmd_test_local(int argc, char **argv)
{
	uint8_t a[TOKBUF], b[TOKBUF];
	uint32_t isc_req = ISC_REQ_CONNECTION, asc_req = ASC_REQ_CONNECTION;
	uint32_t iflags = 0, aflags = 0, *groups = NULL;
	struct ksspi_context_info ci = {};
	struct ksspi_token_info ti, wi;
	char own[32], client[KSSPI_NAME_MAX + 1], server[KSSPI_NAME_MAX + 1];
	char name[KSSPI_NAME_MAX + 1], wname[KSSPI_NAME_MAX + 1];
	char cname[KSSPI_NAME_MAX + 1];
	const char *target = NULL, *role = "";
	int32_t ist = SEC_I_CONTINUE_NEEDED, ast = SEC_I_CONTINUE_NEEDED, st;
	size_t alen, blen = 0;
	int dev, acred, icred, ictx = -1, actx = -1, tok, ret, c, leg = 1;
	uint32_t *wgroups = NULL;
	char *s;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+t:ml:h", test_local_opts,
				NULL)) != -1) {
		switch (c) {
		case 't':
			target = optarg;
			break;
		case 'm':
			isc_req |= ISC_REQ_MUTUAL_AUTH;
			asc_req |= ASC_REQ_MUTUAL_AUTH;
			break;
		case 'l':
			isc_req &= ~(ISC_REQ_NULL_SESSION | ISC_REQ_IDENTIFY |
				     ISC_REQ_DELEGATE);
			asc_req &= ~ASC_REQ_ALLOW_NULL_SESSION;
			if (!strcmp(optarg, "anonymous")) {
				isc_req |= ISC_REQ_NULL_SESSION;
				asc_req |= ASC_REQ_ALLOW_NULL_SESSION;
			} else if (!strcmp(optarg, "identification")) {
				isc_req |= ISC_REQ_IDENTIFY;
			} else if (!strcmp(optarg, "delegation")) {
				isc_req |= ISC_REQ_DELEGATE;
			} else if (strcmp(optarg, "impersonation")) {
				errx(EX_USAGE,
				     "--level: anonymous, identification, impersonation or delegation, not '%s'",
				     optarg);
			}
			break;
		case 'h':
			test_local_usage(stdout);
			return 0;
		default:
			test_local_usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc)
		errx(EX_USAGE, "test-local: unexpected argument '%s'",
		     argv[optind]);
	if (json)
		errx(EX_USAGE, "test-local has no JSON output");

	snprintf(own, sizeof(own), "uid:%u", (unsigned int)geteuid());
	dev = open_device();
	acred = ksspi_acquire_credentials(dev, "local", SECPKG_CRED_INBOUND,
					  target, NULL);
	if (acred == -ENOPKG)
		errx(EX_UNAVAILABLE, "the loaded ksspi module has no 'local' package");
	if (acred == -EPERM)
		errx(EX_NOPERM,
		     "principal '%s' names another user: the local package lets uid %u claim only principals ending in %s",
		     target, (unsigned int)geteuid(), own);
	if (acred == -EINVAL)
		errx(EX_USAGE,
		     "malformed principal '%s': use uid:N or SERVICE/uid:N",
		     target);
	if (acred < 0)
		errx(EX_OSERR, "acquiring inbound credentials: %s",
		     strerror(-acred));
	icred = ksspi_acquire_credentials(dev, "local", SECPKG_CRED_OUTBOUND,
					  NULL, NULL);
	if (icred < 0)
		errx(EX_OSERR, "acquiring outbound credentials: %s",
		     strerror(-icred));
	if (!target)
		target = own;

	/* ISC_REQ_* and ISC_RET_* agree on the bits test-local asks for. */
	s = flags_string(isc_ret, isc_req);
	printf("test-local: uid %u, target %s, request %s\n",
	       (unsigned int)geteuid(), target, s);
	free(s);

	/* The SSPI loop, both sides in turn, tokens passed in memory. */
	while (leg <= MAX_LEGS) {
		alen = sizeof(a);
		errno = 0;
		ist = ksspi_initialize_security_context(icred, &ictx, target,
							isc_req,
							blen ? b : NULL, blen,
							a, &alen, &iflags);
		st = ist;
		role = "initiator";
		leg_report(leg++, role, ist, blen, alen);
		if (ist < 0)
			goto failed;
		blen = 0;
		if (alen) {
			blen = sizeof(b);
			errno = 0;
			ast = ksspi_accept_security_context(acred, &actx,
							    asc_req, a, alen,
							    b, &blen, &aflags);
			st = ast;
			role = "acceptor";
			leg_report(leg++, role, ast, alen, blen);
			if (ast < 0)
				goto failed;
		}
		if (ist == SEC_E_OK && (ast == SEC_E_OK || !alen))
			break;
		if (!blen) {
			warnx("the initiator needs another leg but the acceptor sent nothing");
			st = SEC_E_INTERNAL_ERROR;
			goto failed;
		}
	}
	if (ist != SEC_E_OK || ast != SEC_E_OK) {
		warnx("test-local failed: not established after %d legs",
		      leg - 1);
		return EXIT_CHECK_FAILED;
	}

	if (ksspi_query_native_names(ictx, cname, sizeof(cname), server,
				     sizeof(server)))
		strcpy(server, "?");
	ci.mask = KSSPI_ATTR(SECPKG_ATTR_NAMES) |
		  KSSPI_ATTR(SECPKG_ATTR_ACCESS_TOKEN) |
		  KSSPI_ATTR(SECPKG_ATTR_LIFESPAN);
	ci.name = (uintptr_t)client;
	ci.name_size = sizeof(client);
	ret = ksspi_query_context(actx, &ci);
	if (ret || !(ci.mask & KSSPI_ATTR(SECPKG_ATTR_NAMES)))
		strcpy(client, "?");
	printf("client:     %s (initiator says %s)\n", client, cname);
	printf("server:     %s\n", server);
	printf("level:      %s\n",
	       ci.mask & KSSPI_ATTR(SECPKG_ATTR_ACCESS_TOKEN) ?
	       ksspi_level_string(ci.level) : "?");
	s = flags_string(isc_ret, iflags);
	printf("initiator:  %s\n", s);
	free(s);
	s = flags_string(asc_ret, aflags);
	printf("acceptor:   %s\n", s);
	free(s);
	s = time_cell(ci.mask & KSSPI_ATTR(SECPKG_ATTR_LIFESPAN) ? ci.expiry :
								  0);
	printf("expires:    %s\n", s);
	free(s);

	tok = ksspi_query_security_context_token(actx);
	if (tok < 0) {
		warnx("QuerySecurityContextToken: %s", strerror(-tok));
		return EXIT_CHECK_FAILED;
	}
	ret = get_token_info(tok, false, &ti, &groups, name);
	if (ret) {
		warnx("KSSPI_IOC_QUERY_TOKEN: %s", strerror(-ret));
		return EXIT_CHECK_FAILED;
	}
	printf("token:      ");
	print_token(&ti, groups, name);

	/*
	 * Impersonate the token (our own identity: always allowed), revert.
	 * Below impersonation level user threads are refused: the anonymous
	 * credentials those levels install exist for in-kernel callers only.
	 */
	st = ksspi_impersonate(tok);
	if (ti.level < SECURITY_IMPERSONATION && st == SEC_E_NO_IMPERSONATION) {
		printf("impersonate: %s (expected: user threads cannot take anonymous credentials)\n",
		       ksspi_status_string(st));
		printf("test-local: ok\n");
		return 0;
	}
	if (st != SEC_E_OK) {
		printf("impersonate: %s\n", ksspi_status_string(st));
		warnx("test-local failed: impersonating the token gave %s",
		      ksspi_status_string(st));
		return EXIT_CHECK_FAILED;
	}
	ret = get_token_info(dev, true, &wi, &wgroups, wname);
	printf("impersonate: SEC_E_OK, thread ran as uid %u (euid %u), whoami %s\n",
	       (unsigned int)getuid(), (unsigned int)geteuid(),
	       ret ? strerror(-ret) : wname);
	st = ksspi_revert(dev);
	printf("revert:     %s, back to uid %u\n", ksspi_status_string(st),
	       (unsigned int)geteuid());
	if (st != SEC_E_OK) {
		/* Never go on with someone else's credentials. */
		errx(EXIT_CHECK_FAILED, "test-local failed: revert gave %s",
		     ksspi_status_string(st));
	}
	free(groups);
	free(wgroups);
	close(tok);
	if (actx >= 0)
		close(actx);
	if (ictx >= 0)
		close(ictx);
	close(icred);
	close(acred);
	close(dev);
	puts("test-local: ok");
	return 0;

failed:
	warnx("test-local failed: %s leg gave %s (0x%08" PRIx32 ")", role,
	      ksspi_status_string(st), (uint32_t)st);
	if (errno && st == SEC_E_INTERNAL_ERROR)
		warnx("last error: %s", strerror(errno));
	hint(st, !strcmp(role, "acceptor"));
	return EXIT_CHECK_FAILED;
}

/* ---- test-kerberos ---------------------------------------------------- */

/*
 * Exit codes of test-kerberos, by who has to act:
 * EXIT_CHECK_FAILED (1)  the user's credentials were refused or missing;
 * EX_NOPERM (77)         the caller may not read the keytab/ccache named;
 * EX_CONFIG (78)         this system is set up wrong: request-key, the
 *                        helper, the keytab's keys, the KDC, the clock,
 *                        the SPN, the principal mapping;
 * EX_UNAVAILABLE (69)    the module (or its kerberos package) is missing.
 */

/* The request-key line that runs the helper for key type "ksspi". */
struct rk_line {
	char file[PATH_MAX];
	char program[PATH_MAX];
	unsigned int lineno;
};

static bool rk_scan_file(const char *path, struct rk_line *rk)
{
	char line[4096], op[64], type[64], desc[256], info[256], prog[PATH_MAX];
	unsigned int lineno = 0;
	FILE *f = fopen(path, "re");
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t");

		lineno++;
		if (*p == '#' || *p == '\n' || !*p)
			continue;
		if (sscanf(p, "%63s %63s %255s %255s %4095s", op, type, desc,
			   info, prog) != 5)
			continue;
		if (strcmp(op, "create") ||
		    (strcmp(type, "ksspi") && strcmp(type, "*")))
			continue;
		snprintf(rk->file, sizeof(rk->file), "%s", path);
		snprintf(rk->program, sizeof(rk->program), "%s", prog);
		rk->lineno = lineno;
		found = true;
	}
	fclose(f);
	return found;
}

/*
 * Where request-key(8) would find its instruction for a "ksspi" key:
 * /etc/request-key.d/ksspi.conf, the other *.conf files there, then
 * /etc/request-key.conf.  KSSPI_REQUEST_KEY_DIR moves the directory (for
 * tests that cannot bind-mount).
 */
static bool rk_find(struct rk_line *rk)
{
	const char *dir = getenv("KSSPI_REQUEST_KEY_DIR");
	char path[PATH_MAX + 300];
	struct dirent *de;
	struct stat st;
	bool found = false;
	DIR *d;

	if (!dir || !*dir)
		dir = "/etc/request-key.d";
	snprintf(path, sizeof(path), "%s/ksspi.conf", dir);
	if (rk_scan_file(path, rk))
		return true;
	d = opendir(dir);
	while (d && !found && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n < 6 || strcmp(de->d_name + n - 5, ".conf"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!stat(path, &st) && S_ISREG(st.st_mode))
			found = rk_scan_file(path, rk);
	}
	if (d)
		closedir(d);
	return found || rk_scan_file("/etc/request-key.conf", rk);
}

/*
 * The helper's configuration, checked by the helper's own parser: while it
 * is bad the helper refuses every request (and negates it, which a caller
 * sees as ENOKEY, like missing credentials).  Only when it can be read:
 * an unprivileged caller may not be able to, and the helper (root) can.
 * KSSPI_UPCALL_CONFIG names another file (for tests).
 */
static bool config_diagnose(void)
{
	const char *path = getenv("KSSPI_UPCALL_CONFIG");
	struct kup_config cfg;
	char err[KUP_PATH_MAX + 128];

	if (!path || !*path)
		path = KUP_CONFIG_PATH;
	if (access(path, R_OK) && errno != ENOENT)
		return false;
	if (!kup_config_load(path, 0, &cfg, err, sizeof(err)))
		return false;
	warnx("cause: the helper refuses its configuration: %s", err);
	warnx("fix: correct %s (owned by root, not group/world-writable, only the keys of ksspi.conf(5)); the helper reads it on every request, nothing to restart",
	      path);
	return true;
}

/*
 * Says what is wrong with the request-key configuration, if anything.
 * Returns true when it found a fault (and said so).
 */
static bool rk_diagnose(void)
{
	struct rk_line rk;
	struct stat st;

	if (!rk_find(&rk)) {
		warnx("cause: helper not configured in /etc/request-key.d: no 'create ksspi ...' line in /etc/request-key.d/*.conf or /etc/request-key.conf, so the kernel's upcall finds no authenticating authority");
		warnx("fix: install /etc/request-key.d/ksspi.conf with the line 'create ksspi * * /usr/local/sbin/ksspi-upcall %%k' ('make install' does), adjusting the path to where ksspi-upcall is");
		return true;
	}
	if (rk.program[0] != '/') {
		warnx("cause: %s:%u runs '%s', not an absolute path; request-key needs one",
		      rk.file, rk.lineno, rk.program);
		warnx("fix: name the helper by its absolute path, e.g. /usr/local/sbin/ksspi-upcall");
		return true;
	}
	if (stat(rk.program, &st) || !S_ISREG(st.st_mode) ||
	    access(rk.program, X_OK)) {
		warnx("cause: helper not executable: %s:%u names %s (%s)",
		      rk.file, rk.lineno, rk.program,
		      errno ? strerror(errno) : "not a regular file");
		warnx("fix: install ksspi-upcall there (mode 0755, owned by root) or correct the line in %s",
		      rk.file);
		return true;
	}
	if (verbose)
		warnx("request-key: %s:%u runs %s", rk.file, rk.lineno,
		      rk.program);
	return config_diagnose();
}

/* Failed upcalls by reason (debugfs, root only): a snapshot to diff. */
struct failures {
	int n;
	long long count[32];
	char why[32][96];
};

static void failures_read(struct failures *fs)
{
	char *path = xasprintf("%s/ksspi/upcall_failures", debugfs_root());
	char line[160];
	FILE *f = fopen(path, "re");

	fs->n = -1;
	free(path);
	if (!f)
		return;
	fs->n = 0;
	while (fs->n < 32 && fgets(line, sizeof(line), f)) {
		char *sp;

		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = 0;
		sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = 0;
		fs->count[fs->n] = strtoll(line, NULL, 10);
		snprintf(fs->why[fs->n], sizeof(fs->why[0]), "%s", sp + 1);
		fs->n++;
	}
	fclose(f);
}

/* The reason whose count grew since @before, or NULL (unknown/unreadable). */
static const char *failures_new(const struct failures *before)
{
	static struct failures now;
	int i, j;

	if (before->n < 0)
		return NULL;
	failures_read(&now);
	for (i = 0; i < now.n; i++) {
		long long old = 0;

		for (j = 0; j < before->n; j++)
			if (!strcmp(before->why[j], now.why[i]))
				old = before->count[j];
		if (now.count[i] > old)
			return now.why[i];
	}
	return NULL;
}

struct tk_opts {
	const char *package;
	const char *ccache;
	const char *keytab;
	const char *principal;	/* the acceptor's, NULL: any in the keytab */
	const char *target;
	bool ccache_from_env;
};

/*
 * The helper failed (no authenticating authority, EHOSTUNREACH,
 * ETIMEDOUT, EPROTO): find out why, from the request-key configuration
 * and the kernel's count of failure reasons.
 */
static int explain_no_authority(const char *target, const char *why,
				bool timed_out)
{
	char *ms;

	if (rk_diagnose())
		return EX_CONFIG;
	if (timed_out || (why && !strcmp(why, "deadline passed"))) {
		ms = module_param("upcall_timeout_ms");
		warnx("cause: helper timed out: ksspi-upcall did not answer within upcall_timeout_ms (%s ms); a slow or unreachable KDC, DNS, or an overloaded system",
		      ms ? ms : "?");
		warnx("fix: check that the KDC answers quickly (kinit, kvno), then raise the module parameter: echo 30000 > /sys/module/ksspi/parameters/upcall_timeout_ms");
		free(ms);
		return EX_CONFIG;
	}
	if (why && (!strcmp(why, "cannot run /sbin/request-key") ||
		    !strcmp(why, "the helper exited without answering"))) {
		warnx("cause: the helper did not run or died (%s)", why);
		warnx("fix: run the helper's command line by hand, and see its log: journalctl -t ksspi-upcall (or /var/log/auth.log)");
		return EX_CONFIG;
	}
	warnx("cause: no authenticating authority: the helper could not reach a KDC for the realm%s%s%s",
	      why ? " (kernel: " : "", why ? why : "", why ? ")" : "");
	warnx("fix: check the realm's 'kdc =' in /etc/krb5.conf, that krb5kdc runs and the firewall lets port 88 through (try 'kvno %s' as the user); the helper's log says more (journalctl -t ksspi-upcall)",
	      target);
	return EX_CONFIG;
}

/* An AcquireCredentialsHandle failure: what it means, the exit code. */
static int explain_acquire(const struct tk_opts *o, bool inbound, int e,
			   const struct failures *before)
{
	const char *what = inbound ? "keytab" : "credential cache";
	const char *name = inbound ? (o->keytab ? o->keytab :
				      "the default keytab (/etc/krb5.keytab)") :
			   (o->ccache ? o->ccache : "the default ccache");

	warnx("test-kerberos failed: acquiring %s credentials: %s",
	      inbound ? "inbound (acceptor)" : "outbound (initiator)",
	      strerror(e));
	switch (e) {
	case ENOPKG:
		warnx("cause: the loaded ksspi module has no '%s' package",
		      o->package);
		warnx("fix: load a ksspi module built with Kerberos (ksspictl packages lists what it has)");
		return EX_UNAVAILABLE;
	case EACCES:
	case EPERM:
		warnx("cause: %s unreadable: the helper opens %s with your ids (uid %u), and you may not read it",
		      what, name, (unsigned int)geteuid());
		if (inbound)
			warnx("fix: run as the service's user, or give that user a keytab of its own (ktutil, or 'kadmin ktadd -k FILE SPN') readable by it only; never make /etc/krb5.keytab world-readable");
		else
			warnx("fix: name a ccache of your own (--ccache), or kinit again");
		return EX_NOPERM;
	case ENOKEY:
		if (config_diagnose())
			return EX_CONFIG;
		if (inbound) {
			warnx("cause: no key: %s holds no key%s%s", name,
			      o->principal ? " for " : "",
			      o->principal ? o->principal : "");
			warnx("fix: export the service key: kadmin -q 'ktadd -k KEYTAB SPN', and check with 'klist -k KEYTAB'");
		} else {
			warnx("cause: no credentials: %s holds no valid ticket-granting ticket (missing, empty or expired)",
			      name);
			warnx("fix: run kinit (or kinit -k -t KEYTAB PRINCIPAL), then check with klist%s",
			      o->ccache ? "" : "; note that the helper does not see KRB5CCNAME: pass --ccache");
		}
		return EXIT_CHECK_FAILED;
	case EHOSTUNREACH:
	case ETIMEDOUT:
	case EPROTO:
		return explain_no_authority(o->target, failures_new(before),
					    e == ETIMEDOUT);
	case EBADMSG:
		warnx("cause: the helper answered with a malformed response (a helper from another release?)");
		warnx("fix: install ksspi-upcall from the same release as the module");
		return EX_CONFIG;
	case EINVAL:
		warnx("cause: the package rejected a name (too long, or a ccache/keytab for a package that takes none)");
		return EX_USAGE;
	}
	return EXIT_CHECK_FAILED;
}

/* The client principal of the ccache the initiator used, for diagnosis. */
static bool ccache_client(const char *ccname, char *out, size_t size)
{
	krb5_context k;
	krb5_ccache cc;
	krb5_principal p;
	char *s;
	bool ok = false;

	if (krb5_init_context(&k))
		return false;
	if (!(ccname ? krb5_cc_resolve(k, ccname, &cc) :
		       krb5_cc_default(k, &cc))) {
		if (!krb5_cc_get_principal(k, cc, &p)) {
			if (!krb5_unparse_name(k, p, &s)) {
				snprintf(out, size, "%s", s);
				krb5_free_unparsed_name(k, s);
				ok = true;
			}
			krb5_free_principal(k, p);
		}
		krb5_cc_close(k, cc);
	}
	krb5_free_context(k);
	return ok;
}

/*
 * auth_to_local and passwd for @client: 0 mapped to an ordinary account,
 * 1 no local name, 2 no passwd entry, 3 root.  @local gets the name.
 */
static int map_client(const char *client, char *local, size_t size)
{
	krb5_context k;
	krb5_principal p;
	struct passwd *pw;
	int ret = 1;

	local[0] = 0;
	if (krb5_init_context(&k))
		return -1;
	if (!krb5_parse_name(k, client, &p)) {
		if (!krb5_aname_to_localname(k, p, size, local)) {
			pw = getpwnam(local);
			ret = !pw ? 2 : (pw->pw_uid == 0 || pw->pw_gid == 0) ?
			      3 : 0;
		}
		krb5_free_principal(k, p);
	}
	krb5_free_context(k);
	return ret;
}

/*
 * The service ticket the initiator got for @target: its key version and
 * enctype, and whether the acceptor's keytab has that key.  Returns 1
 * for a mismatch (and says so), 0 for a match, -1 when it cannot tell.
 */
static int check_kvno(const struct tk_opts *o, const char *client)
{
	krb5_context k;
	krb5_ccache cc = NULL;
	krb5_keytab kt = NULL;
	krb5_creds in = {}, *out = NULL;
	krb5_ticket *tkt = NULL;
	krb5_keytab_entry ent;
	krb5_error_code ke;
	char ktname[PATH_MAX];
	int ret = -1;

	if (krb5_init_context(&k))
		return -1;
	if ((o->ccache ? krb5_cc_resolve(k, o->ccache, &cc) :
			 krb5_cc_default(k, &cc)) ||
	    krb5_parse_name(k, client, &in.client) ||
	    krb5_parse_name(k, o->target, &in.server) ||
	    krb5_get_credentials(k, KRB5_GC_CACHED, cc, &in, &out) ||
	    krb5_decode_ticket(&out->ticket, &tkt))
		goto out;
	if (o->keytab ? krb5_kt_resolve(k, o->keytab, &kt) :
			krb5_kt_default(k, &kt))
		goto out;
	if (krb5_kt_get_name(k, kt, ktname, sizeof(ktname)))
		snprintf(ktname, sizeof(ktname), "the keytab");
	ke = krb5_kt_get_entry(k, kt, tkt->server, tkt->enc_part.kvno,
			       tkt->enc_part.enctype, &ent);
	if (!ke) {
		krb5_free_keytab_entry_contents(k, &ent);
		ret = 0;
	} else if (ke == KRB5_KT_KVNONOTFOUND || ke == KRB5_KT_NOTFOUND) {
		warnx("cause: wrong service key: the KDC issued the ticket for %s with key version (kvno) %u, and %s has no such key: the keytab is stale (the key was changed after it was exported)",
		      o->target, (unsigned int)tkt->enc_part.kvno, ktname);
		warnx("fix: re-export the keytab: kadmin -q 'ktadd -k %s %s' (this makes a new key; or ktadd -norandkey with kadmin.local), then compare 'klist -k -K' with 'kvno %s'",
		      ktname, o->target, o->target);
		ret = 1;
	}
out:
	if (tkt)
		krb5_free_ticket(k, tkt);
	if (out)
		krb5_free_creds(k, out);
	krb5_free_principal(k, in.client);
	krb5_free_principal(k, in.server);
	if (kt)
		krb5_kt_close(k, kt);
	if (cc)
		krb5_cc_close(k, cc);
	krb5_free_context(k);
	return ret;
}

/* @a and @b name the same principal, with or without "@REALM". */
static bool same_service(const char *a, const char *b)
{
	size_t la = strcspn(a, "@"), lb = strcspn(b, "@");

	return la == lb && !strncmp(a, b, la);
}

/* A failed leg: what the status means here, the exit code. */
static int explain_status(const struct tk_opts *o, bool acceptor, int32_t st,
			  const struct failures *before)
{
	char client[512], local[256], *ar;
	int m;

	switch (st) {
	case SEC_E_NO_CREDENTIALS:
		warnx("cause: no credentials: %s has no usable ticket-granting ticket",
		      o->ccache ? o->ccache : "the default ccache");
		warnx("fix: run kinit, then check with klist");
		return EXIT_CHECK_FAILED;
	case SEC_E_CONTEXT_EXPIRED:
		warnx("cause: the ticket expired");
		warnx("fix: run kinit again (or kinit -R to renew)");
		return EXIT_CHECK_FAILED;
	case SEC_E_TIME_SKEW:
		warnx("cause: clock skew: the clocks of the client, the KDC and this host differ by more than the realm's clockskew (usually 300 s)");
		warnx("fix: synchronise the clocks (NTP: timedatectl, chronyc tracking); then kinit again, as a ccache records the KDC's time offset");
		return EX_CONFIG;
	case SEC_E_TARGET_UNKNOWN:
		warnx("cause: target unknown: the KDC has no principal %s",
		      o->target);
		warnx("fix: check the spelling (SERVICE/fully.qualified.host) or create it: kadmin -q 'addprinc -randkey %s', then export its key to the server's keytab",
		      o->target);
		return EX_CONFIG;
	case SEC_E_NO_AUTHENTICATING_AUTHORITY:
		return explain_no_authority(o->target, failures_new(before),
					    false);
	case SEC_E_LOGON_DENIED:
		if (!acceptor)
			break;
		if (o->principal && !same_service(o->principal, o->target))
			return explain_status(o, acceptor,
					      SEC_E_WRONG_PRINCIPAL, before);
		if (ccache_client(o->ccache, client, sizeof(client))) {
			m = map_client(client, local, sizeof(local));
			if (m == 1 || m == 2) {
				warnx("cause: principal unmapped: %s %s",
				      client, m == 1 ?
				      "has no local name under auth_to_local" :
				      "maps (auth_to_local) to a user with no passwd entry");
				if (m == 2)
					warnx("(local name '%s')", local);
				warnx("fix: add the account (useradd, or your directory: getent passwd NAME), or an auth_to_local rule in the realm's section of /etc/krb5.conf; or set 'unmapped = anonymous' in /etc/ksspi/upcall.conf");
				return EX_CONFIG;
			}
			if (m == 3) {
				ar = module_param("allow_root");
				warnx("cause: %s maps to root (%s), and ksspi makes no token for uid 0 or gid 0 (module parameter allow_root=%s)",
				      client, local, ar ? ar : "?");
				warnx("fix: authenticate as an ordinary user; only if root logins are really wanted, set allow_root = yes in /etc/ksspi/upcall.conf and allow_root=1 on the module");
				free(ar);
				return EX_CONFIG;
			}
			if (check_kvno(o, client) == 1)
				return EX_CONFIG;
		}
		warnx("cause: logon denied: the acceptor refused the ticket: a wrong service key (kvno mismatch: re-export the keytab), a replay, or a principal that does not map to a local account (auth_to_local, passwd)");
		warnx("fix: compare 'kvno %s' with 'klist -k -K KEYTAB'; check 'getent passwd' for the client's local name; the helper's log names the reason (journalctl -t ksspi-upcall)",
		      o->target);
		return EXIT_CHECK_FAILED;
	case SEC_E_NOT_OWNER:
		warnx("cause: keytab unreadable: the helper, running with your ids (uid %u), may not read %s",
		      (unsigned int)geteuid(),
		      o->keytab ? o->keytab : "the default keytab");
		warnx("fix: run as the service's user, or give it a keytab of its own, readable by it only");
		return EX_NOPERM;
	case SEC_E_WRONG_PRINCIPAL:
		warnx("cause: the ticket is for %s, but the acceptor accepts only as %s",
		      o->target, o->principal ? o->principal : "another principal");
		warnx("fix: make TARGET and --principal the same service principal");
		return EX_USAGE;
	case SEC_E_MUTUAL_AUTH_FAILED:
		warnx("cause: mutual authentication failed: the acceptor's reply did not verify");
		return EXIT_CHECK_FAILED;
	case SEC_E_INVALID_TOKEN:
		warnx("cause: the %s rejected the token as malformed (mixed packages or releases?)",
		      acceptor ? "acceptor" : "initiator");
		return EXIT_CHECK_FAILED;
	}
	warnx("cause: authentication failed (%s)", ksspi_status_string(st));
	return EXIT_CHECK_FAILED;
}

static const struct option test_krb_opts[] = {
	{ "package", required_argument, NULL, 'p' },
	{ "ccache", required_argument, NULL, 'c' },
	{ "keytab", required_argument, NULL, 'k' },
	{ "principal", required_argument, NULL, 'P' },
	{ "listen", required_argument, NULL, 'L' },
	{ "connect", required_argument, NULL, 'C' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/*
 * Two hosts: test-kerberos --listen [ADDR:]PORT is the acceptor only,
 * test-kerberos --connect HOST:PORT TARGET the initiator only; they send
 * each other every leg's status and token over TCP, framed as a 4-byte
 * status and a 4-byte length (network order) and the token.
 */
enum tk_mode { TK_LOOPBACK, TK_INITIATOR, TK_ACCEPTOR };

#define TK_IO_TIMEOUT	120	/* seconds a peer may take for one leg */

static int tk_full(int fd, void *buf, size_t len, bool out)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = out ? send(fd, p, len, MSG_NOSIGNAL) :
				  recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -ECONNRESET;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void tk_send(int fd, int32_t status, const void *tok, size_t len)
{
	uint32_t hdr[2] = { htonl((uint32_t)status), htonl((uint32_t)len) };
	int ret = tk_full(fd, hdr, sizeof(hdr), true);

	if (!ret && len)
		ret = tk_full(fd, (void *)tok, len, true);
	if (ret)
		errx(EXIT_CHECK_FAILED, "test-kerberos failed: sending to the peer: %s",
		     strerror(-ret));
}

static void tk_recv(int fd, int32_t *status, void *tok, size_t size,
		    size_t *len)
{
	uint32_t hdr[2];
	int ret = tk_full(fd, hdr, sizeof(hdr), false);

	if (!ret && ntohl(hdr[1]) > size)
		ret = -EMSGSIZE;
	if (!ret)
		ret = tk_full(fd, tok, ntohl(hdr[1]), false);
	if (ret)
		errx(EXIT_CHECK_FAILED, "test-kerberos failed: receiving from the peer: %s%s",
		     strerror(-ret), ret == -EAGAIN ?
		     " (no answer within 120 s)" : "");
	*status = (int32_t)ntohl(hdr[0]);
	*len = ntohl(hdr[1]);
}

/* "HOST:PORT", "PORT" (listen: any address); the last ':' splits. */
static int tk_socket(const char *spec, bool listening)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai, *r;
	struct timeval tv = { .tv_sec = TK_IO_TIMEOUT };
	char *buf = xasprintf("%s", spec), *host = buf;
	char *port = strrchr(buf, ':');
	int fd = -1, one = 1, e;

	if (port) {
		*port++ = 0;
	} else if (listening) {
		port = buf;
		host = NULL;
	} else {
		errx(EX_USAGE, "--connect: HOST:PORT, not '%s'", spec);
	}
	if (listening)
		hints.ai_flags = AI_PASSIVE;
	e = getaddrinfo(host && *host ? host : NULL, port, &hints, &ai);
	if (e)
		errx(EX_USAGE, "%s: %s", spec, gai_strerror(e));
	for (r = ai; r && fd < 0; r = r->ai_next) {
		fd = socket(r->ai_family, r->ai_socktype | SOCK_CLOEXEC,
			    r->ai_protocol);
		if (fd < 0)
			continue;
		if (listening) {
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
				   sizeof(one));
			if (!bind(fd, r->ai_addr, r->ai_addrlen) &&
			    !listen(fd, 1))
				break;
		} else if (!connect(fd, r->ai_addr, r->ai_addrlen)) {
			break;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	free(buf);
	if (fd < 0)
		err(EX_UNAVAILABLE, "test-kerberos: %s %s",
		    listening ? "listen on" : "connect to", spec);
	if (listening) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		char num[NI_MAXSERV] = "?";
		int conn;

		if (!getsockname(fd, (struct sockaddr *)&ss, &sl))
			getnameinfo((struct sockaddr *)&ss, sl, NULL, 0, num,
				    sizeof(num), NI_NUMERICSERV);
		printf("listening on port %s\n", num);
		fflush(stdout);
		conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0)
			err(EX_UNAVAILABLE, "test-kerberos: accept");
		close(fd);
		fd = conn;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void test_krb_usage(FILE *f)
{
	fprintf(f,
		"Usage: ksspictl test-kerberos [--package kerberos|negotiate] [--ccache NAME]\n"
		"                              [--keytab NAME] [--principal SPN] TARGET\n"
		"       ksspictl test-kerberos [--package P] [--keytab NAME] [--principal SPN]\n"
		"                              --listen [ADDR:]PORT\n"
		"       ksspictl test-kerberos [--package P] [--ccache NAME] --connect HOST:PORT\n"
		"                              TARGET\n"
		"\n"
		"Authenticates to TARGET (a service principal, e.g. host/server.example.com)\n"
		"with the ccache NAME (default: KRB5CCNAME if set, else your default ccache)\n"
		"and accepts the ticket with the keytab NAME (default /etc/krb5.keytab), both\n"
		"through the module and the helper, as this user.  Prints each step, the\n"
		"client, its local uid, gid and groups and the token's level; on failure,\n"
		"the cause and the fix.  Exit status: 0 ok, 1 authentication failed (the\n"
		"user's credentials), 69 ksspi not loaded, 77 keytab or ccache unreadable,\n"
		"78 misconfigured (request-key, helper, keytab, KDC, clock, mapping).\n"
		"With --listen it is only the acceptor (the server host: it prints\n"
		"\"listening on port N\" and serves one initiator), with --connect only the\n"
		"initiator (the client host); the two exchange the legs over TCP and each\n"
		"explains its own side's failures.\n");
}

static int cmd_test_kerberos(int argc, char **argv)
{
	uint8_t a[65536], b[65536];
	uint32_t isc_req = ISC_REQ_CONNECTION | ISC_REQ_MUTUAL_AUTH;
	uint32_t asc_req = ASC_REQ_CONNECTION | ASC_REQ_MUTUAL_AUTH;
	uint32_t iflags = 0, aflags = 0, *groups = NULL;
	struct tk_opts o = { .package = "kerberos" };
	struct ksspi_context_info ci = {};
	struct ksspi_token_info ti;
	struct failures before;
	char client[KSSPI_NAME_MAX + 1], name[KSSPI_NAME_MAX + 1];
	int32_t ist = SEC_I_CONTINUE_NEEDED, ast = SEC_I_CONTINUE_NEEDED, st;
	int64_t iexp = 0, aexp = 0;
	size_t alen, blen = 0;
	int dev, acred = -1, icred = -1, ictx = -1, actx = -1, tok, ret, c;
	int leg = 1, peer = -1;
	enum tk_mode mode = TK_LOOPBACK;
	const char *role = "", *addr = NULL;
	char *s;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:c:k:P:h", test_krb_opts,
				NULL)) != -1) {
		switch (c) {
		case 'p':
			if (strcmp(optarg, "kerberos") &&
			    strcmp(optarg, "negotiate"))
				errx(EX_USAGE,
				     "--package: kerberos or negotiate, not '%s'",
				     optarg);
			o.package = optarg;
			break;
		case 'c':
			o.ccache = optarg;
			break;
		case 'k':
			o.keytab = optarg;
			break;
		case 'P':
			o.principal = optarg;
			break;
		case 'L':
		case 'C':
			if (mode != TK_LOOPBACK)
				errx(EX_USAGE, "--listen or --connect, once");
			mode = c == 'L' ? TK_ACCEPTOR : TK_INITIATOR;
			addr = optarg;
			break;
		case 'h':
			test_krb_usage(stdout);
			return 0;
		default:
			test_krb_usage(stderr);
			return EX_USAGE;
		}
	}
	if (mode == TK_ACCEPTOR ? optind != argc : optind + 1 != argc) {
		test_krb_usage(stderr);
		errx(EX_USAGE, mode == TK_ACCEPTOR ?
		     "test-kerberos --listen: no TARGET (the initiator names it)" :
		     "test-kerberos: give exactly one TARGET");
	}
	if (json)
		errx(EX_USAGE, "test-kerberos has no JSON output");
	/* The acceptor does not know the target: the SPN, for the advice. */
	if (mode == TK_ACCEPTOR)
		o.target = o.principal ? o.principal : "SPN";
	else
		o.target = argv[optind];
	if (!o.ccache && getenv("KRB5CCNAME") && *getenv("KRB5CCNAME")) {
		/* The helper never sees our environment: name it for it. */
		o.ccache = getenv("KRB5CCNAME");
		o.ccache_from_env = true;
	}

	dev = open_device();
	printf("test-kerberos: uid %u, package %s, target %s\n",
	       (unsigned int)geteuid(), o.package, o.target);
	printf("ccache:     %s%s\n",
	       o.ccache ? o.ccache : "(the default for this uid)",
	       o.ccache_from_env ? " (from KRB5CCNAME)" : "");
	printf("keytab:     %s%s%s\n",
	       o.keytab ? o.keytab : "(the helper's default, /etc/krb5.keytab)",
	       o.principal ? ", principal " : "",
	       o.principal ? o.principal : "");

	if (mode != TK_ACCEPTOR) {
		failures_read(&before);
		icred = ksspi_acquire_credentials_from(dev, o.package,
						       SECPKG_CRED_OUTBOUND,
						       NULL, o.ccache, NULL,
						       &iexp);
		if (icred < 0)
			return explain_acquire(&o, false, -icred, &before);
		s = time_cell(iexp);
		printf("acquire outbound (initiator): ok, tickets valid until %s\n",
		       s);
		free(s);
	}
	if (mode != TK_INITIATOR) {
		failures_read(&before);
		acred = ksspi_acquire_credentials_from(dev, o.package,
						       SECPKG_CRED_INBOUND,
						       o.principal, NULL,
						       o.keytab, &aexp);
		if (acred < 0)
			return explain_acquire(&o, true, -acred, &before);
		printf("acquire inbound (acceptor): ok\n");
	}
	if (mode != TK_LOOPBACK)
		peer = tk_socket(addr, mode == TK_ACCEPTOR);

	while (leg <= MAX_LEGS) {
		role = "initiator";
		if (mode == TK_ACCEPTOR) {
			tk_recv(peer, &ist, a, sizeof(a), &alen);
			st = ist;
			leg_report(leg++, "initiator (peer)", ist, blen, alen);
			if (ist < 0) {
				warnx("test-kerberos failed: the initiator's leg gave %s (0x%08" PRIx32 "); see its own report",
				      ksspi_status_string(ist), (uint32_t)ist);
				return EXIT_CHECK_FAILED;
			}
		} else {
			alen = sizeof(a);
			errno = 0;
			failures_read(&before);
			ist = ksspi_initialize_security_context(icred, &ictx,
								o.target,
								isc_req,
								blen ? b : NULL,
								blen, a, &alen,
								&iflags);
			st = ist;
			leg_report(leg++, role, ist, blen, alen);
			if (peer >= 0)
				tk_send(peer, ist, a, ist < 0 ? 0 : alen);
			if (ist < 0)
				goto failed;
		}
		blen = 0;
		if (alen) {
			role = "acceptor";
			if (mode == TK_INITIATOR) {
				tk_recv(peer, &ast, b, sizeof(b), &blen);
				st = ast;
				leg_report(leg++, "acceptor (peer)", ast, alen,
					   blen);
				if (ast < 0) {
					warnx("test-kerberos failed: the acceptor's leg gave %s (0x%08" PRIx32 "); see its own report",
					      ksspi_status_string(ast),
					      (uint32_t)ast);
					return EXIT_CHECK_FAILED;
				}
			} else {
				blen = sizeof(b);
				errno = 0;
				failures_read(&before);
				ast = ksspi_accept_security_context(acred,
								    &actx,
								    asc_req,
								    a, alen,
								    b, &blen,
								    &aflags);
				st = ast;
				leg_report(leg++, role, ast, alen, blen);
				if (peer >= 0)
					tk_send(peer, ast, b,
						ast < 0 ? 0 : blen);
				if (ast < 0)
					goto failed;
			}
		}
		if (ist == SEC_E_OK && (ast == SEC_E_OK || !alen))
			break;
		if (!blen) {
			warnx("test-kerberos failed: the initiator needs another leg but the acceptor sent nothing");
			return EXIT_CHECK_FAILED;
		}
	}
	if (ist != SEC_E_OK || ast != SEC_E_OK) {
		warnx("test-kerberos failed: not established after %d legs",
		      leg - 1);
		return EXIT_CHECK_FAILED;
	}
	if (peer >= 0)
		close(peer);
	if (mode == TK_INITIATOR) {
		s = flags_string(isc_ret, iflags);
		printf("initiator:  %s\n", s);
		free(s);
		close(ictx);
		close(icred);
		close(dev);
		puts("test-kerberos: ok (initiator)");
		return 0;
	}

	ci.mask = KSSPI_ATTR(SECPKG_ATTR_NAMES) |
		  KSSPI_ATTR(SECPKG_ATTR_ACCESS_TOKEN) |
		  KSSPI_ATTR(SECPKG_ATTR_LIFESPAN);
	ci.name = (uintptr_t)client;
	ci.name_size = sizeof(client);
	ret = ksspi_query_context(actx, &ci);
	if (ret || !(ci.mask & KSSPI_ATTR(SECPKG_ATTR_NAMES)))
		strcpy(client, "?");
	client[KSSPI_NAME_MAX] = 0;
	printf("client:     %s\n", client);
	if (mode == TK_LOOPBACK) {
		s = flags_string(isc_ret, iflags);
		printf("initiator:  %s\n", s);
		free(s);
	}
	s = flags_string(asc_ret, aflags);
	printf("acceptor:   %s\n", s);
	free(s);
	tok = ksspi_query_security_context_token(actx);
	if (tok < 0) {
		warnx("test-kerberos failed: QuerySecurityContextToken: %s",
		      strerror(-tok));
		return EXIT_CHECK_FAILED;
	}
	ret = get_token_info(tok, false, &ti, &groups, name);
	if (ret) {
		warnx("test-kerberos failed: KSSPI_IOC_QUERY_TOKEN: %s",
		      strerror(-ret));
		return EXIT_CHECK_FAILED;
	}
	printf("token:      ");
	print_token(&ti, groups, name);
	printf("level:      %s\n", ksspi_level_string(ti.level));
	free(groups);
	close(tok);
	close(actx);
	if (ictx >= 0)
		close(ictx);
	if (icred >= 0)
		close(icred);
	close(acred);
	close(dev);
	puts(mode == TK_ACCEPTOR ? "test-kerberos: ok (acceptor)" :
				   "test-kerberos: ok");
	return 0;

failed:
	warnx("test-kerberos failed: %s leg gave %s (0x%08" PRIx32 ")", role,
	      ksspi_status_string(st), (uint32_t)st);
	return explain_status(&o, !strcmp(role, "acceptor"), st, &before);
}

/* ---- run -------------------------------------------------------------- */

static const struct option run_opts[] = {
	{ "token-fd", required_argument, NULL, 't' },
	{ "token", required_argument, NULL, 't' },
	{ "keep-fd", no_argument, NULL, 'k' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void run_usage(FILE *f)
{
	fprintf(f,
		"Usage: ksspictl run --token-fd N [--keep-fd] -- COMMAND [ARGS...]\n"
		"       (--token N is the same as --token-fd N)\n"
		"\n"
		"Impersonates the ksspi token (or acceptor context) open on descriptor N,\n"
		"then executes COMMAND as the client.  The kernel's rules apply: another\n"
		"user's token at impersonation level or above needs CAP_SETUID and\n"
		"CAP_SETGID.  N is closed before COMMAND runs unless --keep-fd is given.\n"
		"Exit status: COMMAND's, or 126 if it cannot run as the client, 127 if\n"
		"it is not found.\n");
}

static int cmd_run(int argc, char **argv)
{
	struct ksspi_token_info ti;
	char name[KSSPI_NAME_MAX + 1];
	unsigned long long fd = ULLONG_MAX;
	bool keep = false;
	uint32_t *groups = NULL;
	int32_t st;
	int c, ret, e;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+t:kh", run_opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (!parse_uint(optarg, &fd) || fd > INT_MAX)
				errx(EX_USAGE, "--token-fd: not a descriptor number: '%s'",
				     optarg);
			break;
		case 'k':
			keep = true;
			break;
		case 'h':
			run_usage(stdout);
			return 0;
		default:
			run_usage(stderr);
			return EX_USAGE;
		}
	}
	if (fd == ULLONG_MAX) {
		run_usage(stderr);
		errx(EX_USAGE, "run: --token-fd is required");
	}
	if (optind >= argc) {
		run_usage(stderr);
		errx(EX_USAGE, "run: no command given");
	}
	if (fcntl(fd, F_GETFD) < 0)
		errx(EX_USAGE,
		     "--token-fd %llu: descriptor not open (the parent must pass it without FD_CLOEXEC)",
		     fd);

	ret = get_token_info(fd, false, &ti, &groups, name);
	if (ret == -ENOTTY) {
		struct ksspi_context_info ci = {
			.mask = KSSPI_ATTR(SECPKG_ATTR_NAMES),
			.name = (uintptr_t)name,
			.name_size = sizeof(name),
		};

		if (ksspi_query_context(fd, &ci))
			errx(EX_USAGE,
			     "--token-fd %llu: not a ksspi token or context descriptor",
			     fd);
		if (!(ci.mask & KSSPI_ATTR(SECPKG_ATTR_NAMES)))
			strcpy(name, "?");
		memset(&ti, 0, sizeof(ti));
		ti.uid = UINT32_MAX;
	} else if (ret) {
		errx(EX_USAGE, "--token-fd %llu: %s", fd, strerror(-ret));
	}
	free(groups);

	st = ksspi_impersonate(fd);
	if (st == SEC_E_NO_IMPERSONATION)
		errx(EXIT_CANNOT_RUN,
		     "cannot impersonate %s: SEC_E_NO_IMPERSONATION: running as another user at impersonation level or above needs CAP_SETUID and CAP_SETGID (this process is uid %u)",
		     name, (unsigned int)geteuid());
	if (st != SEC_E_OK)
		errx(EXIT_CANNOT_RUN, "cannot impersonate %s: %s", name,
		     ksspi_status_string(st));
	if (verbose)
		warnx("running %s as %s (uid %u, level %s)", argv[optind],
		      name, (unsigned int)geteuid(),
		      ti.uid == UINT32_MAX ? "?" : ksspi_level_string(ti.level));
	if (!keep)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	fflush(NULL);
	execvp(argv[optind], argv + optind);
	e = errno;
	errx(e == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN, "%s: %s",
	     argv[optind], strerror(e));
}

/* ---- main ------------------------------------------------------------- */

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "packages", cmd_packages, "list the security packages and their capabilities" },
	{ "stats", cmd_stats, "counters and failures by status (root, debugfs)" },
	{ "contexts", cmd_contexts, "live security contexts (root, debugfs)" },
	{ "tokens", cmd_tokens, "live access tokens (root, debugfs)" },
	{ "impersonations", cmd_impersonations, "threads impersonating now (root, debugfs)" },
	{ "whoami", cmd_whoami, "this thread's identity and impersonation" },
	{ "test-local", cmd_test_local, "a local-package handshake with itself" },
	{ "test-kerberos", cmd_test_kerberos, "a Kerberos handshake from a ccache to a keytab" },
	{ "run", cmd_run, "run a command impersonating a token descriptor" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: ksspictl [-o text|json] [-n] [-v] COMMAND [ARGS...]\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-15s %s\n", commands[i].name, commands[i].help);
	fprintf(f,
		"\n"
		"Options:\n"
		"  -o, --output FMT  text (default) or json\n"
		"  -n, --numeric     do not resolve user and group names\n"
		"  -v, --verbose     say more\n"
		"  -V, --version     print the version and the ABI versions\n"
		"  -h, --help        this help; 'ksspictl COMMAND --help' for one command\n"
		"\n"
		"See ksspictl(8).\n");
}

static int version(void)
{
	char buf[64] = "";
	FILE *f;
	int fd, v;

	printf("ksspictl %s (ABI %d)\n", KSSPI_VERSION, KSSPI_ABI_VERSION);
	f = fopen("/sys/module/ksspi/version", "re");
	if (f) {
		if (fgets(buf, sizeof(buf), f))
			buf[strcspn(buf, "\n")] = 0;
		fclose(f);
	}
	fd = open(device_path(), O_RDWR | O_CLOEXEC);
	v = fd < 0 ? -1 : ksspi_abi_version(fd);
	if (fd >= 0)
		close(fd);
	if (buf[0] || v >= 0) {
		printf("module %s", buf[0] ? buf : "?");
		if (v >= 0)
			printf(" (ABI %d)", v);
		putchar('\n');
	} else {
		puts("module not loaded");
	}
	return 0;
}

static const struct option main_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "numeric", no_argument, NULL, 'n' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

int main(int argc, char **argv)
{
	size_t i;
	int c;

	/* Leg reports and error messages interleave in the order they happen. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "+o:nvVh", main_opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (!strcmp(optarg, "json"))
				json = true;
			else if (!strcmp(optarg, "text"))
				json = false;
			else
				errx(EX_USAGE, "-o: text or json, not '%s'",
				     optarg);
			break;
		case 'n':
			numeric = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'V':
			return version();
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[optind], commands[i].name))
			return commands[i].fn(argc - optind, argv + optind);
	warnx("unknown command '%s'", argv[optind]);
	usage(stderr);
	return EX_USAGE;
}
