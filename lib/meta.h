/* meta.h: the record's "meta" fields as tag properties, and back. */
#ifndef SS_META_H
#define SS_META_H

#include <stddef.h>

#include <jv.h>

struct sbuf;
struct ss_err;
struct ss_tags;
struct ss_tag_prop;

/*
 * The fields of "meta" (the schema ss-enrich produces) and the property
 * each becomes, with the names Picard and beets write (TagLib turns a
 * property into the native form: ID3v2.4 frame or TXXX, Vorbis comment,
 * MP4 atom):
 *
 *   title TITLE, artist ARTIST, artists[] ARTISTS, album ALBUM,
 *   albumartist ALBUMARTIST, albumartists[] ALBUMARTISTS,
 *   track/tracktotal TRACKNUMBER (+TRACKTOTAL), disc/disctotal
 *   DISCNUMBER (+DISCTOTAL), date DATE, originaldate ORIGINALDATE,
 *   year DATE (only without date), genre[] GENRE, isrc ISRC, label
 *   LABEL, catalognumber CATALOGNUMBER, barcode BARCODE, media MEDIA,
 *   releasetype RELEASETYPE, releasestatus RELEASESTATUS,
 *   releasecountry RELEASECOUNTRY, compilation COMPILATION ("1"; false
 *   removes it), comment COMMENT, and under "musicbrainz": recording
 *   MUSICBRAINZ_TRACKID, track MUSICBRAINZ_RELEASETRACKID, release
 *   MUSICBRAINZ_ALBUMID, releasegroup MUSICBRAINZ_RELEASEGROUPID,
 *   artist[] MUSICBRAINZ_ARTISTID, albumartist[]
 *   MUSICBRAINZ_ALBUMARTISTID; under "spotify": id SPOTIFY_TRACKID, url
 *   AUDIOSOURCEWEBPAGE (ID3 WOAS).
 *
 * Track and disc numbers: Vorbis comments (flac, ogg, opus) get
 * TRACKNUMBER=3 and TRACKTOTAL=12 as Picard writes them; ID3 and MP4 get
 * TRACKNUMBER "3/12" (TRCK, trkn).  A value may be a string or a number
 * (numbers must be whole); a list field also takes a single string; a
 * field that is null, "" or [] is not given (--clear removes what is not
 * given).  Other keys of meta (sources, conflicts, ...) are ignored.
 */

/* The properties to write: owned, released by ss_meta_props_release. */
struct ss_meta_props {
	struct ss_tag_prop *v;
	size_t n;
	char **skipped;		/* keys the format cannot hold (MP4) */
	size_t nskipped;
};

/*
 * Fills *p (which need not be initialised) with the properties for meta
 * (borrowed) in format ("mp3", "flac", "ogg", "opus", "m4a"); lyrics (may
 * be NULL) becomes LYRICS.  cur (may be NULL) is the file's current tag,
 * used for a total given without its number on ID3/MP4.  Keys are
 * unique and sorted.  Returns 0, or -1 with e filled ("invalid": meta is
 * not an object, a field has the wrong type, a number is not whole or
 * not in 0..9999) and *p empty.
 */
int ss_meta_to_props(jv meta, const char *format, const char *lyrics,
    const struct ss_tags *cur, struct ss_meta_props *p, struct ss_err *e);
void ss_meta_props_release(struct ss_meta_props *p);

/*
 * The property key of t (NULL if absent) and a helper to find it:
 * the values of key in t, or NULL.
 */
const struct ss_tag_prop *ss_tags_find(const struct ss_tags *t,
    const char *key);

/*
 * A field for file name templates: appends the value of field name to
 * out, from meta (borrowed; may be jv_null()) else from the tags t (may
 * be NULL), and returns 1; returns 0 (out unchanged) if neither has it.
 * Names are the meta names above (list fields give their first value),
 * plus "year" (from date when not given), "musicbrainz_*" and
 * "spotify_*" for the nested ones.  -1 is never returned.
 */
int ss_meta_field(jv meta, const struct ss_tags *t, const char *name,
    struct sbuf *out);

/* 1 if name is a field ss_meta_field knows (templates check this). */
int ss_meta_field_known(const char *name);

#endif
