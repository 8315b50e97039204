/*
 * Per-request state: the request record in r->request_config, the
 * request id, and the thread's current proxied request. mod_proxy runs a
 * request's whole backend exchange in one thread (every MPM;
 * mod_proxy_http never suspends), so a thread-local pointer set in the
 * scheme handler ties backend connections and server-level log messages,
 * which have no request of their own, to the attempt they serve.
 */
#include <unistd.h>

#include "httpd.h"
#include "http_config.h"
#include "apr_strings.h"

#include "gwg_out.h"
#include "mod_gwguard_req.h"

static AP_THREAD_LOCAL gwguard_req *current_st GWGUARD_TLS_IE;
static AP_THREAD_LOCAL request_rec *current_r GWGUARD_TLS_IE;
/* current_st's last attempt (mod_gwguard_req.h); set again after every
 * push, which may move the array */
AP_THREAD_LOCAL gwguard_attempt *gwguard_current_a GWGUARD_TLS_IE;
AP_THREAD_LOCAL apr_uint64_t gwguard_current_seq GWGUARD_TLS_IE;

static void set_current_a(gwguard_attempt *a)
{
    gwguard_current_a = a;
    gwguard_current_seq = a ? a->seq : 0;
}

static gwguard_attempt *last_attempt(gwguard_req *st)
{
    return st->attempts->nelts == 0 ? NULL
           : &APR_ARRAY_IDX(st->attempts, st->attempts->nelts - 1,
                            gwguard_attempt);
}

/* "-" getpid() in hex "-" of this child, made once (child_init): the
 * part of every request id that is the same within a child */
static struct {
    char text[12];                  /* "-" 8 digits "-", zero padded */
    size_t len;                     /* 0 until made */
} pid_part;

static void pid_part_make(void)
{
    /* a pid_t has at most 8 hex digits */
    char *at = pid_part.text;

    memset(pid_part.text, 0, sizeof(pid_part.text));
    *at++ = '-';
    at = gwg_hex(at, (unsigned long)getpid());
    *at++ = '-';
    pid_part.len = (size_t)(at - pid_part.text);
}

/* Made on first use, so a success pays nothing for it: "%llx-%x-%x" of
 * the request time, pid and a per-process count, written without printf
 * (request path); the pid part is a fixed-size copy (its room is there:
 * at most 16 digits before it, 8 and the NUL after). The memo is written
 * through a const pointer: it is a cache, not a change of state. */
const char *gwguard_request_id(request_rec *r, const gwguard_req *st)
{
    static apr_uint32_t seq;
    const char *id;

    if (st->request_id) {
        return st->request_id;
    }
    id = apr_table_get(r->subprocess_env, "UNIQUE_ID");
    if (!id) {
        char *at = apr_palloc(r->pool, 16 + 10 + 8 + 1);
        id = at;
        at = gwg_hex(at, (apr_uint64_t)r->request_time);
        if (pid_part.len) {
            memcpy(at, pid_part.text, 10);
            at += pid_part.len;
        }
        else {                      /* before child_init */
            *at++ = '-';
            at = gwg_hex(at, (unsigned long)getpid());
            *at++ = '-';
        }
        at = gwg_hex(at, (unsigned)__atomic_fetch_add(&seq, 1,
                                                      __ATOMIC_RELAXED));
        *at = '\0';
        ((gwguard_req *)st)->request_id_len = (size_t)(at - id);
    }
    ((gwguard_req *)st)->request_id = id;
    return id;
}

/* Not inlined (noipa: nor specialised for a constant size), so that
 * memset is libc's vector code: GCC inlines a constant size of this
 * order as "rep stos", whose every 8 bytes are one more instruction. */
__attribute__((noipa)) void gwguard_zero(void *p, size_t n)
{
    memset(p, 0, n);
}

gwguard_req *gwguard_req_create(request_rec *r)
{
    gwguard_req *st = apr_palloc(r->pool, sizeof(*st));

    gwguard_zero(st, sizeof(*st));
    st->cls = GWG_CLASS_NONE;
    st->retry_after = -1;
    /* room for one attempt in st itself: a failover is the exception,
     * and apr_array_push moves the elements to r->pool when it needs
     * more */
    st->attempts = &st->attempts_hdr;
    st->attempts->pool = r->pool;
    st->attempts->elt_size = sizeof(gwguard_attempt);
    st->attempts->nalloc = 1;
    st->attempts->elts = (char *)&st->first;
    ap_set_module_config(r->request_config, &gwguard_module, st);
    return st;
}

static apr_status_t clear_if_current(void *data)
{
    /* May run in another thread (event MPM write completion): then it
     * compares that thread's pointer, which is never this request. */
    if (current_r == data) {
        current_r = NULL;
        current_st = NULL;
        set_current_a(NULL);
    }
    return APR_SUCCESS;
}

void gwguard_current_set(request_rec *r, gwguard_req *st)
{
    current_r = r;
    current_st = st;
    set_current_a(last_attempt(st));
    st->in_proxy = 1;
    if (!st->current_cleanup) {
        apr_pool_cleanup_register(r->pool, r, clear_if_current,
                                  apr_pool_cleanup_null);
        st->current_cleanup = 1;
    }
}

void gwguard_current_clear(request_rec *r)
{
    gwguard_req *parent;

    clear_if_current(r);
    /* A subrequest proxied from a filter of a proxied response (an SSI
     * include) ran inside its parent's exchange: give the parent back its
     * backend connection's attribution. */
    if (!current_r && r->main
        && (parent = gwguard_req_get(r->main, 0)) != NULL
        && parent->in_proxy) {
        current_r = r->main;
        current_st = parent;
        set_current_a(last_attempt(parent));
    }
}

gwguard_req *gwguard_current_req(void)
{
    return current_st;
}

gwguard_attempt *gwguard_current_attempt(void)
{
    return gwguard_current_a;
}

static void req_child_init(apr_pool_t *p, server_rec *s)
{
    (void)p; (void)s;
    pid_part_make();
}

void gwguard_req_register_hooks(void)
{
    ap_hook_child_init(req_child_init, NULL, NULL, APR_HOOK_MIDDLE);
}
