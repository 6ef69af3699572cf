/* h5_util.c: the small helpers every file of sim/h5 uses, each once
 * (h5_util.h): the library's set-up on entry (HDF5's error printing kept
 * quiet), string copies, the folder of a path, syncing to disk, SHA-256 in
 * hex, the `created` timestamp, the innermost reason on HDF5's error stack
 * and the failure messages built on it, a list of names gathered by an
 * HDF5 iteration, and lines joined as the sources digest joins them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "h5_util.h"

void esc_h5_enter(void)
{
	/* Before the library's first call it takes effect; after, HDF5
	 * refuses it quietly, and the first entry already made it. */
	static int done;
	if (!done) {
		H5dont_atexit();
		done = 1;
	}
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

char *esc_h5_dup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

char *esc_h5_cat(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);
	if (s) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb + 1);
	}
	return s;
}

char *esc_h5_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return esc_h5_dup(".");
	if (slash == path)
		return esc_h5_dup("/");
	char *d = malloc((size_t)(slash - path) + 1);
	if (d) {
		memcpy(d, path, (size_t)(slash - path));
		d[slash - path] = '\0';
	}
	return d;
}

int esc_h5_fsync_path(const char *path, int directory)
{
	int fd = open(path, O_RDONLY | (directory ? O_DIRECTORY : 0));
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	/* Some file systems cannot sync a directory; the rename stands. */
	if (rc < 0 && directory && errno == EINVAL)
		rc = 0;
	int saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int esc_h5_sha256_hex(const char *text, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL) != 1 ||
	    len != 32)
		return -1;
	for (unsigned i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* ---------------------------------------------------------------- reasons */

struct reason_ctx {
	char *buf;
	size_t size;
	int found_errno_text;
	int locked;
};

/* Walked innermost first; the first line with words is kept.  HDF5 puts
 * the OS's words in "error message = '...'"; those say more to a user than the library's own phrase, except for
 * a lock, where EAGAIN's words would hide that another program has it. */
static herr_t reason_cb(unsigned n, const H5E_error2_t *e, void *data)
{
	struct reason_ctx *c = data;
	const char *d = e->desc ? e->desc : "";
	(void)n;
	const char *m = strstr(d, "error message = '");
	if (e->min_num == H5E_CANTLOCKFILE)
		c->locked = 1;
	if (m && !c->found_errno_text) {
		m += strlen("error message = '");
		const char *end = strchr(m, '\'');
		size_t len = end ? (size_t)(end - m) : strlen(m);
		if (len >= c->size)
			len = c->size - 1;
		memcpy(c->buf, m, len);
		c->buf[len] = '\0';
		c->found_errno_text = 1;
	} else if (!c->buf[0] && !c->found_errno_text && *d) {
		snprintf(c->buf, c->size, "%s", d);
	}
	return 0;
}

int esc_h5_reason(char *buf, size_t size)
{
	if (!size)
		return 0;
	buf[0] = '\0';
	struct reason_ctx c = { buf, size, 0, 0 };
	H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, reason_cb, &c);
	if (c.locked)
		snprintf(buf, size, "it is open in another program (HDF5 file "
		         "lock; if no program has it, see HDF5_USE_FILE_LOCKING)");
	else if (!buf[0])
		snprintf(buf, size, "HDF5 library error");
	return c.locked;
}

int esc_h5_fail_at(esc_error *err, const char *where, const char *what)
{
	char reason[512];
	esc_h5_reason(reason, sizeof reason);
	return esc_error_set(err, ESC_ERR_RUNTIME, "%s: cannot %s: %s", where,
	                     what, reason);
}

int esc_h5_fail_file(esc_error *err, const char *file, const char *what)
{
	char where[1100];
	snprintf(where, sizeof where, "results file '%s'", file);
	return esc_h5_fail_at(err, where, what);
}

void esc_h5_created(char out[32])
{
	time_t now = time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm) ||
	    !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "unknown");
}

/* ------------------------------------------------------------------ names */

int esc_h5_names_add(esc_h5_names_list *l, const char *name)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		char **v = realloc(l->v, cap * sizeof *v);
		if (!v) {
			l->oom = 1;
			return -1;
		}
		l->v = v;
		l->cap = cap;
	}
	if (!(l->v[l->n] = esc_h5_dup(name))) {
		l->oom = 1;
		return -1;
	}
	l->n++;
	return 0;
}

static herr_t link_cb(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
	(void)g;
	(void)info;
	return esc_h5_names_add(data, name) < 0 ? -1 : 0;
}

int esc_h5_link_names(hid_t loc, const char *path, esc_h5_names_list *l)
{
	memset(l, 0, sizeof *l);
	hid_t g = H5Gopen2(loc, path, H5P_DEFAULT);
	if (g < 0)
		return -1;
	hsize_t idx = 0;
	herr_t rc = H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, link_cb, l);
	H5Gclose(g);
	return rc < 0 || l->oom ? -1 : 0;
}

void esc_h5_names_free(esc_h5_names_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *esc_h5_join_lines(char **lines, size_t n)
{
	if (n > 1)
		qsort(lines + 1, n - 1, sizeof *lines, cmp_str);
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(lines[i]) + 1;
	char *s = malloc(len), *p = s;
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s\n", lines[i]);
	*p = '\0';
	return s;
}
