// SPDX-License-Identifier: GPL-2.0
/*
 * ksspictl test-kerberos in the VM, against the real realm
 * (selftests/krb5/kdc-setup --system) and the real helper
 * (build/ksspi-upcall) reached through the real request-key: a good
 * handshake as root and as alice, then each misconfiguration an
 * administrator meets, made for real, with the exit code and the key
 * phrase of the explanation asserted:
 *
 *   no request-key line / helper not executable / helper timing out  78
 *   keytab unreadable (alice naming the system keytab)                 77
 *   no ccache                                                          1
 *   stale keytab (kvno 1)  -> SEC_E_LOGON_DENIED, "wrong service key"  78
 *   clock skew (selftests/krb5/ccache-offset +600)                     78
 *   nolocal@ (no passwd entry) -> "principal unmapped"                 78
 *   root@ (maps to root, allow_root off) -> "maps to root"             78
 *   acceptor --principal other than the target                         64
 *   target unknown to the KDC                                          78
 *   KDC stopped -> "no authenticating authority"                       78
 *   module not loaded (a device path that does not exist)              69
 *
 * ksspictl runs as a program (build/ksspictl, next to build/selftests/);
 * request-key is put back to the real helper before every test.
 */
#include <ftw.h>
#include <krb5/krb5.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <sysexits.h>
#include <time.h>

#include "ksspi_test.h"

#define OUTMAX		65536
#define KRB5_ENV	"/tmp/ksspi-krb5/env"
#define RK_CONF		"/etc/request-key.d/ksspi.conf"
#define WORK_DIR	"/tmp/ksspictl-krb5"
#define TIMEOUT_SAVED	"/run/ksspictl-krb5-upcall_timeout_ms"
#define TIMEOUT_PARAM	"/sys/module/ksspi/parameters/upcall_timeout_ms"
#define LONG_DEADLINE_MS	"120000"

static struct {
	char root[PATH_MAX];
	char helper[PATH_MAX + 32];
	char ctl[PATH_MAX + 32];
	char host[128];
	char realm[64];
	char keytab[PATH_MAX];
	char stale_keytab[PATH_MAX];
	char alice_keytab[PATH_MAX];
	char nolocal_keytab[PATH_MAX];
	char root_keytab[PATH_MAX];
	pid_t kdc_pid;
} E;

static void env_value(const char *line, const char *key, char *dst,
		      size_t size)
{
	size_t n = strlen(key);

	if (!strncmp(line, key, n) && line[n] == '=')
		snprintf(dst, size, "%s", line + n + 1);
}

static int read_env(void)
{
	char line[1024], pid[32] = "";
	FILE *f = fopen(KRB5_ENV, "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		env_value(line, "KSSPI_KRB5_REALM", E.realm, sizeof(E.realm));
		env_value(line, "KSSPI_KRB5_HOST", E.host, sizeof(E.host));
		env_value(line, "KSSPI_KRB5_KEYTAB", E.keytab, sizeof(E.keytab));
		env_value(line, "KSSPI_KRB5_STALE_KEYTAB", E.stale_keytab,
			  sizeof(E.stale_keytab));
		env_value(line, "KSSPI_KRB5_ALICE_KEYTAB", E.alice_keytab,
			  sizeof(E.alice_keytab));
		env_value(line, "KSSPI_KRB5_NOLOCAL_KEYTAB", E.nolocal_keytab,
			  sizeof(E.nolocal_keytab));
		env_value(line, "KSSPI_KRB5_ROOT_KEYTAB", E.root_keytab,
			  sizeof(E.root_keytab));
		env_value(line, "KSSPI_KRB5_KDC_PID", pid, sizeof(pid));
	}
	fclose(f);
	E.kdc_pid = atoi(pid);
	return E.realm[0] && E.host[0] && E.keytab[0] && E.stale_keytab[0] &&
	       E.alice_keytab[0] && E.nolocal_keytab[0] && E.root_keytab[0] ?
	       0 : -ENODATA;
}

/* build/selftests/ksspictl_krb5_test -> the tree, build/ksspictl. */
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
	snprintf(E.ctl, sizeof(E.ctl), "%s/build/ksspictl", E.root);
	/* selftests/suite.d/installed: the installed programs instead. */
	if (getenv("KSSPI_E2E_HELPER"))
		snprintf(E.helper, sizeof(E.helper), "%s",
			 getenv("KSSPI_E2E_HELPER"));
	if (getenv("KSSPI_E2E_CTL"))
		snprintf(E.ctl, sizeof(E.ctl), "%s", getenv("KSSPI_E2E_CTL"));
	return 0;
}

/* Runs argv as root, stdout to /dev/null; its exit status. */
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
	char path[64], comm[32] = "";
	int fd;

	if (read_env() || E.kdc_pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/comm", E.kdc_pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (read(fd, comm, sizeof(comm) - 1) < 0)
		comm[0] = 0;
	close(fd);
	return !strncmp(comm, "krb5kdc", 7);
}

static int kdc_setup(const char *arg)
{
	char prog[PATH_MAX + 32];
	const char *argv[] = { prog, arg, "-q", NULL };

	snprintf(prog, sizeof(prog), "%s/selftests/krb5/kdc-setup", E.root);
	return run(argv);
}

/* Points request-key at @program (NULL: the line is removed). */
static int set_upcall(const char *program)
{
	char line[PATH_MAX + 64];

	mkdir("/etc/request-key.d", 0755);
	if (!program)
		return unlink(RK_CONF) && errno != ENOENT ? -errno : 0;
	snprintf(line, sizeof(line), "create ksspi * * %s %%k\n", program);
	return write_file_atomic(RK_CONF, line, 0644);
}

/* Puts back upcall_timeout_ms if a test lowered it (even one that died). */
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

static int rm_entry(const char *path, const struct stat *st, int type,
		    struct FTW *ftw)
{
	return remove(path);
}

/*
 * kinit with @keytab as @principal into @ccname, then service tickets for
 * host/, in a child running as @uid (the ccache is then @uid's own).
 */
static int kinit_as(uid_t uid, gid_t gid, const char *ccname,
		    const char *principal, const char *keytab)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		krb5_get_init_creds_opt *opt;
		krb5_creds creds, in = {}, *out;
		krb5_principal client;
		krb5_context k;
		krb5_keytab kt;
		krb5_ccache cc;
		char svc[256];

		if (uid && become(uid, gid, NULL, 0))
			_exit(10);
		snprintf(svc, sizeof(svc), "host/%s", E.host);
		if (krb5_init_context(&k) ||
		    krb5_parse_name(k, principal, &client) ||
		    krb5_kt_resolve(k, keytab, &kt) ||
		    krb5_cc_resolve(k, ccname, &cc) ||
		    krb5_get_init_creds_opt_alloc(k, &opt))
			_exit(11);
		if (krb5_get_init_creds_opt_set_out_ccache(k, opt, cc) ||
		    krb5_get_init_creds_keytab(k, &creds, client, kt, 0, NULL,
					       opt))
			_exit(12);
		krb5_free_cred_contents(k, &creds);
		in.client = client;
		if (krb5_parse_name(k, svc, &in.server) ||
		    krb5_get_credentials(k, 0, cc, &in, &out))
			_exit(13);
		krb5_free_creds(k, out);
		krb5_cc_close(k, cc);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

struct run_as {
	uid_t uid;			/* 0: stay root */
	gid_t gid;
	const char *env;		/* NAME=VALUE to add, or NULL */
};

/*
 * Runs ksspictl with @argv (argv[0] is replaced), stdout and stderr into
 * @out.  Returns its exit status or 128 + signal or -1.
 */
static int run_ctl(const struct run_as *r, char *out, const char **argv)
{
	size_t len = 0;
	int pfd[2], st;
	ssize_t n;
	pid_t pid;

	out[0] = 0;
	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	argv[0] = E.ctl;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		const gid_t g[] = { STAFF_GID };

		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		if (r->env && putenv((char *)r->env))
			_exit(203);
		if (r->uid && become(r->uid, r->gid, g, 1))
			_exit(205);
		execv(argv[0], (char **)argv);
		_exit(206);
	}
	close(pfd[1]);
	while (len < OUTMAX - 1 &&
	       (n = read(pfd[0], out + len, OUTMAX - 1 - len)) > 0)
		len += n;
	out[len] = 0;
	close(pfd[0]);
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#define CTL(r, out, ...) ({						\
	const char *__argv[] = { NULL, __VA_ARGS__, NULL };		\
	int __st = run_ctl(r, out, __argv);				\
	TH_LOG("ksspictl -> %d\n%s", __st, out);			\
	__st;								\
})

static const struct run_as as_root = { 0 };

FIXTURE(ctl) {
	char dir[PATH_MAX];
	char alice_cc[PATH_MAX + 16];	/* FILE:..., alice's, host/ ticket */
	char target[256];
	bool kdc_stopped;
};

FIXTURE_SETUP(ctl)
{
	char v[32];

	ASSERT_EQ(0, find_root());
	ASSERT_EQ(0, access("/dev/ksspi", F_OK)) {
		TH_LOG("the ksspi module is not loaded");
	}
	ASSERT_EQ(0, access(E.ctl, X_OK)) {
		TH_LOG("%s: %s", E.ctl, strerror(errno));
	}
	ASSERT_EQ(0, access(E.helper, X_OK)) {
		TH_LOG("%s: %s (not built?)", E.helper, strerror(errno));
	}
	if (!kdc_alive())
		ASSERT_EQ(0, kdc_setup("--system"));
	ASSERT_TRUE(kdc_alive());
	setenv("KRB5_CONFIG", "/etc/krb5.conf", 1);
	unsetenv("KRB5CCNAME");
	ASSERT_EQ(0, set_upcall(E.helper));
	ASSERT_EQ(0, restore_timeout());
	/*
	 * Deadlines far above what a leg takes, so that a loaded machine or
	 * the debug kernel does not turn a slow KDC exchange into a failure
	 * (a 15 s upcall deadline and the helper's 10 s were both seen
	 * expiring with several VMs on 2 cores); put back in the teardown.
	 */
	ASSERT_EQ(0, read_small(TIMEOUT_PARAM, v, sizeof(v)));
	ASSERT_EQ(0, write_file_atomic(TIMEOUT_SAVED, v, 0600));
	ASSERT_EQ(0, set_param("upcall_timeout_ms", LONG_DEADLINE_MS));
	/* The helper's defaults and the module's: no root, unmapped refused. */
	mkdir("/etc/ksspi", 0755);
	ASSERT_EQ(0, write_file_atomic("/etc/ksspi/upcall.conf",
				"# ksspictl_krb5_test: the defaults, but a long timeout\n"
				"timeout = 100\n", 0644));
	ASSERT_EQ(0, set_param("allow_root", "0"));

	mkdir(WORK_DIR, 0711);
	snprintf(self->dir, sizeof(self->dir), WORK_DIR "/XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, chmod(self->dir, 01777));
	snprintf(self->alice_cc, sizeof(self->alice_cc), "FILE:%s/alice.cc",
		 self->dir);
	ASSERT_EQ(0, kinit_as(ALICE_UID, ALICE_GID, self->alice_cc, "alice",
			      E.alice_keytab));
	snprintf(self->target, sizeof(self->target), "host/%s", E.host);
}

FIXTURE_TEARDOWN(ctl)
{
	if (self->kdc_stopped)
		kdc_setup("--system");
	set_upcall(E.helper);
	restore_timeout();
	if (self->dir[0])
		nftw(self->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The successful handshake's report: client, mapping, level. */
static void check_alice(struct __test_metadata *_metadata, const char *out)
{
	char line[256];

	snprintf(line, sizeof(line), "client:     alice@%s", E.realm);
	EXPECT_NE(NULL, strstr(out, line));
	EXPECT_NE(NULL, strstr(out, "uid=2001(alice) gid=2001(alice)"));
	EXPECT_NE(NULL, strstr(out, "2100(kstaff)"));
	EXPECT_NE(NULL, strstr(out, "level:      impersonation"));
	EXPECT_NE(NULL, strstr(out, "acquire outbound (initiator): ok"));
	EXPECT_NE(NULL, strstr(out, "acquire inbound (acceptor): ok"));
	EXPECT_NE(NULL, strstr(out, "acceptor   SEC_E_OK"));
	EXPECT_NE(NULL, strstr(out, "test-kerberos: ok"));
}

/* Root, alice's ccache, the system keytab, both packages. */
TEST_F_TIMEOUT(ctl, ok_as_root, 300)
{
	static char out[OUTMAX];

	ASSERT_EQ(0, CTL(&as_root, out, "test-kerberos", "--ccache",
			 self->alice_cc, self->target));
	check_alice(_metadata, out);
	ASSERT_EQ(0, CTL(&as_root, out, "test-kerberos", "--package",
			 "negotiate", "--ccache", self->alice_cc,
			 self->target));
	check_alice(_metadata, out);
}

/*
 * alice herself: her ccache from KRB5CCNAME (which the helper cannot see:
 * ksspictl names it), a keytab she owns.
 */
TEST_F_TIMEOUT(ctl, ok_as_alice, 300)
{
	static char out[OUTMAX];
	struct run_as r = { ALICE_UID, ALICE_GID, NULL };
	char kt[PATH_MAX + 64], env[PATH_MAX + 32];
	char cmd[4 * PATH_MAX];

	snprintf(kt, sizeof(kt), "%s/alice-host.keytab", self->dir);
	snprintf(cmd, sizeof(cmd), "cp %s %s && chown %d:%d %s", E.keytab, kt,
		 ALICE_UID, ALICE_GID, kt);
	ASSERT_EQ(0, system(cmd));
	snprintf(env, sizeof(env), "KRB5CCNAME=%s", self->alice_cc);
	r.env = env;
	ASSERT_EQ(0, CTL(&r, out, "test-kerberos", "--keytab", kt,
			 self->target));
	EXPECT_NE(NULL, strstr(out, "(from KRB5CCNAME)"));
	check_alice(_metadata, out);
}

/* --- two hosts: --listen / --connect ------------------------------------- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* A running acceptor: its pid and the pipe its output comes through. */
struct bg_ctl {
	pid_t pid;
	int fd;
	char out[OUTMAX];
	size_t len;
};

/* Starts ksspictl @argv in the background (as root); its output in @b. */
static int bg_start(struct bg_ctl *b, const char **argv)
{
	int pfd[2];

	b->len = 0;
	b->out[0] = 0;
	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	argv[0] = E.ctl;
	b->pid = fork();
	if (b->pid < 0)
		return -1;
	if (b->pid == 0) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execv(argv[0], (char **)argv);
		_exit(206);
	}
	close(pfd[1]);
	b->fd = pfd[0];
	return 0;
}

/* Reads @b's output until @text appears or @ms pass; true if it did. */
static bool bg_wait_for(struct bg_ctl *b, const char *text, int ms)
{
	uint64_t end = now_ms() + ms;

	while (!strstr(b->out, text)) {
		struct pollfd p = { .fd = b->fd, .events = POLLIN };
		int64_t left = (int64_t)(end - now_ms());
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return false;
		n = read(b->fd, b->out + b->len, OUTMAX - 1 - b->len);
		if (n <= 0)
			return false;
		b->len += n;
		b->out[b->len] = 0;
	}
	return true;
}

/* Reads the rest of @b's output and reaps it; its exit status or -1. */
static int bg_finish(struct bg_ctl *b)
{
	int st;

	uint64_t end;

	bg_wait_for(b, "\x01never\x01", 60000);	/* until EOF or 60 s */
	close(b->fd);
	/* EOF comes as it exits; give it 10 s more to be reapable. */
	end = now_ms() + 10000;
	while (waitpid(b->pid, &st, WNOHANG) != b->pid) {
		if (now_ms() > end) {
			kill(b->pid, SIGKILL);
			waitpid(b->pid, &st, 0);
			return -1;
		}
		usleep(20 * 1000);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * ksspictl test-kerberos as two hosts: the acceptor (--listen, system
 * keytab) and the initiator (--connect, alice's ccache) are two processes
 * exchanging the legs over TCP, as a server and a client machine would.
 * Each prints its own side; a failure on one side is explained there and
 * named by the other.
 */
static int start_acceptor(struct __test_metadata *_metadata,
			  struct bg_ctl *acc, const char *keytab)
{
	const char *argv[] = { NULL, "test-kerberos", "--keytab", keytab,
			       "--listen", "127.0.0.1:0", NULL };
	const char *p;

	if (bg_start(acc, argv))
		return -1;
	if (!bg_wait_for(acc, "listening on port ", 60000)) {
		TH_LOG("the acceptor did not listen:\n%s", acc->out);
		return -1;
	}
	p = strstr(acc->out, "listening on port ") + strlen("listening on port ");
	if (!bg_wait_for(acc, "\n", 1000))
		return -1;
	return atoi(p);
}

TEST_F_TIMEOUT(ctl, two_hosts, 300)
{
	static char out[OUTMAX];
	static struct bg_ctl acc;
	char addr[64], line[256];
	int port;

	port = start_acceptor(_metadata, &acc, E.keytab);
	ASSERT_LT(0, port);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	EXPECT_EQ(0, CTL(&as_root, out, "test-kerberos", "--ccache",
			 self->alice_cc, "--connect", addr, self->target));
	EXPECT_NE(NULL, strstr(out, "acquire outbound (initiator): ok"));
	EXPECT_EQ(NULL, strstr(out, "acquire inbound"));
	EXPECT_NE(NULL, strstr(out, "acceptor (peer)  SEC_E_OK"));
	EXPECT_NE(NULL, strstr(out, "test-kerberos: ok (initiator)"));
	EXPECT_EQ(0, bg_finish(&acc));
	TH_LOG("acceptor:\n%s", acc.out);
	EXPECT_EQ(NULL, strstr(acc.out, "acquire outbound"));
	EXPECT_NE(NULL, strstr(acc.out, "acquire inbound (acceptor): ok"));
	snprintf(line, sizeof(line), "client:     alice@%s", E.realm);
	EXPECT_NE(NULL, strstr(acc.out, line));
	EXPECT_NE(NULL, strstr(acc.out, "uid=2001(alice) gid=2001(alice)"));
	EXPECT_NE(NULL, strstr(acc.out, "level:      impersonation"));
	EXPECT_NE(NULL, strstr(acc.out, "test-kerberos: ok (acceptor)"));
}

/* The acceptor's keytab is stale: it explains; the initiator names it. */
TEST_F_TIMEOUT(ctl, two_hosts_stale_keytab, 300)
{
	static char out[OUTMAX];
	static struct bg_ctl acc;
	char addr[64];
	int port;

	port = start_acceptor(_metadata, &acc, E.stale_keytab);
	ASSERT_LT(0, port);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	EXPECT_EQ(EXIT_FAILURE, CTL(&as_root, out, "test-kerberos", "--ccache",
				    self->alice_cc, "--connect", addr,
				    self->target));
	EXPECT_NE(NULL, strstr(out, "the acceptor's leg gave SEC_E_LOGON_DENIED"));
	/*
	 * The acceptor alone cannot see the initiator's ticket (its kvno), so
	 * it gives the general "logon denied" cause, whose first suspect is
	 * the service key, and exit 1 (loopback names the kvno: exit 78).
	 */
	EXPECT_EQ(EXIT_FAILURE, bg_finish(&acc));
	TH_LOG("acceptor:\n%s", acc.out);
	EXPECT_NE(NULL, strstr(acc.out, "acceptor leg gave SEC_E_LOGON_DENIED"));
	EXPECT_NE(NULL, strstr(acc.out, "cause: logon denied"));
	EXPECT_NE(NULL, strstr(acc.out, "wrong service key"));
}

/* --- trace events ------------------------------------------------------- */

#define TRACEFS		"/sys/kernel/tracing/"

/*
 * The first line of @text with event @event whose fields include every
 * "key=value" of @want (space separated, in any order); NULL if none.
 * @want's values may be "*" (present, any value).
 */
static const char *trace_find(const char *text, const char *event,
			      const char *want)
{
	char ev[64], body[512], w[256], *save, *kv;
	const char *line, *end, *p;

	snprintf(ev, sizeof(ev), " %s: ", event);
	for (line = text; *line; line = *end ? end + 1 : end) {
		bool all = true;

		end = strchrnul(line, '\n');
		p = strstr(line, ev);
		if (!p || p > end)
			continue;
		p += strlen(ev);
		/* " field field ... " so that every field has spaces around */
		snprintf(body, sizeof(body), " %.*s ", (int)(end - p), p);
		snprintf(w, sizeof(w), "%s", want);
		for (kv = strtok_r(w, " ", &save); kv && all;
		     kv = strtok_r(NULL, " ", &save)) {
			char pat[128];
			size_t n = strlen(kv);

			if (n > 2 && !strcmp(kv + n - 2, "=*"))
				snprintf(pat, sizeof(pat), " %.*s", (int)n - 1, kv);
			else
				snprintf(pat, sizeof(pat), " %s ", kv);
			all = strstr(body, pat) != NULL;
		}
		if (all)
			return line;
	}
	return NULL;
}

/* The value of field @key ("ctx") in @line, or 0. */
static unsigned long long trace_field(const char *line, const char *key)
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(line, pat);
	return p ? strtoull(p + strlen(pat), NULL, 10) : 0;
}

/*
 * Issue 8: the trace events appear with the right fields.  A handshake of
 * ksspictl test-kerberos with the ksspi events on: the three upcalls
 * (acquire = op 1, initiate = 2, accept = 3) start and end with their
 * request id, context and duration, and the contexts' state changes name
 * the package, role and status.
 *
 * The events are switched on and off while nothing of ksspi runs (no
 * upcall, no helper): switching a tracepoint patches the module's text
 * (text_poke_bp, an IPI to every CPU), which once livelocked the TCG guest
 * while a helper was being started on the other vCPU.  The trace buffer is
 * made small and read through "trace" (never trace_pipe, which blocks).
 */
TEST_F_TIMEOUT(ctl, trace_events, 300)
{
	static char out[OUTMAX], trace[256 * 1024];
	const char *l, *acc, *ini;
	char size_kb[32] = "", want[160];
	unsigned long long actx, ictx, id;
	size_t len = 0;
	ssize_t n;
	int fd;

	if (access(TRACEFS "events/ksspi/enable", W_OK))
		SKIP(return, "no " TRACEFS "events/ksspi (tracefs or the events absent)");
	ASSERT_EQ(0, read_small(TRACEFS "buffer_size_kb", size_kb,
				sizeof(size_kb)));
	ASSERT_EQ(0, write_text(TRACEFS "buffer_size_kb", "256", O_TRUNC));
	ASSERT_EQ(0, write_text(TRACEFS "trace", "", O_TRUNC));
	ASSERT_EQ(0, write_text(TRACEFS "events/ksspi/enable", "1", O_TRUNC));
	EXPECT_EQ(0, CTL(&as_root, out, "test-kerberos", "--ccache",
			 self->alice_cc, self->target));
	ASSERT_EQ(0, write_text(TRACEFS "events/ksspi/enable", "0", O_TRUNC));
	fd = open(TRACEFS "trace", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	while (len < sizeof(trace) - 1 &&
	       (n = read(fd, trace + len, sizeof(trace) - 1 - len)) > 0)
		len += n;
	trace[len] = 0;
	close(fd);
	write_text(TRACEFS "trace", "", O_TRUNC);
	if (size_kb[0])
		write_text(TRACEFS "buffer_size_kb", size_kb, O_TRUNC);
	TH_LOG("%s", trace);

	/* The contexts: the initiator's two legs, the acceptor's one. */
	ini = trace_find(trace, "ksspi_context_step",
			 "package=kerberos role=initiator state=0->1 status=0x00090312 in=0 out=*");
	ASSERT_NE(NULL, ini);
	acc = trace_find(trace, "ksspi_context_step",
			 "package=kerberos role=acceptor state=0->2 status=0x00000000 in=* out=*");
	ASSERT_NE(NULL, acc);
	ictx = trace_field(ini, "ctx");
	actx = trace_field(acc, "ctx");
	ASSERT_NE(0, ictx);
	ASSERT_NE(0, actx);
	EXPECT_NE(ictx, actx);
	snprintf(want, sizeof(want), "ctx=%llu package=kerberos role=initiator state=1->2 status=0x00000000",
		 ictx);
	EXPECT_NE(NULL, trace_find(trace, "ksspi_context_step", want));

	/* Acquire: no context, root's request. */
	l = trace_find(trace, "ksspi_upcall_start", "op=1 ctx=0 uid=0 len=*");
	ASSERT_NE(NULL, l);
	id = trace_field(l, "upcall");
	snprintf(want, sizeof(want), "upcall=%llu op=1 ctx=0 duration_us=* result=0 status=0x00000000 reason=\"\"",
		 id);
	EXPECT_NE(NULL, trace_find(trace, "ksspi_upcall_done", want));

	/* Each leg's upcall carries its context and ends with its status. */
	snprintf(want, sizeof(want), "op=2 ctx=%llu uid=0 len=*", ictx);
	l = trace_find(trace, "ksspi_upcall_start", want);
	ASSERT_NE(NULL, l);
	id = trace_field(l, "upcall");
	snprintf(want, sizeof(want), "upcall=%llu op=2 ctx=%llu duration_us=* result=0 status=0x00090312 reason=\"\"",
		 id, ictx);
	EXPECT_NE(NULL, trace_find(trace, "ksspi_upcall_done", want));

	snprintf(want, sizeof(want), "op=3 ctx=%llu uid=0 len=*", actx);
	l = trace_find(trace, "ksspi_upcall_start", want);
	ASSERT_NE(NULL, l);
	id = trace_field(l, "upcall");
	snprintf(want, sizeof(want), "upcall=%llu op=3 ctx=%llu duration_us=* result=0 status=0x00000000 reason=\"\"",
		 id, actx);
	l = trace_find(trace, "ksspi_upcall_done", want);
	ASSERT_NE(NULL, l);
	/* A real upcall (request-key, a process) takes time: more than 0 us. */
	EXPECT_LT(0, trace_field(l, "duration_us"));
}

/*
 * The helper refuses every request while /etc/ksspi/upcall.conf is bad
 * (it negates them: ENOKEY, which alone would read as "no ticket").
 * ksspictl names the file and the helper's own complaint.
 */
TEST_F_TIMEOUT(ctl, upcall_conf_unknown_key, 300)
{
	static char out[OUTMAX];

	ASSERT_EQ(0, write_file_atomic("/etc/ksspi/upcall.conf",
				       "timeout = 10\nfrobnicate = yes\n", 0644));
	ASSERT_EQ(EX_CONFIG, CTL(&as_root, out, "test-kerberos", "--ccache",
				 self->alice_cc, self->target));
	EXPECT_NE(NULL, strstr(out, "cause: the helper refuses its configuration"));
	EXPECT_NE(NULL, strstr(out, "line 2: unknown key 'frobnicate'"));
	EXPECT_NE(NULL, strstr(out, "fix: correct /etc/ksspi/upcall.conf"));
	EXPECT_EQ(NULL, strstr(out, "holds no valid ticket"));
}

TEST_F_TIMEOUT(ctl, upcall_conf_writable, 300)
{
	static char out[OUTMAX];

	ASSERT_EQ(0, write_file_atomic("/etc/ksspi/upcall.conf",
				       "# group-writable\n", 0664));
	ASSERT_EQ(0, chmod("/etc/ksspi/upcall.conf", 0664));
	ASSERT_EQ(EX_CONFIG, CTL(&as_root, out, "test-kerberos", "--ccache",
				 self->alice_cc, self->target));
	EXPECT_NE(NULL, strstr(out, "cause: the helper refuses its configuration"));
	EXPECT_NE(NULL, strstr(out, "not group/world-writable"));
}

TEST_F_TIMEOUT(ctl, no_request_key_line, 300)
{
	static char out[OUTMAX];

	ASSERT_EQ(0, set_upcall(NULL));
	ASSERT_EQ(EX_CONFIG, CTL(&as_root, out, "test-kerberos", "--ccache",
				 self->alice_cc, self->target));
	EXPECT_NE(NULL, strstr(out, "No route to host"));
	EXPECT_NE(NULL, strstr(out, "helper not configured in /etc/request-key.d"));
	EXPECT_NE(NULL, strstr(out, "create ksspi * *"));
}

TEST_F_TIMEOUT(ctl, helper_not_executable, 300)
{
	static char out[OUTMAX];
	char missing[PATH_MAX + 32];

	snprintf(missing, sizeof(missing), "%s/no-such-helper", self->dir);
	ASSERT_EQ(0, set_upcall(missing));
	ASSERT_EQ(EX_CONFIG, CTL(&as_root, out, "test-kerberos", "--ccache",
				 self->alice_cc, self->target));
	EXPECT_NE(NULL, strstr(out, "helper not executable"));
	EXPECT_NE(NULL, strstr(out, missing));
}

/* A helper that never answers, with a 1.5 s deadline. */
TEST_F_TIMEOUT(ctl, helper_timeout, 300)
{
	static char out[OUTMAX];
	char hang[PATH_MAX + 32];

	snprintf(hang, sizeof(hang), "%s/hang", self->dir);
	ASSERT_EQ(0, write_file_atomic(hang, "#!/bin/sh\nexec sleep 10\n", 0755));
	ASSERT_EQ(0, set_param("upcall_timeout_ms", "1500"));
	ASSERT_EQ(0, set_upcall(hang));
	ASSERT_EQ(EX_CONFIG, CTL(&as_root, out, "test-kerberos", "--ccache",
				 self->alice_cc, self->target));
	EXPECT_NE(NULL, strstr(out, "helper timed out"));
	EXPECT_NE(NULL, strstr(out, "upcall_timeout_ms (1500 ms)"));
	ASSERT_EQ(0, set_param("upcall_timeout_ms", LONG_DEADLINE_MS));
}

/* alice names the system keytab (root's, 0600). */
TEST_F_TIMEOUT(ctl, keytab_unreadable, 300)
{
	static char out[OUTMAX];
	struct run_as r = { ALICE_UID, ALICE_GID, NULL };

	ASSERT_EQ(EX_NOPERM, CTL(&r, out, "test-kerberos", "--ccache",
				 self->alice_cc, "--keytab", E.keytab,
				 self->target));
	EXPECT_NE(NULL, strstr(out, "keytab unreadable"));
	EXPECT_NE(NULL, strstr(out, "uid 2001"));
}

TEST_F_TIMEOUT(ctl, no_ccache, 300)
{
	static char out[OUTMAX];
	char cc[PATH_MAX + 16];

	snprintf(cc, sizeof(cc), "FILE:%s/none.cc", self->dir);
	ASSERT_EQ(1, CTL(&as_root, out, "test-kerberos", "--ccache", cc,
			 self->target));
	EXPECT_NE(NULL, strstr(out, "no credentials"));
	EXPECT_NE(NULL, strstr(out, "run kinit"));
}

/* The keytab holds host/'s previous key (kvno 1), the ticket is kvno 2. */
TEST_F_TIMEOUT(ctl, stale_keytab, 300)
{
	static char out[OUTMAX];

	ASSERT_EQ(EX_CONFIG, CTL(&as_root, out, "test-kerberos", "--ccache",
				 self->alice_cc, "--keytab", E.stale_keytab,
				 self->target));
	EXPECT_NE(NULL, strstr(out, "acceptor leg gave SEC_E_LOGON_DENIED"));
	EXPECT_NE(NULL, strstr(out, "wrong service key"));
	EXPECT_NE(NULL, strstr(out, "(kvno) 2"));
	EXPECT_NE(NULL, strstr(out, "re-export the keytab"));
}

/* alice's clock, as her ccache records it, 10 minutes ahead of the KDC's. */
TEST_F_TIMEOUT(ctl, clock_skew, 300)
{
	static char out[OUTMAX];
	char prog[PATH_MAX + 64];
	const char *argv[] = { prog, self->alice_cc + 5, "600", NULL };

	snprintf(prog, sizeof(prog), "%s/selftests/krb5/ccache-offset", E.root);
	ASSERT_EQ(0, run(argv));
	ASSERT_EQ(EX_CONFIG, CTL(&as_root, out, "test-kerberos", "--ccache",
				 self->alice_cc, self->target));
	EXPECT_NE(NULL, strstr(out, "SEC_E_TIME_SKEW"));
	EXPECT_NE(NULL, strstr(out, "clock skew"));
	EXPECT_NE(NULL, strstr(out, "NTP"));
}

/* nolocal@REALM: auth_to_local gives "nolocal", which has no account. */
TEST_F_TIMEOUT(ctl, principal_unmapped, 300)
{
	static char out[OUTMAX];
	char cc[PATH_MAX + 16], who[128];

	snprintf(cc, sizeof(cc), "FILE:%s/nolocal.cc", self->dir);
	ASSERT_EQ(0, kinit_as(0, 0, cc, "nolocal", E.nolocal_keytab));
	ASSERT_EQ(EX_CONFIG, CTL(&as_root, out, "test-kerberos", "--ccache",
				 cc, self->target));
	EXPECT_NE(NULL, strstr(out, "SEC_E_LOGON_DENIED"));
	snprintf(who, sizeof(who), "principal unmapped: nolocal@%s", E.realm);
	EXPECT_NE(NULL, strstr(out, who));
	EXPECT_NE(NULL, strstr(out, "no passwd entry"));
	EXPECT_NE(NULL, strstr(out, "auth_to_local"));
}

/* root@REALM maps to root, and the module makes no token for uid 0. */
TEST_F_TIMEOUT(ctl, root_mapped, 300)
{
	static char out[OUTMAX];
	char cc[PATH_MAX + 16];

	snprintf(cc, sizeof(cc), "FILE:%s/root.cc", self->dir);
	ASSERT_EQ(0, kinit_as(0, 0, cc, "root", E.root_keytab));
	ASSERT_EQ(EX_CONFIG, CTL(&as_root, out, "test-kerberos", "--ccache",
				 cc, self->target));
	EXPECT_NE(NULL, strstr(out, "SEC_E_LOGON_DENIED"));
	EXPECT_NE(NULL, strstr(out, "maps to root"));
	EXPECT_NE(NULL, strstr(out, "allow_root=N"));
}

/* The acceptor may accept only as cifs/, the ticket is for host/. */
TEST_F_TIMEOUT(ctl, wrong_principal, 300)
{
	static char out[OUTMAX];
	char p[256];

	snprintf(p, sizeof(p), "cifs/%s", E.host);
	ASSERT_EQ(EX_USAGE, CTL(&as_root, out, "test-kerberos", "--ccache",
				self->alice_cc, "--principal", p,
				self->target));
	EXPECT_NE(NULL, strstr(out, "accepts only as cifs/"));
}

TEST_F_TIMEOUT(ctl, target_unknown, 300)
{
	static char out[OUTMAX];
	char t[256];

	snprintf(t, sizeof(t), "nosuchservice/%s", E.host);
	ASSERT_EQ(EX_CONFIG, CTL(&as_root, out, "test-kerberos", "--ccache",
				 self->alice_cc, t));
	EXPECT_NE(NULL, strstr(out, "SEC_E_TARGET_UNKNOWN"));
	EXPECT_NE(NULL, strstr(out, "target unknown"));
	EXPECT_NE(NULL, strstr(out, t));
}

/* The KDC is down and alice has no cifs/ ticket yet. */
TEST_F_TIMEOUT(ctl, kdc_unreachable, 300)
{
	static char out[OUTMAX];
	char t[256];

	snprintf(t, sizeof(t), "cifs/%s", E.host);
	ASSERT_EQ(0, kdc_setup("--stop"));
	self->kdc_stopped = true;
	ASSERT_FALSE(kdc_alive());
	ASSERT_EQ(EX_CONFIG, CTL(&as_root, out, "test-kerberos", "--ccache",
				 self->alice_cc, t));
	EXPECT_NE(NULL, strstr(out, "SEC_E_NO_AUTHENTICATING_AUTHORITY"));
	EXPECT_NE(NULL, strstr(out, "could not reach a KDC"));
	EXPECT_NE(NULL, strstr(out, "kvno cifs/"));
	ASSERT_EQ(0, kdc_setup("--system"));
	self->kdc_stopped = false;
}

TEST_F_TIMEOUT(ctl, module_not_loaded, 120)
{
	static char out[OUTMAX];
	struct run_as r = { 0, 0, "KSSPI_DEVICE=/dev/ksspi-not-here" };

	ASSERT_EQ(EX_UNAVAILABLE, CTL(&r, out, "test-kerberos", "--ccache",
				      self->alice_cc, self->target));
	EXPECT_NE(NULL, strstr(out, "ksspi module not loaded"));
}

TEST_HARNESS_MAIN
