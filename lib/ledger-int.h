/* ledger-int.h: what the ledger's own modules (files.c) share with ledger.c. */
#ifndef SS_LEDGER_INT_H
#define SS_LEDGER_INT_H

#include <sqlite3.h>

struct ss_err;
struct ss_ledger;

/* The open SQLite connection of l; owned by l. */
sqlite3 *ss_ledger_sqlite(struct ss_ledger *l);

/*
 * Fills e from SQLite result rc of doing what: "busy" (temporary) for
 * SQLITE_BUSY/LOCKED, "sqlite" otherwise.  Returns -1.
 */
int ss_ledger_db_err(struct ss_ledger *l, int rc, const char *what,
    struct ss_err *e);

#endif
