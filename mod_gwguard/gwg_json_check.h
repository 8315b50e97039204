/*
 * Strict JSON syntax check (RFC 8259), for JSON error-page templates.
 */
#ifndef GWG_JSON_CHECK_H
#define GWG_JSON_CHECK_H

#include <stddef.h>

/* NULL when data is one valid JSON value (white space around allowed);
 * else what is wrong, and *line where (1-based). */
const char *gwg_json_check(const char *data, size_t len, int *line);

#endif
