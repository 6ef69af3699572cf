/* outfile.c: output files written whole or not at all (outfile.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

int esc_out_check(const char *out, const char *input, const char *opt,
                  esc_error *err)
{
	struct stat a, b;
	if (!out || stat(out, &b) != 0)
		return ESC_OK;
	if (!S_ISREG(b.st_mode))
		return esc_error_set(err, ESC_ERR_INPUT, "%s: '%s' exists and is not "
		                     "a regular file: give another name", opt, out);
	if (stat(input, &a) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return esc_error_set(err, ESC_ERR_INPUT, "%s: '%s' is the result file "
		                     "itself: give another name", opt, out);
	return ESC_OK;
}

int esc_out_open(esc_out *s, const char *final, int gzip, esc_error *err)
{
	memset(s, 0, sizeof *s);
	int fd = -1, e = 0;
	if (!final) {
		fd = dup(STDOUT_FILENO);
	} else {
		size_t n = strlen(final) + 24;
		if (!(s->tmp = malloc(n)) || !(s->final = strdup(final))) {
			free(s->tmp);
			memset(s, 0, sizeof *s);
			return esc_error_set(err, ESC_ERR_RUNTIME, "out of memory");
		}
		snprintf(s->tmp, n, "%s.partial-XXXXXX", final);
		fd = mkstemp(s->tmp);
		if (fd >= 0)
			fchmod(fd, 0644);
	}
	e = errno;
	if (fd >= 0 && gzip)
		s->gz = gzdopen(fd, "wb6");
	else if (fd >= 0)
		s->fp = fdopen(fd, "wb");
	if (s->gz || s->fp)
		return ESC_OK;
	if (fd >= 0)
		close(fd);
	if (fd >= 0 && s->tmp)
		unlink(s->tmp);
	esc_error_set(err, ESC_ERR_RUNTIME, "cannot write '%s': %s",
	              final ? final : "standard output",
	              fd < 0 && e ? strerror(e) : "cannot open a stream on it");
	free(s->tmp);
	free(s->final);
	memset(s, 0, sizeof *s);
	return ESC_ERR_RUNTIME;
}

void esc_out_write(esc_out *s, const char *buf, size_t len)
{
	if (s->failed || len == 0)
		return;
	if (s->gz)
		s->failed = gzwrite(s->gz, buf, (unsigned)len) != (int)len;
	else
		s->failed = fwrite(buf, 1, len, s->fp) != len;
}

int esc_out_close(esc_out *s, int commit, esc_error *err)
{
	int bad = s->failed;
	if (s->gz)
		bad |= gzclose(s->gz) != Z_OK;
	else if (s->fp)
		bad |= fflush(s->fp) != 0 || (s->tmp && fsync(fileno(s->fp)) != 0) ||
		       fclose(s->fp) != 0;
	int e = errno;
	int st = ESC_OK;
	if (commit && bad)
		st = esc_error_set(err, ESC_ERR_RUNTIME, "cannot write '%s': %s",
		                   s->final ? s->final : "standard output",
		                   e ? strerror(e) : "write failed");
	if (s->tmp && (!commit || st) )
		unlink(s->tmp);
	else if (s->tmp && rename(s->tmp, s->final) != 0) {
		st = esc_error_set(err, ESC_ERR_RUNTIME, "cannot write '%s': %s",
		                   s->final, strerror(errno));
		unlink(s->tmp);
	}
	free(s->tmp);
	free(s->final);
	memset(s, 0, sizeof *s);
	return st;
}

