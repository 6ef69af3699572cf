/* pytool.c: find and run a Python tool of analysis/ (pytool.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "escsim/pytool.h"

#ifndef ESCSIM_DATADIR
#define ESCSIM_DATADIR "/usr/local/share/escsim"
#endif

static int is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int esc_pytool_find(const char *argv0, const char *name, char *out, size_t size)
{
	const char *env = getenv("ESCSIM_ANALYSIS");
	if (env && *env) {
		snprintf(out, size, "%s/%s", env, name);
		if (is_file(out))
			return 0;
	}
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0 && argv0) {
		snprintf(exe, sizeof exe, "%s", argv0);
		n = (ssize_t)strlen(exe);
	}
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			const char *up[] = { "/../analysis", "/../../analysis",
			                     "/../../../analysis" };
			for (int i = 0; i < 3; i++) {
				snprintf(out, size, "%s%s/%s", exe, up[i], name);
				if (is_file(out))
					return 0;
			}
		}
	}
	snprintf(out, size, "%s/analysis/%s", ESCSIM_DATADIR, name);
	return is_file(out) ? 0 : -1;
}

int esc_pytool_run(const char *argv0, const char *name,
                   const char *const *args, const char *what, esc_error *err)
{
	char script[4200];
	if (esc_pytool_find(argv0, name, script, sizeof script) < 0)
		return esc_error_set(err, ESC_ERR_RUNTIME, "%s: cannot find "
		                     "analysis/%s (set ESCSIM_ANALYSIS to its "
		                     "folder, or run 'make install')", what, name);
	const char *py = getenv("ESCSIM_PYTHON");
	if (!py || !*py)
		py = "/usr/bin/python3";
	size_t na = 0;
	while (args[na])
		na++;
	const char **argv = calloc(na + 3, sizeof *argv);
	if (!argv)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	argv[0] = py;
	argv[1] = script;
	for (size_t i = 0; i < na; i++)
		argv[i + 2] = args[i];
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		free(argv);
		return esc_error_set(err, ESC_ERR_RUNTIME, "%s: cannot start %s: %s",
		                     what, py, strerror(errno));
	}
	if (pid == 0) {
		setenv("MPLBACKEND", "Agg", 1);
		/* The tool's messages go to stderr, as ours do. */
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execv(py, (char *const *)argv);
		fprintf(stderr, "escsim: %s: cannot run %s: %s\n", what, py,
		        strerror(errno));
		_exit(127);
	}
	free(argv);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return esc_error_set(err, ESC_ERR_RUNTIME, "%s: %s", what,
			                     strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return esc_error_set(err, ESC_ERR_RUNTIME, "%s: %s %s failed "
		                     "(exit %d; its message is above; it needs "
		                     "python3-matplotlib, python3-h5py and python3-pandas)",
		                     what, py, script, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return ESC_OK;
}
