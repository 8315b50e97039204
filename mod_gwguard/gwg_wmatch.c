/*
 * The child's table of a server's plain workers (gwg_wmatch.h): made once
 * from their names, it finds the worker mod_proxy's longest-prefix lookup
 * would, without copying or lower-casing the URL.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_lib.h>

#include "gwg_wmatch.h"

/* Where scheme://host ends in name (the first '/' after "://", else its
 * length), or 0 when name is no "scheme://x". */
static size_t host_end(const char *name, size_t len)
{
    const char *c = memchr(name, ':', len);
    const char *slash;
    size_t at;

    if (!c || (size_t)(c - name) + 3 >= len || c[1] != '/' || c[2] != '/') {
        return 0;
    }
    at = (size_t)(c - name) + 3;
    slash = memchr(name + at, '/', len - at);
    return slash ? (size_t)(slash - name) : len;
}

/* Whether s[0..n) is its own lower-cased copy, as ap_str_tolower makes
 * it (byte by byte, apr_tolower). */
static int lower_case(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((unsigned char)apr_tolower(c) != c) {
            return 0;
        }
    }
    return 1;
}

/* Longest first; equal lengths in list order (qsort is not stable). */
static int longer_first(const void *a, const void *b)
{
    const gwg_wname *x = a, *y = b;

    if (x->len != y->len) {
        return x->len > y->len ? -1 : 1;
    }
    return x->index < y->index ? -1 : x->index > y->index;
}

void gwg_wmatch_prepare(gwg_wname *names, unsigned *n)
{
    unsigned i, kept = 0;

    for (i = 0; i < *n; i++) {
        gwg_wname w = names[i];
        size_t end;

        w.len = strlen(w.name);
        end = host_end(w.name, w.len);
        if (end == 0 || !lower_case(w.name, end)) {
            continue;               /* never matched: dropped */
        }
        w.host_slash = end < w.len;
        names[kept++] = w;
    }
    qsort(names, kept, sizeof(*names), longer_first);
    *n = kept;
}

/* Why a match here is mod_proxy's answer: a name kept is lower-case up
 * to the end of its scheme://host, so a URL equal to it there is its own
 * lower-cased copy; the URL's host part ends where the name's does
 * (host_slash), or right after it (then url[len] is '/' or the end); and
 * any longer name the lookup would prefer matches the URL as written
 * too, so it comes first in the table. */
long gwg_wmatch_find(const gwg_wname *table, unsigned n, const char *url)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        const gwg_wname *w = &table[i];

        if (strncmp(url, w->name, w->len) == 0
            && (w->host_slash || url[w->len] == '/' || !url[w->len])) {
            return (long)w->index;
        }
    }
    return -1;
}
