/*
 * A strict JSON syntax check (RFC 8259) for `gwguardctl check`: a JSON
 * error-page template must be valid JSON once its placeholders are filled
 * (docs/pages.md). Recursive descent over a buffer; depth-limited so a hostile
 * file cannot exhaust the stack. Says where the first error is.
 */
#include <ctype.h>
#include <string.h>

#include "gwg_json_check.h"

#define MAX_DEPTH 64

typedef struct {
    const char *s, *end, *start;
    const char *err;
} jp;

static int value(jp *j, int depth);

static void ws(jp *j)
{
    while (j->s < j->end && (*j->s == ' ' || *j->s == '\t' || *j->s == '\n'
                             || *j->s == '\r')) {
        j->s++;
    }
}

static int fail(jp *j, const char *why)
{
    if (!j->err) {
        j->err = why;
    }
    return -1;
}

static int lit(jp *j, const char *word)
{
    size_t n = strlen(word);

    if ((size_t)(j->end - j->s) < n || memcmp(j->s, word, n) != 0) {
        return fail(j, "unexpected character");
    }
    j->s += n;
    return 0;
}

static int string(jp *j)
{
    j->s++;                                 /* the opening quote */
    while (j->s < j->end && *j->s != '"') {
        unsigned char c = (unsigned char)*j->s;
        if (c < 0x20) {
            return fail(j, "control character in a string");
        }
        if (c == '\\') {
            j->s++;
            if (j->s >= j->end || !strchr("\"\\/bfnrtu", *j->s)) {
                return fail(j, "bad escape in a string");
            }
            if (*j->s == 'u') {
                int k;
                for (k = 1; k <= 4; k++) {
                    if (j->s + k >= j->end || !isxdigit((unsigned char)j->s[k])) {
                        return fail(j, "bad \\u escape in a string");
                    }
                }
                j->s += 4;
            }
        }
        j->s++;
    }
    if (j->s >= j->end) {
        return fail(j, "unterminated string");
    }
    j->s++;
    return 0;
}

static int number(jp *j)
{
    const char *s = j->s;

    if (s < j->end && *s == '-') {
        s++;
    }
    if (s >= j->end || !isdigit((unsigned char)*s)) {
        return fail(j, "bad number");
    }
    if (*s == '0') {
        s++;
    }
    else {
        while (s < j->end && isdigit((unsigned char)*s)) {
            s++;
        }
    }
    if (s < j->end && *s == '.') {
        s++;
        if (s >= j->end || !isdigit((unsigned char)*s)) {
            return fail(j, "bad number");
        }
        while (s < j->end && isdigit((unsigned char)*s)) {
            s++;
        }
    }
    if (s < j->end && (*s == 'e' || *s == 'E')) {
        s++;
        if (s < j->end && (*s == '+' || *s == '-')) {
            s++;
        }
        if (s >= j->end || !isdigit((unsigned char)*s)) {
            return fail(j, "bad number");
        }
        while (s < j->end && isdigit((unsigned char)*s)) {
            s++;
        }
    }
    j->s = s;
    return 0;
}

/* Members of an object (is_object) or elements of an array. */
static int items(jp *j, int depth, int is_object, char close)
{
    j->s++;
    ws(j);
    if (j->s < j->end && *j->s == close) {
        j->s++;
        return 0;
    }
    for (;;) {
        ws(j);
        if (is_object) {
            if (j->s >= j->end || *j->s != '"' || string(j) != 0) {
                return fail(j, "expected a member name");
            }
            ws(j);
            if (j->s >= j->end || *j->s != ':') {
                return fail(j, "expected ':'");
            }
            j->s++;
        }
        if (value(j, depth + 1) != 0) {
            return -1;
        }
        ws(j);
        if (j->s < j->end && *j->s == ',') {
            j->s++;
            continue;
        }
        if (j->s < j->end && *j->s == close) {
            j->s++;
            return 0;
        }
        return fail(j, is_object ? "expected ',' or '}'" : "expected ',' "
                    "or ']'");
    }
}

static int value(jp *j, int depth)
{
    if (depth > MAX_DEPTH) {
        return fail(j, "nested too deeply");
    }
    ws(j);
    if (j->s >= j->end) {
        return fail(j, "unexpected end");
    }
    switch (*j->s) {
    case '{': return items(j, depth, 1, '}');
    case '[': return items(j, depth, 0, ']');
    case '"': return string(j);
    case 't': return lit(j, "true");
    case 'f': return lit(j, "false");
    case 'n': return lit(j, "null");
    default:
        if (*j->s == '-' || isdigit((unsigned char)*j->s)) {
            return number(j);
        }
        return fail(j, "unexpected character");
    }
}

const char *gwg_json_check(const char *data, size_t len, int *line)
{
    jp j = { data, data + len, data, NULL };
    const char *c;

    if (value(&j, 0) == 0) {
        ws(&j);
        if (j.s < j.end) {
            fail(&j, "text after the JSON value");
        }
    }
    if (j.err) {
        *line = 1;
        for (c = data; c < j.s && c < j.end; c++) {
            *line += (*c == '\n');
        }
    }
    return j.err;
}
