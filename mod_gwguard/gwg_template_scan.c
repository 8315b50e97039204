/*
 * Scanning a template for `gwguardctl check` (see gwg_template_scan.h).
 * Placeholders, size and JSON validity are the compiler's (gwg_template.c),
 * so check and configtest agree; this file only finds what a page loads.
 * Only resources a browser loads by itself count: src=, <link href>,
 * <object data>, and CSS url()/@import; an <a href> is a link the user
 * may follow, not a dependency of the page.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <apr_strings.h>
#include <libxml/HTMLparser.h>

#include "gwg_template.h"
#include "gwg_template_scan.h"

static void add_url(gwg_template_scan *s, const char *url, apr_pool_t *p)
{
    while (*url == ' ' || *url == '\t' || *url == '\n') {
        url++;
    }
    if (!*url || strncasecmp(url, "data:", 5) == 0 || url[0] == '#'
        || strstr(url, "{{")) {
        return;
    }
    if (strncasecmp(url, "http://", 7) == 0
        || strncasecmp(url, "https://", 8) == 0 || strncmp(url, "//", 2) == 0) {
        APR_ARRAY_PUSH(s->external, const char *) = apr_pstrdup(p, url);
    }
    else if (url[0] == '/') {
        APR_ARRAY_PUSH(s->local, const char *) = apr_pstrdup(p, url);
    }
    else {
        APR_ARRAY_PUSH(s->relative, const char *) = apr_pstrdup(p, url);
    }
}

/* url(...) and @import "..." in CSS text. */
static void scan_css(gwg_template_scan *s, const char *css, apr_pool_t *p)
{
    const char *c = css;

    while ((c = strstr(c, "url(")) != NULL) {
        const char *a = c + 4, *b;
        while (*a == ' ' || *a == '"' || *a == '\'') {
            a++;
        }
        b = a + strcspn(a, "\"') ");
        add_url(s, apr_pstrndup(p, a, (apr_size_t)(b - a)), p);
        c = b;
    }
    for (c = css; (c = strstr(c, "@import")) != NULL; c += 7) {
        const char *a = c + 7, *b;
        while (*a == ' ' || *a == '"' || *a == '\'') {
            a++;
        }
        if (strncmp(a, "url(", 4) != 0) {
            b = a + strcspn(a, "\"'; ");
            add_url(s, apr_pstrndup(p, a, (apr_size_t)(b - a)), p);
        }
    }
}

static void scan_attr(gwg_template_scan *s, xmlNodePtr n, const char *attr,
                      apr_pool_t *p)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST attr);

    if (v) {
        if (strcmp(attr, "style") == 0) {
            scan_css(s, (const char *)v, p);
        }
        else {
            add_url(s, (const char *)v, p);
        }
        xmlFree(v);
    }
}

static void scan_nodes(gwg_template_scan *s, xmlNodePtr n, apr_pool_t *p)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) {
            continue;
        }
        scan_attr(s, n, "src", p);
        scan_attr(s, n, "style", p);
        if (strcasecmp((const char *)n->name, "link") == 0) {
            scan_attr(s, n, "href", p);
        }
        if (strcasecmp((const char *)n->name, "object") == 0) {
            scan_attr(s, n, "data", p);
        }
        if (strcasecmp((const char *)n->name, "style") == 0) {
            xmlChar *css = xmlNodeGetContent(n);
            if (css) {
                scan_css(s, (const char *)css, p);
                xmlFree(css);
            }
        }
        scan_nodes(s, n->children, p);
    }
}

static void scan_html(gwg_template_scan *s, const char *name,
                      const char *data, size_t len, apr_pool_t *p)
{
    htmlDocPtr doc = htmlReadMemory(data, (int)len, name, "UTF-8",
                                    HTML_PARSE_NONET | HTML_PARSE_NOERROR
                                    | HTML_PARSE_NOWARNING);

    if (!doc) {
        s->error = apr_psprintf(p, "%s: libxml2 cannot parse it as HTML",
                                name);
        return;
    }
    scan_nodes(s, xmlDocGetRootElement(doc), p);
    xmlFreeDoc(doc);
}

apr_status_t gwg_template_scan_buffer(gwg_template_scan *s, const char *name,
                                      const char *data, size_t len, int html,
                                      apr_pool_t *p)
{
    memset(s, 0, sizeof(*s));
    s->external = apr_array_make(p, 2, sizeof(const char *));
    s->local = apr_array_make(p, 2, sizeof(const char *));
    s->relative = apr_array_make(p, 2, sizeof(const char *));
    if (len > GWG_TEMPLATE_MAX) {
        s->error = apr_psprintf(p, "template %s is larger than 1 MiB", name);
        return APR_EINVAL;
    }
    if (html) {
        scan_html(s, name, data, len, p);
    }
    return s->error ? APR_EINVAL : APR_SUCCESS;
}

apr_status_t gwg_template_scan_file(gwg_template_scan *s, const char *path,
                                    apr_pool_t *p)
{
    FILE *f = fopen(path, "rb");
    size_t n = strlen(path), len;
    struct stat st;
    char *data;

    memset(s, 0, sizeof(*s));
    if (!f) {
        s->error = apr_psprintf(p, "cannot read template %s: %s", path,
                                strerror(errno));
        return APR_ENOENT;
    }
    if (fstat(fileno(f), &st) != 0 || st.st_size > GWG_TEMPLATE_MAX) {
        fclose(f);
        s->error = apr_psprintf(p, "template %s is larger than 1 MiB", path);
        return APR_EINVAL;
    }
    data = apr_palloc(p, (apr_size_t)st.st_size + 1);
    len = fread(data, 1, (size_t)st.st_size, f);
    fclose(f);
    data[len] = '\0';
    return gwg_template_scan_buffer(s, path, data, len,
                                    !(n > 5 && strcmp(path + n - 5, ".json")
                                      == 0), p);
}
