/*
 * From what httpd showed about a proxied request to a failure class.
 * The glue fills a gwg_observation from httpd's state (never from log
 * text, so the class does not depend on LogLevel); gwg_classify walks a
 * table of rules, one row per httpd code path, first match wins.
 */
#ifndef GWG_CLASSIFY_H
#define GWG_CLASSIFY_H

#include "gwg_class.h"

/* httpd's handler results, restated so the core needs no httpd header. */
#define GWG_HANDLER_OK      0
#define GWG_HANDLER_DONE    (-2)

typedef struct gwg_observation {
    int handler_status;   /* request_status's *status: OK, DONE or HTTP */
    int response_status;  /* r->status at that moment */
    int attempts;         /* scheme-handler calls (0: none was tried) */
    int final_attempt;    /* 1 for the attempt that ended the request,
                             0 for an earlier one that failed over */
    int client_aborted;   /* r->connection->aborted */
    int error_override;   /* note "proxy-error-override" (ProxyErrorOverride) */
    int timed_out;        /* note "proxy_timedout" */
    int breaker_refused;  /* gwguard's breaker refused this attempt */
} gwg_observation;

typedef struct {
    gwg_class_t cls;      /* GWG_CLASS_NONE for a success */
    const char *rule;     /* the row that matched, for debugging and tests */
} gwg_verdict;

void gwg_classify(gwg_verdict *v, const gwg_observation *o);

#endif
