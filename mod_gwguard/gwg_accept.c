/*
 * Accept parsing without allocation: the header is walked in place, one
 * media range at a time, and each range updates the weight of the
 * caller's media types it names if it is more specific than what named
 * them before (RFC 9110: "the most specific reference has precedence").
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "gwg_accept.h"

/* How specifically a range names a type. */
enum { BY_NONE = -1, BY_ANY, BY_TYPE, BY_SUFFIX, BY_EXACT };

typedef struct {
    int q[GWG_ACCEPT_MAX];      /* thousandths */
    int spec[GWG_ACCEPT_MAX];   /* specificity of the range that set q */
} weights;

/* One media range split in place: type/subtype and its parameters. */
typedef struct {
    const char *type, *sub, *params, *end;
    size_t tlen, slen;
} range;

static int token_eq(const char *a, size_t alen, const char *b)
{
    return alen == strlen(b) && strncasecmp(a, b, alen) == 0;
}

/* q = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ); -1 if bad */
static int parse_q(const char *s, size_t len)
{
    int q, scale = 100;
    size_t i;

    if (len == 0 || (s[0] != '0' && s[0] != '1')) return -1;
    q = (s[0] - '0') * 1000;
    if (len == 1) return q;
    if (s[1] != '.' || len > 5) return -1;
    for (i = 2; i < len; i++, scale /= 10) {
        if (!isdigit((unsigned char)s[i])) return -1;
        q += (s[i] - '0') * scale;
    }
    return q > 1000 ? -1 : q;
}

/* Calls fn on each trimmed parameter of [s, e) until it returns >= 0;
 * returns that, or dflt. */
static int each_param(const char *s, const char *e, const void *arg,
                      int (*fn)(const char *, size_t, const void *), int dflt)
{
    while (s < e) {
        const char *semi = memchr(s, ';', (size_t)(e - s)), *v;
        const char *end = semi ? semi : e;
        int r;
        while (s < end && (*s == ' ' || *s == '\t' || *s == ';')) s++;
        v = s;
        while (end > v && (end[-1] == ' ' || end[-1] == '\t')) end--;
        if (end > v && (r = fn(v, (size_t)(end - v), arg)) >= 0) return r;
        s = semi ? semi + 1 : e;
    }
    return dflt;
}

static int q_of(const char *v, size_t len, const void *arg)
{
    (void)arg;
    if (len >= 2 && (v[0] == 'q' || v[0] == 'Q') && v[1] == '=') {
        int q = parse_q(v + 2, len - 2);
        return q < 0 ? 1001 : q;            /* 1001: malformed */
    }
    return -1;
}

static int is_param(const char *v, size_t len, const void *want)
{
    return token_eq(v, len, want) ? 1 : -1;
}

/* How specifically r names m. */
static int match(const gwg_media *m, const range *r)
{
    if (m->param && !each_param(r->params, r->end, m->param, is_param, 0)) {
        return BY_NONE;
    }
    if (token_eq(r->type, r->tlen, "*") && token_eq(r->sub, r->slen, "*")) {
        return m->param ? BY_NONE : BY_ANY;
    }
    if (!token_eq(r->type, r->tlen, m->type)) return BY_NONE;
    if (token_eq(r->sub, r->slen, "*")) {
        return m->param ? BY_NONE : BY_TYPE;
    }
    if (token_eq(r->sub, r->slen, m->subtype)) return BY_EXACT;
    /* any other structured +json type asks for JSON; problem+json is
     * its own type and never stands for plain JSON */
    if (m->any_json && r->slen > 5
        && strncasecmp(r->sub + r->slen - 5, "+json", 5) == 0
        && !token_eq(r->sub, r->slen, "problem+json")) {
        return BY_SUFFIX;
    }
    return BY_NONE;
}

/* Splits the media range in [s, e); 0 if it has no type/subtype. */
static int split(range *r, const char *s, const char *e)
{
    const char *slash;

    while (s < e && (*s == ' ' || *s == '\t')) s++;
    r->params = memchr(s, ';', (size_t)(e - s));
    if (!r->params) r->params = e;
    r->end = e;
    slash = memchr(s, '/', (size_t)(r->params - s));
    if (!slash) return 0;
    r->type = s;
    r->tlen = (size_t)(slash - s);
    r->sub = slash + 1;
    r->slen = (size_t)(r->params - r->sub);
    while (r->slen > 0 && (r->sub[r->slen - 1] == ' '
                           || r->sub[r->slen - 1] == '\t')) {
        r->slen--;
    }
    return r->tlen > 0 && r->slen > 0;
}

/* One media range in [s, e). */
static void weigh(weights *w, const gwg_media *media, size_t n,
                  const char *s, const char *e)
{
    range r;
    size_t i;
    int q;

    if (!split(&r, s, e)) return;
    q = each_param(r.params, r.end, NULL, q_of, 1000);
    if (q > 1000) return;
    for (i = 0; i < n; i++) {
        int spec = match(&media[i], &r);
        if (spec > w->spec[i]
            || (spec == w->spec[i] && spec > BY_NONE && q > w->q[i])) {
            w->spec[i] = spec;
            w->q[i] = q;
        }
    }
}

int gwg_accept_pick(const char *accept, const gwg_media *media, size_t n)
{
    weights w;
    const char *s = accept, *comma;
    size_t i;
    int best = -1;

    if (!accept) return -1;
    if (n > GWG_ACCEPT_MAX) n = GWG_ACCEPT_MAX;
    for (i = 0; i < n; i++) {
        w.q[i] = 0;
        w.spec[i] = BY_NONE;
    }
    while (*s) {
        comma = strchr(s, ',');
        weigh(&w, media, n, s, comma ? comma : s + strlen(s));
        if (!comma) break;
        s = comma + 1;
    }
    for (i = 0; i < n; i++) {
        if (w.q[i] > 0 && (best < 0 || w.q[i] > w.q[best])) best = (int)i;
    }
    return best;
}

/* The error page's types, in gwg_rep order. */
static const gwg_media page_media[] = {
    [GWG_REP_HTML] = { "text", "html", NULL, 0 },
    [GWG_REP_JSON] = { "application", "json", NULL, 1 },
    [GWG_REP_PROBLEM] = { "application", "problem+json", NULL, 0 },
    [GWG_REP_TEXT] = { "text", "plain", NULL, 0 },
};

gwg_rep gwg_accept_choose(const char *accept)
{
    int i = gwg_accept_pick(accept, page_media,
                            sizeof(page_media) / sizeof(page_media[0]));
    return i < 0 ? GWG_REP_HTML : (gwg_rep)i;
}

const char *gwg_rep_content_type(gwg_rep rep)
{
    switch (rep) {
    case GWG_REP_JSON: return "application/json; charset=utf-8";
    case GWG_REP_PROBLEM: return "application/problem+json; charset=utf-8";
    case GWG_REP_TEXT: return "text/plain; charset=utf-8";
    default: return "text/html; charset=utf-8";
    }
}

int gwg_media_is_json(const char *ct)
{
    size_t n;

    if (!ct) return 0;
    while (*ct == ' ' || *ct == '\t') ct++;
    n = strcspn(ct, "; \t");
    if (n == 16 && strncasecmp(ct, "application/json", 16) == 0) return 1;
    return n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0
           && memchr(ct, '/', n) != NULL;
}
