/*
 * What `gwguardctl check` needs to know about an error-page template
 * (SPEC §4) before the page is ever served: that it can be read and is at
 * most 1 MiB, that every {{placeholder}} is one the renderer knows, and
 * which resources an HTML page would make the browser load (found with
 * libxml2's HTML parser, XML_PARSE_NONET, errors captured not printed).
 */
#ifndef GWG_TEMPLATE_SCAN_H
#define GWG_TEMPLATE_SCAN_H

#include <apr_pools.h>
#include <apr_tables.h>

#define GWG_TEMPLATE_MAX (1024 * 1024)

typedef struct {
    const char *error;                /* set when the scan failed */
    apr_array_header_t *external;     /* const char *: http(s)://, // */
    apr_array_header_t *local;        /* const char *: /absolute/path */
    apr_array_header_t *relative;     /* const char *: resolved against the
                                         failing request's URL */
} gwg_template_scan;

/* Whether {{name}} is a placeholder of SPEC §4 (var.NAME included). */
int gwg_template_known_placeholder(const char *name, size_t len);

/* Scans a template in memory; html selects the resource scan. */
apr_status_t gwg_template_scan_buffer(gwg_template_scan *s, const char *name,
                                      const char *data, size_t len, int html,
                                      apr_pool_t *p);

/* Reads and scans a file; ".json" files get no resource scan. */
apr_status_t gwg_template_scan_file(gwg_template_scan *s, const char *path,
                                    apr_pool_t *p);

#endif
