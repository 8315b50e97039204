/* A growable memory sink for gwg_out, for tests that inspect output. */
#ifndef MEMBUF_H
#define MEMBUF_H

#include <stdlib.h>
#include <string.h>

#include "gwg_out.h"

typedef struct {
    char  *data;
    size_t len, cap;
} membuf;

static inline int membuf_write(void *ctx, const char *data, size_t len)
{
    membuf *m = ctx;

    if (m->len + len + 1 > m->cap) {
        m->cap = (m->len + len + 1) * 2;
        m->data = realloc(m->data, m->cap);
    }
    memcpy(m->data + m->len, data, len);
    m->len += len;
    m->data[m->len] = '\0';
    return 0;
}

static inline void membuf_out(gwg_out *o, membuf *m)
{
    memset(m, 0, sizeof(*m));
    membuf_write(m, "", 0);
    gwg_out_init(o, membuf_write, m);
}

#endif
