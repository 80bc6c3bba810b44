/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the hardening tests (fuzz_test, soak_test): a seeded PRNG,
 * the module's debugfs counters and refcount, the calling thread's
 * credentials as /proc shows them, module parameters, and settling the
 * live-object counters (the impersonation reaper runs every 2 s, local
 * tickets expire lazily).  Everything is prefixed hard_ so that it never
 * collides with ksspi_test.h, which every test includes first.
 */
#ifndef KSSPI_HARDENING_H
#define KSSPI_HARDENING_H

#include <dirent.h>
#include <time.h>

#define HARD_STATS	"/sys/kernel/debug/ksspi/stats"
#define HARD_PARAMS	"/sys/module/ksspi/parameters/"
#define HARD_REFCNT	"/sys/module/ksspi/refcnt"

/* xorshift64*: small, fast, and the same sequence for the same seed. */
struct hard_rng {
	uint64_t s;
};

static inline uint64_t hard_rnd(struct hard_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

static inline uint32_t hard_below(struct hard_rng *r, uint32_t n)
{
	return n ? hard_rnd(r) % n : 0;
}

/* True with probability 1/@n. */
static inline bool hard_one_in(struct hard_rng *r, uint32_t n)
{
	return hard_below(r, n) == 0;
}

/* A seed that is never 0 (xorshift would stay at 0 forever). */
static inline uint64_t hard_mix(uint64_t seed, uint64_t a, uint64_t b)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (a * 1000003 + b + 1);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return z ? z : 1;
}

static inline double hard_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reads the first line of @path into @buf (newline stripped); 0 or -errno. */
static inline int hard_read_line(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* A counter of /sys/kernel/debug/ksspi/stats, or -1. */
static inline long hard_stat(const char *name)
{
	size_t n = strlen(name);
	char line[128];
	long v = -1;
	FILE *f = fopen(HARD_STATS, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, name, n) && line[n] == ' ') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

static inline long hard_refcnt(void)
{
	char buf[32];

	if (hard_read_line(HARD_REFCNT, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

static inline bool hard_module_loaded(void)
{
	return access("/sys/module/ksspi/initstate", F_OK) == 0;
}

/*
 * The calling thread's ids, groups and capabilities as the kernel shows
 * them (the lines of /proc/thread-self/status that impersonation changes).
 */
static inline int hard_cred_snapshot(char *buf, size_t size)
{
	static const char *const keys[] = {
		"Uid:", "Gid:", "Groups:", "CapInh:", "CapPrm:", "CapEff:",
		"CapBnd:", "CapAmb:", "NoNewPrivs:",
	};
	char line[512];
	size_t used = 0, i;
	FILE *f = fopen("/proc/thread-self/status", "re");

	if (!f)
		return -errno;
	buf[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			if (strncmp(line, keys[i], strlen(keys[i])))
				continue;
			used += snprintf(buf + used, size - used, "%s", line);
			if (used >= size) {
				fclose(f);
				return -ENOSPC;
			}
		}
	}
	fclose(f);
	return 0;
}

/*
 * The module's parameters as they are now, as a finit_module() argument
 * string ("name=value ..."), so that a reload keeps them.
 */
static inline int hard_current_params(char *buf, size_t size)
{
	DIR *d = opendir(HARD_PARAMS);
	char path[512], val[256];
	struct dirent *e;
	size_t len = 0;
	int n;

	buf[0] = 0;
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), HARD_PARAMS "%s", e->d_name);
		if (hard_read_line(path, val, sizeof(val)))
			continue;
		n = snprintf(buf + len, size - len, "%s%s=%s", len ? " " : "",
			     e->d_name, val);
		if (n < 0 || (size_t)n >= size - len) {
			closedir(d);
			return -ENOSPC;
		}
		len += n;
	}
	closedir(d);
	return 0;
}

/* An unsigned number from the environment, or @def. */
static inline unsigned long hard_env(const char *name, unsigned long def)
{
	const char *s = getenv(name);
	char *end;
	unsigned long v;

	if (!s || !*s)
		return def;
	v = strtoul(s, &end, 0);
	return *end ? def : v;
}

/* The live-object counters a test compares before and after. */
struct hard_live {
	long contexts, tokens, threads, tickets, refcnt;
};

static inline void hard_live_read(struct hard_live *l)
{
	l->contexts = hard_stat("contexts_live");
	l->tokens = hard_stat("tokens_live");
	l->threads = hard_stat("impersonating_threads");
	l->tickets = hard_stat("local_tickets_live");
	l->refcnt = hard_refcnt();
}

/*
 * Whether @now is back to @base: objects exactly, local tickets at most
 * as many (tickets left by earlier tests expire meanwhile).
 */
static inline bool hard_live_settled(const struct hard_live *base,
				     const struct hard_live *now)
{
	return now->contexts == base->contexts &&
	       now->tokens == base->tokens && now->threads == base->threads &&
	       now->tickets >= 0 && now->tickets <= base->tickets &&
	       now->refcnt == base->refcnt;
}

static inline void hard_live_print(const char *what, const struct hard_live *l)
{
	ksft_print_msg("%s: contexts_live %ld tokens_live %ld impersonating_threads %ld local_tickets_live %ld refcnt %ld\n",
		       what, l->contexts, l->tokens, l->threads, l->tickets,
		       l->refcnt);
}

#endif /* KSSPI_HARDENING_H */
