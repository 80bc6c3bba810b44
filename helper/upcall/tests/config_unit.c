// SPDX-License-Identifier: GPL-2.0
/*
 * ksspi-upcall unit tests: the configuration file parser and its
 * ownership and permission checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "config.h"

static int parse(const char *text, struct kup_config *cfg)
{
	char err[200];

	kup_config_defaults(cfg);
	return kup_config_parse(text, strlen(text), cfg, err, sizeof(err));
}

TEST(defaults)
{
	struct kup_config cfg;

	ASSERT_EQ(0, parse("", &cfg));
	EXPECT_EQ(0, cfg.allow_root);
	EXPECT_EQ(KUP_UNMAPPED_REFUSE, cfg.unmapped);
	EXPECT_EQ(10, cfg.timeout);
	EXPECT_STREQ("", cfg.keytab);
	EXPECT_STREQ("nobody", cfg.kernel_user);
}

TEST(all_keys)
{
	struct kup_config cfg;

	ASSERT_EQ(0, parse("# comment\n; other comment\n\n"
			   "  keytab = FILE:/etc/krb5.keytab  \n"
			   "client_keytab=/var/lib/krb5/user/%U/client.keytab\n"
			   "krb5_config = /etc/krb5.conf\r\n"
			   "allow_root = yes\nunmapped = anonymous\n"
			   "timeout = 3\nkernel_user = daemon\ndebug = on",
			   &cfg));
	EXPECT_STREQ("FILE:/etc/krb5.keytab", cfg.keytab);
	EXPECT_STREQ("/var/lib/krb5/user/%U/client.keytab", cfg.client_keytab);
	EXPECT_STREQ("/etc/krb5.conf", cfg.krb5_config);
	EXPECT_EQ(1, cfg.allow_root);
	EXPECT_EQ(KUP_UNMAPPED_ANONYMOUS, cfg.unmapped);
	EXPECT_EQ(3, cfg.timeout);
	EXPECT_STREQ("daemon", cfg.kernel_user);
	EXPECT_EQ(1, cfg.debug);
	ASSERT_EQ(0, parse("allow_root = false\nunmapped = refuse\n", &cfg));
	EXPECT_EQ(0, cfg.allow_root);
	EXPECT_EQ(KUP_UNMAPPED_REFUSE, cfg.unmapped);
}

TEST(bad_lines)
{
	static const char *const bad[] = {
		"keytab\n", "nosuchkey = 1\n", "allow_root = maybe\n",
		"unmapped = guest\n", "timeout = 0\n", "timeout = 301\n",
		"timeout = 5s\n", "timeout = \n", "keytab = relative.keytab\n",
		"keytab = MEMORY:x\n", "krb5_config = FILE:/etc/krb5.conf\n",
		"kernel_user = a b\n", "kernel_user = \n",
		"timeout = -1\n", "= yes\n", "keytab = /etc/krb5\x01.keytab\n",
		"krb5_config = /etc/krb5\t.conf\n",
	};
	struct kup_config cfg;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(-EINVAL, parse(bad[i], &cfg))
			TH_LOG("accepted bad line %zu", i);
}

TEST(nul_byte)
{
	struct kup_config cfg;
	char err[100];

	kup_config_defaults(&cfg);
	EXPECT_EQ(-EINVAL, kup_config_parse("timeout = 3\0x", 13, &cfg, err,
					    sizeof(err)));
}

FIXTURE(file)
{
	char dir[64];
	char path[96];
};

FIXTURE_SETUP(file)
{
	strcpy(self->dir, "/tmp/ksspi-unit-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/upcall.conf", self->dir);
}

FIXTURE_TEARDOWN(file)
{
	unlink(self->path);
	rmdir(self->dir);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			perror("write");
		fchmod(fd, mode);
		close(fd);
	}
}

TEST_F(file, missing_means_defaults)
{
	struct kup_config cfg;
	char err[200];

	EXPECT_EQ(0, kup_config_load(self->path, getuid(), &cfg, err,
				     sizeof(err)));
	EXPECT_EQ(10, cfg.timeout);
}

TEST_F(file, owner_and_mode)
{
	struct kup_config cfg;
	char err[200];

	write_file(self->path, "timeout = 4\n", 0644);
	ASSERT_EQ(0, kup_config_load(self->path, getuid(), &cfg, err,
				     sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(4, cfg.timeout);
	/* Owned by someone else. */
	EXPECT_EQ(-EPERM, kup_config_load(self->path, getuid() + 1, &cfg, err,
					  sizeof(err)));
	EXPECT_EQ(10, cfg.timeout);
	/* Group- or world-writable. */
	chmod(self->path, 0664);
	EXPECT_EQ(-EPERM, kup_config_load(self->path, getuid(), &cfg, err,
					  sizeof(err)));
	chmod(self->path, 0646);
	EXPECT_EQ(-EPERM, kup_config_load(self->path, getuid(), &cfg, err,
					  sizeof(err)));
}

TEST_F(file, no_symlink_no_dir)
{
	struct kup_config cfg;
	char err[200], target[128];

	snprintf(target, sizeof(target), "%s/real", self->dir);
	write_file(target, "timeout = 4\n", 0644);
	ASSERT_EQ(0, symlink(target, self->path));
	EXPECT_NE(0, kup_config_load(self->path, getuid(), &cfg, err,
				     sizeof(err)));
	unlink(self->path);
	unlink(target);
	ASSERT_EQ(0, mkdir(self->path, 0755));
	EXPECT_NE(0, kup_config_load(self->path, getuid(), &cfg, err,
				     sizeof(err)));
	rmdir(self->path);
}

TEST_F(file, bad_content_fails_closed)
{
	struct kup_config cfg;
	char err[200];

	write_file(self->path, "timeout = 4\nallow_root = perhaps\n", 0600);
	EXPECT_EQ(-EINVAL, kup_config_load(self->path, getuid(), &cfg, err,
					   sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "line 2"));
}

TEST_HARNESS_MAIN
