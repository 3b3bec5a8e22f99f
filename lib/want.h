/* want.h: the "want" of a record: a wanted track and its stable id. */
#ifndef SS_WANT_H
#define SS_WANT_H

#include <jv.h>

struct sbuf;

/*
 * A want object has the keys title, artists (array of strings), artist,
 * album, albumartist, duration_ms, isrc, track, disc, year, spotify
 * ({id, uri, album_id} or null) and source ({kind, playlist,
 * playlist_name, position, added_at}); unknown values are null.
 *
 * ss_want_complete consumes want (an object with any of those keys) and
 * returns it with every key present: artists made from artist (one
 * element) or artist from artists (joined with ", "), albumartist from
 * the first artist when unknown, empty strings turned into null, the
 * ISRC upper-cased without dashes or blanks.
 */
jv ss_want_complete(jv want);

/*
 * The record id of want (borrowed) into out (replaced), per DESIGN.md
 * section 3: "spotify:track:ID" when spotify.id is known, else
 * "isrc:ISRC", else "want:" and 32 hex digits of the SHA-256 of the
 * folded (ss_fold: NFKC, case folded, punctuation blurred) first artist,
 * title and album, separated by tabs.  Returns 0, or -1 when want has
 * neither a title nor an id to go by.
 */
int ss_want_id(jv want, struct sbuf *out);

/*
 * The record {id, want} made of want (consumed, completed first), or an
 * invalid jv (jv_invalid) if it has no id (see ss_want_id).
 */
jv ss_want_record(jv want);

/*
 * Recognises a Spotify reference in s: "spotify:KIND:ID",
 * "https://open.spotify.com/[intl-xx/]KIND/ID[?...]".  Returns 1 and
 * fills kind (e.g. "track", "playlist", "album") and id (22 base62
 * characters) when it is one, else 0.
 */
int ss_spotify_ref(const char *s, char kind[16], char id[32]);

#endif
