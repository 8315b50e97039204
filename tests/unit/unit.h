/*
 * The Check suites of the core, one per core file; main.c runs them all.
 */
#ifndef UNIT_H
#define UNIT_H

#include <check.h>

Suite *breaker_suite(void);
Suite *class_suite(void);
Suite *classify_suite(void);
Suite *conf_suite(void);
Suite *confread_suite(void);
Suite *recent_suite(void);
Suite *format_suite(void);
Suite *out_suite(void);
Suite *shm_suite(void);
Suite *upstream_suite(void);
Suite *template_suite(void);
Suite *accept_suite(void);
Suite *page_suite(void);
Suite *page_conf_suite(void);
Suite *harden_suite(void);
Suite *directive_suite(void);
Suite *attempt_suite(void);
Suite *maint_suite(void);
Suite *wmatch_suite(void);

#endif
