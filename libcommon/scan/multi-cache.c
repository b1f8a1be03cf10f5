/* multi-cache.c: compiled Hyperscan databases kept between runs (scan/multi-cache.h). */
#include "config.h"
#include "scan/multi-cache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <mftools/mf.h>

#define SCAN_HS_MAGIC "MFHSDB01"
#define SCAN_HS_MAGIC_LEN 8u
#define SCAN_HS_FILE_MAX (1ull << 30)   /* a bigger file is not one of ours */

static void
scan_hs_key_put(struct scan_hs_key *k, const void *p, size_t n)
{
	memcpy(k->bytes + k->len, p, n);
	k->len += n;
}

int
scan_hs_key_make(const char *const *exprs, const unsigned *flags, const unsigned *ids, size_t n,
                 struct scan_hs_key *k)
{
	const char *ver = hs_version();
	size_t cap = strlen(ver) + 1, i;

	for (i = 0; i < n; i++)
		cap += 3 * sizeof(uint32_t) + strlen(exprs[i]);
	k->len = 0;
	k->hash = 14695981039346656037ull;
	if ((k->bytes = malloc(cap)) == NULL)
		return -1;
	scan_hs_key_put(k, ver, strlen(ver) + 1);
	for (i = 0; i < n; i++) {
		uint32_t v[3] = { flags[i], ids[i], (uint32_t)strlen(exprs[i]) };

		scan_hs_key_put(k, v, sizeof v);
		scan_hs_key_put(k, exprs[i], v[2]);
	}
	for (i = 0; i < k->len; i++)
		k->hash = (k->hash ^ k->bytes[i]) * 1099511628211ull;
	return 0;
}

void
scan_hs_key_free(struct scan_hs_key *k)
{
	free(k->bytes);
	k->bytes = NULL;
}

/* The cache directory into dir: 0, or -1 when there is none (MF_CACHE_DIR set and empty,
 * or no absolute directory to be had). */
static int
scan_hs_cache_dir(char *dir, size_t size)
{
	const char *env = getenv("MF_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n;

	if (env != NULL && env[0] == '\0')
		return -1;
	if (env != NULL && env[0] != '/') {
		mf_log(1, "ignoring the relative MF_CACHE_DIR '%s': no Hyperscan cache", env);
		return -1;
	}
	if (env != NULL)
		n = snprintf(dir, size, "%s", env);
	else if (xdg != NULL && xdg[0] == '/')
		n = snprintf(dir, size, "%s/mftools", xdg);
	else if (home != NULL && home[0] == '/')
		n = snprintf(dir, size, "%s/.cache/mftools", home);
	else
		return -1;
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int
scan_hs_cache_path(const struct scan_hs_key *k, char *path, size_t size)
{
	char dir[PATH_MAX];
	int n;

	if (scan_hs_cache_dir(dir, sizeof dir) < 0)
		return -1;
	n = snprintf(path, size, "%s/hs-%016llx.db", dir, (unsigned long long)k->hash);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* The whole of a regular file of at most SCAN_HS_FILE_MAX bytes, or NULL. */
static char *
scan_hs_cache_read(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat sb;
	char *buf = NULL;
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > SCAN_HS_FILE_MAX ||
	    (f = fdopen(fd, "rb")) == NULL) {
		close(fd);
		return NULL;
	}
	*len = (size_t)sb.st_size;
	if ((buf = malloc(*len ? *len : 1)) != NULL && fread(buf, 1, *len, f) != *len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

hs_database_t *
scan_hs_cache_get(const struct scan_hs_key *k)
{
	char path[PATH_MAX];
	hs_database_t *db = NULL;
	size_t len = 0, head = SCAN_HS_MAGIC_LEN + sizeof(uint64_t) + k->len;
	uint64_t klen;
	char *buf;

	if (scan_hs_cache_path(k, path, sizeof path) < 0 || (buf = scan_hs_cache_read(path, &len)) == NULL)
		return NULL;
	if (len > head && memcmp(buf, SCAN_HS_MAGIC, SCAN_HS_MAGIC_LEN) == 0 &&
	    (memcpy(&klen, buf + SCAN_HS_MAGIC_LEN, sizeof klen), klen == k->len) &&
	    memcmp(buf + SCAN_HS_MAGIC_LEN + sizeof klen, k->bytes, k->len) == 0 &&
	    hs_deserialize_database(buf + head, len - head, &db) == HS_SUCCESS)
		mf_log(1, "the Hyperscan database from the cache: %s", path);
	else
		mf_log(1, "%s is damaged or not this pattern set's Hyperscan database: compiled again", path);
	free(buf);
	return db;
}

/* mkdir -p of the directory that holds path (each made 0700): 0 or -1 (errno). */
static int
scan_hs_cache_mkdirs(const char *path)
{
	char dir[PATH_MAX];
	char *p;

	snprintf(dir, sizeof dir, "%s", path);
	if ((p = strrchr(dir, '/')) == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(dir, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

void
scan_hs_cache_put(const struct scan_hs_key *k, const hs_database_t *db)
{
	char path[PATH_MAX], tmp[PATH_MAX + 16];
	uint64_t klen = k->len;
	char *bytes = NULL;
	size_t len = 0;
	bool ok;
	FILE *f;
	int fd;

	if (scan_hs_cache_path(k, path, sizeof path) < 0 || hs_serialize_database(db, &bytes, &len) != HS_SUCCESS)
		return;
	snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
	if (scan_hs_cache_mkdirs(path) < 0 || (fd = mkstemp(tmp)) < 0) {
		mf_log(1, "cannot keep the Hyperscan database in %s: %s", path, strerror(errno));
		free(bytes);
		return;
	}
	if ((f = fdopen(fd, "wb")) == NULL) {
		close(fd);
		ok = false;
	} else {
		ok = fwrite(SCAN_HS_MAGIC, 1, SCAN_HS_MAGIC_LEN, f) == SCAN_HS_MAGIC_LEN &&
		     fwrite(&klen, sizeof klen, 1, f) == 1 && fwrite(k->bytes, 1, k->len, f) == k->len &&
		     fwrite(bytes, 1, len, f) == len;
		ok = fclose(f) == 0 && ok;
	}
	if (ok && rename(tmp, path) == 0) {
		mf_log(1, "the Hyperscan database kept in %s", path);
	} else {
		mf_log(1, "cannot keep the Hyperscan database in %s: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(bytes);
}
