/*
 * The recent-failures ring (docs/shm-layout.md): one entry per classified
 * failure, written at the end of request_status from the request's verdict and
 * its last attempt, for `gwguardctl recent` and `explain`. Lock-free
 * (gwg_shm_recent_claim/publish); the entry is written in place with
 * bounded copies (no formatting, no allocation, nothing built first), and
 * not at all when the ring is off (GwGuardRecent 0).
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
#include "mod_gwguard_wcache.h"

/* Microseconds from a to b, 0 when either is unknown. */
static uint64_t span(apr_time_t a, apr_time_t b)
{
    return (a && b && b >= a) ? (uint64_t)(b - a) : 0;
}

/* src, of length len when known (else 0), into a zeroed field of n
 * bytes: a copy of that length when it fits with its NUL (no scan),
 * else gwg_append's. */
static void put(char *field, size_t n, const char *src, size_t len)
{
    if (len && len < n) {
        memcpy(field, src, len);
    }
    else {
        gwg_append(field, field + n, src);
    }
}

/* A few bytes (the method) into a zeroed field of n, cut at n - 1: a
 * loop costs less than gwg_append's two calls. */
static void put_short(char *field, size_t n, const char *src)
{
    size_t i;

    for (i = 0; src && i < n - 1 && src[i]; i++) {
        field[i] = src[i];
    }
}

static void fill_attempt(gwg_recent *e, const gwguard_attempt *a,
                         apr_time_t now)
{
    /* a declared worker's key is its entry's, whose length is known */
    put(e->key, sizeof(e->key), a->key,
        a->entry && a->key == a->entry->key ? a->entry->key_len : 0);
    e->ah_number = (uint32_t)(a->ah_number > 0 ? a->ah_number : 0);
    e->apr_status = (int32_t)a->apr_status;
    e->t_connect_us = span(a->sig.start_us, a->sig.connected_us);
    e->t_ttfb_us = span(a->sig.start_us, a->sig.first_byte_us);
    e->t_total_us = span(a->sig.start_us, now);
}

/* What every entry of a request has: the request's side. Every field but
 * seq is written (the claimed entry still holds an older one), zeroed
 * first by libc's vector memset (GCC's inline one stores 8 bytes an
 * instruction). */
static void fill_request(gwg_recent *e, request_rec *r,
                         const gwguard_req *st, const char *id,
                         apr_time_t now)
{
    gwguard_zero((char *)e + sizeof(e->seq), sizeof(*e) - sizeof(e->seq));
    e->time = (uint64_t)now;
    put(e->request_id, sizeof(e->request_id), id, st->request_id_len);
    put_short(e->method, sizeof(e->method), r->method);
    /* the path without the query (it may hold secrets), cut at 256 */
    gwg_append(e->path, e->path + sizeof(e->path), r->uri);
}

static int ring_on(void)
{
    return gwguard_segment.ok && gwguard_segment.shm.recent_size > 0;
}

/* A literal of n bytes at at: a copy of constant size when it fits (the
 * common case, no scan), else gwg_append's cut. */
static inline char *lit(char *at, const char *end, const char *s, size_t n)
{
    if ((size_t)(end - at) > n) {
        memcpy(at, s, n + 1);
        return at + n;
    }
    return gwg_append(at, end, s);
}
#define LIT(at, end, s) lit((at), (end), (s), sizeof(s) - 1)

/* A count: one digit without gwg_append_u64's loop and scan. */
static inline char *count(char *at, const char *end, int v)
{
    if (v >= 0 && v < 10 && end - at > 1) {
        at[0] = (char)('0' + v);
        at[1] = '\0';
        return at + 1;
    }
    return gwg_append_u64(at, end, (uint64_t)v);
}

/* "rule=R attempts=N local=L" or "rule=R attempt=I/N failed over". */
static inline void detail(gwg_recent *e, const char *rule, int attempt,
                          int n, const char *local)
{
    char *end = e->detail + sizeof(e->detail), *at;

    at = LIT(e->detail, end, "rule=");
    at = gwg_append(at, end, rule ? rule : "-");
    if (attempt > 0) {
        at = LIT(at, end, " attempt=");
        at = count(at, end, attempt);
        at = LIT(at, end, "/");
    }
    else {
        at = LIT(at, end, " attempts=");
    }
    at = count(at, end, n);
    if (attempt > 0) {
        LIT(at, end, " failed over");
    }
    else if (local) {
        gwg_append(LIT(at, end, " local="), end, local);
    }
}

/* A request body is announced by either header (RFC 9112 §6.3); looking
 * at them is two table lookups, not parsing, and only for a class where
 * the request may have reached the upstream: where nothing did, the
 * answer is yes whatever the request (asked as a body with no method). */
int gwguard_retryable(request_rec *r, gwg_class_t cls)
{
    const char *cl;
    int has_body;

    if (gwg_class_retryable(cls, NULL, 1)) {
        return 1;
    }
    cl = apr_table_get(r->headers_in, "Content-Length");
    has_body = apr_table_get(r->headers_in, "Transfer-Encoding") != NULL
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
    const char *id;
    uint8_t retry;
    uint64_t ticket;
    gwg_recent *e;

    if (!ring_on() || st->cls == GWG_CLASS_NONE
        || st->cls == GWG_CLASS_MAINTENANCE) {   /* not a failure */
        return;
    }
    now = apr_time_now();
    id = gwguard_request_id(r, st);     /* may allocate: before the claim */
    retry = retry_flag(r, st->cls);
    lf = st->local_fault    /* none (the usual): no table walk */
         ? gwg_local_fault_get((gwg_local_fault)st->local_fault) : NULL;
    if (!(e = gwg_shm_recent_claim(&gwguard_segment.shm, &ticket))) {
        return;
    }
    fill_request(e, r, st, id, now);
    e->class_id = (uint32_t)st->cls;
    e->status = (uint32_t)st->status;
    e->retryable = retry;
    if (st->attempts->nelts > 0) {
        fill_attempt(e, &APR_ARRAY_IDX(st->attempts,
                                       st->attempts->nelts - 1,
                                       gwguard_attempt), now);
    }
    else {
        e->t_total_us = span(r->request_time, now);
    }
    detail(e, st->rule, 0, st->attempts->nelts, lf ? lf->name : NULL);
    gwg_shm_recent_publish(e, ticket);
}

void gwguard_recent_note_attempt(request_rec *r, const gwguard_req *st,
                                 int i)
{
    const gwguard_attempt *a = &APR_ARRAY_IDX(st->attempts, i,
                                              gwguard_attempt);
    apr_time_t end;
    const char *id;
    uint8_t retry;
    uint64_t ticket;
    gwg_recent *e;

    if (!ring_on() || a->cls == GWG_CLASS_NONE
        || a->cls == GWG_CLASS_MAINTENANCE) {
        return;
    }
    end = a->sig.end_us ? a->sig.end_us : apr_time_now();
    id = gwguard_request_id(r, st);
    retry = retry_flag(r, a->cls);
    if (!(e = gwg_shm_recent_claim(&gwguard_segment.shm, &ticket))) {
        return;
    }
    fill_request(e, r, st, id, end);
    e->class_id = (uint32_t)a->cls;
    e->retryable = retry;
    fill_attempt(e, a, end);
    detail(e, a->rule, i + 1, st->attempts->nelts, NULL);
    gwg_shm_recent_publish(e, ticket);
}
