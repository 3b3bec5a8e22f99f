/* test-tags: reads and writes tags through lib/tags for the shell tests. */
#include <fcntl.h>
#include <unistd.h>

#include <jv.h>

#include "ss.h"
#include "hash.h"
#include "tags.h"

/*
 * test-tags read [--pictures] FILE
 *	prints one JSON object: format, codec, bitrate, sample_rate,
 *	bits_per_sample, channels, duration_ms, tags {KEY: [values]},
 *	pictures [{mime, type, description, size, sha256}] (sha256 is null
 *	without --pictures)
 * test-tags write FILE [--clear] [--strip-v1] [--cover IMAGE] KEY=VALUE...
 *	repeat KEY for several values; a lone "KEY=" removes KEY
 * Errors: "test-tags: error: CODE: MESSAGE" on stderr, exit 1.
 */
static const char usage[] =
    "usage: test-tags read [--pictures] file\n"
    "       test-tags write file [--clear] [--strip-v1] [--cover image] "
    "key=value ...";

static int
fail(const struct ss_err *e)
{
	ss_error("%s: %s", e->code, e->msg);
	return 1;
}

static int
do_read(int argc, char **argv)
{
	struct ss_err e = SS_ERR_INIT;
	struct ss_tags t;
	unsigned flags = 0;
	const char *path = NULL;
	unsigned char md[SS_SHA256_LEN];
	char hex[SS_SHA256_HEXLEN + 1];
	jv out, tags, pics, vals, pic;
	size_t i, j;
	int k;

	for (k = 0; k < argc; k++) {
		if (strcmp(argv[k], "--pictures") == 0)
			flags |= SS_TAGS_PICTURE_DATA;
		else if (path == NULL)
			path = argv[k];
		else
			ss_usage(usage, SS_EX_USAGE);
	}
	if (path == NULL)
		ss_usage(usage, SS_EX_USAGE);
	if (ss_tags_read(path, &t, flags, &e) == -1)
		return fail(&e);

	tags = jv_object();
	for (i = 0; i < t.nprops; i++) {
		vals = jv_array();
		for (j = 0; j < t.props[i].nvalues; j++)
			vals = jv_array_append(vals,
			    jv_string(t.props[i].values[j]));
		tags = jv_object_set(tags, jv_string(t.props[i].key), vals);
	}
	pics = jv_array();
	for (i = 0; i < t.npictures; i++) {
		struct ss_picture *p = &t.pictures[i];

		pic = jv_object();
		pic = jv_object_set(pic, jv_string("mime"), jv_string(p->mime));
		pic = jv_object_set(pic, jv_string("type"), jv_number(p->type));
		pic = jv_object_set(pic, jv_string("description"),
		    jv_string(p->description));
		pic = jv_object_set(pic, jv_string("size"),
		    jv_number((double)p->size));
		if (p->data != NULL) {
			if (ss_sha256(p->data, p->size, md, &e) == -1) {
				jv_free(pic);
				jv_free(pics);
				jv_free(tags);
				ss_tags_release(&t);
				return fail(&e);
			}
			ss_hex(md, sizeof(md), hex);
			pic = jv_object_set(pic, jv_string("sha256"),
			    jv_string(hex));
		} else {
			pic = jv_object_set(pic, jv_string("sha256"),
			    jv_null());
		}
		pics = jv_array_append(pics, pic);
	}
	out = jv_object();
	out = jv_object_set(out, jv_string("format"), jv_string(t.format));
	out = jv_object_set(out, jv_string("codec"), jv_string(t.codec));
	out = jv_object_set(out, jv_string("bitrate"), jv_number(t.bitrate));
	out = jv_object_set(out, jv_string("sample_rate"),
	    jv_number(t.sample_rate));
	out = jv_object_set(out, jv_string("bits_per_sample"),
	    jv_number(t.bits_per_sample));
	out = jv_object_set(out, jv_string("channels"), jv_number(t.channels));
	out = jv_object_set(out, jv_string("duration_ms"),
	    jv_number((double)t.duration_ms));
	out = jv_object_set(out, jv_string("tags"), tags);
	out = jv_object_set(out, jv_string("pictures"), pics);
	ss_tags_release(&t);

	jv_dumpf(out, stdout, 0);
	putchar('\n');
	if (fflush(stdout) == EOF || ferror(stdout)) {
		ss_err_errno(&e, "write error on stdout");
		return fail(&e);
	}
	return 0;
}

static int
slurp(const char *path, struct sbuf *sb, struct ss_err *e)
{
	char buf[65536];
	ssize_t n;
	int fd, ret = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		ss_err_errno(e, "cannot open '%s'", path);
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			ss_err_errno(e, "cannot read '%s'", path);
			goto out;
		}
		sbuf_add(sb, buf, (size_t)n);
	}
	ret = 0;
out:
	if (fd != -1)
		close(fd);
	return ret;
}

static const char *
image_mime(const struct sbuf *sb)
{
	const unsigned char *p = (const unsigned char *)sb->buf;

	if (sb->len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (sb->len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (sb->len >= 6 && memcmp(p, "GIF8", 4) == 0)
		return "image/gif";
	return NULL;
}

/* Adds KEY=VALUE to props, merging a repeated key into one entry. */
static void
add_arg(struct ss_tag_prop **props, size_t *nprops, char *arg)
{
	char *eq = strchr(arg, '=');
	struct ss_tag_prop *p = NULL;
	size_t i;

	*eq = '\0';
	for (i = 0; i < *nprops; i++)
		if (strcmp((*props)[i].key, arg) == 0)
			p = &(*props)[i];
	if (p == NULL) {
		*props = xreallocarray(*props, *nprops + 1, sizeof(**props));
		p = &(*props)[(*nprops)++];
		p->key = arg;
		p->values = NULL;
		p->nvalues = 0;
	}
	if (eq[1] == '\0')
		return;
	p->values = xreallocarray(p->values, p->nvalues + 1,
	    sizeof(*p->values));
	p->values[p->nvalues++] = eq + 1;
}

static int
do_write(int argc, char **argv)
{
	struct ss_err e = SS_ERR_INIT;
	struct ss_tag_prop *props = NULL;
	struct ss_picture front;
	struct sbuf image = SBUF_INIT;
	const char *path = NULL, *cover = NULL;
	size_t nprops = 0, i;
	unsigned flags = 0;
	int k, ret = 1;

	for (k = 0; k < argc; k++) {
		if (strcmp(argv[k], "--clear") == 0)
			flags |= SS_TAGS_CLEAR;
		else if (strcmp(argv[k], "--strip-v1") == 0)
			flags |= SS_TAGS_STRIP_V1;
		else if (strcmp(argv[k], "--cover") == 0 && k + 1 < argc)
			cover = argv[++k];
		else if (path == NULL)
			path = argv[k];
		else if (strchr(argv[k], '=') != NULL)
			add_arg(&props, &nprops, argv[k]);
		else
			ss_usage(usage, SS_EX_USAGE);
	}
	if (path == NULL)
		ss_usage(usage, SS_EX_USAGE);
	memset(&front, 0, sizeof(front));
	if (cover != NULL) {
		if (slurp(cover, &image, &e) == -1)
			goto out;
		if ((front.mime = (char *)image_mime(&image)) == NULL) {
			ss_err_set(&e, "usage", 0,
			    "'%s': not a jpeg, png or gif image", cover);
			goto out;
		}
		front.type = SS_PICTURE_FRONT_COVER;
		front.data = (unsigned char *)image.buf;
		front.size = image.len;
	}
	if (ss_tags_write(path, props, nprops, flags,
	    cover != NULL ? &front : NULL, &e) == -1)
		goto out;
	ret = 0;
out:
	if (ret != 0)
		fail(&e);
	for (i = 0; i < nprops; i++)
		free(props[i].values);
	free(props);
	sbuf_release(&image);
	return ret;
}

int
main(int argc, char *argv[])
{
	ss_init(argv[0]);
	if (argc < 2)
		ss_usage(usage, SS_EX_USAGE);
	if (strcmp(argv[1], "read") == 0)
		return do_read(argc - 2, argv + 2);
	if (strcmp(argv[1], "write") == 0)
		return do_write(argc - 2, argv + 2);
	ss_usage(usage, SS_EX_USAGE);
}
