/* blocks.c: the small blocks of a Lua state (script.h, esc_lua_blocks).
 *
 * A policy hook creates a record for every incident it is shown, and Lua
 * frees it at the next collection: a few hundred bytes allocated and freed
 * per model event, most of them in blocks under 256 bytes.  Through malloc,
 * realloc and free that cost more than the hook's own code (about 600
 * instructions an event; docs/performance.md).  Here blocks up to
 * BLOCK_MAX bytes come from free lists, one per multiple of 16 bytes,
 * refilled from slabs of SLAB_BYTES; larger ones go to malloc.  A freed
 * block goes back on its list and stays with the state until it is closed,
 * so memory is what the state's peak of small blocks was, as glibc would
 * keep it too.  The memory cap is not this file's business: the allocator
 * above it (sandbox.c) counts the bytes Lua asks for.
 *
 * Each Lua state has its own (a state is used by one thread at a time), so
 * there is no locking.  Under AddressSanitizer every block goes to malloc,
 * so a use after free inside Lua is still caught.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"

#if defined(__SANITIZE_ADDRESS__)
#define BLOCKS_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BLOCKS_OFF 1
#endif
#endif
#ifndef BLOCKS_OFF
#define BLOCKS_OFF 0
#endif

#define GRAIN 16                     /* block sizes are multiples of this */
#define BLOCK_MAX 256                /* larger blocks go to malloc */
#define N_CLASSES (BLOCK_MAX / GRAIN)
#define SLAB_BYTES ((size_t)64 << 10)

typedef struct free_block {
	struct free_block *next;
} free_block;

typedef struct slab {
	struct slab *next;
	/* blocks follow, from the first GRAIN boundary */
} slab;

struct esc_lua_blocks {
	free_block *free[N_CLASSES];
	unsigned char *cur, *end;        /* the unused rest of the newest slab */
	slab *slabs;
};

esc_lua_blocks *esc_lua_blocks_new(void)
{
	return calloc(1, sizeof(esc_lua_blocks));
}

void esc_lua_blocks_free(esc_lua_blocks *b)
{
	if (!b)
		return;
	for (slab *s = b->slabs, *next; s; s = next) {
		next = s->next;
		free(s);
	}
	free(b);
}

static int small(size_t n) { return !BLOCKS_OFF && n >= 1 && n <= BLOCK_MAX; }
static size_t class_of(size_t n) { return (n - 1) / GRAIN; }   /* n >= 1 */

/* A block of class c, or NULL when out of memory. */
static void *take(esc_lua_blocks *b, size_t c)
{
	free_block *f = b->free[c];
	if (f) {
		b->free[c] = f->next;
		return f;
	}
	size_t size = (c + 1) * GRAIN;
	if ((size_t)(b->end - b->cur) < size) {
		/* The rest of the old slab is too small for this class: it is
		 * left unused (at most BLOCK_MAX - GRAIN bytes a slab). */
		slab *s = malloc(SLAB_BYTES);
		if (!s)
			return NULL;
		s->next = b->slabs;
		b->slabs = s;
		uintptr_t first = ((uintptr_t)(s + 1) + GRAIN - 1) & ~(uintptr_t)(GRAIN - 1);
		b->cur = (unsigned char *)first;
		b->end = (unsigned char *)s + SLAB_BYTES;
	}
	void *p = b->cur;
	b->cur += size;
	return p;
}

static void give(esc_lua_blocks *b, void *p, size_t c)
{
	free_block *f = p;
	f->next = b->free[c];
	b->free[c] = f;
}

void esc_lua_blocks_release(esc_lua_blocks *b, void *ptr, size_t osize)
{
	if (!ptr)
		return;
	if (small(osize))
		give(b, ptr, class_of(osize));
	else
		free(ptr);
}

void *esc_lua_blocks_realloc(esc_lua_blocks *b, void *ptr, size_t osize, size_t nsize)
{
	if (!ptr) {
		if (small(nsize))
			return take(b, class_of(nsize));
		return malloc(nsize);
	}
	int was_small = small(osize), is_small = small(nsize);
	if (was_small && is_small && class_of(osize) == class_of(nsize))
		return ptr;                      /* the block fits already */
	if (!was_small && !is_small)
		return realloc(ptr, nsize);
	void *p = is_small ? take(b, class_of(nsize)) : malloc(nsize);
	if (!p)
		return NULL;
	memcpy(p, ptr, osize < nsize ? osize : nsize);
	esc_lua_blocks_release(b, ptr, osize);
	return p;
}
