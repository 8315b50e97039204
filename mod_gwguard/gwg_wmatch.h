/*
 * The worker mod_proxy chooses for a URL, decided from a table made once
 * per child (gwg_wmatch.c): ap_proxy_get_worker_ex copies the URL, lower-
 * cases its scheme://host part and compares it with every worker's name
 * on every call; the table compares each name once, in place, longest
 * first, and says "don't know" whenever that could differ.
 */
#ifndef GWG_WMATCH_H
#define GWG_WMATCH_H

#include <stddef.h>

/* One plain (prefix) worker's name, as the lookup sees it. */
typedef struct {
    const char *name;       /* the worker's name (name_ex) */
    size_t      len;        /* strlen(name) */
    int         host_slash; /* a '/' ends scheme://host inside the name */
    unsigned    index;      /* the caller's: its position in the list */
} gwg_wname;

/* Turns names[0..*n) (the caller's list in its order, .name and .index
 * set) into the table: names no URL can match are dropped (no
 * "scheme://x", or an upper-case letter in scheme://host, which the
 * lookup compares lower-cased), the rest sorted longest first, ties in
 * list order. */
void gwg_wmatch_prepare(gwg_wname *names, unsigned *n);

/* The index of the worker a longest-prefix lookup over the table's list
 * finds for url, or -1 when the table cannot tell (no name matches url as
 * written: url may still match lower-cased, or match nothing): then the
 * caller asks mod_proxy. */
long gwg_wmatch_find(const gwg_wname *table, unsigned n, const char *url);

#endif
