/* error.c: the error record every layer fills (see escsim/error.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "escsim/error.h"

int esc_error_set(esc_error *err, int status, const char *fmt, ...)
{
	if (!err)
		return status;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	err->status = status;
	return status;
}

int esc_error_prefix(esc_error *err, const char *fmt, ...)
{
	if (!err)
		return ESC_ERR_RUNTIME;
	char head[sizeof err->msg], old[sizeof err->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	size_t nh = strlen(head), cap = sizeof err->msg - 1;
	size_t no = strnlen(old, sizeof old - 1);
	if (nh > cap)
		nh = cap;
	if (no > cap - nh)
		no = cap - nh;
	memcpy(err->msg, head, nh);
	memcpy(err->msg + nh, old, no);
	err->msg[nh + no] = '\0';
	return err->status;
}

void esc_error_clear(esc_error *err)
{
	if (err) {
		err->status = ESC_OK;
		err->msg[0] = '\0';
	}
}
