/* test-ledger: drives the ledger library from the shell tests. */
#include "ss.h"
#include "ledger.h"
#include "record.h"

/*
 * test-ledger enqueue LEDGER STAGE N
 *	adds items item-00001 ... item-N to STAGE, in one transaction
 * test-ledger claim-worker LEDGER STAGE
 *	claims the next due item of STAGE until none is left, printing each
 *	id it claimed and marking it done
 * test-ledger budget-taker LEDGER NAME COUNT PERIOD N
 *	takes N tokens from budget NAME (COUNT per PERIOD seconds), waiting
 *	as needed, and prints the time of each take
 * Errors go to stderr; the exit status is 3, or 75 for temporary ones.
 */
static const char usage[] =
    "usage: test-ledger enqueue ledger stage n\n"
    "       test-ledger claim-worker ledger stage\n"
    "       test-ledger budget-taker ledger name count period n";

static long long
num(const char *s, long long min, long long max)
{
	struct ss_err e = SS_ERR_INIT;
	long long v;

	if (ss_strtonum(s, min, max, &v, &e) == -1)
		ss_die(SS_EX_USAGE, "%s", e.msg);
	return v;
}

static int
enqueue(struct ss_ledger *l, const char *stage, long long n,
    struct ss_err *e)
{
	char id[32];
	long long i;

	if (ss_ledger_begin(l, e) == -1)
		return -1;
	for (i = 1; i <= n; i++) {
		snprintf(id, sizeof(id), "item-%05lld", i);
		if (ss_ledger_enqueue(l, stage, id, 0, e) == -1) {
			ss_ledger_rollback(l);
			return -1;
		}
	}
	return ss_ledger_commit(l, e);
}

static int
claim_worker(struct ss_ledger *l, const char *stage, struct ss_err *e)
{
	struct ss_item it;
	int r;

	for (;;) {
		if ((r = ss_ledger_claim_next(l, stage, &it, e)) == -1)
			return -1;
		if (r != SS_CLAIM_CLAIMED)
			break;
		printf("%s\n", it.id);
		r = ss_ledger_done(l, stage, it.id, ss_ledger_owner(l), "{}",
		    e);
		ss_item_release(&it);
		if (r == -1)
			return -1;
	}
	return 0;
}

static int
budget_taker(struct ss_ledger *l, const char *name, double count,
    double period, long long n, struct ss_err *e)
{
	long long i;

	for (i = 0; i < n; i++) {
		if (ss_budget_wait(l, name, count, period, 60, NULL, e) == -1)
			return -1;
		printf("%.6f\n", ss_now());
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct ss_ledger *l = NULL;
	struct ss_err e = SS_ERR_INIT;
	int r = -1;

	ss_init(argv[0]);
	if (argc < 4)
		ss_usage(usage, SS_EX_USAGE);
	if (ss_ledger_open(&l, argv[2], &e) == -1)
		goto out;
	if (strcmp(argv[1], "enqueue") == 0 && argc == 5)
		r = enqueue(l, argv[3], num(argv[4], 0, 10000000), &e);
	else if (strcmp(argv[1], "claim-worker") == 0 && argc == 4)
		r = claim_worker(l, argv[3], &e);
	else if (strcmp(argv[1], "budget-taker") == 0 && argc == 7)
		r = budget_taker(l, argv[3], (double)num(argv[4], 1, 1000000),
		    (double)num(argv[5], 1, 1000000), num(argv[6], 0, 1000000),
		    &e);
	else
		ss_usage(usage, SS_EX_USAGE);
out:
	ss_ledger_close(l);
	if (r == -1) {
		ss_error("%s", e.msg);
		return e.temporary ? SS_EX_TEMPFAIL : SS_EX_FATAL;
	}
	if (ss_output_close(&e) == -1) {
		ss_error("%s", e.msg);
		return SS_EX_FATAL;
	}
	return SS_EX_OK;
}
