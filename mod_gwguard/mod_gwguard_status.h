/*
 * The status handler and the mod_status section (mod_gwguard_status.c).
 */
#ifndef MOD_GWGUARD_STATUS_H
#define MOD_GWGUARD_STATUS_H

void gwguard_status_register_hooks(void);

#endif
