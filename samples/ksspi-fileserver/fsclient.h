/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The client side of the sample file server's protocol (ksspi_fs_proto.h)
 * over libksspi: used by ksspi-fsclient and by the selftests.
 *
 * Functions return 0 or a positive errno the server sent back for a
 * request; -1 is a transport or protocol failure (errno set).
 */
#ifndef KSSPI_FSCLIENT_H
#define KSSPI_FSCLIENT_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "libksspi.h"
#include "ksspi_fs_proto.h"

static inline int fsc_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static inline int fsc_read_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			errno = ECONNRESET;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* One frame, in one send() when it is small (no Nagle wait either way). */
static inline int fsc_send(int fd, const void *body, uint32_t len)
{
	uint32_t hdr = htonl(len);
	uint8_t small[4 + 1024];

	if (len <= sizeof(small) - 4) {
		memcpy(small, &hdr, 4);
		memcpy(small + 4, body, len);
		return fsc_write_all(fd, small, 4 + len);
	}
	if (fsc_write_all(fd, &hdr, sizeof(hdr)))
		return -1;
	return fsc_write_all(fd, body, len);
}

/* Receives one frame into @buf (@size bytes); returns its length or -1. */
static inline int fsc_recv(int fd, uint8_t *buf, size_t size)
{
	uint32_t hdr, len;

	if (fsc_read_all(fd, &hdr, sizeof(hdr)))
		return -1;
	len = ntohl(hdr);
	if (!len || len > size) {
		errno = EBADMSG;
		return -1;
	}
	if (fsc_read_all(fd, buf, len))
		return -1;
	return (int)len;
}

/* A TCP connection to @host:@port (host: a dotted IPv4 address). */
static inline int fsc_connect(const char *host, unsigned short port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	int fd, one = 1;

	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static inline uint8_t fsc_package(const char *name)
{
	if (!strcmp(name, "negotiate"))
		return KSSPI_FS_PKG_NEGOTIATE;
	if (!strcmp(name, "kerberos"))
		return KSSPI_FS_PKG_KERBEROS;
	if (!strcmp(name, "local"))
		return KSSPI_FS_PKG_LOCAL;
	return 0;
}

/*
 * The handshake on connected @fd as the holder of outbound credentials
 * @cred of @package, towards @target.  Returns SEC_E_OK, the server's or
 * the client's failing SECURITY_STATUS, or SEC_E_INTERNAL_ERROR on a
 * transport or protocol failure (errno set).
 */
static inline int32_t fsc_handshake(int fd, int cred, const char *package,
				    const char *target)
{
	uint8_t pkg = fsc_package(package);
	uint8_t *msg = malloc(2 + KSSPI_FS_TOKEN_MAX);
	uint8_t *rep = malloc(5 + KSSPI_FS_TOKEN_MAX);
	const uint8_t *in = NULL;
	size_t in_len = 0, out_len;
	int32_t st, s, ret = SEC_E_INTERNAL_ERROR;
	bool server_ok = false;
	uint32_t flags;
	int ctx = -1, legs, n;

	if (!msg || !rep || !pkg)
		goto out;
	msg[0] = KSSPI_FS_AUTH;
	msg[1] = pkg;
	for (legs = 0; legs < KSSPI_FS_MAX_LEGS; legs++) {
		out_len = KSSPI_FS_TOKEN_MAX;
		st = ksspi_initialize_security_context(cred, &ctx, target,
						       ISC_REQ_MUTUAL_AUTH |
						       ISC_REQ_CONNECTION,
						       in, in_len, msg + 2,
						       &out_len, &flags);
		if (st != SEC_E_OK && st != SEC_I_CONTINUE_NEEDED) {
			ret = st;
			goto out;
		}
		if (!out_len) {
			if (st == SEC_E_OK && server_ok)
				ret = SEC_E_OK;
			else
				errno = EPROTO;
			goto out;
		}
		if (server_ok) {
			errno = EPROTO;
			goto out;
		}
		if (fsc_send(fd, msg, 2 + out_len))
			goto out;
		n = fsc_recv(fd, rep, 5 + KSSPI_FS_TOKEN_MAX);
		if (n < 5 || rep[0] != KSSPI_FS_AUTH_REPLY) {
			if (n >= 0)
				errno = EBADMSG;
			goto out;
		}
		s = (int32_t)ntohl(*(uint32_t *)(rep + 1));
		if (s != SEC_E_OK && s != SEC_I_CONTINUE_NEEDED) {
			ret = s;
			goto out;
		}
		server_ok = s == SEC_E_OK;
		if (st == SEC_E_OK) {
			if (server_ok && n == 5)
				ret = SEC_E_OK;
			else
				errno = EPROTO;
			goto out;
		}
		in = rep + 5;
		in_len = n - 5;
	}
	errno = EPROTO;
out:
	if (ctx >= 0)
		close(ctx);
	free(msg);
	free(rep);
	return ret;
}

/*
 * One request: @body (@len bytes) out, the reply's data into @data (at
 * most @size bytes, *@data_len set).  Returns the server's errno (0 for
 * success), or -1.
 */
static inline int fsc_request(int fd, const void *body, uint32_t len,
			      void *data, size_t size, size_t *data_len)
{
	uint8_t *rep = malloc(5 + KSSPI_FS_DATA_MAX + KSSPI_FS_PATH_MAX);
	int n, err = -1;

	if (!rep)
		return -1;
	if (fsc_send(fd, body, len))
		goto out;
	n = fsc_recv(fd, rep, 5 + KSSPI_FS_DATA_MAX + KSSPI_FS_PATH_MAX);
	if (n < 0)
		goto out;
	if (n < 5 || rep[0] != KSSPI_FS_REPLY || (size_t)(n - 5) > size) {
		errno = EBADMSG;
		goto out;
	}
	err = (int)ntohl(*(uint32_t *)(rep + 1));
	if (data_len)
		*data_len = n - 5;
	if (data && n > 5)
		memcpy(data, rep + 5, n - 5);
out:
	free(rep);
	return err;
}

static inline int fsc_read(int fd, const char *path, uint32_t offset,
			   uint32_t count, void *buf, size_t size,
			   size_t *got)
{
	size_t plen = strlen(path);
	uint8_t body[9 + KSSPI_FS_PATH_MAX];
	uint32_t v;

	if (plen > KSSPI_FS_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	body[0] = KSSPI_FS_READ;
	v = htonl(offset);
	memcpy(body + 1, &v, 4);
	v = htonl(count);
	memcpy(body + 5, &v, 4);
	memcpy(body + 9, path, plen);
	return fsc_request(fd, body, 9 + plen, buf, size, got);
}

static inline int fsc_list(int fd, const char *path, char *buf, size_t size,
			   size_t *got)
{
	size_t plen = strlen(path);
	uint8_t body[1 + KSSPI_FS_PATH_MAX];

	if (plen > KSSPI_FS_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	body[0] = KSSPI_FS_LIST;
	memcpy(body + 1, path, plen);
	return fsc_request(fd, body, 1 + plen, buf, size, got);
}

static inline int fsc_write(int fd, const char *path, const void *data,
			    size_t len)
{
	size_t plen = strlen(path);
	uint8_t *body;
	uint16_t v;
	int ret;

	if (plen > KSSPI_FS_PATH_MAX || len > KSSPI_FS_DATA_MAX) {
		errno = E2BIG;
		return -1;
	}
	body = malloc(3 + plen + len);
	if (!body)
		return -1;
	body[0] = KSSPI_FS_WRITE;
	v = htons(plen);
	memcpy(body + 1, &v, 2);
	memcpy(body + 3, path, plen);
	if (len)
		memcpy(body + 3 + plen, data, len);
	ret = fsc_request(fd, body, 3 + plen + len, NULL, 0, NULL);
	free(body);
	return ret;
}

/* fsuid/fsgid the server ran the request as, and the peer's name. */
static inline int fsc_whoami(int fd, uint32_t *uid, uint32_t *gid,
			     char *name, size_t size)
{
	uint8_t op = KSSPI_FS_WHOAMI, rep[8 + KSSPI_FS_PATH_MAX];
	size_t n = 0;
	int ret;

	ret = fsc_request(fd, &op, 1, rep, sizeof(rep), &n);
	if (ret)
		return ret;
	if (n < 8) {
		errno = EBADMSG;
		return -1;
	}
	*uid = ntohl(*(uint32_t *)rep);
	*gid = ntohl(*(uint32_t *)(rep + 4));
	if (name && size) {
		n -= 8;
		if (n >= size)
			n = size - 1;
		memcpy(name, rep + 8, n);
		name[n] = 0;
	}
	return 0;
}

#endif /* KSSPI_FSCLIENT_H */
