// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall: the worker child and its pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "worker.h"

static volatile pid_t worker_pid;
static pid_t worker_parent;

/* Async-signal-safe: for the deadline handler. */
void kup_worker_kill(void)
{
	pid_t pid = worker_pid;

	if (pid > 0)
		kill(pid, SIGKILL);
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Never outlive the parent (and its deadline).  A change of credentials
 * clears the parent-death signal, so the worker calls this again once it
 * has become the requester.
 */
int kup_worker_guard(void)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) ||
	    getppid() != worker_parent)
		return -1;
	return 0;
}

static void child(kup_work_fn fn, void *arg, int fd, pid_t parent)
{
	struct kup_msg msg = { 0 };
	int ret;

	worker_parent = parent;
	if (kup_worker_guard())
		_exit(1);
	signal(SIGALRM, SIG_DFL);
	ret = fn(arg, &msg);
	if (!ret)
		ret = write_all(fd, msg.buf, msg.len);
	kup_msg_free(&msg);
	_exit(ret ? 1 : 0);
}

int kup_worker_run(kup_work_fn fn, void *arg, struct kup_msg *out,
		   char *err, size_t errlen)
{
	size_t cap = KSSPI_UPCALL_MAX + 1, len = 0;
	pid_t parent = getpid(), pid;
	int fds[2], status = 0, ret = -1;
	uint8_t *buf;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	buf = malloc(cap);
	if (!buf || pipe2(fds, O_CLOEXEC)) {
		snprintf(err, errlen, "out of resources: %s", strerror(errno));
		free(buf);
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		free(buf);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		child(fn, arg, fds[1], parent);
	}
	worker_pid = pid;
	close(fds[1]);
	for (;;) {
		n = read(fds[0], buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == cap)
			break;		/* too long: refused below */
	}
	close(fds[0]);
	if (len == cap)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	worker_pid = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(err, errlen, "worker %s %d",
			 WIFEXITED(status) ? "exited with" : "killed by signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) :
					     WTERMSIG(status));
	} else if (len == cap || len == 0) {
		snprintf(err, errlen, "worker answered %zu bytes", len);
	} else {
		out->buf = buf;
		out->len = len;
		out->cap = cap;
		buf = NULL;
		ret = 0;
	}
	free(buf);
	return ret;
}
