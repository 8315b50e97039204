/*
 * mod_proxy hooks (mod_gwguard_proxy.c): the scheme handler that records
 * each attempt and request_status, the root of the request path.
 */
#ifndef MOD_GWGUARD_PROXY_H
#define MOD_GWGUARD_PROXY_H

#include "httpd.h"
#include "mod_proxy.h"

#include "mod_gwguard_wcache.h"

/* Called from pre_config (mod_gwguard.c says why). */
void gwguard_proxy_register_hooks(void);

/* Whether mod_proxy's scheme-handler hook was found. */
int gwguard_proxy_hooks_present(void);

/* The breaker's answer decided in fixups (mod_gwguard_early.c), before
 * mod_proxy's canonicalisation and handler: the declared worker for url as
 * ap_proxy_pre_request would find it (NULL: none), *e its table entry
 * when its breaker is not closed; beginning the attempt on it (DECLINED:
 * admitted, mod_proxy's pre_request goes on with it; else the refusal);
 * and answering a refusal with request_status's pipeline (returns DONE
 * when the page was sent, else the status for ap_die). */
proxy_worker *gwguard_proxy_early_worker(request_rec *r, const char *url,
                                         proxy_server_conf **conf,
                                         gwguard_wentry **e);
int gwguard_proxy_early_begin(request_rec *r, proxy_worker *w,
                              gwguard_wentry *e, proxy_server_conf *conf,
                              const char *url);
int gwguard_proxy_early_answer(request_rec *r, int status);
/* Forgets the worker lookup the last early_worker call made (which
 * pre_request reuses for the same request and URL): called by every
 * fixups call, before anything else. */
void gwguard_proxy_early_forget(void);

#endif
