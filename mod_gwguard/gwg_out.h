/*
 * A sink for text: the status formatter and the page renderer write through
 * it, so the same code fills a FILE (gwguardctl), an httpd brigade (status
 * handler) or a memory buffer (tests). JSON escaping lives here because
 * every JSON producer needs the same one.
 */
#ifndef GWG_OUT_H
#define GWG_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef int (*gwg_write_fn)(void *ctx, const char *data, size_t len);

typedef struct {
    gwg_write_fn write;          /* returns 0 on success */
    void        *ctx;
    int          failed;         /* sticky: set once a write failed */
    char        *buf;            /* buffered: pieces gather here; NULL: */
    size_t       used, size;     /* every piece is a write (size 0) */
} gwg_out;

void gwg_out_init(gwg_out *o, gwg_write_fn write, void *ctx);

/* An out that gathers pieces in buf (size bytes) and calls write only
 * when it is full: a status of 10,000 upstreams is a million pieces, and
 * a piece that fits costs a copy, no call. gwg_out_flush writes the rest;
 * it returns 0, or -1 if any write failed. */
void gwg_out_init_buffered(gwg_out *o, gwg_write_fn write, void *ctx,
                           char *buf, size_t size);
int gwg_out_flush(gwg_out *o);

/* The piece that does not fit (or an unbuffered out): gwg_out_mem's
 * slow path. */
void gwg_out_put(gwg_out *o, size_t len, const char *data);

/* len - 1 wraps for len 0, so an empty piece (and any piece to an
 * unbuffered out, whose size is 0) takes the slow path, which drops it. */
static inline void gwg_out_mem(gwg_out *o, size_t len, const char *data)
{
    if (len - 1 < o->size - o->used) {
        memcpy(o->buf + o->used, data, len);
        o->used += len;
        return;
    }
    gwg_out_put(o, len, data);
}

/* Where n bytes fit in the buffer, or NULL (unbuffered, or full), for a
 * piece written in place; the writer then adds its length to used. */
static inline char *gwg_out_room(gwg_out *o, size_t n)
{
    return n <= o->size - o->used ? o->buf + o->used : NULL;
}

/* Inline so that a literal's length is known when compiling. */
static inline void gwg_out_str(gwg_out *o, const char *s)
{
    gwg_out_mem(o, strlen(s), s);
}

void gwg_out_printf(gwg_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* v in decimal, without printf: the status formats print many numbers,
 * most of them a single digit. */
void gwg_out_u64_put(gwg_out *o, uint64_t v);

static inline void gwg_out_u64(gwg_out *o, uint64_t v)
{
    if (v < 10 && o->used < o->size) {
        o->buf[o->used++] = (char)('0' + v);
        return;
    }
    gwg_out_u64_put(o, v);
}

/* s as a JSON string, quotes included; bytes < 0x20, '"', '\\' and '<'
 * escaped ('<' so JSON embedded in HTML cannot close a script tag), and
 * invalid UTF-8 replaced by U+FFFD so the output is always valid JSON. */
void gwg_out_json_str(gwg_out *o, const char *s);

/* The same escaping without the surrounding quotes, for a value placed
 * inside a JSON string literal of a template. */
void gwg_out_json_chars(gwg_out *o, const char *s);

/* s as HTML text or attribute value: & < > " ' escaped. */
void gwg_out_html(gwg_out *o, const char *s);

/* s for a terminal: the bytes a terminal would obey (below 0x20, 0x7f,
 * and the C1 controls U+0080..U+009F as UTF-8, 0xc2 0x80..0x9f) become
 * \xNN, so a path or a name cannot forge a line, move the cursor or
 * retitle the window. Every text-mode output uses it (status table, kv,
 * recent, explain, watch, check); stored values stay as they came. */
void gwg_out_text(gwg_out *o, const char *s);

/* The same into buf, cut (at a whole escape) to fit len; returns s itself
 * when nothing needs escaping, so the common case costs one scan. For
 * printf columns. GWG_TEXT_MAX(n) holds any escaped string of n bytes. */
#define GWG_TEXT_MAX(n) (4 * (n) + 1)
const char *gwg_text_safe(char *buf, size_t len, const char *s);

/* Bounded appends for fixed-size fields (the ring entry, ids): src is
 * copied at dst, cut to end so that the NUL is at end - 1 at the latest;
 * returns where the NUL is, to append more. No formatting, one bounded
 * scan and one copy. end must be > dst. */
char *gwg_append(char *dst, const char *end, const char *src);
char *gwg_append_u64(char *dst, const char *end, uint64_t v);

/* v in lower-case hex without leading zeros, as printf's %lx; returns
 * the end (no NUL written). dst needs 16 bytes. */
char *gwg_hex(char *dst, uint64_t v);

/* A writer for stdio streams (ctx is the FILE *). */
int gwg_out_file_write(void *ctx, const char *data, size_t len);

#endif
