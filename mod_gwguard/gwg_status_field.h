/*
 * The status fields, one table for every format (the table, JSON, XML,
 * Prometheus, HTML and server-status?auto): each row names a value of an
 * upstream once per format and says how to get it. Renderers walk the
 * rows in order; a NULL name leaves the field out of that format. Adding
 * a counter is adding one row (a GWG_FIELD_U64 with a getter). Names are
 * a contract: add, never rename.
 */
#ifndef GWG_STATUS_FIELD_H
#define GWG_STATUS_FIELD_H

#include "gwg_snapshot.h"

typedef enum {
    GWG_FIELD_U64,              /* a number from get() */
    GWG_FIELD_RATE,             /* failures per request, "12.5%" */
    GWG_FIELD_TOP_CLASS,        /* the class with most failures */
    GWG_FIELD_CLASSES,          /* a counter per class */
    GWG_FIELD_STATUSES,         /* a counter per shown status */
    GWG_FIELD_AGO,              /* get() as "12s ago" */
    GWG_FIELD_BREAKER,          /* get() is the state: a name, or a number
                                   in Prometheus */
    GWG_FIELD_TIME,             /* get() microseconds since the epoch, 0 is
                                   never */
    GWG_FIELD_TTFB,             /* the time-to-first-byte histogram */
    GWG_FIELD_MAINT,            /* get() is 1 in a maintenance window; the
                                   cell says until when */
} gwg_field_kind;

/* Where server-status?auto shows a field. */
#define GWG_KV_TOTAL    1       /* GwGuard<kv> for the totals */
#define GWG_KV_UPSTREAM 2       /* GwGuardUpstream<i><kv> per upstream */

typedef struct {
    gwg_field_kind kind;
    const char *json;           /* key in "upstreams" and "totals" */
    const char *xml;            /* element, in the gwguard namespace */
    const char *column;         /* gwguardctl's table column */
    int width;                  /* its printf width (negative: left) */
    int gap;                    /* spaces before it */
    const char *html;           /* status page column */
    const char *kv;             /* server-status?auto key part */
    int kv_where;               /* GWG_KV_* */
    const char *prom;           /* metric family name */
    const char *prom_type;      /* counter, gauge or histogram */
    const char *prom_help;      /* its HELP text */
    uint64_t (*get)(const gwg_snap_upstream *u);
    const char *watch;          /* gwguardctl watch: a U64 row's per-second
                                   column (its total follows, under
                                   column); another kind's cell, under
                                   column; NULL: not shown */
} gwg_status_field;

extern const gwg_status_field gwg_status_fields[];
extern const int gwg_status_nfields;

/* A bound on the rows, checked when compiling, for a per-row array on
 * the stack (the JSON keys' lengths). */
#define GWG_STATUS_NFIELDS_MAX 64

/* The text of a table or HTML cell (U64, RATE, TOP_CLASS, AGO, BREAKER);
 * now is for AGO and BREAKER. */
const char *gwg_status_cell(char *buf, size_t len, const gwg_status_field *f,
                            const gwg_snap_upstream *u, uint64_t now);

#endif
