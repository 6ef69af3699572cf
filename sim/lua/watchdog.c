/* watchdog.c: the CPU-time budget of script calls, and stopping a script at
 * a signal.
 *
 * Every outermost call into Lua (esc_lua_pcall) runs under a budget of CPU
 * time (limits.cpu, default 2 s).  Ordinary calls pay nothing per VM
 * instruction for it: entering and leaving a call only bump a sequence
 * number.  A watchdog thread per scenario wakes every TICK_MS, and when it
 * sees the same call still running on two wake-ups it reads the CPU clock
 * of the thread running it; once the call has used its budget, or once the
 * host's interrupt flag is set (SIGINT, SIGTERM), it marks the call as one
 * to stop and sends the thread STOP_SIGNAL.  The handler, on the thread
 * running Lua, arms a count hook on the coroutine running
 * (esc_scenario.running) with lua_sethook, the one function Lua documents
 * as safe to call asynchronously (lua.c does the same for SIGINT); the hook
 * raises the located error at the next VM instruction, and again at every
 * instruction after, so a script that catches it with pcall cannot carry
 * on.  C code that can run long without a VM instruction (the pattern
 * matcher, pattern.c) asks esc_lua_check_stop itself.
 *
 * Invariants:
 *   - call_seq is odd exactly while an outermost call runs; only the thread
 *     running calls writes it.
 *   - stop_seq names the call that must stop (the watchdog writes it, after
 *     stop_why); a call is stopping iff stop_seq == call_seq and it is odd,
 *     so a mark that arrives after its call ended stops nothing.
 *   - a hook found armed outside a stopping call removes itself.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "script.h"

#define TICK_MS 50
/* SIGURG is ignored by default: a stray one (after the call ended, or with
 * the handler not installed) does nothing. */
#define STOP_SIGNAL SIGURG
/* Instructions only: a call hook would also fire on the call of the error
 * message handler and raise again there, losing the line of the error. */
#define STOP_MASK LUA_MASKCOUNT

struct esc_lua_watch {
	pthread_t thread;           /* the watchdog */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int quit;
	pthread_t caller;           /* the thread that ran the last call */
	clockid_t caller_clock;     /* its CPU-time clock */
	int have_caller;
};

/* The scenario whose call runs on this thread, for the signal handler.
 * initial-exec: a static library's TLS needs no allocation on first use,
 * so reading it in a signal handler is safe. */
static __thread esc_scenario *running_here __attribute__((tls_model("initial-exec")));

static int stop_why(esc_scenario *s)
{
	uint64_t seq = atomic_load_explicit(&s->call_seq, memory_order_relaxed);
	if (!(seq & 1) || atomic_load_explicit(&s->stop_seq, memory_order_acquire) != seq)
		return 0;
	return atomic_load_explicit(&s->stop_why, memory_order_relaxed);
}

int esc_lua_stopping(esc_scenario *s)
{
	return stop_why(s);
}

/* Push "FILE:LINE: " of the innermost line of script running in L, or "". */
static void push_where(lua_State *L)
{
	lua_Debug ar;
	for (int level = 0; lua_getstack(L, level, &ar); level++)
		if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
			lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
			return;
		}
	lua_pushliteral(L, "");
}

static void push_stop_message(lua_State *L, esc_scenario *s, int why)
{
	if (why == ESC_LUA_STOP_INTERRUPT)
		lua_pushliteral(L, "interrupted by a signal");
	else
		lua_pushfstring(L, "CPU time budget of %s s per call exceeded (limits.cpu): an endless loop?",
		                s->cpu_text);
}

static void stop_hook(lua_State *L, lua_Debug *ar)
{
	(void)ar;
	esc_scenario *s = esc_lua_scenario(L);
	int why = stop_why(s);
	if (!why) {
		lua_sethook(L, NULL, 0, 0);      /* left over from a call that ended */
		return;
	}
	lua_sethook(L, stop_hook, STOP_MASK, 1);
	push_where(L);
	push_stop_message(L, s, why);
	lua_concat(L, 2);
	lua_error(L);
}

void esc_lua_check_stop(lua_State *L)
{
	esc_scenario *s = esc_lua_scenario(L);
	int why = stop_why(s);
	if (!why)
		return;
	lua_sethook(L, stop_hook, STOP_MASK, 1);
	push_stop_message(L, s, why);
	lua_error(L);           /* the message handler adds the script's line */
}

void esc_lua_arm_if_stopping(lua_State *L)
{
	if (stop_why(esc_lua_scenario(L)))
		lua_sethook(L, stop_hook, STOP_MASK, 1);
}

static void on_stop_signal(int sig)
{
	(void)sig;
	int saved = errno;
	esc_scenario *s = running_here;
	if (s && s->L && stop_why(s))
		lua_sethook(s->running ? s->running : s->L, stop_hook, STOP_MASK, 1);
	errno = saved;
}

static void install_handler(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sa.sa_flags = SA_RESTART;       /* a system call it lands in goes on */
	sigemptyset(&sa.sa_mask);
	sigaction(STOP_SIGNAL, &sa, NULL);
}

/* ---- the calling side ---------------------------------------------------------- */

void esc_lua_call_begin(esc_scenario *s)
{
	esc_lua_watch *w = s->watch;
	if (w && (!w->have_caller || !pthread_equal(w->caller, pthread_self()))) {
		clockid_t c;
		pthread_mutex_lock(&w->mu);
		w->caller = pthread_self();
		w->have_caller = pthread_getcpuclockid(w->caller, &c) == 0;
		w->caller_clock = c;
		pthread_mutex_unlock(&w->mu);
	}
	s->running = NULL;
	running_here = s;
	atomic_store_explicit(&s->call_seq, atomic_load_explicit(&s->call_seq, memory_order_relaxed) + 1,
	                      memory_order_release);
}

void esc_lua_call_end(esc_scenario *s)
{
	atomic_store_explicit(&s->call_seq, atomic_load_explicit(&s->call_seq, memory_order_relaxed) + 1,
	                      memory_order_release);
	running_here = NULL;
	s->running = NULL;
}

void esc_lua_budget_restart(esc_scenario *s)
{
	if (atomic_load_explicit(&s->call_seq, memory_order_relaxed) & 1) {
		esc_lua_call_end(s);
		esc_lua_call_begin(s);
	}
}

/* ---- the watchdog thread --------------------------------------------------------- */

static double cpu_seconds(clockid_t c)
{
	struct timespec ts;
	if (clock_gettime(c, &ts) != 0)
		return -1;
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *watch_main(void *arg)
{
	esc_scenario *s = arg;
	esc_lua_watch *w = s->watch;
	uint64_t seen = 0;          /* the call whose start was measured */
	double start = 0;
	pthread_mutex_lock(&w->mu);
	while (!w->quit) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&w->cv, &w->mu, &until);
		if (w->quit)
			break;
		uint64_t seq = atomic_load_explicit(&s->call_seq, memory_order_acquire);
		if (!(seq & 1) || !w->have_caller)
			continue;
		const volatile sig_atomic_t *intr = s->interrupt;
		int why = intr && *intr ? ESC_LUA_STOP_INTERRUPT : 0;
		if (!why) {
			double now = cpu_seconds(w->caller_clock);
			if (seq != seen) {  /* a new call: it started within the last tick */
				seen = seq;
				start = now;
				continue;
			}
			if (now >= 0 && now - start >= s->cpu_budget_s)
				why = ESC_LUA_STOP_BUDGET;
		}
		if (why) {
			atomic_store_explicit(&s->stop_why, why, memory_order_relaxed);
			atomic_store_explicit(&s->stop_seq, seq, memory_order_release);
			/* Again at every tick while the call runs: the signal may
			 * have armed a coroutine that has since handed back. */
			pthread_kill(w->caller, STOP_SIGNAL);
		}
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int esc_lua_watch_start(esc_scenario *s, esc_error *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, install_handler);
	esc_lua_watch *w = calloc(1, sizeof *w);
	if (!w)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	int e = pthread_mutex_init(&w->mu, NULL);
	if (e == 0 && (e = pthread_cond_init(&w->cv, &ca)) != 0)
		pthread_mutex_destroy(&w->mu);
	pthread_condattr_destroy(&ca);
	if (e != 0) {
		free(w);
		return esc_error_set(err, ESC_ERR_RUNTIME, "cannot set up the script watchdog: %s",
		                     strerror(e));
	}
	s->watch = w;
	if ((e = pthread_create(&w->thread, NULL, watch_main, s)) != 0) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w);
		s->watch = NULL;
		return esc_error_set(err, ESC_ERR_RUNTIME, "cannot start the script watchdog "
		                     "thread: %s", strerror(e));
	}
	return ESC_OK;
}

void esc_lua_watch_stop(esc_scenario *s)
{
	esc_lua_watch *w = s->watch;
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->quit = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
	s->watch = NULL;
}
