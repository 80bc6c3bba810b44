// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the kernel's decoding of ksspi-upcall's responses
 * (kmod/upcall.c: parse_response() and what it calls -- item splitting,
 * the header and consistency checks, the allow_root rule, the copy into a
 * struct ksspi_upcall_reply), compiled as a userspace unit against
 * kshim/kshim.h.
 *
 * Input: byte 0 is a control byte, byte 1 the number of the allocation to
 * fail (0: none), the rest is the response exactly as a helper would
 * instantiate the key with it.  Control bits: 0x01 make the header's size
 * match the input (else it stays as given), 0x02 make the call's id and
 * op those the response names (else the call's are fixed and the response
 * must match them by itself), 0x04 allow_root=1, 0x08 the instantiator's
 * ids (uid and gid) are the response's, 0x30 the operation asked (ACQUIRE,
 * INITIATE, ACCEPT, DONOR), 0x40 the instantiator has capabilities, 0x80
 * supplementary groups.
 *
 * Beyond memory safety (ASan, UBSan, LeakSanitizer), every accepted
 * response must satisfy the module's rules: a defined status, strings
 * NUL-terminated, printable, no longer than KSSPI_NAME_MAX, no uid or gid 0
 * (or group 0) unless allow_root, an identity only for an established
 * acceptor, sorted groups, a delegation level only with delegated
 * credentials, a session key only with its enctype; a refused one fails
 * with -EBADMSG (or -ENOMEM when an allocation was made to fail).
 */
#include "../../kmod/upcall.c"

/* What the shim and the module file expect to find. */
unsigned long kshim_alloc_count, kshim_fail_at;
struct user_namespace init_user_ns;
static struct group_info no_groups = { .usage = ATOMIC_INIT(1) };
static struct group_info *one_group;
/* The requester (the handle's owner); for DONOR, whom to instantiate as. */
static struct cred requester = {
	.usage = ATOMIC_INIT(1),
	.group_info = &no_groups,
	.user_ns = &init_user_ns,
};
struct cred kshim_current_cred = {
	.usage = ATOMIC_INIT(1),
	.group_info = &no_groups,
	.user_ns = &init_user_ns,
};
struct task_struct kshim_current_task, init_task;
time64_t kshim_now = 1767225600;	/* 2026-01-01 */
unsigned long jiffies;
int overflowuid = 65534, overflowgid = 65534;
bool ksspi_allow_root;

int param_get_uint(char *buffer, const struct kernel_param *kp)
{
	return sprintf(buffer, "%u", *(unsigned int *)kp->arg);
}

void ksspi_stat_inc(enum ksspi_counter c)
{
}

static void check_string(const char *s, const char *what)
{
	size_t i, n;

	if (!s)
		return;
	n = strlen(s);
	if (!n || n > KSSPI_NAME_MAX) {
		fprintf(stderr, "%s: length %zu\n", what, n);
		abort();
	}
	for (i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e) {
			fprintf(stderr, "%s: byte %zu is %#x\n", what, i, s[i]);
			abort();
		}
	}
}

#define RULE(cond) do {							\
	if (!(cond)) {							\
		fprintf(stderr, "accepted a response breaking: %s\n", #cond); \
		abort();						\
	}								\
} while (0)

static void check_reply(const struct upcall_call *call,
			const struct ksspi_upcall_reply *r)
{
	bool identity = uid_valid(r->uid);
	int i;

	RULE(status_valid(r->status));
	RULE(identity == gid_valid(r->gid));
	RULE(r->level <= SECURITY_DELEGATION);
	check_string(r->client_name, "client_name");
	check_string(r->server_name, "server_name");
	check_string(r->local_name, "local_name");
	check_string(r->message, "message");
	RULE(!r->output == !r->output_len);
	RULE(r->output_len <= KSSPI_TOKEN_MAX);
	RULE(!r->state == !r->state_len);
	RULE(r->state_len <= KSSPI_UPCALL_STATE_MAX);
	RULE(!r->session_key == !r->session_key_len);
	RULE(r->session_key_len <= KSSPI_UPCALL_SESSION_KEY_MAX);
	RULE(!r->session_key == !r->enctype);
	if (identity) {
		RULE(call->req->op == KSSPI_UPCALL_ACCEPT ||
		     call->req->op == KSSPI_UPCALL_X509_ACCEPT);
		RULE(r->status == SEC_E_OK);
		RULE(ksspi_allow_root ||
		     (__kuid_val(r->uid) && __kgid_val(r->gid)));
	} else {
		RULE(!r->groups && !r->delegated && !r->local_name);
		RULE(r->level < SECURITY_IMPERSONATION);
	}
	RULE((r->level == SECURITY_DELEGATION) == !!r->delegated);
	/* x509: each item only in the success of its own operation. */
	RULE(!r->x509_certs == !r->x509_certs_len);
	RULE(!r->x509_sig == !r->x509_sig_len);
	RULE(r->x509_sig_len <= KSSPI_UPCALL_X509_SIG_MAX);
	if (r->x509_certs)
		RULE(call->req->op == KSSPI_UPCALL_X509_CHAIN &&
		     r->status == SEC_E_OK &&
		     ksspi_upcall_x509_split(r->x509_certs, r->x509_certs_len,
					     NULL, NULL) > 0);
	if (r->x509_sig)
		RULE(call->req->op == KSSPI_UPCALL_X509_SIGN &&
		     r->status == SEC_E_OK);
	if (r->x509_strength)
		RULE(call->req->op == KSSPI_UPCALL_X509_ACCEPT &&
		     r->status == SEC_E_OK && identity &&
		     r->x509_strength <= KSSPI_X509_STRENGTH_STRONG);
	if (r->x509_sig_alg)
		RULE(call->req->op == KSSPI_UPCALL_X509_CHAIN &&
		     r->x509_sig_alg <= KSSPI_X509_SIG_RSA_PSS_SHA256);
	if (r->groups) {
		RULE(r->groups->ngroups > 0 &&
		     r->groups->ngroups <= KSSPI_UPCALL_GROUPS_MAX);
		for (i = 0; i < r->groups->ngroups; i++) {
			RULE(gid_valid(r->groups->gid[i]));
			RULE(ksspi_allow_root || __kgid_val(r->groups->gid[i]));
			RULE(!i || !gid_lt(r->groups->gid[i], r->groups->gid[i - 1]));
		}
	}
	/*
	 * The instantiator's credentials are kept only when they are the
	 * client's (an acceptor) or the requester's, bare (a donor).
	 */
	if (r->instantiator && call->req->op == KSSPI_UPCALL_DONOR) {
		RULE(uid_eq(r->instantiator->uid, call->req->requester->uid));
		RULE(gid_eq(r->instantiator->gid, call->req->requester->gid));
		RULE(!r->instantiator->group_info->ngroups);
		RULE(cap_isclear(r->instantiator->cap_effective));
	} else if (r->instantiator) {
		RULE(uid_eq(r->instantiator->uid, r->uid));
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	one_group = groups_alloc(1);
	if (!one_group)
		abort();
	one_group->gid[0] = KGIDT_INIT(2100);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ksspi_upcall_req req = { .op = KSSPI_UPCALL_ACCEPT,
					.requester = &requester };
	struct upcall_call call = { .id = 0x1234, .req = &req };
	struct ksspi_upcall_reply *reply = (void *)1;
	struct ksspi_upcall_response hdr;
	struct upcall_payload *p;
	uint8_t ctl, fail;
	size_t len;
	int ret;

	if (size < 2)
		return 0;
	ctl = data[0];
	fail = data[1];
	data += 2;
	len = size - 2;
	if (len > KSSPI_UPCALL_MAX + 64)
		return 0;

	ksspi_allow_root = ctl & 0x04;
	req.op = KSSPI_UPCALL_ACQUIRE + ((ctl >> 4) & 3);
	kshim_current_cred.uid = kshim_current_cred.euid = KUIDT_INIT(2001);
	kshim_current_cred.suid = kshim_current_cred.fsuid = KUIDT_INIT(2001);
	kshim_current_cred.gid = kshim_current_cred.egid = KGIDT_INIT(2001);
	kshim_current_cred.sgid = kshim_current_cred.fsgid = KGIDT_INIT(2001);
	kshim_current_cred.cap_effective.val = ctl & 0x40 ? 1ULL << 21 : 0;
	kshim_current_cred.cap_permitted = kshim_current_cred.cap_effective;
	kshim_current_cred.group_info = ctl & 0x80 ? one_group : &no_groups;
	requester.uid = requester.euid = KUIDT_INIT(2001);
	requester.gid = requester.egid = KGIDT_INIT(2001);

	p = malloc(sizeof(*p) + len + sizeof(hdr));
	if (!p)
		return 0;
	p->oversize = len > KSSPI_UPCALL_MAX;
	p->len = p->oversize ? 0 : len;
	memcpy(p->data, data, p->len);
	if (p->len >= sizeof(hdr)) {
		memcpy(&hdr, p->data, sizeof(hdr));
		if (ctl & 0x01)
			hdr.hdr.size = p->len;
		if (ctl & 0x02) {
			call.id = hdr.id;
			req.op = hdr.hdr.op;
		}
		if (ctl & 0x08) {
			kshim_current_cred.uid = KUIDT_INIT(hdr.uid);
			kshim_current_cred.euid = KUIDT_INIT(hdr.uid);
			kshim_current_cred.suid = KUIDT_INIT(hdr.uid);
			kshim_current_cred.fsuid = KUIDT_INIT(hdr.uid);
			kshim_current_cred.gid = KGIDT_INIT(hdr.gid);
			kshim_current_cred.egid = KGIDT_INIT(hdr.gid);
			kshim_current_cred.sgid = KGIDT_INIT(hdr.gid);
			kshim_current_cred.fsgid = KGIDT_INIT(hdr.gid);
			requester.uid = requester.euid = KUIDT_INIT(hdr.uid);
			requester.gid = requester.egid = KGIDT_INIT(hdr.gid);
		}
		memcpy(p->data, &hdr, sizeof(hdr));
	}
	p->cred = get_cred(current_cred());
	call.payload = p;

	kshim_alloc_count = 0;
	kshim_fail_at = fail;
	ret = parse_response(&call, &reply);
	kshim_fail_at = 0;
	if (ret) {
		if (ret != -EBADMSG && !(ret == -ENOMEM && fail)) {
			fprintf(stderr, "parse_response: %d\n", ret);
			abort();
		}
	} else {
		check_reply(&call, reply);
		ksspi_upcall_reply_free(reply);
	}
	payload_free(p);
	/* Every reference taken on the instantiator was given back. */
	if (kshim_current_cred.usage.counter != 1) {
		fprintf(stderr, "credential references: %d\n",
			kshim_current_cred.usage.counter);
		abort();
	}
	return 0;
}
