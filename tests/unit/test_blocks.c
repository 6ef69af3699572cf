/* test_blocks.c: the small-block allocator under the Lua states
 * (sim/lua/blocks.c).
 *
 * Every live block is filled with a pattern of its own; 200,000 random
 * operations (allocate, grow, shrink, free) with sizes across the
 * small-block classes and past them check after each step that the block
 * touched kept its first min(old, new) bytes, and at the end that every
 * live block still holds its pattern: blocks never overlap and a freed
 * block comes back only once.  Every Lua state of the suite runs on it
 * besides.  (Under AddressSanitizer the allocator passes every block to
 * malloc: the checks of contents still run, those of addresses do not.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../sim/lua/script.h"

#if defined(__SANITIZE_ADDRESS__)
#define POOLED 0
#else
#define POOLED 1
#endif

#define LIVE 512
#define OPS 200000

typedef struct live {
	unsigned char *p;
	size_t n;
	unsigned char tag;
} live;

static uint64_t rnd_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Sizes: mostly small (every class and its edges), some past the limit. */
static size_t some_size(void)
{
	switch (rnd() % 4) {
	case 0: return 1 + rnd() % 16;
	case 1: return 1 + rnd() % 256;
	case 2: return 240 + rnd() % 40;          /* around the largest class */
	default: return 1 + rnd() % 2000;
	}
}

static void fill(live *l)
{
	for (size_t i = 0; i < l->n; i++)
		l->p[i] = (unsigned char)(l->tag + i);
}

static int intact(const live *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (l->p[i] != (unsigned char)(l->tag + i))
			return 0;
	return 1;
}

static void test_random_operations(void **state)
{
	(void)state;
	esc_lua_blocks *b = esc_lua_blocks_new();
	assert_non_null(b);
	live v[LIVE];
	memset(v, 0, sizeof v);
	for (int op = 0; op < OPS; op++) {
		live *l = &v[rnd() % LIVE];
		if (!l->p) {
			l->n = some_size();
			l->p = esc_lua_blocks_realloc(b, NULL, 0, l->n);
			assert_non_null(l->p);
			l->tag = (unsigned char)rnd();
			fill(l);
		} else if (rnd() % 3 == 0) {
			assert_true(intact(l, l->n));
			esc_lua_blocks_release(b, l->p, l->n);
			l->p = NULL;
		} else {
			size_t n = some_size();
			unsigned char *p = esc_lua_blocks_realloc(b, l->p, l->n, n);
			assert_non_null(p);
			l->p = p;
			assert_true(intact(l, l->n < n ? l->n : n));
			l->n = n;
			fill(l);
		}
	}
	for (int i = 0; i < LIVE; i++)
		if (v[i].p) {
			assert_true(intact(&v[i], v[i].n));
			esc_lua_blocks_release(b, v[i].p, v[i].n);
		}
	esc_lua_blocks_release(b, NULL, 0);     /* ignored */
	esc_lua_blocks_free(b);
	esc_lua_blocks_free(NULL);
}

/* A block kept in its class is the same block; one that changes class
 * moves, with its bytes. */
static void test_realloc_in_place(void **state)
{
	(void)state;
	esc_lua_blocks *b = esc_lua_blocks_new();
	unsigned char *p = esc_lua_blocks_realloc(b, NULL, 0, 20);
	memset(p, 7, 20);
	unsigned char *same = esc_lua_blocks_realloc(b, p, 20, 32);    /* 17..32: one class */
	if (POOLED)
		assert_ptr_equal(same, p);
	p = same;
	unsigned char *q = esc_lua_blocks_realloc(b, p, 32, 33);
	for (int i = 0; i < 20; i++)
		assert_int_equal(q[i], 7);
	/* p's block is free again and serves the next block of its class. */
	unsigned char *r = esc_lua_blocks_realloc(b, NULL, 0, 24);
	if (POOLED) {
		assert_ptr_not_equal(q, p);
		assert_ptr_equal(r, p);
	}
	p = r;
	unsigned char *big = esc_lua_blocks_realloc(b, q, 33, 5000);
	for (int i = 0; i < 20; i++)
		assert_int_equal(big[i], 7);
	unsigned char *back = esc_lua_blocks_realloc(b, big, 5000, 10);
	for (int i = 0; i < 10; i++)
		assert_int_equal(back[i], 7);
	esc_lua_blocks_release(b, back, 10);
	esc_lua_blocks_release(b, p, 24);
	esc_lua_blocks_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_operations),
		cmocka_unit_test(test_realloc_in_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
