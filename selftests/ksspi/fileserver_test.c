// SPDX-License-Identifier: GPL-2.0
/*
 * The sample in-kernel file server (samples/ksspi-fileserver) end to end:
 * real clients (alice 2001, bob 2002) authenticate over TCP with the local
 * package, or with Kerberos tickets from the guest KDC through kerberos or
 * negotiate, and read, list and write files through the kernel threads,
 * which impersonate them around every VFS call.  What each one sees is
 * what their own Unix permissions allow.
 */
#include <net/if.h>
#include <sys/utsname.h>
#include <dirent.h>

#include "krb5_e2e.h"
#include "../../samples/ksspi-fileserver/fsclient.h"

#define FS_MOD		"ksspi_fileserver"
#define FS_PARAM(p)	"/sys/module/ksspi_fileserver/parameters/" p
#define FS_PORT		4445
#define FS_THREADS	2

FIXTURE(fs) {
	char dir[PATH_MAX];
	char alice_cc[PATH_MAX + 32];
	char bob_cc[PATH_MAX + 32];
	char priv[PATH_MAX + 32];	/* alice's, 0600 */
	char group[PATH_MAX + 32];	/* alice:kstaff, 0640 */
	char bobs[PATH_MAX + 32];	/* bob's, 0600 */
	char drop[PATH_MAX + 32];	/* a 01777 directory for writes */
	char target[NAMEBUF];
	bool krb;
};

FIXTURE_VARIANT(fs) {
	const char *package;
};

FIXTURE_VARIANT_ADD(fs, local) {
	.package = "local",
};

FIXTURE_VARIANT_ADD(fs, kerberos) {
	.package = "kerberos",
};

FIXTURE_VARIANT_ADD(fs, negotiate) {
	.package = "negotiate",
};

static int lo_up(void)
{
	struct ifreq ifr = {};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;

	if (s < 0)
		return -errno;
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr))
		ret = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!ret && ioctl(s, SIOCSIFFLAGS, &ifr))
		ret = -errno;
	close(s);
	return ret;
}

static int param_int(const char *path)
{
	char v[32];

	if (read_small(path, v, sizeof(v)))
		return -1;
	return atoi(v);
}

/* Waits (bounded: 60 s) until the module parameter @path reads @want. */
static int wait_param(const char *path, int want)
{
	int i, n = -1;

	for (i = 0; i < 600; i++) {
		n = param_int(path);
		if (n == want)
			return 0;
		usleep(100000);
	}
	return n;
}

/* Writes a module parameter by path; returns 0 or -errno. */
static int write_param(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, v, strlen(v)) != (ssize_t)strlen(v))
		ret = -errno;
	close(fd);
	return ret;
}

static int load_server(const char *params)
{
	char path[PATH_MAX + 64];
	int fd, ret;

	/* KSSPI_FILESERVER_KO: a build for another kernel (check-debug). */
	if (getenv("KSSPI_FILESERVER_KO"))
		snprintf(path, sizeof(path), "%s", getenv("KSSPI_FILESERVER_KO"));
	else
		snprintf(path, sizeof(path),
			 "%s/samples/ksspi-fileserver/ksspi_fileserver.ko",
			 E.root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* Unloads the server, waiting (bounded) for connections to end. */
static int unload_server(void)
{
	int i;

	for (i = 0; i < 600; i++) {
		if (!syscall(SYS_delete_module, FS_MOD, O_NONBLOCK))
			return 0;
		if (errno == ENOENT)
			return 0;
		usleep(100000);
	}
	return -errno;
}

FIXTURE_SETUP(fs)
{
	self->krb = strcmp(variant->package, "local");
	if (self->krb) {
		e2e_setup(_metadata, variant->package);
		/*
		 * Many helpers at once on a slow guest (concurrent clients,
		 * a shared machine): a generous deadline, put back in the
		 * teardown.
		 */
		ASSERT_EQ(0, lower_timeout("60000"));
		snprintf(self->target, sizeof(self->target), "%s",
			 pkg_target());
	} else {
		ASSERT_EQ(0, find_root());
		signal(SIGPIPE, SIG_IGN);
		snprintf(self->target, sizeof(self->target), "%s",
			 KSSPI_FS_LOCAL_PRINCIPAL);
	}
	ASSERT_EQ(0, lo_up());
	ASSERT_EQ(0, make_dir(self->dir, sizeof(self->dir)));
	snprintf(self->priv, sizeof(self->priv), "%s/alice.txt", self->dir);
	snprintf(self->group, sizeof(self->group), "%s/staff.txt", self->dir);
	snprintf(self->bobs, sizeof(self->bobs), "%s/bob.txt", self->dir);
	snprintf(self->drop, sizeof(self->drop), "%s/drop", self->dir);
	ASSERT_EQ(0, owned_file(self->priv, ALICE_UID, ALICE_GID,
				"alice's secret\n"));
	ASSERT_EQ(0, owned_file(self->group, ALICE_UID, STAFF_GID,
				"for kstaff\n"));
	ASSERT_EQ(0, chmod(self->group, 0640));
	ASSERT_EQ(0, owned_file(self->bobs, BOB_UID, BOB_GID, "bob's\n"));
	ASSERT_EQ(0, mkdir(self->drop, 01777));
	ASSERT_EQ(0, chmod(self->drop, 01777));
	if (self->krb) {
		snprintf(self->alice_cc, sizeof(self->alice_cc),
			 "FILE:%s/alice.cc", self->dir);
		snprintf(self->bob_cc, sizeof(self->bob_cc),
			 "FILE:%s/bob.cc", self->dir);
		ASSERT_EQ(0, alice_kinit(self->alice_cc, 0, NULL));
		ASSERT_EQ(0, kinit_as(BOB_UID, BOB_GID, self->bob_cc, "bob",
				      E.bob_keytab, 0, NULL));
	}
	ASSERT_EQ(0, unload_server());	/* a leftover of a failed run */
	ASSERT_EQ(0, load_server("port=4445 threads=2"));
}

FIXTURE_TEARDOWN(fs)
{
	EXPECT_EQ(0, unload_server());
	if (self->krb) {
		EXPECT_EQ(0, restore_timeout());
		e2e_time(_metadata);
	}
	rm_tree(self->dir);
}

/* A client: a uid, what to do on an authenticated connection. */
typedef int (*client_fn)(FIXTURE_DATA(fs) *self, int fd, void *arg);

struct client {
	FIXTURE_DATA(fs) *self;
	const FIXTURE_VARIANT(fs) *variant;
	uid_t uid;
	client_fn fn;
	void *arg;
};

/*
 * Runs @c as its user in a child: credentials, connect, handshake, then
 * c->fn.  Exit 0 is success; 100+ are setup failures.
 */
static int client_main(void *arg)
{
	struct client *c = arg;
	const char *cc;
	int dev, cred, fd;
	int32_t st;

	if (c->uid == ALICE_UID ? become_alice() : become_bob())
		return 100;
	dev = ksspi_open();
	if (dev < 0)
		return 101;
	cc = c->uid == ALICE_UID ? c->self->alice_cc : c->self->bob_cc;
	if (c->self->krb)
		cred = ksspi_acquire_credentials_from(dev, c->variant->package,
						      SECPKG_CRED_OUTBOUND,
						      NULL, cc, NULL, NULL);
	else
		cred = ksspi_acquire_credentials(dev, "local",
						 SECPKG_CRED_OUTBOUND, NULL,
						 NULL);
	if (cred < 0) {
		fprintf(stderr, "# uid %u: credentials: %s\n", c->uid,
			strerror(-cred));
		return 102;
	}
	fd = fsc_connect("127.0.0.1", FS_PORT);
	if (fd < 0)
		return 103;
	st = fsc_handshake(fd, cred, c->variant->package, c->self->target);
	if (st != SEC_E_OK) {
		fprintf(stderr, "# uid %u: handshake: %s (%s)\n", c->uid,
			ksspi_status_string(st), strerror(errno));
		return 104;
	}
	return c->fn(c->self, fd, c->arg);
}

static int as_client(FIXTURE_DATA(fs) *self, const FIXTURE_VARIANT(fs) *v,
		     uid_t uid, client_fn fn, void *arg)
{
	struct client c = { self, v, uid, fn, arg };

	return in_child(client_main, &c);
}

/* Reads @path whole; returns the server's errno, or 50 on a mismatch. */
static int read_expect(int fd, const char *path, const char *want)
{
	char buf[256];
	size_t n = 0;
	int err;

	err = fsc_read(fd, path, 0, sizeof(buf), buf, sizeof(buf), &n);
	if (err)
		return err < 0 ? 60 : err;
	if (want && (n != strlen(want) || memcmp(buf, want, n)))
		return 50;
	return 0;
}

static int alice_reads(FIXTURE_DATA(fs) *self, int fd, void *arg)
{
	char name[256];
	uint32_t uid, gid;

	if (read_expect(fd, self->priv, "alice's secret\n"))
		return 1;
	if (read_expect(fd, self->group, "for kstaff\n"))
		return 2;
	if (read_expect(fd, self->bobs, NULL) != EACCES)
		return 3;
	if (fsc_whoami(fd, &uid, &gid, name, sizeof(name)))
		return 4;
	if (uid != ALICE_UID || gid != ALICE_GID)
		return 5;
	if (strncmp(name, self->krb ? "alice@" : "uid:2001", 6))
		return 6;
	return 0;
}

TEST_F_TIMEOUT(fs, alice_reads_hers_and_groups, 300)
{
	EXPECT_EQ(0, as_client(self, variant, ALICE_UID, alice_reads, NULL));
}

static int bob_denied(FIXTURE_DATA(fs) *self, int fd, void *arg)
{
	char missing[PATH_MAX + 32];
	uint32_t uid, gid;

	if (read_expect(fd, self->priv, NULL) != EACCES)
		return 1;
	if (read_expect(fd, self->group, NULL) != EACCES)
		return 2;
	if (fsc_write(fd, self->priv, "x", 1) != EACCES)
		return 3;
	snprintf(missing, sizeof(missing), "%s/none", self->dir);
	if (read_expect(fd, missing, NULL) != ENOENT)
		return 4;
	if (read_expect(fd, self->bobs, "bob's\n"))
		return 5;
	if (fsc_whoami(fd, &uid, &gid, NULL, 0) || uid != BOB_UID ||
	    gid != BOB_GID)
		return 6;
	return 0;
}

TEST_F_TIMEOUT(fs, bob_denied_alices_file, 300)
{
	char buf[64];

	EXPECT_EQ(0, as_client(self, variant, BOB_UID, bob_denied, NULL));
	/* Bob's write attempt changed nothing. */
	ASSERT_EQ(0, read_small(self->priv, buf, sizeof(buf)));
	EXPECT_STREQ("alice's secret", buf);	/* (read_small: one line) */
}

static int alice_writes(FIXTURE_DATA(fs) *self, int fd, void *arg)
{
	char path[PATH_MAX + 64], list[4096];
	size_t n;

	snprintf(path, sizeof(path), "%s/from-alice", self->drop);
	if (fsc_write(fd, path, "written by alice\n", 17))
		return 1;
	if (read_expect(fd, path, "written by alice\n"))
		return 2;
	if (fsc_list(fd, self->drop, list, sizeof(list), &n) ||
	    n != strlen("from-alice\n") || memcmp(list, "from-alice\n", n))
		return 3;
	/* Her own directory listing, not the server's view. */
	if (fsc_list(fd, self->dir, list, sizeof(list), &n))
		return 4;
	list[n] = 0;
	if (!strstr(list, "alice.txt\n") || !strstr(list, "drop\n"))
		return 5;
	/* Not a directory, a file she may not write. */
	if (fsc_list(fd, self->priv, list, sizeof(list), &n) != ENOTDIR)
		return 6;
	if (fsc_write(fd, self->bobs, "x", 1) != EACCES)
		return 7;
	return 0;
}

TEST_F_TIMEOUT(fs, write_owned_by_client, 300)
{
	char path[PATH_MAX + 64], buf[64];
	struct stat st;

	ASSERT_EQ(0, as_client(self, variant, ALICE_UID, alice_writes, NULL));
	snprintf(path, sizeof(path), "%s/from-alice", self->drop);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(ALICE_UID, st.st_uid);
	EXPECT_EQ(ALICE_GID, st.st_gid);
	EXPECT_EQ(0640, st.st_mode & 07777);
	ASSERT_EQ(0, read_small(path, buf, sizeof(buf)));
	EXPECT_STREQ("written by alice", buf);
	ASSERT_EQ(0, read_small(self->bobs, buf, sizeof(buf)));
	EXPECT_STREQ("bob's", buf);
}

/* The server threads' tids, from their names. */
static int server_tids(pid_t *tids, int max)
{
	struct dirent *d;
	int n = 0;
	DIR *dir = opendir("/proc");

	if (!dir)
		return -1;
	while ((d = readdir(dir)) && n < max) {
		char path[300], comm[32];

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		if (read_small(path, comm, sizeof(comm)))
			continue;
		if (!strncmp(comm, "ksspi-fs/", 9))
			tids[n++] = atoi(d->d_name);
	}
	closedir(dir);
	return n;
}

/* The Uid:, Gid: and Groups: lines say root's and nothing else. */
static int thread_is_root(pid_t tid)
{
	unsigned int id[4];
	char path[64], buf[4096];
	FILE *f;
	int ok = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(buf, sizeof(buf), f)) {
		if ((sscanf(buf, "Uid: %u %u %u %u", &id[0], &id[1], &id[2],
			    &id[3]) == 4 ||
		     sscanf(buf, "Gid: %u %u %u %u", &id[0], &id[1], &id[2],
			    &id[3]) == 4) &&
		    !(id[0] | id[1] | id[2] | id[3]))
			ok++;
		/* No supplementary group: nothing after the tab. */
		if (!strncmp(buf, "Groups:", 7) &&
		    strspn(buf + 7, " \t\n") == strlen(buf + 7))
			ok++;
	}
	fclose(f);
	if (ok != 3)
		fprintf(stderr, "# /proc/%d/status: %d of 3 root lines\n", tid,
			ok);
	return ok == 3;
}

static int many_requests(FIXTURE_DATA(fs) *self, int fd, void *arg)
{
	int i, n = *(int *)arg;

	for (i = 0; i < n; i++) {
		if (read_expect(fd, self->group, "for kstaff\n"))
			return 1;
		if (read_expect(fd, self->bobs, NULL) != EACCES)
			return 2;
	}
	return 0;
}

TEST_F_TIMEOUT(fs, server_credentials_restored, 300)
{
	pid_t tids[8];
	int i, n, before, reqs = 10;

	n = server_tids(tids, 8);
	ASSERT_EQ(FS_THREADS, n);
	before = param_int(FS_PARAM("requests"));
	ASSERT_LE(0, before);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(0, as_client(self, variant, ALICE_UID,
				       many_requests, &reqs));
		EXPECT_EQ(0, as_client(self, variant, BOB_UID, bob_denied,
				       NULL));
		/* After every client: the threads are root, as they were. */
		EXPECT_TRUE(thread_is_root(tids[0]));
		EXPECT_TRUE(thread_is_root(tids[1]));
	}
	/* Every request checked its own credentials after reverting. */
	EXPECT_EQ(0, param_int(FS_PARAM("cred_mismatches")));
	EXPECT_EQ(before + 3 * (2 * reqs + 6),
		  param_int(FS_PARAM("requests")));
}

/* 2 threads, many clients at once, alice's and bob's interleaved. */
TEST_F_TIMEOUT(fs, concurrent_clients, 600)
{
	int nclients = self->krb ? 8 : 24, reqs = self->krb ? 3 : 10;
	pid_t pids[24];
	int i, st, failed = 0;

	/*
	 * Clients wait in the listen queue while both threads serve others:
	 * on a slow guest longer than a local ticket's 30 s.  (Kerberos
	 * authenticators allow the realm's clock skew, 5 minutes.)
	 */
	ASSERT_EQ(0, set_param("local_ticket_ms", "600000"));

	for (i = 0; i < nclients; i++) {
		struct client c = { self, variant, i & 1 ? BOB_UID : ALICE_UID,
				    i & 1 ? bob_denied : many_requests, &reqs };

		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0)
			_exit(client_main(&c));
	}
	for (i = 0; i < nclients; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &st, 0));
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			TH_LOG("client %d: status %#x", i, st);
			failed++;
		}
	}
	EXPECT_EQ(0, set_param("local_ticket_ms", "30000"));
	EXPECT_EQ(0, failed);
	EXPECT_EQ(0, param_int(FS_PARAM("cred_mismatches")));
	EXPECT_EQ(0, wait_param(FS_PARAM("connections"), 0));
}

/* Waits for the server to close @fd: recv() returns 0 (bounded). */
static int closed_by_server(int fd)
{
	struct timeval tv = { .tv_sec = 60 };
	char buf[256];
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	do
		n = recv(fd, buf, sizeof(buf), 0);
	while (n > 0);
	return n == 0 || (n < 0 && errno == ECONNRESET) ? 0 : -1;
}

static int raw_send(int fd, const void *buf, size_t len)
{
	return fsc_write_all(fd, buf, len);
}

TEST_F_TIMEOUT(fs, disconnect_mid_handshake, 300)
{
	uint8_t frame[4 + 2 + 8] = { 0, 0, 0, 100, KSSPI_FS_AUTH };
	int fd, i;

	/* A frame cut short, an AUTH cut short, a silent connection. */
	for (i = 0; i < 3; i++) {
		fd = fsc_connect("127.0.0.1", FS_PORT);
		ASSERT_LE(0, fd);
		if (i == 0)
			ASSERT_EQ(0, raw_send(fd, frame, 6));
		if (i == 1) {
			frame[3] = 10;
			frame[5] = variant->package[0] == 'l' ?
				   KSSPI_FS_PKG_LOCAL : KSSPI_FS_PKG_KERBEROS;
			ASSERT_EQ(0, raw_send(fd, frame, sizeof(frame)));
		}
		close(fd);
	}
	EXPECT_EQ(0, wait_param(FS_PARAM("connections"), 0));
	/* The server goes on serving. */
	EXPECT_EQ(0, as_client(self, variant, ALICE_UID, alice_reads, NULL));
}

static int garbage_after_auth(FIXTURE_DATA(fs) *self, int fd, void *arg)
{
	const uint8_t *g = arg;

	if (raw_send(fd, g + 1, g[0]))
		return 1;
	return closed_by_server(fd) ? 2 : 0;
}

TEST_F_TIMEOUT(fs, garbage_on_the_wire, 300)
{
	static const uint8_t before[][12] = {
		{ 4, 0, 0, 0, 0 },				/* empty body */
		{ 4, 0xff, 0xff, 0xff, 0xff },			/* 4 GiB */
		{ 4, 0x7f, 0, 0, 0 },				/* too long */
		{ 6, 0, 0, 0, 2, KSSPI_FS_READ, '/' },		/* no auth yet */
		{ 7, 0, 0, 0, 3, KSSPI_FS_AUTH, 99, 1 },	/* no package */
		{ 11, 0, 0, 0, 7, KSSPI_FS_AUTH, KSSPI_FS_PKG_LOCAL,
		  'G', 'A', 'R', 'B', 'G' },			/* bad token */
	};
	static const uint8_t after[][12] = {
		{ 5, 0, 0, 0, 1, 0x55 },			/* unknown op */
		{ 8, 0, 0, 0, 4, KSSPI_FS_LIST, 'e', 't', 'c' },/* relative */
		{ 7, 0, 0, 0, 3, KSSPI_FS_READ, 0, 0 },	/* short */
		{ 9, 0, 0, 0, 5, KSSPI_FS_WRITE, 0xff, 0xff, '/', 'x' },
		{ 7, 0, 0, 0, 3, KSSPI_FS_LIST, '/', 0 },	/* NUL */
		{ 6, 0, 0, 0, 2, KSSPI_FS_WHOAMI, 0 },
		{ 4, 0, 0, 0, 0 },
	};
	unsigned int i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(before); i++) {
		fd = fsc_connect("127.0.0.1", FS_PORT);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, raw_send(fd, before[i] + 1, before[i][0]));
		EXPECT_EQ(0, closed_by_server(fd)) {
			TH_LOG("garbage %u before the handshake", i);
		}
		close(fd);
	}
	for (i = 0; i < ARRAY_SIZE(after); i++)
		EXPECT_EQ(0, as_client(self, variant, ALICE_UID,
				       garbage_after_auth, (void *)after[i])) {
			TH_LOG("garbage %u after the handshake", i);
		}
	EXPECT_EQ(0, wait_param(FS_PARAM("connections"), 0));
	EXPECT_EQ(0, param_int(FS_PARAM("cred_mismatches")));
	EXPECT_EQ(0, as_client(self, variant, ALICE_UID, alice_reads, NULL));
}

static int hold_open(FIXTURE_DATA(fs) *self, int fd, void *arg)
{
	int *p = arg;
	char c;

	/* Authenticated and connected: tell the test, wait for its word. */
	if (write(p[1], "c", 1) != 1 || read(p[0], &c, 1) != 1)
		return 1;
	return read_expect(fd, self->group, "for kstaff\n");
}

TEST_F_TIMEOUT(fs, unload_refused_while_connected, 300)
{
	int up[2], down[2], p[2], st;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	p[0] = down[0];
	p[1] = up[1];
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct client cl = { self, variant, ALICE_UID, hold_open, p };

		_exit(client_main(&cl));
	}
	ASSERT_EQ(1, read(up[0], &c, 1));
	EXPECT_EQ(1, param_int(FS_PARAM("connections")));
	/* Refused while a client is connected; ksspi is in use too. */
	EXPECT_EQ(-1, syscall(SYS_delete_module, FS_MOD, O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(-1, syscall(SYS_delete_module, "ksspi", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	/* The connection still works after the refusal. */
	ASSERT_EQ(1, write(down[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* Closed: now it unloads, and the port is closed. */
	EXPECT_EQ(0, unload_server());
	EXPECT_EQ(-1, fsc_connect("127.0.0.1", FS_PORT));
	EXPECT_EQ(ECONNREFUSED, errno);
	/* (the teardown finds it unloaded) */
}

static int whoami_uid(FIXTURE_DATA(fs) *self, int fd, void *arg)
{
	uint32_t uid, gid;

	if (fsc_whoami(fd, &uid, &gid, NULL, 0))
		return 200;
	return uid == ALICE_UID ? 1 : uid == 0 ? 0 : 2;
}

/* The benchmark's floor: impersonation off really runs as the server. */
TEST_F_TIMEOUT(fs, impersonation_off_is_the_floor, 300)
{
	EXPECT_EQ(1, as_client(self, variant, ALICE_UID, whoami_uid, NULL));
	ASSERT_EQ(0, write_param(FS_PARAM("impersonate"), "0"));
	EXPECT_EQ(0, as_client(self, variant, ALICE_UID, whoami_uid, NULL));
	ASSERT_EQ(0, write_param(FS_PARAM("impersonate"), "1"));
	EXPECT_EQ(1, as_client(self, variant, ALICE_UID, whoami_uid, NULL));
}

TEST_HARNESS_MAIN
