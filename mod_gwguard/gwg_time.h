/*
 * Wall-clock time in microseconds and its RFC 3339 rendering, the one time
 * unit of the shared segment, the pages and every report; and the HTTP
 * date of a direct answer's Date field.
 */
#ifndef GWG_TIME_H
#define GWG_TIME_H

#include <stddef.h>
#include <stdint.h>

#define GWG_RFC3339_LEN 32
/* "Sun, 06 Nov 1994 08:49:37 GMT" and its NUL */
#define GWG_HTTP_DATE_LEN 30

uint64_t gwg_now_us(void);

/* "2026-11-21T09:02:25Z" (UTC); "" for 0. Returns buf. */
char *gwg_time_rfc3339(char *buf, size_t len, uint64_t us);

/* The HTTP date (RFC 9110 IMF-fixdate, what httpd's Date field says) of
 * the second us falls in, NUL-terminated. Returns 0, writing nothing
 * certain, for a year past 9999 (the caller asks httpd instead). */
int gwg_time_http(char buf[GWG_HTTP_DATE_LEN], uint64_t us);

#endif
