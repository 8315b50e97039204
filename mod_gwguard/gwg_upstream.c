/*
 * Building upstream keys. Runs on the request path: writes into the
 * caller's buffer, allocates nothing.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gwg_upstream.h"

unsigned gwg_scheme_default_port(const char *scheme)
{
    static const struct { const char *scheme; unsigned port; } ports[] = {
        { "http", 80 }, { "https", 443 }, { "ws", 80 }, { "wss", 443 },
        { "h2c", 80 }, { "h2", 443 }, { "ajp", 8009 }, { "fcgi", 8000 },
        { "scgi", 4000 }, { "uwsgi", 3031 }, { "ftp", 21 },
    };
    size_t i;

    for (i = 0; scheme && i < sizeof(ports) / sizeof(ports[0]); i++) {
        if (strcasecmp(scheme, ports[i].scheme) == 0) {
            return ports[i].port;
        }
    }
    return 0;
}

/* Appends n bytes of s lower-cased; returns the new length or -1. */
static int put_lower(char *buf, size_t len, int at, const char *s, size_t n)
{
    size_t i;

    if (at < 0 || (size_t)at + n >= len) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        buf[at + i] = (char)tolower((unsigned char)s[i]);
    }
    buf[at + n] = '\0';
    return at + (int)n;
}

/* ws -> http, wss -> https: one backend, one key (see the header). */
static void http_origin_scheme(const char **scheme, size_t *slen)
{
    if (*slen == 2 && strncasecmp(*scheme, "ws", 2) == 0) {
        *scheme = "http";
        *slen = 4;
    }
    else if (*slen == 3 && strncasecmp(*scheme, "wss", 3) == 0) {
        *scheme = "https";
        *slen = 5;
    }
}

static int put_key(char *buf, size_t len, const char *scheme, size_t slen,
                   const char *host, size_t hlen, unsigned port)
{
    int at = 0, bracket;
    char tail[16];
    size_t t = sizeof(tail);

    if (slen == 0 || hlen == 0) {
        return -1;
    }
    http_origin_scheme(&scheme, &slen);
    bracket = memchr(host, ':', hlen) != NULL && host[0] != '[';
    at = put_lower(buf, len, at, scheme, slen);
    at = put_lower(buf, len, at, "://[", bracket ? 4 : 3);
    at = put_lower(buf, len, at, host, hlen);
    /* "]:port" built backwards: no printf on the request path */
    do {
        tail[--t] = (char)('0' + port % 10);
        port /= 10;
    } while (port && t > 2);
    tail[--t] = ':';
    if (bracket) {
        tail[--t] = ']';
    }
    return put_lower(buf, len, at, tail + t, sizeof(tail) - t);
}

int gwg_upstream_key(char *buf, size_t len, const char *scheme,
                     const char *host, unsigned port)
{
    if (!scheme || !host) {
        return -1;
    }
    if (port == 0) {
        port = gwg_scheme_default_port(scheme);
    }
    return put_key(buf, len, scheme, strlen(scheme), host, strlen(host),
                   port);
}

int gwg_upstream_key_unix(char *buf, size_t len, const char *scheme,
                          size_t scheme_len, const char *path)
{
    int at;
    size_t plen;

    if (!scheme || scheme_len == 0 || !path || path[0] != '/') {
        return -1;
    }
    http_origin_scheme(&scheme, &scheme_len);
    plen = strlen(path);
    at = put_lower(buf, len, 0, scheme, scheme_len);
    at = put_lower(buf, len, at, "+unix:", 6);
    /* the path keeps its case: it names a file */
    if (at < 0 || (size_t)at + plen >= len) {
        return -1;
    }
    memcpy(buf + at, path, plen + 1);
    return at + (int)plen;
}

int gwg_upstream_key_from_url(char *buf, size_t len, const char *url)
{
    const char *sep, *host, *end, *at, *colon = NULL;
    unsigned port = 0;
    char scheme[32];
    size_t slen;

    if (!url || !(sep = strstr(url, "://"))) {
        return -1;
    }
    slen = (size_t)(sep - url);
    if (slen == 0 || slen >= sizeof(scheme)) {
        return -1;
    }
    memcpy(scheme, url, slen);
    scheme[slen] = '\0';
    host = sep + 3;
    end = host + strcspn(host, "/?#");
    at = memchr(host, '@', (size_t)(end - host));
    if (at) {
        host = at + 1;
    }
    if (*host == '[') {
        const char *rb = memchr(host, ']', (size_t)(end - host));
        if (!rb) {
            return -1;
        }
        colon = (rb + 1 < end && rb[1] == ':') ? rb + 1 : NULL;
        if (colon) {
            port = (unsigned)strtoul(colon + 1, NULL, 10);
        }
        return put_key(buf, len, scheme, slen, host + 1,
                       (size_t)(rb - host - 1),
                       port ? port : gwg_scheme_default_port(scheme));
    }
    colon = memchr(host, ':', (size_t)(end - host));
    if (colon) {
        port = (unsigned)strtoul(colon + 1, NULL, 10);
    }
    return put_key(buf, len, scheme, slen, host,
                   (size_t)((colon ? colon : end) - host),
                   port ? port : gwg_scheme_default_port(scheme));
}
