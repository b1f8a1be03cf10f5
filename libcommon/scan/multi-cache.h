/* scan/multi-cache.h: compiled Hyperscan databases kept between runs of mf-scan -F.
 * Compiling costs far more than loading: about 15 ms for 1,000 strings (a 512 MiB dump is
 * scanned in about 20), seconds for a list of 100,000; an IOC list run from cron over and
 * over is compiled once.
 *
 * The cache is a directory: $MF_CACHE_DIR when set (absolute; set and empty: no cache),
 * else $XDG_CACHE_HOME/mftools, else $HOME/.cache/mftools, made (0700) when first written.
 * A file hs-HASH.db holds the magic "MFHSDB01", the length (u64) and bytes of its key, and
 * the serialized database (hs_serialize_database).  The key is everything the compile
 * depends on: Hyperscan's version and build, then each pattern's flags, id and expression.
 * A file is used only when its key is the pattern set's, byte for byte (the hash in its
 * name only finds it), and Hyperscan accepts its database (its magic, version, platform
 * and CRC); else the set is compiled and the file rewritten (a temporary file, then
 * renamed over it).  Failures to read or write the cache are said at -v, never fatal.
 * Part of the module mf-scan-hs.so; implemented in multi-cache.c. */
#ifndef MF_SCAN_MULTI_CACHE_H
#define MF_SCAN_MULTI_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <hs.h>

struct scan_hs_key {
	uint8_t *bytes;
	size_t len;
	uint64_t hash;                /* FNV-1a of the bytes: the file's name */
};

/* The key of n expressions with their flags and ids: 0, or -1 when out of memory. */
int scan_hs_key_make(const char *const *exprs, const unsigned *flags, const unsigned *ids, size_t n,
                     struct scan_hs_key *k);
void scan_hs_key_free(struct scan_hs_key *k);

/* The database of key k from the cache, or NULL (no cache, no file, another set's, or one
 * Hyperscan refuses). */
hs_database_t *scan_hs_cache_get(const struct scan_hs_key *k);
/* Keep db as key k's in the cache. */
void scan_hs_cache_put(const struct scan_hs_key *k, const hs_database_t *db);

#endif /* MF_SCAN_MULTI_CACHE_H */
