/*
 * Error pages (mod_gwguard_page.c): the answer to a failure with the page
 * the configuration (mod_gwguard_page_conf.h) chooses, and its filters.
 */
#ifndef MOD_GWGUARD_PAGE_H
#define MOD_GWGUARD_PAGE_H

#include "httpd.h"

#include "mod_gwguard_req.h"

/* Answers the verdict in st; called at the end of request_status. */
void gwguard_page_answer(request_rec *r, const gwguard_req *st);
/* The same, but sends the page itself (as the core's error path would)
 * and returns 1, after which request_status must answer DONE; 0 when it
 * sent nothing (no page, or one left to the core's error path). status
 * is what the handler returns, which ap_die would answer. */
int gwguard_page_send(request_rec *r, const gwguard_req *st, int status);
void gwguard_page_register_hooks(void);

#endif
