#include "page_digest.h"

#include <stdlib.h>
#include <string.h>

#include <xxhash.h>
#if defined(__x86_64__)
/* XXH3 picks SSE2, AVX2 or AVX-512 at run time: the library's own. */
#include <xxh_x86dispatch.h>
#endif

#include "error.h"

/* murmur3's finaliser: every bit of pfn and content reaches all 64. */
static uint64_t fmix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

uint64_t xlmig_page_content_hash(const uint8_t *page, uint32_t page_size)
{
    return XXH3_64bits(page, page_size);
}

uint64_t xlmig_page_hash_keyed(uint64_t content_hash, uint64_t pfn)
{
    /* Keyed by pfn, so two pages swapped do not cancel in the sum. */
    return fmix64(content_hash ^ fmix64(pfn + 0x9e3779b97f4a7c15ULL));
}

uint64_t xlmig_page_hash(const uint8_t *page, uint32_t page_size,
                         uint64_t pfn)
{
    return xlmig_page_hash_keyed(xlmig_page_content_hash(page, page_size),
                                 pfn);
}

void xlmig_page_digest_init(xlmig_page_digest *d)
{
    memset(d, 0, sizeof(*d));
}

int xlmig_page_digest_alloc(xlmig_page_digest *d, uint64_t npages)
{
    free(d->hash);
    d->sum = 0;
    d->npages = 0;
    d->hash = calloc(npages ? npages : 1, sizeof(*d->hash));
    if (!d->hash) {
        xlmig_err(XLMIG_E_NOMEM, "no memory for the hashes of %llu pages",
                  (unsigned long long)npages);
        return XLMIG_E_NOMEM;
    }
    d->npages = npages;
    return 0;
}

void xlmig_page_digest_dispose(xlmig_page_digest *d)
{
    free(d->hash);
    xlmig_page_digest_init(d);
}

void xlmig_page_digest_put_hash(xlmig_page_digest *d, uint64_t pfn,
                                uint64_t page_hash)
{
    d->sum += page_hash - d->hash[pfn];
    d->hash[pfn] = page_hash;
}

void xlmig_page_digest_put(xlmig_page_digest *d, uint64_t pfn,
                           const uint8_t *page, uint32_t page_size)
{
    xlmig_page_digest_put_hash(d, pfn, xlmig_page_hash(page, page_size,
                                                       pfn));
}
