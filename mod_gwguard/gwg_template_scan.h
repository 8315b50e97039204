/*
 * Which resources an error-page template would make the browser load, for
 * `gwguardctl check`'s warnings (found with libxml2's HTML parser,
 * HTML_PARSE_NONET, errors captured not printed). Whether the template is
 * valid at all is the compiler's verdict (gwg_template_load).
 */
#ifndef GWG_TEMPLATE_SCAN_H
#define GWG_TEMPLATE_SCAN_H

#include <apr_pools.h>
#include <apr_tables.h>

typedef struct {
    const char *error;                /* set when the scan failed */
    apr_array_header_t *external;     /* const char *: http(s)://, // */
    apr_array_header_t *local;        /* const char *: /absolute/path */
    apr_array_header_t *relative;     /* const char *: resolved against the
                                         failing request's URL */
} gwg_template_scan;

/* Scans a template in memory; html selects the resource scan. */
apr_status_t gwg_template_scan_buffer(gwg_template_scan *s, const char *name,
                                      const char *data, size_t len, int html,
                                      apr_pool_t *p);

/* Reads and scans a file; ".json" files get no resource scan. */
apr_status_t gwg_template_scan_file(gwg_template_scan *s, const char *path,
                                    apr_pool_t *p);

#endif
