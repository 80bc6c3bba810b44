// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall unit tests: principal -> account mapping through a real
 * krb5.conf (auth_to_local rules) and this host's passwd/group, plus the
 * ccache image and leg state codecs.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ccache.h"
#include "mapping.h"
#include "state.h"
#include <linux/ksspi_upcall.h>

FIXTURE(map)
{
	char dir[64];
	char conf[96];
	krb5_context kctx;
	struct kup_config cfg;
};

FIXTURE_SETUP(map)
{
	FILE *f;

	strcpy(self->dir, "/tmp/ksspi-unit-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->conf, sizeof(self->conf), "%s/krb5.conf", self->dir);
	f = fopen(self->conf, "w");
	ASSERT_NE(NULL, f);
	fprintf(f,
		"[libdefaults]\n default_realm = EXAMPLE.TEST\n"
		"[realms]\n EXAMPLE.TEST = {\n"
		"  auth_to_local = RULE:[1:$1@$0](.*@PARTNER\\.TEST)s/@.*//\n"
		"  auth_to_local = RULE:[2:$1](svc)s/^svc$/nobody/\n"
		"  auth_to_local = DEFAULT\n }\n");
	fclose(f);
	setenv("KRB5_CONFIG", self->conf, 1);
	ASSERT_EQ(0, krb5_init_context(&self->kctx));
	kup_config_defaults(&self->cfg);
}

FIXTURE_TEARDOWN(map)
{
	krb5_free_context(self->kctx);
	unlink(self->conf);
	rmdir(self->dir);
}

static enum kup_map_result map(struct __test_metadata *_metadata,
			       FIXTURE_DATA(map) *self, const char *p,
			       struct kup_identity *id)
{
	char why[200] = "";
	enum kup_map_result r;

	r = kup_map_account(self->kctx, p, &self->cfg, id, why, sizeof(why));
	TH_LOG("%s -> %d %s", p, r, why);
	return r;
}

TEST_F(map, default_realm_user)
{
	struct kup_identity id;
	struct passwd *pw = getpwnam("nobody");

	if (!pw)
		SKIP(return, "no 'nobody' account on this host");
	ASSERT_EQ(KUP_MAP_OK, map(_metadata, self, "nobody@EXAMPLE.TEST", &id));
	EXPECT_STREQ("nobody", id.local);
	EXPECT_EQ(pw->pw_uid, id.uid);
	EXPECT_EQ(pw->pw_gid, id.gid);
	ASSERT_GE(id.ngroups, 1);
	EXPECT_EQ(pw->pw_gid, id.groups[0]);
	kup_identity_free(&id);
}

TEST_F(map, rule_maps_other_realm)
{
	struct kup_identity id;

	if (!getpwnam("nobody"))
		SKIP(return, "no 'nobody' account on this host");
	EXPECT_EQ(KUP_MAP_OK, map(_metadata, self, "nobody@PARTNER.TEST", &id));
	kup_identity_free(&id);
	EXPECT_EQ(KUP_MAP_OK, map(_metadata, self, "svc/host@EXAMPLE.TEST",
				  &id));
	EXPECT_STREQ("nobody", id.local);
	kup_identity_free(&id);
}

TEST_F(map, foreign_realm_unmapped)
{
	struct kup_identity id;

	EXPECT_EQ(KUP_MAP_UNMAPPED, map(_metadata, self, "nobody@FOREIGN.TEST",
					&id));
	EXPECT_EQ(NULL, id.groups);
	/* DEFAULT does not map two-component principals. */
	EXPECT_EQ(KUP_MAP_UNMAPPED, map(_metadata, self,
					"nobody/admin@EXAMPLE.TEST", &id));
}

TEST_F(map, no_account_unmapped)
{
	struct kup_identity id;

	EXPECT_EQ(KUP_MAP_UNMAPPED, map(_metadata, self,
					"no-such-user-k5x@EXAMPLE.TEST", &id));
}

TEST_F(map, root_needs_allow_root)
{
	struct kup_identity id;

	EXPECT_EQ(KUP_MAP_ROOT, map(_metadata, self, "root@EXAMPLE.TEST", &id));
	EXPECT_EQ(NULL, id.groups);
	self->cfg.allow_root = 1;
	ASSERT_EQ(KUP_MAP_OK, map(_metadata, self, "root@EXAMPLE.TEST", &id));
	EXPECT_EQ(0, id.uid);
	kup_identity_free(&id);
	/* Via a rule, too. */
	self->cfg.allow_root = 0;
	EXPECT_EQ(KUP_MAP_ROOT, map(_metadata, self, "root@PARTNER.TEST", &id));
}

TEST_F(map, bad_principal)
{
	struct kup_identity id;

	EXPECT_EQ(KUP_MAP_ERROR, map(_metadata, self, "norealm", &id));
	EXPECT_NE(KUP_MAP_OK, map(_metadata, self, "a@", &id));
}

TEST(check_ids)
{
	struct kup_config cfg;

	kup_config_defaults(&cfg);
	EXPECT_EQ(KUP_MAP_OK, kup_map_check_ids(2001, 2001, &cfg));
	EXPECT_EQ(KUP_MAP_ROOT, kup_map_check_ids(0, 2001, &cfg));
	EXPECT_EQ(KUP_MAP_ROOT, kup_map_check_ids(2001, 0, &cfg));
	EXPECT_EQ(KUP_MAP_UNMAPPED, kup_map_check_ids((uid_t)-1, 5, &cfg));
	cfg.allow_root = 1;
	EXPECT_EQ(KUP_MAP_OK, kup_map_check_ids(0, 0, &cfg));
}

TEST(state_roundtrip)
{
	static const uint8_t ctx[] = "exported context";
	struct kup_state st = {
		.role = KUP_ROLE_INITIATOR, .package_id = 9, .next_leg = 1,
		.req_flags = 2, .mech = 2, .ctx = ctx, .ctx_len = sizeof(ctx),
	}, back;
	uint8_t *buf;
	size_t len, n;

	ASSERT_EQ(0, kup_state_pack(&st, &buf, &len));
	ASSERT_EQ(0, kup_state_unpack(buf, len, &back));
	EXPECT_EQ(KUP_ROLE_INITIATOR, back.role);
	EXPECT_EQ(9, back.package_id);
	EXPECT_EQ(1, back.next_leg);
	EXPECT_EQ(2, back.mech);
	ASSERT_EQ(sizeof(ctx), back.ctx_len);
	EXPECT_EQ(0, memcmp(ctx, back.ctx, sizeof(ctx)));
	for (n = 0; n < len; n++)
		EXPECT_EQ(-EBADMSG, kup_state_unpack(buf, n, &back));
	buf[4] = 9;	/* version */
	EXPECT_EQ(-EBADMSG, kup_state_unpack(buf, len, &back));
	free(buf);
	st.ctx_len = KSSPI_UPCALL_STATE_MAX;
	EXPECT_EQ(-EMSGSIZE, kup_state_pack(&st, &buf, &len));
}

/* A MEMORY ccache with two made-up credentials -> image -> back. */
TEST(ccache_image_roundtrip)
{
	krb5_context kctx;
	krb5_principal client, server;
	krb5_ccache cc, back;
	krb5_creds creds, mcreds, out;
	uint8_t *img, key[32];
	size_t len, n, start;
	int i;

	ASSERT_EQ(0, krb5_init_context(&kctx));
	ASSERT_EQ(0, krb5_parse_name(kctx, "alice@EXAMPLE.TEST", &client));
	ASSERT_EQ(0, krb5_parse_name(kctx, "krbtgt/EXAMPLE.TEST@EXAMPLE.TEST",
				     &server));
	ASSERT_EQ(0, krb5_cc_resolve(kctx, "MEMORY:unit-src", &cc));
	ASSERT_EQ(0, krb5_cc_initialize(kctx, cc, client));
	for (i = 0; i < 2; i++) {
		memset(&creds, 0, sizeof(creds));
		memset(key, 0x40 + i, sizeof(key));
		creds.client = client;
		creds.server = server;
		creds.keyblock.enctype = ENCTYPE_AES256_CTS_HMAC_SHA1_96;
		creds.keyblock.length = sizeof(key);
		creds.keyblock.contents = key;
		creds.times.authtime = 1700000000 + i;
		creds.times.endtime = 1700036000;
		creds.ticket_flags = TKT_FLG_FORWARDABLE | TKT_FLG_FORWARDED;
		creds.ticket.data = (char *)"ticket-bytes";
		creds.ticket.length = 12;
		ASSERT_EQ(0, krb5_cc_store_cred(kctx, cc, &creds));
	}
	ASSERT_EQ(0, kup_ccache_image(kctx, cc, &img, &len));
	EXPECT_EQ(0x05, img[0]);
	EXPECT_EQ(0x04, img[1]);
	ASSERT_EQ(0, kup_ccache_from_image(kctx, img, len, "MEMORY:unit-back",
					   &back));
	memset(&mcreds, 0, sizeof(mcreds));
	mcreds.client = client;
	mcreds.server = server;
	ASSERT_EQ(0, krb5_cc_retrieve_cred(kctx, back, 0, &mcreds, &out));
	EXPECT_EQ(ENCTYPE_AES256_CTS_HMAC_SHA1_96, out.keyblock.enctype);
	EXPECT_EQ(12, out.ticket.length);
	EXPECT_TRUE(out.ticket_flags & TKT_FLG_FORWARDED);
	krb5_free_cred_contents(kctx, &out);
	krb5_cc_destroy(kctx, back);
	/*
	 * Every strict prefix fails except the one that ends right after
	 * the first credential (an image holding one).  Header 4 bytes,
	 * principal "alice@EXAMPLE.TEST": type, count, realm, 1 component.
	 */
	start = 4 + 4 + 4 + (4 + 12) + (4 + 5);
	for (n = 0; n < len; n++) {
		krb5_error_code r = kup_ccache_from_image(kctx, img, n,
							  "MEMORY:unit-t",
							  &back);

		if (!r)
			krb5_cc_destroy(kctx, back);
		EXPECT_EQ(n == start + (len - start) / 2, r == 0)
			TH_LOG("prefix %zu of %zu", n, len);
	}
	free(img);
	krb5_cc_destroy(kctx, cc);
	krb5_free_principal(kctx, client);
	krb5_free_principal(kctx, server);
	krb5_free_context(kctx);
}

TEST(ccache_image_garbage)
{
	static const uint8_t bad[][16] = {
		{ 0x05, 0x03, 0, 0 },
		{ 0x05, 0x04, 0xff, 0xff },
		{ 0x05, 0x04, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff },
		{ 0x05, 0x04, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x40 },
	};
	krb5_context kctx;
	krb5_ccache cc;
	size_t i;

	ASSERT_EQ(0, krb5_init_context(&kctx));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_NE(0, kup_ccache_from_image(kctx, bad[i], sizeof(bad[i]),
						   "MEMORY:unit-g", &cc));
	krb5_free_context(kctx);
}

TEST_HARNESS_MAIN
