/*
 * The recent-failures ring (docs/shm-layout.md): one entry per classified
 * failure, written at the end of request_status from the request's verdict and
 * its last attempt, for `gwguardctl recent` and `explain`. Lock-free
 * (gwg_shm_recent_add); the entry is built on the stack with bounded
 * copies (no formatting, no allocation), and not at all when the ring is
 * off (GwGuardRecent 0).
 */
#include "httpd.h"
#include "http_config.h"
#include "apr_strings.h"

#include "gwg_atomic.h"
#include "gwg_out.h"
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
    gwg_append(e->key, e->key + sizeof(e->key), a->key);
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
    gwg_append(e->request_id, e->request_id + sizeof(e->request_id),
               gwguard_request_id(r, st));
    gwg_append(e->method, e->method + sizeof(e->method), r->method);
    /* the path without the query (it may hold secrets), cut at 256 */
    gwg_append(e->path, e->path + sizeof(e->path), r->uri);
}

static int ring_on(void)
{
    return gwguard_segment.ok && gwguard_segment.shm.recent_size > 0;
}

/* "rule=R attempts=N local=L" or "rule=R attempt=I/N failed over". */
static void detail(gwg_recent *e, const char *rule, const char *what,
                   int i, int n, const char *tail)
{
    char *end = e->detail + sizeof(e->detail), *at;

    at = gwg_append(e->detail, end, "rule=");
    at = gwg_append(at, end, rule ? rule : "-");
    at = gwg_append(at, end, what);
    if (i > 0) {
        at = gwg_append_u64(at, end, (uint64_t)i);
        at = gwg_append(at, end, "/");
    }
    at = gwg_append_u64(at, end, (uint64_t)n);
    gwg_append(at, end, tail);
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
    apr_time_t now;
    const gwg_local_fault_info *lf;
    gwg_recent e;

    if (!ring_on() || st->cls == GWG_CLASS_NONE
        || st->cls == GWG_CLASS_MAINTENANCE) {   /* not a failure */
        return;
    }
    now = apr_time_now();
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
    detail(&e, st->rule, " attempts=", 0, st->attempts->nelts,
           lf ? apr_pstrcat(r->pool, " local=", lf->name, NULL) : "");
    gwg_shm_recent_add(&gwguard_segment.shm, &e);
}

void gwguard_recent_note_attempt(request_rec *r, const gwguard_req *st,
                                 int i)
{
    const gwguard_attempt *a = &APR_ARRAY_IDX(st->attempts, i,
                                              gwguard_attempt);
    gwg_recent e;

    if (!ring_on() || a->cls == GWG_CLASS_NONE
        || a->cls == GWG_CLASS_MAINTENANCE) {
        return;
    }
    fill_request(&e, r, st,
                 a->sig.end_us ? a->sig.end_us : apr_time_now());
    e.class_id = (uint32_t)a->cls;
    e.retryable = retry_flag(r, a->cls);
    fill_attempt(&e, a,
                 a->sig.end_us ? a->sig.end_us : apr_time_now());
    detail(&e, a->rule, " attempt=", i + 1, st->attempts->nelts,
           " failed over");
    gwg_shm_recent_add(&gwguard_segment.shm, &e);
}
