/* test-record: drives the record loop for the shell tests. */
#include <getopt.h>

#include "ss.h"
#include "record.h"

/*
 * test-record [-s KEY=VALUE] [FILE...]: each record gets KEY set to VALUE;
 * a record with "fail": true is failed in stage "test", one with
 * "tempfail": true stops the run with exit 75, "drop": true is dropped.
 */
static const char *set_key, *set_val;

static int
has_true(jv rec, const char *key)
{
	jv v = jv_object_get(jv_copy(rec), jv_string(key));
	int r = jv_get_kind(v) == JV_KIND_TRUE;

	jv_free(v);
	return r;
}

static int
handle(jv *rec, const char *where, void *arg)
{
	struct ss_err e = SS_ERR_INIT;

	if (has_true(*rec, "drop"))
		return SS_REC_DROP;
	if (has_true(*rec, "fail")) {
		ss_err_set(&e, "test", 0, "asked to fail at %s", where);
		return ss_rec_fail(rec, "test", &e);
	}
	if (has_true(*rec, "tempfail")) {
		ss_err_set(&e, "test", 1, "asked to stop at %s", where);
		ss_rec_fail(rec, "test", &e);
		return SS_REC_TEMPFAIL;
	}
	if (set_key)
		*rec = jv_object_set(*rec, jv_string(set_key),
		    jv_string(set_val));
	return SS_REC_EMIT;
}

int
main(int argc, char *argv[])
{
	char *eq;
	int ch;

	ss_init(argv[0]);
	while ((ch = getopt(argc, argv, "qs:v")) != -1) {
		switch (ch) {
		case 'q':
			ss_verbosity = -1;
			break;
		case 's':
			if ((eq = strchr(optarg, '=')) == NULL)
				ss_usage("usage: test-record [-qv] [-s key=value] [file ...]",
				    SS_EX_USAGE);
			*eq = '\0';
			set_key = optarg;
			set_val = eq + 1;
			break;
		case 'v':
			ss_verbosity++;
			break;
		default:
			ss_usage("usage: test-record [-qv] [-s key=value] [file ...]",
			    SS_EX_USAGE);
		}
	}
	return ss_record_loop(argv + optind, argc - optind, handle, NULL, NULL);
}
