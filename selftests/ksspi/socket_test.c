// SPDX-License-Identifier: GPL-2.0
/*
 * Socket-bound contexts from user space: KSSPI_IOC_SOCKET_ATTACH, _DETACH,
 * _QUERY, _IMPERSONATE and _REVERT (Documentation/userspace-api/
 * ksspi-socket.rst).  The context is a real local-package handshake of
 * alice (2001) towards root's acceptor; the sockets are real connected
 * stream sockets (AF_UNIX pairs and TCP over loopback).
 */
#include <pthread.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/un.h>

#include "ksspi_test.h"

#define REFCNT		"/sys/module/ksspi/refcnt"
#define EXEC_ENV	"KSSPI_SOCKET_TEST_EXEC_FD"

/* Sends @fd over the AF_UNIX socket @via. */
static int send_fd(int via, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {}, byte = 'f';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(via, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int via)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {}, byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fd;

	if (recvmsg(via, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* Outbound local credentials of alice, acquired by alice in a child. */
static int alice_cred(void)
{
	int sv[2], fd = -1;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	pid = fork();
	if (pid == 0) {
		int dev, cred;

		close(sv[0]);
		if (become_alice())
			_exit(1);
		dev = ksspi_open();
		cred = ksspi_acquire_credentials(dev, "local",
						 SECPKG_CRED_OUTBOUND, NULL,
						 NULL);
		_exit(cred < 0 || send_fd(sv[1], cred) ? 2 : 0);
	}
	close(sv[1]);
	if (pid > 0)
		fd = recv_fd(sv[0]);
	close(sv[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return fd;
}

static int refcnt(void)
{
	char v[32];

	if (read_small(REFCNT, v, sizeof(v)))
		return -1;
	return atoi(v);
}

/* Waits (bounded) until the module's refcount is @want. */
static int wait_refcnt(int want)
{
	int i, n = -1;

	for (i = 0; i < 600; i++) {	/* 60 s: the reaper runs every 2 s */
		n = refcnt();
		if (n == want)
			return 0;
		usleep(100000);
	}
	return n;
}

/* --- exec'ed: query a socket inherited across execve() ---------------------- */

__attribute__((constructor)) static void exec_query(void)
{
	struct ksspi_socket_info si;
	const char *v = getenv(EXEC_ENV);
	int dev;

	if (!v)
		return;
	dev = ksspi_open();
	if (dev < 0)
		_exit(10);
	if (ksspi_socket_query(dev, atoi(v), &si, NULL, 0))
		_exit(11);
	_exit(si.uid == ALICE_UID ? 0 : 12);
}

FIXTURE(sock) {
	int dev;
	int icred;
	int acred;
	int ictx;
	int actx;
	int sv[2];
	int file;	/* alice's private file */
	char path[64];
};

FIXTURE_SETUP(sock)
{
	int32_t st;

	self->sv[0] = self->sv[1] = -1;
	self->file = -1;
	self->dev = ksspi_open();
	ASSERT_LE(0, self->dev);
	self->icred = alice_cred();
	ASSERT_LE(0, self->icred);
	self->acred = ksspi_acquire_credentials(self->dev, "local",
						SECPKG_CRED_INBOUND, NULL,
						NULL);
	ASSERT_LE(0, self->acred);
	st = local_handshake(self->icred, self->acred, "uid:0",
			     ISC_REQ_MUTUAL_AUTH, 0, &self->ictx, &self->actx);
	ASSERT_EQ(SEC_E_OK, st);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
				self->sv));
	strcpy(self->path, "/tmp/ksspi-sock-XXXXXX");
	self->file = mkstemp(self->path);
	ASSERT_LE(0, self->file);
	ASSERT_EQ(0, fchown(self->file, ALICE_UID, ALICE_GID));
	ASSERT_EQ(0, fchmod(self->file, 0600));
}

FIXTURE_TEARDOWN(sock)
{
	if (self->file >= 0) {
		close(self->file);
		unlink(self->path);
	}
	close(self->sv[0]);
	close(self->sv[1]);
	close(self->actx);
	close(self->ictx);
	close(self->acred);
	close(self->icred);
	close(self->dev);
}

TEST_F(sock, attach_query)
{
	struct ksspi_socket_info si;
	char name[64];

	ASSERT_EQ(0, ksspi_socket_attach(self->dev, self->sv[0], self->actx));
	ASSERT_EQ(0, ksspi_socket_query(self->dev, self->sv[0], &si, name,
					sizeof(name)));
	EXPECT_EQ(ALICE_UID, si.uid);
	EXPECT_EQ(ALICE_GID, si.gid);
	EXPECT_EQ(KSSPI_PACKAGE_LOCAL, si.package_id);
	EXPECT_EQ(SECURITY_IMPERSONATION, si.level);
	EXPECT_EQ(0, si.attacher_uid);
	EXPECT_EQ(0, si.attach_flags);
	EXPECT_LT(0, si.expiry);
	EXPECT_STREQ("uid:2001", name);
	EXPECT_EQ(strlen(name) + 1, si.name_size);
	/* Too small a buffer: ERANGE, and the size needed. */
	EXPECT_EQ(-ERANGE, ksspi_socket_query(self->dev, self->sv[0], &si,
					      name, 3));
	EXPECT_EQ(strlen("uid:2001") + 1, si.name_size);
	/* The other end has nothing attached. */
	EXPECT_EQ(-ENOENT, ksspi_socket_query(self->dev, self->sv[1], &si,
					      NULL, 0));
}

TEST_F(sock, nothing_attached)
{
	struct ksspi_socket_info si;
	uint32_t level = 7;

	EXPECT_EQ(-ENOENT, ksspi_socket_query(self->dev, self->sv[0], &si,
					      NULL, 0));
	EXPECT_EQ(SEC_E_INVALID_HANDLE,
		  ksspi_socket_impersonate(self->dev, self->sv[0], &level));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(7, level);
	EXPECT_EQ(-ENOENT, ksspi_socket_detach(self->dev, self->sv[0]));
	EXPECT_EQ(SEC_E_NO_IMPERSONATION, ksspi_socket_revert(self->dev));
	EXPECT_EQ(0, geteuid());
}

TEST_F(sock, attach_twice_detach)
{
	struct ksspi_socket_info si;

	ASSERT_EQ(0, ksspi_socket_attach(self->dev, self->sv[0], self->actx));
	EXPECT_EQ(-EBUSY, ksspi_socket_attach(self->dev, self->sv[0],
					      self->actx));
	EXPECT_EQ(0, ksspi_socket_detach(self->dev, self->sv[0]));
	EXPECT_EQ(-ENOENT, ksspi_socket_query(self->dev, self->sv[0], &si,
					      NULL, 0));
	EXPECT_EQ(-ENOENT, ksspi_socket_detach(self->dev, self->sv[0]));
	EXPECT_EQ(0, ksspi_socket_attach(self->dev, self->sv[0], self->actx));
	/* One context on two sockets. */
	EXPECT_EQ(0, ksspi_socket_attach(self->dev, self->sv[1], self->actx));
	EXPECT_EQ(0, ksspi_socket_query(self->dev, self->sv[1], &si, NULL, 0));
}

static int impersonate_child(void *arg)
{
	FIXTURE_DATA(sock) *self = arg;
	uint32_t level = 0;
	int fd;

	if (ksspi_socket_impersonate(self->dev, self->sv[0], &level) !=
	    SEC_E_OK || level != SECURITY_IMPERSONATION)
		return 1;
	/* Really the client: her ids, her file, not root's. */
	if (geteuid() != ALICE_UID || getegid() != ALICE_GID)
		return 2;
	fd = open(self->path, O_RDONLY);
	if (fd < 0)
		return 3;
	close(fd);
	if (open("/etc/shadow", O_RDONLY) >= 0 || errno != EACCES)
		return 4;
	if (ksspi_socket_revert(self->dev) != SEC_E_OK)
		return 5;
	if (geteuid() != 0 || getegid() != 0)
		return 6;
	/* Nothing left to revert. */
	if (ksspi_socket_revert(self->dev) != SEC_E_NO_IMPERSONATION)
		return 7;
	return 0;
}

TEST_F(sock, impersonate_revert)
{
	ASSERT_EQ(0, ksspi_socket_attach(self->dev, self->sv[0], self->actx));
	EXPECT_EQ(0, in_child(impersonate_child, self));
	/* The parent was never touched. */
	EXPECT_EQ(0, geteuid());
}

TEST_F(sock, wrong_descriptors)
{
	struct ksspi_socket_attach sa = { .size = sizeof(sa) };
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	int tok, udp, tcp, lst, fd;

	/* Not a socket, not open. */
	EXPECT_EQ(-ENOTSOCK, ksspi_socket_attach(self->dev, self->file,
						 self->actx));
	EXPECT_EQ(-ENOTSOCK, ksspi_socket_attach(self->dev, self->actx,
						 self->actx));
	EXPECT_EQ(-EBADF, ksspi_socket_attach(self->dev, -1, self->actx));
	EXPECT_EQ(-EBADF, ksspi_socket_attach(self->dev, 999, self->actx));
	/* Not an established acceptor context. */
	EXPECT_EQ(-EINVAL, ksspi_socket_attach(self->dev, self->sv[0],
					       self->acred));
	EXPECT_EQ(-EINVAL, ksspi_socket_attach(self->dev, self->sv[0],
					       self->ictx));
	EXPECT_EQ(-EINVAL, ksspi_socket_attach(self->dev, self->sv[0],
					       self->file));
	EXPECT_EQ(-EBADF, ksspi_socket_attach(self->dev, self->sv[0], -1));
	tok = ksspi_query_security_context_token(self->actx);
	ASSERT_LE(0, tok);
	EXPECT_EQ(-EINVAL, ksspi_socket_attach(self->dev, self->sv[0], tok));
	close(tok);
	fd = ksspi_new_context(self->acred, KSSPI_CONTEXT_ACCEPT, NULL, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, ksspi_socket_attach(self->dev, self->sv[0], fd));
	close(fd);
	/* Datagram, unconnected and listening sockets have no one peer. */
	udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, udp);
	EXPECT_EQ(-EOPNOTSUPP, ksspi_socket_attach(self->dev, udp, self->actx));
	close(udp);
	tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, tcp);
	EXPECT_EQ(-ENOTCONN, ksspi_socket_attach(self->dev, tcp, self->actx));
	lst = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, lst);
	/* An abstract name: nothing in the file system. */
	snprintf(un.sun_path + 1, sizeof(un.sun_path) - 1, "ksspi-sock-%d",
		 getpid());
	ASSERT_EQ(0, bind(lst, (struct sockaddr *)&un, sizeof(un)));
	ASSERT_EQ(0, listen(lst, 1));
	EXPECT_EQ(-ENOTCONN, ksspi_socket_attach(self->dev, lst, self->actx));
	close(lst);
	close(tcp);
	/* Malformed arguments. */
	sa.sock_fd = self->sv[0];
	sa.ctx_fd = self->actx;
	sa.flags = 1;
	EXPECT_EQ(-1, ioctl(self->dev, KSSPI_IOC_SOCKET_ATTACH, &sa));
	EXPECT_EQ(EINVAL, errno);
	sa.flags = 0;
	sa.size = 8;
	EXPECT_EQ(-1, ioctl(self->dev, KSSPI_IOC_SOCKET_ATTACH, &sa));
	EXPECT_EQ(EINVAL, errno);
	sa.size = sizeof(sa);
	EXPECT_EQ(-1, ioctl(self->dev, KSSPI_IOC_SOCKET_DETACH, &sa));
	EXPECT_EQ(EINVAL, errno);	/* detach takes ctx_fd -1 */
	EXPECT_EQ(-1, ioctl(self->dev, KSSPI_IOC_SOCKET_ATTACH, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* The socket ioctls belong to /dev/ksspi only. */
	EXPECT_EQ(-1, ioctl(self->actx, KSSPI_IOC_SOCKET_ATTACH, &sa));
	EXPECT_EQ(ENOTTY, errno);
	/* Nothing was attached by any of these. */
	EXPECT_EQ(-ENOENT, ksspi_socket_detach(self->dev, self->sv[0]));
}

TEST_F(sock, tcp_loopback)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct ksspi_socket_info si;
	socklen_t len = sizeof(sa);
	int lst, cli, srv;

	lst = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, lst);
	ASSERT_EQ(0, bind(lst, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, getsockname(lst, (struct sockaddr *)&sa, &len));
	ASSERT_EQ(0, listen(lst, 1));
	cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, cli);
	ASSERT_EQ(0, connect(cli, (struct sockaddr *)&sa, sizeof(sa)));
	srv = accept4(lst, NULL, NULL, SOCK_CLOEXEC);
	ASSERT_LE(0, srv);
	ASSERT_EQ(0, ksspi_socket_attach(self->dev, srv, self->actx));
	ASSERT_EQ(0, ksspi_socket_query(self->dev, srv, &si, NULL, 0));
	EXPECT_EQ(ALICE_UID, si.uid);
	/* The peer's end is another socket: nothing there. */
	EXPECT_EQ(-ENOENT, ksspi_socket_query(self->dev, cli, &si, NULL, 0));
	/* A shut-down connection keeps its binding until closed. */
	ASSERT_EQ(0, shutdown(srv, SHUT_RDWR));
	EXPECT_EQ(0, ksspi_socket_query(self->dev, srv, &si, NULL, 0));
	close(srv);
	close(cli);
	close(lst);
}

TEST_F(sock, close_socket_first)
{
	struct ksspi_socket_info si;
	int base, dup0;

	base = refcnt();
	ASSERT_LT(0, base);
	ASSERT_EQ(0, ksspi_socket_attach(self->dev, self->sv[0], self->actx));
	/* Each binding pins the module. */
	EXPECT_EQ(base + 1, refcnt());
	/* A dup is the same socket: closing one fd closes nothing. */
	dup0 = dup(self->sv[0]);
	ASSERT_LE(0, dup0);
	close(self->sv[0]);
	self->sv[0] = -1;
	EXPECT_EQ(0, ksspi_socket_query(self->dev, dup0, &si, NULL, 0));
	close(dup0);
	/* Closed: the binding goes within the reaper's period. */
	EXPECT_EQ(0, wait_refcnt(base));
	/* The context is intact and can be bound again. */
	ASSERT_EQ(0, ksspi_socket_attach(self->dev, self->sv[1], self->actx));
	EXPECT_EQ(0, ksspi_socket_query(self->dev, self->sv[1], &si, NULL, 0));
	EXPECT_EQ(ALICE_UID, si.uid);
}

TEST_F(sock, close_context_first)
{
	struct ksspi_socket_info si;
	int base;

	ASSERT_EQ(0, ksspi_socket_attach(self->dev, self->sv[0], self->actx));
	base = refcnt();
	close(self->actx);
	self->actx = -1;
	/* At once: the context's release unlinks its bindings. */
	EXPECT_EQ(-ENOENT, ksspi_socket_query(self->dev, self->sv[0], &si,
					      NULL, 0));
	EXPECT_EQ(SEC_E_INVALID_HANDLE,
		  ksspi_socket_impersonate(self->dev, self->sv[0], NULL));
	/* The context's fd and the binding: two module references gone. */
	EXPECT_EQ(base - 2, refcnt());
	/* The socket itself still works. */
	EXPECT_EQ(1, write(self->sv[0], "x", 1));
}

/* A context held in two processes lives until both close it. */
TEST_F(sock, context_dup_in_child)
{
	struct ksspi_socket_info si;
	pid_t pid;
	int p[2], st;
	char c;

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, ksspi_socket_attach(self->dev, self->sv[0], self->actx));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* The inherited context fd keeps the binding alive. */
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(1);
		_exit(ksspi_socket_query(self->dev, self->sv[0], &si, NULL, 0)
		      ? 2 : si.uid == ALICE_UID ? 0 : 3);
	}
	close(p[0]);
	close(self->actx);
	self->actx = -1;
	EXPECT_EQ(1, write(p[1], "g", 1));
	close(p[1]);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* Both holders closed it: gone. */
	EXPECT_EQ(-ENOENT, ksspi_socket_query(self->dev, self->sv[0], &si,
					      NULL, 0));
}

struct imp_thread {
	FIXTURE_DATA(sock) *self;
	pthread_barrier_t *bar;
	int result;
};

static void *imp_thread_fn(void *arg)
{
	struct imp_thread *t = arg;
	uint32_t level;
	int fd;

	t->result = 1;
	if (ksspi_socket_impersonate(t->self->dev, t->self->sv[0], &level) !=
	    SEC_E_OK)
		return NULL;
	pthread_barrier_wait(t->bar);	/* the main thread closes both */
	pthread_barrier_wait(t->bar);
	t->result = 2;
	/* Still alice: closing the socket and the context changes nothing. */
	if (geteuid() != ALICE_UID)
		return NULL;
	fd = open(t->self->path, O_RDONLY);
	if (fd < 0)
		return NULL;
	close(fd);
	t->result = 3;
	if (ksspi_revert(t->self->dev) != SEC_E_OK || geteuid() != 0)
		return NULL;
	t->result = 0;
	return NULL;
}

static int close_while_impersonating(void *arg)
{
	FIXTURE_DATA(sock) *self = arg;
	struct imp_thread t = { .self = self };
	struct ksspi_socket_info si;
	pthread_barrier_t bar;
	pthread_t th;

	pthread_barrier_init(&bar, NULL, 2);
	t.bar = &bar;
	if (pthread_create(&th, NULL, imp_thread_fn, &t))
		return 10;
	pthread_barrier_wait(&bar);
	close(self->actx);
	close(self->sv[0]);
	pthread_barrier_wait(&bar);
	pthread_join(th, NULL);
	if (t.result)
		return t.result;
	/* This thread was never impersonating. */
	if (geteuid() != 0)
		return 11;
	return ksspi_socket_query(self->dev, self->sv[0], &si, NULL, 0) ==
	       -EBADF ? 0 : 12;
}

TEST_F(sock, close_while_impersonating)
{
	ASSERT_EQ(0, ksspi_socket_attach(self->dev, self->sv[0], self->actx));
	EXPECT_EQ(0, in_child(close_while_impersonating, self));
}

/* Attach and close races: many threads, no oops, no leak. */
struct race_arg {
	FIXTURE_DATA(sock) *self;
	int n;
};

static void *race_attach(void *arg)
{
	struct race_arg *r = arg;
	struct ksspi_socket_info si;
	int i, sv[2];

	for (i = 0; i < r->n; i++) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
			break;
		ksspi_socket_attach(r->self->dev, sv[0], r->self->actx);
		ksspi_socket_query(r->self->dev, sv[0], &si, NULL, 0);
		if (i & 1)
			ksspi_socket_detach(r->self->dev, sv[0]);
		close(sv[0]);
		close(sv[1]);
	}
	return NULL;
}

TEST_F(sock, concurrent_attach_close)
{
	struct race_arg r = { .self = self, .n = 300 };
	pthread_t th[4];
	int i, base;

	base = refcnt();
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, race_attach, &r));
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	/* Every binding made went away with its socket. */
	EXPECT_EQ(0, wait_refcnt(base));
}

static int bob_child(void *arg)
{
	FIXTURE_DATA(sock) *self = arg;
	struct ksspi_socket_info si;
	int sv[2];

	if (become_bob())
		return 1;
	/* Bob holds alice's context (passed to him) and his own socket. */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 2;
	if (ksspi_socket_attach(self->dev, sv[0], self->actx))
		return 3;
	if (ksspi_socket_query(self->dev, sv[0], &si, NULL, 0) ||
	    si.uid != ALICE_UID || si.attacher_uid != BOB_UID)
		return 4;
	/* No more than the context itself allows him: nothing. */
	if (ksspi_socket_impersonate(self->dev, sv[0], NULL) !=
	    SEC_E_NO_IMPERSONATION || geteuid() != BOB_UID)
		return 5;
	if (ksspi_impersonate(self->actx) != SEC_E_NO_IMPERSONATION)
		return 6;
	/* Root's socket, passed along with its binding: query only. */
	if (ksspi_socket_query(self->dev, self->sv[0], &si, NULL, 0) ||
	    si.attacher_uid != 0)
		return 7;
	if (ksspi_socket_impersonate(self->dev, self->sv[0], NULL) !=
	    SEC_E_NO_IMPERSONATION || geteuid() != BOB_UID)
		return 8;
	return 0;
}

TEST_F(sock, another_users_context)
{
	ASSERT_EQ(0, ksspi_socket_attach(self->dev, self->sv[0], self->actx));
	EXPECT_EQ(0, in_child(bob_child, self));
}

static int alice_child(void *arg)
{
	FIXTURE_DATA(sock) *self = arg;
	uint32_t level;

	if (become_alice())
		return 1;
	/* The client herself may act as herself (same identity). */
	if (ksspi_socket_impersonate(self->dev, self->sv[0], &level) !=
	    SEC_E_OK || geteuid() != ALICE_UID)
		return 2;
	if (ksspi_socket_revert(self->dev) != SEC_E_OK)
		return 3;
	return geteuid() == ALICE_UID ? 0 : 4;
}

TEST_F(sock, same_identity)
{
	ASSERT_EQ(0, ksspi_socket_attach(self->dev, self->sv[0], self->actx));
	EXPECT_EQ(0, in_child(alice_child, self));
}

TEST_F(sock, scm_rights)
{
	struct ksspi_socket_info si;
	int via[2], got, st;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, via));
	ASSERT_EQ(0, ksspi_socket_attach(self->dev, self->sv[0], self->actx));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int dev;

		/* A fresh process with nothing but the passed socket. */
		close(via[0]);
		close(self->sv[0]);
		close(self->actx);
		close(self->dev);
		got = recv_fd(via[1]);
		dev = ksspi_open();
		if (got < 0 || dev < 0)
			_exit(1);
		if (ksspi_socket_query(dev, got, &si, NULL, 0) ||
		    si.uid != ALICE_UID)
			_exit(2);
		if (ksspi_socket_impersonate(dev, got, NULL) != SEC_E_OK ||
		    geteuid() != ALICE_UID)
			_exit(3);
		if (ksspi_socket_revert(dev) != SEC_E_OK || geteuid())
			_exit(4);
		_exit(0);
	}
	close(via[1]);
	ASSERT_EQ(0, send_fd(via[0], self->sv[0]));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(via[0]);
}

TEST_F(sock, fork_exec)
{
	char fd[16], exe[PATH_MAX];
	ssize_t n;
	pid_t pid;
	int st;

	ASSERT_EQ(0, ksspi_socket_attach(self->dev, self->sv[0], self->actx));
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = 0;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int keep = dup(self->sv[0]);	/* without O_CLOEXEC */

		snprintf(fd, sizeof(fd), "%d", keep);
		setenv(EXEC_ENV, fd, 1);
		execl(exe, exe, NULL);
		_exit(20);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
}

static int userns_child(void *arg)
{
	FIXTURE_DATA(sock) *self = arg;
	struct ksspi_socket_info si;

	/* A new user namespace with no mappings: alice is not in it. */
	if (unshare(CLONE_NEWUSER))
		return 1;
	if (ksspi_socket_query(self->dev, self->sv[0], &si, NULL, 0))
		return 2;
	if (si.uid != 65534 || si.gid != 65534 || si.attacher_uid != 65534)
		return 3;
	/* Full capabilities there, but alice's ids do not exist there. */
	if (ksspi_socket_impersonate(self->dev, self->sv[0], NULL) !=
	    SEC_E_NO_IMPERSONATION)
		return 4;
	return 0;
}

TEST_F(sock, user_namespace)
{
	ASSERT_EQ(0, ksspi_socket_attach(self->dev, self->sv[0], self->actx));
	EXPECT_EQ(0, in_child(userns_child, self));
}

TEST_HARNESS_MAIN
