/*
 * The backend connection filter and the response filters of the request
 * path (mod_gwguard_backend.c).
 */
#ifndef MOD_GWGUARD_BACKEND_H
#define MOD_GWGUARD_BACKEND_H

void gwguard_backend_register_hooks(void);

#endif
