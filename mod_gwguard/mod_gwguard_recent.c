/*
 * The recent-failures ring (docs/shm-layout.md): one entry per classified
 * failure, written at the end of request_status from the request's verdict and
 * its last attempt, for `gwguardctl recent` and `explain`. Lock-free
 * (gwg_shm_recent_add); the entry is built on the stack, no allocation.
 */
#include "httpd.h"
#include "http_config.h"
#include "apr_strings.h"

#include "gwg_atomic.h"
#include "gwg_time.h"
#include "mod_gwguard.h"
#include "mod_gwguard_recent.h"
#include "mod_gwguard_req.h"

/* Microseconds from a to b, 0 when either is unknown. */
static uint64_t span(apr_time_t a, apr_time_t b)
{
    return (a && b && b >= a) ? (uint64_t)(b - a) : 0;
}

static void fill_attempt(gwg_recent *e, const gwguard_attempt *a,
                         apr_time_t now)
{
    apr_cpystrn(e->key, a->key, sizeof(e->key));
    e->ah_number = (uint32_t)(a->ah_number > 0 ? a->ah_number : 0);
    e->apr_status = (int32_t)a->apr_status;
    e->t_connect_us = span(a->sig.start_us, a->sig.connected_us);
    e->t_ttfb_us = span(a->sig.start_us, a->sig.first_byte_us);
    e->t_total_us = span(a->sig.start_us, now);
}

/* What every entry of a request has: the request's side. */
static void fill_request(gwg_recent *e, request_rec *r, const gwguard_req *st,
                         apr_time_t now)
{
    memset(e, 0, sizeof(*e));
    e->time = (uint64_t)now;
    apr_cpystrn(e->request_id, gwguard_request_id(r, st),
                sizeof(e->request_id));
    apr_cpystrn(e->method, r->method ? r->method : "", sizeof(e->method));
    /* the path without the query (it may hold secrets), cut at 256 */
    apr_cpystrn(e->path, r->uri ? r->uri : "", sizeof(e->path));
}

/* A request body is announced by either header (RFC 9112 §6.3); looking
 * at them is two table lookups, not parsing. */
int gwguard_retryable(request_rec *r, gwg_class_t cls)
{
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    int has_body = apr_table_get(r->headers_in, "Transfer-Encoding") != NULL
                   || (cl && strcmp(cl, "0") != 0);

    return gwg_class_retryable(cls, r->method, has_body);
}

static uint8_t retry_flag(request_rec *r, gwg_class_t cls)
{
    return gwguard_retryable(r, cls) ? GWG_RETRY_YES : GWG_RETRY_NO;
}

void gwguard_recent_note(request_rec *r, const gwguard_req *st)
{
    apr_time_t now = apr_time_now();
    const gwg_local_fault_info *lf;
    gwg_recent e;

    if (!gwguard_segment.ok || st->cls == GWG_CLASS_NONE) {
        return;
    }
    fill_request(&e, r, st, now);
    e.class_id = (uint32_t)st->cls;
    e.status = (uint32_t)st->status;
    e.retryable = retry_flag(r, st->cls);
    if (st->attempts->nelts > 0) {
        fill_attempt(&e, &APR_ARRAY_IDX(st->attempts,
                                        st->attempts->nelts - 1,
                                        gwguard_attempt), now);
    }
    else {
        e.t_total_us = span(r->request_time, now);
    }
    lf = gwg_local_fault_get((gwg_local_fault)st->local_fault);
    apr_snprintf(e.detail, sizeof(e.detail), "rule=%s attempts=%d%s%s",
                 st->rule ? st->rule : "-", st->attempts->nelts,
                 lf ? " local=" : "", lf ? lf->name : "");
    gwg_shm_recent_add(&gwguard_segment.shm, &e);
}

void gwguard_recent_note_attempt(request_rec *r, const gwguard_req *st,
                                 int i)
{
    const gwguard_attempt *a = &APR_ARRAY_IDX(st->attempts, i,
                                              gwguard_attempt);
    gwg_recent e;

    if (!gwguard_segment.ok || a->cls == GWG_CLASS_NONE) {
        return;
    }
    fill_request(&e, r, st,
                 a->sig.end_us ? a->sig.end_us : apr_time_now());
    e.class_id = (uint32_t)a->cls;
    e.retryable = retry_flag(r, a->cls);
    fill_attempt(&e, a,
                 a->sig.end_us ? a->sig.end_us : apr_time_now());
    apr_snprintf(e.detail, sizeof(e.detail), "rule=%s attempt=%d/%d "
                 "failed over", a->rule ? a->rule : "-", i + 1,
                 st->attempts->nelts);
    gwg_shm_recent_add(&gwguard_segment.shm, &e);
}
