// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-demo: a client authenticates to a server over TCP with the local
 * package; the server says who the client is, then opens a file the client
 * names while impersonating the client, so the client's own rights decide.
 *
 *   ksspi-demo server PORT PRINCIPAL [COUNT]
 *   ksspi-demo client PORT TARGET FILE
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "libksspi.h"

#define TOKBUF 4096

static int xfer(int fd, void *buf, size_t len, bool out)
{
	char *p = buf;

	while (len) {
		ssize_t n = out ? write(fd, p, len) : read(fd, p, len);

		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int send_msg(int fd, const void *buf, uint32_t len)
{
	uint32_t n = htonl(len);

	return xfer(fd, &n, 4, true) || xfer(fd, (void *)buf, len, true) ? -1 : 0;
}

static int recv_msg(int fd, void *buf, uint32_t size, uint32_t *len)
{
	uint32_t n;

	if (xfer(fd, &n, 4, false))
		return -1;
	*len = ntohl(n);
	return *len > size || xfer(fd, buf, *len, false) ? -1 : 0;
}

static const char *account(const char *name)
{
	static char buf[64];
	struct passwd *pw;
	unsigned int uid;

	if (sscanf(name, "uid:%u", &uid) != 1 || !(pw = getpwuid(uid)))
		return "?";
	snprintf(buf, sizeof(buf), "%s", pw->pw_name);
	return buf;
}

static int serve_one(int cred, int sock)
{
	uint8_t in[TOKBUF], out[TOKBUF];
	char name[256], path[256];
	struct ksspi_context_info ci = {
		.mask = KSSPI_ATTR(SECPKG_ATTR_ACCESS_TOKEN) |
			KSSPI_ATTR(SECPKG_ATTR_FLAGS),
	};
	uint32_t in_len, flags;
	int ctx = -1, fd;
	size_t out_len;
	int32_t st;
	char reply[512];

	do {
		if (recv_msg(sock, in, sizeof(in), &in_len))
			return -1;
		out_len = sizeof(out);
		st = ksspi_accept_security_context(cred, &ctx,
						   ASC_REQ_CONNECTION, in,
						   in_len, out, &out_len,
						   &flags);
		if (st >= 0 && out_len && send_msg(sock, out, out_len))
			return -1;
	} while (st == SEC_I_CONTINUE_NEEDED);
	if (st != SEC_E_OK) {
		printf("server: authentication failed: %s\n",
		       ksspi_status_string(st));
		return -1;
	}
	ksspi_query_names(ctx, name, sizeof(name));
	ksspi_query_context(ctx, &ci);
	printf("server: client is %s (%s), level %s, mutual %s\n", name,
	       account(name), ksspi_level_string(ci.level),
	       (flags & ASC_RET_MUTUAL_AUTH) ? "yes" : "no");

	if (recv_msg(sock, path, sizeof(path) - 1, &in_len))
		return -1;
	path[in_len] = 0;
	st = ksspi_impersonate(ctx);
	if (st != SEC_E_OK) {
		snprintf(reply, sizeof(reply), "cannot impersonate: %s",
			 ksspi_status_string(st));
	} else {
		fd = open(path, O_RDONLY);
		if (fd >= 0) {
			ssize_t n = read(fd, reply, sizeof(reply) - 1);

			reply[n > 0 ? n : 0] = 0;
			reply[strcspn(reply, "\n")] = 0;
			close(fd);
		} else {
			snprintf(reply, sizeof(reply), "open %s: %s", path,
				 strerror(errno));
		}
		st = ksspi_revert(ctx);
		if (st != SEC_E_OK) {
			fprintf(stderr, "server: revert: %s\n",
				ksspi_status_string(st));
			exit(1);
		}
	}
	printf("server: as %s, %s -> \"%s\"\n", account(name), path, reply);
	send_msg(sock, reply, strlen(reply));
	close(ctx);
	return 0;
}

static int server(int port, const char *principal, int count)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int dev, cred, l, one = 1;

	dev = ksspi_open();
	if (dev < 0) {
		fprintf(stderr, "server: %s: %s\n", KSSPI_DEVICE_PATH,
			strerror(-dev));
		return 1;
	}
	cred = ksspi_acquire_credentials(dev, "local", SECPKG_CRED_INBOUND,
					 principal, NULL);
	if (cred < 0) {
		fprintf(stderr, "server: acquire %s: %s\n", principal,
			strerror(-cred));
		return 1;
	}
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(l, 8)) {
		perror("server: listen");
		return 1;
	}
	printf("server: listening on 127.0.0.1:%d as %s\n", port, principal);
	fflush(stdout);
	while (count-- > 0) {
		int s = accept4(l, NULL, NULL, SOCK_CLOEXEC);

		if (s < 0)
			return 1;
		serve_one(cred, s);
		fflush(stdout);
		close(s);
	}
	return 0;
}

static int client(int port, const char *target, const char *path)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	uint8_t in[TOKBUF], out[TOKBUF];
	char server_name[256], me[256], reply[512];
	uint32_t in_len = 0, flags, len;
	int dev, cred, ctx = -1, s;
	size_t out_len;
	int32_t st;

	dev = ksspi_open();
	cred = dev < 0 ? dev : ksspi_acquire_credentials(dev, "local",
							 SECPKG_CRED_OUTBOUND,
							 NULL, NULL);
	if (cred < 0) {
		fprintf(stderr, "client: %s\n", strerror(-cred));
		return 1;
	}
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("client: connect");
		return 1;
	}
	for (;;) {
		out_len = sizeof(out);
		st = ksspi_initialize_security_context(cred, &ctx, target,
						       ISC_REQ_MUTUAL_AUTH |
						       ISC_REQ_CONNECTION,
						       in_len ? in : NULL,
						       in_len, out, &out_len,
						       &flags);
		if (st < 0)
			break;
		if (out_len && send_msg(s, out, out_len))
			return 1;
		if (st != SEC_I_CONTINUE_NEEDED)
			break;
		if (recv_msg(s, in, sizeof(in), &in_len))
			return 1;
	}
	if (st != SEC_E_OK) {
		printf("client: %s\n", ksspi_status_string(st));
		return 1;
	}
	ksspi_query_native_names(ctx, me, sizeof(me), server_name,
				 sizeof(server_name));
	printf("client %s: authenticated to %s (mutual %s)\n", me, server_name,
	       (flags & ISC_RET_MUTUAL_AUTH) ? "yes" : "no");
	if (send_msg(s, path, strlen(path)) ||
	    recv_msg(s, reply, sizeof(reply) - 1, &len))
		return 1;
	reply[len] = 0;
	printf("client %s: server answered \"%s\"\n", me, reply);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "server"))
		return server(atoi(argv[2]), argv[3],
			      argc > 4 ? atoi(argv[4]) : 1);
	if (argc == 5 && !strcmp(argv[1], "client"))
		return client(atoi(argv[2]), argv[3], argv[4]);
	fprintf(stderr, "usage: %s server PORT PRINCIPAL [COUNT]\n"
		"       %s client PORT TARGET FILE\n", argv[0], argv[0]);
	return 2;
}
