/*
 * Runs every unit suite of the core. CK_FORK stays on (Check's default)
 * so a crash in one test is reported and the others still run.
 */
#include <stdlib.h>

#include <apr_general.h>

#include "unit.h"

int main(void)
{
    SRunner *sr;
    int failed;

    apr_initialize();
    sr = srunner_create(class_suite());
    srunner_add_suite(sr, breaker_suite());
    srunner_add_suite(sr, classify_suite());
    srunner_add_suite(sr, conf_suite());
    srunner_add_suite(sr, confread_suite());
    srunner_add_suite(sr, recent_suite());
    srunner_add_suite(sr, format_suite());
    srunner_add_suite(sr, out_suite());
    srunner_add_suite(sr, shm_suite());
    srunner_add_suite(sr, upstream_suite());
    srunner_add_suite(sr, template_suite());
    srunner_add_suite(sr, accept_suite());
    srunner_add_suite(sr, page_suite());
    srunner_add_suite(sr, page_conf_suite());
    srunner_add_suite(sr, harden_suite());
    srunner_add_suite(sr, directive_suite());
    srunner_add_suite(sr, attempt_suite());
    srunner_add_suite(sr, maint_suite());
    srunner_add_suite(sr, wmatch_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    apr_terminate();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
