/*
 * Stale before error: mod_cache's stale answers (mod_gwguard_degrade.c).
 */
#ifndef MOD_GWGUARD_DEGRADE_H
#define MOD_GWGUARD_DEGRADE_H

void gwguard_degrade_register_hooks(void);

#endif
