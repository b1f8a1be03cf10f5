/* mftools/vat.h: batched virtual address translation (placeholder declarations until the translator lands; replaced by the vat branch). */
#include <mftools/plugin.h>
struct mf_vat;
typedef int (*mf_vat_phys_fn)(void *ctx, struct mf_iov *iov, size_t n);
struct mf_vat *mf_vat_new(mf_vat_phys_fn read, void *ctx);
void mf_vat_free(struct mf_vat *v);
void mf_vat_set_ttl(struct mf_vat *v, unsigned ms);
int mf_vat_read(struct mf_vat *v, const struct mf_space *sp, struct mf_iov *iov, size_t n);
int mf_vat_write(struct mf_vat *v, mf_vat_phys_fn write, void *wctx, const struct mf_space *sp, struct mf_iov *iov, size_t n);
struct mf_vat_xlat { uint64_t va, pa, page_size; uint32_t flags; int32_t err; };
int mf_vat_translate(struct mf_vat *v, const struct mf_space *sp, struct mf_vat_xlat *x, size_t n);
