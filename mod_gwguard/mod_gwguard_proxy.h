/*
 * mod_proxy hooks (mod_gwguard_proxy.c): the scheme handler that records
 * each attempt and request_status, the root of the request path.
 */
#ifndef MOD_GWGUARD_PROXY_H
#define MOD_GWGUARD_PROXY_H

/* Called from pre_config (mod_gwguard.c says why). */
void gwguard_proxy_register_hooks(void);

/* Whether mod_proxy's scheme-handler hook was found. */
int gwguard_proxy_hooks_present(void);

#endif
