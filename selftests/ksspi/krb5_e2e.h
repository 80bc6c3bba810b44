/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared parts of the Kerberos end-to-end suites (kerberos_test.c,
 * kerberos_fault_test.c): the fixture environment, tickets, the relayed
 * two-process handshake with ksspi (user and in-kernel), MIT GSS-API
 * (gss-peer) on either side, and the "krb" fixture over both packages.
 * See Documentation/dev-tools/testing.rst, "Kerberos end to end".
 */
#ifndef KRB5_E2E_H
#define KRB5_E2E_H

/* Each suite uses a part of what is here. */
#pragma GCC diagnostic ignored "-Wunused-function"

#include <dirent.h>
#include <ftw.h>
#include <krb5/krb5.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>

#include "ksspi_test.h"

/*
 * Contract additions of the kerberos area (CONTRACT.md, "User API
 * additions").  Weak, so that this file builds before libksspi has them;
 * a test that needs a missing one fails (never skips).
 */
#pragma weak ksspi_acquire_credentials_from
#pragma weak ksspi_query_session_key
int ksspi_acquire_credentials_from(int dev, const char *package, uint32_t use,
				   const char *principal, const char *ccache,
				   const char *keytab, int64_t *expiry);
int ksspi_query_session_key(int ctx, void *key, size_t size,
			    uint32_t *enctype);

#define E2E_DIR		"/tmp/ksspi-e2e"
#define KRB5_ENV	"/tmp/ksspi-krb5/env"
#define RK_CONF		"/etc/request-key.d/ksspi.conf"
#define TIMEOUT_PARAM	"/sys/module/ksspi/parameters/upcall_timeout_ms"
/* Where the hang test keeps the parameter's value until it restores it. */
#define TIMEOUT_SAVED	"/run/ksspi-e2e-upcall_timeout_ms"
#define KAPI_FILE	"/sys/kernel/debug/ksspi_kapi/accept"
/* The helper's command line after its path, as request-key passes it. */
#define HELPER_ARGS	"%k"
#define NAMEBUF		256
#define BIGTOK		65536

/* --- the fixture's environment --------------------------------------------- */

static struct {
	char root[PATH_MAX];		/* the source tree */
	char helper[PATH_MAX + 32];
	char realm[64];
	char host[128];
	char keytab[PATH_MAX];
	char backend_keytab[PATH_MAX];
	char stale_keytab[PATH_MAX];
	char alice_keytab[PATH_MAX];
	char bob_keytab[PATH_MAX];
	char root_keytab[PATH_MAX];
	char nolocal_keytab[PATH_MAX];
} E;

static void env_value(const char *line, const char *key, char *dst, size_t size)
{
	size_t n = strlen(key);

	if (!strncmp(line, key, n) && line[n] == '=')
		snprintf(dst, size, "%s", line + n + 1);
}

static int read_env(void)
{
	char line[1024];
	FILE *f = fopen(KRB5_ENV, "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		env_value(line, "KSSPI_KRB5_REALM", E.realm, sizeof(E.realm));
		env_value(line, "KSSPI_KRB5_HOST", E.host, sizeof(E.host));
		env_value(line, "KSSPI_KRB5_KEYTAB", E.keytab, sizeof(E.keytab));
		env_value(line, "KSSPI_KRB5_BACKEND_KEYTAB", E.backend_keytab,
			  sizeof(E.backend_keytab));
		env_value(line, "KSSPI_KRB5_STALE_KEYTAB", E.stale_keytab,
			  sizeof(E.stale_keytab));
		env_value(line, "KSSPI_KRB5_ALICE_KEYTAB", E.alice_keytab,
			  sizeof(E.alice_keytab));
		env_value(line, "KSSPI_KRB5_BOB_KEYTAB", E.bob_keytab,
			  sizeof(E.bob_keytab));
		env_value(line, "KSSPI_KRB5_ROOT_KEYTAB", E.root_keytab,
			  sizeof(E.root_keytab));
		env_value(line, "KSSPI_KRB5_NOLOCAL_KEYTAB", E.nolocal_keytab,
			  sizeof(E.nolocal_keytab));
	}
	fclose(f);
	return E.realm[0] && E.host[0] && E.keytab[0] && E.alice_keytab[0] ?
	       0 : -ENODATA;
}

/* The source tree: this binary is ROOT/build/selftests/kerberos_test. */
static int find_root(void)
{
	ssize_t n = readlink("/proc/self/exe", E.root, sizeof(E.root) - 1);
	int i;

	if (n < 0)
		return -errno;
	E.root[n] = 0;
	for (i = 0; i < 3; i++) {
		char *s = strrchr(E.root, '/');

		if (!s)
			return -ENOENT;
		*s = 0;
	}
	snprintf(E.helper, sizeof(E.helper), "%s/build/ksspi-upcall", E.root);
	/* selftests/suite.d/installed: the installed helper instead. */
	if (getenv("KSSPI_E2E_HELPER"))
		snprintf(E.helper, sizeof(E.helper), "%s",
			 getenv("KSSPI_E2E_HELPER"));
	return 0;
}

static void svc_name(char *buf, size_t size, const char *svc)
{
	snprintf(buf, size, "%s/%s", svc, E.host);
}

/* Runs argv (as root) with stdout to /dev/null; returns its exit status. */
static int run(const char *const argv[])
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static bool kdc_alive(void)
{
	char line[256], path[64], comm[32] = "";
	FILE *f = fopen(KRB5_ENV, "re");
	long pid = 0;
	int fd;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "KSSPI_KRB5_KDC_PID=", 19))
			pid = strtol(line + 19, NULL, 10);
	fclose(f);
	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (read(fd, comm, sizeof(comm) - 1) < 0)
		comm[0] = 0;
	close(fd);
	return !strncmp(comm, "krb5kdc", 7);
}

static int kdc_start(void)
{
	char prog[PATH_MAX + 32];
	const char *argv[] = { prog, "--system", "-q", NULL };

	snprintf(prog, sizeof(prog), "%s/selftests/krb5/kdc-setup", E.root);
	return run(argv);
}

static int kdc_stop(void)
{
	char prog[PATH_MAX + 32];
	const char *argv[] = { prog, "--stop", NULL };

	snprintf(prog, sizeof(prog), "%s/selftests/krb5/kdc-setup", E.root);
	return run(argv);
}

/* Points request-key at COMMAND (a program and its arguments). */
static int set_upcall(const char *command)
{
	char *line;
	int ret;

	mkdir("/etc/request-key.d", 0755);
	if (asprintf(&line, "create ksspi * * %s\n", command) < 0)
		return -ENOMEM;
	ret = write_file_atomic(RK_CONF, line, 0644);
	free(line);
	return ret;
}

static int use_real_helper(void)
{
	char cmd[PATH_MAX + 64];

	snprintf(cmd, sizeof(cmd), "%s %s", E.helper, HELPER_ARGS);
	return set_upcall(cmd);
}

/* Puts back upcall_timeout_ms if a test changed it (even one that died). */
static int restore_timeout(void)
{
	char v[32];
	int ret;

	if (read_small(TIMEOUT_SAVED, v, sizeof(v)))
		return 0;
	ret = set_param("upcall_timeout_ms", v);
	if (!ret)
		unlink(TIMEOUT_SAVED);
	return ret;
}

static int lower_timeout(const char *ms)
{
	char v[32];
	int ret;

	ret = read_small(TIMEOUT_PARAM, v, sizeof(v));
	if (ret)
		return ret;
	if (access(TIMEOUT_SAVED, F_OK)) {
		ret = write_file_atomic(TIMEOUT_SAVED, v, 0600);
		if (ret)
			return ret;
	}
	return set_param("upcall_timeout_ms", ms);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static uint64_t t_start;

/* KSSPI_E2E_TIMES=1: how long each test took (for the run-time budget). */
static void e2e_time(struct __test_metadata *_metadata)
{
	if (getenv("KSSPI_E2E_TIMES"))
		fprintf(stderr, "# %s: %llu ms\n", _metadata->name,
			(unsigned long long)(now_ms() - t_start));
}

/* The realm, the helper, the parameters: what every test starts from. */
static void e2e_setup(struct __test_metadata *_metadata, const char *variant)
{
	const char *only = getenv("KSSPI_E2E_ONLY");
	char name[256];

	/*
	 * For development: KSSPI_E2E_ONLY=substring runs only the tests
	 * whose "variant.test" name has it (the others end here, skipped).
	 */
	snprintf(name, sizeof(name), "%s.%s", variant, _metadata->name);
	if (only && !strstr(name, only)) {
		_metadata->skip = 1;
		snprintf(_metadata->results->reason,
			 sizeof(_metadata->results->reason),
			 "not selected by KSSPI_E2E_ONLY");
		longjmp(_metadata->env, 1);
	}
	t_start = now_ms();
	ASSERT_EQ(0, find_root());
	ASSERT_EQ(0, access("/dev/ksspi", F_OK)) {
		TH_LOG("the ksspi module is not loaded");
	}
	if (!kdc_alive())
		ASSERT_EQ(0, kdc_start());
	ASSERT_EQ(0, read_env());
	ASSERT_TRUE(kdc_alive());
	setenv("KRB5_CONFIG", "/etc/krb5.conf", 1);
	unsetenv("KRB5CCNAME");
	/* A peer that is gone is an error to report, not a reason to die. */
	signal(SIGPIPE, SIG_IGN);
	/* The helper must exist: its absence is a failure, not a skip. */
	ASSERT_EQ(0, access(E.helper, X_OK)) {
		TH_LOG("%s: %s (not merged/built?)", E.helper, strerror(errno));
	}
	ASSERT_EQ(0, use_real_helper());
	ASSERT_EQ(0, restore_timeout());
	/*
	 * The defaults, whatever an earlier suite in the same VM left: the
	 * helper's configuration (no allow_root, unmapped refused) and the
	 * module's allow_root.
	 */
	mkdir("/etc/ksspi", 0755);
	ASSERT_EQ(0, write_file_atomic("/etc/ksspi/upcall.conf",
				"# selftests/ksspi/kerberos_test: the defaults\n",
				0644));
	ASSERT_EQ(0, set_param("allow_root", "0"));
}

static int rm_entry(const char *path, const struct stat *st, int type,
		    struct FTW *ftw)
{
	return remove(path);
}

static void rm_tree(const char *dir)
{
	if (dir[0])
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int make_dir(char *dir, size_t size)
{
	mkdir(E2E_DIR, 0711);
	snprintf(dir, size, E2E_DIR "/XXXXXX");
	if (!mkdtemp(dir))
		return -errno;
	/* Sticky and world-writable like /tmp: users make their ccaches here. */
	return chmod(dir, 01777) ? -errno : 0;
}

/* A file only @uid may read. */
static int owned_file(const char *path, uid_t uid, gid_t gid, const char *text)
{
	int ret = write_file_atomic(path, text, 0600);

	if (ret)
		return ret;
	return chown(path, uid, gid) ? -errno : 0;
}

/* --- tickets ------------------------------------------------------------------- */

/*
 * kinit with a keytab into @ccname, then get service tickets for
 * @services (NULL-terminated short names, e.g. "host"), in a child running
 * as @uid (so the ccache is the user's own).  @lifetime 0: the default.
 */
static int kinit_as(uid_t uid, gid_t gid, const char *ccname,
		    const char *principal, const char *keytab,
		    krb5_deltat lifetime, const char *const *services)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		krb5_get_init_creds_opt *opt;
		krb5_principal client;
		krb5_context k;
		krb5_keytab kt;
		krb5_ccache cc;
		krb5_creds creds;

		if (uid && become(uid, gid, NULL, 0))
			_exit(10);
		if (krb5_init_context(&k) ||
		    krb5_parse_name(k, principal, &client) ||
		    krb5_kt_resolve(k, keytab, &kt) ||
		    krb5_cc_resolve(k, ccname, &cc) ||
		    krb5_get_init_creds_opt_alloc(k, &opt))
			_exit(11);
		krb5_get_init_creds_opt_set_forwardable(opt, 1);
		if (lifetime)
			krb5_get_init_creds_opt_set_tkt_life(opt, lifetime);
		if (krb5_get_init_creds_opt_set_out_ccache(k, opt, cc) ||
		    krb5_get_init_creds_keytab(k, &creds, client, kt, 0, NULL,
					       opt))
			_exit(12);
		krb5_free_cred_contents(k, &creds);
		for (; services && *services; services++) {
			krb5_creds in = {}, *out;
			char name[NAMEBUF];

			svc_name(name, sizeof(name), *services);
			in.client = client;
			if (krb5_parse_name(k, name, &in.server) ||
			    krb5_get_credentials(k, 0, cc, &in, &out))
				_exit(13);
			krb5_free_creds(k, out);
			krb5_free_principal(k, in.server);
		}
		krb5_cc_close(k, cc);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int alice_kinit(const char *ccname, krb5_deltat lifetime,
		       const char *const *services)
{
	return kinit_as(ALICE_UID, ALICE_GID, ccname, "alice", E.alice_keytab,
			lifetime, services);
}

/* kinit as another principal (root's keytab), the ccache then alice's. */
static int kinit_for_alice(const char *ccname, const char *principal,
			   const char *keytab)
{
	int ret = kinit_as(0, 0, ccname, principal, keytab, 0, NULL);

	if (ret)
		return ret;
	return chown(ccname + strlen("FILE:"), ALICE_UID, ALICE_GID) ? -1 : 0;
}

/* --- ksspi calls ----------------------------------------------------------- */

/*
 * AcquireCredentialsHandle, naming a ccache or keytab when given.  Returns
 * the fd or -1 with *@err the errno (either return convention of libksspi).
 */
static int acquire(int dev, const char *package, uint32_t use,
		   const char *principal, const char *ccache,
		   const char *keytab, int *err)
{
	int fd;

	errno = 0;
	if (!ccache && !keytab) {
		fd = ksspi_acquire_credentials(dev, package, use, principal,
					       NULL);
	} else if (!ksspi_acquire_credentials_from) {
		*err = ENOSYS;
		return -1;
	} else {
		fd = ksspi_acquire_credentials_from(dev, package, use,
						    principal, ccache, keytab,
						    NULL);
	}
	if (fd >= 0) {
		*err = 0;
		return fd;
	}
	*err = fd == -1 ? errno : -fd;
	return -1;
}

/* --- one handshake, relayed ------------------------------------------------------ */

enum side_kind { SIDE_KSSPI, SIDE_MIT, SIDE_KAPI };

/* How the relay alters the first token of a direction. */
enum mangle {
	MANGLE_NONE,
	MANGLE_HEADER,		/* the GSS framing's first byte (0x60) */
	MANGLE_TRUNCATE,	/* keep the first half */
	MANGLE_GARBAGE,		/* not a GSS token at all */
	MANGLE_CIPHER,		/* the AP-REQ's/AP-REP's last byte: its checksum */
};

/* A DER length at @p (the tag byte); 0 if it does not parse. */
static size_t der_len(const uint8_t *p, size_t avail, size_t *hdr)
{
	size_t len = 0, n, i;

	if (avail < 2)
		return 0;
	if (p[1] < 0x80) {
		*hdr = 2;
		return p[1];
	}
	n = p[1] & 0x7f;
	if (n < 1 || n > 3 || avail < 2 + n)
		return 0;
	for (i = 0; i < n; i++)
		len = len << 8 | p[2 + i];
	*hdr = 2 + n;
	return len;
}

/*
 * Where the Kerberos AP-REQ or AP-REP of a krb5 GSS token ends, whether
 * the token is raw or inside SPNEGO: its last byte is the last byte of
 * the encrypted part (authenticator, EncAPRepPart), i.e. of its checksum.
 */
static uint32_t krb5_msg_last(const uint8_t *tok, uint32_t len)
{
	static const uint8_t oid[] = {
		0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02
	};
	size_t i, j, l, hdr;

	for (i = 0; i + sizeof(oid) + 3 < len; i++) {
		if (memcmp(tok + i, oid, sizeof(oid)))
			continue;
		j = i + sizeof(oid) + 2;	/* past TOK_ID */
		if (tok[j] != 0x6e && tok[j] != 0x6f)	/* [APPLICATION 14/15] */
			continue;
		l = der_len(tok + j, len - j, &hdr);
		if (l && j + hdr + l <= len)
			return j + hdr + l - 1;
	}
	return len - 1;
}

struct hs_opts {
	const char *package;
	enum side_kind init_kind, acc_kind;
	uid_t init_uid;			/* ALICE_UID unless set (0 = root) */
	bool init_keep_root;		/* saved uid 0: query the session key */
	const char *ccache;		/* initiator's; NULL = default */
	const char *init_principal;
	const char *target;		/* "svc/host" */
	uint32_t isc_req;
	uint32_t asc_req;
	const char *acc_keytab;		/* NULL = the system keytab */
	const char *open_ok;		/* acceptor: open as the client, must work */
	const char *open_denied;	/* ... must fail with EACCES */
	enum mangle mangle_request;	/* the initiator's first token */
	enum mangle mangle_reply;	/* the acceptor's first token */
	const char *hop2_target;	/* double hop: the server goes on to this */
	char *const *init_env;		/* extra environment of the initiator */
};

struct side_res {
	int ran;			/* the side reported */
	int acq_err;			/* errno of acquiring, 0 if it worked */
	int32_t status;			/* last status */
	int err;			/* errno after the last call */
	uint32_t flags;			/* ret flags */
	int legs;
	int peer_gone;			/* the other side stopped first */
	char name[NAMEBUF];		/* SECPKG_ATTR_NAMES */
	char client[NAMEBUF];		/* native client name */
	char server[NAMEBUF];		/* native server name */
	int names_err;
	struct ksspi_context_info ci;	/* LIFESPAN, FLAGS, ACCESS_TOKEN ... */
	int ci_err;
	uint8_t key[64];
	int key_len;			/* or -errno */
	uint32_t enctype;
	/* acceptor: the client's token */
	int tok_err;
	uint32_t uid, gid, level, ngroups, groups[16];
	char tok_name[NAMEBUF];
	int32_t imp_status;
	uint32_t fsuid;
	int open_ok_err, open_denied_err;
	int32_t revert_status;
	uint32_t after_uid;		/* euid after revert */
	/* MIT */
	int deleg;
	char localname[NAMEBUF];
	char error[512];
	int exit;
	/* double hop, on the acceptor */
	int hop_acq_err;
	int32_t hop_init_status, hop_acc_status;
	int hop_init_err, hop_acc_err;
	char hop_client[NAMEBUF];
	uint32_t hop_uid;
};

static void mangle(enum mangle m, uint8_t *tok, uint32_t *len)
{
	switch (m) {
	case MANGLE_NONE:
		break;
	case MANGLE_HEADER:
		tok[0] ^= 0x01;
		break;
	case MANGLE_TRUNCATE:
		*len /= 2;
		break;
	case MANGLE_GARBAGE:
		memset(tok, 'A', *len);
		memcpy(tok, "this is not a GSS-API token", 27);
		break;
	case MANGLE_CIPHER:
		tok[krb5_msg_last(tok, *len)] ^= 0x5a;
		break;
	}
}

/* Sends a result struct over the result pipe and exits. */
static void __attribute__((noreturn)) report(int fd, struct side_res *r)
{
	r->ran = 1;
	if (write_full(fd, r, sizeof(*r)))
		_exit(3);
	_exit(0);
}

static void query_ctx(int ctx, struct side_res *r)
{
	int ret;

	ret = ksspi_query_names(ctx, r->name, sizeof(r->name));
	if (!ret)
		ret = ksspi_query_native_names(ctx, r->client,
					       sizeof(r->client), r->server,
					       sizeof(r->server));
	r->names_err = ret < 0 ? -ret : 0;
	r->ci.mask = KSSPI_ATTR(SECPKG_ATTR_LIFESPAN) |
		     KSSPI_ATTR(SECPKG_ATTR_FLAGS) |
		     KSSPI_ATTR(SECPKG_ATTR_PACKAGE_INFO) |
		     KSSPI_ATTR(SECPKG_ATTR_ACCESS_TOKEN);
	ret = ksspi_query_context(ctx, &r->ci);
	r->ci_err = ret < 0 ? -ret : 0;
}

static void query_key(int ctx, struct side_res *r)
{
	if (!ksspi_query_session_key) {
		r->key_len = -ENOSYS;
		return;
	}
	errno = 0;
	r->key_len = ksspi_query_session_key(ctx, r->key, sizeof(r->key),
					     &r->enctype);
	if (r->key_len < 0)
		r->key_len = r->key_len == -1 ? -errno : r->key_len;
}

/* The ksspi initiator, as a user program. */
static void __attribute__((noreturn)) ksspi_initiator(const struct hs_opts *o,
						      int sock, int res)
{
	static uint8_t in[BIGTOK], out[BIGTOK];
	struct side_res r = { .status = SEC_E_INTERNAL_ERROR };
	uint32_t in_len = 0;
	int dev, cred, ctx = -1;
	size_t out_len;
	uid_t uid = o->init_uid;

	if (uid == ALICE_UID) {
		const gid_t g[] = { STAFF_GID };

		if (setgroups(1, g) || setresgid(ALICE_GID, ALICE_GID, ALICE_GID) ||
		    setresuid(ALICE_UID, ALICE_UID, o->init_keep_root ? 0 : ALICE_UID))
			_exit(4);
	} else if (uid) {
		if (become(uid, uid, NULL, 0))
			_exit(4);
	}
	dev = ksspi_open();
	if (dev < 0)
		_exit(5);
	cred = acquire(dev, o->package, SECPKG_CRED_OUTBOUND, o->init_principal,
		       o->ccache, NULL, &r.acq_err);
	if (cred < 0)
		report(res, &r);
	for (;;) {
		out_len = sizeof(out);
		errno = 0;
		r.status = ksspi_initialize_security_context(cred, &ctx,
							     o->target,
							     o->isc_req,
							     in_len ? in : NULL,
							     in_len, out,
							     &out_len,
							     &r.flags);
		r.err = errno;
		r.legs++;
		if (r.status != SEC_E_OK && r.status != SEC_I_CONTINUE_NEEDED)
			break;
		if (out_len && send_token(sock, out, out_len)) {
			r.peer_gone = 1;
			break;
		}
		if (r.status == SEC_E_OK)
			break;
		if (recv_token(sock, in, sizeof(in), &in_len)) {
			r.peer_gone = 1;
			break;
		}
	}
	if (r.status == SEC_E_OK) {
		query_ctx(ctx, &r);
		if (o->init_keep_root && seteuid(0))
			_exit(6);
		query_key(ctx, &r);
	}
	report(res, &r);
}

static void token_info(int tok, struct side_res *r)
{
	struct ksspi_token_info ti = {
		.ngroups = 16,
		.groups = (uintptr_t)r->groups,
		.name = (uintptr_t)r->tok_name,
		.name_size = sizeof(r->tok_name),
	};
	int ret = ksspi_query_token(tok, &ti);

	r->tok_err = ret < 0 ? -ret : 0;
	r->uid = ti.uid;
	r->gid = ti.gid;
	r->level = ti.level;
	r->ngroups = ti.ngroups;
}

/* Returns 0 or the errno of opening @path for reading. */
static int try_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/*
 * The second hop, on the server while it impersonates the client: acquire
 * outbound credentials "as the client" and authenticate to the backend
 * service, accepted here with the backend's keytab.
 */
static void double_hop(const struct hs_opts *o, int dev, int bcred,
		       struct side_res *r)
{
	uint8_t a[BIGTOK], b[BIGTOK];
	int icred, ictx = -1, actx = -1, tok;
	size_t alen, blen;
	uint32_t flags;

	icred = acquire(dev, o->package, SECPKG_CRED_OUTBOUND, NULL, NULL,
			NULL, &r->hop_acq_err);
	if (icred < 0)
		return;
	alen = sizeof(a);
	errno = 0;
	r->hop_init_status = ksspi_initialize_security_context(icred, &ictx,
							       o->hop2_target,
							       ISC_REQ_MUTUAL_AUTH,
							       NULL, 0, a,
							       &alen, &flags);
	r->hop_init_err = errno;
	if (r->hop_init_status != SEC_I_CONTINUE_NEEDED &&
	    r->hop_init_status != SEC_E_OK)
		goto out;
	for (;;) {
		blen = sizeof(b);
		errno = 0;
		r->hop_acc_status = ksspi_accept_security_context(bcred, &actx,
								  0, a, alen,
								  b, &blen,
								  &flags);
		r->hop_acc_err = errno;
		if (r->hop_acc_status != SEC_E_OK &&
		    r->hop_acc_status != SEC_I_CONTINUE_NEEDED)
			goto out;
		if (r->hop_init_status == SEC_E_OK)
			break;
		alen = sizeof(a);
		errno = 0;
		r->hop_init_status =
			ksspi_initialize_security_context(icred, &ictx, NULL, 0,
							  b, blen, a, &alen,
							  &flags);
		r->hop_init_err = errno;
		if (r->hop_init_status != SEC_I_CONTINUE_NEEDED &&
		    r->hop_init_status != SEC_E_OK)
			goto out;
		if (r->hop_acc_status == SEC_E_OK)
			break;
	}
	if (r->hop_acc_status == SEC_E_OK) {
		ksspi_query_names(actx, r->hop_client, sizeof(r->hop_client));
		tok = ksspi_query_security_context_token(actx);
		if (tok >= 0) {
			uint32_t groups[16];
			struct ksspi_token_info ti = {
				.ngroups = 16,
				.groups = (uintptr_t)groups,
			};

			r->hop_uid = ksspi_query_token(tok, &ti) ? (uint32_t)-2 :
				     ti.uid;
			close(tok);
		}
	}
out:
	if (ictx >= 0)
		close(ictx);
	if (actx >= 0)
		close(actx);
	close(icred);
}

/* The ksspi acceptor, as a user program (the server, root). */
static void __attribute__((noreturn)) ksspi_acceptor(const struct hs_opts *o,
						     int sock, int res)
{
	static uint8_t in[BIGTOK], out[BIGTOK];
	struct side_res r = {
		.status = SEC_E_INTERNAL_ERROR,
		.imp_status = SEC_E_INTERNAL_ERROR,
		.hop_init_status = SEC_E_INTERNAL_ERROR,
		.hop_acc_status = SEC_E_INTERNAL_ERROR,
	};
	int dev, cred, bcred = -1, ctx = -1, tok;
	uint32_t in_len;
	size_t out_len;

	dev = ksspi_open();
	if (dev < 0)
		_exit(5);
	cred = acquire(dev, o->package, SECPKG_CRED_INBOUND, NULL, NULL,
		       o->acc_keytab, &r.acq_err);
	if (cred < 0)
		report(res, &r);
	if (o->hop2_target) {
		bcred = acquire(dev, o->package, SECPKG_CRED_INBOUND, NULL,
				NULL, E.backend_keytab, &r.hop_acq_err);
		if (bcred < 0)
			report(res, &r);
	}
	for (;;) {
		if (recv_token(sock, in, sizeof(in), &in_len)) {
			r.peer_gone = 1;
			break;
		}
		out_len = sizeof(out);
		errno = 0;
		r.status = ksspi_accept_security_context(cred, &ctx, o->asc_req,
							 in, in_len, out,
							 &out_len, &r.flags);
		r.err = errno;
		r.legs++;
		if (r.status != SEC_E_OK && r.status != SEC_I_CONTINUE_NEEDED)
			break;
		if (out_len && send_token(sock, out, out_len)) {
			r.peer_gone = 1;
			break;
		}
		if (r.status == SEC_E_OK)
			break;
	}
	if (r.status != SEC_E_OK)
		report(res, &r);
	query_ctx(ctx, &r);
	query_key(ctx, &r);
	tok = ksspi_query_security_context_token(ctx);
	if (tok < 0) {
		r.tok_err = -tok;
		report(res, &r);
	}
	token_info(tok, &r);
	/* Act as the client around file accesses, as a file server does. */
	r.imp_status = ksspi_impersonate(ctx);
	if (r.imp_status == SEC_E_OK) {
		r.fsuid = geteuid();
		r.open_ok_err = o->open_ok ? try_open(o->open_ok) : 0;
		r.open_denied_err = o->open_denied ?
				    try_open(o->open_denied) : 0;
		if (o->hop2_target)
			double_hop(o, dev, bcred, &r);
		r.revert_status = ksspi_revert(ctx);
	}
	r.after_uid = geteuid();
	close(tok);
	report(res, &r);
}

/* Layouts of selftests/kapi/ksspi_kapi.c. */
struct kapi_req {
	char package[KSSPI_PACKAGE_NAME_MAX];
	char path[256];
	char path2[256];
	uint32_t asc_req;
	uint32_t in_len;
};

struct kapi_res {
	int32_t acquire_err;
	int32_t status;
	uint32_t ret_flags;
	uint32_t out_len;
	uint32_t state;
	uint32_t level;
	uint32_t uid;
	uint32_t fsuid;
	int32_t impersonate_err;
	int32_t open_err;
	int32_t open2_err;
	char name[256];
	char token_name[256];
};

/*
 * The in-kernel acceptor: each leg written to the test module, which
 * accepts with credentials it acquired from kernel context, and when the
 * context is established opens open_ok and open_denied as the client.
 */
static void __attribute__((noreturn)) kapi_acceptor(const struct hs_opts *o,
						    int sock, int res)
{
	static uint8_t buf[sizeof(struct kapi_req) + BIGTOK];
	static uint8_t rbuf[sizeof(struct kapi_res) + BIGTOK];
	struct kapi_req *req = (void *)buf;
	struct kapi_res *kr = (void *)rbuf;
	struct side_res r = { .status = SEC_E_INTERNAL_ERROR };
	uint32_t in_len;
	ssize_t n;
	int fd;

	fd = open(KAPI_FILE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r.acq_err = errno;
		report(res, &r);
	}
	for (;;) {
		if (recv_token(sock, buf + sizeof(*req), BIGTOK, &in_len)) {
			r.peer_gone = 1;
			break;
		}
		memset(req, 0, sizeof(*req));
		snprintf(req->package, sizeof(req->package), "%s", o->package);
		snprintf(req->path, sizeof(req->path), "%s",
			 o->open_ok ? o->open_ok : "");
		snprintf(req->path2, sizeof(req->path2), "%s",
			 o->open_denied ? o->open_denied : "");
		req->asc_req = o->asc_req;
		req->in_len = in_len;
		if (write(fd, buf, sizeof(*req) + in_len) !=
		    (ssize_t)(sizeof(*req) + in_len)) {
			r.err = errno;
			break;
		}
		n = read(fd, rbuf, sizeof(rbuf));
		if (n < (ssize_t)sizeof(*kr)) {
			r.err = errno;
			break;
		}
		r.legs++;
		r.acq_err = -kr->acquire_err;
		r.status = kr->status;
		r.flags = kr->ret_flags;
		if (kr->acquire_err)
			break;
		if (r.status != SEC_E_OK && r.status != SEC_I_CONTINUE_NEEDED)
			break;
		if (kr->out_len && send_token(sock, kr + 1, kr->out_len)) {
			r.peer_gone = 1;
			break;
		}
		if (r.status == SEC_E_OK)
			break;
	}
	if (r.status == SEC_E_OK) {
		r.ci.state = kr->state;
		r.level = kr->level;
		r.uid = kr->uid;
		r.fsuid = kr->fsuid;
		r.imp_status = kr->impersonate_err;
		r.open_ok_err = -kr->open_err;
		r.open_denied_err = -kr->open2_err;
		memcpy(r.name, kr->name, sizeof(r.name) - 1);
		memcpy(r.tok_name, kr->token_name, sizeof(r.tok_name) - 1);
	}
	close(fd);
	report(res, &r);
}

/* gss-peer, with stdout to @res (text). */
static void __attribute__((noreturn)) mit_side(const struct hs_opts *o,
					       bool init, int sock, int res)
{
	char peer[PATH_MAX + 32], fdstr[16], target[NAMEBUF], *s;
	const char *argv[16];
	int i = 0;

	snprintf(peer, sizeof(peer), "%s/build/gss-peer", E.root);
	snprintf(fdstr, sizeof(fdstr), "%d", sock);
	argv[i++] = peer;
	argv[i++] = init ? "init" : "accept";
	argv[i++] = "--fd";
	argv[i++] = fdstr;
	if (!strcmp(o->package, "negotiate"))
		argv[i++] = "--spnego";
	if (init) {
		if (o->isc_req & ISC_REQ_MUTUAL_AUTH)
			argv[i++] = "--mutual";
		if (o->isc_req & ISC_REQ_DELEGATE)
			argv[i++] = "--deleg";
		/* GSS host-based form: "svc@host". */
		snprintf(target, sizeof(target), "%s", o->target);
		s = strchr(target, '/');
		if (s)
			*s = '@';
		argv[i++] = target;
		if (o->init_uid == ALICE_UID && become_alice())
			_exit(4);
		if (o->ccache)
			setenv("KRB5CCNAME", o->ccache, 1);
	} else {
		argv[i++] = "--keytab";
		argv[i++] = o->acc_keytab ? o->acc_keytab : E.keytab;
	}
	argv[i] = NULL;
	if (dup2(res, 1) < 0)
		_exit(4);
	execv(peer, (char *const *)argv);
	_exit(127);
}

static void parse_mit(const char *text, struct side_res *r)
{
	char buf[4096], *line, *save = NULL;
	size_t i;

	snprintf(buf, sizeof(buf), "%s", text);
	r->ran = 1;
	r->status = SEC_E_OK;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "error=", 6)) {
			r->status = SEC_E_INTERNAL_ERROR;
			snprintf(r->error, sizeof(r->error), "%s", line + 6);
		} else if (!strncmp(line, "client=", 7)) {
			snprintf(r->client, sizeof(r->client), "%s", line + 7);
		} else if (!strncmp(line, "server=", 7)) {
			snprintf(r->server, sizeof(r->server), "%s", line + 7);
		} else if (!strncmp(line, "flags=", 6)) {
			r->flags = strtoul(line + 6, NULL, 16);
		} else if (!strncmp(line, "deleg=", 6)) {
			r->deleg = atoi(line + 6);
		} else if (!strncmp(line, "localname=", 10)) {
			snprintf(r->localname, sizeof(r->localname), "%s",
				 line + 10);
		} else if (!strncmp(line, "enctype=", 8)) {
			r->enctype = strtoul(line + 8, NULL, 10);
		} else if (!strncmp(line, "key=", 4)) {
			const char *h = line + 4;

			for (i = 0; i < sizeof(r->key) && h[2 * i] &&
			     h[2 * i + 1]; i++)
				sscanf(h + 2 * i, "%2hhx", &r->key[i]);
			r->key_len = i;
		}
	}
}

static pid_t start_side(const struct hs_opts *o, bool init, int sock,
			int *res)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		enum side_kind k = init ? o->init_kind : o->acc_kind;
		int s, fd;

		/* The socket must survive exec (gss-peer): no CLOEXEC copy. */
		s = dup(sock);
		if (s < 0)
			_exit(4);
		/*
		 * Nothing else: a copy of the other side's socket kept here
		 * would hide from it that its peer went away.
		 */
		for (fd = 3; fd < 1024; fd++)
			if (fd != s && fd != p[1])
				close(fd);
		if (init && o->init_env)
			for (char *const *e = o->init_env; *e; e++)
				putenv(*e);
		if (k == SIDE_MIT)
			mit_side(o, init, s, p[1]);
		if (init)
			ksspi_initiator(o, s, p[1]);
		if (k == SIDE_KAPI)
			kapi_acceptor(o, s, p[1]);
		ksspi_acceptor(o, s, p[1]);
	}
	close(p[1]);
	*res = p[0];
	return pid;
}

static int read_all(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	while (got < size - 1) {
		n = read(fd, buf + got, size - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	buf[got] = 0;
	return got;
}

static void collect(enum side_kind kind, int fd, pid_t pid,
		    struct side_res *r)
{
	char text[4096];
	int st = 0, n;

	memset(r, 0, sizeof(*r));
	if (kind == SIDE_MIT) {
		read_all(fd, text, sizeof(text));
		parse_mit(text, r);
	} else {
		n = read_all(fd, (char *)r, sizeof(*r) + 1);
		if (n != sizeof(*r)) {
			/* It died without a report: never a success. */
			memset(r, 0, sizeof(*r));
			r->status = SEC_E_INTERNAL_ERROR;
			snprintf(r->error, sizeof(r->error),
				 "the side did not report");
		}
	}
	close(fd);
	waitpid(pid, &st, 0);
	r->exit = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (kind == SIDE_MIT && (r->exit || !r->client[0]) &&
	    r->status == SEC_E_OK)
		r->status = SEC_E_INTERNAL_ERROR;
	if (r->exit && !r->error[0])
		snprintf(r->error, sizeof(r->error), "exit status %d", r->exit);
}

/* Moves one framed token from @from to @to; 0, or -1 at EOF/error. */
static int relay_one(int from, int to, enum mangle m)
{
	static uint8_t tok[BIGTOK];
	uint32_t len;

	if (recv_token(from, tok, sizeof(tok), &len))
		return -1;
	mangle(m, tok, &len);
	return send_token(to, tok, len) ? -1 : 0;
}

/*
 * Runs one handshake: initiator and acceptor in their own processes, the
 * tokens relayed (and mangled, if asked) by this one.
 */
static void handshake(const struct hs_opts *o, struct side_res *ir,
		      struct side_res *ar)
{
	int isv[2], asv[2], ires, ares;
	bool first_req = true, first_rep = true;
	pid_t ipid, apid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, isv) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, asv))
		abort();
	apid = start_side(o, false, asv[1], &ares);
	ipid = start_side(o, true, isv[1], &ires);
	close(isv[1]);
	close(asv[1]);
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = isv[0], .events = POLLIN },
			{ .fd = asv[0], .events = POLLIN },
		};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents) {
			if (relay_one(isv[0], asv[0], first_req ?
				      o->mangle_request : MANGLE_NONE))
				break;
			first_req = false;
		}
		if (p[1].revents) {
			if (relay_one(asv[0], isv[0], first_rep ?
				      o->mangle_reply : MANGLE_NONE))
				break;
			first_rep = false;
		}
	}
	/* One side is done: the other sees its peer go. */
	close(isv[0]);
	close(asv[0]);
	collect(o->init_kind, ires, ipid, ir);
	collect(o->acc_kind, ares, apid, ar);
}

/* --- assertions that print what happened ------------------------------------ */

#define ASSERT_STATUS(want, r) do {					\
	ASSERT_EQ(want, (r).status) {					\
		TH_LOG("status %s (0x%08x), errno %d (%s), acquire errno %d, legs %d%s%s", \
		       ksspi_status_string((r).status), (r).status,	\
		       (r).err, strerror((r).err), (r).acq_err, (r).legs, \
		       (r).error[0] ? ", MIT: " : "", (r).error);	\
	}								\
	/* A protocol outcome is a status, never an errno. */		\
	EXPECT_EQ(0, (r).err);						\
} while (0)

static const char *pkg_target(void)
{
	static char t[NAMEBUF];

	svc_name(t, sizeof(t), "host");
	return t;
}

/* ============================================================================ */

FIXTURE(krb) {
	char dir[PATH_MAX];
	char alice_cc[PATH_MAX + 32];	/* FILE:... */
	char alice_file[PATH_MAX + 16];
	char bob_file[PATH_MAX + 16];
	char target[NAMEBUF];
	bool kdc_stopped;
	long clock_shift;	/* seconds the test moved the clock */
};

FIXTURE_VARIANT(krb) {
	const char *package;
	uint32_t package_id;
};

FIXTURE_VARIANT_ADD(krb, kerberos) {
	.package = "kerberos",
	.package_id = KSSPI_PACKAGE_KERBEROS,
};

FIXTURE_VARIANT_ADD(krb, negotiate) {
	.package = "negotiate",
	.package_id = KSSPI_PACKAGE_NEGOTIATE,
};

FIXTURE_SETUP(krb)
{
	e2e_setup(_metadata, variant->package);
	ASSERT_EQ(0, make_dir(self->dir, sizeof(self->dir)));
	snprintf(self->alice_cc, sizeof(self->alice_cc), "FILE:%s/alice.cc",
		 self->dir);
	snprintf(self->alice_file, sizeof(self->alice_file), "%s/alice.txt",
		 self->dir);
	snprintf(self->bob_file, sizeof(self->bob_file), "%s/bob.txt",
		 self->dir);
	ASSERT_EQ(0, owned_file(self->alice_file, ALICE_UID, ALICE_GID, "alice\n"));
	ASSERT_EQ(0, owned_file(self->bob_file, BOB_UID, BOB_GID, "bob\n"));
	snprintf(self->target, sizeof(self->target), "%s", pkg_target());
	ASSERT_EQ(0, alice_kinit(self->alice_cc, 0, NULL));
}

/*
 * Moves the guest's CLOCK_REALTIME by @delta seconds.  Undone by
 * shift_clock(self, -self->clock_shift) (also in the teardown).
 */
static int shift_clock(FIXTURE_DATA(krb) *self, long delta)
{
	struct timespec now;

	if (clock_gettime(CLOCK_REALTIME, &now))
		return -errno;
	now.tv_sec += delta;
	if (clock_settime(CLOCK_REALTIME, &now))
		return -errno;
	self->clock_shift += delta;
	return 0;
}

FIXTURE_TEARDOWN(krb)
{
	if (self->clock_shift)
		EXPECT_EQ(0, shift_clock(self, -self->clock_shift));
	/* (kernel_acceptor unloads it; not when it failed half-way) */
	if (!access(KAPI_FILE, F_OK))
		syscall(SYS_delete_module, "ksspi_kapi", O_NONBLOCK);
	if (self->kdc_stopped)
		EXPECT_EQ(0, kdc_start());
	EXPECT_EQ(0, use_real_helper());
	rm_tree(self->dir);
	e2e_time(_metadata);
}

static struct hs_opts base_opts(FIXTURE_DATA(krb) *self,
				const FIXTURE_VARIANT(krb) *variant)
{
	struct hs_opts o = {
		.package = variant->package,
		.init_uid = ALICE_UID,
		.ccache = self->alice_cc,
		.target = self->target,
		.isc_req = ISC_REQ_MUTUAL_AUTH | ISC_REQ_CONNECTION,
		.open_ok = self->alice_file,
		.open_denied = self->bob_file,
	};

	return o;
}

/* Checks the server side of a successful handshake from alice. */
static void check_alice_server(struct __test_metadata *_metadata,
			       const struct side_res *ar, uint32_t level,
			       uint32_t package_id)
{
	char want[NAMEBUF];
	bool staff = false;
	uint32_t i;

	snprintf(want, sizeof(want), "alice@%s", E.realm);
	ASSERT_EQ(0, ar->names_err);
	EXPECT_STREQ(want, ar->name);
	EXPECT_STREQ(want, ar->client);
	EXPECT_NE(NULL, strstr(ar->server, "host/"));
	ASSERT_EQ(0, ar->ci_err);
	EXPECT_EQ(KSSPI_STATE_ESTABLISHED, ar->ci.state);
	EXPECT_EQ(package_id, ar->ci.package_id);
	EXPECT_TRUE(ar->ci.mask & KSSPI_ATTR(SECPKG_ATTR_LIFESPAN));
	EXPECT_LT(time(NULL), ar->ci.expiry);
	EXPECT_LE(ar->ci.start, time(NULL));
	EXPECT_EQ(level, ar->ci.level);
	/* The client's token: uid, primary gid, all groups, the name. */
	ASSERT_EQ(0, ar->tok_err);
	EXPECT_EQ(ALICE_UID, ar->uid);
	EXPECT_EQ(ALICE_GID, ar->gid);
	EXPECT_EQ(level, ar->level);
	for (i = 0; i < ar->ngroups && i < 16; i++)
		staff |= ar->groups[i] == STAFF_GID;
	EXPECT_TRUE(staff) {
		TH_LOG("alice's token lacks kstaff (%u groups)", ar->ngroups);
	}
	EXPECT_STREQ(want, ar->tok_name);
	/*
	 * Impersonation: real permission checks on 0600 files.  (Checked
	 * last and not fatal, so that a failure here still shows the rest.)
	 */
	EXPECT_EQ(SEC_E_OK, ar->imp_status) {
		TH_LOG("root server impersonating alice: %s",
		       ksspi_status_string(ar->imp_status));
	}
	if (ar->imp_status != SEC_E_OK)
		return;
	EXPECT_EQ(ALICE_UID, ar->fsuid);
	EXPECT_EQ(0, ar->open_ok_err) {
		TH_LOG("alice's own 0600 file: %s", strerror(ar->open_ok_err));
	}
	EXPECT_EQ(EACCES, ar->open_denied_err);
	EXPECT_EQ(SEC_E_OK, ar->revert_status);
	EXPECT_EQ(0, ar->after_uid);
}


static void check_same_key(struct __test_metadata *_metadata,
			   const struct side_res *a, const struct side_res *b)
{
	ASSERT_LT(0, a->key_len) {
		TH_LOG("session key: %s", strerror(-a->key_len));
	}
	ASSERT_EQ(a->key_len, b->key_len);
	EXPECT_EQ(0, memcmp(a->key, b->key, a->key_len));
	if (a->enctype && b->enctype)
		EXPECT_EQ(a->enctype, b->enctype);
}

#endif /* KRB5_E2E_H */
