/*
 * Per-request state (mod_gwguard_req.c): the request and attempt records
 * every area of the request path reads, their accessors, and the thread's
 * current proxied request, which ties backend connections and error-log
 * messages (they have no request of their own) to the attempt they serve.
 */
#ifndef MOD_GWGUARD_REQ_H
#define MOD_GWGUARD_REQ_H

#include "httpd.h"

#include "gwg_classify.h"
#include "mod_gwguard.h"

/* One attempt of a proxied request: the upstream mod_proxy chose. */
typedef struct {
    gwg_attempt_signals sig;       /* what the classifier reads (the core's
                                      one shape, gwg_classify.h); none
                                      depends on LogLevel */
    uint32_t     slot;             /* in the shared segment; GWGUARD_NO_SLOT
                                      when there is no segment */
    const char  *key;              /* upstream key: a declared worker's in
                                      the child's table, which outlives
                                      every request; else in r->pool */
    const struct gwguard_wentry_s *entry; /* the worker's entry in the
                                      child's table (mod_gwguard_wcache.h),
                                      NULL if it has none */
    int          ah_number;        /* httpd's AHnnnnn reported, 0 none */
    apr_status_t apr_status;       /* what httpd reported, 0 none */
    apr_uint64_t seq;              /* process-unique attempt number */
    apr_status_t io_status;        /* apr_status of sig.io */
    int          check_http;       /* an HTTP/1 upstream: check "HTTP/" */
    apr_uint64_t breaker_trial;    /* the half-open trial's token, 0 if
                                      this attempt is not the trial */
    int          cls;              /* the attempt's verdict (gwg_class_t),
                                      set in request_status */
    const char  *rule;             /* ... and the row that decided it */
} gwguard_attempt;

#define GWGUARD_NO_SLOT UINT32_MAX

/* The request filters an attempt added (mod_gwguard_backend.c), each
 * once per request. */
#define GWGUARD_F_PROGRESS 1
#define GWGUARD_F_AJP_SENT 2
#define GWGUARD_F_H2_HEAD  4

/* Per-request state, in r->request_config, allocated from r->pool. */
typedef struct {
    apr_array_header_t *attempts;  /* gwguard_attempt, in order */
    const char  *request_id;       /* see gwguard_request_id(); NULL until
                                      first used */
    size_t       request_id_len;   /* its length when the module made it,
                                      0 when unknown (UNIQUE_ID) */
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
    int          filters;          /* GWGUARD_F_* the attempts added */
    int          local_fault;      /* gwg_local_fault of a connect_refused:
                                      the gateway's own setup is at fault */
    void        *proxy_conf;       /* mod_proxy's proxy_server_conf, from
                                      the scheme handler (panic threshold) */
    const void  *prepared;         /* the proxy_worker whose attempt
                                      proxy's pre_request began and the
                                      breaker admitted, until the scheme
                                      handler goes on with it; NULL none */
    apr_array_header_t attempts_hdr; /* *attempts, whose first element
                                      is first: one allocation for the
                                      common request of one attempt */
    gwguard_attempt first;
} gwguard_req;

/* The request id on pages, in logs and in the ring: UNIQUE_ID when
 * mod_unique_id is loaded, else one the module makes; made on first use. */
const char *gwguard_request_id(request_rec *r, const gwguard_req *st);

/* memset(p, 0, n) through libc, for the request path's records. */
void gwguard_zero(void *p, size_t n);

/* Whether s starts with "proxy:" (a proxied request's r->filename or
 * handler): compares, no call, for tests made on every request. */
static inline int gwguard_proxy_prefix(const char *s)
{
    return s && s[0] == 'p' && s[1] == 'r' && s[2] == 'o' && s[3] == 'x'
           && s[4] == 'y' && s[5] == ':';
}

/* Whether a proxy URL is a balancer's ("balancer:", any case): one
 * compare for every other URL, on the request path. */
static inline int gwguard_balancer_url(const char *url)
{
    return (url[0] | 0x20) == 'b' && strncasecmp(url, "balancer:", 9) == 0;
}

/* The request's state; created on first use when create is set (the
 * lookup inline: every request-path hook makes it). */
gwguard_req *gwguard_req_create(request_rec *r);

static inline gwguard_req *gwguard_req_get(request_rec *r, int create)
{
    gwguard_req *st = ap_get_module_config(r->request_config,
                                           &gwguard_module);

    return st || !create ? st : gwguard_req_create(r);
}

/* The thread's proxied request: set in the scheme handler, cleared in
 * request_status (and by an r->pool cleanup). */
void gwguard_current_set(request_rec *r, gwguard_req *st);
void gwguard_current_clear(request_rec *r);
gwguard_req *gwguard_current_req(void);
gwguard_attempt *gwguard_current_attempt(void);

/* The module's thread-locals use the initial-exec model: an access is a
 * load relative to the thread pointer instead of a call to
 * __tls_get_addr (the module is dlopen'ed, so the default model is
 * general-dynamic). They take 104 bytes of the static TLS surplus glibc
 * keeps for dlopen'ed objects (glibc.rtld.optional_static_tls, 512 bytes
 * by default); were it ever used up, loading the module would fail at
 * start ("cannot allocate memory in static TLS block"), not mid-request. */
#define GWGUARD_TLS_IE __attribute__((tls_model("initial-exec")))

/* The same attempt as a variable: the backend connection filter reads it
 * on every read and write, where a call per read shows (issue #12). */
extern AP_THREAD_LOCAL gwguard_attempt *gwguard_current_a GWGUARD_TLS_IE;
/* ... and its seq, 0 when there is none */
extern AP_THREAD_LOCAL apr_uint64_t gwguard_current_seq GWGUARD_TLS_IE;

/* The process id's part of request ids, made once per child
 * (child_init). */
void gwguard_req_register_hooks(void);

#endif
