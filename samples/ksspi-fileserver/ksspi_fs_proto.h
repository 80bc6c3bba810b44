/* SPDX-License-Identifier: (GPL-2.0 OR LGPL-2.1-or-later) */
/*
 * The wire protocol of the sample in-kernel file server (ksspi_fileserver.ko)
 * and its client (ksspi-fsclient): shared by both sides.
 *
 * Every message is a frame: a 32-bit big-endian body length (1 ..
 * KSSPI_FS_MSG_MAX) and the body, whose first byte is the operation.
 *
 * Handshake: the client sends KSSPI_FS_AUTH {op, package, token...}; the
 * server answers KSSPI_FS_AUTH_REPLY {op, be32 status, token...} with the
 * SECURITY_STATUS of its AcceptSecurityContext leg; legs go on while the
 * status is SEC_I_CONTINUE_NEEDED.  Any other status than SEC_E_OK or
 * SEC_I_CONTINUE_NEEDED ends the connection after the reply.
 *
 * Requests (only after SEC_E_OK): {op, arguments}; the server answers
 * KSSPI_FS_REPLY {op, be32 errno (0: success), data...}.  Paths are
 * absolute, without a NUL, at most KSSPI_FS_PATH_MAX bytes.
 *   READ   {op, be32 offset, be32 length, path}  -> the bytes read
 *   LIST   {op, path}                            -> names, each ending in '\n'
 *   WRITE  {op, be16 path length, path, data}    -> nothing (creates or
 *          truncates the file, mode 0640)
 *   WHOAMI {op}                                  -> be32 fsuid, be32 fsgid
 *          while impersonating, then the peer's name
 *
 * A malformed frame (bad length, unknown operation, a request before the
 * handshake) closes the connection.  No message protection: the frames are
 * plain (see README.md).
 */
#ifndef KSSPI_FS_PROTO_H
#define KSSPI_FS_PROTO_H

#define KSSPI_FS_PORT		4445
#define KSSPI_FS_TOKEN_MAX	65536
#define KSSPI_FS_DATA_MAX	65536
#define KSSPI_FS_PATH_MAX	1024
/* The largest body: an AUTH with the largest token, or a WRITE. */
#define KSSPI_FS_MSG_MAX	(3 + KSSPI_FS_PATH_MAX + KSSPI_FS_DATA_MAX)
#define KSSPI_FS_MAX_LEGS	8

enum {
	KSSPI_FS_AUTH		= 1,
	KSSPI_FS_AUTH_REPLY	= 2,
	KSSPI_FS_READ		= 16,
	KSSPI_FS_LIST		= 17,
	KSSPI_FS_WRITE		= 18,
	KSSPI_FS_WHOAMI		= 19,
	KSSPI_FS_REPLY		= 0x80,
};

/* The package byte of the first AUTH. */
enum {
	KSSPI_FS_PKG_NEGOTIATE	= 1,
	KSSPI_FS_PKG_KERBEROS	= 2,
	KSSPI_FS_PKG_LOCAL	= 3,
};

/* The local package's acceptor principal: the server runs as root. */
#define KSSPI_FS_LOCAL_PRINCIPAL	"fileserver/uid:0"

#endif /* KSSPI_FS_PROTO_H */
