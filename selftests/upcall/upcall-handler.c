// SPDX-License-Identifier: GPL-2.0
/*
 * upcall-handler: a scripted stand-in for ksspi-upcall, for upcall_test.
 *
 *   create ksspi * * /path/to/upcall-handler %k LOGDIR
 *
 * in /etc/request-key.d/.  It reads the request like the real helper (the
 * callout information of the authorisation key, base64), then does what
 * the request's TARGET item says: "MODE" or "MODE:TAG".  It logs one line
 * per step to LOGDIR/TAG.log (TAG defaults to the request id); the last
 * line of a run that returns is "done ...".
 *
 * Modes: ok, negate, reject (EACCES), crash, exit (without answering),
 * hang, hang-group (leads a process group with a child), hang-session
 * (leads a session with a child), late (a child in its own session answers
 * after the parent is killed), wrong-id, root, probe (logs the key's permissions,
 * answers, then tries to read the key), malformed-KIND (see corrupt()).
 * A donor request (no target) is answered as donor() says.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <keyutils.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/ksspi.h>
#include <linux/ksspi_upcall.h>

#define ALIGN8(x)	(((x) + 7u) & ~7u)
#define OUT_MAX		(KSSPI_UPCALL_MAX + 4096)

static int logfd = -1;
static key_serial_t key;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void logf_(const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (logfd >= 0 && write(logfd, line, n) < 0)
		_exit(99);
}

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* RFC 4648 with padding; returns the length or -1. */
static long b64decode(const char *s, size_t len, uint8_t *out)
{
	uint32_t acc = 0;
	size_t i, pad = 0;
	long n = 0;
	int bits = 0;

	if (len % 4)
		return -1;
	for (i = 0; i < len; i++) {
		int v;

		if (s[i] == '=') {
			pad++;
			continue;
		}
		if (pad)
			return -1;
		v = b64val(s[i]);
		if (v < 0)
			return -1;
		acc = acc << 6 | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = acc >> bits;
		}
	}
	return pad > 2 ? -1 : n;
}

struct request {
	struct ksspi_upcall_request hdr;
	const uint8_t *item[32];
	uint32_t len[32];
};

static int parse_request(const uint8_t *buf, size_t size, struct request *r)
{
	size_t off = sizeof(r->hdr);

	if (size < sizeof(r->hdr))
		return -1;
	memcpy(&r->hdr, buf, sizeof(r->hdr));
	if (r->hdr.hdr.magic != KSSPI_UPCALL_MAGIC ||
	    r->hdr.hdr.version != KSSPI_UPCALL_VERSION ||
	    r->hdr.hdr.size != size || size % KSSPI_UPCALL_ALIGN)
		return -1;
	while (off < size) {
		struct ksspi_upcall_item it;
		unsigned int t;

		if (size - off < sizeof(it))
			return -1;
		memcpy(&it, buf + off, sizeof(it));
		off += sizeof(it);
		t = it.type & ~KSSPI_UPCALL_ITEM_OPTIONAL;
		if (t >= 32 || r->item[t] || it.flags ||
		    ALIGN8(it.len) > size - off)
			return -1;
		r->item[t] = buf + off;
		r->len[t] = it.len;
		off += ALIGN8(it.len);
	}
	return 0;
}

/* A response under construction. */
struct response {
	uint8_t buf[OUT_MAX];
	size_t len;
};

static struct ksspi_upcall_response *rhdr(struct response *o)
{
	return (struct ksspi_upcall_response *)o->buf;
}

static void add_item(struct response *o, uint16_t type, const void *data,
		     uint32_t len)
{
	struct ksspi_upcall_item it = { .type = type, .len = len };

	if (o->len + sizeof(it) + ALIGN8(len) > sizeof(o->buf))
		exit(98);
	memcpy(o->buf + o->len, &it, sizeof(it));
	o->len += sizeof(it);
	memcpy(o->buf + o->len, data, len);
	memset(o->buf + o->len + len, 0, ALIGN8(len) - len);
	o->len += ALIGN8(len);
	rhdr(o)->hdr.size = o->len;
}

static void add_string(struct response *o, uint16_t type, const char *s)
{
	add_item(o, type, s, strlen(s));
}

/* A valid answer to @r, as a real helper would give it. */
static void build_ok(const struct request *r, struct response *o)
{
	struct ksspi_upcall_response *h = rhdr(o);
	static const uint8_t token[] = "output-token";
	static const uint8_t state[] = { 1, 2, 3, 4, 5 };

	memset(o, 0, sizeof(*o));
	o->len = sizeof(*h);
	h->hdr.magic = KSSPI_UPCALL_MAGIC;
	h->hdr.version = KSSPI_UPCALL_VERSION;
	h->hdr.op = r->hdr.hdr.op;
	h->hdr.size = o->len;
	h->id = r->hdr.id;
	h->uid = (uint32_t)-1;
	h->gid = (uint32_t)-1;
	h->expiry = r->hdr.now + 3600;
	h->gss_major = 0;
	h->gss_minor = 0;

	switch (r->hdr.hdr.op) {
	case KSSPI_UPCALL_ACCEPT: {
		static const uint32_t groups[] = { 2100, 2001 };
		static const uint8_t skey[16] = { 0xaa, 0xbb };

		h->status = SEC_E_OK;
		h->ret_flags = 0x2;
		h->uid = 2001;
		h->gid = 2001;
		h->level = SECURITY_IMPERSONATION;
		h->enctype = 17;
		add_item(o, KSSPI_UPCALL_OUTPUT, token, sizeof(token) - 1);
		add_string(o, KSSPI_UPCALL_CLIENT_NAME, "alice@KSSPI.TEST");
		add_string(o, KSSPI_UPCALL_SERVER_NAME,
			   "host/ksspi-vm.ksspi.test@KSSPI.TEST");
		add_string(o, KSSPI_UPCALL_LOCAL_NAME, "alice");
		add_item(o, KSSPI_UPCALL_GROUPS, groups, sizeof(groups));
		add_item(o, KSSPI_UPCALL_SESSION_KEY, skey, sizeof(skey));
		if (r->hdr.hdr.flags & KSSPI_UPCALL_F_LUCID) {
			struct ksspi_upcall_lucid l = {
				.protocol = 1,
				.flags = KSSPI_UPCALL_LUCID_ACCEPTOR_SUBKEY,
				.send_seq = 5,
				.recv_seq = 7,
			};

			add_item(o, KSSPI_UPCALL_LUCID, &l, sizeof(l));
		}
		break;
	}
	case KSSPI_UPCALL_INITIATE:
		h->status = SEC_I_CONTINUE_NEEDED;
		add_item(o, KSSPI_UPCALL_OUTPUT, token, sizeof(token) - 1);
		add_item(o, KSSPI_UPCALL_STATE, state, sizeof(state));
		break;
	case KSSPI_UPCALL_DONOR:
		h->status = SEC_E_OK;
		h->expiry = 0;
		break;
	default:
		h->status = SEC_E_OK;
		add_string(o, KSSPI_UPCALL_CLIENT_NAME, "alice@KSSPI.TEST");
		break;
	}
}

/* Finds item @type in a built response; returns its header offset or 0. */
static size_t find_item(struct response *o, uint16_t type)
{
	size_t off = sizeof(struct ksspi_upcall_response);

	while (off < o->len) {
		struct ksspi_upcall_item it;

		memcpy(&it, o->buf + off, sizeof(it));
		if (it.type == type)
			return off;
		off += sizeof(it) + ALIGN8(it.len);
	}
	return 0;
}

/* Removes item @type from a built response. */
static void drop_item(struct response *o, uint16_t type)
{
	size_t off = find_item(o, type), n;
	struct ksspi_upcall_item it;

	if (!off)
		return;
	memcpy(&it, o->buf + off, sizeof(it));
	n = sizeof(it) + ALIGN8(it.len);
	memmove(o->buf + off, o->buf + off + n, o->len - off - n);
	o->len -= n;
	rhdr(o)->hdr.size = o->len;
}

/* Spoils a valid answer the way @kind says; returns -1 for an unknown kind. */
static int corrupt(struct response *o, const char *kind)
{
	struct ksspi_upcall_response *h = rhdr(o);
	size_t off = find_item(o, KSSPI_UPCALL_CLIENT_NAME);
	struct ksspi_upcall_item *it = off ?
		(struct ksspi_upcall_item *)(o->buf + off) : NULL;
	uint8_t *data = off ? o->buf + off + sizeof(*it) : NULL;
	static uint8_t big[KSSPI_UPCALL_MAX];

	if (!strcmp(kind, "short")) {
		o->len = sizeof(*h) - 8;
	} else if (!strcmp(kind, "empty-payload")) {
		o->len = 1;
		o->buf[0] = 0;
	} else if (!strcmp(kind, "magic")) {
		h->hdr.magic ^= 1;
	} else if (!strcmp(kind, "version")) {
		h->hdr.version = 2;
	} else if (!strcmp(kind, "op")) {
		h->hdr.op = h->hdr.op == KSSPI_UPCALL_ACCEPT ?
			    KSSPI_UPCALL_INITIATE : KSSPI_UPCALL_ACCEPT;
	} else if (!strcmp(kind, "size")) {
		h->hdr.size += 8;
	} else if (!strcmp(kind, "hdr-flags")) {
		h->hdr.flags = 1;
	} else if (!strcmp(kind, "status")) {
		h->status = 0x00012345;
	} else if (!strcmp(kind, "expiry")) {
		h->expiry = -5;
	} else if (!strcmp(kind, "level")) {
		h->level = SECURITY_DELEGATION + 1;
	} else if (!strcmp(kind, "unaligned")) {
		memset(o->buf + o->len, 0, 4);
		o->len += 4;
		h->hdr.size = o->len;
	} else if (!strcmp(kind, "trailing")) {
		memset(o->buf + o->len, 0, 8);
		o->len += 8;
		h->hdr.size = o->len;
	} else if (!strcmp(kind, "overrun") && it) {
		it->len = o->len;
	} else if (!strcmp(kind, "padding")) {
		off = find_item(o, KSSPI_UPCALL_LOCAL_NAME);
		if (!off)
			return -1;
		it = (struct ksspi_upcall_item *)(o->buf + off);
		if (ALIGN8(it->len) == it->len)
			return -1;
		o->buf[off + sizeof(*it) + it->len] = 'x';
	} else if (!strcmp(kind, "unknown-item")) {
		add_string(o, 30, "x");
	} else if (!strcmp(kind, "request-item")) {
		add_string(o, KSSPI_UPCALL_TARGET, "x");
	} else if (!strcmp(kind, "optional-item")) {
		add_string(o, KSSPI_UPCALL_MESSAGE | KSSPI_UPCALL_ITEM_OPTIONAL,
			   "x");
	} else if (!strcmp(kind, "duplicate")) {
		add_string(o, KSSPI_UPCALL_CLIENT_NAME, "bob@KSSPI.TEST");
	} else if (!strcmp(kind, "item-flags") && it) {
		it->flags = 1;
	} else if (!strcmp(kind, "empty-item")) {
		add_item(o, KSSPI_UPCALL_MESSAGE, "", 0);
	} else if (!strcmp(kind, "control") && it) {
		data[3] = '\n';
	} else if (!strcmp(kind, "nul") && it) {
		data[3] = 0;
	} else if (!strcmp(kind, "long-name")) {
		memset(big, 'a', KSSPI_NAME_MAX + 1);
		add_item(o, KSSPI_UPCALL_MESSAGE, big, KSSPI_NAME_MAX + 1);
	} else if (!strcmp(kind, "long-state")) {
		add_item(o, KSSPI_UPCALL_STATE, big, KSSPI_UPCALL_STATE_MAX + 1);
	} else if (!strcmp(kind, "long-key")) {
		drop_item(o, KSSPI_UPCALL_SESSION_KEY);
		h->enctype = 18;
		add_item(o, KSSPI_UPCALL_SESSION_KEY, big,
			 KSSPI_UPCALL_SESSION_KEY_MAX + 1);
	} else if (!strcmp(kind, "oversize")) {
		add_item(o, KSSPI_UPCALL_OUTPUT, big, sizeof(big) - 64);
	} else if (!strncmp(kind, "group", 5) &&
		   (drop_item(o, KSSPI_UPCALL_GROUPS), 0)) {
		return -1;
	} else if (!strcmp(kind, "groups-odd")) {
		add_item(o, KSSPI_UPCALL_GROUPS, big, 6);
	} else if (!strcmp(kind, "groups-many")) {
		uint32_t *g = (uint32_t *)big;
		int i;

		for (i = 0; i <= KSSPI_UPCALL_GROUPS_MAX; i++)
			g[i] = 3000 + i;
		add_item(o, KSSPI_UPCALL_GROUPS, big,
			 (KSSPI_UPCALL_GROUPS_MAX + 1) * 4);
	} else if (!strcmp(kind, "group-invalid")) {
		uint32_t g[2] = { 2100, (uint32_t)-1 };

		add_item(o, KSSPI_UPCALL_GROUPS, g, sizeof(g));
	} else if (!strcmp(kind, "uid-without-gid")) {
		h->gid = (uint32_t)-1;
	} else if (!strcmp(kind, "level-without-uid")) {
		h->uid = (uint32_t)-1;
		h->gid = (uint32_t)-1;
		h->level = SECURITY_IMPERSONATION;
	} else if (!strcmp(kind, "local-name-without-uid")) {
		/* An identification-level answer naming an account. */
		h->uid = (uint32_t)-1;
		h->gid = (uint32_t)-1;
		h->level = SECURITY_IDENTIFICATION;
		drop_item(o, KSSPI_UPCALL_GROUPS);
		if (!find_item(o, KSSPI_UPCALL_LOCAL_NAME))
			return -1;
	} else if (!strcmp(kind, "identity-not-established")) {
		h->status = SEC_I_CONTINUE_NEEDED;
		h->uid = 2001;
		h->gid = 2001;
	} else if (!strcmp(kind, "delegation-without-creds")) {
		h->level = SECURITY_DELEGATION;
	} else if (!strcmp(kind, "creds-without-delegation")) {
		add_string(o, KSSPI_UPCALL_DELEGATED, "ccache");
	} else if (!strcmp(kind, "enctype-without-key")) {
		drop_item(o, KSSPI_UPCALL_SESSION_KEY);
		h->enctype = 18;
	} else if (!strcmp(kind, "key-without-enctype")) {
		h->enctype = 0;
	} else if (!strncmp(kind, "lucid-", 6)) {
		struct ksspi_upcall_lucid l = { .protocol = 1 };
		size_t len = sizeof(l);

		if (!strcmp(kind, "lucid-size"))
			len -= 4;
		else if (!strcmp(kind, "lucid-protocol"))
			l.protocol = 2;
		else if (!strcmp(kind, "lucid-flags"))
			l.flags = 4;
		else if (strcmp(kind, "lucid-unasked"))
			return -1;
		add_item(o, KSSPI_UPCALL_LUCID, &l, len);
	} else if (!strcmp(kind, "wrong-id")) {
		h->id++;
	} else {
		return -1;
	}
	return 0;
}

static int instantiate(struct response *o)
{
	if (keyctl_instantiate(key, o->buf, o->len, 0) < 0) {
		logf_("instantiate errno=%d", errno);
		return -1;
	}
	logf_("instantiated len=%zu", o->len);
	return 0;
}

static void hang(void)
{
	for (;;)
		pause();
}

static void log_ids(const char *who)
{
	logf_("%s pid=%d pgid=%d sid=%d", who, getpid(), getpgid(0),
	      getsid(0));
}

/* Forks a child that logs its pid and hangs; the parent hangs too. */
static void hang_with_child(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		log_ids("child");
		hang();
	}
	if (pid < 0)
		logf_("fork errno=%d", errno);
	hang();
}

/*
 * A child in a session of its own (out of reach of the kill) waits for
 * the parent to be killed at the deadline, then answers.
 */
static void late(struct response *o)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid == 0) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		setsid();
		log_ids("late-child");
		while (kill(parent, 0) == 0 || errno != ESRCH)
			nanosleep(&ts, NULL);
		if (keyctl_instantiate(key, o->buf, o->len, 0) < 0)
			logf_("done late instantiate errno=%d", errno);
		else
			logf_("done late instantiate succeeded");
		_exit(0);
	}
	hang();
}

/*
 * Logs the key's permissions (reading it now would wait for its
 * construction, that is for ourselves).
 */
static void probe(void)
{
	char desc[256];

	if (keyctl_describe(key, desc, sizeof(desc)) < 0)
		logf_("describe errno=%d", errno);
	else
		logf_("describe %s", desc);
}

static void probe_after(void)
{
	char *buf = NULL;
	long n;

	n = keyctl_read_alloc(key, (void **)&buf);
	logf_("read-after ret=%ld errno=%d", n, n < 0 ? errno : 0);
	free(buf);
}

/*
 * A donor request carries no target: LOGDIR/donor-mode says what to do
 * ("drop", the default: become the request's uid and gid with no group,
 * then answer; "stay-root": answer as root; "negate").
 */
static void donor(const struct request *r, struct response *o,
		  const char *logdir)
{
	char path[4096], mode[32] = "drop";
	FILE *f;

	snprintf(path, sizeof(path), "%s/donor-mode", logdir);
	f = fopen(path, "re");
	if (f) {
		if (!fgets(mode, sizeof(mode), f))
			strcpy(mode, "drop");
		mode[strcspn(mode, "\n")] = 0;
		fclose(f);
	}
	logf_("donor mode=%s", mode);
	if (!strcmp(mode, "negate")) {
		keyctl_negate(key, 30, 0);
		return;
	}
	if (!strcmp(mode, "drop") &&
	    (setgroups(0, NULL) || setresgid(r->hdr.gid, r->hdr.gid, r->hdr.gid) ||
	     setresuid(r->hdr.uid, r->hdr.uid, r->hdr.uid))) {
		logf_("drop errno=%d", errno);
		return;
	}
	logf_("donor uid=%d euid=%d gid=%d", getuid(), geteuid(), getgid());
	instantiate(o);
}

int main(int argc, char **argv)
{
	static uint8_t reqbuf[KSSPI_UPCALL_MAX];
	static struct response out;
	char path[4096], tag[64], mode[64];
	struct request req = {};
	char *callout = NULL;
	const char *sep;
	long n, len;
	uint32_t i;

	if (argc != 3)
		return 2;
	key = atoi(argv[1]);
	snprintf(path, sizeof(path), "%s/handler.err", argv[2]);

	if (keyctl_assume_authority(key) < 0)
		goto fail_early;
	n = keyctl_read_alloc(KEY_SPEC_REQKEY_AUTH_KEY, (void **)&callout);
	if (n < 0)
		goto fail_early;
	len = b64decode(callout, n, reqbuf);
	if (len < 0 || parse_request(reqbuf, len, &req))
		goto fail_early;

	if (req.hdr.hdr.op == KSSPI_UPCALL_DONOR) {
		snprintf(path, sizeof(path), "%s/donor.log", argv[2]);
		logfd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			     0644);
		log_ids("start");
		logf_("request id=%llx op=%u uid=%u gid=%u items=%u",
		      (unsigned long long)req.hdr.id, req.hdr.hdr.op,
		      req.hdr.uid, req.hdr.gid, req.hdr.hdr.size);
		build_ok(&req, &out);
		donor(&req, &out, argv[2]);
		logf_("done");
		return 0;
	}
	snprintf(mode, sizeof(mode), "%.*s",
		 (int)req.len[KSSPI_UPCALL_TARGET],
		 (const char *)req.item[KSSPI_UPCALL_TARGET]);
	sep = strchr(mode, ':');
	if (sep) {
		snprintf(tag, sizeof(tag), "%s", sep + 1);
		mode[sep - mode] = 0;
	} else {
		snprintf(tag, sizeof(tag), "%llx",
			 (unsigned long long)req.hdr.id);
	}
	snprintf(path, sizeof(path), "%s/%s.log", argv[2], tag);
	logfd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (logfd < 0)
		return 3;

	log_ids("start");
	logf_("request id=%llx op=%u flags=%u ctx=%llu pkg=%u leg=%u req_flags=0x%x use=%u uid=%u gid=%u callout=%ld size=%u",
	      (unsigned long long)req.hdr.id, req.hdr.hdr.op,
	      req.hdr.hdr.flags, (unsigned long long)req.hdr.context_id,
	      req.hdr.package_id, req.hdr.leg, req.hdr.req_flags,
	      req.hdr.cred_use, req.hdr.uid, req.hdr.gid, n,
	      req.hdr.hdr.size);
	{
		char g[1024] = "";
		size_t gl = 0;

		for (i = 0; i < req.len[KSSPI_UPCALL_GROUPS] / 4 &&
			    gl < sizeof(g) - 16; i++) {
			uint32_t gid;

			memcpy(&gid, req.item[KSSPI_UPCALL_GROUPS] + 4 * i, 4);
			gl += snprintf(g + gl, sizeof(g) - gl, "%s%u",
				       i ? "," : "", gid);
		}
		logf_("groups %s", gl ? g : "-");
	}
	for (i = 2; i < 32; i++)
		if (req.item[i])
			logf_("item %u len %u", i, req.len[i]);

	build_ok(&req, &out);
	if (!strcmp(mode, "ok")) {
		instantiate(&out);
	} else if (!strcmp(mode, "probe")) {
		probe();
		instantiate(&out);
		probe_after();
	} else if (!strcmp(mode, "negate")) {
		if (keyctl_negate(key, 30, 0) < 0)
			logf_("negate errno=%d", errno);
	} else if (!strcmp(mode, "reject")) {
		if (keyctl_reject(key, 30, EACCES, 0) < 0)
			logf_("reject errno=%d", errno);
	} else if (!strcmp(mode, "crash")) {
		logf_("done crashing");
		abort();
	} else if (!strcmp(mode, "exit")) {
		logf_("done exiting");
		return 0;
	} else if (!strcmp(mode, "hang")) {
		logf_("done hanging");
		hang();
	} else if (!strcmp(mode, "hang-group")) {
		if (setpgid(0, 0) < 0)
			logf_("setpgid errno=%d", errno);
		log_ids("leader");
		hang_with_child();
	} else if (!strcmp(mode, "hang-session")) {
		if (setsid() < 0)
			logf_("setsid errno=%d", errno);
		log_ids("leader");
		hang_with_child();
	} else if (!strcmp(mode, "late")) {
		late(&out);
	} else if (!strcmp(mode, "wrong-id")) {
		rhdr(&out)->id++;
		instantiate(&out);
	} else if (!strcmp(mode, "root")) {
		rhdr(&out)->uid = 0;
		rhdr(&out)->gid = 0;
		instantiate(&out);
	} else if (!strncmp(mode, "malformed-", 10)) {
		if (corrupt(&out, mode + 10)) {
			logf_("unknown kind %s", mode + 10);
			keyctl_negate(key, 30, 0);
		} else {
			instantiate(&out);
		}
	} else {
		logf_("unknown mode %s", mode);
		keyctl_negate(key, 30, 0);
	}
	logf_("done");
	return 0;

fail_early:
	logfd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	logf_("key %d: cannot read the request: errno=%d", key, errno);
	keyctl_negate(key, 30, 0);
	return 1;
}
