// SPDX-License-Identifier: GPL-2.0
/*
 * The request-key upcall (kmod/upcall.c), end to end: real request_key()
 * calls through /sbin/request-key to a scripted handler
 * (selftests/upcall/upcall-handler.c) that the test installs in a tmpfs
 * mounted over /etc/request-key.d.  ksspi_upcall() is reached through the
 * test module selftests/upcall/ksspi_upcall_test.ko, which the test loads
 * itself (KSSPI_UPCALL_TEST_KO names another build of it, e.g. for the
 * debug kernel) and unloads when it ends.
 *
 * Checked: statuses and errnos, what the handler receives, validation of
 * malformed answers, the deadline (the helper, its process group and its
 * session are killed; a late answer is discarded), signals, the debugfs
 * counters, that no key is left behind, and that user space can neither
 * make nor read keys of the type.
 */
#include <dirent.h>
#include <ftw.h>
#include <keyutils.h>
#include <limits.h>
#include <pthread.h>
#include <sys/mount.h>
#include <time.h>

#include "ksspi_test.h"
#include "../upcall/upcall_test.h"
#include <linux/ksspi_upcall.h>

#define TEST_MODULE	"ksspi_upcall_test"
#define CALL_FILE	"/sys/kernel/debug/ksspi_upcall_test/call"
#define STATS_FILE	"/sys/kernel/debug/ksspi/stats"
#define RKD		"/etc/request-key.d"
#define REPLY_MAX	(512 * 1024)

static pid_t main_pid;
static int module_loaded_here;
static int module_error;

/* The debug kernel (KASAN, kmemleak) runs 3-5 times slower. */
static int slow(void)
{
	return getenv("KSSPI_DEBUG_KERNEL") ||
	       access("/sys/kernel/debug/kmemleak", F_OK) == 0 ? 4 : 1;
}

static int self_dir(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	char *slash;

	if (n < 0)
		return -errno;
	buf[n] = 0;
	slash = strrchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = 0;
	return 0;
}

static void handler_path(char *buf, size_t size)
{
	char dir[PATH_MAX - 32];

	if (self_dir(dir, sizeof(dir)))
		snprintf(buf, size, "/nonexistent");
	else
		snprintf(buf, size, "%s/upcall-handler", dir);
}

/* Loads the test module (once, from the main process). */
__attribute__((constructor)) static void load_test_module(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	const char *ko = getenv("KSSPI_UPCALL_TEST_KO");
	int fd;

	main_pid = getpid();
	if (!ko) {
		if (self_dir(dir, sizeof(dir))) {
			module_error = EINVAL;
			return;
		}
		snprintf(path, sizeof(path),
			 "%s/../../selftests/upcall/" TEST_MODULE ".ko", dir);
		ko = path;
	}
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		module_error = errno;
		fprintf(stderr, "# upcall_test: cannot open %s: %s\n", ko,
			strerror(errno));
		return;
	}
	if (syscall(SYS_finit_module, fd, "", 0) == 0)
		module_loaded_here = 1;
	else if (errno != EEXIST)
		module_error = errno;
	close(fd);
	if (module_error)
		fprintf(stderr, "# upcall_test: cannot load %s: %s%s\n", ko,
			strerror(module_error), module_error == ENOEXEC ?
			" (built for another kernel? KSSPI_UPCALL_TEST_KO names the build for this one)" :
			"");
}

__attribute__((destructor)) static void unload_test_module(void)
{
	if (getpid() == main_pid && module_loaded_here)
		syscall(SYS_delete_module, TEST_MODULE, O_NONBLOCK);
}

/* A counter from /sys/kernel/debug/ksspi/stats, or -1. */
static long long stat_get(const char *name)
{
	char line[256], key[128];
	long long v, ret = -1;
	FILE *f = fopen(STATS_FILE, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %lld", key, &v) == 2 &&
		    !strcmp(key, name))
			ret = v;
	fclose(f);
	return ret;
}

/* Keys of ours anywhere: ksspi keys, authorisation keys, _req keyrings. */
static int count_keys(void)
{
	char line[512], type[64], desc[256];
	FILE *f = fopen("/proc/keys", "re");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %*s %*s %*s %*s %*s %*s %63s %255s",
			   type, desc) != 2)
			continue;
		/* /proc/keys cuts type names to 9 characters. */
		if (!strcmp(type, "ksspi") ||
		    !strcmp(type, ".request_") ||
		    !strncmp(desc, "_req.", 5))
			n++;
	}
	fclose(f);
	return n;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Key garbage collection is asynchronous: wait for it, within a bound. */
static int wait_no_keys(void)
{
	int i, n = -1;

	for (i = 0; i < 500 * slow(); i++) {
		n = count_keys();
		if (n == 0)
			return 0;
		sleep_ms(20);
	}
	return n;
}

/*
 * Waits for a line starting with @prefix in the handler's log @tag; copies
 * it to @line.  Returns 0, or -1 when it did not come within the bound.
 */
static int wait_line(const char *logdir, const char *tag, const char *prefix,
		     char *line, size_t size, int timeout_ms)
{
	char path[PATH_MAX], buf[4096];
	int waited;

	snprintf(path, sizeof(path), "%s/%s.log", logdir, tag);
	for (waited = 0; waited <= timeout_ms * slow(); waited += 20) {
		FILE *f = fopen(path, "re");

		if (f) {
			while (fgets(buf, sizeof(buf), f)) {
				if (strncmp(buf, prefix, strlen(prefix)))
					continue;
				buf[strcspn(buf, "\n")] = 0;
				buf[size - 1] = 0;
				memcpy(line, buf, strlen(buf) + 1);
				fclose(f);
				return 0;
			}
			fclose(f);
		}
		sleep_ms(20);
	}
	return -1;
}

/* A process is gone once it is reaped or a zombie. */
static bool pid_gone(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	bool gone = true;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return true;
	if (fgets(buf, sizeof(buf), f)) {
		p = strrchr(buf, ')');
		gone = p && (p[2] == 'Z' || p[2] == 'X');
	}
	fclose(f);
	return gone;
}

static bool wait_pid_gone(pid_t pid)
{
	int i;

	for (i = 0; i < 250 * slow(); i++) {
		if (pid_gone(pid))
			return true;
		sleep_ms(20);
	}
	return false;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		ret = -EIO;
	close(fd);
	return ret;
}

static int set_timeout_ms(unsigned int ms)
{
	char v[32];

	snprintf(v, sizeof(v), "%u", ms);
	return set_param("upcall_timeout_ms", v);
}

/* One item of a request the test builds. */
struct titem {
	uint16_t type;
	const void *data;
	uint32_t len;
};

/*
 * Runs ksspi_upcall() through the test module on @fd with the calling
 * process's credentials.  Returns 0 with the reply text in @reply, or
 * -errno.
 */
static uint32_t upcall_flags;	/* KSSPI_UPCALL_F_* of the next request */

static int upcall_items(int fd, uint16_t op, const struct titem *items,
			unsigned int n, char *reply, size_t size)
{
	static uint8_t buf[UT_WRITE_MAX];
	struct ut_request *u = (struct ut_request *)buf;
	size_t off = sizeof(*u);
	unsigned int i;
	ssize_t r;

	memset(u, 0, sizeof(*u));
	u->op = op;
	u->flags = upcall_flags;
	u->context_id = 77;
	u->package_id = KSSPI_PACKAGE_KERBEROS;
	u->leg = 1;
	u->req_flags = ISC_REQ_MUTUAL_AUTH;
	u->cred_use = SECPKG_CRED_INBOUND;
	u->nr_items = n;
	for (i = 0; i < n; i++) {
		if (off + items[i].len > sizeof(buf))
			return -E2BIG;
		u->items[i].type = items[i].type;
		u->items[i].len = items[i].len;
		memcpy(buf + off, items[i].data, items[i].len);
		off += items[i].len;
	}
	if (write(fd, buf, off) != (ssize_t)off)
		return -errno;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	r = read(fd, reply, size - 1);
	if (r < 0)
		return -errno;
	reply[r] = 0;
	return 0;
}

/* An upcall whose TARGET item tells the handler what to do ("mode:tag"). */
static int upcall(int fd, uint16_t op, const char *target, char *reply,
		  size_t size)
{
	static const char input[] = "input-token";
	struct titem items[] = {
		{ KSSPI_UPCALL_TARGET, target, strlen(target) },
		{ KSSPI_UPCALL_INPUT, input, sizeof(input) - 1 },
	};

	return upcall_items(fd, op, items, 2, reply, size);
}

/* The value of "name value" in a reply, or "" (points into @reply). */
static const char *field(const char *reply, const char *name, char *out,
			 size_t size)
{
	size_t n = strlen(name);
	const char *p = reply;

	out[0] = 0;
	while (p && *p) {
		if (!strncmp(p, name, n) && p[n] == ' ') {
			const char *e = strchr(p, '\n');

			snprintf(out, size, "%.*s",
				 (int)(e ? e - p - n - 1 : (long)strlen(p + n + 1)),
				 p + n + 1);
			break;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return out;
}

static int hex_of(const char *s, char *out, size_t size)
{
	size_t i;

	out[0] = 0;
	for (i = 0; s[i] && 2 * i + 2 < size; i++)
		sprintf(out + 2 * i, "%02x", (unsigned char)s[i]);
	return 0;
}

/* The test environment: a handler log directory and request-key.d. */
struct uenv {
	char logdir[64];
	bool mounted;
};

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	return remove(path);
}

/* Mounts a tmpfs over /etc/request-key.d holding @line (or no file). */
static int uenv_setup(struct uenv *e, const char *line)
{
	char conf[PATH_MAX + 128];

	if (module_error)
		return -module_error;
	snprintf(e->logdir, sizeof(e->logdir), "/run/ksspi-ut.XXXXXX");
	if (!mkdtemp(e->logdir))
		return -errno;
	if (chmod(e->logdir, 0755))
		return -errno;
	mkdir(RKD, 0755);
	if (mount("ksspi-ut", RKD, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0755,size=64k"))
		return -errno;
	e->mounted = true;
	if (line) {
		snprintf(conf, sizeof(conf), "%s\n", line);
		return write_file(RKD "/ksspi-ut.conf", conf);
	}
	return 0;
}

static int uenv_setup_handler(struct uenv *e)
{
	char handler[PATH_MAX], line[2 * PATH_MAX];
	int ret;

	handler_path(handler, sizeof(handler));
	/* The log directory is made first: the line names it. */
	snprintf(e->logdir, sizeof(e->logdir), "/run/ksspi-ut.XXXXXX");
	if (module_error)
		return -module_error;
	if (!mkdtemp(e->logdir))
		return -errno;
	if (chmod(e->logdir, 0755))
		return -errno;
	snprintf(line, sizeof(line), "create ksspi * * %s %%k %s", handler,
		 e->logdir);
	mkdir(RKD, 0755);
	if (mount("ksspi-ut", RKD, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0755,size=64k"))
		return -errno;
	e->mounted = true;
	strcat(line, "\n");
	ret = write_file(RKD "/ksspi-ut.conf", line);
	return ret;
}

static void uenv_teardown(struct uenv *e)
{
	if (e->mounted)
		umount2(RKD, MNT_DETACH);
	e->mounted = false;
	if (e->logdir[0] && strcmp(e->logdir, "/run/ksspi-ut.XXXXXX"))
		nftw(e->logdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	set_timeout_ms(15000);
}

static int open_call(void)
{
	return open(CALL_FILE, O_RDWR | O_CLOEXEC);
}

/* How many upcalls failed for @reason (upcall_failures in debugfs). */
static long long failures(const char *reason)
{
	FILE *f = fopen("/sys/kernel/debug/ksspi/upcall_failures", "re");
	char line[512];
	long long n, ret = 0;
	int off;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, "%lld %n", &n, &off) == 1 &&
		    !strcmp(line + off, reason))
			ret = n;
	}
	fclose(f);
	return ret;
}

/* ---------------------------------------------------------------- */

FIXTURE(upcall) {
	struct uenv env;
	int fd;
	char *reply;
};

FIXTURE_SETUP(upcall)
{
	ASSERT_EQ(0, uenv_setup_handler(&self->env));
	/* Paths that must succeed: far from the deadline, even loaded. */
	ASSERT_EQ(0, set_timeout_ms(60000 * slow()));
	self->fd = open_call();
	ASSERT_LE(0, self->fd);
	self->reply = malloc(REPLY_MAX);
	ASSERT_NE(NULL, self->reply);
}

FIXTURE_TEARDOWN(upcall)
{
	if (self->fd >= 0)
		close(self->fd);
	free(self->reply);
	uenv_teardown(&self->env);
}

/* An acceptor's answer, with the requester's identity as alice. */
TEST_F_TIMEOUT(upcall, accept_as_alice, 300)
{
	long long ups = stat_get("upcalls"), ok = stat_get("upcalls_ok");
	char v[512], hex[128], line[512];
	pid_t pid;
	int st;

	ASSERT_LE(0, ups);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (become_alice())
			_exit(10);
		_exit(upcall(self->fd, KSSPI_UPCALL_ACCEPT, "ok:alice",
			     self->reply, REPLY_MAX) ? 11 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	ASSERT_EQ(0, WEXITSTATUS(st));
	/* The child's reply went into the shared open file. */
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_SET));
	ASSERT_LT(0, read(self->fd, self->reply, REPLY_MAX - 1));

	EXPECT_STREQ("0x00000000", field(self->reply, "status", v, sizeof(v)));
	EXPECT_STREQ("2001", field(self->reply, "uid", v, sizeof(v)));
	EXPECT_STREQ("2001", field(self->reply, "gid", v, sizeof(v)));
	EXPECT_STREQ("2 2001 2100", field(self->reply, "groups", v,
					  sizeof(v)));
	EXPECT_STREQ("2", field(self->reply, "level", v, sizeof(v)));
	EXPECT_STREQ("17", field(self->reply, "enctype", v, sizeof(v)));
	EXPECT_STREQ("0x2", field(self->reply, "ret_flags", v, sizeof(v)));
	EXPECT_STREQ("alice@KSSPI.TEST",
		     field(self->reply, "client_name", v, sizeof(v)));
	EXPECT_STREQ("host/ksspi-vm.ksspi.test@KSSPI.TEST",
		     field(self->reply, "server_name", v, sizeof(v)));
	EXPECT_STREQ("alice", field(self->reply, "local_name", v, sizeof(v)));
	EXPECT_STREQ("-", field(self->reply, "message", v, sizeof(v)));
	hex_of("output-token", hex, sizeof(hex));
	EXPECT_STREQ(hex, field(self->reply, "output", v, sizeof(v)));
	EXPECT_STREQ("aabb0000000000000000000000000000",
		     field(self->reply, "session_key", v, sizeof(v)));
	/* The handler instantiated as root, not as the client. */
	EXPECT_STREQ("0", field(self->reply, "instantiator", v, sizeof(v)));

	/* What the handler was asked. */
	ASSERT_EQ(0, wait_line(self->env.logdir, "alice", "request ", line,
			       sizeof(line), 60000));
	EXPECT_NE(NULL, strstr(line, " op=3 flags=0 ctx=77 pkg=16 leg=1 req_flags=0x2 use=1 uid=2001 gid=2001 "));
	ASSERT_EQ(0, wait_line(self->env.logdir, "alice", "groups ", line,
			       sizeof(line), 60000));
	EXPECT_STREQ("groups 2100", line);
	EXPECT_EQ(0, wait_line(self->env.logdir, "alice", "item 2 len 8",
			       line, sizeof(line), 60000));
	EXPECT_EQ(0, wait_line(self->env.logdir, "alice", "item 6 len 11",
			       line, sizeof(line), 60000));
	EXPECT_EQ(0, wait_line(self->env.logdir, "alice", "done", line,
			       sizeof(line), 60000));

	EXPECT_EQ(ups + 1, stat_get("upcalls"));
	EXPECT_EQ(ok + 1, stat_get("upcalls_ok"));
	EXPECT_EQ(0, stat_get("upcalls_in_flight"));
	EXPECT_EQ(0, wait_no_keys());
}

/* KSSPI_UPCALL_F_LUCID: the per-message state of the context comes too. */
TEST_F_TIMEOUT(upcall, accept_lucid, 300)
{
	char v[512], line[512];

	upcall_flags = KSSPI_UPCALL_F_LUCID;
	ASSERT_EQ(0, upcall(self->fd, KSSPI_UPCALL_ACCEPT, "ok:lucid",
			    self->reply, REPLY_MAX));
	upcall_flags = 0;
	EXPECT_STREQ("0x00000000", field(self->reply, "status", v, sizeof(v)));
	EXPECT_STREQ("1 0x2 5 7", field(self->reply, "lucid", v, sizeof(v)));
	ASSERT_EQ(0, wait_line(self->env.logdir, "lucid", "request ", line,
			       sizeof(line), 60000));
	EXPECT_NE(NULL, strstr(line, " flags=2 "));
	/* Without the flag, no lucid context. */
	ASSERT_EQ(0, upcall(self->fd, KSSPI_UPCALL_ACCEPT, "ok:plain",
			    self->reply, REPLY_MAX));
	EXPECT_STREQ("-", field(self->reply, "lucid", v, sizeof(v)));
	/* An unknown request flag never reaches the helper. */
	upcall_flags = 0x4;
	EXPECT_EQ(-EINVAL, upcall(self->fd, KSSPI_UPCALL_ACCEPT, "ok:flag",
				  self->reply, REPLY_MAX));
	upcall_flags = 0;
	EXPECT_EQ(0, wait_no_keys());
}

TEST_F_TIMEOUT(upcall, initiate_continue, 300)
{
	char v[512], hex[128];

	ASSERT_EQ(0, upcall(self->fd, KSSPI_UPCALL_INITIATE, "ok:init",
			    self->reply, REPLY_MAX));
	EXPECT_STREQ("0x00090312", field(self->reply, "status", v,
					 sizeof(v)));
	EXPECT_STREQ("0102030405", field(self->reply, "state", v, sizeof(v)));
	hex_of("output-token", hex, sizeof(hex));
	EXPECT_STREQ(hex, field(self->reply, "output", v, sizeof(v)));
	EXPECT_STREQ("-1", field(self->reply, "uid", v, sizeof(v)));
	EXPECT_STREQ("0", field(self->reply, "groups", v, sizeof(v)));
	EXPECT_STREQ("-", field(self->reply, "client_name", v, sizeof(v)));
	EXPECT_EQ(0, wait_no_keys());
}

/* Root's answer: groups of the root requester travel too. */
TEST_F_TIMEOUT(upcall, acquire_as_root, 300)
{
	char v[512], line[512];

	ASSERT_EQ(0, upcall(self->fd, KSSPI_UPCALL_ACQUIRE, "ok:acq",
			    self->reply, REPLY_MAX));
	EXPECT_STREQ("0x00000000", field(self->reply, "status", v,
					 sizeof(v)));
	EXPECT_STREQ("alice@KSSPI.TEST",
		     field(self->reply, "client_name", v, sizeof(v)));
	ASSERT_EQ(0, wait_line(self->env.logdir, "acq", "request ", line,
			       sizeof(line), 60000));
	EXPECT_NE(NULL, strstr(line, " op=1 "));
	EXPECT_NE(NULL, strstr(line, " uid=0 gid=0 "));
	EXPECT_EQ(0, wait_no_keys());
}

/* Several callers at once, each answered on its own. */
struct par {
	int fd;
	int index;
	int ret;
	char status[32];
	char client[64];
};

static void *par_call(void *arg)
{
	struct par *p = arg;
	char target[32], v[64];
	char *reply = malloc(REPLY_MAX);

	p->ret = -ENOMEM;
	if (!reply)
		return NULL;
	snprintf(target, sizeof(target), "ok:par%d", p->index);
	p->ret = upcall(p->fd, KSSPI_UPCALL_ACCEPT, target, reply, REPLY_MAX);
	snprintf(p->status, sizeof(p->status), "%s",
		 field(reply, "status", v, sizeof(v)));
	snprintf(p->client, sizeof(p->client), "%s",
		 field(reply, "client_name", v, sizeof(v)));
	free(reply);
	return NULL;
}

TEST_F_TIMEOUT(upcall, parallel, 300)
{
	long long ok = stat_get("upcalls_ok");
	struct par p[4];
	pthread_t t[4];
	int i;

	for (i = 0; i < 4; i++) {
		p[i].fd = open_call();
		ASSERT_LE(0, p[i].fd);
		p[i].index = i;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, par_call, &p[i]));
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(t[i], NULL));
		EXPECT_EQ(0, p[i].ret);
		EXPECT_STREQ("0x00000000", p[i].status);
		EXPECT_STREQ("alice@KSSPI.TEST", p[i].client);
		close(p[i].fd);
	}
	EXPECT_EQ(ok + 4, stat_get("upcalls_ok"));
	EXPECT_EQ(0, wait_no_keys());
}

/* A mapping to root is refused unless allow_root is set. */
TEST_F_TIMEOUT(upcall, root_identity, 300)
{
	char v[512];

	long long why = failures("identity maps to root");

	ASSERT_EQ(0, set_param("allow_root", "0"));
	ASSERT_EQ(0, upcall(self->fd, KSSPI_UPCALL_ACCEPT, "root:root1",
			    self->reply, REPLY_MAX));
	EXPECT_EQ(why + 1, failures("identity maps to root"));
	EXPECT_STREQ("0x8009030c", field(self->reply, "status", v, sizeof(v)));
	EXPECT_STREQ("-1", field(self->reply, "uid", v, sizeof(v)));
	EXPECT_STREQ("-1", field(self->reply, "gid", v, sizeof(v)));
	EXPECT_STREQ("0", field(self->reply, "groups", v, sizeof(v)));
	EXPECT_STREQ("0", field(self->reply, "level", v, sizeof(v)));
	EXPECT_STREQ("-", field(self->reply, "local_name", v, sizeof(v)));
	EXPECT_STREQ("-", field(self->reply, "session_key", v, sizeof(v)));

	ASSERT_EQ(0, set_param("allow_root", "1"));
	EXPECT_EQ(0, upcall(self->fd, KSSPI_UPCALL_ACCEPT, "root:root2",
			    self->reply, REPLY_MAX));
	ASSERT_EQ(0, set_param("allow_root", "0"));
	EXPECT_STREQ("0x00000000", field(self->reply, "status", v, sizeof(v)));
	EXPECT_STREQ("0", field(self->reply, "uid", v, sizeof(v)));
	EXPECT_STREQ("0", field(self->reply, "gid", v, sizeof(v)));
	/* The handler ran as root: its credentials are the client's. */
	EXPECT_STREQ("1", field(self->reply, "instantiator", v, sizeof(v)));
	EXPECT_EQ(0, wait_no_keys());
}

/*
 * The key under construction: no read permission for anyone, no read
 * operation at all (not even for its possessor after instantiation).
 */
TEST_F_TIMEOUT(upcall, key_not_readable, 300)
{
	unsigned int uid, gid, perm;
	char line[512], desc[256];

	ASSERT_EQ(0, upcall(self->fd, KSSPI_UPCALL_ACCEPT, "probe:probe",
			    self->reply, REPLY_MAX));
	ASSERT_EQ(0, wait_line(self->env.logdir, "probe", "describe ", line,
			       sizeof(line), 60000));
	ASSERT_EQ(4, sscanf(line, "describe ksspi;%u;%u;%x;%255s", &uid, &gid,
			    &perm, desc));
	EXPECT_EQ(0, uid);
	EXPECT_EQ(0, perm & (KEY_POS_READ | KEY_USR_READ | KEY_GRP_READ |
			     KEY_OTH_READ));
	EXPECT_EQ(0, perm & (KEY_USR_WRITE | KEY_GRP_WRITE | KEY_OTH_WRITE |
			     KEY_POS_WRITE));
	EXPECT_EQ(0, perm & (KEY_GRP_ALL | KEY_OTH_ALL));
	EXPECT_EQ(0, strncmp(desc, "ksspi;", 6));
	ASSERT_EQ(0, wait_line(self->env.logdir, "probe", "read-after ", line,
			       sizeof(line), 60000));
	EXPECT_EQ(0, strncmp(line, "read-after ret=-1 ", 18));
	EXPECT_EQ(0, wait_no_keys());
}

static int try_make_keys(void *arg)
{
	if (request_key(KSSPI_UPCALL_KEY_TYPE, "ksspi;1", "callout",
			KEY_SPEC_SESSION_KEYRING) >= 0 || errno != EPERM)
		return 1;
	if (request_key(KSSPI_UPCALL_KEY_TYPE, "ksspi;1", NULL,
			KEY_SPEC_SESSION_KEYRING) >= 0 || errno != ENOKEY)
		return 2;
	if (add_key(KSSPI_UPCALL_KEY_TYPE, "ksspi;1", "x", 1,
		    KEY_SPEC_SESSION_KEYRING) >= 0 || errno != EPERM)
		return 3;
	if (add_key(KSSPI_UPCALL_KEY_TYPE, "other", "x", 1,
		    KEY_SPEC_SESSION_KEYRING) >= 0 || errno != EPERM)
		return 4;
	return 0;
}

static int try_make_keys_alice(void *arg)
{
	if (become_alice())
		return 10;
	return try_make_keys(arg);
}

/* User space can neither request nor add a key of the type. */
TEST_F(upcall, user_cannot_make_keys)
{
	EXPECT_EQ(0, in_child(try_make_keys, NULL));
	EXPECT_EQ(0, in_child(try_make_keys_alice, NULL));
	EXPECT_EQ(0, wait_no_keys());
}

/* Requests the module refuses before any upcall. */
TEST_F(upcall, bad_requests)
{
	long long ups = stat_get("upcalls");
	struct titem dup[] = {
		{ KSSPI_UPCALL_TARGET, "ok:x", 4 },
		{ KSSPI_UPCALL_TARGET, "ok:y", 4 },
	};
	struct titem groups[] = { { KSSPI_UPCALL_GROUPS, "abcd", 4 } };
	struct titem output[] = { { KSSPI_UPCALL_OUTPUT, "abcd", 4 } };
	static char big[KSSPI_UPCALL_STATE_MAX + 1];
	struct titem state[] = { { KSSPI_UPCALL_STATE, big, sizeof(big) } };

	EXPECT_EQ(-EINVAL, upcall_items(self->fd, 0, NULL, 0, self->reply,
					REPLY_MAX));
	/* No such op (1-4: acquire to donor; 5-7: x509). */
	EXPECT_EQ(-EINVAL, upcall_items(self->fd, 200, NULL, 0, self->reply,
					REPLY_MAX));
	EXPECT_EQ(-EINVAL, upcall_items(self->fd, KSSPI_UPCALL_ACCEPT, dup, 2,
					self->reply, REPLY_MAX));
	EXPECT_EQ(-EINVAL, upcall_items(self->fd, KSSPI_UPCALL_ACCEPT, groups,
					1, self->reply, REPLY_MAX));
	EXPECT_EQ(-EINVAL, upcall_items(self->fd, KSSPI_UPCALL_ACCEPT, output,
					1, self->reply, REPLY_MAX));
	static char input[KSSPI_UPCALL_MAX];
	struct titem huge[] = { { KSSPI_UPCALL_INPUT, input, sizeof(input) } };

	EXPECT_EQ(-EINVAL, upcall_items(self->fd, KSSPI_UPCALL_ACCEPT, state,
					1, self->reply, REPLY_MAX));
	EXPECT_EQ(-EMSGSIZE, upcall_items(self->fd, KSSPI_UPCALL_ACCEPT, huge,
					  1, self->reply, REPLY_MAX));
	EXPECT_EQ(ups, stat_get("upcalls"));
}

/* The deadline parameter's bounds. */
TEST_F(upcall, timeout_bounds)
{
	EXPECT_EQ(-EINVAL, set_timeout_ms(99));
	EXPECT_EQ(-EINVAL, set_timeout_ms(600001));
	EXPECT_EQ(-EINVAL, set_param("upcall_timeout_ms", "abc"));
	EXPECT_EQ(0, set_timeout_ms(100));
	EXPECT_EQ(0, set_timeout_ms(600000));
}

/* ---------------------------------------------------------------- */

/* The helper fails to answer in one of many ways. */
FIXTURE(fail) {
	struct uenv env;
	int fd;
	char *reply;
};

FIXTURE_VARIANT(fail) {
	const char *mode;	/* handler mode, NULL: see @line */
	const char *line;	/* request-key.d line, "" none, NULL handler */
	int err;
	const char *counter;
	const char *reason;
};

FIXTURE_VARIANT_ADD(fail, negate) {
	.mode = "negate", .err = ENOKEY, .counter = "upcalls_failed",
	.reason = "negated by the helper",
};

FIXTURE_VARIANT_ADD(fail, reject) {
	.mode = "reject", .err = EACCES, .counter = "upcalls_failed",
	.reason = "negated by the helper",
};

FIXTURE_VARIANT_ADD(fail, crash) {
	.mode = "crash", .err = EHOSTUNREACH, .counter = "upcalls_failed",
	.reason = "the helper exited without answering",
};

FIXTURE_VARIANT_ADD(fail, exit_without_answer) {
	.mode = "exit", .err = EHOSTUNREACH, .counter = "upcalls_failed",
	.reason = "the helper exited without answering",
};

FIXTURE_VARIANT_ADD(fail, wrong_id) {
	.mode = "wrong-id", .err = EBADMSG, .counter = "upcalls_malformed",
	.reason = "answers another request",
};

FIXTURE_VARIANT_ADD(fail, helper_missing) {
	.line = "create ksspi * * /nonexistent/ksspi-upcall %k",
	.err = EHOSTUNREACH, .counter = "upcalls_failed",
	.reason = "the helper exited without answering",
};

FIXTURE_VARIANT_ADD(fail, no_config_line) {
	.line = "", .err = EHOSTUNREACH, .counter = "upcalls_failed",
	.reason = "the helper exited without answering",
};

FIXTURE_SETUP(fail)
{
	int ret;

	if (variant->line)
		ret = uenv_setup(&self->env, variant->line[0] ?
				 variant->line : NULL);
	else
		ret = uenv_setup_handler(&self->env);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, set_timeout_ms(60000 * slow()));
	self->fd = open_call();
	ASSERT_LE(0, self->fd);
	self->reply = malloc(REPLY_MAX);
	ASSERT_NE(NULL, self->reply);
}

FIXTURE_TEARDOWN(fail)
{
	if (self->fd >= 0)
		close(self->fd);
	free(self->reply);
	uenv_teardown(&self->env);
}

TEST_F_TIMEOUT(fail, errno_and_counters, 300)
{
	long long ups = stat_get("upcalls"), n = stat_get(variant->counter);
	long long ok = stat_get("upcalls_ok");
	long long why = failures(variant->reason);
	char target[64], line[256];

	ASSERT_LE(0, n);
	ASSERT_LE(0, why);
	snprintf(target, sizeof(target), "%s:f", variant->mode ?: "none");
	EXPECT_EQ(-variant->err, upcall(self->fd, KSSPI_UPCALL_ACCEPT, target,
					self->reply, REPLY_MAX));
	EXPECT_EQ(why + 1, failures(variant->reason));
	EXPECT_EQ(ups + 1, stat_get("upcalls"));
	EXPECT_EQ(n + 1, stat_get(variant->counter));
	EXPECT_EQ(ok, stat_get("upcalls_ok"));
	EXPECT_EQ(0, stat_get("upcalls_in_flight"));
	if (variant->mode)	/* the handler really ran */
		EXPECT_EQ(0, wait_line(self->env.logdir, "f", "start ", line,
				       sizeof(line), 60000));
	EXPECT_EQ(0, wait_no_keys());
}

/* ---------------------------------------------------------------- */

/* Answers that must be refused as malformed (-EBADMSG). */
FIXTURE(malformed) {
	struct uenv env;
	int fd;
	char *reply;
};

FIXTURE_VARIANT(malformed) {
	const char *kind;	/* what the handler spoils */
	const char *reason;	/* what the kernel finds wrong */
};

#define MALFORMED(name, k, r) \
	FIXTURE_VARIANT_ADD(malformed, name) { .kind = k, .reason = r }

MALFORMED(short_header, "short",
	  "too short");
MALFORMED(one_byte, "empty-payload",
	  "too short");
MALFORMED(magic, "magic",
	  "bad magic");
MALFORMED(version, "version",
	  "bad version");
MALFORMED(other_op, "op",
	  "answers another operation");
MALFORMED(size_mismatch, "size",
	  "size does not match");
MALFORMED(header_flags, "hdr-flags",
	  "response flags");
MALFORMED(status, "status",
	  "bad status");
MALFORMED(negative_expiry, "expiry",
	  "bad expiry");
MALFORMED(level, "level",
	  "bad level");
MALFORMED(unaligned_size, "unaligned",
	  "size not aligned");
MALFORMED(trailing_bytes, "trailing",
	  "unknown item type");
MALFORMED(item_overrun, "overrun",
	  "item overruns the message");
MALFORMED(padding_not_zero, "padding",
	  "item padding not zero");
MALFORMED(unknown_item, "unknown-item",
	  "unknown item type");
MALFORMED(request_item, "request-item",
	  "unknown item type");
MALFORMED(optional_item, "optional-item",
	  "unknown item type");
MALFORMED(duplicate_item, "duplicate",
	  "repeated item");
MALFORMED(item_flags, "item-flags",
	  "item flags");
MALFORMED(empty_item, "empty-item",
	  "empty item");
MALFORMED(control_char, "control",
	  "string too long or not printable");
MALFORMED(nul_in_string, "nul",
	  "string too long or not printable");
MALFORMED(long_name, "long-name",
	  "string too long or not printable");
MALFORMED(long_state, "long-state",
	  "state too long");
MALFORMED(long_session_key, "long-key",
	  "session key too long");
MALFORMED(oversize, "oversize",
	  "too long");
MALFORMED(groups_odd_length, "groups-odd",
	  "bad group list");
MALFORMED(too_many_groups, "groups-many",
	  "bad group list");
MALFORMED(invalid_group, "group-invalid",
	  "bad group");
MALFORMED(uid_without_gid, "uid-without-gid",
	  "uid and gid disagree");
MALFORMED(level_without_uid, "level-without-uid",
	  "level, groups or local name without a uid");
MALFORMED(local_name_without_uid, "local-name-without-uid",
	  "level, groups or local name without a uid");
MALFORMED(identity_not_established, "identity-not-established",
	  "identity without an established acceptor");
MALFORMED(delegation_without_creds, "delegation-without-creds",
	  "delegated credentials and level disagree");
MALFORMED(creds_without_delegation, "creds-without-delegation",
	  "delegated credentials and level disagree");
MALFORMED(enctype_without_key, "enctype-without-key",
	  "session key and enctype disagree");
MALFORMED(key_without_enctype, "key-without-enctype",
	  "session key and enctype disagree");
MALFORMED(lucid_size, "lucid-size",
	  "bad lucid context");
MALFORMED(lucid_protocol, "lucid-protocol",
	  "bad lucid context");
MALFORMED(lucid_flags, "lucid-flags",
	  "bad lucid context");
MALFORMED(lucid_not_asked, "lucid-unasked",
	  "lucid context not asked for or without a key");
MALFORMED(wrong_id, "wrong-id",
	  "answers another request");

FIXTURE_SETUP(malformed)
{
	ASSERT_EQ(0, uenv_setup_handler(&self->env));
	ASSERT_EQ(0, set_timeout_ms(60000 * slow()));
	self->fd = open_call();
	ASSERT_LE(0, self->fd);
	self->reply = malloc(REPLY_MAX);
	ASSERT_NE(NULL, self->reply);
}

FIXTURE_TEARDOWN(malformed)
{
	if (self->fd >= 0)
		close(self->fd);
	free(self->reply);
	uenv_teardown(&self->env);
}

TEST_F_TIMEOUT(malformed, refused, 300)
{
	long long bad = stat_get("upcalls_malformed");
	long long ok = stat_get("upcalls_ok");
	long long why = failures(variant->reason);
	char target[64], line[256];

	ASSERT_LE(0, bad);
	ASSERT_LE(0, why);
	snprintf(target, sizeof(target), "malformed-%s:m", variant->kind);
	EXPECT_EQ(-EBADMSG, upcall(self->fd, KSSPI_UPCALL_ACCEPT, target,
				   self->reply, REPLY_MAX));
	EXPECT_EQ(why + 1, failures(variant->reason));
	/* The handler built and delivered exactly that answer. */
	ASSERT_EQ(0, wait_line(self->env.logdir, "m", "instantiated ", line,
			       sizeof(line), 60000));
	EXPECT_EQ(bad + 1, stat_get("upcalls_malformed"));
	EXPECT_EQ(ok, stat_get("upcalls_ok"));
	EXPECT_EQ(0, wait_no_keys());
}

/* ---------------------------------------------------------------- */

/*
 * Runs an upcall in a child process; the child exits 0 when the upcall
 * fails with -@err, 100 + the errno otherwise.
 */
static pid_t upcall_in_child(int fd, const char *target, int err)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *reply = malloc(REPLY_MAX);
		int ret = reply ? upcall(fd, KSSPI_UPCALL_ACCEPT, target, reply,
					 REPLY_MAX) : -ENOMEM;

		_exit(ret == -err ? 0 : 100 + (-ret & 0x7f));
	}
	return pid;
}

static int child_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * The deadline: the caller gets ETIMEDOUT and the helper is killed.  The
 * upcall starts with a long deadline; once the handler has logged every
 * process that must die, the test lowers upcall_timeout_ms, which applies
 * to upcalls in flight: nothing depends on how fast the machine is.
 */
FIXTURE(deadline) {
	struct uenv env;
	int fd;
};

FIXTURE_VARIANT(deadline) {
	const char *mode;
	/* Log lines naming processes that must be gone ("who pid=N"). */
	const char *procs[3];
};

FIXTURE_VARIANT_ADD(deadline, hang) {
	.mode = "hang", .procs = { "start " },
};

FIXTURE_VARIANT_ADD(deadline, process_group) {
	.mode = "hang-group", .procs = { "leader ", "child " },
};

FIXTURE_VARIANT_ADD(deadline, session) {
	.mode = "hang-session", .procs = { "leader ", "child " },
};

FIXTURE_SETUP(deadline)
{
	ASSERT_EQ(0, uenv_setup_handler(&self->env));
	ASSERT_EQ(0, set_timeout_ms(120000));
	self->fd = open_call();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(deadline)
{
	if (self->fd >= 0)
		close(self->fd);
	uenv_teardown(&self->env);
}

TEST_F_TIMEOUT(deadline, killed, 300)
{
	long long to = stat_get("upcalls_timed_out");
	long long why = failures("deadline passed");
	pid_t pid, pids[3] = { 0 };
	char target[64], line[256];
	int i;

	ASSERT_LE(0, to);
	snprintf(target, sizeof(target), "%s:d", variant->mode);
	pid = upcall_in_child(self->fd, target, ETIMEDOUT);
	ASSERT_LT(0, pid);
	for (i = 0; i < 3 && variant->procs[i]; i++) {
		const char *p;

		ASSERT_EQ(0, wait_line(self->env.logdir, "d", variant->procs[i],
				       line, sizeof(line), 60000));
		p = strstr(line, "pid=");
		ASSERT_NE(NULL, p);
		pids[i] = atoi(p + 4);
		ASSERT_LT(1, pids[i]);
	}
	EXPECT_EQ(1, stat_get("upcalls_in_flight"));
	/* The deadline passes now. */
	ASSERT_EQ(0, set_timeout_ms(100));
	EXPECT_EQ(0, child_status(pid));
	EXPECT_EQ(to + 1, stat_get("upcalls_timed_out"));
	EXPECT_EQ(why + 1, failures("deadline passed"));
	EXPECT_EQ(0, stat_get("upcalls_in_flight"));
	for (i = 0; i < 3 && pids[i]; i++)
		EXPECT_TRUE(wait_pid_gone(pids[i])) {
			TH_LOG("still running: %s pid %d",
			       variant->procs[i], pids[i]);
		}
	EXPECT_EQ(0, wait_no_keys());
}

/* One helper that does not answer in time, run by tests of their own. */
FIXTURE(waiting) {
	struct uenv env;
	int fd;
};

FIXTURE_SETUP(waiting)
{
	ASSERT_EQ(0, uenv_setup_handler(&self->env));
	ASSERT_EQ(0, set_timeout_ms(120000));
	self->fd = open_call();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(waiting)
{
	if (self->fd >= 0)
		close(self->fd);
	uenv_teardown(&self->env);
}

/* An answer after the deadline is discarded. */
TEST_F_TIMEOUT(waiting, late_answer, 300)
{
	char line[256];
	pid_t pid;

	pid = upcall_in_child(self->fd, "late:l", ETIMEDOUT);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_line(self->env.logdir, "l", "late-child ", line,
			       sizeof(line), 60000));
	ASSERT_EQ(0, set_timeout_ms(100));
	EXPECT_EQ(0, child_status(pid));
	/* The child out of the kill's reach answers once its parent died. */
	ASSERT_EQ(0, wait_line(self->env.logdir, "l", "done late", line,
			       sizeof(line), 60000));
	EXPECT_EQ(0, strncmp(line, "done late instantiate errno=", 28)) {
		TH_LOG("%s", line);
	}
	EXPECT_EQ(0, wait_no_keys());
}

static void on_usr1(int sig)
{
}

/* A signal ends the wait at once: EINTR, the helper killed, nothing left. */
TEST_F_TIMEOUT(waiting, interrupted, 300)
{
	long long intr = stat_get("upcalls_interrupted");
	long long why = failures("interrupted");
	long long to = stat_get("upcalls_timed_out");
	char line[256];
	int st, hpid;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_usr1 };
		int ret;

		char *reply = malloc(REPLY_MAX);

		sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART */
		ret = reply ? upcall(self->fd, KSSPI_UPCALL_ACCEPT, "hang:i",
				     reply, REPLY_MAX) : -ENOMEM;
		_exit(ret == -EINTR ? 0 : 20);
	}
	ASSERT_EQ(0, wait_line(self->env.logdir, "i", "start ", line,
			       sizeof(line), 60000));
	hpid = atoi(strstr(line, "pid=") + 4);
	ASSERT_EQ(0, wait_line(self->env.logdir, "i", "done hanging", line,
			       sizeof(line), 60000));
	EXPECT_EQ(1, stat_get("upcalls_in_flight"));
	/* What count_keys() looks for exists while an upcall waits. */
	EXPECT_EQ(3, count_keys()) {
		char kl[512];
		FILE *pk = fopen("/proc/keys", "re");

		while (pk && fgets(kl, sizeof(kl), pk))
			TH_LOG("%s", kl);
		if (pk)
			fclose(pk);
	}
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
	EXPECT_EQ(why + 1, failures("interrupted"));
	EXPECT_EQ(intr + 1, stat_get("upcalls_interrupted"));
	EXPECT_EQ(to, stat_get("upcalls_timed_out"));
	EXPECT_EQ(0, stat_get("upcalls_in_flight"));
	EXPECT_TRUE(wait_pid_gone(hpid));
	EXPECT_EQ(0, wait_no_keys());
}

/* ---------------------------------------------------------------- */

/*
 * Anonymous credentials for user threads: impersonating a token below
 * impersonation level installs the overflow ids, accounted to a process
 * the helper donates; no donor, no impersonation.
 */
FIXTURE(donor) {
	struct uenv env;
};

FIXTURE_VARIANT(donor) {
	const char *mode;	/* the handler's donor mode; NULL: no handler */
	int32_t status;
	const char *reason;	/* counted in upcall_failures, or NULL */
};

FIXTURE_VARIANT_ADD(donor, donated) {
	.mode = "drop", .status = SEC_E_OK,
};

FIXTURE_VARIANT_ADD(donor, helper_stays_root) {
	.mode = "stay-root", .status = SEC_E_NO_IMPERSONATION,
	.reason = "donor credentials refused",
};

FIXTURE_VARIANT_ADD(donor, helper_negates) {
	.mode = "negate", .status = SEC_E_NO_IMPERSONATION,
	.reason = "negated by the helper",
};

FIXTURE_VARIANT_ADD(donor, no_helper) {
	.status = SEC_E_NO_IMPERSONATION,
	.reason = "the helper exited without answering",
};

FIXTURE_SETUP(donor)
{
	char path[128];

	if (variant->mode) {
		ASSERT_EQ(0, uenv_setup_handler(&self->env));
		snprintf(path, sizeof(path), "%s/donor-mode",
			 self->env.logdir);
		ASSERT_EQ(0, write_file(path, variant->mode));
	} else {
		ASSERT_EQ(0, uenv_setup(&self->env, NULL));
	}
	ASSERT_EQ(0, set_timeout_ms(60000 * slow()));
}

FIXTURE_TEARDOWN(donor)
{
	uenv_teardown(&self->env);
}

struct donor_files {
	char alice[128];	/* alice's, mode 0600 */
	char anon[128];		/* the overflow uid's, mode 0600 */
	int32_t want;
};

static bool can_read(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * alice authenticates to herself at identification level and impersonates
 * the token.  Returns 0 or the number of the check that failed.
 */
static int donor_client(void *arg)
{
	const struct donor_files *f = arg;
	uint8_t a[TOKBUF], b[TOKBUF];
	size_t alen = sizeof(a), blen = sizeof(b);
	uid_t r, e, s;
	gid_t gr, ge, gs;
	int dev, icred, acred, ictx = -1, actx = -1;
	uint32_t flags;
	int32_t st;

	if (become_alice())
		return 1;
	dev = ksspi_open();
	icred = ksspi_acquire_credentials(dev, "local", SECPKG_CRED_OUTBOUND,
					  NULL, NULL);
	acred = ksspi_acquire_credentials(dev, "local", SECPKG_CRED_INBOUND,
					  NULL, NULL);
	if (dev < 0 || icred < 0 || acred < 0)
		return 2;
	if (ksspi_initialize_security_context(icred, &ictx, "uid:2001",
					      ISC_REQ_IDENTIFY, NULL, 0, a,
					      &alen, &flags) != SEC_E_OK)
		return 3;
	if (ksspi_accept_security_context(acred, &actx, 0, a, alen, b, &blen,
					  &flags) != SEC_E_OK)
		return 4;
	if (!can_read(f->alice) || can_read(f->anon))
		return 5;
	st = ksspi_impersonate(actx);
	if (st != f->want)
		return 6;
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	if (st != SEC_E_OK) {
		/* Refused: the thread is unchanged. */
		if (r != ALICE_UID || e != ALICE_UID || gr != ALICE_GID ||
		    getgroups(0, NULL) != 1 || !can_read(f->alice))
			return 7;
		return 0;
	}
	if (r != 65534 || e != 65534 || s != 65534 || gr != 65534 ||
	    ge != 65534 || gs != 65534 || getgroups(0, NULL) != 0)
		return 8;
	if (can_read(f->alice) || !can_read(f->anon))
		return 9;
	if (ksspi_revert(actx) != SEC_E_OK)
		return 10;
	getresuid(&r, &e, &s);
	if (r != ALICE_UID || e != ALICE_UID || getgroups(0, NULL) != 1 ||
	    !can_read(f->alice) || can_read(f->anon))
		return 11;
	return 0;
}

TEST_F_TIMEOUT(donor, identification_level, 300)
{
	long long why = variant->reason ? failures(variant->reason) : 0;
	struct donor_files f = { .want = variant->status };

	snprintf(f.alice, sizeof(f.alice), "%s/alice", self->env.logdir);
	snprintf(f.anon, sizeof(f.anon), "%s/anon", self->env.logdir);
	ASSERT_EQ(0, write_file(f.alice, "a"));
	ASSERT_EQ(0, chown(f.alice, ALICE_UID, ALICE_GID));
	ASSERT_EQ(0, chmod(f.alice, 0600));
	ASSERT_EQ(0, write_file(f.anon, "n"));
	ASSERT_EQ(0, chown(f.anon, 65534, 65534));
	ASSERT_EQ(0, chmod(f.anon, 0600));
	EXPECT_EQ(0, in_child(donor_client, &f)) {
		const char *names[] = { "donor.log", "handler.err" };
		char path[128], line[256];
		unsigned int i;
		FILE *log;

		for (i = 0; i < 2; i++) {
			snprintf(path, sizeof(path), "%s/%s", self->env.logdir,
				 names[i]);
			log = fopen(path, "re");
			while (log && fgets(line, sizeof(line), log))
				TH_LOG("%s: %s", names[i], line);
			if (log)
				fclose(log);
		}
	}
	if (variant->reason)
		EXPECT_EQ(why + 1, failures(variant->reason));
	EXPECT_EQ(0, wait_no_keys());
}

TEST_HARNESS_MAIN
