/* rng.c: random generators and the named streams of a replication.
 *
 * Owns the xoshiro256++ gsl_rng_type, the 64-bit mixing and stream-seed hash
 * that make every (seed, replication, source) reproducible on any platform,
 * and esc_streams, a worker's small table of named generators.
 */
#include <stdlib.h>
#include <string.h>

#include "escsim/rng.h"

/* ---- xoshiro256++ (Blackman and Vigna, 2019), as a GSL generator ---- */

typedef struct xoshiro_state {
	uint64_t s[4];
} xoshiro_state;

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t xoshiro_next(xoshiro_state *st)
{
	uint64_t *s = st->s;
	uint64_t result = rotl(s[0] + s[3], 23) + s[0];
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

#define SPLITMIX_GAMMA ESC_RNG_GAMMA

/* The authors' recommended seeding: the state is four successive outputs of
 * splitmix64 started at the seed.  unsigned long is 64 bits on LP64 systems,
 * so the whole seed reaches the state there.  Written out: the model
 * positions a generator at a key for nearly every draw it makes
 * (esc_rng_seed), and the loop cost a fifth more. */
static inline void xoshiro_seed(xoshiro_state *st, uint64_t x)
{
	st->s[0] = esc_rng_mix64(x + SPLITMIX_GAMMA);
	st->s[1] = esc_rng_mix64(x + 2 * SPLITMIX_GAMMA);
	st->s[2] = esc_rng_mix64(x + 3 * SPLITMIX_GAMMA);
	st->s[3] = esc_rng_mix64(x + 4 * SPLITMIX_GAMMA);
	/* All-zero is the one state xoshiro never leaves.  mix64 is a bijection
	 * with mix64(0) == 0 and the four inputs differ, so this cannot happen;
	 * the guard keeps that argument out of the correctness proof. */
	if (__builtin_expect((st->s[0] | st->s[1] | st->s[2] | st->s[3]) == 0, 0))
		st->s[0] = SPLITMIX_GAMMA;
}

static void xoshiro_set(void *vstate, unsigned long int seed)
{
	xoshiro_seed(vstate, (uint64_t)seed);
}

/* GSL integers are unsigned long with a declared max; the upper 32 bits are
 * the best-mixed ones and keep gsl_rng_uniform_int portable to 32-bit long. */
static unsigned long int xoshiro_get(void *vstate)
{
	return (unsigned long int)(xoshiro_next(vstate) >> 32);
}

/* 53 random bits: every double in [0, 1) on the 2^-53 grid, equally likely. */
static double xoshiro_get_double(void *vstate)
{
	return (double)(xoshiro_next(vstate) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type xoshiro256pp_type = {
	"xoshiro256++",
	0xffffffffUL,              /* max */
	0,                         /* min */
	sizeof(xoshiro_state),
	&xoshiro_set,
	&xoshiro_get,
	&xoshiro_get_double
};

const gsl_rng_type *esc_rng_xoshiro256pp = &xoshiro256pp_type;

/* ---- stream seeds ---- */

static uint64_t fnv1a64(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* This formula defines which numbers every published result drew; changing it
 * changes every result.  Exactly:
 *
 *   seed = mix64( mix64( mix64(base_seed) ^ rep ) ^ fnv1a64(source) )
 *
 * where mix64 is the splitmix64 finaliser (esc_rng_mix64) and fnv1a64 is
 * 64-bit FNV-1a (offset 0xcbf29ce484222325, prime 0x100000001b3) over the
 * bytes of the source name without its terminating NUL.  A NULL source is
 * hashed as "".  Each mix64 spreads a one-bit change of its input over the
 * whole word before the next part is folded in, so nearby seeds and
 * replications (0, 1, 2...) give unrelated streams. */
uint64_t esc_rng_stream_seed(uint64_t base_seed, uint64_t rep, const char *source)
{
	uint64_t h = esc_rng_mix64(base_seed) ^ rep;
	h = esc_rng_mix64(h) ^ fnv1a64(source ? source : "");
	return esc_rng_mix64(h);
}

void esc_rng_seed(gsl_rng *r, uint64_t seed)
{
	if (r->type == &xoshiro256pp_type)
		xoshiro_seed(r->state, seed);
	else
		gsl_rng_set(r, (unsigned long)seed);
}

/* ---- named streams ---- */

#define NAME_MAX_LEN 63

typedef struct stream {
	char name[NAME_MAX_LEN + 1];
	gsl_rng *r;
} stream;

struct esc_streams {
	const gsl_rng_type *type;
	uint64_t base_seed, rep;
	stream *v;                 /* a handful per replication: linear lookup wins */
	size_t n, cap;
};

esc_streams *esc_streams_new(const gsl_rng_type *type)
{
	esc_streams *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->type = type ? type : esc_rng_xoshiro256pp;
	return s;
}

void esc_streams_free(esc_streams *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		gsl_rng_free(s->v[i].r);
	free(s->v);
	free(s);
}

void esc_streams_begin(esc_streams *s, uint64_t base_seed, uint64_t rep)
{
	s->base_seed = base_seed;
	s->rep = rep;
	for (size_t i = 0; i < s->n; i++)
		gsl_rng_set(s->v[i].r,
		            (unsigned long)esc_rng_stream_seed(base_seed, rep, s->v[i].name));
}

gsl_rng *esc_streams_get(esc_streams *s, const char *source)
{
	/* A name longer than the table holds is refused, not truncated: two
	 * sources sharing a prefix would otherwise silently share a stream. */
	if (!source || strlen(source) > NAME_MAX_LEN)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, source) == 0)
			return s->v[i].r;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		stream *v = realloc(s->v, cap * sizeof *v);
		if (!v)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	gsl_rng *r = gsl_rng_alloc(s->type);
	if (!r)
		return NULL;
	gsl_rng_set(r, (unsigned long)esc_rng_stream_seed(s->base_seed, s->rep, source));
	stream *st = &s->v[s->n++];
	strcpy(st->name, source);
	st->r = r;
	return r;
}
