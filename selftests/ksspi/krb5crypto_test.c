// SPDX-License-Identifier: GPL-2.0
/*
 * Kerberos message-protection crypto (kmod/krb5_crypto.c, krb5_token.c),
 * in the kernel: each case of the test module
 * selftests/krb5crypto/ksspi_krb5crypto_test.ko is one variant here.  The
 * module calls the functions ksspi.ko exports, the ones the product uses.
 *
 * Cases: RFC 3961 n-fold, RFC 3962 DK and AES-CTS, RFC 8009 key
 * derivation, encryption with given confounders and checksums (published
 * vectors); RFC 4121 MIC and Wrap round trips for every enctype, 0 B to
 * 64 KiB, both directions, with and without confidentiality, with a
 * TRAILER, in the DCE layout (RRC), with SIGN_ONLY pieces, as a STREAM, in
 * vmalloc'ed buffers and with the acceptor subkey; every byte of tokens
 * flipped; truncations; reflected tokens, wrong keys, wrong flags; refused
 * enctypes.  The module is loaded by the test (KSSPI_KRB5CRYPTO_TEST_KO
 * names another build of it, e.g. for the debug kernel) and unloaded at
 * the end.
 */
#include "ksspi_test.h"

#define TEST_MODULE	"ksspi_krb5crypto_test"
#define DIR		"/sys/kernel/debug/ksspi_krb5crypto"

static pid_t main_pid;
static int module_loaded_here;
static int module_error;

static int kc_self_dir(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	char *slash;

	if (n < 0)
		return -errno;
	buf[n] = 0;
	slash = strrchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = 0;
	return 0;
}

__attribute__((constructor)) static void load_test_module(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	const char *ko = getenv("KSSPI_KRB5CRYPTO_TEST_KO");
	int fd;

	main_pid = getpid();
	if (!ko) {
		if (kc_self_dir(dir, sizeof(dir))) {
			module_error = EINVAL;
			return;
		}
		snprintf(path, sizeof(path),
			 "%s/../../selftests/krb5crypto/" TEST_MODULE ".ko", dir);
		ko = path;
	}
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		module_error = errno;
		fprintf(stderr, "# krb5crypto_test: cannot open %s: %s\n", ko,
			strerror(errno));
		return;
	}
	if (syscall(SYS_finit_module, fd, "", 0) == 0)
		module_loaded_here = 1;
	else if (errno != EEXIST)
		module_error = errno;
	close(fd);
	if (module_error)
		fprintf(stderr, "# krb5crypto_test: cannot load %s: %s\n", ko,
			strerror(module_error));
}

__attribute__((destructor)) static void unload_test_module(void)
{
	if (getpid() == main_pid && module_loaded_here)
		syscall(SYS_delete_module, TEST_MODULE, O_NONBLOCK);
}

/* Runs one case; returns its text (malloc'ed) or NULL with errno. */
static char *run_case(const char *name)
{
	size_t cap = 16384, len = 0;
	char *text;
	ssize_t n;
	int fd;

	fd = open(DIR "/run", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (write(fd, name, strlen(name)) != (ssize_t)strlen(name)) {
		close(fd);
		return NULL;
	}
	text = calloc(1, cap);
	if (!text) {
		close(fd);
		return NULL;
	}
	while ((n = read(fd, text + len, cap - 1 - len)) > 0)
		len += n;
	close(fd);
	text[len] = 0;
	return text;
}

/* Every case of the module, one variant each (the list is checked). */
#define KRB5CRYPTO_CASES(X)						\
	X(rfc3961_nfold_1) X(rfc3961_nfold_2) X(rfc3961_nfold_3)	\
	X(rfc3961_nfold_4) X(rfc3961_nfold_5) X(rfc3961_nfold_6)	\
	X(rfc3961_nfold_7) X(rfc3961_nfold_8) X(rfc3961_nfold_9)	\
	X(rfc3961_nfold_10) X(rfc3961_nfold_11)				\
	X(rfc3962_dk_1) X(rfc3962_dk_2) X(rfc3962_dk_3)			\
	X(rfc3962_dk_4) X(rfc3962_dk_5) X(rfc3962_dk_6)			\
	X(rfc3962_cts_17) X(rfc3962_cts_31) X(rfc3962_cts_32)		\
	X(rfc3962_cts_47) X(rfc3962_cts_48) X(rfc3962_cts_64)		\
	X(rfc8009_keys_19) X(rfc8009_keys_20)				\
	X(rfc8009_enc_19_0) X(rfc8009_enc_19_6) X(rfc8009_enc_19_16)	\
	X(rfc8009_enc_19_21) X(rfc8009_enc_20_0) X(rfc8009_enc_20_6)	\
	X(rfc8009_enc_20_16) X(rfc8009_enc_20_21)			\
	X(rfc8009_mic_19) X(rfc8009_mic_20)				\
	X(mic_17) X(wrap_17) X(subkey_vmalloc_17) X(tamper_17)		\
	X(mismatch_17)							\
	X(mic_18) X(wrap_18) X(subkey_vmalloc_18) X(tamper_18)		\
	X(mismatch_18)							\
	X(mic_19) X(wrap_19) X(subkey_vmalloc_19) X(tamper_19)		\
	X(mismatch_19)							\
	X(mic_20) X(wrap_20) X(subkey_vmalloc_20) X(tamper_20)		\
	X(mismatch_20)							\
	X(refuse)

FIXTURE(krb5crypto) {
	int unused;
};

FIXTURE_VARIANT(krb5crypto) {
	const char *name;
};

#define KC_VARIANT(id)						\
	FIXTURE_VARIANT_ADD(krb5crypto, id) { .name = #id };
KRB5CRYPTO_CASES(KC_VARIANT)

FIXTURE_SETUP(krb5crypto)
{
	ASSERT_EQ(0, module_error) TH_LOG("test module: %s",
					  strerror(module_error));
}

FIXTURE_TEARDOWN(krb5crypto)
{
}

/* The debug kernel is 3-5 times slower; TCG is slow already. */
TEST_F_TIMEOUT(krb5crypto, run, 600)
{
	char *text = run_case(variant->name);

	ASSERT_NE(NULL, text) TH_LOG("%s: %s", variant->name, strerror(errno));
	EXPECT_EQ(0, strncmp(text, "pass\n", 5)) TH_LOG("%s: %s", variant->name,
							 text);
	free(text);
}

/* The variants above and the module's cases are the same set. */
TEST(all_cases_covered)
{
	static const char * const mine[] = {
#define KC_NAME(id) #id,
		KRB5CRYPTO_CASES(KC_NAME)
#undef KC_NAME
		"bench",
	};
	char line[64];
	unsigned int n = 0, i;
	FILE *f;

	ASSERT_EQ(0, module_error);
	f = fopen(DIR "/cases", "re");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		for (i = 0; i < sizeof(mine) / sizeof(mine[0]); i++)
			if (!strcmp(mine[i], line))
				break;
		EXPECT_LT(i, sizeof(mine) / sizeof(mine[0]))
			TH_LOG("module case %s has no variant", line);
		n++;
	}
	fclose(f);
	EXPECT_EQ(sizeof(mine) / sizeof(mine[0]), n);
}

/*
 * ns per call of wrap (sealed, DCE layout) / unwrap / get_mic / verify_mic
 * at 64 B, 1 KiB, 16 KiB and 64 KiB, measured in the kernel: printed for
 * the log, never compared with anything.
 */
FIXTURE(kcbench) {
	int unused;
};

FIXTURE_SETUP(kcbench)
{
}

FIXTURE_TEARDOWN(kcbench)
{
}

TEST_F_TIMEOUT(kcbench, bench, 600)
{
	char *text, *line, *save;

	ASSERT_EQ(0, module_error);
	text = run_case("bench");
	ASSERT_NE(NULL, text);
	ASSERT_EQ(0, strncmp(text, "pass\n", 5)) TH_LOG("%s", text);
	for (line = strtok_r(text + 5, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		ksft_print_msg("%s\n", line + 2);
	fflush(stdout);	/* the harness child ends with _exit() */
	free(text);
}

TEST_HARNESS_MAIN
