// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall - the request-key helper of the ksspi kernel module.
 *
 * /sbin/request-key runs it for keys of type "ksspi"
 * (/etc/request-key.d/ksspi.conf: "create ksspi * * ksspi-upcall %k").
 * It reads the request from the authorisation key; a worker child becomes
 * the requester (or, for in-kernel users, an unprivileged account once the
 * system keytab is in memory) and does one GSS-API step with MIT Kerberos;
 * the parent instantiates the key with the response -- as the client, when
 * an acceptor established a context (see worker.h).  Any failure of its own negates
 * the key (the kernel then reports SEC_E_NO_AUTHENTICATING_AUTHORITY);
 * Kerberos failures are answers, with their SECURITY_STATUS.
 *
 * Debug mode (no kernel): ksspi-upcall -D < request.b64 > response.bin
 * See ksspi-upcall(8).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <keyutils.h>
#include <krb5.h>
#include <linux/ksspi.h>

#include "ccache.h"
#include "config.h"
#include "debug.h"
#include "x509_debug.h"
#include "gss.h"
#include "log.h"
#include "privs.h"
#include "proto.h"
#include "status.h"
#include "worker.h"
#include "x509_wire.h"

#ifndef KSSPI_VERSION
#define KSSPI_VERSION "unknown"
#endif

/* Until the configuration says otherwise. */
#define DEFAULT_TIMEOUT		10
/* How long a negated key stays negative (each description is unique). */
#define NEGATE_TIMEOUT		1
#define SYSTEM_KEYTAB		"MEMORY:ksspi-system"

static volatile key_serial_t alarm_key;

/* The deadline: negate (the syscall is async-signal-safe) and go. */
static void on_alarm(int sig)
{
	static const char msg[] = "ksspi-upcall: deadline reached\n";

	(void)sig;
	kup_worker_kill();
	if (alarm_key > 0)
		syscall(__NR_keyctl, KEYCTL_NEGATE, alarm_key, NEGATE_TIMEOUT,
			KEY_REQKEY_DEFL_DEFAULT);
	else if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(3);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ksspi-upcall [-v] KEY_ID          (run by request-key)\n"
		"       ksspi-upcall -D [-v] [-c CONFIG] < REQUEST > RESPONSE\n"
		"       ksspi-upcall --make-request OP [OPTIONS]   (see ksspi-upcall(8))\n"
		"       ksspi-upcall --show-response [--extract ITEM] [FILE]\n"
		"       ksspi-upcall --x509-map [-c CONFIG] [--key KEY] CHAIN.pem\n"
		"       ksspi-upcall --version\n");
}

/*
 * The key must be ours: type "ksspi" (or the test type the request-key
 * configuration names) and description "ksspi;<id in hex>".
 */
static int check_key(key_serial_t key, const char *want_type, uint64_t *id)
{
	char *desc = NULL, *p, *type_end, *end;
	int i, ret = -1;

	if (keyctl_describe_alloc(key, &desc) < 0) {
		kup_log(LOG_ERR, "key %d: describe: %m", key);
		return -1;
	}
	type_end = strchr(desc, ';');
	p = desc;
	for (i = 0; i < 4 && p; i++) {
		p = strchr(p, ';');
		if (p)
			p++;
	}
	if (!type_end || !p) {
		kup_log(LOG_ERR, "key %d: odd description", key);
		goto out;
	}
	*type_end = '\0';
	if (strcmp(desc, want_type) || strncmp(p, "ksspi;", 6)) {
		kup_log(LOG_ERR, "key %d: not a ksspi key (%s)", key, desc);
		goto out;
	}
	errno = 0;
	*id = strtoull(p + 6, &end, 16);
	if (errno || *end || end == p + 6) {
		kup_log(LOG_ERR, "key %d: bad description '%s'", key, p);
		goto out;
	}
	ret = 0;
out:
	free(desc);
	return ret;
}

/* Read all of stdin (debug mode), at most @max bytes. */
static int read_all(int fd, char **out, size_t *len, size_t max)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	ssize_t r;

	if (!buf)
		return -1;
	for (;;) {
		if (n == cap) {
			char *nb;

			if (cap >= max)
				goto bad;
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb)
				goto bad;
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto bad;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
bad:
	free(buf);
	return -1;
}

/* Who to become: the requester, or for in-kernel users kernel_user. */
static int become(const struct kup_request *req, const struct kup_config *cfg,
		  char *err, size_t errlen)
{
	struct passwd *pw;
	gid_t *groups = NULL;
	size_t i;
	int ret;

	if (req->op == KSSPI_UPCALL_DONOR) {
		if (req->uid == 0 || req->gid == 0) {
			snprintf(err, errlen, "donor for uid/gid 0 refused");
			return -1;
		}
		return kup_drop_privs(req->uid, req->gid, NULL, 0, err,
				      errlen);
	}
	if (req->flags & KSSPI_UPCALL_F_KERNEL) {
		pw = getpwnam(cfg->kernel_user);
		if (!pw) {
			snprintf(err, errlen, "kernel_user %s: no such user",
				 cfg->kernel_user);
			return -1;
		}
		return kup_drop_privs(pw->pw_uid, pw->pw_gid, NULL, 0, err,
				      errlen);
	}
	if (req->ngroups) {
		groups = calloc(req->ngroups, sizeof(*groups));
		if (!groups) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		for (i = 0; i < req->ngroups; i++)
			groups[i] = req->groups[i];
	}
	ret = kup_drop_privs(req->uid, req->gid, groups, req->ngroups, err,
			     errlen);
	free(groups);
	return ret;
}

/* The response message for @req with @res. */
static int encode(const struct kup_request *req, const struct kup_result *res,
		  struct kup_msg *m)
{
	struct ksspi_upcall_response r = {
		.id = req->id,
		.status = res->status,
		.ret_flags = res->ret_flags,
		.gss_major = res->major,
		.gss_minor = (uint32_t)res->minor,
		.expiry = res->expiry,
		.uid = res->uid,
		.gid = res->gid,
		.level = res->level,
		.enctype = res->session_key ? res->enctype : 0,
	};
	uint32_t *groups = NULL;
	int i, ret;

	kup_msg_init(m, sizeof(r));
	if (res->ngroups) {
		groups = calloc((size_t)res->ngroups, sizeof(*groups));
		if (!groups)
			return -ENOMEM;
		for (i = 0; i < res->ngroups; i++)
			groups[i] = res->groups[i];
		kup_msg_item(m, KSSPI_UPCALL_GROUPS, groups,
			     (size_t)res->ngroups * 4);
		free(groups);
	}
#define STR(t, s) do { if (s) kup_msg_item(m, t, s, strlen(s)); } while (0)
#define BYTES(t, p, n) do { if (p && n) kup_msg_item(m, t, p, n); } while (0)
	BYTES(KSSPI_UPCALL_OUTPUT, res->output, res->output_len);
	BYTES(KSSPI_UPCALL_STATE, res->state, res->state_len);
	STR(KSSPI_UPCALL_CLIENT_NAME, res->client_name);
	STR(KSSPI_UPCALL_SERVER_NAME, res->server_name);
	STR(KSSPI_UPCALL_LOCAL_NAME, res->local_name);
	BYTES(KSSPI_UPCALL_SESSION_KEY, res->session_key,
	      res->session_key_len);
	BYTES(KSSPI_UPCALL_DELEGATED, res->delegated, res->delegated_len);
	if (req->flags & KSSPI_UPCALL_F_LUCID && res->has_lucid &&
	    res->status == SEC_E_OK)
		kup_msg_item(m, KSSPI_UPCALL_LUCID, &res->lucid,
			     sizeof(res->lucid));
	if (res->status == SEC_E_OK) {
		BYTES(KSSPI_UPCALL_X509_CERTS, res->x509_certs,
		      res->x509_certs_len);
		BYTES(KSSPI_UPCALL_X509_SIGNATURE, res->x509_sig,
		      res->x509_sig_len);
		if (res->x509_sig_alg)
			kup_msg_item(m, KSSPI_UPCALL_X509_SIG_ALG,
				     &res->x509_sig_alg, 4);
		if (res->x509_strength)
			kup_msg_item(m, KSSPI_UPCALL_X509_STRENGTH,
				     &res->x509_strength, 4);
	}
	if (res->message[0] && res->status != SEC_E_OK)
		STR(KSSPI_UPCALL_MESSAGE, res->message);
#undef STR
#undef BYTES
	if (m->failed)
		return -EMSGSIZE;
	memcpy(m->buf + sizeof(struct ksspi_upcall_header),
	       (uint8_t *)&r + sizeof(struct ksspi_upcall_header),
	       sizeof(r) - sizeof(struct ksspi_upcall_header));
	ret = kup_msg_finish(m, req->op, 0);
	return ret;
}

/* In the worker child: become the requester, do the work, encode. */
static int do_work(void *arg, struct kup_msg *msg)
{
	struct kup_work *w = arg;
	struct kup_result res;
	char err[256];
	int ret;

	if (become(w->req, w->cfg, err, sizeof(err))) {
		kup_log(LOG_ERR, "req=%llx: cannot drop privileges: %s",
			(unsigned long long)w->req->id, err);
		return -1;
	}
	if (kup_worker_guard())
		return -1;
	kup_result_init(&res);
	switch (w->req->op) {
	case KSSPI_UPCALL_ACQUIRE:
		kup_gss_acquire(w, &res);
		break;
	case KSSPI_UPCALL_INITIATE:
		kup_gss_initiate(w, &res);
		break;
	case KSSPI_UPCALL_ACCEPT:
		kup_gss_accept(w, &res);
		break;
	case KSSPI_UPCALL_X509_CHAIN:
		kup_x509_chain(w, &res);
		break;
	case KSSPI_UPCALL_X509_SIGN:
		kup_x509_sign(w, &res);
		break;
	case KSSPI_UPCALL_X509_ACCEPT:
		kup_x509_accept(w, &res);
		break;
	}
	/*
	 * "Not readable by you" is EACCES for AcquireCredentialsHandle; a
	 * leg (whose handle was acquired fine) just has no credentials.
	 */
	if (w->req->op != KSSPI_UPCALL_ACQUIRE &&
	    w->req->op != KSSPI_UPCALL_X509_CHAIN &&
	    res.status == SEC_E_NOT_OWNER)
		res.status = SEC_E_NO_CREDENTIALS;
	ret = encode(w->req, &res, msg);
	if (ret)
		kup_log(LOG_ERR, "req=%llx: response too large",
			(unsigned long long)w->req->id);
	kup_result_free(&res);
	return ret;
}

/*
 * Become the client an acceptor established (uid, gid, groups of the
 * response), so the module can keep this process's credentials as the
 * client's.  Only root can; a debug run as a user keeps its ids.
 */
static int become_client(const struct kup_response *r, char *err,
			 size_t errlen)
{
	const struct kup_bytes *g = &r->items[KSSPI_UPCALL_GROUPS];
	gid_t *groups = NULL;
	size_t i, n = g->len / 4;
	uint32_t v;
	int ret;

	if (geteuid() != 0)
		return 0;
	kup_log(LOG_DEBUG, "instantiating as the client: uid %u gid %u, %zu groups",
		r->hdr.uid, r->hdr.gid, n);
	if (n) {
		groups = calloc(n, sizeof(*groups));
		if (!groups) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		for (i = 0; i < n; i++) {
			memcpy(&v, g->data + 4 * i, 4);
			groups[i] = v;
		}
	}
	ret = kup_drop_privs(r->hdr.uid, r->hdr.gid, groups, n, err, errlen);
	free(groups);
	return ret;
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	       (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* The one line per request, from the response the key gets (or not). */
static void log_request(const struct kup_request *req,
			const struct kup_response *r, int failed,
			const struct timespec *t0)
{
	static const struct kup_bytes none = { (const uint8_t *)"-", 1 };
	const struct kup_bytes *client = &none, *local = &none, *msg = NULL;
	int32_t status = 0;

	if (r) {
		status = r->hdr.status;
		if (r->items[KSSPI_UPCALL_CLIENT_NAME].data)
			client = &r->items[KSSPI_UPCALL_CLIENT_NAME];
		if (r->items[KSSPI_UPCALL_LOCAL_NAME].data)
			local = &r->items[KSSPI_UPCALL_LOCAL_NAME];
		if (r->items[KSSPI_UPCALL_MESSAGE].data)
			msg = &r->items[KSSPI_UPCALL_MESSAGE];
	}
	kup_log(failed || status < 0 ? LOG_NOTICE : LOG_INFO,
		"req=%llx op=%s pkg=%s ctx=%llu leg=%u uid=%u%s status=%s(0x%08x) major=0x%x minor=%d client=%.*s local=%.*s %s ms=%ld%s%.*s",
		(unsigned long long)req->id, kup_op_name(req->op),
		kup_package_name(req->package_id),
		(unsigned long long)req->context_id, req->leg, req->uid,
		req->flags & KSSPI_UPCALL_F_KERNEL ? " kernel" : "",
		failed || !r ? "negated" : kup_status_name(status),
		(unsigned int)status, r ? r->hdr.gss_major : 0,
		r ? (int)r->hdr.gss_minor : 0, (int)client->len,
		(const char *)client->data, (int)local->len,
		(const char *)local->data, failed ? "failed" : "answered",
		elapsed_ms(t0), msg ? ": " : "", msg ? (int)msg->len : 0,
		msg ? (const char *)msg->data : "");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "debug", no_argument, NULL, 'D' },
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "test-key-type", required_argument, NULL, 'T' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct rlimit no_core = { 0, 0 };
	const char *config_path = KUP_CONFIG_PATH, *key_type = "ksspi";
	struct kup_request req = { 0 };
	struct kup_result res;
	struct kup_config cfg;
	struct kup_msg msg = { 0 };
	struct kup_work work = { 0 };
	struct kup_response resp;
	int have_resp = 0;
	struct timespec t0;
	krb5_context kctx = NULL;
	key_serial_t key = 0;
	char *text = NULL, err[256] = "", *end;
	uint8_t *bin = NULL;
	size_t textlen = 0, binlen = 0;
	uint64_t key_id = 0;
	int debug = 0, verbose = 0, opt, ret = 1, nkeys;
	long keyarg;
	krb5_error_code kret;

	if (argc > 1 && !strcmp(argv[1], "--make-request"))
		return kup_debug_make_request(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "--show-response"))
		return kup_debug_show_response(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "--x509-map"))
		return kx509_debug_map(argc - 1, argv + 1);
	if (argc > 2 && !strcmp(argv[1], "-D") && !strcmp(argv[2], "--x509-map"))
		return kx509_debug_map(argc - 2, argv + 2);

	kup_result_init(&res);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((opt = getopt_long(argc, argv, "Dc:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'D':
			debug = 1;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'T':
			key_type = optarg;
			break;
		case 'V':
			printf("ksspi-upcall %s\n", KSSPI_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (debug ? optind != argc : optind + 1 != argc) {
		usage(stderr);
		return 2;
	}

	/*
	 * Nothing of whoever started us: environment, umask, signals.  No
	 * core dump and no ptrace (keys and tickets are in memory).
	 */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setrlimit(RLIMIT_CORE, &no_core);
	clearenv();
	setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
	umask(077);
	signal(SIGPIPE, SIG_IGN);
	kup_log_open(debug || isatty(STDERR_FILENO), verbose);

	if (!debug) {
		errno = 0;
		keyarg = strtol(argv[optind], &end, 10);
		if (errno || *end || keyarg <= 0 || keyarg > INT32_MAX) {
			kup_log(LOG_ERR, "bad key id '%s'", argv[optind]);
			return 2;
		}
		key = (key_serial_t)keyarg;
		alarm_key = key;
	}
	signal(SIGALRM, on_alarm);
	alarm(DEFAULT_TIMEOUT);

	/* The request. */
	if (debug) {
		if (read_all(STDIN_FILENO, &text, &textlen,
			     KSSPI_UPCALL_MAX * 2)) {
			kup_log(LOG_ERR, "cannot read the request from stdin");
			goto out;
		}
		while (textlen && (text[textlen - 1] == '\n' ||
				   text[textlen - 1] == '\r'))
			text[--textlen] = '\0';
	} else {
		long n;
		void *p = NULL;

		if (keyctl_assume_authority(key) < 0)
			kup_log(LOG_DEBUG, "key %d: assume authority: %m", key);
		if (check_key(key, key_type, &key_id))
			goto out;
		n = keyctl_read_alloc(KEY_SPEC_REQKEY_AUTH_KEY, &p);
		if (n < 0) {
			kup_log(LOG_ERR, "key %d: cannot read the request: %m",
				key);
			goto out;
		}
		text = p;
		textlen = (size_t)n;
		if (textlen > KSSPI_UPCALL_MAX * 2) {
			kup_log(LOG_ERR, "key %d: request too long", key);
			goto out;
		}
	}
	if (kup_base64_decode(text, textlen, &bin, &binlen)) {
		kup_log(LOG_ERR, "key %d: request is not base64", key);
		goto out;
	}
	if (kup_request_decode(bin, binlen, &req, err, sizeof(err))) {
		kup_log(LOG_ERR, "key %d: bad request: %s", key, err);
		goto out;
	}
	if (!debug && req.id != key_id) {
		kup_log(LOG_ERR, "key %d: request id %llx is not the key's %llx",
			key, (unsigned long long)req.id,
			(unsigned long long)key_id);
		goto out;
	}

	/* The configuration, then the real deadline. */
	if (kup_config_load(config_path, debug ? getuid() : 0, &cfg, err,
			    sizeof(err))) {
		kup_log(LOG_ERR, "req=%llx: configuration: %s",
			(unsigned long long)req.id, err);
		goto out;
	}
	alarm(cfg.timeout);
	if (cfg.debug)
		kup_log_verbose(1);
	if (cfg.krb5_config[0])
		setenv("KRB5_CONFIG", cfg.krb5_config, 1);

	/* While still root: the system keytab of in-kernel users. */
	kret = krb5_init_context(&kctx);
	if (kret) {
		kup_log(LOG_ERR, "req=%llx: krb5_init_context: error %d",
			(unsigned long long)req.id, (int)kret);
		goto out;
	}
	if (req.flags & KSSPI_UPCALL_F_KERNEL &&
	    req.op != KSSPI_UPCALL_DONOR) {
		kret = kup_keytab_to_memory(kctx, cfg.keytab, SYSTEM_KEYTAB,
					    &nkeys);
		if (kret) {
			kup_log(LOG_WARNING, "req=%llx: system keytab %s: %s",
				(unsigned long long)req.id,
				cfg.keytab[0] ? cfg.keytab : "(default)",
				krb5_get_error_message(kctx, kret));
		} else {
			work.system_keytab = SYSTEM_KEYTAB;
		}
	}

	/*
	 * The work runs in a child that becomes the requester for good; the
	 * donor is instantiated by the donor identity itself.
	 */
	work.req = &req;
	work.cfg = &cfg;
	work.kctx = kctx;
	if (req.op == KSSPI_UPCALL_DONOR) {
		if (become(&req, &cfg, err, sizeof(err))) {
			kup_log(LOG_ERR, "req=%llx: cannot drop privileges: %s",
				(unsigned long long)req.id, err);
			goto out;
		}
		res.status = SEC_E_OK;
		if (encode(&req, &res, &msg))
			goto out;
	} else if (kup_worker_run(do_work, &work, &msg, err, sizeof(err))) {
		kup_log(LOG_ERR, "req=%llx: %s", (unsigned long long)req.id,
			err);
		goto out;
	}
	if (kup_response_decode(msg.buf, msg.len, &resp, err, sizeof(err)) ||
	    resp.hdr.id != req.id || resp.hdr.hdr.op != req.op) {
		kup_log(LOG_ERR, "req=%llx: bad response from the worker: %s",
			(unsigned long long)req.id, err);
		goto out;
	}
	have_resp = 1;
	/* An established acceptor's key is instantiated by its client. */
	if ((req.op == KSSPI_UPCALL_ACCEPT ||
	     req.op == KSSPI_UPCALL_X509_ACCEPT) &&
	    resp.hdr.status == SEC_E_OK &&
	    resp.hdr.uid != (uint32_t)-1 && become_client(&resp, err,
							  sizeof(err))) {
		kup_log(LOG_ERR, "req=%llx: cannot become the client: %s",
			(unsigned long long)req.id, err);
		goto out;
	}

	if (debug) {
		if (isatty(STDOUT_FILENO)) {
			ret = kup_debug_print_response(stdout, msg.buf,
						       msg.len);
		} else if (fwrite(msg.buf, 1, msg.len, stdout) != msg.len ||
			   fflush(stdout)) {
			kup_log(LOG_ERR, "cannot write the response");
			goto out;
		}
	} else if (keyctl_instantiate(key, msg.buf, msg.len, 0) < 0) {
		kup_log(LOG_ERR, "req=%llx: instantiate key %d: %m",
			(unsigned long long)req.id, key);
		goto out;
	}
	ret = 0;
out:
	alarm(0);
	kup_worker_kill();
	if (ret && key > 0)
		keyctl_negate(key, NEGATE_TIMEOUT, KEY_REQKEY_DEFL_DEFAULT);
	if (req.op)
		log_request(&req, have_resp ? &resp : NULL, ret, &t0);
	kup_msg_free(&msg);
	kup_result_free(&res);
	kup_request_free(&req);
	if (kctx)
		krb5_free_context(kctx);
	free(bin);
	free(text);
	return ret;
}
