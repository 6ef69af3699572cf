/* rng.h: random streams for replications.
 *
 * Each stochastic source of each replication has its own GSL generator,
 * seeded from (base seed, replication, source name) through a 64-bit hash, so
 * that two arms of an experiment that differ in one mechanism draw the same
 * numbers for everything else (common random numbers), and a replication is
 * reproducible whatever ran before it or beside it.
 *
 * The default generator is xoshiro256++ (Blackman and Vigna), plugged into GSL
 * as a gsl_rng_type so every GSL distribution works on it.  Unlike GSL's
 * built-in types, whose seeds are 32 bits, it takes the full 64-bit seed, so
 * distinct (seed, replication, source) triples do not collide in practice.
 */
#ifndef ESCSIM_RNG_H
#define ESCSIM_RNG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

/* GSL generator type: xoshiro256++, state seeded by splitmix64(seed). */
extern const gsl_rng_type *esc_rng_xoshiro256pp;

#define ESC_RNG_GAMMA 0x9e3779b97f4a7c15ULL   /* splitmix64's increment */

/* splitmix64 finaliser: a bijective 64-bit mix.  Inline, as are the key
 * formulas below: the model computes several keys for every event, and a
 * key with constant parts folds to fewer mixes where it is used. */
static inline uint64_t esc_rng_mix64(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The seed of one source's stream: a hash of all three parts.  Stable across
 * platforms and releases (it is part of the results' reproducibility). */
uint64_t esc_rng_stream_seed(uint64_t base_seed, uint64_t rep, const char *source);

/* Keys: where a draw stands.  A key names what a draw is about (an
 * arrival, a message, a decision) by its lineage rather than by the order
 * things happened in, so the numbers drawn about it are the same in every
 * arm of an experiment that has it, whatever else differs (common random
 * numbers that survive a change elsewhere in the replication).
 *
 * esc_rng_key(parent, tag, i): the key of the i-th thing of kind `tag`
 * under `parent` (0 for a root).  esc_rng_key_seed(stream_seed, key): the
 * seed of a stream's generator positioned at a key.  Both are fixed
 * formulas and part of the results' reproducibility; exactly:
 *
 *   key(parent, tag, i) = mix64( mix64(parent + tag * GAMMA) ^ mix64(i + GAMMA) )
 *   key_seed(s, key)    = mix64( s ^ mix64(key) )
 *
 * with GAMMA = ESC_RNG_GAMMA.  The inner mixes keep (tag, i) pairs apart: a
 * small tag change and a small index change land in unrelated words before
 * they meet. */
static inline uint64_t esc_rng_key(uint64_t parent, uint64_t tag, uint64_t i)
{
	return esc_rng_mix64(esc_rng_mix64(parent + tag * ESC_RNG_GAMMA) ^
	                     esc_rng_mix64(i + ESC_RNG_GAMMA));
}

static inline uint64_t esc_rng_key_seed(uint64_t stream_seed, uint64_t key)
{
	return esc_rng_mix64(stream_seed ^ esc_rng_mix64(key));
}

/* gsl_rng_set(r, seed), with the whole 64-bit seed: for xoshiro256++ the
 * state is written here directly, without GSL's two calls through
 * pointers (the model positions a generator at a key before nearly every
 * draw); other types go through gsl_rng_set. */
void esc_rng_seed(gsl_rng *r, uint64_t seed);

/* A set of named streams for one worker.  Streams are created on first use
 * and reseeded for each replication; pointers returned by esc_streams_get
 * stay valid until esc_streams_free. */
typedef struct esc_streams esc_streams;

/* type NULL means esc_rng_xoshiro256pp.  NULL when out of memory. */
esc_streams *esc_streams_new(const gsl_rng_type *type);
void esc_streams_free(esc_streams *s);

/* Select the replication: every existing and future stream is seeded with
 * esc_rng_stream_seed(base_seed, rep, name). */
void esc_streams_begin(esc_streams *s, uint64_t base_seed, uint64_t rep);

/* The stream for a source name (at most 63 characters).  NULL when out of
 * memory. */
gsl_rng *esc_streams_get(esc_streams *s, const char *source);

#endif
