/*
 * The backend connection filter, tied to the attempt it serves by the
 * thread's current proxied request (mod_gwguard_req.c). It records how
 * reads and writes ended, bytes, the first byte's time and whether the
 * connection was reused: state the classifier trusts whatever the
 * LogLevel. Also the response filters of the request path (progress for
 * handlers that read the backend socket themselves, the h2 head hold).
 */
#include "httpd.h"
#include "http_config.h"
#include "http_connection.h"
#include "http_log.h"
#include "http_request.h"
#include "util_filter.h"
#include "http_protocol.h"
#include "apr_strings.h"

#include "gwg_classify.h"
#include "mod_gwguard_backend.h"
#include "mod_gwguard_req.h"

APLOG_USE_MODULE(gwguard);

static const char http_prefix[] = "HTTP/";
#define HTTP_PREFIX_LEN 5

/* Per backend connection (c->pool); pooled connections keep it. */
typedef struct {
    apr_uint64_t seq;      /* the attempt the connection serves now */
    int head_len;          /* bytes of "HTTP/" checked in this attempt */
    apr_uint64_t steady;   /* the attempt's seq once its first bytes are
                              timed and "HTTP/" checked (from then on a
                              read only looks for errors and EOF), else 0 */
    ap_input_mode_t mode;  /* the read under way, for backend_in_rest: */
    apr_read_type_e block; /* fewer registers kept over the read */
    ap_filter_t *in;       /* the input filter itself, ditto */
} backend_ctx;

static int io_of(apr_status_t rv)
{
    if (APR_STATUS_IS_TIMEUP(rv)) {
        return GWG_IO_TIMEOUT;
    }
    if (APR_STATUS_IS_ECONNRESET(rv) || APR_STATUS_IS_EPIPE(rv)
        || APR_STATUS_IS_ECONNABORTED(rv)) {
        return GWG_IO_RESET;
    }
    if (APR_STATUS_IS_EOF(rv)) {
        return GWG_IO_EOF;
    }
    return GWG_IO_ERROR;
}

/* The first call of an attempt on this connection resets the
 * per-attempt parts of the context. Out of line: once per attempt. */
static __attribute__((noinline)) void bind_attempt(conn_rec *c,
                                                   backend_ctx *ctx,
                                                   gwguard_attempt *a)
{
    ctx->seq = a->seq;
    ctx->head_len = 0;
    ctx->steady = 0;
    /* mod_proxy_http counts responses on the origin connection in
     * c->keepalives: non-zero means a reused connection. */
    a->sig.reused = c->keepalives > 0;
    a->sig.io = GWG_IO_OK;
    a->io_status = APR_SUCCESS;
    if (!a->sig.connected_us) {
        /* a pooled connection was ready when the attempt began (its
         * connect time is 0); another one made before the attempt was
         * bound is timed now */
        a->sig.connected_us = a->sig.reused ? a->sig.start_us
                                            : apr_time_now();
    }
}

/* The attempt this connection serves, NULL outside a proxied request
 * (health checks, connection pool maintenance): every read and write
 * asks, so it is one thread-local load and a compare. */
static inline gwguard_attempt *attempt_for(conn_rec *c, backend_ctx *ctx)
{
    gwguard_attempt *a = gwguard_current_a;

    if (a && ctx->seq != a->seq) {
        bind_attempt(c, ctx, a);
    }
    return a;
}

static void note_io(gwguard_attempt *a, apr_status_t rv)
{
    a->sig.io = io_of(rv);
    a->io_status = rv;
}

/* Whether the data starts like an HTTP/1.x status line, checked over the
 * first five bytes of the response (after stray CR/LF, which
 * mod_proxy_http skips too). Returns 0 when it cannot be HTTP. */
static int head_check(backend_ctx *ctx, apr_bucket_brigade *bb)
{
    apr_bucket *b;

    for (b = APR_BRIGADE_FIRST(bb);
         b != APR_BRIGADE_SENTINEL(bb) && ctx->head_len < HTTP_PREFIX_LEN;
         b = APR_BUCKET_NEXT(b)) {
        const char *data;
        apr_size_t len, i;

        if (APR_BUCKET_IS_METADATA(b) || b->length == (apr_size_t)-1
            || apr_bucket_read(b, &data, &len, APR_NONBLOCK_READ)
               != APR_SUCCESS) {
            continue;
        }
        if (ctx->head_len == 0 && len >= HTTP_PREFIX_LEN
            && data[0] != '\r' && data[0] != '\n') {
            /* the common case, the whole prefix in one bucket: one
             * compare instead of the loop below */
            ctx->head_len = HTTP_PREFIX_LEN;
            return memcmp(data, http_prefix, HTTP_PREFIX_LEN) == 0;
        }
        for (i = 0; i < len && ctx->head_len < HTTP_PREFIX_LEN; i++) {
            if (ctx->head_len == 0 && (data[i] == '\r' || data[i] == '\n')) {
                continue;
            }
            if (data[i] != http_prefix[ctx->head_len++]) {
                return 0;
            }
        }
    }
    return 1;
}

static int has_eos(apr_bucket_brigade *bb)
{
    apr_bucket *b;

    for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        if (APR_BUCKET_IS_EOS(b)) {
            return 1;
        }
    }
    return 0;
}

/* The brigade's length without reading (apr_brigade_length with
 * read_all 0, without the call): -1 when a bucket's is not known. */
static apr_off_t known_length(apr_bucket_brigade *bb)
{
    apr_off_t len = 0;
    apr_bucket *b;

    for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        if (b->length == (apr_size_t)-1) {
            return -1;
        }
        len += (apr_off_t)b->length;
    }
    return len;
}

/* The first response bytes of an attempt: their time, and whether they
 * can be HTTP. Returns 0 when they cannot (the read then fails). Out of
 * line: only the first read or two of an attempt come here. */
static __attribute__((noinline)) int first_bytes(backend_ctx *ctx,
                                                 gwguard_attempt *a,
                                                 apr_bucket_brigade *bb)
{
    apr_off_t len = known_length(bb);

    if (len <= 0) {
        return 1;
    }
    if (!a->sig.first_byte_us) {
        a->sig.first_byte_us = apr_time_now();
    }
    /* counted until the head is seen: the rules ask only whether any
     * response byte came */
    a->sig.bytes_read += len;
    if (a->check_http && ctx->head_len < HTTP_PREFIX_LEN
        && !head_check(ctx, bb)) {
        return 0;
    }
    if (!a->check_http || ctx->head_len >= HTTP_PREFIX_LEN) {
        ctx->steady = a->seq;
    }
    return 1;
}

/* A connection that answered something other than HTTP/1 (an HTTP/0.9
 * "response") gets this filter in place of backend_in: every read
 * fails, so mod_proxy_http never passes the rest on. */
static ap_filter_rec_t *backend_refused_filter;

static apr_status_t backend_refused_in(ap_filter_t *f, apr_bucket_brigade *bb,
                                       ap_input_mode_t mode,
                                       apr_read_type_e block,
                                       apr_off_t readbytes)
{
    (void)f; (void)bb; (void)mode; (void)block; (void)readbytes;
    return APR_EGENERAL;
}

/* Every read but the common one: the attempt's first reads, a peek, a
 * failed read, the peer's close. Out of line. */
static __attribute__((noinline)) apr_status_t backend_in_rest(
    backend_ctx *ctx, apr_bucket_brigade *bb, apr_status_t rv)
{
    ap_filter_t *f = ctx->in;
    ap_input_mode_t mode = ctx->mode;
    apr_read_type_e block = ctx->block;
    gwguard_attempt *a;

    if (!(a = attempt_for(f->c, ctx))) {
        return rv;
    }
    if (mode == AP_MODE_SPECULATIVE) {
        /* Data seen here is read again. A blocking peek (backend_in
         * keeps the others) is ap_rgetline looking for a folded header
         * line (AP_GETLINE_FOLD), so its failure is the response's. */
        if (rv != APR_SUCCESS) {
            note_io(a, rv);
        }
        return rv;
    }
    if (rv != APR_SUCCESS) {
        if (!(APR_STATUS_IS_EAGAIN(rv) && block == APR_NONBLOCK_READ)) {
            note_io(a, rv);
        }
        return rv;
    }
    if (ctx->steady != a->seq && !first_bytes(ctx, a, bb)) {
        /* An HTTP/0.9 "response": make it a read error, so that
         * mod_proxy_http answers 502 instead of passing it as 200. */
        a->sig.not_http = 1;
        f->frec = backend_refused_filter;  /* every later read fails */
        apr_brigade_cleanup(bb);
        return APR_EGENERAL;
    }
    /* The core input filter reports the peer's close as an empty brigade
     * on a blocking read (ap_rgetline then says APR_EGENERAL) or as EOS. */
    if ((block == APR_BLOCK_READ && APR_BRIGADE_EMPTY(bb)) || has_eos(bb)) {
        note_io(a, APR_EOF);
    }
    return rv;
}

static apr_status_t backend_in(ap_filter_t *f, apr_bucket_brigade *bb,
                               ap_input_mode_t mode, apr_read_type_e block,
                               apr_off_t readbytes)
{
    backend_ctx *ctx = f->ctx;
    apr_status_t rv;

    ctx->mode = mode;
    ctx->block = block;
    /* ap_get_brigade's own body, without its call: a filter is always
     * below (the core's at least) */
    rv = f->next->frec->filter_func.in_func(f->next, bb, mode, block,
                                            readbytes);
    /* The common read (8 per response: mod_proxy_http reads the head a
     * line at a time): data, after the first bytes of the thread's
     * attempt on this connection (or with no attempt at all: nothing to
     * note then), not ending in EOS (which closes a brigade). A peek
     * needs no other test: a successful one is nothing to note. */
    if (rv == APR_SUCCESS && ctx->steady == gwguard_current_seq
        && !APR_BRIGADE_EMPTY(bb)
        && !APR_BUCKET_IS_EOS(APR_BRIGADE_LAST(bb))) {
        return rv;
    }
    /* mod_proxy probing an idle pooled connection before reusing it
     * (ap_proxy_check_connection): whatever it finds is its to act on,
     * and the request's write binds the attempt (mode and block are read
     * back: fewer registers kept over the read) */
    if (ctx->mode == AP_MODE_SPECULATIVE && ctx->block == APR_NONBLOCK_READ) {
        return rv;
    }
    return backend_in_rest(ctx, bb, rv);
}

static apr_status_t backend_out(ap_filter_t *f, apr_bucket_brigade *bb)
{
    backend_ctx *ctx = f->ctx;
    gwguard_attempt *a = attempt_for(f->c, ctx);
    apr_status_t rv = ap_pass_brigade(f->next, bb);

    if (a && rv != APR_SUCCESS) {
        note_io(a, rv);
    }
    return rv;
}

static ap_filter_rec_t *backend_in_filter, *backend_out_filter;
static ap_filter_rec_t *progress_filter, *ajp_sent_filter;

/* mod_proxy_fcgi and mod_proxy_scgi read the backend socket directly (no
 * conn_rec for the filter above): when their exchange fails after the
 * response began, the time since they last passed response data on tells
 * a read that timed out from one that broke. */
static int has_data(apr_bucket_brigade *bb)
{
    apr_bucket *b;

    for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        if (!APR_BUCKET_IS_METADATA(b) && b->length != 0) {
            return 1;
        }
    }
    return 0;
}

static apr_status_t progress_out(ap_filter_t *f, apr_bucket_brigade *bb)
{
    gwguard_req *st = gwguard_req_get(f->r, 0);

    /* data only: the error bucket and EOS a handler passes when it gives
     * up (ap_proxy_backend_broke) are not progress */
    if (st && st->in_proxy && st->attempts->nelts > 0 && has_data(bb)) {
        APR_ARRAY_IDX(st->attempts, st->attempts->nelts - 1,
                      gwguard_attempt).sig.last_out_us = apr_time_now();
    }
    return ap_pass_brigade(f->next, bb);
}

/* mod_proxy_ajp has no backend conn_rec either and keeps no state that
 * says it connected, but it reads the client's request body (also for a
 * GET without one: ap_get_brigade on r->input_filters) only after
 * ajp_send_header wrote the request to the backend (ap_proxy_ajp_request,
 * 2.4.x). So a read during an AJP attempt says: connected, request sent.
 * A chunked request body is read only on the backend's GET_BODY_CHUNK,
 * and balancers do not get the filter (needs_ajp_sent): such attempts
 * stay "connection unknown" (docs/backends.md). */
static apr_status_t ajp_sent_in(ap_filter_t *f, apr_bucket_brigade *bb,
                                ap_input_mode_t mode, apr_read_type_e block,
                                apr_off_t readbytes)
{
    gwguard_req *st = gwguard_req_get(f->r, 0);
    gwguard_attempt *a;

    if (st && st->in_proxy && st->attempts->nelts > 0) {
        a = &APR_ARRAY_IDX(st->attempts, st->attempts->nelts - 1,
                           gwguard_attempt);
        if (a->sig.scheme == GWG_SCHEME_AJP && !a->sig.connected_us
            && !a->sig.end_us) {
            a->sig.connected_us = apr_time_now();
        }
    }
    return ap_get_brigade(f->next, bb, mode, block, readbytes);
}

/* Whether s starts with the lower-case letters p (n of them), in any
 * case. */
static int prefix_ci(const char *s, const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if ((s[i] | 0x20) != p[i]) {
            return 0;
        }
    }
    return 1;
}

/* The target after "proxy:" of a proxied request, NULL for any other. */
static const char *proxy_target(const request_rec *r)
{
    if (r->proxyreq && gwguard_proxy_prefix(r->filename)) {
        return r->filename + 6;
    }
    if (gwguard_proxy_prefix(r->handler)) {
        return r->handler + 6;
    }
    return NULL;
}

/* The target past a "unix:...|" part. */
static const char *past_unix(const char *t)
{
    const char *bar;

    if (prefix_ci(t, "unix", 4) && t[4] == ':'
        && (bar = strchr(t, '|')) != NULL) {
        return bar + 1;
    }
    return t;
}

/* ajp_sent_in for ajp:// targets only: a request filter makes
 * mod_proxy_http spool a request body it would stream (it checks
 * r->input_filters == r->proto_input_filters), so a balancer, which may
 * hold HTTP members, does not get it. */
static int needs_ajp_sent(const char *t)
{
    t = past_unix(t);
    return prefix_ci(t, "ajp:", 4);
}

/* HTTP/2 clients. When the backend breaks before the response head on a
 * client connection that had requests before (c->keepalives, which an
 * h2 stream's connection always has), mod_proxy_http passes an error
 * bucket (502), EOC and EOS instead of an answer: on HTTP/1 the client
 * connection is closed so the browser retries, but mod_http2 turns a
 * stream without a head into its own 500. This filter holds that brigade
 * back, so the core's error path answers the request with gwguard's 502
 * (request_status makes the handler's result 502; mod_gwguard_proxy.c). */
static ap_filter_rec_t *h2_head_filter;

static int error_before_data(apr_bucket_brigade *bb)
{
    apr_bucket *b;

    for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        if (AP_BUCKET_IS_ERROR(b)) {
            return ((ap_bucket_error *)b->data)->status == HTTP_BAD_GATEWAY;
        }
        if (!APR_BUCKET_IS_METADATA(b)) {
            return 0;
        }
    }
    return -1;                          /* only metadata: undecided */
}

static apr_status_t h2_head_out(ap_filter_t *f, apr_bucket_brigade *bb)
{
    gwguard_req *st = gwguard_req_get(f->r, 0);
    int broke = error_before_data(bb);

    if (broke == 1 && st && st->in_proxy && !f->r->sent_bodyct) {
        st->head_broke_held = 1;
        apr_brigade_cleanup(bb);
        return APR_SUCCESS;
    }
    if (broke == 0) {
        ap_remove_output_filter(f);     /* an answer: out of the way */
    }
    return ap_pass_brigade(f->next, bb);
}

/* The filters an attempt's handler needs besides the backend
 * connection's, added once each per request when the scheme handler
 * begins an attempt that needs them (a failover to another kind of
 * member adds what it needs then). Subrequests get none. */
void gwguard_backend_attempt_filters_slow(request_rec *r, gwguard_req *st,
                                          int scheme)
{
    const char *t;

    if (r->main) {
        return;
    }
    if (scheme != GWG_SCHEME_HTTP && !(st->filters & GWGUARD_F_PROGRESS)) {
        ap_add_output_filter_handle(progress_filter, NULL, r, r->connection);
        st->filters |= GWGUARD_F_PROGRESS;
    }
    if (scheme == GWG_SCHEME_AJP && !(st->filters & GWGUARD_F_AJP_SENT)
        && (t = proxy_target(r)) != NULL && needs_ajp_sent(t)) {
        ap_add_input_filter_handle(ajp_sent_filter, NULL, r, r->connection);
        st->filters |= GWGUARD_F_AJP_SENT;
    }
    /* an h2 stream's connection has a master; HTTP/1 keeps httpd's way */
    if (r->connection->master && !(st->filters & GWGUARD_F_H2_HEAD)) {
        ap_add_output_filter_handle(h2_head_filter, NULL, r, r->connection);
        st->filters |= GWGUARD_F_H2_HEAD;
    }
}

/* mod_logio's input filter, which mod_logio adds to every connection. */
static ap_filter_rec_t *logio_in_filter;

/* On a backend connection mod_logio's input filter counts bytes into
 * that connection's own record, which nothing reads: mod_logio's %I, %O,
 * %S and its optional functions all take the client's connection, and
 * its log_transaction hook never runs for a backend one. Reading through
 * it costs about 70 instructions a read (its call, the brigade's length;
 * mod_proxy_http reads the head a line at a time); taken out, the
 * backend filter's reads go straight to the next filter (the core's, or
 * mod_ssl's for https). The client's counts are unchanged
 * (test_logio.py). */
static void drop_logio(conn_rec *c)
{
    ap_filter_t *f;

    for (f = c->input_filters; f; f = f->next) {
        if (f->frec == logio_in_filter) {
            ap_remove_input_filter(f);
            ap_log_cerror(APLOG_MARK, APLOG_TRACE3, 0, c, "backend "
                          "connection: mod_logio's input filter taken out");
            return;
        }
    }
}

/* mod_proxy runs pre_connection for each new backend connection, just
 * after connecting (ap_proxy_connection_create_ex), c->outgoing set. */
static int backend_pre_connection(conn_rec *c, void *csd)
{
    backend_ctx *ctx;
    gwguard_attempt *a;

    (void)csd;
    if (!c->outgoing || !gwguard_current_req()) {
        return DECLINED;
    }
    if (logio_in_filter) {
        drop_logio(c);
    }
    ctx = apr_pcalloc(c->pool, sizeof(*ctx));
    ctx->in = ap_add_input_filter_handle(backend_in_filter, ctx, NULL, c);
    ap_add_output_filter_handle(backend_out_filter, ctx, NULL, c);
    if ((a = gwguard_current_attempt()) != NULL) {
        /* A new connection replaces whatever an earlier (pooled, dead)
         * one of this attempt showed. */
        a->sig.connected_us = apr_time_now();
        a->sig.bytes_read = 0;
        a->sig.first_byte_us = 0;
        attempt_for(c, ctx);
    }
    return DECLINED;
}

/* After all modules registered their filters. */
void gwguard_backend_post_config(void)
{
    logio_in_filter = ap_get_input_filter_handle("LOG_INPUT_OUTPUT");
}

void gwguard_backend_register_hooks(void)
{
    static const char *const after_logio[] = { "mod_logio.c", NULL };

    /* Above mod_ssl (CONNECTION + 5): the filter sees the decrypted
     * response, so the HTTP check works for https:// upstreams too. */
    backend_in_filter = ap_register_input_filter("GWGUARD_BACKEND",
                                                 backend_in, NULL,
                                                 AP_FTYPE_CONNECTION);
    backend_out_filter = ap_register_output_filter("GWGUARD_BACKEND",
                                                   backend_out, NULL,
                                                   AP_FTYPE_CONNECTION);
    backend_refused_filter = ap_register_input_filter(
        "GWGUARD_BACKEND_REFUSED", backend_refused_in, NULL,
        AP_FTYPE_CONNECTION);
    ap_hook_pre_connection(backend_pre_connection, after_logio, NULL,
                           APR_HOOK_MIDDLE);
    progress_filter = ap_register_output_filter("GWGUARD_PROGRESS",
                                                progress_out, NULL,
                                                AP_FTYPE_RESOURCE);
    ajp_sent_filter = ap_register_input_filter("GWGUARD_AJP_SENT",
                                               ajp_sent_in, NULL,
                                               AP_FTYPE_RESOURCE);
    h2_head_filter = ap_register_output_filter("GWGUARD_H2_HEAD",
                                               h2_head_out, NULL,
                                               AP_FTYPE_RESOURCE);
}
