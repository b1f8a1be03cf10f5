/* fuzz-stream.c: libFuzzer target for the record stream reader.  The input goes through a
 * memfd into mf_in; every record read is written back as JSON and as a table (to
 * /dev/null) and as msgpack into a second memfd, which must then read back without error
 * and with the same number of records (what we write, we must be able to read). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <jansson.h>
#include <mftools/mf.h>
#include "fuzz-util.h"

static const struct mf_col fuzz_cols[] = {
	{ "pid", "PID", 5 }, { "name", "NAME", -8 }, { "addr", "ADDR", 0 }, { "data", "DATA", -1 },
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* jansson seeds its hash tables from /dev/urandom: fix the seed, so that a run with a
 * fixed -seed takes the same paths every time */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	json_object_seed(1);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int null = -1;
	char err[MF_ERRBUF_SIZE];
	const struct mf_rec *r;
	struct mf_in *in;
	struct mf_out *json, *table, *mp;
	int fd = fz_memfd(data, size), back = memfd_create("back", 0), rc, nrec = 0, nback = 0;

	if (null < 0)
		null = open("/dev/null", O_WRONLY);
	in = mf_in_new(fd);
	json = mf_out_new(null, MF_FMT_JSON);
	table = mf_out_new(null, MF_FMT_TABLE);
	mp = mf_out_new(back, MF_FMT_MSGPACK);
	mf_out_columns(table, "process", fuzz_cols, 4);
	while ((rc = mf_in_next(in, &r, err)) == 1) {
		uint64_t u;
		const void *b;
		size_t n;

		nrec++;
		if (mf_out_rec(mp, r) != 0 || mf_out_rec(json, r) != 0 || mf_out_rec(table, r) != 0)
			abort();
		(void)mf_rec_get_u64(r, "addr", &u);
		(void)mf_rec_get_bin(r, "data", &b, &n);
		if (nrec == 2)
			mf_in_unread(in);
	}
	if (rc < 0 && strncmp(err, "at byte ", 8) != 0)
		abort();
	if (mf_out_close(json) || mf_out_close(table) || mf_out_close(mp))
		abort();
	mf_in_free(in);
	close(fd);

	lseek(back, 0, SEEK_SET);
	in = mf_in_new(back);
	while ((rc = mf_in_next(in, &r, err)) == 1)
		nback++;
	if (rc != 0 || nback != nrec) {
		fprintf(stderr, "re-read of our own msgpack: %d records of %d, %s\n", nback, nrec, rc ? err : "ok");
		abort();
	}
	mf_in_free(in);
	close(back);
	return 0;
}
