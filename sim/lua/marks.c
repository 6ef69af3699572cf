/* marks.c: where each table of a scenario was written, for messages.
 *
 * Lua keeps no line numbers for the fields of a table, so a bad value deep
 * in a scenario could only be reported at the scenario{} call.  To do
 * better, the scenario file and every module it requires are loaded
 * through esc_lua_load_marked, which reads the source once with a small
 * Lua tokenizer and rewrites each table constructor that runs when the file
 * loads (one outside every function body) from
 *
 *     { latency = 2, accuracy = "90%" }      f{ ... }
 * to
 *     __escsim_mark(7, { latency = ... })    f(__escsim_mark(8, { ... }))
 *
 * on the same lines, so line numbers, and Lua's own messages, are the
 * file's.  The rewritten chunk takes the marker as its first argument (it
 * is wrapped as `local __escsim_mark = ...; return (function(...) BODY
 * end)(select(2, ...))`, so BODY sees the arguments it always did), and
 * the marker records, in a weak-keyed registry table, each table it is
 * given with its constructor's file, line, and the line of each key written
 * in it (name = ..., ["name"] = ..., [3] = ..., and positional items).
 * Constructors inside function bodies are left alone: they run when hooks
 * run, where a call per table would cost time on every event.
 *
 * esc_lua_locate then turns a key path of the validated table
 * ("cell.accuracy", "incidents[2].rate") into the "file:line" of the key
 * that holds the value, following the path through marked tables (the
 * deepest key found wins).  A policy table built by scenarios/lib/policy.lua
 * has no constructor of its own: its keys are looked up in the tables of
 * arguments it was built from, which its metatable names (__escsim_policy).
 *
 * Deep copies of tables (an arm's copy of the scenario, a replication's
 * copy of a policy) keep the record of each table copied when asked to.
 *
 * A source that does not compile is loaded unchanged, so Lua reports its
 * syntax error as written; should the rewritten text fail to compile (it
 * should not), the original is loaded instead, without marks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"

#define MARK_NAME "__escsim_mark"

/* ---- the scan -------------------------------------------------------------- */

/* A key of a constructor and its line. */
typedef struct ctor_key {
	int ctor;                /* whose key (nested constructors interleave) */
	int is_int;
	long long i;             /* [3] = or the 3rd positional item */
	size_t at, len;          /* a name or string key: its bytes in the source */
	int line;
} ctor_key;

typedef struct ctor {
	int line;
	int n_keys;
} ctor;

/* An insertion into the source: text before byte `at`. */
typedef struct insert {
	size_t at;
	int kind;                /* OPEN_CALL, OPEN, CLOSE_CALL, CLOSE */
	int id;
} insert;
enum { OPEN_CALL, OPEN, CLOSE_CALL, CLOSE };

enum { T_EOF, T_NAME, T_KEYWORD, T_STRING, T_NUMBER, T_PUNCT };

typedef struct token {
	int type;
	size_t at, len;          /* bytes (a string: with its quotes) */
	int line;
} token;

/* An open bracket: a constructor being scanned, or a ( or [ inside one. */
typedef struct open {
	char ch;                 /* '{', '(', '[' */
	int ctor;                /* '{': the constructor's index, -1 when not marked */
	int call;                /* '{': written as f{...} */
	int expect_field;        /* '{': the next token starts a field */
	long long positional;    /* '{': positional items so far */
	int blocks;              /* block depth when it opened */
} open;

typedef struct scan {
	const char *s;
	size_t n, pos;
	int line;
	token prev, cur;
	ctor *ctors;
	size_t n_ctors, cap_ctors;
	ctor_key *keys;
	size_t n_keys, cap_keys;
	insert *ins;
	size_t n_ins, cap_ins;
	open *opens;
	size_t n_opens, cap_opens;
	char *blocks;            /* 'f' function, 'b' do / if */
	size_t n_blocks, cap_blocks;
	int fn_depth;            /* function bodies open */
	int failed;              /* out of memory, or a source it cannot read */
} scan;

static void *grow(scan *sc, void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	size_t c = *cap ? *cap * 2 : 64;
	while (c < need)
		c *= 2;
	void *q = realloc(p, c * size);
	if (!q) {
		sc->failed = 1;
		return p;
	}
	*cap = c;
	return q;
}

static int is_name_start(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_name_char(int c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

static int is_keyword(const char *s, size_t n)
{
	static const char *const kw[] = {
		"and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
		"in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
	};
	for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
		if (strlen(kw[i]) == n && memcmp(kw[i], s, n) == 0)
			return 1;
	return 0;
}

static int tok_is(const scan *sc, const token *t, const char *word)
{
	size_t n = strlen(word);
	return t->len == n && memcmp(sc->s + t->at, word, n) == 0;
}

/* A newline at pos (\n, \r, \r\n or \n\r, as Lua counts them): skip it. */
static int newline(scan *sc)
{
	char c = sc->s[sc->pos];
	if (c != '\n' && c != '\r')
		return 0;
	sc->pos++;
	if (sc->pos < sc->n && (sc->s[sc->pos] == '\n' || sc->s[sc->pos] == '\r') && sc->s[sc->pos] != c)
		sc->pos++;
	sc->line++;
	return 1;
}

/* At '[': the level of a long bracket [==[ (its '=' count), else -1. */
static int long_level(const scan *sc, size_t at)
{
	size_t p = at + 1;
	int level = 0;
	while (p < sc->n && sc->s[p] == '=')
		p++, level++;
	return p < sc->n && sc->s[p] == '[' ? level : -1;
}

/* Skip a long bracket at pos of the given level. */
static void skip_long(scan *sc, int level)
{
	sc->pos += (size_t)level + 2;
	while (sc->pos < sc->n) {
		if (newline(sc))
			continue;
		if (sc->s[sc->pos] == ']') {
			size_t p = sc->pos + 1;
			int l = 0;
			while (p < sc->n && sc->s[p] == '=')
				p++, l++;
			if (l == level && p < sc->n && sc->s[p] == ']') {
				sc->pos = p + 1;
				return;
			}
		}
		sc->pos++;
	}
	sc->failed = 1;          /* unfinished: the compiler will say */
}

static void skip_quoted(scan *sc)
{
	char q = sc->s[sc->pos++];
	while (sc->pos < sc->n) {
		char c = sc->s[sc->pos];
		if (c == q) {
			sc->pos++;
			return;
		}
		if (c == '\\') {
			sc->pos++;
			if (sc->pos >= sc->n)
				break;
			if (newline(sc))
				continue;
			if (sc->s[sc->pos] == 'z') {     /* \z skips the white space after it */
				sc->pos++;
				while (sc->pos < sc->n) {
					if (newline(sc))
						continue;
					char w = sc->s[sc->pos];
					if (w != ' ' && w != '\t' && w != '\v' && w != '\f')
						break;
					sc->pos++;
				}
				continue;
			}
			sc->pos++;
			continue;
		}
		if (c == '\n' || c == '\r')
			break;           /* unfinished string */
		sc->pos++;
	}
	sc->failed = 1;
}

/* The next token into sc->cur. */
static void next_token(scan *sc)
{
	sc->prev = sc->cur;
	for (;;) {
		if (sc->pos >= sc->n) {
			sc->cur = (token){T_EOF, sc->n, 0, sc->line};
			return;
		}
		if (newline(sc))
			continue;
		char c = sc->s[sc->pos];
		if (c == ' ' || c == '\t' || c == '\v' || c == '\f') {
			sc->pos++;
			continue;
		}
		if (c == '-' && sc->pos + 1 < sc->n && sc->s[sc->pos + 1] == '-') {
			sc->pos += 2;
			int level = sc->pos < sc->n && sc->s[sc->pos] == '[' ? long_level(sc, sc->pos) : -1;
			if (level >= 0) {
				skip_long(sc, level);
			} else {
				while (sc->pos < sc->n && sc->s[sc->pos] != '\n' && sc->s[sc->pos] != '\r')
					sc->pos++;
			}
			continue;
		}
		break;
	}
	token t = {T_PUNCT, sc->pos, 1, sc->line};
	const char *s = sc->s;
	char c = s[sc->pos];
	if (is_name_start(c)) {
		size_t p = sc->pos;
		while (p < sc->n && is_name_char(s[p]))
			p++;
		t.len = p - sc->pos;
		t.type = is_keyword(s + sc->pos, t.len) ? T_KEYWORD : T_NAME;
		sc->pos = p;
	} else if ((c >= '0' && c <= '9') || (c == '.' && sc->pos + 1 < sc->n && s[sc->pos + 1] >= '0' &&
	                                       s[sc->pos + 1] <= '9')) {
		size_t p = sc->pos;
		while (p < sc->n && (is_name_char(s[p]) || s[p] == '.' ||
		                     ((s[p] == '+' || s[p] == '-') && strchr("eEpP", s[p - 1]))))
			p++;
		t.type = T_NUMBER;
		t.len = p - sc->pos;
		sc->pos = p;
	} else if (c == '"' || c == '\'') {
		skip_quoted(sc);
		t.type = T_STRING;
		t.len = sc->pos - t.at;
	} else if (c == '[' && long_level(sc, sc->pos) >= 0) {
		skip_long(sc, long_level(sc, sc->pos));
		t.type = T_STRING;
		t.len = sc->pos - t.at;
	} else {
		/* two- and three-character operators matter only where they
		 * hold '=' ("==" is not a field's "=") or '.' */
		static const char *const ops[] = {"...", "..", "==", "~=", "<=", ">=", "//", "::", "<<", ">>"};
		for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
			size_t k = strlen(ops[i]);
			if (sc->pos + k <= sc->n && memcmp(s + sc->pos, ops[i], k) == 0) {
				t.len = k;
				break;
			}
		}
		sc->pos += t.len;
	}
	sc->cur = t;
}

static int punct(const scan *sc, const token *t, char c)
{
	return t->type == T_PUNCT && t->len == 1 && sc->s[t->at] == c;
}

static void add_insert(scan *sc, size_t at, int kind, int id)
{
	sc->ins = grow(sc, sc->ins, &sc->cap_ins, sc->n_ins + 1, sizeof *sc->ins);
	if (!sc->failed)
		sc->ins[sc->n_ins++] = (insert){at, kind, id};
}

/* The token that starts a field of the innermost constructor: record its
 * key (name =, [string] =, [number] =) or its position. */
static void field_start(scan *sc, open *o)
{
	o->expect_field = 0;
	if (o->ctor < 0)
		return;
	const token *t = &sc->cur;
	if (punct(sc, t, '}'))
		return;
	ctor_key k = {o->ctor, 0, 0, 0, 0, t->line};
	/* look ahead without consuming: a name followed by '=' */
	if (t->type == T_NAME) {
		size_t save_pos = sc->pos;
		int save_line = sc->line, save_failed = sc->failed;
		token save_prev = sc->prev, save_cur = sc->cur;
		next_token(sc);
		int assign = punct(sc, &sc->cur, '=');
		sc->pos = save_pos, sc->line = save_line, sc->failed |= save_failed;
		sc->prev = save_prev, sc->cur = save_cur;
		if (assign) {
			k.at = t->at;
			k.len = t->len;
		} else {
			k.is_int = 1;
			k.i = ++o->positional;
		}
	} else if (punct(sc, t, '[')) {
		/* [ "name" ] = or [ 3 ] =: read ahead the same way */
		size_t save_pos = sc->pos;
		int save_line = sc->line, save_failed = sc->failed;
		token save_prev = sc->prev, save_cur = sc->cur;
		next_token(sc);
		token inner = sc->cur;
		next_token(sc);
		int close = punct(sc, &sc->cur, ']');
		next_token(sc);
		int assign = close && punct(sc, &sc->cur, '=');
		sc->pos = save_pos, sc->line = save_line, sc->failed |= save_failed;
		sc->prev = save_prev, sc->cur = save_cur;
		if (!assign || sc->failed)
			return;                         /* [expr] = ...: no fixed key */
		if (inner.type == T_STRING && sc->s[inner.at] != '[' && inner.len >= 2) {
			k.at = inner.at + 1;            /* without the quotes; escapes are rare */
			k.len = inner.len - 2;
			if (memchr(sc->s + k.at, '\\', k.len))
				return;
		} else if (inner.type == T_NUMBER) {
			char buf[32];
			if (inner.len >= sizeof buf)
				return;
			memcpy(buf, sc->s + inner.at, inner.len);
			buf[inner.len] = '\0';
			char *end;
			long long v = strtoll(buf, &end, 10);
			if (*end)
				return;
			k.is_int = 1;
			k.i = v;
		} else {
			return;
		}
	} else {
		k.is_int = 1;
		k.i = ++o->positional;
	}
	sc->keys = grow(sc, sc->keys, &sc->cap_keys, sc->n_keys + 1, sizeof *sc->keys);
	if (sc->failed)
		return;
	sc->keys[sc->n_keys++] = k;
	sc->ctors[o->ctor].n_keys++;
}

static void push_open(scan *sc, open o)
{
	sc->opens = grow(sc, sc->opens, &sc->cap_opens, sc->n_opens + 1, sizeof *sc->opens);
	if (!sc->failed)
		sc->opens[sc->n_opens++] = o;
}

static void push_block(scan *sc, char b)
{
	sc->blocks = grow(sc, sc->blocks, &sc->cap_blocks, sc->n_blocks + 1, 1);
	if (sc->failed)
		return;
	sc->blocks[sc->n_blocks++] = b;
	sc->fn_depth += b == 'f';
}

/* Scan the whole source: constructors, their keys, the insertions. */
static void run_scan(scan *sc)
{
	sc->line = 1;
	sc->cur = (token){T_PUNCT, 0, 0, 1};     /* nothing before the first token */
	next_token(sc);
	while (!sc->failed && sc->cur.type != T_EOF) {
		open *top = sc->n_opens ? &sc->opens[sc->n_opens - 1] : NULL;
		if (top && top->ch == '{' && top->expect_field && (int)sc->n_blocks == top->blocks)
			field_start(sc, top);
		const token *t = &sc->cur;
		if (t->type == T_KEYWORD) {
			if (tok_is(sc, t, "function"))
				push_block(sc, 'f');
			else if (tok_is(sc, t, "do") || tok_is(sc, t, "if"))
				push_block(sc, 'b');
			else if (tok_is(sc, t, "end") && sc->n_blocks > 0)
				sc->fn_depth -= sc->blocks[--sc->n_blocks] == 'f';
		} else if (punct(sc, t, '{')) {
			const token *p = &sc->prev;
			int call = p->type == T_NAME || p->type == T_STRING || punct(sc, p, ')') ||
			           punct(sc, p, ']') || punct(sc, p, '}');
			open o = {'{', -1, call, 1, 0, (int)sc->n_blocks};
			if (sc->fn_depth == 0) {
				sc->ctors = grow(sc, sc->ctors, &sc->cap_ctors, sc->n_ctors + 1, sizeof *sc->ctors);
				if (sc->failed)
					break;
				o.ctor = (int)sc->n_ctors;
				sc->ctors[sc->n_ctors++] = (ctor){t->line, 0};
				add_insert(sc, t->at, call ? OPEN_CALL : OPEN, o.ctor);
			}
			push_open(sc, o);
		} else if (punct(sc, t, '(') || punct(sc, t, '[')) {
			push_open(sc, (open){sc->s[t->at], -1, 0, 0, 0, (int)sc->n_blocks});
		} else if (punct(sc, t, '}') || punct(sc, t, ')') || punct(sc, t, ']')) {
			if (!top) {
				sc->failed = 1;
				break;
			}
			if (top->ch == '{' && top->ctor >= 0)
				add_insert(sc, t->at + 1, top->call ? CLOSE_CALL : CLOSE, top->ctor);
			sc->n_opens--;
		} else if ((punct(sc, t, ',') || punct(sc, t, ';')) && top && top->ch == '{' &&
		           (int)sc->n_blocks == top->blocks) {
			top->expect_field = 1;
		}
		next_token(sc);
	}
	if (sc->n_opens || sc->n_blocks)
		sc->failed = 1;
}

/* The rewritten source (malloc'd), or NULL. */
static char *rewrite(const scan *sc, size_t *out_len)
{
	static const char head[] = "local " MARK_NAME " = ...; return (function(...) ";
	static const char tail[] = "\nend)(select(2, ...))";
	size_t cap = sizeof head + sc->n + sc->n_ins * 40 + sizeof tail + 1;
	char *o = malloc(cap);
	if (!o)
		return NULL;
	size_t w = 0, from = 0;
	memcpy(o, head, sizeof head - 1);
	w = sizeof head - 1;
	for (size_t i = 0; i < sc->n_ins; i++) {
		const insert *in = &sc->ins[i];
		memcpy(o + w, sc->s + from, in->at - from);
		w += in->at - from;
		from = in->at;
		switch (in->kind) {
		case OPEN_CALL: w += (size_t)snprintf(o + w, cap - w, "(" MARK_NAME "(%d,", in->id); break;
		case OPEN: w += (size_t)snprintf(o + w, cap - w, MARK_NAME "(%d,", in->id); break;
		case CLOSE_CALL: w += (size_t)snprintf(o + w, cap - w, "))"); break;
		default: w += (size_t)snprintf(o + w, cap - w, ")"); break;
		}
	}
	memcpy(o + w, sc->s + from, sc->n - from);
	w += sc->n - from;
	memcpy(o + w, tail, sizeof tail - 1);
	w += sizeof tail - 1;
	o[w] = '\0';
	*out_len = w;
	return o;
}

static void free_scan(scan *sc)
{
	free(sc->ctors);
	free(sc->keys);
	free(sc->ins);
	free(sc->opens);
	free(sc->blocks);
}

/* ---- marking ---------------------------------------------------------------- */

/* Push the registry's weak-keyed table: table -> its constructor record. */
static void push_sites(lua_State *L)
{
	if (lua_getfield(L, LUA_REGISTRYINDEX, ESC_REG_SITES) == LUA_TTABLE)
		return;
	lua_pop(L, 1);
	lua_newtable(L);
	lua_createtable(L, 0, 1);
	lua_pushliteral(L, "k");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	lua_pushvalue(L, -1);
	lua_setfield(L, LUA_REGISTRYINDEX, ESC_REG_SITES);
}

/* marker(id, t): remember t's constructor (upvalue 1: the chunk's
 * constructors, an array of {file, line, keys}).  Returns t. */
static int marker(lua_State *L)
{
	if (lua_type(L, 2) == LUA_TTABLE && lua_isinteger(L, 1)) {
		push_sites(L);
		lua_pushvalue(L, 2);
		lua_rawgeti(L, lua_upvalueindex(1), lua_tointeger(L, 1) + 1);
		lua_rawset(L, -3);
		lua_pop(L, 1);
	}
	lua_settop(L, 2);
	return 1;
}

void esc_lua_copy_site(lua_State *L, int from, int to)
{
	from = lua_absindex(L, from);
	to = lua_absindex(L, to);
	push_sites(L);
	lua_pushvalue(L, from);
	if (lua_rawget(L, -2) != LUA_TNIL) {
		lua_pushvalue(L, to);
		lua_insert(L, -2);
		lua_rawset(L, -3);
	} else {
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/* Calls the rewritten chunk (upvalue 1) with the marker (upvalue 2) first. */
static int call_marked(lua_State *L)
{
	int n = lua_gettop(L);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushvalue(L, lua_upvalueindex(2));
	for (int i = 1; i <= n; i++)
		lua_pushvalue(L, i);
	lua_call(L, n + 1, LUA_MULTRET);
	return lua_gettop(L) - n;
}

/* Push the array of constructors: {file = FILE, line = L, keys = {k = line}}. */
static void push_ctors(lua_State *L, const scan *sc, const char *file)
{
	lua_createtable(L, (int)sc->n_ctors, 0);
	int arr = lua_gettop(L);
	for (size_t c = 0; c < sc->n_ctors; c++) {
		lua_createtable(L, 0, 3);
		lua_pushstring(L, file);
		lua_setfield(L, -2, "file");
		lua_pushinteger(L, sc->ctors[c].line);
		lua_setfield(L, -2, "line");
		lua_createtable(L, 0, sc->ctors[c].n_keys);
		lua_setfield(L, -2, "keys");
		lua_rawseti(L, arr, (lua_Integer)c + 1);
	}
	for (size_t j = 0; j < sc->n_keys; j++) {
		const ctor_key *key = &sc->keys[j];
		lua_rawgeti(L, arr, key->ctor + 1);
		lua_getfield(L, -1, "keys");
		if (key->is_int)
			lua_pushinteger(L, key->i);
		else
			lua_pushlstring(L, sc->s + key->at, key->len);
		lua_pushinteger(L, key->line);
		lua_rawset(L, -3);
		lua_pop(L, 2);
	}
}

int esc_lua_load_marked(lua_State *L, const char *text, size_t len, const char *chunkname)
{
	int rc = esc_lua_load_text(L, text, len, chunkname);
	if (rc != LUA_OK)
		return rc;                      /* Lua's message about the source as written */
	scan sc = {.s = text, .n = len};
	run_scan(&sc);
	size_t n = 0;
	char *marked = sc.failed || sc.n_ctors == 0 ? NULL : rewrite(&sc, &n);
	if (marked && esc_lua_load_text(L, marked, n, chunkname) == LUA_OK) {
		lua_remove(L, -2);              /* the unmarked chunk */
		push_ctors(L, &sc, chunkname[0] == '@' || chunkname[0] == '=' ? chunkname + 1 : chunkname);
		lua_pushcclosure(L, marker, 1);
		lua_pushcclosure(L, call_marked, 2);
	} else if (marked) {
		lua_pop(L, 1);                  /* the compiler's message; keep the original */
	}
	free(marked);
	free_scan(&sc);
	return LUA_OK;
}

/* ---- where a key was written -------------------------------------------------- */

/* Push the constructor record of the table at idx and return 1, or push
 * nothing and return 0. */
static int push_site(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	push_sites(L);
	lua_pushvalue(L, idx);
	if (lua_rawget(L, -2) == LUA_TTABLE) {
		lua_remove(L, -2);
		return 1;
	}
	lua_pop(L, 2);
	return 0;
}

/* "file:line" of the site record on the top of the stack for key k (on the
 * stack at key), into out; 1 if the key was written there. */
static int key_line(lua_State *L, int key, char *out, size_t n)
{
	int found = 0;
	lua_getfield(L, -1, "keys");
	lua_pushvalue(L, key);
	if (lua_rawget(L, -2) == LUA_TNUMBER) {
		lua_getfield(L, -3, "file");
		snprintf(out, n, "%s:%lld", lua_tostring(L, -1), (long long)lua_tointeger(L, -2));
		lua_pop(L, 1);
		found = 1;
	}
	lua_pop(L, 2);
	return found;
}

/* Where key (at index key) of the table at t was written: its own
 * constructor, or for a policy table built by policy.lua (no constructor of
 * its own) the first table of arguments it was built from that has the
 * key (its metatable's __escsim_policy.sources). */
static int table_key_line(lua_State *L, int t, int key, char *out, size_t n)
{
	int top = lua_gettop(L), found = 0;
	if (push_site(L, t)) {
		found = key_line(L, key, out, n);
	} else if (esc_lua_policy_meta(L, t)) {
		lua_pushliteral(L, "sources");
		if (lua_rawget(L, -2) == LUA_TTABLE) {
			int src = lua_gettop(L);
			for (lua_Integer i = 1; !found && lua_rawgeti(L, src, i) == LUA_TTABLE; i++) {
				if (push_site(L, -1)) {
					found = key_line(L, key, out, n);
					lua_pop(L, 1);
				}
				lua_pop(L, 1);
			}
		}
	}
	lua_settop(L, top);
	return found;
}

int esc_lua_locate(lua_State *L, int root, const char *path, char *out, size_t n)
{
	luaL_checkstack(L, 16, "locating a key");
	int top = lua_gettop(L);
	int found = 0;
	lua_pushvalue(L, root);
	for (const char *p = path; *p && lua_type(L, -1) == LUA_TTABLE;) {
		/* the next component: NAME or [INDEX] */
		if (*p == '[') {
			char *end;
			long long i = strtoll(p + 1, &end, 10);
			if (*end != ']')
				break;
			lua_pushinteger(L, i);
			p = end + 1;
		} else {
			size_t len = strcspn(p, ".[");
			lua_pushlstring(L, p, len);
			p += len;
		}
		if (*p == '.')
			p++;
		int key = lua_gettop(L);
		found |= table_key_line(L, key - 1, key, out, n);
		lua_rawget(L, key - 1);         /* the value: the next table */
		lua_replace(L, key - 1);
		lua_settop(L, key - 1);
	}
	lua_settop(L, top);
	return found;
}

int esc_lua_key_where(lua_State *L, int t, const char *key, char *out, size_t n)
{
	int top = lua_gettop(L);
	t = lua_absindex(L, t);
	lua_pushstring(L, key);
	int found = table_key_line(L, t, top + 1, out, n);
	lua_settop(L, top);
	return found;
}

/* ---- deep copy -------------------------------------------------------- */

#define MAX_DEPTH 100

/* The key path of the value being copied, for the message when it is too
 * deep (cut to its first PATH_SHOWN bytes). */
#define PATH_SHOWN 160
typedef struct copy_path {
	char s[PATH_SHOWN + 4];
	size_t len;
} copy_path;

static size_t path_push(lua_State *L, copy_path *p, int key)
{
	size_t old = p->len;
	if (p->len >= PATH_SHOWN)
		return old;
	char k[80];
	if (lua_type(L, key) == LUA_TSTRING)
		snprintf(k, sizeof k, "%s%s", p->len ? "." : "", lua_tostring(L, key));
	else if (lua_isinteger(L, key))
		snprintf(k, sizeof k, "[%lld]", (long long)lua_tointeger(L, key));
	else
		snprintf(k, sizeof k, "[%s]", luaL_typename(L, key));
	int n = snprintf(p->s + p->len, sizeof p->s - p->len, "%s", k);
	p->len += n > 0 ? (size_t)n : 0;
	if (p->len >= PATH_SHOWN) {
		memcpy(p->s + PATH_SHOWN, "...", 4);
		p->len = PATH_SHOWN;
	}
	return old;
}

/* Tables are copied along each path, so a table shared by two places (one
 * policy module used by two parties) becomes two copies and an override of
 * policies.ISR.x leaves SYR alone; a cycle (a table containing one of its
 * ancestors) stays a cycle.  Metatables, functions and userdata are shared. */
static void copy_value(lua_State *L, int src, int anc, int depth, int sites, copy_path *path)
{
	if (lua_type(L, src) != LUA_TTABLE) {
		lua_pushvalue(L, src);
		return;
	}
	if (depth > MAX_DEPTH)
		luaL_error(L, "%s: %s: tables nested more than %d levels deep",
		           esc_lua_scenario(L)->site, path->s, MAX_DEPTH);
	luaL_checkstack(L, 8, "deep copy");
	lua_pushvalue(L, src);
	if (lua_rawget(L, anc) != LUA_TNIL)
		return;                              /* an ancestor: keep the cycle */
	lua_pop(L, 1);
	lua_newtable(L);
	int dst = lua_gettop(L);
	lua_pushvalue(L, src);
	lua_pushvalue(L, dst);
	lua_rawset(L, anc);
	lua_pushnil(L);
	while (lua_next(L, src)) {
		int v = lua_gettop(L);
		size_t old = path_push(L, path, v - 1);
		copy_value(L, v, anc, depth + 1, sites, path);
		path->len = old;
		path->s[old] = '\0';
		lua_pushvalue(L, v - 1);             /* key */
		lua_insert(L, -2);
		lua_rawset(L, dst);
		lua_pop(L, 1);                       /* value; key stays for next */
	}
	if (lua_getmetatable(L, src))
		lua_setmetatable(L, dst);
	if (sites)
		esc_lua_copy_site(L, src, dst);
	lua_pushvalue(L, src);
	lua_pushnil(L);
	lua_rawset(L, anc);
}

void esc_lua_deep_copy(lua_State *L, int idx, int sites)
{
	idx = lua_absindex(L, idx);
	lua_newtable(L);
	int anc = lua_gettop(L);
	copy_path path = {{0}, 0};
	copy_value(L, idx, anc, 0, sites, &path);
	lua_remove(L, anc);
}
