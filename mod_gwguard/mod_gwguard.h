/*
 * httpd glue shared by the mod_gwguard*.c files: the module record,
 * configuration records and the per-process view of the shared segment.
 */
#ifndef MOD_GWGUARD_H
#define MOD_GWGUARD_H

#include "httpd.h"
#include "http_config.h"

#include "gwg_class.h"
#include "gwg_shm.h"

extern module AP_MODULE_DECLARE_DATA gwguard_module;

#define GWGUARD_UNSET (-1)

/* Server-wide settings (docs/directives.md, context server config). */
typedef struct {
    const char   *shm_file;        /* GwGuardShmFile, NULL = default */
    unsigned long max_upstreams;   /* GwGuardMaxUpstreams */
    unsigned long recent;          /* GwGuardRecent */
    struct gwguard_breaker_srv *breaker; /* GwGuardBreaker (S V), NULL =
                                            not set here: inherit */
} gwguard_srv_conf;

/* Per-directory settings (contexts S V D H). */
typedef struct {
    int enabled;                   /* GwGuard; GWGUARD_UNSET = inherit */
    struct gwguard_page_conf *page;/* error pages, NULL = defaults
                                      (mod_gwguard_page.h) */
    int *status_codes;             /* GwGuardStatusCode by class, 0 unset;
                                      NULL when none is set in this scope */
} gwguard_dir_conf;

/* The segment as this process sees it: mapped by the parent in
 * post_config, inherited by every child across fork. */
typedef struct {
    gwg_shm     shm;
    int         ok;                /* 0: no segment, count nothing */
    const char *path;
} gwguard_state;

extern gwguard_state gwguard_segment;

extern const command_rec gwguard_cmds[];
void *gwguard_create_srv_conf(apr_pool_t *p, server_rec *s);
void *gwguard_merge_srv_conf(apr_pool_t *p, void *base, void *add);
void *gwguard_create_dir_conf(apr_pool_t *p, char *dir);
void *gwguard_merge_dir_conf(apr_pool_t *p, void *base, void *add);

/* Typed getters with defaults applied. */
int gwguard_enabled(request_rec *r);
const char *gwguard_shm_path(apr_pool_t *p, server_rec *s);

/* Segment lifecycle (mod_gwguard_shm.c). */
int gwguard_shm_post_config(apr_pool_t *pconf, server_rec *s);
void gwguard_shm_child_init(apr_pool_t *p, server_rec *s);

/* One attempt of a proxied request: the upstream mod_proxy chose. */
typedef struct {
    uint32_t     slot;             /* in the shared segment; GWGUARD_NO_SLOT
                                      when there is no segment */
    char         key[GWG_KEY_MAX]; /* upstream key */
    apr_time_t   start;            /* scheme handler entered */
    apr_time_t   connected;        /* backend connection ready, 0 unknown */
    apr_time_t   first_byte;       /* first response byte read, 0 unknown */
    int          ah_number;        /* httpd's AHnnnnn reported, 0 none */
    apr_status_t apr_status;       /* what httpd reported, 0 none */
    /* Signals of the attempt for the classifier (mod_gwguard_backend.c,
     * mod_gwguard_observe.c); none depends on LogLevel. */
    apr_uint64_t seq;              /* process-unique attempt number */
    apr_time_t   end;              /* attempt over (next one or the end) */
    apr_interval_time_t connect_timeout; /* worker's effective one */
    int          worker_unusable;  /* mod_proxy will refuse the worker */
    int          pool_exhausted;   /* all max= connections were in use */
    int          reused;           /* backend connection carried requests
                                      before this attempt */
    int          io;               /* gwg_io of the last failed read/write */
    apr_status_t io_status;        /* its apr_status */
    apr_off_t    bytes_read;       /* response bytes read */
    int          check_http;       /* an HTTP/1 upstream: check "HTTP/" */
    int          not_http;         /* response not "HTTP/": refused */
    int          breaker_refused;  /* our breaker answered 503 at once */
    apr_uint64_t breaker_trial;    /* the half-open trial's token, 0 if
                                      this attempt is not the trial */
    int          scheme;           /* gwg_scheme of the worker's URL */
    int          cgi_vars;         /* FastCGI/SCGI/uWSGI: the handler built
                                      the CGI variables (it was connected) */
    apr_interval_time_t io_timeout; /* the backend socket's timeout */
    apr_time_t   last_out;         /* response data last passed on, 0 none */
    int          cls;              /* the attempt's verdict (gwg_class_t),
                                      set in request_status */
    const char  *rule;             /* ... and the row that decided it */
} gwguard_attempt;

#define GWGUARD_NO_SLOT UINT32_MAX

/* Per-request state, in r->request_config, allocated from r->pool. */
typedef struct {
    apr_array_header_t *attempts;  /* gwguard_attempt, in order */
    const char  *request_id;       /* see gwguard_request_id(); NULL until
                                      first used */
    /* the verdict on the request, set in request_status */
    gwg_class_t  cls;              /* GWG_CLASS_NONE: success */
    const char  *rule;             /* the classify row that decided */
    int          status;           /* what the client is answered, 0 if the
                                      response is committed or upstream's */
    int          current_cleanup;  /* pool cleanup of the thread-local
                                      current request registered */
    int          in_proxy;         /* between the first scheme handler
                                      call and request_status */
    int          retry_after;      /* Retry-After seconds, -1 = default */
    int          intercepted;      /* GwGuardIntercept replaced the
                                      upstream's own 5xx with a page */
    int          head_broke_held;  /* h2 client: mod_proxy_http's "backend
                                      broke before the head" brigade was
                                      held back so gwguard answers */
    int          local_fault;      /* gwg_local_fault of a connect_refused:
                                      the gateway's own setup is at fault */
    void        *proxy_conf;       /* mod_proxy's proxy_server_conf, from
                                      the scheme handler (panic threshold) */
} gwguard_req;

/* The request id on pages, in logs and in the ring: UNIQUE_ID when
 * mod_unique_id is loaded, else one the module makes; made on first use. */
const char *gwguard_request_id(request_rec *r, const gwguard_req *st);

/* The request's state; created on first use when create is set. */
gwguard_req *gwguard_req_get(request_rec *r, int create);

/* Fills an observation from httpd's state at request_status time
 * (mod_gwguard_observe.c): never from log text. */
struct gwg_observation;
void gwguard_observe(struct gwg_observation *o, request_rec *r, int status,
                     const gwguard_req *st);

/* Error pages (mod_gwguard_page.c): answers the verdict in st with the
 * page the configuration chooses; called at the end of request_status. */
void gwguard_page_answer(request_rec *r, const gwguard_req *st);
/* The same, but sends the page itself (as the core's error path would)
 * and returns 1, after which request_status must answer DONE; 0 when it
 * sent nothing (no page, or one left to the core's error path). status
 * is what the handler returns, which ap_die would answer. */
int gwguard_page_send(request_rec *r, const gwguard_req *st, int status);
void gwguard_register_page_hooks(void);

/* Fills the per-attempt signals of an observation (every attempt). */
void gwguard_observe_attempt(struct gwg_observation *o,
                             const gwguard_attempt *a);

/* The thread's proxied request and its backend connection filter
 * (mod_gwguard_backend.c): set in the scheme handler, cleared in
 * request_status (and by an r->pool cleanup). */
void gwguard_current_set(request_rec *r, gwguard_req *st);
void gwguard_current_clear(request_rec *r);
gwguard_req *gwguard_current_req(void);
gwguard_attempt *gwguard_current_attempt(void);
void gwguard_register_backend_hooks(void);

/* The error-log hook (mod_gwguard_errlog.c): AH number and errno only. */
void gwguard_register_errlog_hook(void);

/* " ah=AHnnnnn apr=N" for the log line, "" when httpd reported nothing
 * that passed LogLevel. */
const char *gwguard_detail(request_rec *r, const gwguard_attempt *a);

/* GwGuardStatusCode (mod_gwguard_statuscode.c). */
const char *gwguard_set_status_code(cmd_parms *cmd, void *dirconf,
                                    const char *cls, const char *value);
int *gwguard_merge_status_codes(apr_pool_t *p, const int *base,
                                const int *add);

/* GwGuardStatusCode for a class in this request's scope, 0 if unset. */
int gwguard_status_code(request_rec *r, gwg_class_t cls);
/* Circuit breaker (mod_gwguard_breaker.c): the directive, its merge, the
 * check before an attempt (DECLINED, or HTTP_SERVICE_UNAVAILABLE to refuse
 * it without connecting) and the report of an attempt's outcome. */
const char *gwguard_set_breaker(cmd_parms *cmd, void *dirconf, int argc,
                                char *const argv[]);
struct gwguard_breaker_srv *gwguard_breaker_merge(
    apr_pool_t *p, struct gwguard_breaker_srv *base,
    struct gwguard_breaker_srv *add);
int gwguard_breaker_admit(request_rec *r, gwguard_req *st,
                          gwguard_attempt *a);
void gwguard_breaker_record(request_rec *r, const gwguard_attempt *a,
                            gwg_class_t cls, int intercepted);

/* Status handler and mod_status section (mod_gwguard_status.c). */
void gwguard_status_register_hooks(void);

/* One entry in the recent-failures ring for a failed request
 * (mod_gwguard_recent.c); nothing for a success. */
void gwguard_recent_note(request_rec *r, const gwguard_req *st);

/* The same for attempt i of a failover that failed before the request's
 * last attempt (status 0: the client got the later attempt's answer). */
void gwguard_recent_note_attempt(request_rec *r, const gwguard_req *st,
                                 int i);

/* The retry hint for a request that failed with cls
 * (gwg_class_retryable; mod_gwguard_recent.c). */
int gwguard_retryable(request_rec *r, gwg_class_t cls);

/* The upstream key of a declared worker (mod_gwguard_proxy.c); < 0 when
 * it has none. */
struct proxy_worker;
int gwguard_worker_key(char *buf, size_t len, const struct proxy_worker *w);

/* Stale before error: mod_cache's stale answers (mod_gwguard_degrade.c). */
void gwguard_register_degrade_hooks(void);

/* mod_proxy hooks (mod_gwguard_proxy.c). */
void gwguard_register_proxy_hooks(void);
int gwguard_proxy_hooks_present(void);

#endif
