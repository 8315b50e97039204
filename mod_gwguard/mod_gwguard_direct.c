/*
 * The direct answer: a gwguard page written to the connection's filters
 * with the response head httpd's HTTP_HEADER filter would have made,
 * instead of through the request's protocol filters. That filter checks,
 * merges and re-scans every field, which is most of the ≈6,500
 * instructions a page's head costs there; here the head is the fields of
 * the page, which are gwguard's own and valid by construction, plus what
 * the filters would add, by the same httpd calls (ap_set_keepalive,
 * ap_make_content_type, ap_get_server_banner) in the same order, and the
 * Date ap_recent_rfc822_date would write (gwg_time_http, unit-tested
 * against strftime).
 *
 * Only when nothing else could change the answer: the request's output
 * chain is httpd's four protocol filters and nothing else (no `Header
 * always`, no mod_cache stale copy, no other module's error filter), not
 * HEAD, not HTTP/0.9 or an h2 stream, a status line the header filter
 * would send as it is, none of the environment variables it reads.
 * Anything else takes the filters, the same bytes for more instructions
 * (tests/integration/test_page_direct.py compares the two byte for
 * byte). docs/performance.md has the numbers.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "mod_core.h"
#include "util_filter.h"
#include "util_time.h"

#include <apr_lib.h>
#include <apr_strings.h>
#include <string.h>

#include "gwg_time.h"
#include "mod_gwguard_direct.h"

APLOG_USE_MODULE(gwguard);

/* Fields of a page's head besides Date and Server: at most the four of
 * SPEC §4, then Content-Length, Keep-Alive, Connection, Content-Type. */
#define MAX_FIELDS 16
#define ADDED_FIELDS 4

/* Why the filters answer instead, for the trace1 line; NULL: direct. */
static const char *unsuited(request_rec *r)
{
    ap_filter_t *f;

    if (r->header_only || r->assbackwards || r->connection->master) {
        return r->header_only ? "HEAD" : "HTTP/0.9 or h2";
    }
    if (apr_table_elts(r->headers_out)->nelts + ADDED_FIELDS > MAX_FIELDS) {
        return "header fields";
    }
    if (r->no_cache || r->chunked || r->content_encoding
        || r->content_languages) {
        return "response state";
    }
    /* the chain httpd's core error path starts with (ap_die), and what
     * insert_error_filter and ap_set_content_type added: only httpd's
     * protocol filters up to the connection's */
    for (f = r->output_filters; f != r->connection->output_filters;
         f = f->next) {
        if (!f || f->r != r
            || (f->frec != ap_byterange_filter_handle
                && f->frec != ap_content_length_filter_handle
                && f->frec != ap_http_header_filter_handle
                && f->frec != ap_http_outerror_filter_handle)) {
            return f ? f->frec->name : "filter chain";
        }
    }
    if (!apr_is_empty_table(r->subprocess_env)
        && (apr_table_get(r->subprocess_env, "force-no-vary")
            || apr_table_get(r->subprocess_env, "downgrade-1.0")
            || apr_table_get(r->subprocess_env, "force-response-1.0"))) {
        return "environment";
    }
    return NULL;
}

/* Whether s starts with r->status's three digits. */
static int starts_with_status(const request_rec *r, const char *s)
{
    return s[0] == '0' + r->status / 100 % 10
           && s[1] == '0' + r->status / 10 % 10
           && s[2] == '0' + r->status % 10;
}

/* The status line the header filter would send (basic_http_header_check):
 * r->status_line when it is the status's three digits and a space (as
 * ap_proxyerror's "502 Proxy Error"), else httpd's own for the status.
 * NULL for what only the filters settle: a status line they would mend or
 * replace, a status httpd has no reason phrase for. */
static const char *status_line_of(const request_rec *r)
{
    const char *line = r->status_line;

    if (line) {
        return r->status >= 100 && r->status <= 999
               && starts_with_status(r, line) && line[3]
               && apr_isspace(line[3]) ? line : NULL;
    }
    line = ap_get_status_line(r->status);
    return starts_with_status(r, line) ? line : NULL;
}

/* Content-Length's digits, in r->pool: apr_off_t_toa without its
 * generality. */
static const char *digits(request_rec *r, apr_size_t v)
{
    char tmp[24], *at = tmp + sizeof(tmp);

    *--at = '\0';
    do {
        *--at = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return apr_pstrmemdup(r->pool, at, (apr_size_t)(tmp + sizeof(tmp) - 1
                                                     - at));
}

/* What the protocol filters do to r's state and header table before the
 * head is formed (content-length filter, then the header filter's
 * ap_set_keepalive and Content-Type), in their order. The table holds
 * neither Content-Length nor Content-Type (only gwguard's fields, then
 * ap_set_keepalive's), so adding them is what setting them would do. */
static void as_filters_would(request_rec *r, apr_size_t len)
{
    const char *ctype;

    r->bytes_sent = (apr_off_t)len;
    r->clength = (apr_off_t)len;
    apr_table_addn(r->headers_out, "Content-Length", digits(r, len));
    ap_set_keepalive(r);
    ctype = ap_make_content_type(r, r->content_type);
    if (ctype) {
        apr_table_addn(r->headers_out, "Content-Type", ctype);
    }
}

static char *put(char *at, const char *s, size_t n)
{
    memcpy(at, s, n);
    return at + n;
}

/* Two bytes stored, not copied: ": " and CRLF after every field. */
static char *put2(char *at, char a, char b)
{
    at[0] = a;
    at[1] = b;
    return at + 2;
}

/* The response as one buffer: "HTTP/1.1 STATUS", Date, Server, every
 * field of the table, the empty line (basic_http_header's and
 * send_all_header_fields' bytes), then the body. The head goes into the
 * room before the body when it fits (a pool bucket over both), else head
 * and body are copied into a bucket-allocator buffer (a heap bucket). */
static apr_bucket *response(request_rec *r, const char *status_line,
                            char *body, apr_size_t len, apr_size_t room)
{
    const apr_array_header_t *elts = apr_table_elts(r->headers_out);
    const apr_table_entry_t *e = (const apr_table_entry_t *)elts->elts;
    const char *server = ap_get_server_banner();
    size_t sl = strlen(status_line), sv = strlen(server), n;
    size_t kl[MAX_FIELDS], vl[MAX_FIELDS];
    apr_bucket_alloc_t *ba = r->connection->bucket_alloc;
    char *buf, *at;
    int i;

    n = sizeof(AP_SERVER_PROTOCOL " ") - 1 + sl
        + sizeof("\r\nDate: ") - 1 + GWG_HTTP_DATE_LEN - 1
        + (sv ? sizeof("\r\nServer: ") - 1 + sv : 0) + 2 + 2;
    for (i = 0; i < elts->nelts; i++) {
        kl[i] = strlen(e[i].key);
        vl[i] = strlen(e[i].val);
        n += kl[i] + vl[i] + 4;
    }
    at = buf = n <= room ? body - n : apr_bucket_alloc(n + len, ba);
    at = put(at, AP_SERVER_PROTOCOL " ", sizeof(AP_SERVER_PROTOCOL " ") - 1);
    at = put(at, status_line, sl);
    at = put(at, "\r\nDate: ", sizeof("\r\nDate: ") - 1);
    /* httpd's Date (ap_recent_rfc822_date) from a cache of the second */
    if (!gwg_time_http(at, (uint64_t)r->request_time)) {
        ap_recent_rfc822_date(at, r->request_time);
    }
    at += GWG_HTTP_DATE_LEN - 1;
    if (sv) {
        at = put(at, "\r\nServer: ", sizeof("\r\nServer: ") - 1);
        at = put(at, server, sv);
    }
    at = put2(at, '\r', '\n');
    for (i = 0; i < elts->nelts; i++) {
        at = put2(put(at, e[i].key, kl[i]), ':', ' ');
        at = put2(put(at, e[i].val, vl[i]), '\r', '\n');
    }
    at = put2(at, '\r', '\n');
    if (at == body) {
        return apr_bucket_pool_create(buf, n + len, r->pool, ba);
    }
    memcpy(at, body, len);
    return apr_bucket_heap_create(buf, n + len, apr_bucket_free, ba);
}

/* The protocol filters are done with this response, as HTTP_HEADER would
 * be after the head: anything passed later (there should be nothing) is
 * body, not a second head. */
static void drop_header_filter(request_rec *r)
{
    ap_filter_t *f;

    for (f = r->output_filters; f != r->connection->output_filters;
         f = f->next) {
        if (f->frec == ap_http_header_filter_handle) {
            ap_remove_output_filter(f);
            return;
        }
    }
}

int gwguard_direct_send(request_rec *r, char *body, apr_size_t len,
                        apr_size_t room)
{
    conn_rec *c = r->connection;
    const char *why = unsuited(r);
    const char *status_line = NULL;
    apr_bucket_brigade *bb;

    if (!why && !(status_line = status_line_of(r))) {
        why = "status line";
    }
    if (why) {
        ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r,
                      "filter answer: %s", why);
        return 0;
    }
    as_filters_would(r, len);
    r->status_line = status_line;
    bb = apr_brigade_create(r->pool, c->bucket_alloc);
    APR_BRIGADE_INSERT_TAIL(bb, response(r, status_line, body, len, room));
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(c->bucket_alloc));
    r->sent_bodyct = 1;
    r->eos_sent = 1;
    drop_header_filter(r);
    ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r,
                  "direct answer: %d, %" APR_SIZE_T_FMT " bytes", r->status,
                  len);
    ap_pass_brigade(c->output_filters, bb);
    return 1;
}
