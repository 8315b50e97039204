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
/* AP_FILTER_ERROR: mod_proxy_fcgi and mod_proxy_scgi return it when the
 * exchange fails after the response began (has_responded). */
#define GWG_HANDLER_FILTER_ERROR (-102)

/* Which scheme handler served the attempt: the handlers fail in their own
 * ways (docs/backends.md), so some rows hold for one of them only. */
typedef enum {
    GWG_SCHEME_HTTP = 0,        /* mod_proxy_http: http, https, ws, wss */
    GWG_SCHEME_FCGI,            /* mod_proxy_fcgi */
    GWG_SCHEME_SCGI,            /* mod_proxy_scgi */
    GWG_SCHEME_UWSGI,           /* mod_proxy_uwsgi */
    GWG_SCHEME_AJP,             /* mod_proxy_ajp */
    GWG_SCHEME_H2,              /* mod_proxy_http2: h2, h2c */
    GWG_SCHEME_OTHER            /* anything else (ftp, connect, ...) */
} gwg_scheme;

/* The scheme handler a URL scheme ("fcgi", "ws", ...) goes to. */
gwg_scheme gwg_scheme_of(const char *scheme, size_t len);

/* What ap_proxyerror wrote in note "error-notes" (a request note, set
 * whatever the log level), reduced to the cases the table tells apart. */
typedef enum {
    GWG_PERR_NONE = 0,          /* no note */
    GWG_PERR_DNS,               /* "DNS lookup failure for: ..." */
    GWG_PERR_TLS,               /* "Error during SSL Handshake ..." */
    GWG_PERR_READ,              /* "Error reading from remote server" */
    GWG_PERR_CORRUPT_STATUS,    /* "Corrupt status line returned ..." */
    GWG_PERR_PROTOCOL,          /* malformed Connection, Upgrade, 1xx flood */
    GWG_PERR_OTHER              /* any other proxy error text */
} gwg_proxy_error;

/* How the last failed read or write on the backend connection ended, as the
 * backend connection filter saw it (mod_gwguard_backend.c). */
typedef enum {
    GWG_IO_OK = 0,              /* no read failed */
    GWG_IO_TIMEOUT,             /* APR_TIMEUP */
    GWG_IO_RESET,               /* ECONNRESET, EPIPE */
    GWG_IO_EOF,                 /* the upstream closed (APR_EOF, EOS) */
    GWG_IO_ERROR                /* anything else */
} gwg_io;

/* The signals of one attempt, defined once: the glue's attempt record
 * embeds a gwg_attempt_signals, filled while the attempt runs (scheme
 * handler, backend filter, breaker), and an observation carries one (the
 * attempt it judges). Times are microseconds since the epoch, 0 unknown;
 * connected, elapsed_us and idle_us are derived from them when the
 * attempt ends (gwg_attempt_end, gwg_attempt.h). */
#define GWG_ATTEMPT_SIGNALS \
    long long start_us;   /* the scheme handler was entered */ \
    long long connected_us; /* a backend connection was ready */ \
    long long first_byte_us; /* the first response byte was read */ \
    long long last_out_us; /* the handler last passed response data on */ \
    long long end_us;     /* the attempt was over */ \
    int cgi_vars;         /* FastCGI, SCGI, uWSGI: the handler built the \
                             request's CGI variables, which it does only \
                             once connected */ \
    int worker_unusable;  /* mod_proxy will refuse the worker (in error, \
                             retry not due; disabled; stopped) */ \
    int pool_exhausted;   /* every connection of the worker's pool (max=) \
                             was in use when the attempt began */ \
    int connected;        /* a backend connection carried this attempt \
                             (connected_us or cgi_vars) */ \
    int reused;           /* ... and had carried requests before */ \
    gwg_io io;            /* how the last failed backend read or write \
                             ended */ \
    long long bytes_read; /* response bytes read in this attempt */ \
    int not_http;         /* the response did not start with "HTTP/" */ \
    long long elapsed_us; /* scheme handler entered to attempt end */ \
    long long connect_timeout_us; /* the worker's effective connect \
                                     timeout */ \
    int breaker_refused;  /* gwguard's breaker refused this attempt */ \
    int maint_refused;    /* ... or its maintenance window did */ \
    gwg_scheme scheme;    /* the handler that served the attempt */ \
    long long idle_us;    /* attempt end minus the last time the handler \
                             passed response data on (or the attempt's \
                             start); -1 unknown */ \
    long long io_timeout_us; /* the backend socket's timeout (timeout=, \
                                ProxyTimeout, Timeout) */

typedef struct {
    GWG_ATTEMPT_SIGNALS
} gwg_attempt_signals;

typedef struct gwg_observation {
    /* The request as proxy_handler left it (final attempt only). */
    int handler_status;   /* request_status's *status: OK, DONE or HTTP;
                             503 for an attempt that failed over */
    int response_status;  /* r->status at that moment */
    int attempts;         /* scheme-handler calls (0: none was tried) */
    int final_attempt;    /* 1 for the attempt that ended the request,
                             0 for an earlier one that failed over */
    int client_aborted;   /* r->connection->aborted */
    int eos_sent;         /* r->eos_sent: the handler passed the end of the
                             response on (ap_pass_brigade sets it) */
    int error_override;   /* ProxyErrorOverride caught the upstream's 5xx:
                             note "proxy-error-override", or what
                             mod_proxy_fcgi / mod_proxy_uwsgi do without
                             it (mod_gwguard_observe.c) */
    int timed_out;        /* note "proxy_timedout" */
    int status_parsed;    /* note "proxy-status": a status line was read */
    int header_failed;    /* r->status_line "bad gateway" (AH01106 path) */
    gwg_proxy_error proxy_error; /* note "error-notes" */
    int committed;        /* r->sent_bodyct: the response head went out */
    int body_short;       /* fewer body bytes went to the client than the
                             backend's Content-Length announced */
    /* The attempt itself (every attempt): one gwg_attempt_signals, whose
     * fields the rules read by name. */
    union {
        gwg_attempt_signals attempt;
        struct { GWG_ATTEMPT_SIGNALS };
    };
} gwg_observation;

typedef struct {
    gwg_class_t cls;      /* GWG_CLASS_NONE for a success */
    const char *rule;     /* the row that matched, for debugging and tests */
} gwg_verdict;

void gwg_classify(gwg_verdict *v, const gwg_observation *o);

/* The same by walking the table row by row, without gwg_classify's
 * shortcut for a plain success (the unit tests compare the two). */
void gwg_classify_rows(gwg_verdict *v, const gwg_observation *o);

/* The status the client gets for a class, given the handler's result, the
 * admin's choice (configured: 0 = the class default of docs/classes.md) and
 * the class default. Returns handler_status unchanged when httpd is not about
 * to answer an error itself (OK, DONE, a 4xx) or when the class keeps the
 * upstream's. */
int gwg_answer_status(gwg_class_t cls, int handler_status, int configured);

/* Whether the signals taken from r->notes (error_override, timed_out,
 * status_parsed, proxy_error) can change o's verdict. They cannot for an
 * attempt the breaker refused (the first row decides), nor for a handler
 * that returned OK with no failed read or write and a status under 500:
 * every row before "success" that reads them needs one of those
 * (tests/unit/test_classify.c checks it over every combination), so the
 * glue skips the table lookups then. */
int gwg_classify_reads_notes(const gwg_observation *o);

/* gwg_classify's shortcut for a plain success, on the parts of an
 * observation the glue has before it builds one: the handler returned OK
 * with a status under 500, the client stayed, and the attempt had no
 * failed read or write, was not refused and answered HTTP. uWSGI and SCGI
 * attempts never qualify: their verdict also needs body_short. The unit
 * tests check it against the walk of the table. */
static inline int gwg_plain_success(int handler_status, int response_status,
                                    int client_aborted,
                                    const gwg_attempt_signals *a)
{
    return handler_status == GWG_HANDLER_OK && response_status < 500
           && !client_aborted && a->io == GWG_IO_OK && !a->not_http
           && !a->breaker_refused && a->scheme != GWG_SCHEME_UWSGI
           && a->scheme != GWG_SCHEME_SCGI;
}

/* Reduces the text of note "error-notes" to a gwg_proxy_error. */
gwg_proxy_error gwg_proxy_error_of(const char *error_notes);

#endif
