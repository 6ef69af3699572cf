/* helpers.c: the small helpers every file of the Lua layer calls, near the
 * bottom of it (they call only stdlib_lua.c's sort; script.h has the map):
 *   - the names of hooks, causes, event kinds, message kinds and replies,
 *     and looking a name up in a list ("a, b, c" for messages);
 *   - sorted keys and pairs(t) in a fixed order, so that nothing a script
 *     or the schema does depends on the order of a hash table;
 *   - type names and suggestions for messages;
 *   - reading a source file and checking it is UTF-8 text, and whether an
 *     error message already says where it happened.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "escsim/suggest.h"
#include "script.h"

#define MAX_SOURCE_BYTES ((size_t)16 << 20)    /* esc_lua_read_error says so */

/* ---- names ---------------------------------------------------------- */

const char *const esc_lua_hook_names[ESC_N_HOOKS] = {
	[ESC_HOOK_ATTRIBUTE] = "attribute",
	[ESC_HOOK_OBSERVED] = "on_incident_observed",
	[ESC_HOOK_CELL_REQUEST] = "on_cell_request",
	[ESC_HOOK_CELL_REPLY] = "on_cell_reply",
	[ESC_HOOK_PRE_OPERATION] = "pre_operation",
	[ESC_HOOK_TICK] = "on_tick",
	[ESC_HOOK_EVENT] = "on_event",
};
const size_t esc_lua_n_hook_names = ESC_N_HOOKS;

const char *const esc_lua_cause_names[3] = {"background", "triggered", "policy"};
const char *const esc_lua_kind_names[2] = {"incident", "protest"};
const char *const esc_lua_message_kind_names[ESC_LUA_N_MESSAGE_KINDS] = {
	"query", "notify", "protest", "restraint", "intel"};          /* esc_message_kind */
const char *const esc_lua_reply_names[ESC_LUA_N_REPLIES] = {
	"answer", "deny", "share_intel", "commit_enforce", "refuse"}; /* esc_reply_kind */

int esc_lua_name_index(char (*names)[ESC_NAME_MAX], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

const char *esc_lua_name_list(char *buf, size_t cap, char (*names)[ESC_NAME_MAX], size_t n)
{
	size_t k = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && k < cap; i++) {
		int w = snprintf(buf + k, cap - k, "%s%s", i ? ", " : "", names[i]);
		if (w < 0)
			break;
		k += (size_t)w;
	}
	return buf;
}

/* ---- sorted keys and pairs -------------------------------------------- */

typedef struct sort_key {
	int is_str, is_int;
	lua_Integer i;
	lua_Number d;
	const char *s;
	size_t len;
	lua_Integer pos;        /* index in the anchoring table */
} sort_key;

static int cmp_keys(const sort_key *a, const sort_key *b)
{
	if (a->is_str != b->is_str)
		return a->is_str - b->is_str;          /* numbers first */
	if (a->is_str) {
		size_t n = a->len < b->len ? a->len : b->len;
		int c = memcmp(a->s, b->s, n);
		return c ? c : (a->len > b->len) - (a->len < b->len);
	}
	if (a->is_int && b->is_int)
		return (a->i > b->i) - (a->i < b->i);
	lua_Number x = a->is_int ? (lua_Number)a->i : a->d;
	lua_Number y = b->is_int ? (lua_Number)b->i : b->d;
	return (x > y) - (x < y);
}

static int key_less(lua_State *L, const void *a, const void *b, void *ud)
{
	(void)L;
	(void)ud;
	return cmp_keys(a, b) < 0;
}

/* Any allocation may run a script's __gc finalizer, which may change t: so
 * the keys are first copied into a table of our own that anchors them (the
 * C array points into those strings), and nothing relies on t afterwards. */
int esc_lua_sorted_keys(lua_State *L, int t)
{
	t = lua_absindex(L, t);
	lua_newtable(L);
	int keys = lua_gettop(L);
	lua_Integer n = 0;
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		int kt = lua_type(L, -1);
		if (kt != LUA_TNUMBER && kt != LUA_TSTRING) {
			lua_settop(L, keys - 1);
			return -1;
		}
		lua_pushvalue(L, -1);
		lua_rawseti(L, keys, ++n);
	}
	sort_key *k = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *k, 0);
	for (lua_Integer i = 1; i <= n; i++) {
		sort_key *e = &k[i - 1];
		memset(e, 0, sizeof *e);
		e->pos = i;
		lua_rawgeti(L, keys, i);
		if (lua_type(L, -1) == LUA_TSTRING) {
			e->is_str = 1;
			e->s = lua_tolstring(L, -1, &e->len);   /* anchored by keys */
		} else if (lua_isinteger(L, -1)) {
			e->is_int = 1;
			e->i = lua_tointeger(L, -1);
		} else {
			e->d = lua_tonumber(L, -1);
		}
		lua_pop(L, 1);
	}
	esc_lua_sort(L, k, (size_t)n, sizeof *k, key_less, NULL);   /* bounded, unlike qsort */
	lua_createtable(L, (int)n, 0);
	for (lua_Integer i = 0; i < n; i++) {
		lua_rawgeti(L, keys, k[i].pos);
		lua_rawseti(L, -2, i + 1);
	}
	lua_replace(L, keys);
	lua_settop(L, keys);
	return (int)n;
}

static int sorted_next(lua_State *L)
{
	lua_Integer i = lua_tointeger(L, lua_upvalueindex(3)) + 1;
	if (lua_rawgeti(L, lua_upvalueindex(2), i) == LUA_TNIL)
		return 1;
	lua_pushinteger(L, i);
	lua_replace(L, lua_upvalueindex(3));
	lua_pushvalue(L, -1);
	lua_rawget(L, lua_upvalueindex(1));
	return 2;
}

/* Lua 5.4 seeds string hashes per state, so plain pairs() would visit keys
 * in a different order in every run (and every worker): replications would
 * not be reproducible.  The keys are sorted once, when the loop starts. */
int esc_lua_sorted_pairs(lua_State *L)
{
	if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
		lua_pushvalue(L, 1);
		lua_call(L, 1, 3);
		return 3;
	}
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	if (esc_lua_sorted_keys(L, 1) < 0)
		return luaL_error(L, "pairs: a key is neither a number nor a string, so the keys have no fixed order "
		                  "(use ipairs, or next if the order does not matter)");
	lua_pushinteger(L, 0);
	lua_pushcclosure(L, sorted_next, 3);
	return 1;
}

const char *esc_lua_typename(lua_State *L, int idx)
{
	if (luaL_testudata(L, idx, ESC_REG_DIST))
		return "distribution";
	if (lua_type(L, idx) == LUA_TNUMBER) {
		lua_Number x = lua_tonumber(L, idx);
		if (isnan(x))
			return "nan";
		if (isinf(x))
			return x > 0 ? "inf" : "-inf";
	}
	return luaL_typename(L, idx);
}

const char *esc_lua_suggest(const char *key, const char *const *candidates, size_t n)
{
	return esc_suggest(key, candidates, n);
}

size_t esc_lua_utf8_seq(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	if (n == 0)
		return 0;
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	size_t len;
	uint32_t cp, min;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;       /* overlong, past Unicode, or a surrogate */
	return len;
}

size_t esc_lua_utf8_bad(const char *s, size_t n)
{
	size_t i = 0, k;
	while (i < n && (k = esc_lua_utf8_seq(s + i, n - i)) > 0)
		i += k;
	return i;
}

int esc_lua_is_identifier(const char *s, size_t len, size_t max)
{
	if (len == 0 || len > max)
		return 0;
	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* ---- sources ---------------------------------------------------------- */

/* Does msg start with "chunk:line: " (as Lua's own and error()'s do)? */
int esc_lua_has_location(const char *msg)
{
	const char *colon = strchr(msg, ':');
	while (colon && colon > msg) {
		const char *d = colon + 1;
		while (*d >= '0' && *d <= '9')
			d++;
		if (d > colon + 1 && d[0] == ':' && d[1] == ' ')
			return 1;
		if (memchr(msg, '\n', (size_t)(colon - msg)))
			return 0;
		colon = strchr(colon + 1, ':');
	}
	return 0;
}

char *esc_lua_read_file(const char *path, size_t *len)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return NULL;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return NULL;
	}
	if ((size_t)st.st_size > MAX_SOURCE_BYTES) {
		errno = EFBIG;
		return NULL;
	}
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - 1 - n, f);
		if (n < cap - 1 || ferror(f))
			break;
		int c = fgetc(f);   /* the file grew since stat */
		if (c == EOF)
			break;
		if (cap > MAX_SOURCE_BYTES) {
			free(buf);
			buf = NULL;
			errno = EFBIG;
			break;
		}
		char *nb = realloc(buf, cap * 2);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		buf[n++] = (char)c;
		cap *= 2;
	}
	if (buf && ferror(f)) {
		free(buf);
		buf = NULL;
		errno = EIO;
	}
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

const char *esc_lua_read_error(int errnum)
{
	if (errnum == EINVAL)
		return "not a regular file (a pipe, a socket or a device): give it as a file";
	if (errnum == EFBIG)
		return "larger than 16 MiB, the most a scenario or module may be";
	return strerror(errnum);
}

int esc_lua_check_source(const char *path, const char *text, size_t len, esc_error *err)
{
	const char *nul = memchr(text, '\0', len);
	if (nul)
		return esc_error_set(err, ESC_ERR_INPUT, "%s: not a text file (a NUL byte at offset %zu)",
		                     path, (size_t)(nul - text));
	size_t bad = esc_lua_utf8_bad(text, len);
	if (bad < len) {
		size_t line = 1;
		for (size_t i = 0; i < bad; i++)
			line += text[i] == '\n';
		return esc_error_set(err, ESC_ERR_INPUT, "%s:%zu: not UTF-8 text (byte 0x%02x at offset %zu): "
		                     "the results keep the source as UTF-8, so save the file as UTF-8",
		                     path, line, (unsigned char)text[bad], bad);
	}
	return ESC_OK;
}
