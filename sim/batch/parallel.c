/* parallel.c: MPI ranks for the batch (parallel.h, escsim/batch.h).
 *
 * The only file that includes mpi.h.  MPI is initialised with
 * MPI_THREAD_FUNNELED: worker threads never call MPI, the main thread
 * (the batch's writer) does.  Without -DESCSIM_MPI: one rank. */
#if defined(ESCSIM_MPI) && defined(__linux__)
#define _GNU_SOURCE                     /* sched_setaffinity, CPU_SET */
#include <sched.h>
#endif
#include <stdlib.h>

#include "escsim/batch.h"
#include "parallel.h"

#ifdef ESCSIM_MPI
#include <mpi.h>
#include <time.h>

/* mpirun binds each rank to a core (Open MPI's default with up to two
 * ranks, and with --bind-to core).  Rank 0 joins the shards alone, after
 * every rank has finished, and deflates on several threads: for that it
 * may use every CPU the process is allowed (the kernel keeps it within its
 * cpuset), then goes back to its core. */
void *esc_par_widen_affinity(void)
{
#ifdef __linux__
	cpu_set_t *old = malloc(sizeof *old), all;
	if (!old)
		return NULL;
	if (sched_getaffinity(0, sizeof *old, old) != 0) {
		free(old);
		return NULL;
	}
	CPU_ZERO(&all);
	for (int c = 0; c < CPU_SETSIZE; c++)
		CPU_SET(c, &all);
	if (sched_setaffinity(0, sizeof all, &all) != 0) {
		free(old);
		return NULL;
	}
	return old;
#else
	return NULL;
#endif
}

void esc_par_restore_affinity(void *saved)
{
#ifdef __linux__
	if (saved)
		sched_setaffinity(0, sizeof(cpu_set_t), saved);
#endif
	free(saved);
}

static int started;

int esc_batch_parallel_init(int *argc, char ***argv)
{
	int provided = 0;
	if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
		return -1;
	started = 1;
	return 0;
}

void esc_batch_parallel_finalize(void)
{
	if (started)
		MPI_Finalize();
	started = 0;
}

int esc_par_rank(void)
{
	int r = 0;
	if (started)
		MPI_Comm_rank(MPI_COMM_WORLD, &r);
	return r;
}

int esc_par_size(void)
{
	int n = 1;
	if (started)
		MPI_Comm_size(MPI_COMM_WORLD, &n);
	return n;
}

/* An allreduce that waits asleep: a rank that is done (or rank 0's join
 * ahead) does not spin on a core the others need.  Open MPI's blocking
 * collectives poll without yielding, which under SCHED_FIFO keeps the core
 * from any other thread at the same priority.  Polling every 0.2 ms costs
 * at most that much per call, and there are a handful of calls per run. */
static int64_t allreduce(int64_t v, MPI_Op op)
{
	if (!started)
		return v;
	long long in = v, out = v;
	MPI_Request req;
	if (MPI_Iallreduce(&in, &out, 1, MPI_LONG_LONG, op, MPI_COMM_WORLD, &req) !=
	    MPI_SUCCESS) {
		MPI_Allreduce(&in, &out, 1, MPI_LONG_LONG, op, MPI_COMM_WORLD);
		return out;
	}
	int done = 0;
	const struct timespec nap = { 0, 200 * 1000 };
	while (MPI_Test(&req, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && !done)
		nanosleep(&nap, NULL);
	return out;
}

int64_t esc_par_max(int64_t v)
{
	return allreduce(v, MPI_MAX);
}

int64_t esc_par_sum(int64_t v)
{
	return allreduce(v, MPI_SUM);
}

#else

void *esc_par_widen_affinity(void) { return NULL; }
void esc_par_restore_affinity(void *saved) { (void)saved; }

int esc_batch_parallel_init(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

void esc_batch_parallel_finalize(void) {}
int esc_par_rank(void) { return 0; }
int esc_par_size(void) { return 1; }
int64_t esc_par_max(int64_t v) { return v; }
int64_t esc_par_sum(int64_t v) { return v; }

#endif

int esc_batch_rank(void) { return esc_par_rank(); }
int esc_batch_ranks(void) { return esc_par_size(); }
