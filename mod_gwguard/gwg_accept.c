/*
 * Accept parsing without allocation: the header is walked in place, one
 * media range at a time, and each range updates the weight of the
 * representations it matches if it is more specific than what matched
 * before (RFC 9110: "the most specific reference has precedence").
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "gwg_accept.h"

#define REPS 4

/* type and subtype of each representation, in gwg_rep order */
static const char *const rep_type[REPS][2] = {
    { "text", "html" },
    { "application", "json" },
    { "application", "problem+json" },
    { "text", "plain" },
};

typedef struct {
    int q[REPS];                /* thousandths */
    int spec[REPS];             /* specificity of the range that set q */
} weights;

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

/* How specifically type/sub names rep: 3 exact, 2 a +json suffix range
 * for JSON, 1 type/ *, 0 * / *; -1 no match. */
static int match(int rep, const char *type, size_t tlen, const char *sub,
                 size_t slen)
{
    if (token_eq(type, tlen, "*") && token_eq(sub, slen, "*")) return 0;
    if (!token_eq(type, tlen, rep_type[rep][0])) return -1;
    if (token_eq(sub, slen, "*")) return 1;
    if (token_eq(sub, slen, rep_type[rep][1])) return 3;
    /* any other structured +json type counts as asking for JSON */
    if (rep == GWG_REP_JSON && slen > 5
        && strncasecmp(sub + slen - 5, "+json", 5) == 0
        && !token_eq(sub, slen, "problem+json")) {
        return 2;
    }
    return -1;
}

/* The q parameter of the parameters in [s, e); 1000 when absent. */
static int range_q(const char *s, const char *e)
{
    while (s < e) {
        const char *semi = memchr(s, ';', (size_t)(e - s)), *v;
        const char *end = semi ? semi : e;
        while (s < end && (*s == ' ' || *s == '\t' || *s == ';')) s++;
        v = s;
        while (end > v && (end[-1] == ' ' || end[-1] == '\t')) end--;
        if (end - v >= 2 && (v[0] == 'q' || v[0] == 'Q') && v[1] == '=') {
            return parse_q(v + 2, (size_t)(end - v - 2));
        }
        s = semi ? semi + 1 : e;
    }
    return 1000;
}

/* One media range in [s, e). */
static void weigh(weights *w, const char *s, const char *e)
{
    const char *slash, *sub, *params;
    size_t tlen, slen;
    int q, rep;

    while (s < e && (*s == ' ' || *s == '\t')) s++;
    params = memchr(s, ';', (size_t)(e - s));
    if (!params) params = e;
    slash = memchr(s, '/', (size_t)(params - s));
    if (!slash) return;
    tlen = (size_t)(slash - s);
    sub = slash + 1;
    slen = (size_t)(params - sub);
    while (slen > 0 && (sub[slen - 1] == ' ' || sub[slen - 1] == '\t')) slen--;
    q = range_q(params, e);
    if (q < 0 || tlen == 0 || slen == 0) return;
    for (rep = 0; rep < REPS; rep++) {
        int spec = match(rep, s, tlen, sub, slen);
        if (spec > w->spec[rep]
            || (spec == w->spec[rep] && spec >= 0 && q > w->q[rep])) {
            w->spec[rep] = spec;
            w->q[rep] = q;
        }
    }
}

gwg_rep gwg_accept_choose(const char *accept)
{
    weights w;
    const char *s = accept, *comma;
    int rep, best = GWG_REP_HTML;

    if (!accept) return GWG_REP_HTML;
    for (rep = 0; rep < REPS; rep++) {
        w.q[rep] = 0;
        w.spec[rep] = -1;
    }
    while (*s) {
        comma = strchr(s, ',');
        weigh(&w, s, comma ? comma : s + strlen(s));
        if (!comma) break;
        s = comma + 1;
    }
    for (rep = 1; rep < REPS; rep++) {
        if (w.q[rep] > w.q[best]) best = rep;
    }
    return (gwg_rep)best;
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
