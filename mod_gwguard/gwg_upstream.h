/*
 * The upstream key (docs/formats.md, "Upstream keys"): the backend origin a
 * request went to, "scheme://host:port", host lower-case, port always
 * written, IPv6 addresses in brackets. WebSocket schemes are keyed as the
 * HTTP origin they upgrade from (ws -> http, wss -> https), so a ws:// worker
 * and an upgrade=websocket route to one backend share its key.
 */
#ifndef GWG_UPSTREAM_H
#define GWG_UPSTREAM_H

#include <stddef.h>

/* Writes the key into buf. port 0 means the scheme's default. Returns the
 * key's length, or -1 if it does not fit or an argument is unusable. */
int gwg_upstream_key(char *buf, size_t len, const char *scheme,
                     const char *host, unsigned port);

/* The same from a URL "scheme://[user@]host[:port][/...]". */
int gwg_upstream_key_from_url(char *buf, size_t len, const char *url);

/* The key of a unix-domain socket upstream: "SCHEME+unix:PATH", e.g.
 * "fcgi+unix:/run/php/php8.2-fpm.sock". Returns the length or -1. */
int gwg_upstream_key_unix(char *buf, size_t len, const char *scheme,
                          size_t scheme_len, const char *path);

/* Default port of a proxy scheme (http 80, https 443, ...); 0 unknown. */
unsigned gwg_scheme_default_port(const char *scheme);

#endif
