/*
 * The digest that proves the destination holds the guest's memory as
 * it was at suspend: the sum (mod 2^64) of one hash per page, keyed by
 * its pfn. Order does not matter and a page sent again replaces its
 * earlier share, so both sides keep it as pages go and come, and only
 * the final round is hashed inside the downtime. A page never received
 * leaves 0 where the source counted its hash.
 */
#ifndef XLMIG_PAGE_DIGEST_H
#define XLMIG_PAGE_DIGEST_H

#include <stdint.h>

/* XXH3 of the page's bytes (xxhash), then mixed with its pfn. */
uint64_t xlmig_page_hash(const uint8_t *page, uint32_t page_size,
                         uint64_t pfn);
/* The same from the content's XXH3 alone (e.g. a page known zero). */
uint64_t xlmig_page_hash_keyed(uint64_t content_hash, uint64_t pfn);
/* XXH3 of the bytes: what xlmig_page_hash_keyed takes. */
uint64_t xlmig_page_content_hash(const uint8_t *page, uint32_t page_size);

typedef struct {
    uint64_t *hash;         /* per pfn, 0 until the page is put */
    uint64_t npages;
    uint64_t sum;
} xlmig_page_digest;

void xlmig_page_digest_init(xlmig_page_digest *d);
/* Room for npages, all not yet received. XLMIG_E_NOMEM with message. */
int xlmig_page_digest_alloc(xlmig_page_digest *d, uint64_t npages);
void xlmig_page_digest_dispose(xlmig_page_digest *d);
/* Page pfn (< npages) now has this content: its share replaced. */
void xlmig_page_digest_put(xlmig_page_digest *d, uint64_t pfn,
                           const uint8_t *page, uint32_t page_size);
void xlmig_page_digest_put_hash(xlmig_page_digest *d, uint64_t pfn,
                                uint64_t page_hash);
static inline uint64_t xlmig_page_digest_value(const xlmig_page_digest *d)
{
    return d->sum;
}

#endif
