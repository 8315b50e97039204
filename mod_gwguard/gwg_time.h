/*
 * Wall-clock time in microseconds and its RFC 3339 rendering, the one time
 * unit of the shared segment, the pages and every report.
 */
#ifndef GWG_TIME_H
#define GWG_TIME_H

#include <stddef.h>
#include <stdint.h>

#define GWG_RFC3339_LEN 32

uint64_t gwg_now_us(void);

/* "2026-11-21T09:02:25Z" (UTC); "" for 0. Returns buf. */
char *gwg_time_rfc3339(char *buf, size_t len, uint64_t us);

#endif
