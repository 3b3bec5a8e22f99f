/* tags.h: reading and writing audio tags and properties (TagLib inside). */
#ifndef SS_TAGS_H
#define SS_TAGS_H

#include <stddef.h>

struct ss_err;

/*
 * One property in TagLib's PropertyMap form: the key is upper case
 * ("TITLE", "ARTIST", "ALBUMARTIST", "TRACKNUMBER", "DATE",
 * "MUSICBRAINZ_TRACKID", "ISRC", ...), each value is UTF-8; a key may
 * have several values (two artists, two genres).
 */
struct ss_tag_prop {
	char *key;
	char **values;
	size_t nvalues;
};

/*
 * An embedded picture.  type is the ID3v2 APIC picture type (3 is the
 * front cover, 0 "other"); MP4 has no types, so every "covr" image reads
 * as 3.  data is NULL unless the picture was read with
 * SS_TAGS_PICTURE_DATA; size is always set.
 */
struct ss_picture {
	char *mime;
	int type;
	char *description;
	unsigned char *data;
	size_t size;
};

#define SS_PICTURE_FRONT_COVER 3

/*
 * What ss_tags_read found.  Strings are NUL-terminated; format is "mp3",
 * "flac", "ogg", "opus" or "m4a", codec is "mp3", "flac", "vorbis",
 * "opus", "aac" or "alac".  Numbers that the format does not know are 0
 * (bits_per_sample of lossy codecs).  sample_rate is the decoder's rate
 * (always 48000 for Opus).  props holds every property of the file's
 * main tag, in PropertyMap order (sorted by key); pictures every
 * embedded picture.  Everything is owned by the struct and freed by
 * ss_tags_release.
 */
struct ss_tags {
	char format[8];
	char codec[16];
	int bitrate;			/* kbit/s */
	int sample_rate;		/* Hz */
	int bits_per_sample;
	int channels;
	long long duration_ms;
	struct ss_tag_prop *props;
	size_t nprops;
	struct ss_picture *pictures;
	size_t npictures;
};

/* Flags for ss_tags_read and ss_tags_write. */
#define SS_TAGS_PICTURE_DATA 0x01	/* read: copy picture bytes too */
#define SS_TAGS_CLEAR 0x02	/* write: keep only the given properties */
#define SS_TAGS_STRIP_V1 0x04	/* write: drop ID3v1 and APE from MP3 */

/*
 * Reads the audio properties, tags and pictures of the file at path into
 * *t (which need not be initialised; on error it is left empty and need
 * not be released).  The format is chosen from the file's first bytes,
 * not its name.  Returns 0, or -1 with e filled:
 *   "io"         the file cannot be opened or read
 *   "not_audio"  not a file of a supported format, or one TagLib finds
 *                invalid (a truncated file may still read, with whatever
 *                properties its headers give)
 *   "internal"   TagLib failed unexpectedly
 */
int ss_tags_read(const char *path, struct ss_tags *t, unsigned flags,
    struct ss_err *e);

/*
 * The same, from the whole content of the file, len bytes at data, already
 * in memory (ss-scan has just read it to hash it): TagLib then makes no
 * system call.  path is only used in messages.  data NULL: read path.
 */
int ss_tags_read_mem(const char *path, const void *data, size_t len,
    struct ss_tags *t, unsigned flags, struct ss_err *e);

/* Frees what *t holds and zeroes it; harmless on a zeroed struct. */
void ss_tags_release(struct ss_tags *t);

/*
 * Rewrites the tags of the file at path, in place (atomic replacement is
 * the caller's job: write a copy, then rename).  Each of the nprops props
 * replaces all values of its key; a prop with nvalues 0 removes the key.
 * Other properties are kept, unless flags has SS_TAGS_CLEAR: then only
 * the given ones remain (pictures, and ID3 frames that are no property,
 * stay).  Pictures are kept, except that front != NULL (mime, e.g.
 * "image/jpeg" or "image/png", data and size; its type is ignored)
 * replaces every front cover with this one, stored as type 3.  Keys are
 * matched without regard to case and stored in upper case; values must
 * be UTF-8.  After setting, the tag is read back: a value the format
 * would store differently (a track number "three" in M4A) is refused
 * rather than changed.
 *
 * How each format is written: MP3 as ID3v2.4 (UTF-8 text; ID3v1 and APE
 * tags present are updated too, or dropped with SS_TAGS_STRIP_V1); FLAC
 * as a Vorbis comment and a PICTURE block; Ogg Vorbis and Opus as a
 * Vorbis comment with METADATA_BLOCK_PICTURE; M4A as iTunes atoms, the
 * picture as "covr" (which replaces every cover there).
 *
 * Returns 0, or -1 with e filled; the file is not touched unless the
 * error is "io" during the save itself:
 *   "io"           cannot open for writing, or the save failed
 *   "not_audio"    as for ss_tags_read
 *   "unsupported"  the format cannot hold some key or value (the keys
 *                  are named) or the picture's mime type; nothing is
 *                  written, so nothing is dropped silently
 *   "invalid"      a key that is empty, has '=' or is not printable
 *                  ASCII; a value or description that is not UTF-8; a
 *                  picture without mime type or data
 *   "internal"     TagLib failed unexpectedly
 */
int ss_tags_write(const char *path, const struct ss_tag_prop *props,
    size_t nprops, unsigned flags, const struct ss_picture *front,
    struct ss_err *e);

#endif
