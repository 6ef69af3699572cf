/* parallel.h: the MPI ranks of a batch (private to sim/batch).
 *
 * An MPI build (make MPI=1, compiled with -DESCSIM_MPI) started by mpirun
 * runs one escsim per rank; each runs a block of the replications into its
 * own shard file and rank 0 joins the shards.  Without MPI there is one
 * rank and every function here is trivial.  Only the thread that called
 * esc_batch_parallel_init calls these (MPI_THREAD_FUNNELED).
 */
#ifndef ESCSIM_BATCH_PARALLEL_H
#define ESCSIM_BATCH_PARALLEL_H

#include <stdint.h>

int esc_par_rank(void);
int esc_par_size(void);
/* The largest of every rank's value (an agreement step: every rank calls
 * it, in the same order). */
int64_t esc_par_max(int64_t v);
/* The sum of every rank's value. */
int64_t esc_par_sum(int64_t v);
/* Let the calling thread (and threads it starts) run on every CPU the
 * process may use, and return what to restore (NULL: nothing changed);
 * for rank 0's join, when mpirun has bound the rank to one core. */
void *esc_par_widen_affinity(void);
void esc_par_restore_affinity(void *saved);

#endif
