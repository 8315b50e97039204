/*
 * Text sinks and the escapers every output format shares.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gwg_out.h"

void gwg_out_init(gwg_out *o, gwg_write_fn write, void *ctx)
{
    o->write = write;
    o->ctx = ctx;
    o->failed = 0;
    o->buf = NULL;
    o->used = o->size = 0;
}

void gwg_out_init_buffered(gwg_out *o, gwg_write_fn write, void *ctx,
                           char *buf, size_t size)
{
    gwg_out_init(o, write, ctx);
    o->buf = buf;
    o->size = size;
}

static void write_through(gwg_out *o, size_t len, const char *data)
{
    if (!o->failed && len > 0 && o->write(o->ctx, data, len) != 0) {
        o->failed = 1;
    }
}

int gwg_out_flush(gwg_out *o)
{
    size_t n = o->used;

    o->used = 0;
    write_through(o, n, o->buf);
    return o->failed ? -1 : 0;
}

void gwg_out_put(gwg_out *o, size_t len, const char *data)
{
    if (o->size == 0 || len == 0) {
        write_through(o, len, data);
        return;
    }
    gwg_out_flush(o);
    if (len >= o->size) {
        write_through(o, len, data);    /* too big to gather */
        return;
    }
    memcpy(o->buf, data, len);
    o->used = len;
}

void gwg_out_printf(gwg_out *o, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0) {
        o->failed = 1;
        return;
    }
    gwg_out_mem(o, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1,
                buf);
}

/* Digits written in place, backwards, when 20 bytes are free; the count
 * first, by comparison, as a division per digit is the cost. */
void gwg_out_u64_put(gwg_out *o, uint64_t v)
{
    char tmp[20], *end;
    unsigned n = 1;
    uint64_t t = v;

    while (t >= 10) {
        t /= 10;
        n++;
    }
    end = gwg_out_room(o, sizeof(tmp));
    end = end ? end + n : tmp + n;
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (end == tmp) {
        gwg_out_mem(o, n, tmp);
    }
    else {
        o->used += n;
    }
}

char *gwg_append(char *dst, const char *end, const char *src)
{
    const char *s = src ? src : "";
    size_t n = strnlen(s, (size_t)(end - dst) - 1);

    memcpy(dst, s, n);
    dst[n] = '\0';
    return dst + n;
}

char *gwg_append_u64(char *dst, const char *end, uint64_t v)
{
    char buf[21];
    size_t i = sizeof(buf) - 1;

    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return gwg_append(dst, end, buf + i);
}

/* The 8 nibbles of x as 8 hex digits in memory order: each nibble
 * spread into a byte, then '0' or 'a' - 10 added to all at once (a byte
 * of 10..15 gets a carry into bit 4 from + 6). */
static uint64_t hex8(uint32_t x)
{
    uint64_t s = x, letters;

    s = (s | (s << 16)) & 0x0000ffff0000ffffULL;
    s = (s | (s << 8)) & 0x00ff00ff00ff00ffULL;
    s = (s | (s << 4)) & 0x0f0f0f0f0f0f0f0fULL;
    letters = ((s + 0x0606060606060606ULL) >> 4) & 0x0101010101010101ULL;
    s += 0x3030303030303030ULL + letters * ('a' - '0' - 10);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    s = __builtin_bswap64(s);           /* the first digit at the lowest */
#endif
    return s;
}

/* n (1..16) bytes from src to dst as two overlapping copies of a fixed
 * size, as memcpy does for small sizes, without the call. */
static void copy_1_16(char *dst, const char *src, unsigned n)
{
    if (n >= 8) {
        uint64_t a, b;
        memcpy(&a, src, 8);
        memcpy(&b, src + n - 8, 8);
        memcpy(dst, &a, 8);
        memcpy(dst + n - 8, &b, 8);
    }
    else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, src, 4);
        memcpy(&b, src + n - 4, 4);
        memcpy(dst, &a, 4);
        memcpy(dst + n - 4, &b, 4);
    }
    else {
        dst[0] = src[0];
        dst[n / 2] = src[n / 2];
        dst[n - 1] = src[n - 1];
    }
}

/* No loop per digit: the request id's three numbers are written on every
 * failure. */
char *gwg_hex(char *dst, uint64_t v)
{
    unsigned n = v ? (unsigned)(67 - __builtin_clzll(v)) / 4 : 1;
    uint64_t digits[2];

    digits[0] = n > 8 ? hex8((uint32_t)(v >> 32)) : 0;
    digits[1] = hex8((uint32_t)v);
    copy_1_16(dst, (const char *)digits + 16 - n, n);
    return dst + n;
}

/* Length of the valid UTF-8 sequence at s, or 0 if it is not valid. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n, i;
    unsigned cp;

    if (s[0] < 0x80) {
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        n = 2; cp = s[0] & 0x1f;
    }
    else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        n = 3; cp = s[0] & 0x0f;
    }
    else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        n = 4; cp = s[0] & 0x07;
    }
    else {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)))
        || (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) {
        return 0;
    }
    return n;
}

void gwg_out_json_str(gwg_out *o, const char *s)
{
    gwg_out_mem(o, 1, "\"");
    gwg_out_json_chars(o, s);
    gwg_out_mem(o, 1, "\"");
}

/* The ASCII bytes that go out as they are in a JSON string: printable,
 * and none of " \\ < > &. Bytes from 0x80 are checked as UTF-8. */
static const unsigned char json_plain[256] = {
    [' '] = 1, ['!'] = 1, ['#' ... '%'] = 1, ['\'' ... ';'] = 1,
    ['='] = 1, ['?' ... '['] = 1, [']' ... '~'] = 1, [0x7f] = 1,
};

static void json_escape(gwg_out *o, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

    if (c == '"' || c == '\\') {
        esc[1] = (char)c;
        gwg_out_mem(o, 2, esc);
        return;
    }
    gwg_out_mem(o, 6, esc);
}

/* Clean runs go out in one piece; the scan is a table look-up a byte. */
void gwg_out_json_chars(gwg_out *o, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    const unsigned char *run = p;
    size_t n;

    for (;;) {
        while (json_plain[*p]) {
            p++;
        }
        if (*p == 0) {
            break;
        }
        n = *p >= 0x80 ? utf8_len(p) : 1;
        if (n > 1) {
            p += n;
            continue;
        }
        gwg_out_mem(o, (size_t)(p - run), (const char *)run);
        if (n == 0) {
            gwg_out_mem(o, 6, "\\ufffd");
        }
        else {
            json_escape(o, *p);
        }
        run = ++p;
    }
    gwg_out_mem(o, (size_t)(p - run), (const char *)run);
}

void gwg_out_html(gwg_out *o, const char *s)
{
    const char *p = s ? s : "";

    /* runs without a special character go out in one piece (strcspn is
     * vectorised; pages escape every value they show) */
    for (;;) {
        size_t n = strcspn(p, "&<>\"'");
        const char *esc;

        gwg_out_mem(o, n, p);
        p += n;
        switch (*p) {
        case '&': esc = "&amp;"; break;
        case '<': esc = "&lt;"; break;
        case '>': esc = "&gt;"; break;
        case '"': esc = "&quot;"; break;
        case '\'': esc = "&#39;"; break;
        default: return;                /* the terminating NUL */
        }
        gwg_out_str(o, esc);
        p++;
    }
}

int gwg_out_file_write(void *ctx, const char *data, size_t len)
{
    return fwrite(data, 1, len, (FILE *)ctx) == len ? 0 : -1;
}

/* How many bytes at s make a control a terminal would act on, 0 if none. */
static size_t control_len(const unsigned char *s)
{
    if (s[0] < 0x20 || s[0] == 0x7f) {
        return 1;
    }
    if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f) {
        return 2;
    }
    return 0;
}

void gwg_out_text(gwg_out *o, const char *s)
{
    const unsigned char *p = (const unsigned char *)s, *run = p;
    size_t n, k;

    while (*p) {
        n = control_len(p);
        if (n == 0) {
            p++;
            continue;
        }
        gwg_out_mem(o, (size_t)(p - run), (const char *)run);
        for (k = 0; k < n; k++) {
            char esc[5];
            snprintf(esc, sizeof(esc), "\\x%02x", p[k]);
            gwg_out_mem(o, 4, esc);
        }
        p += n;
        run = p;
    }
    gwg_out_mem(o, (size_t)(p - run), (const char *)run);
}

typedef struct {
    char  *buf;
    size_t len, used;
} text_buf;

/* Takes a piece only if it fits whole (an escape is one piece). */
static int text_buf_write(void *ctx, const char *data, size_t len)
{
    text_buf *b = ctx;

    if (b->used + len >= b->len) {
        len = data[0] == '\\' ? 0 : b->len - 1 - b->used;
        memcpy(b->buf + b->used, data, len);
        b->used += len;
        return -1;                      /* full: stop */
    }
    memcpy(b->buf + b->used, data, len);
    b->used += len;
    return 0;
}

const char *gwg_text_safe(char *buf, size_t len, const char *s)
{
    const unsigned char *p;
    text_buf b = { buf, len, 0 };
    gwg_out o;

    for (p = (const unsigned char *)s; *p && !control_len(p); p++) {
    }
    if (!*p || len == 0) {
        return *p ? "" : s;
    }
    gwg_out_init(&o, text_buf_write, &b);
    gwg_out_text(&o, s);
    buf[b.used] = '\0';
    return buf;
}
