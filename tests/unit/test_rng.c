/* test_rng.c: the xoshiro256++ generator, stream seeds and named streams.
 *
 * Known answers pin the generator, its seeding and the stream-seed formula
 * (results are reproducible only while these stay fixed); statistical tests
 * with fixed seeds check uniformity and independence of streams at stated
 * significance levels.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>

#include "escsim/rng.h"

/* The generator's state as rng.c lays it out; only the known-answer tests
 * look inside, through gsl_rng_state. */
typedef struct { uint64_t s[4]; } xoshiro_state;

static gsl_rng *new_rng(unsigned long seed)
{
	gsl_rng *r = gsl_rng_alloc(esc_rng_xoshiro256pp);
	assert_non_null(r);
	gsl_rng_set(r, seed);
	return r;
}

static void test_splitmix64_known_answer(void **state)
{
	(void)state;
	/* splitmix64 started at 0 (Vigna's splitmix64.c): output k is
	 * mix64(k * 0x9e3779b97f4a7c15). */
	const uint64_t want[4] = { 0xe220a8397b1dcdafULL, 0x6e789e6aa1b965f4ULL,
	                           0x06c45d188009454fULL, 0xf88bb8a8724c81ecULL };
	uint64_t x = 0;
	for (int k = 0; k < 4; k++) {
		x += 0x9e3779b97f4a7c15ULL;
		assert_true(esc_rng_mix64(x) == want[k]);
	}
	assert_true(esc_rng_mix64(0) == 0);   /* a property the seeding relies on */

	/* gsl_rng_set(r, 0) fills the state with that same sequence. */
	gsl_rng *r = new_rng(0);
	const xoshiro_state *st = gsl_rng_state(r);
	assert_int_equal(gsl_rng_size(r), sizeof *st);
	for (int k = 0; k < 4; k++)
		assert_true(st->s[k] == want[k]);
	gsl_rng_free(r);
}

static void test_xoshiro_known_answer(void **state)
{
	(void)state;
	/* Reference xoshiro256++ from state {1, 2, 3, 4} (the test vector of
	 * the reference C code, also used by Rust's rand_xoshiro). */
	const uint64_t want[6] = { 41943041ULL, 58720359ULL, 3588806011781223ULL,
	                           3591011842654386ULL, 9228616714210784205ULL,
	                           9973669472204895162ULL };
	gsl_rng *r = new_rng(0);
	xoshiro_state *st = gsl_rng_state(r);
	const uint64_t s0[4] = { 1, 2, 3, 4 };
	memcpy(st->s, s0, sizeof s0);
	for (int k = 0; k < 6; k++)
		assert_true(gsl_rng_get(r) == (unsigned long)(want[k] >> 32));
	memcpy(st->s, s0, sizeof s0);
	for (int k = 0; k < 6; k++)
		assert_true(gsl_rng_uniform(r) == (double)(want[k] >> 11) * 0x1.0p-53);
	gsl_rng_free(r);
}

static void test_type(void **state)
{
	(void)state;
	gsl_rng *r = new_rng(42);
	assert_string_equal(gsl_rng_name(r), "xoshiro256++");
	assert_true(gsl_rng_max(r) == 0xffffffffUL);
	assert_true(gsl_rng_min(r) == 0);
	for (int i = 0; i < 100000; i++) {
		double u = gsl_rng_uniform(r);
		assert_true(u >= 0.0 && u < 1.0);
		assert_true(gsl_rng_get(r) <= 0xffffffffUL);
	}
	/* A copy continues the same sequence (state is plain data). */
	gsl_rng *c = gsl_rng_clone(r);
	for (int i = 0; i < 100; i++)
		assert_true(gsl_rng_get(r) == gsl_rng_get(c));
	gsl_rng_free(c);
	gsl_rng_free(r);
}

/* The formula, written out independently of rng.c. */
static uint64_t fnv1a64(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void test_stream_seed_formula(void **state)
{
	(void)state;
	assert_true(fnv1a64("") == 0xcbf29ce484222325ULL);   /* FNV-1a test vectors */
	assert_true(fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
	/* Golden values (computed independently in Python): if one changes,
	 * every published result changes with it. */
	assert_true(esc_rng_stream_seed(0, 0, "") == 0xf52a15e9a9b5e89bULL);
	assert_true(esc_rng_stream_seed(1, 0, "arrival") == 0xf017cc4aa601ff64ULL);
	assert_true(esc_rng_stream_seed(20240601, 7, "service") == 0x847d9b662bd66c3cULL);
	assert_true(esc_rng_stream_seed(UINT64_MAX, UINT64_MAX,
	            "a-name-with-63-chars-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
	            == 0x0ada11f2838aa250ULL);
	assert_true(esc_rng_stream_seed(5, 6, NULL) == esc_rng_stream_seed(5, 6, ""));
	uint64_t b = 123456789, rep = 17;
	const char *src = "policy.red";
	assert_true(esc_rng_stream_seed(b, rep, src) ==
	            esc_rng_mix64(esc_rng_mix64(esc_rng_mix64(b) ^ rep) ^ fnv1a64(src)));
}

/* The first n gsl_rng_get outputs of a stream. */
static void draw(gsl_rng *r, unsigned long *out, int n)
{
	for (int i = 0; i < n; i++)
		out[i] = gsl_rng_get(r);
}

static void sequence_of(uint64_t seed, uint64_t rep, const char *src, unsigned long *out, int n)
{
	esc_streams *s = esc_streams_new(NULL);
	assert_non_null(s);
	esc_streams_begin(s, seed, rep);
	gsl_rng *r = esc_streams_get(s, src);
	assert_non_null(r);
	assert_string_equal(gsl_rng_name(r), "xoshiro256++");
	draw(r, out, n);
	esc_streams_free(s);
}

static void test_same_triple_same_sequence(void **state)
{
	(void)state;
	unsigned long a[1000], b[1000];
	sequence_of(99, 4, "arrival", a, 1000);
	sequence_of(99, 4, "arrival", b, 1000);
	assert_memory_equal(a, b, sizeof a);
	/* And it is the generator seeded with the documented seed. */
	gsl_rng *r = new_rng((unsigned long)esc_rng_stream_seed(99, 4, "arrival"));
	draw(r, b, 1000);
	assert_memory_equal(a, b, sizeof a);
	gsl_rng_free(r);
}

static int count_equal(const unsigned long *a, const unsigned long *b, int n)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		k += a[i] == b[i];
	return k;
}

static void test_different_inputs_differ(void **state)
{
	(void)state;
	enum { N = 1000 };
	unsigned long base[N], other[N];
	sequence_of(99, 4, "arrival", base, N);
	/* Equal 32-bit outputs at the same position happen by chance with
	 * probability 2^-32 each; more than one in 1000 would be a red flag. */
	sequence_of(100, 4, "arrival", other, N);
	assert_true(count_equal(base, other, N) <= 1);
	sequence_of(99, 5, "arrival", other, N);
	assert_true(count_equal(base, other, N) <= 1);
	sequence_of(99, 4, "arrivaL", other, N);
	assert_true(count_equal(base, other, N) <= 1);
	sequence_of(99, 4, "arrival2", other, N);
	assert_true(count_equal(base, other, N) <= 1);
	/* Swapping seed and replication must not give the same stream. */
	unsigned long x[N], y[N];
	sequence_of(1, 2, "s", x, N);
	sequence_of(2, 1, "s", y, N);
	assert_true(count_equal(x, y, N) <= 1);
}

static void test_streams_order_independent(void **state)
{
	(void)state;
	const char *names[] = { "arrival", "service", "policy.blue", "policy.red", "cell" };
	enum { K = 5, N = 64 };
	unsigned long fwd[K][N], rev[K][N], late[K][N];

	esc_streams *a = esc_streams_new(esc_rng_xoshiro256pp);
	esc_streams_begin(a, 7, 3);
	for (int k = 0; k < K; k++)
		draw(esc_streams_get(a, names[k]), fwd[k], N);

	/* Created in the reverse order, and drawn from interleaved. */
	esc_streams *b = esc_streams_new(NULL);
	esc_streams_begin(b, 7, 3);
	for (int k = K - 1; k >= 0; k--)
		assert_non_null(esc_streams_get(b, names[k]));
	for (int i = 0; i < N; i++)
		for (int k = 0; k < K; k++)
			rev[k][i] = gsl_rng_get(esc_streams_get(b, names[k]));
	assert_memory_equal(fwd, rev, sizeof fwd);

	/* Created under another replication and used, then reseeded by begin. */
	esc_streams *c = esc_streams_new(NULL);
	esc_streams_begin(c, 7, 0);
	gsl_rng *first = esc_streams_get(c, names[2]);
	for (int k = 0; k < K; k++)
		draw(esc_streams_get(c, names[k]), late[k], 10);
	esc_streams_begin(c, 7, 3);
	for (int k = 0; k < K; k++)
		draw(esc_streams_get(c, names[k]), late[k], N);
	assert_memory_equal(fwd, late, sizeof fwd);

	/* Pointers survive the table growing. */
	char name[24];
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof name, "extra%d", i);
		assert_non_null(esc_streams_get(c, name));
	}
	assert_ptr_equal(esc_streams_get(c, names[2]), first);

	esc_streams_free(a);
	esc_streams_free(b);
	esc_streams_free(c);
}

static void test_stream_names(void **state)
{
	(void)state;
	esc_streams *s = esc_streams_new(NULL);
	char name[65];
	memset(name, 'x', 64);
	name[64] = '\0';
	assert_null(esc_streams_get(s, name));        /* 64 characters: refused */
	name[63] = '\0';
	gsl_rng *r = esc_streams_get(s, name);        /* 63: accepted */
	assert_non_null(r);
	assert_ptr_equal(esc_streams_get(s, name), r);
	assert_null(esc_streams_get(s, NULL));
	assert_non_null(esc_streams_get(s, ""));
	esc_streams_free(s);
	esc_streams_free(NULL);
}

/* Kolmogorov-Smirnov test of 10^6 uniforms against U(0,1) at significance
 * 0.001.  Under H0 sqrt(n) D_n tends to the Kolmogorov distribution,
 * P(K > x) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 x^2); the critical value for
 * 0.001 is x = 1.9495 (the first term alone gives sqrt(ln(2000)/2); the
 * others are below 1e-12).  At n = 10^6 the asymptotic form is exact to
 * well under 1% of x. */
static void test_uniformity_ks(void **state)
{
	(void)state;
	enum { N = 1000000 };
	double *u = malloc(N * sizeof *u);
	assert_non_null(u);
	gsl_rng *r = new_rng((unsigned long)esc_rng_stream_seed(2024, 0, "ks"));
	for (int i = 0; i < N; i++)
		u[i] = gsl_rng_uniform(r);
	gsl_sort(u, 1, N);
	double d = 0;
	for (int i = 0; i < N; i++) {
		double lo = u[i] - (double)i / N, hi = (double)(i + 1) / N - u[i];
		if (lo > d) d = lo;
		if (hi > d) d = hi;
	}
	double x = sqrt((double)N) * d;
	double p = 0;
	for (int k = 1; k < 100; k++)
		p += 2 * ((k % 2) ? 1 : -1) * exp(-2.0 * k * k * x * x);
	print_message("# KS: sqrt(n) D = %.4f (critical 1.9495 at 0.001), p = %.3f\n", x, p);
	assert_true(x < 1.9495);
	gsl_rng_free(r);
	free(u);
}

/* Chi-square over 1024 cells, for the top and the bottom 10 bits of
 * gsl_rng_get, at significance 0.001 with 1023 degrees of freedom. */
static void test_uniformity_chisq_bits(void **state)
{
	(void)state;
	enum { N = 1000000, CELLS = 1024 };
	static long top[CELLS], bottom[CELLS];
	gsl_rng *r = new_rng((unsigned long)esc_rng_stream_seed(2024, 0, "chisq"));
	for (int i = 0; i < N; i++) {
		unsigned long x = gsl_rng_get(r);
		top[x >> 22]++;
		bottom[x & (CELLS - 1)]++;
	}
	double e = (double)N / CELLS, c_top = 0, c_bottom = 0;
	for (int k = 0; k < CELLS; k++) {
		c_top += (top[k] - e) * (top[k] - e) / e;
		c_bottom += (bottom[k] - e) * (bottom[k] - e) / e;
	}
	double crit = gsl_cdf_chisq_Qinv(0.001, CELLS - 1);
	print_message("# chi-square top %.1f, bottom %.1f, critical %.1f at 0.001\n",
	              c_top, c_bottom, crit);
	assert_true(c_top < crit);
	assert_true(c_bottom < crit);
	gsl_rng_free(r);
}

/* Pearson correlation of paired uniforms from two streams.  Under
 * independence r has standard error 1/sqrt(n); |r| > 4 standard errors has
 * probability 6e-5 per pair of streams. */
static double correlation(gsl_rng *a, gsl_rng *b, int n)
{
	double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
	for (int i = 0; i < n; i++) {
		double x = gsl_rng_uniform(a) - 0.5, y = gsl_rng_uniform(b) - 0.5;
		sa += x; sb += y; saa += x * x; sbb += y * y; sab += x * y;
	}
	double cov = sab / n - (sa / n) * (sb / n);
	return cov / sqrt((saa / n - (sa / n) * (sa / n)) * (sbb / n - (sb / n) * (sb / n)));
}

static void test_stream_correlation(void **state)
{
	(void)state;
	enum { N = 1000000 };
	const double bound = 4.0 / sqrt((double)N);
	struct { uint64_t seed_a, rep_a; const char *src_a; uint64_t seed_b, rep_b; const char *src_b; }
	pairs[] = {
		{ 1, 0, "arrival", 1, 0, "service" },    /* sources of one replication */
		{ 1, 0, "arrival", 1, 1, "arrival" },    /* consecutive replications */
		{ 1, 0, "arrival", 2, 0, "arrival" },    /* consecutive base seeds */
		{ 0, 0, "a", 0, 0, "b" },                /* one-letter names */
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		gsl_rng *a = new_rng((unsigned long)esc_rng_stream_seed(pairs[i].seed_a, pairs[i].rep_a, pairs[i].src_a));
		gsl_rng *b = new_rng((unsigned long)esc_rng_stream_seed(pairs[i].seed_b, pairs[i].rep_b, pairs[i].src_b));
		double rho = correlation(a, b, N);
		print_message("# pair %zu: r = %+.5f (bound %.5f)\n", i, rho, bound);
		assert_true(fabs(rho) < bound);
		gsl_rng_free(a);
		gsl_rng_free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_splitmix64_known_answer),
		cmocka_unit_test(test_xoshiro_known_answer),
		cmocka_unit_test(test_type),
		cmocka_unit_test(test_stream_seed_formula),
		cmocka_unit_test(test_same_triple_same_sequence),
		cmocka_unit_test(test_different_inputs_differ),
		cmocka_unit_test(test_streams_order_independent),
		cmocka_unit_test(test_stream_names),
		cmocka_unit_test(test_uniformity_ks),
		cmocka_unit_test(test_uniformity_chisq_bits),
		cmocka_unit_test(test_stream_correlation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
