/*
 * The class table of docs/classes.md. Every consumer (counters, logs, pages,
 * status formats) reads names and defaults from here, so there is one place to
 * change a sentence and no place to misspell a class.
 */
#include <string.h>

#include "gwg_class.h"

static const gwg_class_info classes[GWG_CLASS_COUNT] = {
    { GWG_CLASS_CONNECT_REFUSED, "connect_refused", "SC", 503,
      "connection_refused",
      "The upstream server refused the connection: nothing is listening "
      "at its address, or it is restarting." },
    { GWG_CLASS_CONNECT_TIMEOUT, "connect_timeout", "sC", 503,
      "connection_timeout",
      "The upstream server did not accept the connection in time." },
    { GWG_CLASS_DNS, "dns", "DF", 502, "dns_error",
      "The upstream server's name could not be resolved." },
    { GWG_CLASS_TLS, "tls", "ST", 502, "tls_protocol_error",
      "The secure connection to the upstream server could not be "
      "established." },
    { GWG_CLASS_HEADER_TIMEOUT, "header_timeout", "sH", 504,
      "http_response_timeout",
      "The upstream server accepted the request but did not answer in "
      "time." },
    { GWG_CLASS_RESET_BEFORE_HEADERS, "reset_before_headers", "SH", 502,
      "connection_terminated",
      "The upstream server closed the connection without answering." },
    { GWG_CLASS_BAD_RESPONSE, "bad_response", "PH", 502,
      "http_protocol_error",
      "The upstream server sent an answer that is not valid HTTP." },
    { GWG_CLASS_BODY_TIMEOUT, "body_timeout", "sD", 0, NULL,
      "The upstream server stopped sending in the middle of its answer." },
    { GWG_CLASS_BODY_RESET, "body_reset", "SD", 0, NULL,
      "The upstream server closed the connection in the middle of its "
      "answer." },
    { GWG_CLASS_UNAVAILABLE, "unavailable", "SQ", 503,
      "destination_unavailable",
      "No upstream server is available to handle the request right now." },
    { GWG_CLASS_CIRCUIT_OPEN, "circuit_open", "UO", 503,
      "destination_unavailable",
      "The upstream server has been failing, so requests are paused for a "
      "short while to let it recover." },
    { GWG_CLASS_UPSTREAM_5XX, "upstream_5xx", "U5", 0, NULL,
      "The upstream server reported an error of its own." },
    { GWG_CLASS_CLIENT_ABORT, "client_abort", "CD", 0, NULL,
      "The client closed the connection before the answer was complete." },
    { GWG_CLASS_OTHER, "other", "XX", 502, "proxy_internal_error",
      "The gateway could not get an answer from the upstream server." },
    { GWG_CLASS_MAINTENANCE, "maintenance", "MA", 503,
      "destination_unavailable",
      "The service is down for planned maintenance and will be back "
      "soon." },
};

const gwg_class_info *gwg_class_get(gwg_class_t id)
{
    if (id < 0 || id >= GWG_CLASS_COUNT) {
        return NULL;
    }
    return &classes[id];
}

gwg_class_t gwg_class_by_name(const char *name)
{
    int i;

    for (i = 0; name && i < GWG_CLASS_COUNT; i++) {
        if (strcmp(classes[i].name, name) == 0) {
            return classes[i].id;
        }
    }
    return GWG_CLASS_NONE;
}

int gwg_class_is_upstream_failure(gwg_class_t id)
{
    return id >= 0 && id < GWG_CLASS_COUNT && id != GWG_CLASS_CLIENT_ABORT
           && id != GWG_CLASS_CIRCUIT_OPEN && id != GWG_CLASS_MAINTENANCE;
}

int gwg_class_reaches_upstream(gwg_class_t id)
{
    return id != GWG_CLASS_CIRCUIT_OPEN && id != GWG_CLASS_MAINTENANCE;
}

/* Classes decided before a byte of the request was written: the connect
 * (or the TLS handshake, or the name lookup) failed, no worker was free,
 * or gwguard refused the attempt itself. */
static int nothing_sent(gwg_class_t id)
{
    switch (id) {
    case GWG_CLASS_CONNECT_REFUSED:
    case GWG_CLASS_CONNECT_TIMEOUT:
    case GWG_CLASS_DNS:
    case GWG_CLASS_TLS:
    case GWG_CLASS_UNAVAILABLE:
    case GWG_CLASS_CIRCUIT_OPEN:
    case GWG_CLASS_MAINTENANCE:
        return 1;
    default:
        return 0;
    }
}

int gwg_class_retryable(gwg_class_t id, const char *method, int has_body)
{
    static const char *const idempotent[] = {
        "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"
    };
    size_t i;

    if (nothing_sent(id)) {
        return 1;
    }
    for (i = 0; !has_body && method
                && i < sizeof(idempotent) / sizeof(idempotent[0]); i++) {
        if (strcmp(method, idempotent[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

const char *gwg_class_names_list(void)
{
    return "connect_refused, connect_timeout, dns, tls, header_timeout, "
           "reset_before_headers, bad_response, body_timeout, body_reset, "
           "unavailable, circuit_open, upstream_5xx, client_abort, other, "
           "maintenance";
}

static const gwg_local_fault_info local_faults[] = {
    { GWG_LOCAL_SOCKET_MISSING, "socket_missing", "proxy_configuration_error",
      "The gateway is set up to reach the application through a local "
      "socket that does not exist: the application is not running, or the "
      "gateway's configuration names the wrong socket.",
      "the socket path in the ProxyPass/SetHandler line against the "
      "application's listen setting (e.g. php-fpm's pool 'listen'), and "
      "that the application is running" },
    { GWG_LOCAL_SOCKET_DENIED, "socket_denied", "proxy_configuration_error",
      "The gateway may not open the application's local socket: a "
      "permission problem on this server, not a failing application.",
      "the socket's owner and mode against httpd's user (e.g. php-fpm's "
      "listen.owner, listen.group, listen.mode) and the directories above "
      "it" },
    { GWG_LOCAL_SOCKET_STALE, "socket_stale", "connection_refused",
      "The application's local socket exists but nothing accepts on it: "
      "the application has stopped or is restarting.",
      "whether the application behind the socket is running (a socket file "
      "left behind by a stopped process refuses every connection)" },
    { GWG_LOCAL_NO_ADDRESS, "no_local_address", "proxy_configuration_error",
      "The gateway has no local address to connect from: a network "
      "configuration problem on this server.",
      "the gateway's own addresses and ephemeral ports (EADDRNOTAVAIL: "
      "ports exhausted, or a missing source address)" },
};

gwg_local_fault gwg_local_fault_of(int ah_number, int apr_status)
{
    /* AH02454: connecting to a unix-domain socket failed (proxy_util
     * ap_proxy_connect_backend); AH00957: a TCP connect failed. The
     * statuses are Linux errnos as APR passes them through. */
    if (ah_number == 2454) {
        switch (apr_status) {
        case 2: return GWG_LOCAL_SOCKET_MISSING;        /* ENOENT */
        case 20: return GWG_LOCAL_SOCKET_MISSING;       /* ENOTDIR */
        case 1: return GWG_LOCAL_SOCKET_DENIED;         /* EPERM */
        case 13: return GWG_LOCAL_SOCKET_DENIED;        /* EACCES */
        case 111: return GWG_LOCAL_SOCKET_STALE;        /* ECONNREFUSED */
        default: return GWG_LOCAL_NONE;
        }
    }
    if (ah_number == 957 && apr_status == 99) {         /* EADDRNOTAVAIL */
        return GWG_LOCAL_NO_ADDRESS;
    }
    return GWG_LOCAL_NONE;
}

const gwg_local_fault_info *gwg_local_fault_get(gwg_local_fault id)
{
    size_t i;

    for (i = 0; i < sizeof(local_faults) / sizeof(local_faults[0]); i++) {
        if (local_faults[i].id == id) {
            return &local_faults[i];
        }
    }
    return NULL;
}
