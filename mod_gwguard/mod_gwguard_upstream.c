/*
 * Upstream keys (docs/formats.md, "Upstream keys") of mod_proxy's
 * workers and of the attempts made on them.
 */
#include "httpd.h"
#include "http_config.h"
#include "mod_proxy.h"

#include "gwg_upstream.h"
#include "mod_gwguard_upstream.h"

/* Whether the worker is one of mod_proxy's default workers (SetHandler
 * "proxy:...", RewriteRule [P], forward proxy): it stands for no backend
 * of its own (its host is "*" or empty), so the key comes from the URL. */
static int default_worker(const proxy_worker *w, const proxy_server_conf *c)
{
    return !w || (c && (w == c->reverse || w == c->forward))
           || !w->s->hostname_ex[0]
           || strcmp(w->s->hostname_ex, "*") == 0;
}

/* The scheme of "scheme://..." (or "scheme:"), its length in *len. */
static const char *url_scheme(const char *url, size_t *len)
{
    const char *colon = url ? strchr(url, ':') : NULL;

    *len = colon ? (size_t)(colon - url) : 0;
    return url;
}

int gwguard_worker_key(char *buf, size_t len, const proxy_worker *w)
{
    if (w->s->uds_path[0]) {
        return gwg_upstream_key_unix(buf, len, w->s->scheme,
                                     strlen(w->s->scheme), w->s->uds_path);
    }
    return gwg_upstream_key(buf, len, w->s->scheme, w->s->hostname_ex,
                            w->s->port);
}

/* The upstream key of an attempt (docs/formats.md, "Upstream keys"): a
 * unix socket by its path, a declared worker by its origin, a default
 * worker's request by its real target. *dynamic tells the caller that the
 * key came from the request, so it is held to the URL keys' budget. */
int gwguard_upstream_key(char *buf, size_t len, request_rec *r,
                         proxy_worker *worker, proxy_server_conf *conf,
                         const char *url, int *dynamic)
{
    const char *scheme, *uds;
    size_t slen;

    *dynamic = default_worker(worker, conf);
    if (!*dynamic) {
        return gwguard_worker_key(buf, len, worker);
    }
    /* mod_proxy's fixup moved "unix:/path|" of the target to a note */
    uds = apr_table_get(r->notes, "uds_path");
    scheme = url_scheme(url, &slen);
    if (uds) {
        return gwg_upstream_key_unix(buf, len, scheme, slen, uds);
    }
    return gwg_upstream_key_from_url(buf, len, url);
}
