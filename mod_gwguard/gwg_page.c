/*
 * Built-in error pages. The HTML page is one document with inline CSS and
 * no external request (no font, image or script), so it renders when
 * everything behind the gateway is down; it shows the hops in the manner
 * of a CDN's error page and never an internal name or address. Class
 * maintenance has pages of its own, with the admin's message.
 */
#include <stddef.h>
#include <string.h>

#include "gwg_class.h"
#include "gwg_page.h"

/* What both HTML pages share: the head's first lines and the CSS of the
 * page's frame, the sections and the request's details. */
#define PAGE_HEAD \
"<!DOCTYPE html>\n" \
"<html lang=\"en\">\n" \
"<head>\n" \
"<meta charset=\"utf-8\">\n" \
"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n" \
"<meta name=\"robots\" content=\"noindex\">\n"
#define CSS_FRAME \
"body{margin:0;background:#f4f5f7;color:#1b1f24;" \
"font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif}\n" \
"main{max-width:46rem;margin:0 auto;padding:2rem 1.25rem}\n" \
"h1{font-size:1.75rem;line-height:1.2;margin:0 0 .25rem}\n" \
".code{color:#4a5360;font-size:1rem;margin:0 0 1.5rem}\n"
#define CSS_SECTION \
"section{background:#fff;border-radius:.5rem;padding:1rem 1.25rem;" \
"margin:0 0 1rem}\n"
#define CSS_DETAILS \
"dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;" \
"margin:0}\n" \
"dt{color:#4a5360}\n" \
"dd{margin:0;font-family:ui-monospace,Menlo,Consolas,monospace;" \
"overflow-wrap:anywhere}\n"

static const char builtin_html[] =
PAGE_HEAD
/* an inline icon: no /favicon.ico request to the failing upstream */
"<link rel=\"icon\" href=\"data:,\">\n"
"<title>{{status}} {{reason}}</title>\n"
"<style>\n"
CSS_FRAME
"ol.hops{list-style:none;display:flex;flex-wrap:wrap;gap:.75rem;"
"padding:0;margin:0 0 1.5rem}\n"
"ol.hops li{flex:1 1 6rem;background:#fff;border:2px solid #c9ced6;"
"border-radius:.5rem;padding:.6rem .75rem}\n"
"ol.hops li.bad{border-color:#b3261e}\n"
".hop{display:block;font-weight:600}\n"
".ok{color:#0b6b2e;font-weight:600}\n"
".fail{color:#b3261e;font-weight:600}\n"
CSS_SECTION
"h2{font-size:1.1rem;margin:0 0 .5rem}\n"
CSS_DETAILS
"@media (max-width:30rem){dl{grid-template-columns:1fr}"
"dd{margin-bottom:.5rem}}\n"
"@media (prefers-color-scheme:dark){body{background:#14171a;color:#e8eaed}"
"ol.hops li,section{background:#1f2428;border-color:#3c434a}"
".code,dt{color:#b4bcc6}.ok{color:#6fd08c}.fail,ol.hops li.bad{color:#ff8a80;"
"border-color:#ff8a80}}\n"
"</style>\n"
"</head>\n"
"<body>\n"
"<main>\n"
"<h1>{{reason}}</h1>\n"
"<p class=\"code\">Error {{status}} &middot; {{code}}</p>\n"
"<ol class=\"hops\" aria-label=\"Where the request failed\">\n"
"<li><span class=\"hop\">Your browser</span>"
"<span class=\"ok\">&#10003; Working</span></li>\n"
"<li><span class=\"hop\">Gateway</span>"
"<span class=\"ok\">&#10003; Working</span></li>\n"
"<li class=\"bad\"><span class=\"hop\">Upstream server</span>"
"<span class=\"fail\">&#10007; Failing</span></li>\n"
"</ol>\n"
"<section>\n"
"<h2>What happened</h2>\n"
"<p>{{class_text}}</p>\n"
"<h2>What you can do</h2>\n"
"<p>This is not a problem with your browser or your connection. "
"Please try again in a little while. If it keeps happening, tell the "
"site's operators the request ID below.</p>\n"
"</section>\n"
"<section>\n"
"<dl>\n"
"<dt>Request ID</dt><dd>{{request_id}}</dd>\n"
"<dt>Time (UTC)</dt><dd>{{time}}</dd>\n"
"<dt>Status</dt><dd>{{status}} {{reason}}</dd>\n"
"</dl>\n"
"</section>\n"
"</main>\n"
"</body>\n"
"</html>\n";

static const char builtin_json[] =
"{\"error\":{\"status\":{{status}},\"reason\":\"{{reason}}\","
"\"class\":\"{{class}}\",\"code\":\"{{code}}\","
"\"request_id\":\"{{request_id}}\",\"time\":\"{{time}}\","
"\"retryable\":{{retryable}}}}\n";

/* type about:blank: the title is the status phrase (RFC 9457 §4.2.1);
 * the class is carried by the extension members */
static const char builtin_problem[] =
"{\"type\":\"about:blank\",\"title\":\"{{reason}}\",\"status\":{{status}},"
"\"detail\":\"{{class_text}}\",\"class\":\"{{class}}\","
"\"code\":\"{{code}}\",\"request_id\":\"{{request_id}}\","
"\"time\":\"{{time}}\",\"retryable\":{{retryable}}}\n";

static const char builtin_text[] =
"{{status}} {{reason}}\n"
"\n"
"{{class_text}}\n"
"\n"
"Request ID: {{request_id}}\n"
"Time: {{time}}\n";

/* The maintenance page (class maintenance): nothing is failing, so no
 * hops; the admin's message (gwguardctl maintenance --message) instead. */
static const char maint_html[] =
PAGE_HEAD
"<link rel=\"icon\" href=\"data:,\">\n"
"<title>Down for maintenance</title>\n"
"<style>\n"
CSS_FRAME
CSS_SECTION
".message{font-size:1.15rem;font-weight:600}\n"
CSS_DETAILS
"@media (prefers-color-scheme:dark){body{background:#14171a;color:#e8eaed}"
"section{background:#1f2428}.code,dt{color:#b4bcc6}}\n"
"</style>\n"
"</head>\n"
"<body>\n"
"<main>\n"
"<h1>Down for maintenance</h1>\n"
"<p class=\"code\">{{status}} {{reason}} &middot; {{code}}</p>\n"
"<section>\n"
"<p class=\"message\">{{message}}</p>\n"
"<p>{{class_text}} Please try again in a little while.</p>\n"
"</section>\n"
"<section>\n"
"<dl>\n"
"<dt>Request ID</dt><dd>{{request_id}}</dd>\n"
"<dt>Time (UTC)</dt><dd>{{time}}</dd>\n"
"<dt>Retry after</dt><dd>{{retry_after}} s</dd>\n"
"</dl>\n"
"</section>\n"
"</main>\n"
"</body>\n"
"</html>\n";

static const char maint_json[] =
"{\"error\":{\"status\":{{status}},\"reason\":\"{{reason}}\","
"\"class\":\"{{class}}\",\"code\":\"{{code}}\","
"\"message\":\"{{message}}\","
"\"request_id\":\"{{request_id}}\",\"time\":\"{{time}}\","
"\"retryable\":{{retryable}}}}\n";

static const char maint_problem[] =
"{\"type\":\"about:blank\",\"title\":\"{{reason}}\",\"status\":{{status}},"
"\"detail\":\"{{class_text}}\",\"message\":\"{{message}}\","
"\"class\":\"{{class}}\",\"code\":\"{{code}}\","
"\"request_id\":\"{{request_id}}\",\"time\":\"{{time}}\","
"\"retryable\":{{retryable}}}\n";

static const char maint_text[] =
"{{status}} {{reason}}: down for maintenance\n"
"\n"
"{{message}}\n"
"{{class_text}}\n"
"\n"
"Request ID: {{request_id}}\n"
"Time: {{time}}\n";

static const struct {
    const char  *src;
    size_t       len;
    gwg_tpl_type type;
    const char  *name;
} sources[] = {
    { builtin_html, sizeof(builtin_html) - 1, GWG_TPL_HTML, "(builtin html)" },
    { builtin_json, sizeof(builtin_json) - 1, GWG_TPL_JSON, "(builtin json)" },
    { builtin_problem, sizeof(builtin_problem) - 1, GWG_TPL_JSON,
      "(builtin problem+json)" },
    { builtin_text, sizeof(builtin_text) - 1, GWG_TPL_TEXT, "(builtin text)" },
    { maint_html, sizeof(maint_html) - 1, GWG_TPL_HTML,
      "(builtin maintenance html)" },
    { maint_json, sizeof(maint_json) - 1, GWG_TPL_JSON,
      "(builtin maintenance json)" },
    { maint_problem, sizeof(maint_problem) - 1, GWG_TPL_JSON,
      "(builtin maintenance problem+json)" },
    { maint_text, sizeof(maint_text) - 1, GWG_TPL_TEXT,
      "(builtin maintenance text)" },
};

#define NPAGES ((int)(sizeof(sources) / sizeof(sources[0])))
#define NREPS 4                 /* sources[NREPS + rep]: maintenance */

/* Written once, before any request (config time, one thread). */
static const gwg_template *compiled[NPAGES];

/* The same pages bound to each class's own name, code, sentence, default
 * status and reason: what nearly every answer sends, so a request fills
 * only its request id, time and retry hint. NULL for a class whose
 * default status is 0 (its failures come after the head went out). */
static const gwg_template *bound[4][GWG_CLASS_COUNT];

const char *gwg_page_builtin_init(apr_pool_t *p)
{
    const char *err;
    int i;

    for (i = 0; i < NPAGES; i++) {
        if (compiled[i]) {
            continue;
        }
        err = gwg_template_compile(&compiled[i], sources[i].type,
                                   sources[i].name, sources[i].src,
                                   sources[i].len, p);
        if (err) {
            return err;
        }
    }
    return NULL;
}

void gwg_page_builtin_clear(void)
{
    memset(compiled, 0, sizeof(compiled));
    memset(bound, 0, sizeof(bound));
}

const gwg_template *gwg_page_builtin(gwg_rep rep)
{
    return (unsigned)rep < NREPS ? compiled[rep] : NULL;
}

void gwg_page_builtin_bind(apr_pool_t *p, gwg_reason_fn reason_of)
{
    gwg_page_values v;
    int rep, c;

    memset(&v, 0, sizeof(v));
    for (c = 0; c < GWG_CLASS_COUNT; c++) {
        const gwg_class_info *info = gwg_class_get((gwg_class_t)c);
        for (rep = 0; rep < 4 && info->status && compiled[rep]; rep++) {
            v.status = info->status;
            v.reason = reason_of(info->status);
            v.cls = info->name;
            v.code = info->code;
            v.class_text = info->text;
            bound[rep][c] = gwg_template_bind(compiled[rep], &v, p);
        }
    }
}

const gwg_template *gwg_page_builtin_for(gwg_rep rep, gwg_class_t cls,
                                         int status)
{
    const gwg_class_info *info = gwg_class_get(cls);

    if ((unsigned)rep < 4 && info && info->status == status
        && bound[rep][cls]) {
        return bound[rep][cls];
    }
    return gwg_page_builtin(rep);
}

const char *gwg_page_builtin_source(gwg_rep rep)
{
    return (unsigned)rep < NREPS ? sources[rep].src : NULL;
}

const gwg_template *gwg_page_builtin_maint(gwg_rep rep)
{
    return (unsigned)rep < NREPS ? compiled[NREPS + rep] : NULL;
}

const char *gwg_page_builtin_maint_source(gwg_rep rep)
{
    return (unsigned)rep < NREPS ? sources[NREPS + rep].src : NULL;
}
