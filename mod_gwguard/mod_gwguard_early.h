/*
 * The breaker's answer decided in fixups (mod_gwguard_early.c,
 * docs/breaker.md "Deciding in fixups").
 */
#ifndef MOD_GWGUARD_EARLY_H
#define MOD_GWGUARD_EARLY_H

/* The fixups hook, after mod_rewrite's and before mod_proxy's. */
void gwguard_early_register_hooks(void);

#endif
