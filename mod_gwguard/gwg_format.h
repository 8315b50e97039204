/*
 * The one status formatter (docs/formats.md): gwguardctl, the status handler
 * and the mod_status section all print a snapshot through here.
 */
#ifndef GWG_FORMAT_H
#define GWG_FORMAT_H

#include "gwg_out.h"
#include "gwg_snapshot.h"

typedef enum {
    GWG_FORMAT_TABLE = 0,        /* for people, fixed-width columns */
    GWG_FORMAT_JSON,             /* docs/formats.md, version 1 */
    GWG_FORMAT_XML,              /* balancer-manager style, libxml2 */
    GWG_FORMAT_PROMETHEUS,       /* text exposition format 0.0.4 */
    GWG_FORMAT_HTML,             /* a whole page (status handler) */
    GWG_FORMAT_HTML_SECTION,     /* a fragment (mod_status section) */
    GWG_FORMAT_KV,               /* "Key: value" lines (server-status?auto) */
} gwg_format_t;

/* The format named "table", "json", "xml", "prometheus", "html"; -1 if
 * unknown. */
int gwg_format_by_name(const char *name);

/* The status handler's choice: ?format=NAME (args is the query string,
 * may be NULL) wins; else the type the Accept header prefers by q-value
 * among text/html, application/json, application/xml (or text/xml) and
 * Prometheus's (application/openmetrics-text, or text/plain with
 * version=0.0.4); else HTML. Returns -1 for an unknown ?format=. */
int gwg_format_negotiate(const char *args, const char *accept);

/* The Content-Type a format is served with. */
const char *gwg_format_content_type(gwg_format_t format);

/* libxml2's global set-up; call once per process before the first XML
 * document (the module does it in the parent). Never undone: other
 * modules in the same process may use libxml2 too. */
void gwg_format_init(void);

/* Writes the snapshot; now (microseconds) is used for relative times in
 * the table. Returns 0, or -1 if a write failed. */
int gwg_format_status(gwg_out *o, const gwg_snapshot *snap,
                      gwg_format_t format, uint64_t now);

void gwg_format_table(gwg_out *o, const gwg_snapshot *snap, uint64_t now);
void gwg_format_json(gwg_out *o, const gwg_snapshot *snap);
void gwg_format_xml(gwg_out *o, const gwg_snapshot *snap);
void gwg_format_prometheus(gwg_out *o, const gwg_snapshot *snap);
void gwg_format_html(gwg_out *o, const gwg_snapshot *snap, uint64_t now,
                     int whole_page);
void gwg_format_kv(gwg_out *o, const gwg_snapshot *snap);

/* The breaker column of the table: "closed", "half_open", or
 * "open (half-opens in 12s)". */
const char *gwg_format_breaker(char *buf, size_t len,
                               const gwg_snap_upstream *u, uint64_t now);

/* The maintenance column: "-", "on" (until turned off) or
 * "on, 12m left". */
const char *gwg_format_maint(char *buf, size_t len,
                             const gwg_snap_upstream *u, uint64_t now);

/* "12s ago", "5m ago", ... or "-" for 0. */
void gwg_format_ago(char *buf, size_t len, uint64_t then, uint64_t now);

#endif
