/*
 * Answering a failure with a page. request_status has the verdict; the
 * page is chosen from the configuration (class, then status, then
 * default; inner scopes over outer), rendered from a compiled template
 * (the built-in ones bound to the class at config time) and sent the way
 * the core's error path would send it (ap_die, ap_send_error_response):
 * error filters, `Header always`, HEAD, keep-alive; without its copies,
 * and with the head made directly when nothing could change it
 * (mod_gwguard_direct.c). A page for an ErrorDocument that failed in turn goes through
 * ap_custom_response. Upstream-sent errors (GwGuardIntercept) are
 * replaced by an output filter that sees the upstream's status and
 * Content-Type before anything is sent.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "mod_core.h"
#include "util_filter.h"

#include <apr_strings.h>

#include "gwg_accept.h"
#include "gwg_conf.h"
#include "gwg_page.h"
#include "gwg_page_conf.h"
#include "gwg_time.h"
#include "mod_gwguard.h"
#include "mod_gwguard_config.h"
#include "mod_gwguard_direct.h"
#include "mod_gwguard_page.h"
#include "mod_gwguard_page_conf.h"
#include "mod_gwguard_recent.h"
#include "mod_gwguard_req.h"
#include "mod_gwguard_maint.h"

APLOG_USE_MODULE(gwguard);

#define NOTE_TYPE "gwguard-page-type"    /* r->notes: our page's type */

static ap_filter_rec_t *type_filter, *intercept_filter;

/* ---- choosing ---- */

typedef struct {
    const gwguard_page_ref *ref;  /* NULL: nothing configured */
    int explicit;                 /* keyed by this class or status */
} choice;

/* Most specific key first; within a key, the flavour for the client. */
static choice choose(const gwguard_page_conf *pc, gwg_class_t cls,
                     int status, int json)
{
    const gwg_class_info *info;
    char num[4];
    const char *keys[3];
    choice c = { NULL, 0 };
    int i;

    if (!pc || !pc->pages) {
        return c;                   /* no page configured: no key made */
    }
    info = gwg_class_get(cls);
    num[0] = (char)('0' + status / 100 % 10);
    num[1] = (char)('0' + status / 10 % 10);
    num[2] = (char)('0' + status % 10);
    num[3] = '\0';
    keys[0] = info ? info->name : "";
    keys[1] = num;
    keys[2] = "default";
    for (i = 0; i < 3; i++) {
        const gwguard_page_entry *e = apr_hash_get(pc->pages, keys[i],
                                                   APR_HASH_KEY_STRING);
        const gwguard_page_ref *ref = e ? (json ? &e->json : &e->html) : NULL;
        if (ref && ref->kind != GWGUARD_PAGE_UNSET) {
            c.ref = ref;
            c.explicit = i < 2;
            return c;
        }
    }
    return c;
}

/* ap_index_of_response for 500..599, found in pre_config: a lookup per
 * page instead of httpd's search. */
static int index_5xx[100];

static void make_index_5xx(void)
{
    int i;

    for (i = 0; i < 100; i++) {
        index_5xx[i] = ap_index_of_response(500 + i);
    }
}

static int index_of_response(int status)
{
    return status >= 500 && status <= 599 ? index_5xx[status - 500]
                                          : ap_index_of_response(status);
}

/* The template to send, or NULL to leave the response to httpd:
 * `none`, or no explicit page while an ErrorDocument covers the status
 * (loading the module never silently replaces an admin's ErrorDocument). */
static const gwg_template *page_for(request_rec *r,
                                    const gwguard_page_conf *pc,
                                    const gwguard_req *st, gwg_class_t cls,
                                    int status, gwg_rep *rep,
                                    int errordoc_failed)
{
    int json = (*rep == GWG_REP_JSON || *rep == GWG_REP_PROBLEM);
    choice c = choose(pc, cls, status, json);

    if (c.ref && c.ref->kind == GWG_TARGET_NONE) {
        return NULL;
    }
    if (!c.explicit && !errordoc_failed
        && ap_response_code_string(r, index_of_response(status))) {
        return NULL;
    }
    if (c.ref && c.ref->kind != GWG_TARGET_BUILTIN && *rep != GWG_REP_TEXT) {
        /* an admin's JSON is sent as application/json, whatever it holds */
        if (*rep == GWG_REP_PROBLEM) {
            *rep = GWG_REP_JSON;
        }
        return c.ref->tpl;
    }
    if (cls == GWG_CLASS_MAINTENANCE) {
        return gwg_page_builtin_maint(*rep);    /* shows the message */
    }
    /* a local fault changes the class's sentence: the unbound page */
    return gwg_page_builtin_for(*rep, cls, st && cls == st->cls
                                           && st->local_fault ? 0 : status);
}

/* ---- filling ---- */

/* An On/Off setting: the value set in scope, else the default. */
static int flag(int value, int dflt)
{
    return value == GWGUARD_UNSET ? dflt : value != 0;
}

/* "gwguard; error=TYPE" per class, and the default Retry-After as text,
 * made in pre_config (pconf) */
static const char *proxy_status[GWG_CLASS_COUNT];
static const char *default_retry;

static void make_proxy_status(apr_pool_t *p)
{
    int c;

    default_retry = apr_ltoa(p, (long)gwg_default.retry_after);
    for (c = 0; c < GWG_CLASS_COUNT; c++) {
        const gwg_class_info *info = gwg_class_get((gwg_class_t)c);
        proxy_status[c] = info->proxy_status
            ? apr_pstrcat(p, "gwguard; error=", info->proxy_status, NULL)
            : NULL;
    }
}

/* "Bad Gateway" for 502: httpd's own reason phrases. */
static const char *reason_of(int status)
{
    const char *line = ap_get_status_line(status);

    return strlen(line) > 4 ? line + 4 : line;
}

static int retry_after(const gwguard_page_conf *pc, const gwguard_req *st)
{
    if (st && st->retry_after >= 0) {
        return st->retry_after;
    }
    if (pc && pc->retry_after != GWGUARD_UNSET) {
        return pc->retry_after;
    }
    return (int)gwg_default.retry_after;
}

static const char *upstream_of(const gwguard_page_conf *pc,
                               const gwguard_req *st)
{
    if (!flag(pc ? pc->expose_upstream : GWGUARD_UNSET,
              gwg_default.expose_upstream)
        || !st || st->attempts->nelts == 0) {
        return "";
    }
    /* the key lives as long as the request (per-child table or r->pool) */
    return APR_ARRAY_IDX(st->attempts, st->attempts->nelts - 1,
                         gwguard_attempt).key;
}

/* The values the page shows; what it does not show is not looked up
 * (uses: gwg_template_uses). */
static void fill(gwg_page_values *v, request_rec *r,
                 const gwguard_page_conf *pc, const gwguard_req *st,
                 gwg_class_t cls, int status, unsigned uses,
                 char when[GWG_RFC3339_LEN])
{
    const gwg_class_info *info = gwg_class_get(cls);

    if (!info) {
        info = gwg_class_get(GWG_CLASS_OTHER);
    }
    memset(v, 0, sizeof(*v));
    v->status = status;
    if (uses & GWG_USES_REASON) {
        v->reason = reason_of(status);
    }
    v->cls = info->name;
    v->code = info->code;
    v->class_text = info->text;
    if (st && cls == st->cls && st->local_fault) {
        v->class_text = gwg_local_fault_get(
            (gwg_local_fault)st->local_fault)->text;
    }
    if (uses & GWG_USES_REQUEST_ID) {
        v->request_id = st ? gwguard_request_id(r, st) : "";
        if (st && st->request_id_len) {     /* our hex, not a UNIQUE_ID */
            v->plain |= GWG_USES_REQUEST_ID;
        }
    }
    if (uses & GWG_USES_TIME) {
        v->time = gwg_time_rfc3339(when, GWG_RFC3339_LEN, gwg_now_us());
        v->plain |= GWG_USES_TIME;
    }
    v->host = r->hostname;
    v->method = r->method;
    v->path = r->unparsed_uri;
    if (uses & GWG_USES_UPSTREAM) {
        v->upstream = upstream_of(pc, st);
    }
    v->retry_after = retry_after(pc, st);
    v->vars = pc ? pc->vars : NULL;
    if (uses & GWG_USES_RETRYABLE) {
        v->retryable = gwguard_retryable(r, cls);
    }
    if (uses & GWG_USES_MESSAGE) {
        v->message = gwguard_maint_message(r);
    }
}

/* The header fields of a page in the usual case (the class's own
 * Proxy-Status or none, the default Retry-After on a 503), per class,
 * 503 or not, and Proxy-Status on or off; made in pre_config (pconf). A
 * page's still empty err_headers_out becomes a copy of one: one table
 * copy instead of four lookups and pushes, the same fields in the same
 * order as page_headers sets them. */
static apr_table_t *usual[GWG_CLASS_COUNT][2][2];

/* The names of those fields: a table whose every key is one of these
 * pointers holds only fields gwguard set (own_fields_only). */
static const char cache_control[] = "Cache-Control", vary[] = "Vary",
                  retry_after_field[] = "Retry-After",
                  proxy_status_field[] = "Proxy-Status";

static void make_usual_headers(apr_pool_t *p)
{
    int c, is503, ps;

    for (c = 0; c < GWG_CLASS_COUNT; c++) {
        for (is503 = 0; is503 < 2; is503++) {
            for (ps = 0; ps < 2; ps++) {
                apr_table_t *t = apr_table_make(p, 4);
                apr_table_setn(t, cache_control, "no-store");
                apr_table_mergen(t, vary, "Accept");
                if (is503) {
                    apr_table_setn(t, retry_after_field, default_retry);
                }
                if (ps && proxy_status[c]) {
                    apr_table_setn(t, proxy_status_field, proxy_status[c]);
                }
                usual[c][is503][ps] = t;
            }
        }
    }
}

/* apr_table_setn(t, key, val) for a copy of a usual table, whose fields
 * are known by their key pointers: the value changed in place, without
 * setn's string compares, when the field is there. */
static void replace(apr_table_t *t, const char *key, const char *val)
{
    const apr_array_header_t *a = apr_table_elts(t);
    apr_table_entry_t *e = (apr_table_entry_t *)a->elts;
    int i;

    for (i = 0; i < a->nelts; i++) {
        if (e[i].key == key) {
            e[i].val = (char *)val;
            return;
        }
    }
    apr_table_setn(t, key, val);
}

/* Headers every page carries; err_headers_out, because the core's error
 * path keeps only those. */
static void page_headers(request_rec *r, const gwguard_page_conf *pc,
                         const gwguard_req *st, gwg_class_t cls, int status,
                         long retry)
{
    const char *value = (unsigned)cls < GWG_CLASS_COUNT
                        ? proxy_status[cls] : NULL;
    const char *retry_value = NULL;
    int ps = flag(pc ? pc->proxy_status : GWGUARD_UNSET,
                  gwg_default.proxy_status);
    int is503 = status == HTTP_SERVICE_UNAVAILABLE;
    int local = st && cls == st->cls && st->local_fault;

    if (is503) {
        retry_value = retry == (long)gwg_default.retry_after
                      ? default_retry : apr_ltoa(r->pool, retry);
    }
    if (local) {
        value = apr_pstrcat(r->pool, "gwguard; error=", gwg_local_fault_get(
            (gwg_local_fault)st->local_fault)->proxy_status, NULL);
    }
    if ((unsigned)cls < GWG_CLASS_COUNT
        && apr_is_empty_table(r->err_headers_out)) {
        /* setn changes a field in place or adds it last: the same order
         * as setting them one by one below */
        r->err_headers_out = apr_table_copy(r->pool, usual[cls][is503][ps]);
        if (retry_value && retry_value != default_retry) {
            replace(r->err_headers_out, retry_after_field, retry_value);
        }
        if (ps && local && value) {
            replace(r->err_headers_out, proxy_status_field, value);
        }
        return;
    }
    apr_table_setn(r->err_headers_out, cache_control, "no-store");
    apr_table_mergen(r->err_headers_out, vary, "Accept");
    if (retry_value) {
        apr_table_setn(r->err_headers_out, retry_after_field, retry_value);
    }
    if (ps && value) {
        apr_table_setn(r->err_headers_out, proxy_status_field, value);
    }
}

/* The rendered page, GWGUARD_DIRECT_ROOM bytes after the start of its
 * allocation, or NULL to leave the response to httpd. */
static char *render(request_rec *r, const gwguard_page_conf *pc,
                    const gwguard_req *st, gwg_class_t cls, int status,
                    int errordoc_failed, const char **type, size_t *len)
{
    gwg_rep rep = gwg_accept_choose(apr_table_get(r->headers_in, "Accept"));
    const gwg_template *t = page_for(r, pc, st, cls, status, &rep,
                                     errordoc_failed);
    gwg_page_values v;
    char when[GWG_RFC3339_LEN];     /* the time, copied into the page */

    if (!t) {
        return NULL;
    }
    fill(&v, r, pc, st, cls, status, gwg_template_uses(t), when);
    *type = gwg_rep_content_type(rep);
    page_headers(r, pc, st, cls, status, v.retry_after);
    return gwg_template_render_room(t, &v, GWGUARD_DIRECT_ROOM, len,
                                    r->pool);
}

static int intercepts(const gwguard_page_conf *pc, int status)
{
    return pc && pc->intercept_set && status >= 500 && status <= 599
           && pc->intercept[status - 500];
}

/* The page for st's verdict, or NULL to leave the answer to httpd. */
static char *page_body(request_rec *r, const gwguard_req *st,
                       int errordoc_failed, const char **type, size_t *len)
{
    const gwguard_page_conf *pc = gwguard_page_conf_get(r);

    /* upstream-sent errors are httpd's (ProxyErrorOverride) unless
     * intercepted; a JSON one is the backend's own API error */
    if (st->cls == GWG_CLASS_UPSTREAM_5XX
        && (!intercepts(pc, st->status)
            || gwg_media_is_json(r->content_type))) {
        return NULL;
    }
    return render(r, pc, st, st->cls, st->status, errordoc_failed, type,
                  len);
}

/* Hands the page to the core's error path for request r. */
static void answer(request_rec *r, const gwguard_req *st, int errordoc_failed)
{
    const char *body, *type;
    size_t len;

    body = page_body(r, st, errordoc_failed, &type, &len);
    if (!body) {
        return;
    }
    /* ap_custom_response takes a leading '/' or a URL as a redirect */
    if (*body == '/' || ap_is_url(body)) {
        body = apr_pstrcat(r->pool, "\n", body, NULL);
    }
    ap_custom_response(r, st->status, body);
    apr_table_setn(r->notes, NOTE_TYPE, type);
}

/* Whether every field of t is one page_headers set (by its key pointer:
 * a value another module set under the same name keeps its own key), so
 * the values are gwguard's, valid by construction. */
static int own_fields_only(const apr_table_t *t)
{
    const apr_array_header_t *a = apr_table_elts(t);
    const apr_table_entry_t *e = (const apr_table_entry_t *)a->elts;
    int i;

    for (i = 0; i < a->nelts; i++) {
        if (e[i].key != cache_control && e[i].key != vary
            && e[i].key != retry_after_field
            && e[i].key != proxy_status_field) {
            return 0;
        }
    }
    return 1;
}

/* What ap_die and ap_send_error_response do for a custom response, in
 * their order, with the page passed as it is instead of copied into a
 * string and then into the old-write buffer: the status and keep-alive
 * (ap_die_r), the protocol filters plus the error filters (mod_headers'
 * `Header always`, mod_cache's stale copy), the error header table, our
 * Content-Type, the request body discarded before the end of the
 * response (ap_finalize_request_protocol). Then either the direct answer
 * (mod_gwguard_direct.c), when only the protocol filters are there and
 * every field is ours, or the page through the filters. */
static void send_page(request_rec *r, int status, const char *type,
                      char *body, size_t len)
{
    conn_rec *c = r->connection;
    apr_bucket_brigade *bb;
    apr_table_t *tmp;
    const char *why;
    int discard;

    r->status = status;
    if (ap_status_drops_connection(status)) {
        c->keepalive = AP_CONN_CLOSE;
    }
    r->eos_sent = 0;
    r->output_filters = r->proto_output_filters;
    ap_run_insert_error_filter(r);
    if (!r->assbackwards) {
        tmp = r->headers_out;
        r->headers_out = r->err_headers_out;
        r->err_headers_out = tmp;
        apr_table_clear(r->err_headers_out);
        r->content_languages = NULL;
        r->content_encoding = NULL;
        r->clength = 0;
        ap_set_content_type(r, type);
    }
    discard = ap_discard_request_body(r);
    if (r->eos_sent) {
        /* the discard found a broken body and HTTP_IN answered it (400,
         * through the output filters, as for stock's error page) */
        ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r,
                      "no page: the request body's discard was answered "
                      "(%d)", discard);
        return;
    }
    why = discard != OK ? "request body"
          : r->assbackwards ? "HTTP/0.9"
          : !own_fields_only(r->headers_out) ? "another module's field"
          : NULL;
    if (why) {
        ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r, "filter answer: %s",
                      why);
    }
    else if (gwguard_direct_send(r, body, len, GWGUARD_DIRECT_ROOM)) {
        return;
    }
    bb = apr_brigade_create(r->pool, c->bucket_alloc);
    if (!r->header_only && len > 0) {
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_pool_create(body, len,
                                                           r->pool,
                                                           c->bucket_alloc));
    }
    if (discard != OK) {
        APR_BRIGADE_INSERT_TAIL(bb, ap_bucket_error_create(discard, NULL,
                                                           r->pool,
                                                           c->bucket_alloc));
    }
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(c->bucket_alloc));
    ap_pass_brigade(r->output_filters, bb);
}

/* The request whose error an ErrorDocument redirect is answering, as
 * ap_die finds it; r itself when r is not such a redirect. */
static request_rec *first_error(request_rec *r)
{
    while (r->prev && r->prev->status != HTTP_OK) {
        r = r->prev;
    }
    return r;
}

static int answerable(request_rec *r, const gwguard_req *st)
{
    return st && st->status >= 500 && st->status <= 599 && !r->main;
}

void gwguard_page_answer(request_rec *r, const gwguard_req *st)
{
    request_rec *orig;
    const gwguard_req *ost;

    if (!answerable(r, st)) {
        return;
    }
    orig = first_error(r);
    if (orig == r) {
        answer(r, st, 0);
        return;
    }
    /* An ErrorDocument that is itself proxied has failed too. httpd then
     * sends its canned page with "Additionally, ... while trying to use an
     * ErrorDocument"; a custom response on the first request is what it
     * sends instead, so answer the original failure with our page. */
    ost = gwguard_req_get(orig, 0);
    if (ost && ost->status >= 500 && ost->status <= 599) {
        answer(orig, ost, 1);
    }
}

int gwguard_page_send(request_rec *r, const gwguard_req *st, int status)
{
    const char *type;
    char *body;
    size_t len;

    /* only what ap_die would answer: not a response that went out (an
     * intercepted one, status OK) */
    if (!answerable(r, st) || status != st->status || first_error(r) != r) {
        gwguard_page_answer(r, st);
        return 0;
    }
    body = page_body(r, st, 0, &type, &len);
    if (!body) {
        return 0;
    }
    send_page(r, st->status, type, body, len);
    return 1;
}

/* ---- the Content-Type of our page on the core's error path ---- */

static apr_status_t type_filter_fn(ap_filter_t *f, apr_bucket_brigade *bb)
{
    const char *type = apr_table_get(f->r->notes, NOTE_TYPE);

    /* ap_send_error_response set text/html after the error filters were
     * inserted and before any of them runs */
    if (type) {
        ap_set_content_type(f->r, type);
    }
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}

static void insert_error_filter(request_rec *r)
{
    if (apr_table_get(r->notes, NOTE_TYPE)) {
        ap_add_output_filter_handle(type_filter, NULL, r, r->connection);
    }
}

/* ---- GwGuardIntercept: replacing an upstream-sent error ---- */

/* mod_proxy_http routes an upstream's 5xx into the core's error path only
 * with ProxyErrorOverride, which decides on the status alone and discards
 * JSON bodies too. This filter sits in front of the body instead: on the
 * first brigade the upstream's status and Content-Type are known and no
 * byte has gone to the client, so it can answer our page and drop the
 * upstream body. request_status still sees the upstream status, so the
 * failure is counted against the upstream (class upstream_5xx). */
static int start_replacing(ap_filter_t *f)
{
    request_rec *r = f->r;
    const gwguard_page_conf *pc = gwguard_page_conf_get(r);
    gwguard_req *st = gwguard_req_get(r, 0);
    apr_bucket_alloc_t *ba = r->connection->bucket_alloc;
    apr_bucket_brigade *out;
    const char *body, *type;
    size_t len;

    if (!st || !intercepts(pc, r->status)
        || gwg_media_is_json(r->content_type)) {
        return 0;
    }
    body = render(r, pc, st, GWG_CLASS_UPSTREAM_5XX, r->status, 0, &type,
                  &len);
    if (!body) {
        return 0;
    }
    st->intercepted = 1;                /* for the counters and breaker */
    /* as ProxyErrorOverride does: none of the upstream's headers */
    apr_table_clear(r->headers_out);
    r->content_encoding = NULL;
    r->status_line = NULL;
    ap_set_content_type(r, type);
    ap_set_content_length(r, (apr_off_t)len);
    out = apr_brigade_create(r->pool, ba);
    if (!r->header_only) {
        APR_BRIGADE_INSERT_TAIL(out, apr_bucket_pool_create(body, len,
                                                            r->pool, ba));
    }
    APR_BRIGADE_INSERT_TAIL(out, apr_bucket_eos_create(ba));
    ap_pass_brigade(f->next, out);
    return 1;
}

static apr_status_t intercept_fn(ap_filter_t *f, apr_bucket_brigade *bb)
{
    if (!f->ctx) {
        f->ctx = f;                     /* decided */
        if (!start_replacing(f)) {
            ap_remove_output_filter(f);
            return ap_pass_brigade(f->next, bb);
        }
    }
    apr_brigade_cleanup(bb);            /* the upstream's body */
    return APR_SUCCESS;
}

static void insert_filter(request_rec *r)
{
    if (__atomic_load_n(&gwguard_intercept_seen, __ATOMIC_RELAXED)
        && (r->proxyreq == PROXYREQ_REVERSE
         || gwguard_proxy_prefix(r->handler))
        && !r->main
        && gwguard_page_conf_intercepts(gwguard_page_conf_get(r))
        && gwguard_enabled(r)) {
        ap_add_output_filter_handle(intercept_filter, NULL, r,
                                    r->connection);
    }
}

/* ---- lifecycle ---- */

static apr_status_t forget_builtins(void *data)
{
    (void)data;
    gwg_page_builtin_clear();
    return APR_SUCCESS;
}

/* Before the configuration is processed: the built-in pages live in pconf
 * like every template, and are forgotten when pconf is cleared. */
static int page_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                           apr_pool_t *ptemp)
{
    const char *err;

    (void)plog; (void)ptemp;
    gwg_page_builtin_clear();
    gwguard_intercept_seen = 0;     /* this generation's directives say */
    apr_pool_cleanup_register(pconf, NULL, forget_builtins,
                              apr_pool_cleanup_null);
    err = gwg_page_builtin_init(pconf);
    if (err) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_CRIT, 0, NULL,
                     "GWG00200: the built-in error pages do not compile: %s",
                     err);
        return !OK;
    }
    gwg_page_builtin_bind(pconf, reason_of);
    make_proxy_status(pconf);
    make_usual_headers(pconf);
    make_index_5xx();
    return OK;
}

void gwguard_page_register_hooks(void)
{
    ap_hook_pre_config(page_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_insert_filter(insert_filter, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_insert_error_filter(insert_error_filter, NULL, NULL,
                                APR_HOOK_MIDDLE);
    type_filter = ap_register_output_filter("GWGUARD_PAGE_TYPE",
                                            type_filter_fn, NULL,
                                            AP_FTYPE_CONTENT_SET);
    intercept_filter = ap_register_output_filter("GWGUARD_INTERCEPT",
                                                 intercept_fn, NULL,
                                                 AP_FTYPE_RESOURCE);
}
