/*
 * Template compiler and renderer. Compilation scans the source once with a
 * small HTML (or JSON) state machine, so every placeholder knows whether it
 * stands in text, in a quoted attribute value or in a JSON string; then a
 * sample rendering is checked (libxml2 for HTML, a strict JSON parser for
 * JSON) so broken templates fail at configtest, never per request.
 */
#include <ctype.h>
#include <string.h>

#include <apr_file_io.h>
#include <apr_strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/xmlerror.h>

#include "gwg_json_check.h"
#include "gwg_template.h"

enum {
    PH_LITERAL = -1,
    PH_STATUS, PH_REASON, PH_CLASS, PH_CODE, PH_CLASS_TEXT, PH_REQUEST_ID,
    PH_TIME, PH_HOST, PH_METHOD, PH_PATH, PH_RETRY_AFTER, PH_UPSTREAM,
    PH_RETRYABLE, PH_MESSAGE, PH_VAR
};

/* GWG_USES_* are bits of these */
_Static_assert(GWG_USES_REASON == 1u << PH_REASON
               && GWG_USES_REQUEST_ID == 1u << PH_REQUEST_ID
               && GWG_USES_TIME == 1u << PH_TIME
               && GWG_USES_UPSTREAM == 1u << PH_UPSTREAM
               && GWG_USES_RETRYABLE == 1u << PH_RETRYABLE
               && GWG_USES_MESSAGE == 1u << PH_MESSAGE,
               "GWG_USES_* bits follow the PH_* order");

/* Indexed by the PH_* value; var.NAME is matched apart. */
static const char *const ph_names[] = {
    "status", "reason", "class", "code", "class_text", "request_id",
    "time", "host", "method", "path", "retry_after", "upstream",
    "retryable", "message"
};

typedef enum {
    CTX_HTML_TEXT, CTX_HTML_ATTR, CTX_JSON_STRING, CTX_JSON_VALUE, CTX_TEXT
} tpl_ctx;

typedef struct {
    const char *text;           /* literal bytes (into the pool copy) */
    size_t      len;
    int         ph;             /* PH_*; PH_LITERAL for text */
    tpl_ctx     ctx;
    const char *var;            /* NAME of var.NAME */
} piece;

struct gwg_template {
    gwg_tpl_type        type;
    const char         *file;
    apr_array_header_t *pieces;  /* of piece */
    size_t              literal_len;
    unsigned            uses;    /* GWG_USES_* of the placeholders left */
};

const char *gwg_template_names_list(void)
{
    return "status, reason, class, code, class_text, request_id, time, "
           "host, method, path, retry_after, upstream, retryable, message, "
           "var.NAME";
}

/* ---- the scanners: where does a placeholder stand? ---- */

typedef enum {
    H_TEXT, H_TAG_NAME, H_END_TAG, H_IN_TAG, H_ATTR_NAME, H_AFTER_ATTR,
    H_BEFORE_VALUE, H_VALUE_DQ, H_VALUE_SQ, H_VALUE_UNQ, H_COMMENT, H_BOGUS,
    H_RAW
} html_state;

typedef struct {
    html_state st;
    char tag[16];               /* current start tag, lower case, cut */
    char attr[16];              /* current attribute name, lower case */
    char raw[16];               /* script/style whose content we are in */
    int  json_in_string;
} scan_state;

static int has_at(const char *d, size_t i, size_t len, const char *s)
{
    size_t n = strlen(s);

    return i + n <= len && strncasecmp(d + i, s, n) == 0;
}

static void append_lc(char *buf, size_t cap, char c)
{
    size_t n = strlen(buf);

    if (n + 1 < cap) {
        buf[n] = (char)tolower((unsigned char)c);
        buf[n + 1] = '\0';
    }
}

static void end_start_tag(scan_state *s)
{
    if (strcmp(s->tag, "script") == 0 || strcmp(s->tag, "style") == 0) {
        apr_cpystrn(s->raw, s->tag, sizeof(s->raw));
        s->st = H_RAW;
    }
    else {
        s->st = H_TEXT;
    }
}

/* From '<' in text: which kind of markup starts here; returns the index
 * after what it consumed. */
static size_t html_open(scan_state *s, const char *d, size_t i, size_t len)
{
    if (has_at(d, i, len, "<!--")) {
        s->st = H_COMMENT;
        return i + 4;
    }
    if (has_at(d, i, len, "<!") || has_at(d, i, len, "<?")) {
        s->st = H_BOGUS;
        return i + 2;
    }
    if (has_at(d, i, len, "</")) {
        s->st = H_END_TAG;
        return i + 2;
    }
    if (i + 1 < len && isalpha((unsigned char)d[i + 1])) {
        s->st = H_TAG_NAME;
        s->tag[0] = '\0';
        return i + 1;
    }
    return i + 1;
}

/* Inside a start tag: names, '=', values. */
static void html_in_tag(scan_state *s, char c)
{
    int ws = isspace((unsigned char)c);

    switch (s->st) {
    case H_TAG_NAME:
        if (ws || c == '/') s->st = H_IN_TAG;
        else if (c == '>') end_start_tag(s);
        else append_lc(s->tag, sizeof(s->tag), c);
        break;
    case H_IN_TAG:
    case H_AFTER_ATTR:
        if (c == '>') end_start_tag(s);
        else if (c == '=' && s->st == H_AFTER_ATTR) s->st = H_BEFORE_VALUE;
        else if (!ws && c != '/') {
            s->attr[0] = '\0';
            append_lc(s->attr, sizeof(s->attr), c);
            s->st = H_ATTR_NAME;
        }
        break;
    case H_ATTR_NAME:
        if (ws) s->st = H_AFTER_ATTR;
        else if (c == '=') s->st = H_BEFORE_VALUE;
        else if (c == '>') end_start_tag(s);
        else if (c == '/') s->st = H_IN_TAG;
        else append_lc(s->attr, sizeof(s->attr), c);
        break;
    case H_BEFORE_VALUE:
        if (c == '"') s->st = H_VALUE_DQ;
        else if (c == '\'') s->st = H_VALUE_SQ;
        else if (c == '>') end_start_tag(s);
        else if (!ws) s->st = H_VALUE_UNQ;
        break;
    case H_VALUE_DQ:
        if (c == '"') s->st = H_IN_TAG;
        break;
    case H_VALUE_SQ:
        if (c == '\'') s->st = H_IN_TAG;
        break;
    case H_VALUE_UNQ:
        if (ws) s->st = H_IN_TAG;
        else if (c == '>') end_start_tag(s);
        break;
    default:
        break;
    }
}

/* Advances the HTML scanner over the markup at d[i]; returns the next
 * index (always > i). */
static size_t html_step(scan_state *s, const char *d, size_t i, size_t len)
{
    switch (s->st) {
    case H_TEXT:
        return d[i] == '<' ? html_open(s, d, i, len) : i + 1;
    case H_COMMENT:
        if (has_at(d, i, len, "-->")) {
            s->st = H_TEXT;
            return i + 3;
        }
        return i + 1;
    case H_END_TAG:
    case H_BOGUS:
        if (d[i] == '>') s->st = H_TEXT;
        return i + 1;
    case H_RAW:
        if (d[i] == '<' && has_at(d, i + 2, len, s->raw)
            && has_at(d, i, len, "</")) {
            s->st = H_END_TAG;
            return i + 2;
        }
        return i + 1;
    default:
        html_in_tag(s, d[i]);
        return i + 1;
    }
}

static size_t json_step(scan_state *s, const char *d, size_t i, size_t len)
{
    if (s->json_in_string && d[i] == '\\') {
        return i + 2 <= len ? i + 2 : len;
    }
    if (d[i] == '"') {
        s->json_in_string = !s->json_in_string;
    }
    return i + 1;
}

/* The context of a placeholder at the scanner's position, or a reason why
 * one may not stand there. */
static const char *context_here(tpl_ctx *ctx, gwg_tpl_type type,
                                const scan_state *s)
{
    if (type == GWG_TPL_TEXT) {
        *ctx = CTX_TEXT;
        return NULL;
    }
    if (type == GWG_TPL_JSON) {
        *ctx = s->json_in_string ? CTX_JSON_STRING : CTX_JSON_VALUE;
        return NULL;
    }
    if (s->st == H_TEXT) {
        *ctx = CTX_HTML_TEXT;
        return NULL;
    }
    if (s->st == H_VALUE_DQ || s->st == H_VALUE_SQ) {
        /* escaping cannot make a value safe as script or CSS */
        if (strncmp(s->attr, "on", 2) == 0 || strcmp(s->attr, "style") == 0) {
            return "a placeholder may not stand in an event handler (on...) "
                   "or style attribute";
        }
        *ctx = CTX_HTML_ATTR;
        return NULL;
    }
    if (s->st == H_RAW) {
        return "a placeholder may not stand inside <script> or <style>";
    }
    if (s->st == H_COMMENT) {
        return "a placeholder may not stand inside a comment";
    }
    return "a placeholder inside a tag must be in a quoted attribute value";
}

/* ---- placeholders ---- */

static int name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* Parses "{{ name }}" at d[i]; sets the piece's ph/var and *end. Returns
 * NULL or what is wrong. */
static const char *parse_placeholder(piece *pc, size_t *end, const char *d,
                                     size_t i, size_t len, apr_pool_t *p)
{
    size_t j = i + 2, n0, n1;
    const char *name;
    int k;

    while (j < len && d[j] == ' ') j++;
    n0 = j;
    while (j < len && name_char(d[j])) j++;
    n1 = j;
    while (j < len && d[j] == ' ') j++;
    if (n1 == n0 || j + 2 > len || d[j] != '}' || d[j + 1] != '}') {
        return "'{{' does not start a placeholder {{name}}";
    }
    *end = j + 2;
    name = apr_pstrmemdup(p, d + n0, n1 - n0);
    for (k = 0; k < (int)(sizeof(ph_names) / sizeof(ph_names[0])); k++) {
        if (strcmp(name, ph_names[k]) == 0) {
            pc->ph = k;
            return NULL;
        }
    }
    if (strncmp(name, "var.", 4) == 0 && name[4]
        && !strchr(name + 4, '.')) {
        pc->ph = PH_VAR;
        pc->var = name + 4;
        return NULL;
    }
    return apr_psprintf(p, "unknown placeholder {{%s}}; known are %s", name,
                        gwg_template_names_list());
}

static int count_lines(const char *d, size_t from, size_t to)
{
    int n = 0;

    for (; from < to; from++) {
        n += d[from] == '\n';
    }
    return n;
}

static void push_literal(struct gwg_template *t, const char *d, size_t from,
                         size_t to)
{
    piece *pc;

    if (to <= from) {
        return;
    }
    pc = apr_array_push(t->pieces);
    memset(pc, 0, sizeof(*pc));
    pc->ph = PH_LITERAL;
    pc->text = d + from;
    pc->len = to - from;
    t->literal_len += pc->len;
}

/* One pass over the source: literal runs and placeholders, each with its
 * context. d is the pool copy the pieces will point into. */
static const char *split(struct gwg_template *t, const char *d, size_t len,
                         apr_pool_t *p)
{
    scan_state s;
    size_t i = 0, lit = 0;
    int line = 1;

    memset(&s, 0, sizeof(s));
    while (i < len) {
        size_t next;
        if (d[i] == '{' && i + 1 < len && d[i + 1] == '{') {
            piece pc;
            const char *why;
            memset(&pc, 0, sizeof(pc));
            why = parse_placeholder(&pc, &next, d, i, len, p);
            if (!why) {
                why = context_here(&pc.ctx, t->type, &s);
            }
            if (why) {
                return apr_psprintf(p, "%s:%d: %s", t->file, line, why);
            }
            push_literal(t, d, lit, i);
            *(piece *)apr_array_push(t->pieces) = pc;
            t->uses |= 1u << pc.ph;
            lit = i = next;
            continue;
        }
        next = t->type == GWG_TPL_HTML ? html_step(&s, d, i, len)
             : t->type == GWG_TPL_JSON ? json_step(&s, d, i, len) : i + 1;
        line += count_lines(d, i, next);
        i = next;
    }
    push_literal(t, d, lit, len);
    return NULL;
}

/* ---- rendering ---- */

/* Plain text has no markup to break, but a value must not forge lines. */
static void out_text(gwg_out *o, const char *s)
{
    const char *run = s ? s : "", *c;

    for (c = run; *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            gwg_out_mem(o, (size_t)(c - run), run);
            gwg_out_mem(o, 1, "?");
            run = c + 1;
        }
    }
    gwg_out_mem(o, (size_t)(c - run), run);
}

/* v in decimal at the end of buf[24]; returns where it starts. */
static const char *decimal(char *buf, long v)
{
    char *p = buf + 23;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;

    *p = '\0';
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) {
        *--p = '-';
    }
    return p;
}

static const char *value_of(const piece *pc, const gwg_page_values *v,
                            char *num)
{
    switch (pc->ph) {
    case PH_STATUS: return decimal(num, v->status);
    case PH_RETRY_AFTER: return decimal(num, v->retry_after);
    case PH_REASON: return v->reason;
    case PH_CLASS: return v->cls;
    case PH_CODE: return v->code;
    case PH_CLASS_TEXT: return v->class_text;
    case PH_REQUEST_ID: return v->request_id;
    case PH_TIME: return v->time;
    case PH_HOST: return v->host;
    case PH_METHOD: return v->method;
    case PH_PATH: return v->path;
    case PH_UPSTREAM: return v->upstream;
    case PH_RETRYABLE: return v->retryable ? "true" : "false";
    case PH_MESSAGE: return v->message;
    case PH_VAR: return v->vars ? apr_table_get(v->vars, pc->var) : NULL;
    default: return NULL;
    }
}

/* Numbers and booleans outside JSON quotes stay what they are. */
static int json_bare(int ph)
{
    return ph == PH_STATUS || ph == PH_RETRY_AFTER || ph == PH_RETRYABLE;
}

static void render_value(gwg_out *o, const piece *pc,
                         const gwg_page_values *v)
{
    char num[24];
    const char *s = value_of(pc, v, num);

    switch (pc->ctx) {
    case CTX_HTML_TEXT:
    case CTX_HTML_ATTR:
        gwg_out_html(o, s);
        break;
    case CTX_JSON_STRING:
        gwg_out_json_chars(o, s);
        break;
    case CTX_JSON_VALUE:
        /* outside quotes: numbers stay numbers, the rest becomes a string */
        if (json_bare(pc->ph)) {
            gwg_out_str(o, s);
        }
        else {
            gwg_out_json_str(o, s);
        }
        break;
    case CTX_TEXT:
        out_text(o, s);
        break;
    }
}

void gwg_template_render(gwg_out *o, const gwg_template *t,
                         const gwg_page_values *v)
{
    const piece *pcs = (const piece *)t->pieces->elts;
    int i;

    for (i = 0; i < t->pieces->nelts; i++) {
        if (pcs[i].ph == PH_LITERAL) {
            gwg_out_mem(o, pcs[i].len, pcs[i].text);
        }
        else {
            render_value(o, &pcs[i], v);
        }
    }
}

typedef struct {
    apr_pool_t *p;
    char       *data;
    size_t      len, cap;
} pool_buf;

static int pool_buf_write(void *ctx, const char *data, size_t len)
{
    pool_buf *b = ctx;

    if (b->len + len + 1 > b->cap) {
        size_t cap = (b->len + len + 1) * 2;
        char *n = apr_palloc(b->p, cap);
        memcpy(n, b->data, b->len);
        b->data = n;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

static void pool_buf_init(pool_buf *b, gwg_out *o, size_t cap, apr_pool_t *p)
{
    b->p = p;
    b->cap = cap;
    b->data = apr_palloc(p, cap);
    b->data[0] = '\0';
    b->len = 0;
    gwg_out_init(o, pool_buf_write, b);
}

/* Bytes that JSON string escaping changes, or that need the UTF-8 check. */
static const unsigned char json_special[256] = {
    [0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, ['<'] = 1, ['>'] = 1,
    ['&'] = 1, [0x7f] = 0, [0x80 ... 0xff] = 1
};

/* Whether s goes out as it is in context ctx: one scan, the usual case
 * (request ids, times, reasons, class sentences need no escaping). */
static int verbatim(const char *s, size_t *len, tpl_ctx ctx, int ph)
{
    const unsigned char *c = (const unsigned char *)s;

    switch (ctx) {
    case CTX_HTML_TEXT:
    case CTX_HTML_ATTR:
        *len = strcspn(s, "&<>\"'");
        return s[*len] == '\0';
    case CTX_JSON_VALUE:
        *len = strlen(s);
        if (!json_bare(ph)) {
            return 0;                   /* quoted: the escaper adds them */
        }
        return 1;
    case CTX_JSON_STRING:
        while (!json_special[*c]) c++;
        break;
    case CTX_TEXT:
        while (*c >= 0x20 && *c != 0x7f) c++;
        break;
    }
    *len = (size_t)((const char *)c - s);
    return *c == '\0';
}

typedef struct {
    const char *s;
    size_t      len;
} span;

/* Placeholders whose values are always the renderer's own digits or
 * words (value_of), never anyone's bytes. */
#define OWN_PLAIN (1u << PH_STATUS | 1u << PH_RETRY_AFTER | 1u << PH_RETRYABLE)

/* What one placeholder puts out: the value itself when it needs no
 * escaping, else its escaped form in pool p. num holds a number. */
static span piece_out(const piece *pc, const gwg_page_values *v, char *num,
                      apr_pool_t *p)
{
    span out;
    const char *s = value_of(pc, v, num);
    pool_buf b;
    gwg_out o;

    out.s = s ? s : "";
    if (((v->plain | OWN_PLAIN) >> pc->ph & 1u)
        && pc->ctx != CTX_JSON_VALUE) {
        out.len = strlen(out.s);        /* gwguard's own: nothing to escape */
        return out;
    }
    if (verbatim(out.s, &out.len, pc->ctx, pc->ph)) {
        return out;
    }
    pool_buf_init(&b, &o, 2 * out.len + 64, p);
    render_value(&o, pc, v);
    out.s = b.data;
    out.len = b.len;
    return out;
}

/* Pieces whose outputs render_room keeps on its stack; a template with
 * more keeps them in the pool. */
#define RENDER_LOCAL 32

/* Two passes over the pieces: each piece's output found once (the exact
 * size), then one copy per piece into one allocation; no writer
 * callbacks, no formatting. num holds the numbers, one per placeholder
 * kind (a kind's digits are the same wherever it stands). */
char *gwg_template_render_room(const gwg_template *t,
                               const gwg_page_values *v, size_t room,
                               size_t *len, apr_pool_t *p)
{
    const piece *pcs = (const piece *)t->pieces->elts;
    int n = t->pieces->nelts, i;
    span local[RENDER_LOCAL];
    span *out = n <= RENDER_LOCAL ? local
                : apr_palloc(p, (size_t)n * sizeof(span));
    char num[PH_VAR + 1][24];
    size_t total = 0;
    char *buf, *at;

    for (i = 0; i < n; i++) {
        if (pcs[i].ph == PH_LITERAL) {
            out[i].s = pcs[i].text;
            out[i].len = pcs[i].len;
        }
        else {
            out[i] = piece_out(&pcs[i], v, num[pcs[i].ph], p);
        }
        total += out[i].len;
    }
    at = buf = (char *)apr_palloc(p, room + total + 1) + room;
    for (i = 0; i < n; i++) {
        memcpy(at, out[i].s, out[i].len);
        at += out[i].len;
    }
    *at = '\0';
    *len = total;
    return buf;
}

char *gwg_template_render_str(const gwg_template *t,
                              const gwg_page_values *v, size_t *len,
                              apr_pool_t *p)
{
    return gwg_template_render_room(t, v, 0, len, p);
}

/* ---- binding: a class's values made literal at config time ---- */

static int bound_ph(int ph)
{
    return ph == PH_STATUS || ph == PH_REASON || ph == PH_CLASS
           || ph == PH_CODE || ph == PH_CLASS_TEXT;
}

const gwg_template *gwg_template_bind(const gwg_template *t,
                                      const gwg_page_values *v,
                                      apr_pool_t *p)
{
    const piece *pcs = (const piece *)t->pieces->elts;
    struct gwg_template *b = apr_pcalloc(p, sizeof(*b));
    apr_array_header_t *vars = apr_array_make(p, 8, sizeof(piece));
    apr_array_header_t *ends = apr_array_make(p, 8, sizeof(size_t));
    pool_buf lit;
    gwg_out o;
    size_t from = 0;
    int i;

    b->type = t->type;
    b->file = t->file;
    b->pieces = apr_array_make(p, 8, sizeof(piece));
    pool_buf_init(&lit, &o, t->literal_len + 256, p);
    /* the literal text first (it moves while it grows), then the pieces
     * that point into it */
    for (i = 0; i < t->pieces->nelts; i++) {
        if (pcs[i].ph == PH_LITERAL) {
            gwg_out_mem(&o, pcs[i].len, pcs[i].text);
        }
        else if (bound_ph(pcs[i].ph)) {
            render_value(&o, &pcs[i], v);
        }
        else {
            *(piece *)apr_array_push(vars) = pcs[i];
            *(size_t *)apr_array_push(ends) = lit.len;
        }
    }
    for (i = 0; i < vars->nelts; i++) {
        size_t to = APR_ARRAY_IDX(ends, i, size_t);
        push_literal(b, lit.data, from, to);
        *(piece *)apr_array_push(b->pieces) = APR_ARRAY_IDX(vars, i, piece);
        b->uses |= 1u << APR_ARRAY_IDX(vars, i, piece).ph;
        from = to;
    }
    push_literal(b, lit.data, from, lit.len);
    return b;
}

unsigned gwg_template_uses(const gwg_template *t)
{
    return t->uses;
}

gwg_tpl_type gwg_template_type(const gwg_template *t)
{
    return t->type;
}

const char *gwg_template_file(const gwg_template *t)
{
    return t->file;
}

/* ---- checking a sample rendering ---- */


typedef struct {
    int  line;
    char msg[256];
} html_err;

static void on_xml_error(void *ctx, xmlErrorPtr e)
{
    html_err *h = ctx;
    size_t n;

    /* HTML5 elements (main, nav, section...) are unknown to libxml2's
     * HTML 4 parser; that is not broken markup */
    if (h->line || !e || e->level < XML_ERR_ERROR
        || e->code == XML_HTML_UNKNOWN_TAG) {
        return;
    }
    h->line = e->line > 0 ? e->line : 1;
    apr_cpystrn(h->msg, e->message ? e->message : "invalid markup",
                sizeof(h->msg));
    n = strlen(h->msg);
    while (n > 0 && isspace((unsigned char)h->msg[n - 1])) {
        h->msg[--n] = '\0';
    }
}

static void on_generic_error(void *ctx, const char *msg, ...)
{
    (void)ctx; (void)msg;       /* libxml2 must never print */
}

/* libxml2's error handlers are per thread; they are restored after. */
static const char *html_check(const char *s, size_t len, const char *file,
                              int *line, apr_pool_t *p)
{
    xmlStructuredErrorFunc old_s = xmlStructuredError;
    void *old_sctx = xmlStructuredErrorContext;
    xmlGenericErrorFunc old_g = xmlGenericError;
    void *old_gctx = xmlGenericErrorContext;
    html_err h;
    htmlDocPtr doc;

    memset(&h, 0, sizeof(h));
    xmlSetStructuredErrorFunc(&h, on_xml_error);
    xmlSetGenericErrorFunc(NULL, on_generic_error);
    doc = htmlReadMemory(s, (int)len, file, "UTF-8",
                         HTML_PARSE_NONET | HTML_PARSE_NOWARNING);
    xmlSetStructuredErrorFunc(old_sctx, old_s);
    xmlSetGenericErrorFunc(old_gctx, old_g);
    if (doc) {
        xmlFreeDoc(doc);
    }
    else if (!h.line) {
        h.line = 1;
        apr_cpystrn(h.msg, "not an HTML document", sizeof(h.msg));
    }
    *line = h.line;
    return h.line ? apr_pstrdup(p, h.msg) : NULL;
}

/* Values that exercise every escaper; no newlines, so line numbers of
 * the sample are those of the source. */
static const gwg_page_values sample = {
    503, "Service Unavailable", "connect_refused", "SC",
    "A \"sample\" <sentence> & more.", "req-1", "2026-01-01T00:00:00Z",
    "example.org", "GET", "/a?b=<c>&d='e'", "", 30, NULL, 1,
    "Back <soon> & \"ok\"", 0
};

static const char *check_sample(const struct gwg_template *t, apr_pool_t *p)
{
    size_t len;
    char *out;
    const char *why = NULL;
    int line = 0;

    if (t->type == GWG_TPL_TEXT) {
        return NULL;
    }
    out = gwg_template_render_str(t, &sample, &len, p);
    if (t->type == GWG_TPL_JSON) {
        why = gwg_json_check(out, len, &line);
        if (why) {
            why = apr_psprintf(p, "not valid JSON once filled: %s", why);
        }
    }
    else {
        why = html_check(out, len, t->file, &line, p);
    }
    return why ? apr_psprintf(p, "%s:%d: %s", t->file, line, why) : NULL;
}

const char *gwg_template_compile(const gwg_template **out, gwg_tpl_type type,
                                 const char *file, const char *data,
                                 size_t len, apr_pool_t *p)
{
    struct gwg_template *t;
    const char *err;
    char *copy;

    if (len > GWG_TEMPLATE_MAX) {
        return apr_psprintf(p, "%s: %" APR_SIZE_T_FMT " bytes is over the "
                            "limit of %d bytes (1 MiB) for a template", file,
                            len, GWG_TEMPLATE_MAX);
    }
    xmlInitParser();            /* idempotent; first call in the parent */
    t = apr_pcalloc(p, sizeof(*t));
    t->type = type;
    t->file = apr_pstrdup(p, file);
    t->pieces = apr_array_make(p, 16, sizeof(piece));
    copy = apr_pstrmemdup(p, data, len);
    err = split(t, copy, len, p);
    if (!err) {
        err = check_sample(t, p);
    }
    if (!err) {
        *out = t;
    }
    return err;
}

int gwg_template_type_of(const char *path)
{
    size_t n = path ? strlen(path) : 0;

    if (n > 5 && strcasecmp(path + n - 5, ".html") == 0) return GWG_TPL_HTML;
    if (n > 4 && strcasecmp(path + n - 4, ".htm") == 0) return GWG_TPL_HTML;
    if (n > 5 && strcasecmp(path + n - 5, ".json") == 0) return GWG_TPL_JSON;
    return -1;
}

const char *gwg_template_load(const gwg_template **out, const char *path,
                              apr_pool_t *p)
{
    int type = gwg_template_type_of(path);
    apr_file_t *f;
    apr_finfo_t fi;
    apr_status_t rv;
    apr_size_t n;
    char *buf, err[128];

    if (type < 0) {
        return apr_psprintf(p, "%s: a template must be a .html or .json "
                            "file", path);
    }
    rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, p);
    if (rv == APR_SUCCESS) {
        rv = apr_file_info_get(&fi, APR_FINFO_SIZE | APR_FINFO_TYPE, f);
        if (rv == APR_SUCCESS && fi.filetype != APR_REG) {
            apr_file_close(f);
            return apr_psprintf(p, "%s: not a regular file", path);
        }
    }
    if (rv != APR_SUCCESS) {
        return apr_psprintf(p, "%s: cannot read the template: %s", path,
                            apr_strerror(rv, err, sizeof(err)));
    }
    if (fi.size > GWG_TEMPLATE_MAX) {
        apr_file_close(f);
        return apr_psprintf(p, "%s: %" APR_OFF_T_FMT " bytes is over the "
                            "limit of %d bytes (1 MiB) for a template", path,
                            fi.size, GWG_TEMPLATE_MAX);
    }
    n = (apr_size_t)fi.size;
    buf = apr_palloc(p, n + 1);
    rv = n ? apr_file_read_full(f, buf, n, &n) : APR_SUCCESS;
    apr_file_close(f);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(p, "%s: cannot read the template: %s", path,
                            apr_strerror(rv, err, sizeof(err)));
    }
    return gwg_template_compile(out, (gwg_tpl_type)type, path, buf, n, p);
}
