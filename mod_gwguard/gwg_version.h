/* The release of mod_gwguard and gwguardctl, shown by --version and in
 * the module's start-up line. */
#ifndef GWG_VERSION_H
#define GWG_VERSION_H

#define GWG_VERSION "0.1.0"

#endif
