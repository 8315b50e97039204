/* The classification table, row by row: each test builds the observation
 * one httpd code path leaves behind and checks the row that decides. */
#include <string.h>

#include "gwg_classify.h"
#include "unit.h"

static gwg_observation obs(int handler, int response, int attempts)
{
    gwg_observation o;

    memset(&o, 0, sizeof(o));
    o.handler_status = handler;
    o.response_status = response;
    o.attempts = attempts;
    o.final_attempt = 1;
    o.connect_timeout_us = 60 * 1000000LL;
    return o;
}

/* An attempt that connected and got a status line. */
static gwg_observation answered(int handler, int response)
{
    gwg_observation o = obs(handler, response, 1);

    o.connected = 1;
    o.status_parsed = 1;
    o.bytes_read = 100;
    return o;
}

static void expect(const gwg_observation *o, gwg_class_t cls,
                   const char *rule)
{
    gwg_verdict v;

    gwg_classify(&v, o);
    ck_assert_str_eq(v.rule, rule);
    ck_assert_int_eq(v.cls, cls);
}

START_TEST(success)
{
    gwg_observation o = answered(GWG_HANDLER_OK, 200);
    expect(&o, GWG_CLASS_NONE, "success");
    o.response_status = 404;            /* an upstream 4xx is a success */
    expect(&o, GWG_CLASS_NONE, "success");
    o.io = GWG_IO_EOF;                  /* a body delimited by close */
    expect(&o, GWG_CLASS_NONE, "success");
    o = answered(GWG_HANDLER_DONE, 101); /* a WebSocket tunnel ended */
    o.io = GWG_IO_EOF;
    expect(&o, GWG_CLASS_NONE, "tunnel");
    o.io = GWG_IO_RESET;                /* ... the backend reset it */
    expect(&o, GWG_CLASS_BODY_RESET, "tunnel_reset");
}
END_TEST

START_TEST(upstream_5xx_streamed_and_overridden)
{
    gwg_observation o = answered(GWG_HANDLER_OK, 503);
    expect(&o, GWG_CLASS_UPSTREAM_5XX, "upstream_5xx");
    o.response_status = 500;            /* both ends of the range */
    expect(&o, GWG_CLASS_UPSTREAM_5XX, "upstream_5xx");
    o.response_status = 599;
    expect(&o, GWG_CLASS_UPSTREAM_5XX, "upstream_5xx");
    o.response_status = 600;            /* not a 5xx: passed on as is */
    expect(&o, GWG_CLASS_NONE, "success");
    o = answered(502, 200);
    o.error_override = 1;
    expect(&o, GWG_CLASS_UPSTREAM_5XX, "upstream_5xx");
}
END_TEST

START_TEST(client_abort)
{
    gwg_observation o = answered(GWG_HANDLER_DONE, 200);
    o.client_aborted = 1;
    expect(&o, GWG_CLASS_CLIENT_ABORT, "client_abort");
    o.handler_status = GWG_HANDLER_OK;
    expect(&o, GWG_CLASS_CLIENT_ABORT, "client_abort");
    o = obs(400, 200, 1);
    expect(&o, GWG_CLASS_CLIENT_ABORT, "client_body");
    o = obs(408, 200, 1);
    expect(&o, GWG_CLASS_CLIENT_ABORT, "client_body");
}
END_TEST

START_TEST(connect_refused_and_timeout)
{
    gwg_observation o = obs(503, 200, 1);
    o.elapsed_us = 2000;
    expect(&o, GWG_CLASS_CONNECT_REFUSED, "connect");
    o.connect_timeout_us = 1000000;
    o.elapsed_us = 1000500;
    expect(&o, GWG_CLASS_CONNECT_TIMEOUT, "connect_timeout");
    o.elapsed_us = 400000;              /* well under: a refusal */
    expect(&o, GWG_CLASS_CONNECT_REFUSED, "connect");
    o.connect_timeout_us = 0;           /* unknown timeout: no guess */
    o.elapsed_us = 5000000;
    expect(&o, GWG_CLASS_CONNECT_REFUSED, "connect");
}
END_TEST

START_TEST(unavailable)
{
    gwg_observation o = obs(503, 200, 0);
    expect(&o, GWG_CLASS_UNAVAILABLE, "no_member");
    o = obs(503, 200, 1);
    o.worker_unusable = 1;
    expect(&o, GWG_CLASS_UNAVAILABLE, "worker_unusable");
    o = obs(503, 200, 1);
    o.pool_exhausted = 1;
    o.elapsed_us = 500000;              /* waited for acquire= */
    expect(&o, GWG_CLASS_UNAVAILABLE, "pool_exhausted");
    o.worker_unusable = 1;
    /* a retried worker that then connected is judged by what followed */
    o.connected = 1;
    o.timed_out = 1;
    expect(&o, GWG_CLASS_HEADER_TIMEOUT, "head_timeout");
}
END_TEST

START_TEST(dns_and_tls)
{
    gwg_observation o = obs(500, 200, 1);
    o.proxy_error = GWG_PERR_DNS;
    expect(&o, GWG_CLASS_DNS, "dns");
    o = obs(500, 200, 1);
    o.connected = 1;
    o.io = GWG_IO_ERROR;                /* the handshake's write failed */
    o.proxy_error = GWG_PERR_TLS;
    expect(&o, GWG_CLASS_TLS, "tls");
}
END_TEST

START_TEST(header_timeout)
{
    gwg_observation o = obs(502, 200, 1);
    o.connected = 1;
    o.timed_out = 1;
    o.io = GWG_IO_TIMEOUT;
    o.proxy_error = GWG_PERR_READ;
    expect(&o, GWG_CLASS_HEADER_TIMEOUT, "head_timeout");
    o.timed_out = 0;                    /* the filter alone says so */
    expect(&o, GWG_CLASS_HEADER_TIMEOUT, "head_timeout");
    o = answered(502, 502);             /* in the header lines */
    o.header_failed = 1;
    o.io = GWG_IO_TIMEOUT;
    expect(&o, GWG_CLASS_HEADER_TIMEOUT, "headers_timeout");
    o = obs(504, 200, 1);               /* request write timed out */
    o.connected = 1;
    expect(&o, GWG_CLASS_HEADER_TIMEOUT, "head_timeout");
}
END_TEST

START_TEST(reset_before_headers)
{
    gwg_observation o = obs(502, 200, 1);
    o.connected = 1;
    o.io = GWG_IO_RESET;
    o.proxy_error = GWG_PERR_READ;
    expect(&o, GWG_CLASS_RESET_BEFORE_HEADERS, "head_reset");
    o.io = GWG_IO_OK;                   /* no filter: the note suffices */
    expect(&o, GWG_CLASS_RESET_BEFORE_HEADERS, "head_reset");
    o = answered(502, 502);             /* closed inside the head */
    o.header_failed = 1;
    o.io = GWG_IO_EOF;
    expect(&o, GWG_CLASS_RESET_BEFORE_HEADERS, "headers_reset");
    /* kept-alive client: backend_broke + EOC, handler OK or 500 */
    o = obs(GWG_HANDLER_OK, 502, 1);
    o.connected = 1;
    o.reused = 1;
    o.io = GWG_IO_EOF;
    expect(&o, GWG_CLASS_RESET_BEFORE_HEADERS, "head_race");
    o.handler_status = 500;
    expect(&o, GWG_CLASS_RESET_BEFORE_HEADERS, "head_race");
    /* mod_proxy_uwsgi: the same filter view (EOF, nothing read, 500) is
     * uwsgi_response's unreadable status line, the documented row */
    o.scheme = GWG_SCHEME_UWSGI;
    o.reused = 0;
    expect(&o, GWG_CLASS_RESET_BEFORE_HEADERS, "cgi_head_reset");
    o.io = GWG_IO_RESET;
    expect(&o, GWG_CLASS_RESET_BEFORE_HEADERS, "cgi_head_reset");
}
END_TEST

START_TEST(bad_response)
{
    gwg_observation o = answered(502, 502);
    o.header_failed = 1;                /* too long, or no colon */
    expect(&o, GWG_CLASS_BAD_RESPONSE, "headers_bad");
    o = obs(502, 200, 1);
    o.connected = 1;
    o.proxy_error = GWG_PERR_CORRUPT_STATUS;
    expect(&o, GWG_CLASS_BAD_RESPONSE, "corrupt_status");
    o.proxy_error = GWG_PERR_PROTOCOL;
    expect(&o, GWG_CLASS_BAD_RESPONSE, "corrupt_status");
    o = obs(502, 200, 1);               /* HTTP/0.9, refused by the filter */
    o.connected = 1;
    o.not_http = 1;
    o.io = GWG_IO_ERROR;
    o.proxy_error = GWG_PERR_READ;
    expect(&o, GWG_CLASS_BAD_RESPONSE, "not_http");
}
END_TEST

START_TEST(body_failures)
{
    gwg_observation o = answered(GWG_HANDLER_DONE, 200);
    o.io = GWG_IO_TIMEOUT;
    expect(&o, GWG_CLASS_BODY_TIMEOUT, "body_timeout");
    o.io = GWG_IO_EOF;
    expect(&o, GWG_CLASS_BODY_RESET, "body_reset");
    o.io = GWG_IO_RESET;
    expect(&o, GWG_CLASS_BODY_RESET, "body_reset");
    o.client_aborted = 1;               /* the backend broke first */
    expect(&o, GWG_CLASS_BODY_RESET, "body_reset");
}
END_TEST

START_TEST(failover_attempts)
{
    /* earlier attempts are judged as the 503 that made proxy_handler
     * try the next member, from their own signals */
    gwg_observation o = obs(503, 200, 2);
    o.final_attempt = 0;
    o.elapsed_us = 1000;
    expect(&o, GWG_CLASS_CONNECT_REFUSED, "connect");
    o.connect_timeout_us = 1000000;
    o.elapsed_us = 1001000;
    expect(&o, GWG_CLASS_CONNECT_TIMEOUT, "connect_timeout");
    o.worker_unusable = 1;
    expect(&o, GWG_CLASS_UNAVAILABLE, "worker_unusable");
}
END_TEST

START_TEST(anything_else_is_other)
{
    gwg_observation o = obs(500, 500, 1);
    expect(&o, GWG_CLASS_OTHER, "other");
    o.proxy_error = GWG_PERR_OTHER;
    expect(&o, GWG_CLASS_OTHER, "other");
}
END_TEST

START_TEST(answer_status)
{
    /* docs/classes.md: the corrections of mod_proxy's choices */
    ck_assert_int_eq(gwg_answer_status(GWG_CLASS_DNS, 500, 0), 502);
    ck_assert_int_eq(gwg_answer_status(GWG_CLASS_TLS, 500, 0), 502);
    ck_assert_int_eq(gwg_answer_status(GWG_CLASS_HEADER_TIMEOUT, 502, 0),
                     504);
    ck_assert_int_eq(gwg_answer_status(GWG_CLASS_CONNECT_REFUSED, 503, 0),
                     503);
    /* GwGuardStatusCode wins */
    ck_assert_int_eq(gwg_answer_status(GWG_CLASS_CONNECT_REFUSED, 503, 502),
                     502);
    /* the upstream's own code stays unless configured */
    ck_assert_int_eq(gwg_answer_status(GWG_CLASS_UPSTREAM_5XX, 503, 0), 503);
    ck_assert_int_eq(gwg_answer_status(GWG_CLASS_UPSTREAM_5XX, 503, 502),
                     502);
    /* committed answers never change */
    ck_assert_int_eq(gwg_answer_status(GWG_CLASS_BODY_RESET,
                                       GWG_HANDLER_DONE, 502),
                     GWG_HANDLER_DONE);
    ck_assert_int_eq(gwg_answer_status(GWG_CLASS_CLIENT_ABORT, 400, 0), 400);
}
END_TEST

START_TEST(proxy_error_notes)
{
    ck_assert_int_eq(gwg_proxy_error_of(NULL), GWG_PERR_NONE);
    ck_assert_int_eq(gwg_proxy_error_of("The proxy server could not handle "
        "the request<p>Reason: <strong>DNS lookup failure for: x.invalid"
        "</strong></p>"), GWG_PERR_DNS);
    ck_assert_int_eq(gwg_proxy_error_of("Reason: <strong>Error during SSL "
        "Handshake with remote server</strong>"), GWG_PERR_TLS);
    ck_assert_int_eq(gwg_proxy_error_of("Error reading from remote server"),
                     GWG_PERR_READ);
    ck_assert_int_eq(gwg_proxy_error_of("Corrupt status line returned by "
        "remote server: HTTP/2.0 200"), GWG_PERR_CORRUPT_STATUS);
    ck_assert_int_eq(gwg_proxy_error_of("Too many (11) interim responses "
        "from origin server"), GWG_PERR_PROTOCOL);
    ck_assert_int_eq(gwg_proxy_error_of("something new"), GWG_PERR_OTHER);
}
END_TEST

/* mod_proxy_fcgi's paths, as a php-fpm fault leaves them (see
 * tests/integration/test_backend_fcgi.py for the same rows for real). */
static gwg_observation fcgi(int handler, int response, int cgi_vars)
{
    gwg_observation o = obs(handler, response, 1);

    o.scheme = GWG_SCHEME_FCGI;
    o.connected = cgi_vars;             /* no backend conn_rec in fcgi */
    o.io_timeout_us = 2000000;
    o.idle_us = 10000;
    return o;
}

START_TEST(fastcgi)
{
    gwg_observation o = fcgi(GWG_HANDLER_OK, 200, 1);
    gwg_verdict v;

    expect(&o, GWG_CLASS_NONE, "success");
    /* the script's own Status: 500/503 (ap_scan_script_header) */
    o = fcgi(GWG_HANDLER_OK, 503, 1);
    expect(&o, GWG_CLASS_UPSTREAM_5XX, "upstream_5xx");
    /* poll timed out before any output: 504 (AH01075 70007) */
    o = fcgi(504, 200, 1);
    expect(&o, GWG_CLASS_HEADER_TIMEOUT, "head_timeout");
    /* worker killed before output: 503 although connected (AH01067) */
    o = fcgi(503, 200, 1);
    expect(&o, GWG_CLASS_RESET_BEFORE_HEADERS, "cgi_head_reset");
    ck_assert_int_eq(gwg_answer_status(GWG_CLASS_RESET_BEFORE_HEADERS,
                                       503, 0), 502);
    /* not connected: refused (AH02454 / AH00957, AH01079) */
    o = fcgi(503, 200, 0);
    expect(&o, GWG_CLASS_CONNECT_REFUSED, "connect");
    /* killed mid-body, and silent mid-body past the timeout */
    o = fcgi(GWG_HANDLER_FILTER_ERROR, 200, 1);
    expect(&o, GWG_CLASS_BODY_RESET, "raw_body_reset");
    o.idle_us = 1990000;
    expect(&o, GWG_CLASS_BODY_TIMEOUT, "raw_body_timeout");
    o.idle_us = -1;                     /* unknown: not a timeout */
    expect(&o, GWG_CLASS_BODY_RESET, "raw_body_reset");
    /* the client left: fcgi returns OK with c->aborted */
    o = fcgi(GWG_HANDLER_OK, 200, 1);
    o.client_aborted = 1;
    expect(&o, GWG_CLASS_CLIENT_ABORT, "client_abort");
    /* an HTTP upstream's OK with a 5xx and no status line read is not the
     * upstream's answer (the backend_broke race row decides it) */
    o = obs(GWG_HANDLER_OK, 502, 1);
    gwg_classify(&v, &o);
    ck_assert_int_ne(v.cls, GWG_CLASS_UPSTREAM_5XX);
}
END_TEST

/* An HTTP/2 client that closes its session after the last byte: the
 * stream's connection is marked aborted, mod_proxy_http returns DONE. */
START_TEST(h2_closed_after_answer)
{
    gwg_observation o = answered(GWG_HANDLER_DONE, 200);

    o.client_aborted = 1;
    o.eos_sent = 1;
    expect(&o, GWG_CLASS_NONE, "closed_after_answer");
    o.response_status = 503;
    expect(&o, GWG_CLASS_UPSTREAM_5XX, "upstream_5xx");
    o.eos_sent = 0;                     /* gone before the end: an abort */
    expect(&o, GWG_CLASS_CLIENT_ABORT, "client_abort");
}
END_TEST

/* mod_proxy_ajp, the rows of its own. */
START_TEST(ajp)
{
    gwg_observation o = obs(503, 200, 1);

    o.scheme = GWG_SCHEME_AJP;
    o.io_timeout_us = 2000000;
    o.elapsed_us = 2000100;             /* ajp_read_header timed out */
    expect(&o, GWG_CLASS_HEADER_TIMEOUT, "ajp_head_timeout");
    o.elapsed_us = 1000;                /* at once: a refusal */
    expect(&o, GWG_CLASS_CONNECT_REFUSED, "connect");
    o.handler_status = 504;             /* the same timeout with ping= */
    expect(&o, GWG_CLASS_HEADER_TIMEOUT, "ajp_head_timeout");
    /* the request went out (the handler read the client body), then
     * ajp_read_header failed at once: a reset before SEND_HEADERS
     * (AH00878), 503 for a GET, 500 otherwise; answered 502 */
    o.handler_status = 503;
    o.connected = 1;
    expect(&o, GWG_CLASS_RESET_BEFORE_HEADERS, "ajp_head_reset");
    ck_assert_int_eq(gwg_answer_status(GWG_CLASS_RESET_BEFORE_HEADERS,
                                       503, 0), 502);
    o.handler_status = 500;
    expect(&o, GWG_CLASS_RESET_BEFORE_HEADERS, "ajp_head_reset");
    o.elapsed_us = 2000100;             /* ... after the socket timeout */
    expect(&o, GWG_CLASS_HEADER_TIMEOUT, "ajp_head_timeout");
    o.handler_status = 504;             /* ping=: a 504 after connecting */
    expect(&o, GWG_CLASS_HEADER_TIMEOUT, "head_timeout");
    o = obs(GWG_HANDLER_DONE, 200, 1);  /* AH00893 after data was sent */
    o.scheme = GWG_SCHEME_AJP;
    o.io_timeout_us = 2000000;
    o.idle_us = 5000;
    expect(&o, GWG_CLASS_BODY_RESET, "raw_body_reset");
    o.idle_us = 2000000;
    expect(&o, GWG_CLASS_BODY_TIMEOUT, "raw_body_timeout");
    o.client_aborted = 1;               /* the client's doing */
    expect(&o, GWG_CLASS_CLIENT_ABORT, "client_abort");
}
END_TEST

/* mod_proxy_uwsgi and mod_proxy_scgi: short bodies, ProxyErrorOverride. */
START_TEST(uwsgi_and_scgi)
{
    gwg_observation o = answered(GWG_HANDLER_OK, 200);

    o.scheme = GWG_SCHEME_UWSGI;        /* uwsgi: EOF before C-L */
    o.status_parsed = 0;
    o.body_short = 1;
    expect(&o, GWG_CLASS_BODY_RESET, "body_short");
    o.scheme = GWG_SCHEME_SCGI;         /* scgi with ap_trust_cgilike_cl */
    expect(&o, GWG_CLASS_BODY_RESET, "body_short");
    o.client_aborted = 1;               /* short because the client left */
    expect(&o, GWG_CLASS_CLIENT_ABORT, "client_abort");
    /* uwsgi with ProxyErrorOverride: the app's 503 returned as the
     * handler's result after the head parsed; without the override
     * mark the same 503 would read as a head that failed */
    o = obs(503, 200, 1);
    o.scheme = GWG_SCHEME_UWSGI;
    o.connected = 1;
    o.bytes_read = 120;
    expect(&o, GWG_CLASS_RESET_BEFORE_HEADERS, "cgi_head_reset");
    o.error_override = 1;
    expect(&o, GWG_CLASS_UPSTREAM_5XX, "upstream_5xx");
    o = answered(GWG_HANDLER_DONE, 200); /* uwsgi body read timed out */
    o.scheme = GWG_SCHEME_UWSGI;
    o.status_parsed = 0;
    o.io = GWG_IO_TIMEOUT;
    expect(&o, GWG_CLASS_BODY_TIMEOUT, "body_timeout");
}
END_TEST

/* mod_proxy_http2 upstreams: a stream that failed after its head. */
START_TEST(h2_upstream_body)
{
    gwg_observation o = obs(502, 200, 1);

    o.scheme = GWG_SCHEME_H2;
    o.committed = 1;
    o.io_timeout_us = 2000000;
    o.idle_us = 1000;
    expect(&o, GWG_CLASS_BODY_RESET, "h2_body_reset");
    o.handler_status = 408;             /* ap_map_http_request_error */
    o.io = GWG_IO_TIMEOUT;
    expect(&o, GWG_CLASS_BODY_TIMEOUT, "h2_body_timeout");
}
END_TEST

START_TEST(scheme_names)
{
    ck_assert_int_eq(gwg_scheme_of("fcgi", 4), GWG_SCHEME_FCGI);
    ck_assert_int_eq(gwg_scheme_of("FCGI://x", 4), GWG_SCHEME_FCGI);
    ck_assert_int_eq(gwg_scheme_of("wss", 3), GWG_SCHEME_HTTP);
    ck_assert_int_eq(gwg_scheme_of("h2c", 3), GWG_SCHEME_H2);
    ck_assert_int_eq(gwg_scheme_of("uwsgi", 5), GWG_SCHEME_UWSGI);
    ck_assert_int_eq(gwg_scheme_of("scgi", 4), GWG_SCHEME_SCGI);
    ck_assert_int_eq(gwg_scheme_of("ajp", 3), GWG_SCHEME_AJP);
    ck_assert_int_eq(gwg_scheme_of("ftp", 3), GWG_SCHEME_OTHER);
    ck_assert_int_eq(gwg_scheme_of("fcg", 3), GWG_SCHEME_OTHER);
    ck_assert_int_eq(gwg_scheme_of(NULL, 0), GWG_SCHEME_OTHER);
}
END_TEST

START_TEST(local_faults)
{
    ck_assert_int_eq(gwg_local_fault_of(2454, 13), GWG_LOCAL_SOCKET_DENIED);
    ck_assert_int_eq(gwg_local_fault_of(2454, 2), GWG_LOCAL_SOCKET_MISSING);
    ck_assert_int_eq(gwg_local_fault_of(2454, 111), GWG_LOCAL_SOCKET_STALE);
    ck_assert_int_eq(gwg_local_fault_of(957, 99), GWG_LOCAL_NO_ADDRESS);
    ck_assert_int_eq(gwg_local_fault_of(957, 111), GWG_LOCAL_NONE);
    ck_assert_int_eq(gwg_local_fault_of(0, 0), GWG_LOCAL_NONE);
    ck_assert_ptr_null(gwg_local_fault_get(GWG_LOCAL_NONE));
    ck_assert_str_eq(gwg_local_fault_get(GWG_LOCAL_SOCKET_DENIED)
                     ->proxy_status, "proxy_configuration_error");
}
END_TEST

/* The signals the rows before "success" read, one bit each (9 bits). */
static void set_signals(gwg_observation *o, unsigned bits)
{
    o->client_aborted = bits & 1;
    o->eos_sent = (bits >> 1) & 1;
    o->committed = (bits >> 2) & 1;
    o->connected = (bits >> 3) & 1;
    o->bytes_read = (bits >> 4) & 1 ? 100 : 0;
    o->breaker_refused = (bits >> 5) & 1;
    o->not_http = (bits >> 6) & 1;
    o->body_short = (bits >> 7) & 1;
    o->final_attempt = (bits >> 8) & 1;
}

/* The note-derived signals, n < NOTE_COMBOS: every value of each. */
#define NOTE_COMBOS (8 * (GWG_PERR_OTHER + 1))
static void set_notes(gwg_observation *o, unsigned n)
{
    o->error_override = n & 1;
    o->timed_out = (n >> 1) & 1;
    o->status_parsed = (n >> 2) & 1;
    o->proxy_error = (gwg_proxy_error)(n >> 3);
}

/* gwg_classify_reads_notes: when it says no, no value of the note-derived
 * signals changes the verdict, over every combination of the others. */
START_TEST(notes_skipped_only_when_they_cannot_matter)
{
    static const int statuses[] = { 100, 101, 200, 204, 304, 404, 499 };
    unsigned bits, n, i, sch, checked = 0;

    for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        for (sch = 0; sch <= GWG_SCHEME_OTHER; sch++) {
            for (bits = 0; bits < (1u << 10); bits++) {
                gwg_observation o = obs(GWG_HANDLER_OK, statuses[i], 1);
                gwg_verdict plain, noted;

                o.scheme = (gwg_scheme)sch;
                set_signals(&o, bits);
                o.header_failed = (bits >> 9) & 1;
                if (gwg_classify_reads_notes(&o)) {
                    ck_abort_msg("notes asked for an OK, status %d",
                                 statuses[i]);
                }
                gwg_classify(&plain, &o);
                for (n = 1; n < NOTE_COMBOS; n++) {
                    set_notes(&o, n);
                    gwg_classify(&noted, &o);
                    /* rows are static: the same row is the same name */
                    if (noted.rule != plain.rule) {
                        ck_abort_msg("status %d bits %x notes %x: %s, "
                                     "without notes %s", statuses[i],
                                     bits, n, noted.rule, plain.rule);
                    }
                    checked++;
                }
            }
        }
    }
    ck_assert_uint_gt(checked, 1000000);
    /* a refused attempt: whatever the handler and the notes say */
    for (i = 0; i < 4; i++) {
        static const int handlers[] = { 503, 500, GWG_HANDLER_OK, 502 };
        gwg_observation o = obs(handlers[i], 200, 2);
        gwg_verdict plain, noted;

        o.breaker_refused = 1;
        o.io = GWG_IO_RESET;
        ck_assert(!gwg_classify_reads_notes(&o));
        gwg_classify(&plain, &o);
        for (n = 1; n < NOTE_COMBOS; n++) {
            set_notes(&o, n);
            gwg_classify(&noted, &o);
            ck_assert_str_eq(noted.rule, plain.rule);
        }
        ck_assert_str_eq(plain.rule, "circuit_open");
    }
    /* and it asks for them whenever one of its conditions fails */
    {
        gwg_observation o = obs(GWG_HANDLER_OK, 200, 1);

        o.io = GWG_IO_RESET;
        ck_assert(gwg_classify_reads_notes(&o));
        o = obs(GWG_HANDLER_OK, 502, 1);
        ck_assert(gwg_classify_reads_notes(&o));
        o = obs(GWG_HANDLER_DONE, 200, 1);
        ck_assert(gwg_classify_reads_notes(&o));
    }
}
END_TEST

/* gwg_classify's shortcut for a plain success agrees with the walk of the
 * table over every combination of the signals the rows before "success"
 * read, for handler results and statuses on both sides of it. */
START_TEST(success_shortcut_agrees_with_the_rows)
{
    static const int handlers[] = { GWG_HANDLER_OK, GWG_HANDLER_DONE, 502 };
    static const int statuses[] = { 101, 200, 404, 500, 503 };
    static const gwg_io ios[] = { GWG_IO_OK, GWG_IO_RESET, GWG_IO_EOF,
                                  GWG_IO_TIMEOUT };
    unsigned h, st, io, sch, bits, shortcut = 0, plain = 0;

    for (h = 0; h < 3; h++)
    for (st = 0; st < 5; st++)
    for (io = 0; io < 4; io++)
    for (sch = 0; sch <= GWG_SCHEME_OTHER; sch++)
    for (bits = 0; bits < (1u << 11); bits++) {
        gwg_observation o = obs(handlers[h], statuses[st], 1);
        gwg_verdict fast, walk;

        o.io = ios[io];
        o.scheme = (gwg_scheme)sch;
        set_signals(&o, bits);
        o.status_parsed = (bits >> 9) & 1;
        o.proxy_error = (bits >> 10) & 1 ? GWG_PERR_READ : GWG_PERR_NONE;
        gwg_classify(&fast, &o);
        gwg_classify_rows(&walk, &o);
        if (fast.rule != walk.rule || fast.cls != walk.cls) {
            ck_abort_msg("handler %d status %d io %d scheme %u bits %x: "
                         "%s, the rows say %s", handlers[h], statuses[st],
                         (int)ios[io], sch, bits, fast.rule, walk.rule);
        }
        shortcut += strcmp(walk.rule, "success") == 0;
        /* the glue's test before any observation (request_status): it
         * leaves out body_short, which only uWSGI and SCGI set, and
         * those never qualify */
        if (gwg_plain_success(o.handler_status, o.response_status,
                              o.client_aborted, &o.attempt)) {
            ck_assert(sch != GWG_SCHEME_UWSGI && sch != GWG_SCHEME_SCGI);
            ck_assert(o.body_short || strcmp(walk.rule, "success") == 0);
            plain++;
        }
    }
    ck_assert_uint_gt(shortcut, 1000);
    ck_assert_uint_gt(plain, 100);
}
END_TEST

/* gwg_classify's shortcut for a quiet refusal (a 503 without a
 * connection: the walk starts at "connect_timeout") agrees with the whole
 * walk over every combination of the signals the earlier rows read. */
START_TEST(refusal_shortcut_agrees_with_the_rows)
{
    static const gwg_proxy_error perrs[] = { GWG_PERR_NONE, GWG_PERR_DNS,
                                             GWG_PERR_READ };
    static const gwg_io ios[] = { GWG_IO_OK, GWG_IO_RESET, GWG_IO_TIMEOUT };
    unsigned att, pe, io, sch, late, bits, refused = 0, late_ones = 0;

    for (att = 0; att < 2; att++)
    for (pe = 0; pe < 3; pe++)
    for (io = 0; io < 3; io++)
    for (sch = 0; sch <= GWG_SCHEME_OTHER; sch++)
    for (late = 0; late < 2; late++)
    for (bits = 0; bits < (1u << 13); bits++) {
        gwg_observation o = obs(503, 200, (int)att);
        gwg_verdict fast, walk;

        o.proxy_error = perrs[pe];
        o.io = ios[io];
        o.scheme = (gwg_scheme)sch;
        o.elapsed_us = late ? o.connect_timeout_us : 1000;
        o.connected = bits & 1;
        o.maint_refused = (bits >> 1) & 1;
        o.breaker_refused = (bits >> 2) & 1;
        o.not_http = (bits >> 3) & 1;
        o.committed = (bits >> 4) & 1;
        o.error_override = (bits >> 5) & 1;
        o.worker_unusable = (bits >> 6) & 1;
        o.pool_exhausted = (bits >> 7) & 1;
        o.timed_out = (bits >> 8) & 1;
        o.header_failed = (bits >> 9) & 1;
        o.status_parsed = (bits >> 10) & 1;
        o.client_aborted = (bits >> 11) & 1;
        o.eos_sent = (bits >> 12) & 1;
        gwg_classify(&fast, &o);
        gwg_classify_rows(&walk, &o);
        if (fast.rule != walk.rule || fast.cls != walk.cls) {
            ck_abort_msg("attempts %u perr %u io %u scheme %u late %u "
                         "bits %x: %s, the rows say %s", att, pe, io, sch,
                         late, bits, fast.rule, walk.rule);
        }
        refused += strcmp(walk.rule, "connect") == 0;
        late_ones += strcmp(walk.rule, "connect_timeout") == 0;
    }
    ck_assert_uint_gt(refused, 100);
    ck_assert_uint_gt(late_ones, 100);
}
END_TEST

Suite *classify_suite(void)
{
    Suite *s = suite_create("classify");
    TCase *tc = tcase_create("rules");

    tcase_add_test(tc, success);
    tcase_add_test(tc, notes_skipped_only_when_they_cannot_matter);
    tcase_add_test(tc, success_shortcut_agrees_with_the_rows);
    tcase_add_test(tc, refusal_shortcut_agrees_with_the_rows);
    tcase_add_test(tc, upstream_5xx_streamed_and_overridden);
    tcase_add_test(tc, client_abort);
    tcase_add_test(tc, connect_refused_and_timeout);
    tcase_add_test(tc, unavailable);
    tcase_add_test(tc, dns_and_tls);
    tcase_add_test(tc, header_timeout);
    tcase_add_test(tc, reset_before_headers);
    tcase_add_test(tc, bad_response);
    tcase_add_test(tc, body_failures);
    tcase_add_test(tc, failover_attempts);
    tcase_add_test(tc, anything_else_is_other);
    tcase_add_test(tc, answer_status);
    tcase_add_test(tc, proxy_error_notes);
    tcase_add_test(tc, fastcgi);
    tcase_add_test(tc, scheme_names);
    tcase_add_test(tc, ajp);
    tcase_add_test(tc, uwsgi_and_scgi);
    tcase_add_test(tc, h2_upstream_body);
    tcase_add_test(tc, h2_closed_after_answer);
    tcase_add_test(tc, local_faults);
    suite_add_tcase(s, tc);
    return s;
}
