// SPDX-License-Identifier: GPL-2.0
/*
 * ksspictl, run as a program (build/ksspictl, found next to build/selftests/)
 * and judged by its output and exit code: packages, test-local as a user and
 * as root, counters that move, live contexts and tokens with their owners,
 * impersonations, whoami under `run`, `run` refused without privilege, and
 * the messages for the common misconfigurations (module not loaded, not the
 * ksspi device, no permission, debugfs not mounted or not readable).
 */
#include <libgen.h>
#include <limits.h>
#include <sys/mount.h>
#include <sysexits.h>

#include "ksspi_test.h"

#define OUTMAX	65536

struct run {
	bool as_user;		/* become uid/gid (with @groups) first */
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	int ngroups;
	int keep_fd;		/* clear FD_CLOEXEC on this fd (if >= 0) */
	const char *env[4];	/* NAME=VALUE to add */
	const char *etc_dir;	/* bind passwd and group from here */
};

#define RUN_ROOT	{ .keep_fd = -1 }
#define RUN_ALICE	{ .as_user = true, .uid = ALICE_UID, .gid = ALICE_GID, \
			  .groups = alice_groups, .ngroups = 1, .keep_fd = -1 }
#define RUN_BOB		{ .as_user = true, .uid = BOB_UID, .gid = BOB_GID, \
			  .keep_fd = -1 }

static const gid_t alice_groups[] = { STAFF_GID };

/* build/selftests/ksspictl_test -> build/ksspictl */
static const char *ctl(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;

	if (path[0])
		return path;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return "ksspictl";
	exe[n] = 0;
	snprintf(path, sizeof(path), "%s/../ksspictl", dirname(exe));
	return path;
}

static void child_setup(const struct run *r)
{
	int i;

	if (r->etc_dir) {
		char src[PATH_MAX];

		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			_exit(200);
		snprintf(src, sizeof(src), "%s/passwd", r->etc_dir);
		if (mount(src, "/etc/passwd", NULL, MS_BIND, NULL))
			_exit(201);
		snprintf(src, sizeof(src), "%s/group", r->etc_dir);
		if (mount(src, "/etc/group", NULL, MS_BIND, NULL))
			_exit(202);
	}
	for (i = 0; i < 4 && r->env[i]; i++)
		if (putenv((char *)r->env[i]))
			_exit(203);
	if (r->keep_fd >= 0 && fcntl(r->keep_fd, F_SETFD, 0))
		_exit(204);
	if (r->as_user && become(r->uid, r->gid, r->groups, r->ngroups))
		_exit(205);
}

/*
 * Runs ksspictl with @argv (argv[0] is replaced), stdout and stderr both into
 * @out.  Returns the exit status, 128 + signal, or -1.
 */
static int run_ctl(const struct run *r, char *out, const char **argv)
{
	size_t len = 0;
	int pfd[2], st;
	ssize_t n;
	pid_t pid;

	out[0] = 0;
	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	argv[0] = ctl();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		child_setup(r);
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
	TH_LOG("ksspictl %s -> %d", __argv[1], __st);			\
	__st;								\
})

/* The line of @out containing all of @a, @b and @c (NULL: any), or NULL. */
static char *find_line(const char *out, const char *a, const char *b,
		       const char *c)
{
	static char line[4096];
	const char *p = out, *e;

	for (; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, '\n');
		snprintf(line, sizeof(line), "%.*s", (int)(e - p), p);
		if (strstr(line, a) && (!b || strstr(line, b)) &&
		    (!c || strstr(line, c)))
			return line;
	}
	return NULL;
}

/* The value of counter @name in `ksspictl stats` text output, or -1. */
static long long counter(const char *out, const char *name)
{
	char key[64];
	const char *p = out;
	long long v;

	snprintf(key, sizeof(key), "%s ", name);
	while (p && *p) {
		if (!strncmp(p, key, strlen(key)) &&
		    sscanf(p + strlen(key), " %lld", &v) == 1)
			return v;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

static bool allow_root(void)
{
	char buf[8] = "";
	int fd = open("/sys/module/ksspi/parameters/allow_root", O_RDONLY);

	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) < 0)
			buf[0] = 0;
		close(fd);
	}
	return buf[0] == 'Y';
}

TEST(packages)
{
	static char out[OUTMAX];
	struct run r = RUN_ALICE;
	char *l;

	ASSERT_EQ(0, CTL(&r, out, "packages"));
	TH_LOG("%s", out);
	ASSERT_NE(NULL, find_line(out, "NAME", "CAPABILITIES", NULL));
	l = find_line(out, "local ", " 256 ", "mutual_auth");
	ASSERT_NE(NULL, l);
	EXPECT_NE(NULL, strstr(l, "impersonation"));
	EXPECT_NE(NULL, strstr(l, "delegation"));
	EXPECT_NE(NULL, strstr(l, "connection"));

	ASSERT_EQ(0, CTL(&r, out, "-o", "json", "packages"));
	EXPECT_NE(NULL, strstr(out, "\"name\":\"local\",\"id\":256,"));
	EXPECT_NE(NULL, strstr(out, "\"capabilities\":[\"connection\""));
}

TEST(test_local_as_user)
{
	static char out[OUTMAX];
	struct run r = RUN_ALICE;

	ASSERT_EQ(0, CTL(&r, out, "test-local"));
	TH_LOG("%s", out);
	EXPECT_NE(NULL, find_line(out, "leg 1", "initiator", "SEC_E_OK"));
	EXPECT_NE(NULL, find_line(out, "leg 2", "acceptor", "SEC_E_OK"));
	EXPECT_NE(NULL, find_line(out, "client:", "uid:2001", NULL));
	EXPECT_NE(NULL, find_line(out, "level:", "impersonation", NULL));
	EXPECT_NE(NULL, find_line(out, "token:", "uid=2001", "groups=2100"));
	EXPECT_NE(NULL, find_line(out, "impersonate:", "SEC_E_OK", NULL));
	EXPECT_NE(NULL, find_line(out, "revert:", "SEC_E_OK", NULL));
	EXPECT_NE(NULL, find_line(out, "test-local: ok", NULL, NULL));
}

TEST(test_local_mutual_service)
{
	static char out[OUTMAX];
	struct run r = RUN_ALICE;

	ASSERT_EQ(0, CTL(&r, out, "test-local", "--mutual", "--target",
			 "svc/uid:2001", "--level", "identification"));
	TH_LOG("%s", out);
	EXPECT_NE(NULL, find_line(out, "leg 1", "SEC_I_CONTINUE_NEEDED", NULL));
	EXPECT_NE(NULL, find_line(out, "leg 3", "initiator", "SEC_E_OK"));
	EXPECT_NE(NULL, find_line(out, "server:", "svc/uid:2001", NULL));
	EXPECT_NE(NULL, find_line(out, "initiator:", "mutual_auth", NULL));
	EXPECT_NE(NULL, find_line(out, "level:", "identification", NULL));
	EXPECT_NE(NULL, find_line(out, "test-local: ok", NULL, NULL));
}

/* Root identities get no token (allow_root=N): a clear failure. */
TEST(test_local_as_root)
{
	static char out[OUTMAX];
	struct run r = RUN_ROOT;

	if (allow_root())
		SKIP(return, "allow_root is set");
	ASSERT_EQ(1, CTL(&r, out, "test-local"));
	TH_LOG("%s", out);
	EXPECT_NE(NULL, find_line(out, "leg 2", "acceptor",
				  "SEC_E_LOGON_DENIED"));
	EXPECT_NE(NULL, find_line(out, "test-local failed", NULL, NULL));
	EXPECT_NE(NULL, find_line(out, "hint:", "allow_root", NULL));
	EXPECT_EQ(NULL, find_line(out, "test-local: ok", NULL, NULL));
}

TEST(test_local_foreign_principal)
{
	static char out[OUTMAX];
	struct run r = RUN_ALICE;

	EXPECT_EQ(EX_NOPERM, CTL(&r, out, "test-local", "--target",
				 "svc/uid:2002"));
	EXPECT_NE(NULL, strstr(out, "names another user"));
	EXPECT_EQ(EX_USAGE, CTL(&r, out, "test-local", "--target", "nope"));
	EXPECT_NE(NULL, strstr(out, "malformed principal"));
	EXPECT_EQ(EX_USAGE, CTL(&r, out, "test-local", "--level", "root"));
}

TEST(stats_count_a_handshake)
{
	static char before[OUTMAX], after[OUTMAX], out[OUTMAX];
	struct run root = RUN_ROOT, alice = RUN_ALICE;
	const char *names[] = {
		"credentials_acquired", "contexts_created", "legs",
		"contexts_established", "tokens_created", "impersonations",
		"reverts",
	};
	const int grow[] = { 2, 2, 2, 2, 1, 1, 1 };
	size_t i;

	ASSERT_EQ(0, CTL(&root, before, "stats"));
	TH_LOG("%s", before);
	ASSERT_EQ(0, CTL(&alice, out, "test-local"));
	ASSERT_EQ(0, CTL(&root, after, "stats"));
	TH_LOG("%s", after);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		long long b = counter(before, names[i]);
		long long a = counter(after, names[i]);

		TH_LOG("%s: %lld -> %lld", names[i], b, a);
		ASSERT_LE(0, b);
		EXPECT_LE(b + grow[i], a);
	}
	EXPECT_EQ(0, counter(after, "contexts_live"));

	/* A failure is counted by its status. */
	if (!allow_root()) {
		ASSERT_EQ(1, CTL(&root, out, "test-local"));
		ASSERT_EQ(0, CTL(&root, after, "stats"));
		EXPECT_NE(NULL, find_line(after, "0x8009030c",
					  "SEC_E_LOGON_DENIED", NULL));
		ASSERT_EQ(0, CTL(&root, out, "-o", "json", "stats"));
		EXPECT_NE(NULL, strstr(out, "\"name\":\"SEC_E_LOGON_DENIED\""));
		EXPECT_NE(NULL, strstr(out, "\"counters\":{\"credentials_acquired\":"));
	}
}

/*
 * alice (in a child that stays alive) initiates towards root's principal
 * uid:0 and keeps her initiator context open; the test accepts as root and
 * holds the acceptor context and alice's token.
 */
FIXTURE(held) {
	pid_t alice;
	int release;	/* closing it lets alice's child exit */
	int dev, acred, actx, token;
};

FIXTURE_SETUP(held)
{
	int tok_pipe[2], rel_pipe[2];
	uint8_t tok[TOKBUF], out[TOKBUF];
	size_t out_len = sizeof(out);
	uint32_t len, flags;
	int32_t st;

	ASSERT_EQ(0, pipe2(tok_pipe, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(rel_pipe, O_CLOEXEC));
	self->alice = fork();
	ASSERT_LE(0, self->alice);
	if (self->alice == 0) {
		int dev, cred, ctx = -1;
		char c;

		close(tok_pipe[0]);
		close(rel_pipe[1]);
		if (become_alice())
			_exit(1);
		dev = ksspi_open();
		cred = ksspi_acquire_credentials(dev, "local",
						 SECPKG_CRED_OUTBOUND, NULL,
						 NULL);
		len = sizeof(tok);
		out_len = sizeof(tok);
		st = ksspi_initialize_security_context(cred, &ctx, "uid:0",
						       ISC_REQ_CONNECTION,
						       NULL, 0, tok, &out_len,
						       &flags);
		len = st == SEC_E_OK ? out_len : 0;
		if (write_full(tok_pipe[1], &len, sizeof(len)) ||
		    write_full(tok_pipe[1], tok, len))
			_exit(2);
		/* Hold the context until the test is done. */
		if (read(rel_pipe[0], &c, 1) < 0)
			_exit(3);
		_exit(0);
	}
	close(tok_pipe[1]);
	close(rel_pipe[0]);
	self->release = rel_pipe[1];
	ASSERT_EQ(0, read_full(tok_pipe[0], &len, sizeof(len)));
	ASSERT_LT(0, len);
	ASSERT_EQ(0, read_full(tok_pipe[0], tok, len));
	close(tok_pipe[0]);

	self->dev = ksspi_open();
	ASSERT_LE(0, self->dev);
	self->acred = ksspi_acquire_credentials(self->dev, "local",
						SECPKG_CRED_INBOUND, NULL,
						NULL);
	ASSERT_LE(0, self->acred);
	self->actx = -1;
	out_len = sizeof(out);
	st = ksspi_accept_security_context(self->acred, &self->actx,
					   ASC_REQ_CONNECTION, tok, len, out,
					   &out_len, &flags);
	ASSERT_EQ(SEC_E_OK, st);
	self->token = ksspi_query_security_context_token(self->actx);
	ASSERT_LE(0, self->token);
}

FIXTURE_TEARDOWN(held)
{
	int st;

	close(self->release);
	waitpid(self->alice, &st, 0);
	close(self->token);
	close(self->actx);
	close(self->acred);
	close(self->dev);
}

TEST_F(held, contexts)
{
	static char out[OUTMAX];
	struct run r = RUN_ROOT;
	char *l;

	ASSERT_EQ(0, CTL(&r, out, "-o", "json", "contexts"));
	TH_LOG("%s", out);
	l = find_line(out, "\"role\":\"initiator\"", "\"owner_uid\":2001",
		      "\"server\":\"uid:0\"");
	ASSERT_NE(NULL, l);
	EXPECT_NE(NULL, strstr(l, "\"client\":\"uid:2001\""));
	EXPECT_NE(NULL, strstr(l, "\"state\":\"established\""));
	EXPECT_NE(NULL, strstr(l, "\"level\":null"));
	l = find_line(out, "\"role\":\"acceptor\"", "\"owner_uid\":0",
		      "\"client\":\"uid:2001\"");
	ASSERT_NE(NULL, l);
	EXPECT_NE(NULL, strstr(l, "\"level\":\"impersonation\""));

	/* Text, numeric: the owner is the uid. */
	ASSERT_EQ(0, CTL(&r, out, "-n", "contexts"));
	TH_LOG("%s", out);
	ASSERT_NE(NULL, find_line(out, "OWNER", "CLIENT", "SERVER"));
	EXPECT_NE(NULL, find_line(out, " initiator ", " 2001 ", "uid:0"));
	EXPECT_NE(NULL, find_line(out, " acceptor ", " established ",
				  " impersonation "));
}

/* Owners are shown by name when the passwd database knows them. */
TEST_F(held, contexts_user_names)
{
	static char out[OUTMAX];
	char dir[] = "/tmp/ksspictl-etc.XXXXXX", path[64];
	struct run r = RUN_ROOT;
	FILE *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/passwd", dir);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fputs("root:x:0:0:root:/root:/bin/sh\n"
	      "alice:x:2001:2001:Alice:/nonexistent:/bin/sh\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/group", dir);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fputs("root:x:0:\nalice:x:2001:\nstaff2100:x:2100:alice\n", f);
	fclose(f);
	r.etc_dir = dir;

	ASSERT_EQ(0, CTL(&r, out, "contexts"));
	TH_LOG("%s", out);
	EXPECT_NE(NULL, find_line(out, " initiator ", " alice ", "uid:0"));
	ASSERT_EQ(0, CTL(&r, out, "tokens"));
	TH_LOG("%s", out);
	EXPECT_NE(NULL, find_line(out, " alice ", " impersonation ",
				  "uid:2001"));
	r.as_user = true;
	r.uid = ALICE_UID;
	r.gid = ALICE_GID;
	r.groups = alice_groups;
	r.ngroups = 1;
	ASSERT_EQ(0, CTL(&r, out, "whoami"));
	EXPECT_NE(NULL, find_line(out, "uid=2001(alice) gid=2001(alice)",
				  "groups=2100(staff2100)", NULL));

	snprintf(path, sizeof(path), "%s/passwd", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/group", dir);
	unlink(path);
	rmdir(dir);
}

TEST_F(held, tokens)
{
	static char out[OUTMAX];
	struct run r = RUN_ROOT;
	char *l;

	ASSERT_EQ(0, CTL(&r, out, "-o", "json", "tokens"));
	TH_LOG("%s", out);
	l = find_line(out, "\"uid\":2001", "\"name\":\"uid:2001\"", NULL);
	ASSERT_NE(NULL, l);
	EXPECT_NE(NULL, strstr(l, "\"package\":\"local\""));
	EXPECT_NE(NULL, strstr(l, "\"gid\":2001"));
	EXPECT_NE(NULL, strstr(l, "\"ngroups\":1"));
	EXPECT_NE(NULL, strstr(l, "\"level\":\"impersonation\""));
}

/* alice may impersonate her own token: same identity. */
TEST_F(held, run_own_token)
{
	static char out[OUTMAX];
	struct run r = RUN_ALICE;
	char fd[16];

	snprintf(fd, sizeof(fd), "%d", self->token);
	r.keep_fd = self->token;
	/* --token is --token-fd's other name. */
	ASSERT_EQ(0, CTL(&r, out, "run", "--token", fd, "--", ctl(),
			 "whoami"));
	EXPECT_NE(NULL, find_line(out, "uid=2001", NULL, NULL));
}

/* bob holds alice's token but has no CAP_SETUID: refused, exit 126. */
TEST_F(held, run_unprivileged)
{
	static char out[OUTMAX];
	struct run r = RUN_BOB;
	char fd[16];

	snprintf(fd, sizeof(fd), "%d", self->token);
	r.keep_fd = self->token;
	ASSERT_EQ(126, CTL(&r, out, "run", "--token-fd", fd, "--", "/bin/echo",
			   "ran"));
	TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "SEC_E_NO_IMPERSONATION"));
	EXPECT_NE(NULL, strstr(out, "CAP_SETUID"));
	EXPECT_EQ(NULL, strstr(out, "ran\n"));
}

TEST_F(held, impersonations)
{
	static char out[OUTMAX];
	struct run r = RUN_ROOT;
	int go[2], done[2];
	char tid[32], c = 0;
	pid_t pid;
	int st;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		c = ksspi_impersonate(self->token) == SEC_E_OK;
		if (write(go[1], &c, 1) != 1 || read(done[0], &c, 1) < 0)
			_exit(1);
		_exit(ksspi_revert(self->dev) == SEC_E_OK ? 0 : 2);
	}
	ASSERT_EQ(1, read(go[0], &c, 1));
	ASSERT_EQ(1, c);

	ASSERT_EQ(0, CTL(&r, out, "-o", "json", "impersonations"));
	TH_LOG("%s", out);
	snprintf(tid, sizeof(tid), "\"tid\":%d,", pid);
	EXPECT_NE(NULL, find_line(out, tid, "\"original_uid\":0",
				  "\"name\":\"uid:2001\""));
	ASSERT_EQ(0, CTL(&r, out, "-n", "impersonations"));
	TH_LOG("%s", out);
	snprintf(tid, sizeof(tid), "%d ", pid);
	EXPECT_NE(NULL, find_line(out, tid, "ksspictl_test", "impersonation"));

	ASSERT_EQ(1, write(done[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, st);
}

TEST(whoami_not_impersonating)
{
	static char out[OUTMAX];
	struct run r = RUN_ALICE;

	ASSERT_EQ(0, CTL(&r, out, "-n", "whoami"));
	EXPECT_NE(NULL, find_line(out, "uid=2001 gid=2001 groups=2100", NULL,
				  NULL));
	EXPECT_NE(NULL, find_line(out, "ksspi: not impersonating", NULL, NULL));
	ASSERT_EQ(0, CTL(&r, out, "-o", "json", "whoami"));
	EXPECT_NE(NULL, strstr(out, "\"uid\":2001,"));
	EXPECT_NE(NULL, strstr(out, "\"impersonating\":null"));
}

/* KSSPI_DEVICE stands in for a missing /dev/ksspi (module not loaded). */
TEST(module_not_loaded)
{
	static char out[OUTMAX];
	struct run r = { .keep_fd = -1,
			 .env = { "KSSPI_DEVICE=/nonexistent/ksspi" } };

	EXPECT_EQ(EX_UNAVAILABLE, CTL(&r, out, "packages"));
	EXPECT_NE(NULL, strstr(out, "ksspi module not loaded: run 'modprobe ksspi'"));
	EXPECT_EQ(EX_UNAVAILABLE, CTL(&r, out, "test-local"));
	EXPECT_NE(NULL, strstr(out, "ksspi module not loaded"));
}

TEST(not_the_device)
{
	static char out[OUTMAX];
	struct run r = { .keep_fd = -1, .env = { "KSSPI_DEVICE=/dev/null" } };

	EXPECT_EQ(EX_PROTOCOL, CTL(&r, out, "whoami"));
	EXPECT_NE(NULL, strstr(out, "/dev/null is not the ksspi device"));
}

TEST(device_permission)
{
	static char out[OUTMAX];
	char path[] = "/tmp/ksspictl-dev.XXXXXX", env[64];
	struct run r = RUN_ALICE;
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	fchmod(fd, 0600);
	close(fd);
	snprintf(env, sizeof(env), "KSSPI_DEVICE=%s", path);
	r.env[0] = env;
	EXPECT_EQ(EX_NOPERM, CTL(&r, out, "packages"));
	EXPECT_NE(NULL, strstr(out, "permission denied"));
	unlink(path);
}

TEST(debugfs_not_mounted)
{
	static char out[OUTMAX];
	struct run r = { .keep_fd = -1,
			 .env = { "KSSPI_DEBUGFS=/nonexistent" } };

	EXPECT_EQ(EX_UNAVAILABLE, CTL(&r, out, "stats"));
	EXPECT_NE(NULL, strstr(out, "debugfs is not mounted on /nonexistent: run 'mount -t debugfs none /nonexistent'"));
}

TEST(debugfs_needs_root)
{
	static char out[OUTMAX];
	struct run r = RUN_ALICE;

	EXPECT_EQ(EX_NOPERM, CTL(&r, out, "contexts"));
	EXPECT_NE(NULL, strstr(out, "readable by root only"));
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void remove_file(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

/* The formats of Documentation/admin-guide/ksspi.rst, from a fake debugfs. */
TEST(debugfs_formats)
{
	static char out[OUTMAX];
	char root[] = "/tmp/ksspictl-dbg.XXXXXX", dir[64], env[64];
	struct run r = RUN_ROOT;

	ASSERT_NE(NULL, mkdtemp(root));
	snprintf(dir, sizeof(dir), "%s/ksspi", root);
	ASSERT_EQ(0, mkdir(dir, 0700));
	snprintf(env, sizeof(env), "KSSPI_DEBUGFS=%s", root);
	r.env[0] = env;
	r.env[1] = "TZ=UTC";

	write_file(dir, "stats", "legs 7\nnew_counter 3\nstatus 0x80090322 2\n");
	ASSERT_EQ(0, CTL(&r, out, "stats"));
	TH_LOG("%s", out);
	EXPECT_NE(NULL, find_line(out, "legs", "7", NULL));
	EXPECT_NE(NULL, find_line(out, "new_counter", "3", NULL));
	EXPECT_NE(NULL, find_line(out, "0x80090322", "SEC_E_WRONG_PRINCIPAL",
				  " 2"));

	write_file(dir, "contexts",
		   "# id package role state owner_uid level expiry client server\n"
		   "5 local acceptor established 4242 2 86400 uid:7 svc/uid:4242\n"
		   "6 local initiator in_progress 7 0 0 uid:7 svc/uid:4242\n");
	ASSERT_EQ(0, CTL(&r, out, "-n", "contexts"));
	TH_LOG("%s", out);
	EXPECT_NE(NULL, find_line(out, "5 ", " 4242 ", "1970-01-02 00:00:00"));
	EXPECT_NE(NULL, find_line(out, "6 ", " in_progress ", " - "));

	write_file(dir, "tokens", "# id package uid gid ngroups level expiry name\n"
		   "9 local 7 8 0 1 0 some name with spaces\n");
	ASSERT_EQ(0, CTL(&r, out, "-o", "json", "tokens"));
	TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"level\":\"identification\""));
	EXPECT_NE(NULL, strstr(out, "\"expiry\":0,\"name\":\"some name with spaces\""));

	/* A line it does not understand: reported, skipped, exit 76. */
	write_file(dir, "stats", "legs 7\nbroken\n");
	EXPECT_EQ(EX_PROTOCOL, CTL(&r, out, "stats"));
	EXPECT_NE(NULL, strstr(out, "stats:2: line not understood"));
	EXPECT_NE(NULL, find_line(out, "legs", "7", NULL));

	/* The directory is there, a file is not: a module of another version. */
	EXPECT_EQ(EX_PROTOCOL, CTL(&r, out, "impersonations"));
	EXPECT_NE(NULL, strstr(out, "does not provide it"));

	remove_file(dir, "stats");
	remove_file(dir, "contexts");
	remove_file(dir, "tokens");
	rmdir(dir);
	rmdir(root);
}

/*
 * The trace events the admin guide documents, with their fields, for the
 * handshake, impersonation and revert test-local makes.
 */
TEST(trace_events)
{
	static char out[OUTMAX], trace[OUTMAX];
	const char *t = "/sys/kernel/tracing";
	struct run r = RUN_ALICE;
	char path[256];
	ssize_t n;
	size_t len = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/events/ksspi/enable", t);
	if (access(path, W_OK))
		SKIP(return, "no %s", path);
	snprintf(path, sizeof(path), "%s/trace", t);
	ASSERT_EQ(0, write_text(path, "", O_TRUNC));
	snprintf(path, sizeof(path), "%s/events/ksspi/enable", t);
	ASSERT_EQ(0, write_text(path, "1", O_TRUNC));
	EXPECT_EQ(0, CTL(&r, out, "test-local", "--mutual"));
	ASSERT_EQ(0, write_text(path, "0", O_TRUNC));

	snprintf(path, sizeof(path), "%s/trace", t);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	while (len < OUTMAX - 1 &&
	       (n = read(fd, trace + len, OUTMAX - 1 - len)) > 0)
		len += n;
	trace[len] = 0;
	close(fd);
	TH_LOG("%s", trace);

	EXPECT_NE(NULL, find_line(trace, "ksspi_context_step: ctx=",
				  " package=local role=initiator state=0->1 status=0x00090312 in=0 out=",
				  NULL));
	EXPECT_NE(NULL, find_line(trace, "ksspi_context_step: ctx=",
				  " package=local role=acceptor state=0->2 status=0x00000000 in=",
				  NULL));
	EXPECT_NE(NULL, find_line(trace, "ksspi_context_step: ctx=",
				  " package=local role=initiator state=1->2 status=0x00000000 in=",
				  " out=0"));
	EXPECT_NE(NULL, find_line(trace, "ksspi_impersonate: token=",
				  " uid=2001 level=2 status=0x00000000 api=user",
				  NULL));
	EXPECT_NE(NULL, find_line(trace, "ksspi_revert: status=0x00000000 api=user",
				  NULL, NULL));
}

TEST(usage_errors)
{
	static char out[OUTMAX];
	struct run r = RUN_ROOT;

	EXPECT_EQ(EX_USAGE, CTL(&r, out, "frobnicate"));
	EXPECT_NE(NULL, strstr(out, "unknown command 'frobnicate'"));
	EXPECT_EQ(EX_USAGE, CTL(&r, out, "-o", "yaml", "stats"));
	EXPECT_EQ(EX_USAGE, CTL(&r, out, "stats", "extra"));
	EXPECT_EQ(EX_USAGE, CTL(&r, out, "run", "--", "/bin/true"));
	EXPECT_NE(NULL, strstr(out, "--token-fd is required"));
	EXPECT_EQ(EX_USAGE, CTL(&r, out, "run", "--token-fd", "99", "--",
				"/bin/true"));
	EXPECT_NE(NULL, strstr(out, "descriptor not open"));
	EXPECT_EQ(EX_USAGE, CTL(&r, out, "run", "--token-fd", "1", "--",
				"/bin/true"));
	EXPECT_NE(NULL, strstr(out, "not a ksspi token"));
	EXPECT_EQ(0, CTL(&r, out, "--help"));
	EXPECT_NE(NULL, find_line(out, "test-kerberos", "Kerberos handshake",
				  NULL));
	EXPECT_EQ(EX_USAGE, CTL(&r, out, "test-kerberos"));
	EXPECT_NE(NULL, strstr(out, "give exactly one TARGET"));
	EXPECT_EQ(EX_USAGE, CTL(&r, out, "test-kerberos", "--package", "local",
				"host/x"));
	EXPECT_NE(NULL, strstr(out, "kerberos or negotiate, not 'local'"));
	EXPECT_EQ(0, CTL(&r, out, "--version"));
	EXPECT_NE(NULL, find_line(out, "ksspictl ", "(ABI 1)", NULL));
	EXPECT_NE(NULL, find_line(out, "module ", "(ABI 1)", NULL));
}

/*
 * root may impersonate anyone: the command runs as alice.  It exits as alice
 * after an execve() made while impersonating, which once tripped the
 * RLIMIT_NPROC accounting (dec_rlimit_ucounts() WARN) before the
 * impersonation credentials carried the client's user_struct and ucounts.
 */
TEST_F(held, run_whoami)
{
	static char out[OUTMAX];
	struct run r = RUN_ROOT;
	char fd[16];

	snprintf(fd, sizeof(fd), "%d", self->token);
	r.keep_fd = self->token;
	ASSERT_EQ(0, CTL(&r, out, "run", "--token-fd", fd, "--", ctl(),
			 "whoami"));
	TH_LOG("%s", out);
	EXPECT_NE(NULL, find_line(out, "uid=2001", "gid=2001", "groups=2100"));
	/* After execve the credentials are the program's own for good. */
	EXPECT_NE(NULL, find_line(out, "ksspi: not impersonating", NULL, NULL));

	/* The acceptor context descriptor works too, and exit codes pass. */
	snprintf(fd, sizeof(fd), "%d", self->actx);
	r.keep_fd = self->actx;
	EXPECT_EQ(3, CTL(&r, out, "run", "--token-fd", fd, "--", "/bin/sh",
			 "-c", "test \"$(id -u)\" = 2001 && exit 3"));
	EXPECT_EQ(127, CTL(&r, out, "run", "--token-fd", fd, "--",
			   "/nonexistent/program"));
}

TEST_HARNESS_MAIN
