/*
 * What httpd shows about a finished proxied request, as the core's
 * gwg_observation (mod_gwguard_observe.c): never from log text.
 */
#ifndef MOD_GWGUARD_OBSERVE_H
#define MOD_GWGUARD_OBSERVE_H

#include "httpd.h"

#include "gwg_classify.h"
#include "mod_gwguard_req.h"

/* Fills an observation from httpd's state at request_status time. */
void gwguard_observe(gwg_observation *o, request_rec *r, int status,
                     const gwguard_req *st);

#endif
