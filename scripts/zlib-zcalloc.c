/*
 * zlib-zcalloc: zlib's allocator in the static build. scripts/build-static
 * compiles zlib with -DMY_ZCALLOC (zlib then leaves zcalloc and zcfree to
 * the user) and adds this file to the libz.a it installs.
 *
 * libgit2 inflates every object with a z_stream of its own: inflateInit
 * allocates a 7 KB inflate_state and inflateEnd frees it, once per commit
 * of a history scan. musl's allocator (mallocng) serves blocks that size
 * from a group of their own and unmaps the group once it is empty, so
 * thousands of those pairs turned into munmap + mmap + page faults (about
 * 2,000 of each in bench/tag-scan, 5% of its time). Keeping the last
 * freed block for the next allocation of the same size ends that churn.
 * zlib asks for uninitialised memory (its own zcalloc is malloc), and the
 * spare block is one pointer swapped atomically, so any thread may use
 * zlib; at most one block is held back.
 */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* As zutil.h declares them when MY_ZCALLOC is defined. */
void *zcalloc(void *opaque, unsigned items, unsigned size);
void zcfree(void *opaque, void *ptr);

/* The size in front of each block, padded to malloc's alignment. */
typedef struct {
	_Alignas(max_align_t) size_t size;
} block_header;

static _Atomic(block_header *) spare;

void *zcalloc(void *opaque, unsigned items, unsigned size)
{
	size_t n = (size_t)items * size;
	block_header *b;

	(void)opaque;
	if (size && items > (SIZE_MAX - sizeof(*b)) / size)
		return NULL;
	b = atomic_exchange(&spare, NULL);
	if (b && b->size != n) {
		free(b);
		b = NULL;
	}
	if (!b) {
		if ((b = malloc(sizeof(*b) + n)) == NULL)
			return NULL;
		b->size = n;
	}
	return b + 1;
}

void zcfree(void *opaque, void *ptr)
{
	(void)opaque;
	if (ptr)
		free(atomic_exchange(&spare, (block_header *)ptr - 1));
}
