// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-fake-upcall - a scripted stand-in for ksspi-upcall, for
 * kerberos_pkg_test: it tests the kernel's kerberos and negotiate package
 * logic through real request-key upcalls, independently of MIT Kerberos.
 *
 * Run by /sbin/request-key as "ksspi-fake-upcall KEYID" (the test points
 * /etc/request-key.d at it).  It reads the request from the authorisation
 * key, decodes it (uapi/linux/ksspi_upcall.h) and answers a canned but
 * well-formed response chosen by the request's content:
 *
 *   ACQUIRE    by the PRINCIPAL item (none: "ok")
 *   INITIATE   by the TARGET item, up to its first '/'
 *   ACCEPT     by the INPUT token, up to its first ':'
 *
 * The scenarios are listed in scenario tables below; "whoami" and the
 * state checks echo what the kernel sent so that the test can assert on it.
 * Exit status 0 when it answered (or negated on purpose), 1 otherwise.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <keyutils.h>

#include <linux/ksspi.h>
#include <linux/ksspi_upcall.h>

/* Where "hangonce" leaves its marker: the test waits for it. */
#define MARK_DIR	"/run/ksspi-fake-upcall"
#define MAX_TYPES	32

struct request {
	struct ksspi_upcall_request hdr;
	const uint8_t *item[MAX_TYPES];
	uint32_t len[MAX_TYPES];
};

static uint8_t out[KSSPI_UPCALL_MAX];
static size_t out_len;
static struct ksspi_upcall_response *rsp;

static int b64val(int c)
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

/* Decodes RFC 4648 base64 with padding; returns the length or -1. */
static long b64decode(const char *in, size_t n, uint8_t *dst, size_t size)
{
	size_t i, o = 0;

	while (n && (in[n - 1] == '\n' || in[n - 1] == '\0'))
		n--;
	if (n % 4)
		return -1;
	for (i = 0; i < n; i += 4) {
		int v[4], k, pad = 0;

		for (k = 0; k < 4; k++) {
			if (in[i + k] == '=' && i + 4 == n && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad)
				return -1;
			v[k] = b64val((unsigned char)in[i + k]);
			if (v[k] < 0)
				return -1;
		}
		if (o + 3 - pad > size)
			return -1;
		dst[o++] = v[0] << 2 | v[1] >> 4;
		if (pad < 2)
			dst[o++] = (v[1] & 15) << 4 | v[2] >> 2;
		if (pad < 1)
			dst[o++] = (v[2] & 3) << 6 | v[3];
	}
	return o;
}

static int parse(const uint8_t *buf, size_t len, struct request *rq)
{
	size_t off = sizeof(rq->hdr);

	memset(rq, 0, sizeof(*rq));
	if (len < sizeof(rq->hdr))
		return -1;
	memcpy(&rq->hdr, buf, sizeof(rq->hdr));
	if (rq->hdr.hdr.magic != KSSPI_UPCALL_MAGIC ||
	    rq->hdr.hdr.version != KSSPI_UPCALL_VERSION ||
	    rq->hdr.hdr.size != len)
		return -1;
	while (off < len) {
		struct ksspi_upcall_item it;
		unsigned int type;

		if (len - off < sizeof(it))
			return -1;
		memcpy(&it, buf + off, sizeof(it));
		off += sizeof(it);
		if (it.len > len - off)
			return -1;
		type = it.type & ~KSSPI_UPCALL_ITEM_OPTIONAL;
		if (type < MAX_TYPES) {
			rq->item[type] = buf + off;
			rq->len[type] = it.len;
		}
		off += (it.len + KSSPI_UPCALL_ALIGN - 1) &
		       ~(size_t)(KSSPI_UPCALL_ALIGN - 1);
	}
	return 0;
}

/* The item as a C string (items are short here), or "" when absent. */
static const char *str(const struct request *rq, unsigned int type)
{
	static char bufs[6][KSSPI_NAME_MAX + 1];
	static int next;
	char *b = bufs[next++ % 6];
	size_t n = rq->len[type] > KSSPI_NAME_MAX ? KSSPI_NAME_MAX :
						    rq->len[type];

	if (rq->item[type])
		memcpy(b, rq->item[type], n);
	b[rq->item[type] ? n : 0] = 0;
	return b;
}

static bool item_is(const struct request *rq, unsigned int type,
		    const char *s)
{
	return rq->item[type] && rq->len[type] == strlen(s) &&
	       !memcmp(rq->item[type], s, rq->len[type]);
}

static void begin(const struct request *rq, int32_t status)
{
	memset(out, 0, sizeof(out));
	rsp = (struct ksspi_upcall_response *)out;
	rsp->hdr.magic = KSSPI_UPCALL_MAGIC;
	rsp->hdr.version = KSSPI_UPCALL_VERSION;
	rsp->hdr.op = rq->hdr.hdr.op;
	rsp->id = rq->hdr.id;
	rsp->status = status;
	rsp->uid = (uint32_t)-1;
	rsp->gid = (uint32_t)-1;
	out_len = sizeof(*rsp);
}

static void add(uint16_t type, const void *data, uint32_t len)
{
	struct ksspi_upcall_item it = { .type = type, .len = len };

	memcpy(out + out_len, &it, sizeof(it));
	out_len += sizeof(it);
	memcpy(out + out_len, data, len);
	out_len += (len + KSSPI_UPCALL_ALIGN - 1) & ~(KSSPI_UPCALL_ALIGN - 1);
}

static void adds(uint16_t type, const char *s)
{
	add(type, s, strlen(s));
}

static void addf(uint16_t type, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	adds(type, buf);
}

/* The first word of @s, up to @sep. */
static void word(const char *s, char sep, char *w, size_t size)
{
	size_t i;

	for (i = 0; s[i] && s[i] != sep && i + 1 < size; i++)
		w[i] = s[i];
	w[i] = 0;
}

/* "status-8009030c": that status; else 0. */
static int32_t status_word(const char *w)
{
	if (strncmp(w, "status-", 7))
		return 0;
	return (int32_t)strtoul(w + 7, NULL, 16);
}

static const uint8_t session_key[32] = {
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf0, 0x01,
	0x12, 0x23, 0x34, 0x45, 0x56, 0x67, 0x78, 0x89,
	0x9a, 0xab, 0xbc, 0xcd, 0xde, 0xef, 0xf1, 0x02,
};

/* The delegated ccache image "deleg" hands over (binary on purpose). */
static const uint8_t deleg_image[] = {
	0x05, 0x04, 0x00, 0x0c, 0x00, 0x01, 0x00, 0x08, 'D', 'E', 'L', 'E',
	'G', 'A', 'T', 'E', 'D', 0x00, 0xff, 'T', 'G', 'T',
};

/* Identity of an established acceptor. */
static void identity(uint32_t uid, uint32_t gid, const uint32_t *groups,
		     int ngroups, uint32_t level, const char *client,
		     const char *local, const struct request *rq)
{
	rsp->uid = uid;
	rsp->gid = gid;
	rsp->level = level;
	rsp->expiry = rq->hdr.now + 3600;
	rsp->enctype = 18;
	if (ngroups)
		add(KSSPI_UPCALL_GROUPS, groups, ngroups * sizeof(*groups));
	adds(KSSPI_UPCALL_CLIENT_NAME, client);
	adds(KSSPI_UPCALL_SERVER_NAME, "host/ksspi-vm.ksspi.test@KSSPI.TEST");
	if (local)
		adds(KSSPI_UPCALL_LOCAL_NAME, local);
	add(KSSPI_UPCALL_SESSION_KEY, session_key, sizeof(session_key));
}

static const uint32_t alice_groups[] = { 2001, 2100 };

static void alice(const struct request *rq, uint32_t level)
{
	identity(2001, 2001, alice_groups, 2, level, "alice@KSSPI.TEST",
		 "alice", rq);
}

/* Returns false when it negated or wrote something itself. */
static bool answer_acquire(const struct request *rq, key_serial_t key)
{
	const char *p = str(rq, KSSPI_UPCALL_PRINCIPAL);
	char w[64];
	int32_t st;

	word(*p ? p : "ok", '@', w, sizeof(w));
	st = status_word(w);
	begin(rq, st);
	if (st)
		return true;
	if (!strcmp(w, "continue")) {
		rsp->status = SEC_I_CONTINUE_NEEDED;
	} else if (!strcmp(w, "pastexpiry")) {
		rsp->expiry = rq->hdr.now - 10;
	} else if (!strcmp(w, "names")) {
		/* The names the test gave, as it gave them. */
		if (!item_is(rq, KSSPI_UPCALL_CCACHE, "FILE:/tmp/kpkg-ccache") ||
		    !item_is(rq, KSSPI_UPCALL_KEYTAB, "FILE:/tmp/kpkg-keytab"))
			rsp->status = SEC_E_NO_CREDENTIALS;
		rsp->expiry = rq->hdr.now + 7200;
	} else if (!strcmp(w, "deleg")) {
		/* Only with the image of the impersonated client. */
		if (!rq->item[KSSPI_UPCALL_CCACHE_DATA] ||
		    rq->len[KSSPI_UPCALL_CCACHE_DATA] != sizeof(deleg_image) ||
		    memcmp(rq->item[KSSPI_UPCALL_CCACHE_DATA], deleg_image,
			   sizeof(deleg_image)) || rq->hdr.uid != 2001)
			rsp->status = SEC_E_NO_CREDENTIALS;
		rsp->expiry = rq->hdr.now + 3600;
	} else if (!strcmp(w, "negate")) {
		keyctl_negate(key, 5, 0);
		return false;
	} else if (!strcmp(w, "garbage")) {
		keyctl_instantiate(key, "garbage!", 8, 0);
		return false;
	} else if (!strcmp(w, "hang")) {
		sleep(30);
		return false;
	} else {
		rsp->expiry = rq->hdr.now + 3600;
	}
	if (*p)
		adds(KSSPI_UPCALL_CLIENT_NAME, p);
	else
		adds(KSSPI_UPCALL_CLIENT_NAME, "default@KSSPI.TEST");
	adds(KSSPI_UPCALL_SERVER_NAME, "host/ksspi-vm.ksspi.test@KSSPI.TEST");
	return true;
}

static void hex(char *dst, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(dst + 2 * i, "%02x", p[i]);
	dst[2 * n] = 0;
}

/* "hangonce": the first call of a context sleeps, the next answers. */
static bool hang_once(const struct request *rq)
{
	char path[128];
	int fd;

	mkdir(MARK_DIR, 0755);
	snprintf(path, sizeof(path), MARK_DIR "/%llu",
		 (unsigned long long)rq->hdr.context_id);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return false;
	close(fd);
	sleep(8);
	return true;
}

static bool answer_initiate(const struct request *rq, key_serial_t key)
{
	char w[64], state[64], buf[256];
	int32_t st;

	word(str(rq, KSSPI_UPCALL_TARGET), '/', w, sizeof(w));
	snprintf(state, sizeof(state), "istate-%llu",
		 (unsigned long long)rq->hdr.context_id);
	st = status_word(w);
	begin(rq, st);
	if (st)
		return true;
	rsp->ret_flags = rq->hdr.req_flags & (ISC_RET_MUTUAL_AUTH |
			 ISC_RET_DELEGATE | ISC_RET_CONFIDENTIALITY |
			 ISC_RET_INTEGRITY | ISC_RET_REPLAY_DETECT |
			 ISC_RET_SEQUENCE_DETECT);
	rsp->expiry = rq->hdr.now + 3600;
	if (!strcmp(w, "mutual")) {
		if (rq->hdr.leg == 0) {
			rsp->status = SEC_I_CONTINUE_NEEDED;
			rsp->ret_flags &= ~ISC_RET_MUTUAL_AUTH;
			addf(KSSPI_UPCALL_OUTPUT, "AP-REQ-%llu",
			     (unsigned long long)rq->hdr.context_id);
			adds(KSSPI_UPCALL_STATE, state);
			return true;
		}
		if (!item_is(rq, KSSPI_UPCALL_STATE, state)) {
			rsp->status = SEC_E_INTERNAL_ERROR;
			adds(KSSPI_UPCALL_MESSAGE, "state not carried");
			return true;
		}
		if (!item_is(rq, KSSPI_UPCALL_INPUT, "AP-REP-good")) {
			rsp->status = SEC_E_MUTUAL_AUTH_FAILED;
			return true;
		}
		rsp->ret_flags |= ISC_RET_MUTUAL_AUTH;
		rsp->enctype = 18;
		add(KSSPI_UPCALL_SESSION_KEY, session_key, sizeof(session_key));
	} else if (!strcmp(w, "liar")) {
		/* Claims mutual authentication without seeing an AP-REP. */
		rsp->ret_flags |= ISC_RET_MUTUAL_AUTH;
		adds(KSSPI_UPCALL_OUTPUT, "AP-REQ");
	} else if (!strcmp(w, "whoami")) {
		const uint8_t *cd = rq->item[KSSPI_UPCALL_CCACHE_DATA];
		static char cdhex[2 * 4096 + 1];

		if (cd && rq->len[KSSPI_UPCALL_CCACHE_DATA] <= 4096)
			hex(cdhex, cd, rq->len[KSSPI_UPCALL_CCACHE_DATA]);
		else
			strcpy(cdhex, cd ? "too-long" : "none");
		addf(KSSPI_UPCALL_OUTPUT,
		     "uid=%u gid=%u flags=%u pkg=%u use=%u leg=%u req=%#x principal=%s ccache=%s keytab=%s ccache_data=%s",
		     rq->hdr.uid, rq->hdr.gid, rq->hdr.hdr.flags,
		     rq->hdr.package_id, rq->hdr.cred_use, rq->hdr.leg,
		     rq->hdr.req_flags, str(rq, KSSPI_UPCALL_PRINCIPAL),
		     str(rq, KSSPI_UPCALL_CCACHE), str(rq, KSSPI_UPCALL_KEYTAB),
		     cdhex);
		rsp->ret_flags &= ~ISC_RET_MUTUAL_AUTH;
	} else if (!strcmp(w, "nooutput")) {
		rsp->status = SEC_I_CONTINUE_NEEDED;
	} else if (!strcmp(w, "bigstate")) {
		static uint8_t big[KSSPI_UPCALL_STATE_MAX + 1];

		rsp->status = SEC_I_CONTINUE_NEEDED;
		adds(KSSPI_UPCALL_OUTPUT, "AP-REQ");
		add(KSSPI_UPCALL_STATE, big, sizeof(big));
	} else if (!strcmp(w, "hangonce")) {
		if (hang_once(rq))
			return false;
		adds(KSSPI_UPCALL_OUTPUT, "after-retry");
		rsp->ret_flags &= ~ISC_RET_MUTUAL_AUTH;
	} else if (!strcmp(w, "garbage")) {
		keyctl_instantiate(key, "garbage!", 8, 0);
		return false;
	} else if (!strcmp(w, "negate")) {
		keyctl_negate(key, 5, 0);
		return false;
	} else {
		/* "plain": one leg, the AP-REQ and no mutual authentication. */
		snprintf(buf, sizeof(buf), "AP-REQ-leg%u", rq->hdr.leg);
		adds(KSSPI_UPCALL_OUTPUT, buf);
		rsp->ret_flags &= ~ISC_RET_MUTUAL_AUTH;
		rsp->enctype = 17;
		add(KSSPI_UPCALL_SESSION_KEY, session_key, 16);
	}
	adds(KSSPI_UPCALL_CLIENT_NAME, "alice@KSSPI.TEST");
	addf(KSSPI_UPCALL_SERVER_NAME, "%s@KSSPI.TEST",
	     str(rq, KSSPI_UPCALL_TARGET));
	return true;
}

/*
 * Returns false when it negated or wrote something itself; sets *as_uid to
 * the uid to instantiate as (the client's, as the real helper does).
 */
static bool answer_accept(const struct request *rq, key_serial_t key,
			  uint32_t *as_uid, uint32_t *as_gid)
{
	char w[64], state[64];
	int32_t st;

	word(str(rq, KSSPI_UPCALL_INPUT), ':', w, sizeof(w));
	snprintf(state, sizeof(state), "astate-%llu",
		 (unsigned long long)rq->hdr.context_id);
	st = status_word(w);
	begin(rq, st);
	if (st)
		return true;
	rsp->ret_flags = rq->hdr.req_flags & (ASC_RET_MUTUAL_AUTH |
			 ASC_RET_CONFIDENTIALITY | ASC_RET_INTEGRITY);
	if (!strcmp(w, "alice") || !strcmp(w, "ident")) {
		alice(rq, SECURITY_IMPERSONATION);
		adds(KSSPI_UPCALL_OUTPUT, "AP-REP");
	} else if (!strcmp(w, "bob")) {
		identity(2002, 2002, NULL, 0, SECURITY_IMPERSONATION,
			 "bob@KSSPI.TEST", "bob", rq);
	} else if (!strcmp(w, "multi")) {
		if (rq->hdr.leg == 0) {
			rsp->status = SEC_I_CONTINUE_NEEDED;
			adds(KSSPI_UPCALL_OUTPUT, "more");
			adds(KSSPI_UPCALL_STATE, state);
			return true;
		}
		rsp->status = SEC_E_INTERNAL_ERROR;
		adds(KSSPI_UPCALL_MESSAGE, "second leg without its state");
	} else if (!strcmp(w, "final")) {
		if (!item_is(rq, KSSPI_UPCALL_STATE, state) ||
		    rq->hdr.leg != 1) {
			rsp->status = SEC_E_INTERNAL_ERROR;
			adds(KSSPI_UPCALL_MESSAGE, "state not carried");
			return true;
		}
		alice(rq, SECURITY_IMPERSONATION);
	} else if (!strcmp(w, "deleg")) {
		alice(rq, SECURITY_DELEGATION);
		add(KSSPI_UPCALL_DELEGATED, deleg_image, sizeof(deleg_image));
	} else if (!strcmp(w, "delegnoimage")) {
		alice(rq, SECURITY_DELEGATION);
	} else if (!strcmp(w, "imageonly")) {
		alice(rq, SECURITY_IMPERSONATION);
		add(KSSPI_UPCALL_DELEGATED, deleg_image, sizeof(deleg_image));
	} else if (!strcmp(w, "root")) {
		identity(0, 0, NULL, 0, SECURITY_IMPERSONATION,
			 "root@KSSPI.TEST", "root", rq);
	} else if (!strcmp(w, "rootgroup")) {
		static const uint32_t g[] = { 0, 2100 };

		identity(2001, 2001, g, 2, SECURITY_IMPERSONATION,
			 "alice@KSSPI.TEST", "alice", rq);
	} else if (!strcmp(w, "unmapped")) {
		identity((uint32_t)-1, (uint32_t)-1, NULL, 0,
			 SECURITY_IDENTIFICATION, "nolocal@KSSPI.TEST", NULL,
			 rq);
	} else if (!strcmp(w, "noident")) {
		identity((uint32_t)-1, (uint32_t)-1, NULL, 0,
			 SECURITY_IMPERSONATION, "nolocal@KSSPI.TEST", NULL,
			 rq);
	} else if (!strcmp(w, "badlevel")) {
		alice(rq, 7);
	} else if (!strcmp(w, "longname")) {
		static char name[KSSPI_NAME_MAX + 64];

		memset(name, 'n', sizeof(name) - 1);
		identity(2001, 2001, alice_groups, 2, SECURITY_IMPERSONATION,
			 name, "alice", rq);
	} else if (!strcmp(w, "nooutput")) {
		rsp->status = SEC_I_CONTINUE_NEEDED;
		return true;
	} else if (!strcmp(w, "garbage")) {
		keyctl_instantiate(key, "garbage!", 8, 0);
		return false;
	} else if (!strcmp(w, "negate")) {
		keyctl_negate(key, 5, 0);
		return false;
	} else {
		rsp->status = SEC_E_INVALID_TOKEN;
		return true;
	}
	if (rsp->uid != (uint32_t)-1 && rsp->uid != 0) {
		*as_uid = rsp->uid;
		*as_gid = rsp->gid;
	}
	return true;
}

int main(int argc, char **argv)
{
	static uint8_t bin[KSSPI_UPCALL_MAX];
	uint32_t as_uid = 0, as_gid = 0;
	struct request rq;
	key_serial_t key;
	void *info = NULL;
	bool reply;
	long n, len;

	if (argc != 2)
		return 1;
	key = atoi(argv[1]);
	if (keyctl_assume_authority(key) < 0)
		return 1;
	n = keyctl_read_alloc(KEY_SPEC_REQKEY_AUTH_KEY, &info);
	if (n < 0)
		return 1;
	len = b64decode(info, n, bin, sizeof(bin));
	free(info);
	if (len < 0 || parse(bin, len, &rq)) {
		keyctl_negate(key, 5, 0);
		return 1;
	}

	switch (rq.hdr.hdr.op) {
	case KSSPI_UPCALL_ACQUIRE:
		reply = answer_acquire(&rq, key);
		break;
	case KSSPI_UPCALL_INITIATE:
		reply = answer_initiate(&rq, key);
		break;
	case KSSPI_UPCALL_ACCEPT:
		reply = answer_accept(&rq, key, &as_uid, &as_gid);
		break;
	case KSSPI_UPCALL_DONOR:
		/* Answer as the uid asked for, with no item. */
		begin(&rq, SEC_E_OK);
		as_uid = rq.hdr.uid;
		as_gid = rq.hdr.gid;
		reply = true;
		break;
	default:
		keyctl_negate(key, 5, 0);
		return 1;
	}
	if (!reply)
		return 0;
	/*
	 * As the real helper: an established context's per-message state
	 * when the kernel asks for it (every initiate and accept leg), with
	 * a session key when the scenario gave none.
	 */
	if ((rq.hdr.hdr.op == KSSPI_UPCALL_INITIATE ||
	     rq.hdr.hdr.op == KSSPI_UPCALL_ACCEPT) &&
	    (rq.hdr.hdr.flags & KSSPI_UPCALL_F_LUCID) &&
	    rsp->status == SEC_E_OK) {
		struct ksspi_upcall_lucid l = {
			.protocol = 1,
			.flags = rq.hdr.hdr.op == KSSPI_UPCALL_INITIATE ?
				 KSSPI_UPCALL_LUCID_INITIATOR : 0,
			.send_seq = 1000,
			.recv_seq = 2000,
		};

		if (!rsp->enctype) {
			rsp->enctype = 18;
			add(KSSPI_UPCALL_SESSION_KEY, session_key,
			    sizeof(session_key));
		}
		add(KSSPI_UPCALL_LUCID, &l, sizeof(l));
	}
	rsp->hdr.size = out_len;
	/* As the real helper: instantiate as the client it names. */
	if (as_uid && (setgroups(0, NULL) || setresgid(as_gid, as_gid, as_gid) ||
		       setresuid(as_uid, as_uid, as_uid)))
		return 1;
	if (keyctl_instantiate(key, out, out_len, 0) < 0)
		return 1;
	return 0;
}
