/* ss.h: the umbrella header of libss: exit codes, common includes, modules. */
#ifndef SS_H
#define SS_H

#include <sys/types.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Exit status, the same in every program (DESIGN.md section 6):
 *   0  every record handled
 *   1  ran to the end, but some records failed (each one reported)
 *   2  usage or configuration error, nothing was done
 *   3  fatal: ledger unusable, disk full, write error
 *  75  temporary: a service is down or rate limited; run again later
 */
enum {
	SS_EX_OK = 0,
	SS_EX_PARTIAL = 1,
	SS_EX_USAGE = 2,
	SS_EX_FATAL = 3,
	SS_EX_TEMPFAIL = 75
};

#ifndef SS_VERSION
#define SS_VERSION "unknown"
#endif

#define SS_NORETURN __attribute__((noreturn))
#define SS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define SS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#include "err.h"
#include "xalloc.h"
#include "sbuf.h"
#include "log.h"
#include "util.h"

#include "banned.h"

#endif
