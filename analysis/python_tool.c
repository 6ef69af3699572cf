/* python_tool.c: find and run a Python tool of analysis/ (python_tool.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "python_tool.h"

#ifndef ESCSIM_DATADIR
#define ESCSIM_DATADIR "/usr/local/share/escsim"
#endif

static int is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int find_tool(const char *name, const char *argv0, char *out, size_t size)
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
			const char *up[] = { "/../analysis", "/../../analysis", "/../../../analysis" };
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

int esc_python_tool(const char *name, const char *argv0, const char *what,
                    const char *needs, const char *const *args, esc_error *err)
{
	char script[4200];
	if (find_tool(name, argv0, script, sizeof script) < 0)
		return esc_error_set(err, ESC_ERR_RUNTIME, "%s: cannot find analysis/%s (set "
		                     "ESCSIM_ANALYSIS to its folder, or run 'make install')", what, name);
	const char *py = getenv("ESCSIM_PYTHON");
	if (!py || !*py)
		py = "/usr/bin/python3";
	size_t n = 0;
	while (args[n])
		n++;
	const char **av = calloc(n + 3, sizeof *av);
	if (!av)
		return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
	av[0] = py;
	av[1] = script;
	memcpy(av + 2, args, n * sizeof *av);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		free(av);
		return esc_error_set(err, ESC_ERR_RUNTIME, "%s: cannot start %s: %s", what, py, strerror(errno));
	}
	if (pid == 0) {
		setenv("MPLBACKEND", "Agg", 1);
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execv(py, (char *const *)av);
		fprintf(stderr, "escsim: %s: cannot run %s: %s\n", what, py, strerror(errno));
		_exit(127);
	}
	free(av);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return esc_error_set(err, ESC_ERR_RUNTIME, "%s: %s", what, strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return esc_error_set(err, ESC_ERR_RUNTIME, "%s: %s %s failed (exit %d; its message is "
		                     "above; it needs %s)", what, py, script,
		                     WIFEXITED(status) ? WEXITSTATUS(status) : -1, needs);
	return ESC_OK;
}
