/*
 * Failure classes of docs/classes.md: stable names, short codes, default
 * statuses, RFC 9209 Proxy-Status error types and one plain-language sentence
 * each. Pure core: no httpd types. The enum order is part of the
 * shared-memory layout (per-class counters are indexed by it): append, never
 * reorder.
 */
#ifndef GWG_CLASS_H
#define GWG_CLASS_H

typedef enum {
    GWG_CLASS_CONNECT_REFUSED = 0,
    GWG_CLASS_CONNECT_TIMEOUT,
    GWG_CLASS_DNS,
    GWG_CLASS_TLS,
    GWG_CLASS_HEADER_TIMEOUT,
    GWG_CLASS_RESET_BEFORE_HEADERS,
    GWG_CLASS_BAD_RESPONSE,
    GWG_CLASS_BODY_TIMEOUT,
    GWG_CLASS_BODY_RESET,
    GWG_CLASS_UNAVAILABLE,
    GWG_CLASS_CIRCUIT_OPEN,
    GWG_CLASS_UPSTREAM_5XX,
    GWG_CLASS_CLIENT_ABORT,
    GWG_CLASS_OTHER,
    GWG_CLASS_MAINTENANCE,      /* an admin's maintenance window (6a) */
    GWG_CLASS_COUNT,
    GWG_CLASS_NONE = -1         /* not a failure */
} gwg_class_t;

typedef struct {
    gwg_class_t id;
    const char *name;           /* stable: counters, logs, env, JSON, labels */
    const char *code;           /* two letters, close to HAProxy's */
    int status;                 /* default client status; 0 = committed */
    const char *proxy_status;   /* RFC 9209 error type; NULL = none sent */
    const char *text;           /* one sentence for people */
} gwg_class_info;

/* The row for a class; NULL for an id out of range. */
const gwg_class_info *gwg_class_get(gwg_class_t id);

/* Look a class up by its stable name; GWG_CLASS_NONE if unknown. */
gwg_class_t gwg_class_by_name(const char *name);

/* Whether a class counts against the upstream in `failures`: client_abort
 * does not (the client's doing), nor circuit_open or maintenance
 * (gwguard's own answers; docs/formats.md, "What the counters count"). */
int gwg_class_is_upstream_failure(gwg_class_t id);

/* Whether an attempt of this class (GWG_CLASS_NONE: a success) went to the
 * upstream and counts in `requests`: every one but a breaker refusal and a
 * maintenance answer. */
int gwg_class_reaches_upstream(gwg_class_t id);

/* The retry hint (docs/classes.md, "Retry hint"): whether a client may
 * send the failed request again. Yes when no byte of it reached the
 * upstream (the class says so: a connect that failed, a refusal by
 * gwguard), or when the method is idempotent (RFC 9110 §9.2.2) and the
 * request had no body; otherwise the upstream may have acted on it. */
int gwg_class_retryable(gwg_class_t id, const char *method, int has_body);

/* A connect failure that is the gateway's own configuration, not a dead
 * upstream (docs/classes.md, "Local faults"): the class stays
 * connect_refused, this detail changes the words, the log line and the
 * Proxy-Status error type (proxy_configuration_error). */
typedef enum {
    GWG_LOCAL_NONE = 0,
    GWG_LOCAL_SOCKET_MISSING,   /* unix socket path does not exist */
    GWG_LOCAL_SOCKET_DENIED,    /* no permission on the socket (EACCES) */
    GWG_LOCAL_SOCKET_STALE,     /* socket file exists, nobody listens */
    GWG_LOCAL_NO_ADDRESS        /* no local address to connect from */
} gwg_local_fault;

typedef struct {
    gwg_local_fault id;
    const char *name;           /* stable: log lines, recent, explain */
    const char *proxy_status;   /* RFC 9209 error type */
    const char *text;           /* replaces the class text on pages */
    const char *advice;         /* what to check first (explain) */
} gwg_local_fault_info;

/* What httpd's connect message (AH02454 unix socket, AH00957 TCP, with its
 * errno) says about the gateway itself; GWG_LOCAL_NONE when nothing. */
gwg_local_fault gwg_local_fault_of(int ah_number, int apr_status);

/* The row for a local fault; NULL for GWG_LOCAL_NONE. */
const gwg_local_fault_info *gwg_local_fault_get(gwg_local_fault id);

/* "connect_refused, connect_timeout, ..." for error messages. */
const char *gwg_class_names_list(void);

#endif
