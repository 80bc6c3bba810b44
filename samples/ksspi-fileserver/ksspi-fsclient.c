// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ksspi-fsclient: the user-space client of the sample in-kernel file
 * server (samples/ksspi-fileserver).  See ksspi-fsclient(1) in README.md.
 *
 *   ksspi-fsclient [-H addr] [-p port] [-P package] [-t target]
 *                  [-c ccache] COMMAND [ARGS]
 *   whoami | read PATH | list PATH | write PATH (data from stdin) |
 *   bench N PATH (N small reads on one connection, prints requests/s)
 *
 * Exit status: 0 success; 1 the server refused the request (its errno is
 * printed); 2 authentication failed; 3 transport or usage error.
 */
#include <stdio.h>
#include <time.h>

#include "fsclient.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: ksspi-fsclient [-H addr] [-p port] [-P negotiate|kerberos|local]\n"
		"                      [-t target] [-c ccache] whoami | read PATH | list PATH |\n"
		"                      write PATH < data | bench N PATH\n");
	exit(3);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int refused(const char *what, int err)
{
	if (err < 0) {
		fprintf(stderr, "ksspi-fsclient: %s: %s\n", what, strerror(errno));
		return 3;
	}
	fprintf(stderr, "ksspi-fsclient: %s: %s\n", what, strerror(err));
	return 1;
}

int main(int argc, char **argv)
{
	const char *host = "127.0.0.1", *package = "negotiate", *target = NULL;
	const char *ccache = NULL, *cmd;
	unsigned short port = KSSPI_FS_PORT;
	static char buf[KSSPI_FS_DATA_MAX + KSSPI_FS_PATH_MAX];
	int dev, cred, fd, opt, err;
	uint32_t uid, gid;
	size_t n;
	int32_t st;

	while ((opt = getopt(argc, argv, "H:p:P:t:c:")) != -1) {
		switch (opt) {
		case 'H': host = optarg; break;
		case 'p': port = (unsigned short)atoi(optarg); break;
		case 'P': package = optarg; break;
		case 't': target = optarg; break;
		case 'c': ccache = optarg; break;
		default: usage();
		}
	}
	if (optind >= argc || !fsc_package(package))
		usage();
	cmd = argv[optind];
	if (!target)
		target = strcmp(package, "local") ? NULL :
			 KSSPI_FS_LOCAL_PRINCIPAL;
	if (!target) {
		fprintf(stderr, "ksspi-fsclient: -t TARGET is needed for %s (e.g. host/server.example)\n",
			package);
		return 3;
	}

	dev = ksspi_open();
	if (dev < 0) {
		perror("ksspi-fsclient: /dev/ksspi");
		return 3;
	}
	cred = ccache ? ksspi_acquire_credentials_from(dev, package,
						       SECPKG_CRED_OUTBOUND,
						       NULL, ccache, NULL, NULL) :
			ksspi_acquire_credentials(dev, package,
						  SECPKG_CRED_OUTBOUND, NULL,
						  NULL);
	if (cred < 0) {
		fprintf(stderr, "ksspi-fsclient: credentials: %s\n",
			strerror(-cred));
		return 2;
	}
	fd = fsc_connect(host, port);
	if (fd < 0) {
		perror("ksspi-fsclient: connect");
		return 3;
	}
	st = fsc_handshake(fd, cred, package, target);
	if (st != SEC_E_OK) {
		fprintf(stderr, "ksspi-fsclient: authentication: %s%s%s\n",
			ksspi_status_string(st),
			st == SEC_E_INTERNAL_ERROR ? ": " : "",
			st == SEC_E_INTERNAL_ERROR ? strerror(errno) : "");
		return 2;
	}

	if (!strcmp(cmd, "whoami")) {
		err = fsc_whoami(fd, &uid, &gid, buf, sizeof(buf));
		if (err)
			return refused("whoami", err);
		printf("%s uid=%u gid=%u\n", buf, uid, gid);
	} else if (!strcmp(cmd, "read") && optind + 1 < argc) {
		uint32_t off = 0;

		do {
			err = fsc_read(fd, argv[optind + 1], off, 65536, buf,
				       sizeof(buf), &n);
			if (err)
				return refused(argv[optind + 1], err);
			fwrite(buf, 1, n, stdout);
			off += n;
		} while (n);
	} else if (!strcmp(cmd, "list") && optind + 1 < argc) {
		err = fsc_list(fd, argv[optind + 1], buf, sizeof(buf), &n);
		if (err)
			return refused(argv[optind + 1], err);
		fwrite(buf, 1, n, stdout);
	} else if (!strcmp(cmd, "write") && optind + 1 < argc) {
		n = fread(buf, 1, KSSPI_FS_DATA_MAX, stdin);
		err = fsc_write(fd, argv[optind + 1], buf, n);
		if (err)
			return refused(argv[optind + 1], err);
	} else if (!strcmp(cmd, "bench") && optind + 2 < argc) {
		long i, count = atol(argv[optind + 1]);
		double t0 = now(), t;

		for (i = 0; i < count; i++) {
			err = fsc_read(fd, argv[optind + 2], 0, 64, buf,
				       sizeof(buf), &n);
			if (err)
				return refused(argv[optind + 2], err);
		}
		t = now() - t0;
		printf("%ld requests in %.3f s: %.0f requests/s\n", count, t,
		       count / t);
	} else {
		usage();
	}
	close(fd);
	close(cred);
	close(dev);
	return 0;
}
