/* vtop-fmt.h: mf-vtop's words for translations and its records (output only). */
#ifndef MF_VTOP_FMT_H
#define MF_VTOP_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mftools/mf.h>
#include <mftools/vat.h>

/* "4096", "4K", "2M", "1G": a size in the largest binary unit that divides it. */
const char *vtop_size_str(uint64_t n, char *buf, size_t size);
/* "rwxu": readable, writable, executable, user (u) or supervisor-only (s). */
const char *vtop_perms(uint32_t fl, char buf[5]);
/* The other translation flags: "G A D". */
const char *vtop_xflags(uint32_t fl, char *buf, size_t size);
/* The flags of a raw entry, by architecture; `leaf` for the entry that maps the page. */
void vtop_entry_flags(const struct mf_space *sp, uint64_t e, bool leaf, char *buf, size_t size);
/* Why a walk failed, for people. */
const char *vtop_why(const struct mf_space *sp, int err, const struct mf_vat_step *steps, size_t ns, char *buf,
                     size_t size);

#define VTOP_MAXSTEPS 8

/* One walk of va in the space id: its result r, translation, steps and, on failure, why. */
struct vtop_walk {
	const struct mf_aspace_id *id;
	uint64_t va;
	int r;
	struct mf_vat_xlat x;
	struct mf_vat_step steps[VTOP_MAXSTEPS];
	size_t ns;
	char why[200];
};

/* The `xlat` record of a walk into rec, its steps in steprec[0..ns) (vtop-rec.c); the
 * `pagemap` record of a range.  0, or MF_ERR_NOMEM. */
int vtop_xlat_rec(struct mf_rec *rec, struct mf_rec *const *steprec, const struct vtop_walk *w);
int vtop_pagemap_rec(struct mf_rec *rec, const struct mf_vat_range *rg);

#endif
