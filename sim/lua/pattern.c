/* pattern.c: string.find, match, gmatch and gsub for the sandbox.
 *
 * Lua's patterns (reference manual, section 6.4.1) with the same results
 * and the same errors as Lua's own functions, from a matcher written for
 * the sandbox.  Lua's matcher backtracks: "(.-)(.-)...b" against a string
 * of 40 a's tries every way of cutting it, for hours, inside one C call
 * that no VM hook sees.  This one counts its work (positions tried,
 * characters scanned) and every STEP_CHECK units asks the watchdog whether
 * the call has run out of CPU time (esc_lua_check_stop), so a pathological
 * pattern ends with the same located error as an endless loop.
 *
 * A pattern is a sequence of items, each a single-character class
 * (x, ., %a, [set]) with an optional quantifier (*, +, -, ?), a capture
 * ( ... ) or position capture (), %b xy, %f[set] or a back-reference %1-%9;
 * '^' at the start anchors find, match and gsub, '$' at the end anchors to
 * the subject's end.
 */
#include <ctype.h>
#include <stddef.h>
#include <string.h>

#include "script.h"

#define MAX_CAPTURES 32            /* LUA_MAXCAPTURES */
#define MAX_DEPTH 200              /* nested items before "pattern too complex" */
#define STEP_CHECK 65536           /* units of work between budget checks */
#define ESC '%'
#define SPECIALS "^$*+?.([%-"

enum { CAP_UNFINISHED = -1, CAP_POSITION = -2 };

typedef struct matcher {
	lua_State *L;
	const char *src, *src_end;     /* the subject */
	const char *pat_end;
	int depth;                     /* items left before "too complex" */
	int level;                     /* captures open or closed */
	size_t work, check_at;
	struct { const char *init; ptrdiff_t len; } cap[MAX_CAPTURES];
} matcher;

static const char *match(matcher *m, const char *s, const char *p);

/* Count n units of work; ask the watchdog now and then. */
static void work(matcher *m, size_t n)
{
	m->work += n;
	if (m->work >= m->check_at) {
		m->check_at = m->work + STEP_CHECK;
		esc_lua_check_stop(m->L);
	}
}

/* ---- single characters ------------------------------------------------------------ */

/* Does c belong to class letter cl (%a, %d, ...; upper case: the
 * complement)?  Any other letter stands for itself. */
static int in_class(int c, int cl)
{
	int r;
	switch (tolower(cl)) {
	case 'a': r = isalpha(c); break;
	case 'c': r = iscntrl(c); break;
	case 'd': r = isdigit(c); break;
	case 'g': r = isgraph(c); break;
	case 'l': r = islower(c); break;
	case 'p': r = ispunct(c); break;
	case 's': r = isspace(c); break;
	case 'u': r = isupper(c); break;
	case 'w': r = isalnum(c); break;
	case 'x': r = isxdigit(c); break;
	case 'z': r = c == 0; break;      /* deprecated, still in Lua 5.4 */
	default: return cl == c;
	}
	if (isupper(cl))
		r = !r;
	return r != 0;
}

/* c against the set from '[' at p to its ']' at end. */
static int in_set(int c, const char *p, const char *end)
{
	int yes = 1;
	if (p[1] == '^') {
		yes = 0;
		p++;
	}
	while (++p < end) {
		if (*p == ESC) {
			p++;
			if (in_class(c, (unsigned char)*p))
				return yes;
		} else if (p[1] == '-' && p + 2 < end) {
			p += 2;
			if ((unsigned char)p[-2] <= c && c <= (unsigned char)*p)
				return yes;
		} else if ((unsigned char)*p == c) {
			return yes;
		}
	}
	return !yes;
}

/* The end of the single-character class at p. */
static const char *class_end(matcher *m, const char *p)
{
	char c = *p++;
	if (c == ESC) {
		if (p >= m->pat_end)
			luaL_error(m->L, "malformed pattern (ends with '%%')");
		return p + 1;
	}
	if (c == '[') {
		if (p < m->pat_end && *p == '^')
			p++;
		do {                   /* the first character may be ']' itself */
			if (p >= m->pat_end)
				luaL_error(m->L, "malformed pattern (missing ']')");
			if (*p++ == ESC && p < m->pat_end)
				p++;
		} while (p >= m->pat_end || *p != ']');
		return p + 1;
	}
	return p;
}

/* Does the character at s match the class from p to ep? */
static int single(const matcher *m, const char *s, const char *p, const char *ep)
{
	if (s >= m->src_end)
		return 0;
	int c = (unsigned char)*s;
	switch (*p) {
	case '.': return 1;
	case ESC: return in_class(c, (unsigned char)p[1]);
	case '[': return in_set(c, p, ep - 1);
	default: return (unsigned char)*p == c;
	}
}

/* ---- items --------------------------------------------------------------------- */

static const char *balance(matcher *m, const char *s, const char *p)
{
	if (p + 1 >= m->pat_end)
		luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
	if (s >= m->src_end || *s != *p)
		return NULL;
	char open = p[0], close = p[1];
	int depth = 1;
	const char *from = s;
	while (++s < m->src_end) {
		if (*s == close) {
			if (--depth == 0) {
				work(m, (size_t)(s - from));
				return s + 1;
			}
		} else if (*s == open) {
			depth++;
		}
	}
	work(m, (size_t)(s - from));
	return NULL;
}

/* %f[set] at p: does the frontier hold before s?  *ep: past the set. */
static int frontier(matcher *m, const char *s, const char *p, const char **ep)
{
	if (p >= m->pat_end || *p != '[')
		luaL_error(m->L, "missing '[' after '%%f' in pattern");
	*ep = class_end(m, p);
	int prev = s == m->src ? '\0' : (unsigned char)s[-1];
	int cur = s < m->src_end ? (unsigned char)*s : '\0';
	return !in_set(prev, p, *ep - 1) && in_set(cur, p, *ep - 1);
}

static int capture_index(matcher *m, int l)
{
	l -= '1';
	if (l < 0 || l >= m->level || m->cap[l].len == CAP_UNFINISHED)
		return luaL_error(m->L, "invalid capture index %%%d", l + 1);
	return l;
}

static const char *back_reference(matcher *m, const char *s, int l)
{
	l = capture_index(m, l);
	ptrdiff_t len = m->cap[l].len;
	if (len < 0 || m->src_end - s < len)
		return NULL;               /* a position capture matches nothing */
	work(m, (size_t)len);
	return memcmp(m->cap[l].init, s, (size_t)len) == 0 ? s + len : NULL;
}

static const char *open_capture(matcher *m, const char *s, const char *p, ptrdiff_t what)
{
	if (m->level >= MAX_CAPTURES)
		luaL_error(m->L, "too many captures");
	m->cap[m->level].init = s;
	m->cap[m->level].len = what;
	m->level++;
	const char *r = match(m, s, p);
	if (!r)
		m->level--;
	return r;
}

static const char *close_capture(matcher *m, const char *s, const char *p)
{
	int l = m->level;
	while (--l >= 0 && m->cap[l].len != CAP_UNFINISHED)
		;
	if (l < 0)
		luaL_error(m->L, "invalid pattern capture");
	m->cap[l].len = s - m->cap[l].init;
	const char *r = match(m, s, p);
	if (!r)
		m->cap[l].len = CAP_UNFINISHED;
	return r;
}

/* x* and x+: as many as possible, then give back one at a time. */
static const char *longest(matcher *m, const char *s, const char *p, const char *ep)
{
	ptrdiff_t n = 0;
	while (single(m, s + n, p, ep))
		n++;
	work(m, (size_t)n);
	for (; n >= 0; n--) {
		const char *r = match(m, s + n, ep + 1);
		if (r)
			return r;
	}
	return NULL;
}

/* x-: as few as possible, then one more at a time. */
static const char *shortest(matcher *m, const char *s, const char *p, const char *ep)
{
	for (;;) {
		const char *r = match(m, s, ep + 1);
		if (r)
			return r;
		if (!single(m, s, p, ep))
			return NULL;
		s++;
	}
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Match the pattern from p at s; the end of the match, or NULL.  Items
 * that need no backtracking loop here; only captures and quantifiers that
 * may have to try again recurse, so the depth limit counts those. */
static const char *match(matcher *m, const char *s, const char *p)
{
	if (m->depth-- == 0)
		luaL_error(m->L, "pattern too complex");
	for (;;) {
		work(m, 1);
		if (p >= m->pat_end)
			break;
		const char *pe = m->pat_end, *ep;
		if (*p == '(') {
			if (p + 1 < pe && p[1] == ')')
				s = open_capture(m, s, p + 2, CAP_POSITION);
			else
				s = open_capture(m, s, p + 1, CAP_UNFINISHED);
			break;
		}
		if (*p == ')') {
			s = close_capture(m, s, p + 1);
			break;
		}
		if (*p == '$' && p + 1 == pe) {
			s = s == m->src_end ? s : NULL;
			break;
		}
		if (*p == ESC && p + 1 < pe && p[1] == 'b') {
			if (!(s = balance(m, s, p + 2)))
				break;
			p += 4;
			continue;
		}
		if (*p == ESC && p + 1 < pe && p[1] == 'f') {
			if (!frontier(m, s, p + 2, &ep)) {
				s = NULL;
				break;
			}
			p = ep;
			continue;
		}
		if (*p == ESC && p + 1 < pe && is_digit(p[1])) {
			if (!(s = back_reference(m, s, (unsigned char)p[1])))
				break;
			p += 2;
			continue;
		}
		/* A single-character class and its quantifier, if any. */
		ep = class_end(m, p);
		char q = ep < pe ? *ep : '\0';
		if (!single(m, s, p, ep)) {
			if (q == '*' || q == '?' || q == '-') {      /* none of them */
				p = ep + 1;
				continue;
			}
			s = NULL;
			break;
		}
		if (q == '?') {
			const char *r = match(m, s + 1, ep + 1);
			if (r) {
				s = r;
				break;
			}
			p = ep + 1;
			continue;
		}
		if (q == '+' || q == '*') {
			s = longest(m, q == '+' ? s + 1 : s, p, ep);
			break;
		}
		if (q == '-') {
			s = shortest(m, s, p, ep);
			break;
		}
		s++;
		p = ep;
	}
	m->depth++;
	return s;
}

/* ---- captures ------------------------------------------------------------------- */

static void prepare(matcher *m, lua_State *L, const char *s, size_t ls, const char *p, size_t lp)
{
	m->L = L;
	m->src = s;
	m->src_end = s + ls;
	m->pat_end = p + lp;
	m->work = 0;
	m->check_at = STEP_CHECK;
}

static void restart(matcher *m)
{
	m->level = 0;
	m->depth = MAX_DEPTH;
}

/* Capture i as a length (pushing a position capture), the whole match
 * [s, e) when there are no captures and i is 0. */
static ptrdiff_t get_capture(matcher *m, int i, const char *s, const char *e, const char **cap)
{
	if (i >= m->level) {
		if (i != 0)
			luaL_error(m->L, "invalid capture index %%%d", i + 1);
		*cap = s;
		return e - s;
	}
	ptrdiff_t len = m->cap[i].len;
	*cap = m->cap[i].init;
	if (len == CAP_UNFINISHED)
		luaL_error(m->L, "unfinished capture");
	else if (len == CAP_POSITION)
		lua_pushinteger(m->L, (m->cap[i].init - m->src) + 1);
	return len;
}

static void push_capture(matcher *m, int i, const char *s, const char *e)
{
	const char *cap;
	ptrdiff_t len = get_capture(m, i, s, e, &cap);
	if (len != CAP_POSITION)
		lua_pushlstring(m->L, cap, (size_t)len);
}

/* Every capture, or the whole match when there are none (s not NULL). */
static int push_captures(matcher *m, const char *s, const char *e)
{
	int n = m->level == 0 && s ? 1 : m->level;
	luaL_checkstack(m->L, n, "too many captures");
	for (int i = 0; i < n; i++)
		push_capture(m, i, s, e);
	return n;
}

/* ---- the library functions ------------------------------------------------------ */

/* A 1-based position, negative from the end, as string.find takes it. */
static size_t position(lua_Integer pos, size_t len)
{
	if (pos > 0)
		return (size_t)pos;
	if (pos == 0 || pos < -(lua_Integer)len)
		return 1;
	return len + (size_t)pos + 1;
}

static int no_specials(const char *p, size_t lp)
{
	for (size_t i = 0; i < lp; i++)
		if (p[i] && strchr(SPECIALS, p[i]))
			return 0;
	return 1;
}

/* p in s[0..ls), as memmem; each candidate costs lp units of work (a
 * long pattern of a's in a long string of a's is quadratic). */
static const char *find_plain(matcher *m, const char *s, size_t ls, const char *p, size_t lp)
{
	if (lp == 0)
		return s;
	if (lp > ls)
		return NULL;
	const char *end = s + (ls - lp) + 1;
	for (const char *c = s; c < end; c++) {
		c = memchr(c, *p, (size_t)(end - c));
		if (!c)
			return NULL;
		work(m, lp);
		if (memcmp(c + 1, p + 1, lp - 1) == 0)
			return c;
	}
	return NULL;
}

static int find_or_match(lua_State *L, int find)
{
	size_t ls, lp;
	const char *s = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	size_t init = position(luaL_optinteger(L, 3, 1), ls) - 1;
	if (init > ls) {
		luaL_pushfail(L);
		return 1;
	}
	matcher m;
	prepare(&m, L, s, ls, p, lp);
	if (find && (lua_toboolean(L, 4) || no_specials(p, lp))) {
		const char *at = find_plain(&m, s + init, ls - init, p, lp);
		if (at) {
			lua_pushinteger(L, (at - s) + 1);
			lua_pushinteger(L, (lua_Integer)((size_t)(at - s) + lp));
			return 2;
		}
		luaL_pushfail(L);
		return 1;
	}
	int anchor = lp > 0 && *p == '^';
	if (anchor) {
		p++;
		lp--;
	}
	prepare(&m, L, s, ls, p, lp);
	const char *s1 = s + init;
	do {
		restart(&m);
		const char *e = match(&m, s1, p);
		if (e) {
			if (!find)
				return push_captures(&m, s1, e);
			lua_pushinteger(L, (s1 - s) + 1);
			lua_pushinteger(L, e - s);
			return push_captures(&m, NULL, NULL) + 2;
		}
	} while (s1++ < m.src_end && !anchor);
	luaL_pushfail(L);
	return 1;
}

static int str_find(lua_State *L) { return find_or_match(L, 1); }
static int str_match(lua_State *L) { return find_or_match(L, 0); }

/* gmatch's state, a userdata upvalue of its iterator (the subject and
 * pattern are upvalues too, so they outlive it). */
typedef struct gmatch_state {
	const char *src;               /* where the next search starts */
	const char *p;
	const char *last;              /* the end of the last match, or NULL */
	matcher m;
} gmatch_state;

static int gmatch_next(lua_State *L)
{
	gmatch_state *g = lua_touserdata(L, lua_upvalueindex(3));
	g->m.L = L;
	g->m.work = 0;
	g->m.check_at = STEP_CHECK;
	for (const char *src = g->src; src <= g->m.src_end; src++) {
		restart(&g->m);
		const char *e = match(&g->m, src, g->p);
		if (e && e != g->last) {
			g->src = g->last = e;
			return push_captures(&g->m, src, e);
		}
	}
	return 0;
}

static int str_gmatch(lua_State *L)
{
	size_t ls, lp;
	const char *s = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	size_t init = position(luaL_optinteger(L, 3, 1), ls) - 1;
	lua_settop(L, 2);
	gmatch_state *g = lua_newuserdatauv(L, sizeof *g, 0);
	if (init > ls)
		init = ls + 1;             /* past the end: nothing to find */
	prepare(&g->m, L, s, ls, p, lp);
	g->src = s + init;
	g->p = p;
	g->last = NULL;
	lua_pushcclosure(L, gmatch_next, 3);
	return 1;
}

/* The replacement string (argument 3) for the match [s, e). */
static void add_string(matcher *m, luaL_Buffer *b, const char *s, const char *e)
{
	lua_State *L = m->L;
	size_t l;
	const char *r = lua_tolstring(L, 3, &l);
	const char *end = r + l, *pc;
	while ((pc = memchr(r, ESC, (size_t)(end - r))) != NULL) {
		luaL_addlstring(b, r, (size_t)(pc - r));
		pc++;
		char c = pc < end ? *pc : '\0';
		if (c == ESC) {
			luaL_addchar(b, ESC);
		} else if (c == '0') {
			luaL_addlstring(b, s, (size_t)(e - s));
		} else if (isdigit((unsigned char)c)) {
			const char *cap;
			ptrdiff_t len = get_capture(m, c - '1', s, e, &cap);
			if (len == CAP_POSITION)
				luaL_addvalue(b);
			else
				luaL_addlstring(b, cap, (size_t)len);
		} else {
			luaL_error(L, "invalid use of '%c' in replacement string", ESC);
		}
		r = pc + 1;
	}
	luaL_addlstring(b, r, (size_t)(end - r));
}

/* Add the replacement of [s, e) by argument 3 of type tr; 0 when the
 * match is kept as it is (a function or table gave false or nil). */
static int add_value(matcher *m, luaL_Buffer *b, const char *s, const char *e, int tr)
{
	lua_State *L = m->L;
	if (tr == LUA_TFUNCTION) {
		lua_pushvalue(L, 3);
		int n = push_captures(m, s, e);
		lua_call(L, n, 1);
	} else if (tr == LUA_TTABLE) {
		push_capture(m, 0, s, e);
		lua_gettable(L, 3);
	} else {
		add_string(m, b, s, e);
		return 1;
	}
	if (!lua_toboolean(L, -1)) {
		lua_pop(L, 1);
		luaL_addlstring(b, s, (size_t)(e - s));
		return 0;
	}
	if (!lua_isstring(L, -1))
		return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
	luaL_addvalue(b);
	return 1;
}

static int str_gsub(lua_State *L)
{
	size_t ls, lp;
	const char *src = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	const char *last = NULL;
	int tr = lua_type(L, 3);
	lua_Integer max = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
	luaL_argexpected(L, tr == LUA_TNUMBER || tr == LUA_TSTRING || tr == LUA_TFUNCTION ||
	                 tr == LUA_TTABLE, 3, "string/function/table");
	int anchor = lp > 0 && *p == '^';
	lua_Integer n = 0;
	int changed = 0;
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	if (anchor) {
		p++;
		lp--;
	}
	matcher m;
	prepare(&m, L, src, ls, p, lp);
	while (n < max) {
		restart(&m);
		const char *e = match(&m, src, p);
		if (e && e != last) {
			n++;
			changed = add_value(&m, &b, src, e, tr) | changed;
			src = last = e;
		} else if (src < m.src_end) {
			luaL_addchar(&b, *src++);
		} else {
			break;
		}
		if (anchor)
			break;
	}
	if (!changed) {
		lua_pushvalue(L, 1);
	} else {
		luaL_addlstring(&b, src, (size_t)(m.src_end - src));
		luaL_pushresult(&b);
	}
	lua_pushinteger(L, n);
	return 2;
}

void esc_lua_open_pattern(lua_State *L, int str)
{
	static const luaL_Reg fns[] = {
		{"find", str_find},
		{"match", str_match},
		{"gmatch", str_gmatch},
		{"gsub", str_gsub},
	};
	str = lua_absindex(L, str);
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		lua_pushcfunction(L, fns[i].func);
		lua_setfield(L, str, fns[i].name);
	}
}
