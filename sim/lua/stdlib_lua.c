/* stdlib_lua.c: the standard library functions the sandbox replaces so that
 * no call can run long in C, out of sight of the CPU-time budget.
 *
 *   string.rep   Lua's copies n times whatever the length: rep("", 1e18)
 *                loops for ever; this one doubles what it has copied.
 *   table.move   Lua's loops over the range: move({}, 1, 1e15, 2) runs for
 *                days on an empty table; this one asks the watchdog as it
 *                goes.
 *   table.sort   Lua's quicksort is not bounded by the budget (10^7
 *                numbers take seconds) and, on a badly balanced partition,
 *                picks its pivot from the clock, so equal elements could
 *                come out in another order in another run; this one is a
 *                stable merge sort that asks the watchdog as it goes.
 *
 * Each behaves as Lua 5.4's otherwise: same arguments, same errors, the
 * same metamethods honoured.  esc_lua_sort is the merge sort, also used for
 * the sorted keys of pairs (sandbox.c).
 */
#include <limits.h>
#include <string.h>

#include "script.h"

#define CHECK_EVERY 65536          /* elements or comparisons between asks */

/* ---- the merge sort ------------------------------------------------------------ */

/* Merge the sorted runs a[lo..mid) and a[mid..hi) into out[lo..hi);
 * elements of the left run go first among equals (stable). */
static void merge(lua_State *L, const unsigned char *a, unsigned char *out, size_t size,
                  size_t lo, size_t mid, size_t hi, esc_lua_less less, void *ud, size_t *work)
{
	size_t i = lo, j = mid, k = lo;
	while (i < mid && j < hi) {
		if (++*work % CHECK_EVERY == 0)
			esc_lua_check_stop(L);
		if (less(L, a + j * size, a + i * size, ud))
			memcpy(out + k++ * size, a + j++ * size, size);
		else
			memcpy(out + k++ * size, a + i++ * size, size);
	}
	memcpy(out + k * size, a + i * size, (mid - i) * size);
	k += mid - i;
	memcpy(out + k * size, a + j * size, (hi - j) * size);
}

void esc_lua_sort(lua_State *L, void *base, size_t n, size_t size, esc_lua_less less, void *ud)
{
	if (n < 2)
		return;
	/* The buffer is a userdata: an error in less unwinds without a leak. */
	unsigned char *a = base, *b = lua_newuserdatauv(L, n * size, 0);
	size_t work = 0;
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			merge(L, a, b, size, lo, mid, hi, less, ud, &work);
		}
		unsigned char *t = a;
		a = b;
		b = t;
	}
	if (a != base)
		memcpy(base, a, n * size);
	lua_pop(L, 1);
}

/* ---- string.rep ------------------------------------------------------------------ */

static int std_rep(lua_State *L)
{
	size_t l, lsep;
	const char *s = luaL_checklstring(L, 1, &l);
	lua_Integer n = luaL_checkinteger(L, 2);
	const char *sep = luaL_optlstring(L, 3, "", &lsep);
	if (n <= 0 || l + lsep == 0) {
		lua_pushliteral(L, "");
		return 1;
	}
	if (l + lsep < l || l + lsep > (size_t)INT_MAX / (size_t)n)   /* Lua's own limit */
		return luaL_error(L, "resulting string too large");
	size_t unit = l + lsep, total = (size_t)n * unit - lsep;
	luaL_Buffer b;
	char *p = luaL_buffinitsize(L, &b, total);
	memcpy(p, s, l);
	if (lsep)
		memcpy(p + l, sep, lsep);
	size_t done = total < unit ? total : unit;
	while (done < total) {
		size_t k = done < total - done ? done : total - done;
		memcpy(p + done, p, k);
		done += k;
	}
	luaL_pushresultsize(&b, total);
	return 1;
}

/* ---- table.move and table.sort ---------------------------------------------------- */

/* Lua's checktab: a table, or a value whose metatable has each of the
 * metamethods named (those the function will use). */
static void check_table(lua_State *L, int arg, const char *const *meta)
{
	if (lua_type(L, arg) == LUA_TTABLE)
		return;
	int top = lua_gettop(L);
	int ok = lua_getmetatable(L, arg);
	for (; ok && *meta; meta++) {
		lua_getfield(L, top + 1, *meta);
		ok = !lua_isnil(L, -1);
	}
	if (!ok)
		luaL_checktype(L, arg, LUA_TTABLE);    /* raises the usual message */
	lua_settop(L, top);
}

static int std_move(lua_State *L)
{
	static const char *const r[] = {"__index", NULL}, *const w[] = {"__newindex", NULL};
	lua_Integer f = luaL_checkinteger(L, 2);
	lua_Integer e = luaL_checkinteger(L, 3);
	lua_Integer t = luaL_checkinteger(L, 4);
	int tt = !lua_isnoneornil(L, 5) ? 5 : 1;
	check_table(L, 1, r);
	check_table(L, tt, w);
	if (e >= f) {
		luaL_argcheck(L, f > 0 || e < LUA_MAXINTEGER + f, 3, "too many elements to move");
		lua_Integer n = e - f + 1;
		luaL_argcheck(L, t <= LUA_MAXINTEGER - n + 1, 4, "destination wrap around");
		int forward = t > e || t <= f || (tt != 1 && !lua_compare(L, 1, tt, LUA_OPEQ));
		for (lua_Integer k = 0; k < n; k++) {
			lua_Integer i = forward ? k : n - 1 - k;
			if (k % CHECK_EVERY == CHECK_EVERY - 1)
				esc_lua_check_stop(L);
			lua_geti(L, 1, f + i);
			lua_seti(L, tt, t + i);
		}
	}
	lua_pushvalue(L, tt);
	return 1;
}

/* table.sort's order: the function at 2, or <; the elements compared are
 * indices into the list at 1, read as Lua's own sort reads them. */
static int sort_less(lua_State *L, const void *a, const void *b, void *ud)
{
	(void)ud;
	int ia = *(const int *)a, ib = *(const int *)b, r;
	if (lua_isnil(L, 2)) {
		lua_geti(L, 1, ia);
		lua_geti(L, 1, ib);
		r = lua_compare(L, -2, -1, LUA_OPLT);
		lua_pop(L, 2);
	} else {
		lua_pushvalue(L, 2);
		lua_geti(L, 1, ia);
		lua_geti(L, 1, ib);
		lua_call(L, 2, 1);
		r = lua_toboolean(L, -1);
		lua_pop(L, 1);
	}
	return r;
}

/* Sort the indices, then move the values in place cycle by cycle, so the
 * list needs no copy: 8 bytes per element besides it, as Lua's own sort
 * needs none. */
static int std_sort(lua_State *L)
{
	static const char *const rwl[] = {"__index", "__newindex", "__len", NULL};
	check_table(L, 1, rwl);
	lua_Integer n = luaL_len(L, 1);
	if (n <= 1)
		return 0;
	luaL_argcheck(L, n < INT_MAX, 1, "array too big");
	if (!lua_isnoneornil(L, 2))
		luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_settop(L, 2);
	int *idx = lua_newuserdatauv(L, (size_t)n * sizeof *idx, 0);   /* 3 */
	for (lua_Integer i = 0; i < n; i++)
		idx[i] = (int)i + 1;
	esc_lua_sort(L, idx, (size_t)n, sizeof *idx, sort_less, NULL);
	/* idx[j] is where the value for position j + 1 is now; done: < 0 */
	size_t moved = 0;
	for (lua_Integer i = 0; i < n; i++) {
		if (idx[i] < 0 || idx[i] == i + 1)
			continue;
		lua_geti(L, 1, i + 1);                  /* the cycle's first value */
		for (lua_Integer j = i;;) {
			lua_Integer k = idx[j];
			idx[j] = -idx[j];
			if (++moved % CHECK_EVERY == 0)
				esc_lua_check_stop(L);
			if (k == i + 1) {
				lua_seti(L, 1, j + 1);
				break;
			}
			lua_geti(L, 1, k);
			lua_seti(L, 1, j + 1);
			j = k - 1;
		}
	}
	return 0;
}

void esc_lua_open_stdlib(lua_State *L, int string, int table)
{
	string = lua_absindex(L, string);
	table = lua_absindex(L, table);
	lua_pushcfunction(L, std_rep);
	lua_setfield(L, string, "rep");
	lua_pushcfunction(L, std_move);
	lua_setfield(L, table, "move");
	lua_pushcfunction(L, std_sort);
	lua_setfield(L, table, "sort");
}
