/* parallel.c: MPI ranks for the batch (parallel.h, escsim/batch.h).
 *
 * The only file that includes mpi.h.  MPI is initialised with
 * MPI_THREAD_FUNNELED: worker threads never call MPI, the main thread
 * (the batch's writer) does.  Without -DESCSIM_MPI: one rank. */
#include "escsim/batch.h"
#include "parallel.h"

#ifdef ESCSIM_MPI
#include <mpi.h>

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

int64_t esc_par_max(int64_t v)
{
	if (!started)
		return v;
	long long in = v, out = v;
	MPI_Allreduce(&in, &out, 1, MPI_LONG_LONG, MPI_MAX, MPI_COMM_WORLD);
	return out;
}

int64_t esc_par_sum(int64_t v)
{
	if (!started)
		return v;
	long long in = v, out = v;
	MPI_Allreduce(&in, &out, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
	return out;
}

#else

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
