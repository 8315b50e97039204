/*
 * The classification table. Each row: a predicate over the observation,
 * the class it gives, and the httpd code path it relies on (see
 * docs/classes.md). Order matters: the first row that matches decides.
 * Every signal is httpd state (handler result, notes, worker state, what
 * the backend connection filter saw, timing), never log text.
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "gwg_classify.h"

typedef int (*gwg_rule_fn)(const gwg_observation *o);

typedef struct {
    const char *name;
    gwg_rule_fn match;
    gwg_class_t cls;
    const char *httpd_path;
} gwg_rule;

static int refused_by_breaker(const gwg_observation *o)
{
    /* Our REALLY_FIRST scheme handler returned 503 without connecting
     * (mod_gwguard_breaker.c); proxy_handler may then have failed over. */
    return o->breaker_refused;
}

static int refused_for_maintenance(const gwg_observation *o)
{
    /* The same 503 from the same handler, before the breaker is asked:
     * the upstream is in an admin's maintenance window
     * (mod_gwguard_maint.c). */
    return o->maint_refused;
}

static int is_5xx(int status)
{
    return status >= 500 && status <= 599;
}

/* A failed read or write the filter saw that was not a timeout. */
static int io_broke(const gwg_observation *o)
{
    return o->io == GWG_IO_RESET || o->io == GWG_IO_EOF
           || o->io == GWG_IO_ERROR;
}

static int not_http(const gwg_observation *o)
{
    /* The response did not start with "HTTP/": mod_proxy_http would take
     * it as an HTTP/0.9 body with 200 ("backasswards"); the backend filter
     * refused it, so ap_proxygetline failed (AH01102) with a 502. */
    return o->not_http;
}

static int head_broke_race(const gwg_observation *o)
{
    /* ap_proxy_http_process_response, len <= 0 on a client connection that
     * had keepalives: ap_proxy_backend_broke + EOC, handler OK (reused
     * backend connection) or 500; no status line was read. mod_proxy_http
     * only: mod_proxy_uwsgi's 500 for an unreadable head looks the same
     * to the backend filter and is cgi_head_reset's. */
    return o->scheme == GWG_SCHEME_HTTP
           && o->final_attempt && !o->status_parsed && o->connected
           && io_broke(o) && o->bytes_read == 0
           && o->proxy_error == GWG_PERR_NONE
           && (o->handler_status == GWG_HANDLER_OK
               || o->handler_status == 500);
}

static int is_cgi_like(const gwg_observation *o)
{
    return o->scheme == GWG_SCHEME_FCGI || o->scheme == GWG_SCHEME_SCGI
           || o->scheme == GWG_SCHEME_UWSGI;
}

/* The handler stopped passing response data on for the whole socket
 * timeout before it gave up: a read timed out, not a reset. */
static int went_idle(const gwg_observation *o)
{
    return o->io_timeout_us > 0 && o->idle_us >= 0
           && o->idle_us >= o->io_timeout_us * 19 / 20;
}

/* The exchange failed after the response began, in a handler that reads
 * the backend socket itself: mod_proxy_fcgi and mod_proxy_scgi return
 * AP_FILTER_ERROR (has_responded), mod_proxy_ajp returns DONE after
 * ap_proxy_backend_broke (AH00893). They keep no note of why. */
static int raw_body_failed(const gwg_observation *o)
{
    return !o->client_aborted
           && ((is_cgi_like(o)
                && o->handler_status == GWG_HANDLER_FILTER_ERROR)
               || (o->scheme == GWG_SCHEME_AJP
                   && o->handler_status == GWG_HANDLER_DONE));
}

static int raw_body_timed_out(const gwg_observation *o)
{
    /* ... told from a reset by the idle time: fcgi's apr_poll gave
     * APR_TIMEUP ("polling", AH01075 70007), ajp's read timed out
     * (AH00893 70007) after the handler last passed data on. */
    return raw_body_failed(o) && went_idle(o);
}

static int raw_body_broke(const gwg_observation *o)
{
    /* ... otherwise the backend broke: worker killed mid-body (AH01075
     * with 104 or 70014, AH00893). */
    return raw_body_failed(o);
}

/* mod_proxy_http2: a stream that failed after its head went out; the
 * handler answers 502 (RST_STREAM, error_code) or what
 * ap_map_http_request_error makes of the session's status (a timeout:
 * 408), then runs ap_die itself, which can no longer change anything. */
static int h2_body_failed(const gwg_observation *o)
{
    return o->scheme == GWG_SCHEME_H2 && o->committed && !o->client_aborted
           && o->handler_status >= 400;
}

static int h2_body_timed_out(const gwg_observation *o)
{
    return h2_body_failed(o) && (o->io == GWG_IO_TIMEOUT || went_idle(o));
}

static int body_short(const gwg_observation *o)
{
    /* mod_proxy_uwsgi ends a body at the backend's EOF as if complete
     * (rv == APR_EOF: break), so a worker killed mid-body gives OK; the
     * backend's own Content-Length says more was due. mod_proxy_scgi's
     * socket bucket does the same, and keeps that Content-Length only
     * with ap_trust_cgilike_cl (else the cut is invisible). A client
     * that left is client_abort's. */
    return o->handler_status == GWG_HANDLER_OK && o->body_short
           && !o->client_aborted;
}

static int cgi_head_broke(const gwg_observation *o)
{
    /* mod_proxy_fcgi dispatch(): get_data_full of the first record header
     * failed (AH01067, then AH01075 with 104 or 70014) or a record was
     * bogus (AH01068, AH01069), nothing sent yet: fcgi_do_request returns
     * 503 although the connection was made (the CGI variables were
     * built). mod_proxy_uwsgi uwsgi_response: ap_getline of the status
     * line <= 0, 500 (no AH); mod_proxy_scgi: reading the head failed,
     * 502/500. */
    return is_cgi_like(o) && o->connected && !o->status_parsed
           && (o->handler_status == 503 || o->handler_status == 502
               || o->handler_status == 500);
}

static int tunnel_broke(const gwg_observation *o)
{
    /* A 101 Upgrade ran ap_proxy_tunnel_run, and a read from the backend
     * failed with a reset (proxy_tunnel_forward: 500, which
     * mod_proxy_http drops: it returns DONE whatever the tunnel said).
     * The backend connection filter saw the reset; a clean close (EOF)
     * or the client leaving is how tunnels end. */
    return o->handler_status == GWG_HANDLER_DONE
           && o->response_status == 101
           && (o->io == GWG_IO_RESET || o->io == GWG_IO_ERROR);
}

static int tunnel_done(const gwg_observation *o)
{
    /* A 101 Upgrade (WebSocket) ran ap_proxy_tunnel_run to its end: the
     * handler returns DONE whoever closed, which is no failure. */
    return o->handler_status == GWG_HANDLER_DONE
           && o->response_status == 101;
}

static int body_timed_out(const gwg_observation *o)
{
    /* Body loop of ap_proxy_http_process_response: ap_get_brigade failed
     * with APR_TIMEUP (AH01110), ap_proxy_backend_broke, handler DONE. */
    return o->handler_status == GWG_HANDLER_DONE
           && (o->status_parsed || o->scheme != GWG_SCHEME_HTTP)
           && o->io == GWG_IO_TIMEOUT;
}

static int body_broke(const gwg_observation *o)
{
    /* Same loop, reset or early EOF inside the framing (APR_INCOMPLETE
     * from ap_http_filter over our EOF), AH01110, handler DONE. */
    return o->handler_status == GWG_HANDLER_DONE
           && (o->status_parsed || o->scheme != GWG_SCHEME_HTTP)
           && io_broke(o);
}

static int closed_after_answer(const gwg_observation *o)
{
    /* The whole answer was passed on (EOS) and the client connection was
     * marked aborted only after: an HTTP/2 client closing its session
     * after the last byte makes mod_proxy_http return DONE for a complete
     * answer. Not an abort, not a failure. */
    return o->client_aborted && o->eos_sent
           && (o->handler_status == GWG_HANDLER_OK
               || o->handler_status == GWG_HANDLER_DONE);
}

static int aborted(const gwg_observation *o)
{
    /* Client went away while the response streamed: handler returns OK
     * or DONE with c->aborted set (mod_proxy_http, ap_proxy_pass_brigade). */
    return o->client_aborted && !o->eos_sent
           && (o->handler_status == GWG_HANDLER_OK
               || o->handler_status == GWG_HANDLER_DONE);
}

static int client_body_failed(const gwg_observation *o)
{
    /* Reading the client's request body failed (ap_proxy_read_input
     * AH02608, ap_proxy_prefetch_input AH01095): 400, or 408 on timeout,
     * via ap_map_http_request_error. Not the upstream's doing. */
    return o->handler_status == 400 || o->handler_status == 408;
}

static int upstream_sent_5xx(const gwg_observation *o)
{
    /* The upstream's own 5xx (note proxy-status set from its status
     * line): streamed (OK, r->status 5xx) or caught by ProxyErrorOverride
     * (handler returns the code, note proxy-error-override). The other
     * handlers set no note: their OK with a 5xx r->status is the script's
     * own "Status:" (ap_scan_script_header_err_brigade_ex; fcgi's
     * ProxyErrorOverride runs ap_die itself and returns OK, uwsgi's
     * returns the code: both come with error_override set). */
    if (o->handler_status == GWG_HANDLER_OK
        || (o->handler_status == GWG_HANDLER_DONE && o->eos_sent
            && o->client_aborted)) {
        return (o->status_parsed || o->scheme != GWG_SCHEME_HTTP)
               && is_5xx(o->response_status);
    }
    return o->error_override && is_5xx(o->handler_status);
}

static int succeeded(const gwg_observation *o)
{
    return o->handler_status == GWG_HANDLER_OK;
}

static int no_attempt(const gwg_observation *o)
{
    /* proxy_balancer_pre_request found no usable member (AH01170, AH01171,
     * AH01167): 503 before any scheme-handler call. */
    return o->attempts == 0 && o->handler_status == 503;
}

static int worker_refused(const gwg_observation *o)
{
    /* ap_proxy_acquire_connection: worker not usable and retry not due
     * (AH00940): 503 without a backend connection. */
    return o->handler_status == 503 && o->worker_unusable && !o->connected;
}

static int pool_full(const gwg_observation *o)
{
    /* ap_proxy_acquire_connection: apr_reslist_acquire timed out (acquire=)
     * with all max= connections in use (AH00941): 503, no connection. */
    return o->handler_status == 503 && o->pool_exhausted && !o->connected;
}

static int dns_failed(const gwg_observation *o)
{
    /* ap_proxy_determine_address: proxyerror_core 500 "DNS lookup
     * failure for:" (AH00898, status in the EAI range). */
    return o->proxy_error == GWG_PERR_DNS;
}

static int tls_failed(const gwg_observation *o)
{
    /* ap_proxy_pass_brigade: backend aborted with SSL_connect_rv "err"
     * after mod_ssl's outgoing handshake failed; 500 "Error during SSL
     * Handshake with remote server" (AH01084, AH00898). */
    return o->proxy_error == GWG_PERR_TLS;
}

static int corrupt_status(const gwg_observation *o)
{
    /* "HTTP/x.y nnn" with a major version other than 1, or longer than
     * ResponseFieldSize; malformed Connection header, unexpected 101,
     * too many 1xx: ap_proxyerror 502 in ap_proxy_http_process_response. */
    return o->proxy_error == GWG_PERR_CORRUPT_STATUS
           || o->proxy_error == GWG_PERR_PROTOCOL;
}

static int head_timed_out(const gwg_observation *o)
{
    /* ap_proxygetline got APR_TIMEUP on the status line: note
     * proxy_timedout, 502 (AH01102); or 503 "Timeout on 100-Continue";
     * or the request write timed out: ap_proxy_pass_brigade 504. */
    return o->timed_out
           || (o->handler_status == 504 && o->connected)
           || (is_5xx(o->handler_status) && !o->status_parsed
               && o->connected && o->io == GWG_IO_TIMEOUT);
}

static int headers_timed_out(const gwg_observation *o)
{
    /* ap_proxy_read_headers failed with APR_TIMEUP (AH10404), caller sets
     * status_line "bad gateway" (AH01106), 502. */
    return o->header_failed && o->io == GWG_IO_TIMEOUT;
}

static int headers_broke(const gwg_observation *o)
{
    /* The same with a reset or close in the middle of the head. */
    return o->header_failed && io_broke(o);
}

static int headers_bad(const gwg_observation *o)
{
    /* The same without an I/O error: header line over ResponseFieldSize
     * (AH10124, ENOSPC) or without a colon (APR_EINVAL), AH01106. */
    return o->header_failed;
}

static int head_broke(const gwg_observation *o)
{
    /* ap_proxygetline failed with a reset or a clean close before any
     * status line (AH01102, 104 or 20014): "Error reading from remote
     * server", 502. Also an attempt that failed over after connecting. */
    return is_5xx(o->handler_status) && !o->status_parsed
           && (o->proxy_error == GWG_PERR_READ
               || (o->connected && io_broke(o)));
}

static int ajp_head_timed_out(const gwg_observation *o)
{
    /* mod_proxy_ajp: ajp_read_header failed (AH00878) and the handler
     * answers 503 for an idempotent request, 500 otherwise, 504 with
     * ping= (the backend answered CPONG, so the worker is up). No backend conn_rec, no note: a read that took the socket
     * timeout timed out. (A connect timeout as long as the read timeout
     * looks the same; a worker's connectiontimeout= tells them apart.) */
    if (o->scheme != GWG_SCHEME_AJP) {
        return 0;
    }
    /* with ping= (CPING/CPONG passed) the same timeout is a 504 */
    return o->handler_status == 504
           || ((o->handler_status == 503 || o->handler_status == 500)
               && o->io_timeout_us > 0
               && o->elapsed_us >= o->io_timeout_us * 19 / 20);
}

static int ajp_head_broke(const gwg_observation *o)
{
    /* mod_proxy_ajp: the request went out (connected: the handler read
     * the client's body, which it does only after ajp_send_header) and
     * ajp_read_header failed before SEND_HEADERS (AH00878), or the first
     * packet was bad (AH00893 without data sent): 503 for an idempotent
     * request, so that a balancer fails over, else 500. */
    return o->scheme == GWG_SCHEME_AJP && o->connected
           && !o->status_parsed
           && (o->handler_status == 503 || o->handler_status == 500);
}

static int connect_timed_out(const gwg_observation *o)
{
    /* ap_proxy_connect_backend: apr_socket_connect gave APR_TIMEUP after
     * the connect timeout (AH00957 with 70007), 503. Told from a refusal
     * by the attempt's duration, since no backend conn_rec exists. */
    return o->handler_status == 503 && !o->connected
           && o->connect_timeout_us > 0
           && o->elapsed_us >= o->connect_timeout_us * 19 / 20;
}

static int connect_refused(const gwg_observation *o)
{
    /* ap_proxy_connect_backend failed at once (AH00957 with 111, 113, 101;
     * AH00959, AH01114): 503, no backend connection. */
    return o->handler_status == 503 && !o->connected;
}

static int any(const gwg_observation *o)
{
    (void)o;
    return 1;
}

/* Room at the top for rows that decide before anything httpd did (the
 * breaker's own refusal, circuit_open). */
static const gwg_rule rules[] = {
    { "maintenance", refused_for_maintenance, GWG_CLASS_MAINTENANCE,
      "gwguard scheme handler: maintenance window, 503 before connecting" },
    { "circuit_open", refused_by_breaker, GWG_CLASS_CIRCUIT_OPEN,
      "gwguard scheme handler: breaker open, 503 before connecting" },
    { "not_http", not_http, GWG_CLASS_BAD_RESPONSE,
      "mod_proxy_http: no \"HTTP/\" status line (HTTP/0.9), refused" },
    { "head_race", head_broke_race, GWG_CLASS_RESET_BEFORE_HEADERS,
      "mod_proxy_http: status line read failed on a kept-alive client "
      "connection, backend_broke + EOC" },
    { "raw_body_timeout", raw_body_timed_out, GWG_CLASS_BODY_TIMEOUT,
      "mod_proxy_fcgi dispatch: poll APR_TIMEUP after has_responded "
      "(AH01075 70007), AP_FILTER_ERROR; mod_proxy_ajp AH00893, DONE" },
    { "raw_body_reset", raw_body_broke, GWG_CLASS_BODY_RESET,
      "mod_proxy_fcgi dispatch: read failed after has_responded "
      "(AH01075 104/70014), AP_FILTER_ERROR; mod_proxy_ajp AH00893, DONE" },
    { "h2_body_timeout", h2_body_timed_out, GWG_CLASS_BODY_TIMEOUT,
      "mod_proxy_http2: session read APR_TIMEUP after the head, 408/502" },
    { "h2_body_reset", h2_body_failed, GWG_CLASS_BODY_RESET,
      "mod_proxy_http2: stream reset or connection lost after the head, "
      "502" },
    { "body_short", body_short, GWG_CLASS_BODY_RESET,
      "mod_proxy_uwsgi uwsgi_response, mod_proxy_scgi socket bucket: "
      "backend EOF before its Content-Length, OK" },
    { "tunnel_reset", tunnel_broke, GWG_CLASS_BODY_RESET,
      "ap_proxy_tunnel_run: backend read reset mid-tunnel (AH10221/"
      "proxy_tunnel_forward), handler DONE" },
    { "tunnel", tunnel_done, GWG_CLASS_NONE,
      "mod_proxy_http: 101 Upgrade, ap_proxy_tunnel_run ended, DONE" },
    { "body_timeout", body_timed_out, GWG_CLASS_BODY_TIMEOUT,
      "mod_proxy_http: body read APR_TIMEUP (AH01110), DONE" },
    { "body_reset", body_broke, GWG_CLASS_BODY_RESET,
      "mod_proxy_http: body read reset/EOF/INCOMPLETE (AH01110), DONE" },
    { "client_abort", aborted, GWG_CLASS_CLIENT_ABORT,
      "proxy_http: c->aborted while streaming" },
    { "client_body", client_body_failed, GWG_CLASS_CLIENT_ABORT,
      "proxy_util: reading the client body failed (AH02608, AH01095)" },
    { "upstream_5xx", upstream_sent_5xx, GWG_CLASS_UPSTREAM_5XX,
      "proxy_http: upstream status 5xx, or ProxyErrorOverride" },
    { "closed_after_answer", closed_after_answer, GWG_CLASS_NONE,
      "proxy_http: EOS passed on, client gone afterwards (h2), DONE" },
    { "success", succeeded, GWG_CLASS_NONE,
      "proxy_handler returned OK" },
    { "no_member", no_attempt, GWG_CLASS_UNAVAILABLE,
      "proxy_balancer pre_request: no usable worker (AH01170)" },
    { "worker_unusable", worker_refused, GWG_CLASS_UNAVAILABLE,
      "proxy_util ap_proxy_acquire_connection: worker in error (AH00940)" },
    { "pool_exhausted", pool_full, GWG_CLASS_UNAVAILABLE,
      "proxy_util ap_proxy_acquire_connection: pool exhausted (AH00941)" },
    { "dns", dns_failed, GWG_CLASS_DNS,
      "proxy_util ap_proxy_determine_address: DNS lookup failure, 500" },
    { "tls", tls_failed, GWG_CLASS_TLS,
      "proxy_util ap_proxy_pass_brigade: SSL handshake failed, 500" },
    { "corrupt_status", corrupt_status, GWG_CLASS_BAD_RESPONSE,
      "mod_proxy_http: corrupt status line / protocol error, 502" },
    { "head_timeout", head_timed_out, GWG_CLASS_HEADER_TIMEOUT,
      "mod_proxy_http: status line read APR_TIMEUP, proxy_timedout" },
    { "headers_timeout", headers_timed_out, GWG_CLASS_HEADER_TIMEOUT,
      "mod_proxy_http ap_proxy_read_headers: APR_TIMEUP (AH10404)" },
    { "headers_reset", headers_broke, GWG_CLASS_RESET_BEFORE_HEADERS,
      "mod_proxy_http ap_proxy_read_headers: reset/EOF (AH10404)" },
    { "headers_bad", headers_bad, GWG_CLASS_BAD_RESPONSE,
      "mod_proxy_http ap_proxy_read_headers: too long / no colon "
      "(AH10124, AH01106)" },
    { "cgi_head_reset", cgi_head_broke, GWG_CLASS_RESET_BEFORE_HEADERS,
      "mod_proxy_fcgi dispatch: first record header unreadable (AH01067, "
      "AH01075), 503 after connecting; mod_proxy_uwsgi uwsgi_response: "
      "status line unreadable, 500" },
    { "head_reset", head_broke, GWG_CLASS_RESET_BEFORE_HEADERS,
      "mod_proxy_http: status line read reset/EOF (AH01102), 502" },
    { "ajp_head_timeout", ajp_head_timed_out, GWG_CLASS_HEADER_TIMEOUT,
      "mod_proxy_ajp: ajp_read_header APR_TIMEUP (AH00878), 503/500" },
    { "ajp_head_reset", ajp_head_broke, GWG_CLASS_RESET_BEFORE_HEADERS,
      "mod_proxy_ajp: request sent, ajp_read_header failed before "
      "SEND_HEADERS (AH00878), 503/500" },
    { "connect_timeout", connect_timed_out, GWG_CLASS_CONNECT_TIMEOUT,
      "proxy_util ap_proxy_connect_backend: APR_TIMEUP (AH00957), 503" },
    { "connect", connect_refused, GWG_CLASS_CONNECT_REFUSED,
      "proxy_util ap_proxy_connect_backend: refused (AH00957), 503" },
    { "other", any, GWG_CLASS_OTHER, "anything else" },
};

/* A plain success, the common case, decided without the walk: an OK
 * whose notes cannot matter (gwg_classify_reads_notes) and that none of
 * the rows before "success" can match, by their own signals. The unit
 * tests compare it with the walk over every combination. */
static int plain_success(const gwg_observation *o)
{
    return gwg_plain_success(o->handler_status, o->response_status,
                             o->client_aborted, &o->attempt)
           && !o->body_short;
}

/* "connect_timeout", third from the end: with "connect" the only rows
 * left that can match a quiet refusal (a wrong index fails the unit
 * test that compares gwg_classify with the walk). */
#define ROWS_N (sizeof(rules) / sizeof(rules[0]))
#define ROW_CONNECT_TIMEOUT (ROWS_N - 3)

/* A 503 without a connection and without any signal that a row before
 * "connect_timeout" needs (a refused connect, the common failure): those
 * rows cannot match, so the walk starts there, not 32 calls in. The
 * unit tests compare it with the whole walk over every combination. */
static int quiet_refusal(const gwg_observation *o)
{
    /* gwguard's own refusals first: their rows are first too */
    return !o->breaker_refused && !o->maint_refused
           && o->handler_status == 503 && o->attempts > 0 && !o->connected
           && !o->not_http && !o->committed && !o->error_override
           && !o->worker_unusable && !o->pool_exhausted
           && o->proxy_error == GWG_PERR_NONE
           && !o->timed_out && !o->header_failed
           && o->scheme != GWG_SCHEME_AJP;
}

static void walk(gwg_verdict *v, const gwg_observation *o, size_t first)
{
    size_t i;

    for (i = first; i < ROWS_N; i++) {
        if (rules[i].match(o)) {
            v->cls = rules[i].cls;
            v->rule = rules[i].name;
            return;
        }
    }
    v->cls = GWG_CLASS_OTHER;
    v->rule = "none";
}

void gwg_classify(gwg_verdict *v, const gwg_observation *o)
{
    if (plain_success(o)) {
        v->cls = GWG_CLASS_NONE;
        v->rule = "success";
        return;
    }
    walk(v, o, quiet_refusal(o) ? ROW_CONNECT_TIMEOUT : 0);
}

void gwg_classify_rows(gwg_verdict *v, const gwg_observation *o)
{
    walk(v, o, 0);
}

int gwg_classify_reads_notes(const gwg_observation *o)
{
    if (o->breaker_refused) {
        return 0;               /* the first row decides */
    }
    return !(o->handler_status == GWG_HANDLER_OK && o->io == GWG_IO_OK
             && o->response_status < 500);
}

int gwg_answer_status(gwg_class_t cls, int handler_status, int configured)
{
    const gwg_class_info *info = gwg_class_get(cls);
    int want;

    /* Only an error httpd is about to render through ap_die can change:
     * OK, DONE and the upstream's streamed answers are committed. */
    if (!info || !is_5xx(handler_status)) {
        return handler_status;
    }
    want = configured ? configured : info->status;
    return want ? want : handler_status;
}

gwg_scheme gwg_scheme_of(const char *scheme, size_t len)
{
    static const struct {
        const char *name;
        gwg_scheme scheme;
    } known[] = {
        { "http", GWG_SCHEME_HTTP }, { "https", GWG_SCHEME_HTTP },
        { "ws", GWG_SCHEME_HTTP }, { "wss", GWG_SCHEME_HTTP },
        { "fcgi", GWG_SCHEME_FCGI }, { "scgi", GWG_SCHEME_SCGI },
        { "uwsgi", GWG_SCHEME_UWSGI }, { "ajp", GWG_SCHEME_AJP },
        { "h2", GWG_SCHEME_H2 }, { "h2c", GWG_SCHEME_H2 },
    };
    size_t i;

    for (i = 0; scheme && i < sizeof(known) / sizeof(known[0]); i++) {
        if (strlen(known[i].name) == len
            && strncasecmp(scheme, known[i].name, len) == 0) {
            return known[i].scheme;
        }
    }
    return GWG_SCHEME_OTHER;
}

gwg_proxy_error gwg_proxy_error_of(const char *notes)
{
    static const struct {
        const char *text;
        gwg_proxy_error kind;
    } known[] = {
        { "DNS lookup failure", GWG_PERR_DNS },
        { "Error during SSL Handshake", GWG_PERR_TLS },
        { "Error reading from remote server", GWG_PERR_READ },
        { "Corrupt status line", GWG_PERR_CORRUPT_STATUS },
        { "Malformed connection header", GWG_PERR_PROTOCOL },
        { "Unexpected Upgrade", GWG_PERR_PROTOCOL },
        { "interim responses", GWG_PERR_PROTOCOL },
    };
    size_t i;

    if (!notes) {
        return GWG_PERR_NONE;
    }
    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strstr(notes, known[i].text)) {
            return known[i].kind;
        }
    }
    return GWG_PERR_OTHER;
}
