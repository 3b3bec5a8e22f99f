/* path.h: hostile names under a root, safe file names, raw paths in JSON. */
#ifndef SS_PATH_H
#define SS_PATH_H

#include <stddef.h>

#include <jv.h>

struct sbuf;
struct ss_err;

/*
 * Joins the relative name rel under root so that the result can never
 * name anything outside root.  rel is hostile (a Soulseek file name, a
 * tag); it is rejected, with error code "escape", when
 *
 *   - it is NULL, contains a NUL byte (ss_path_join_n) or is absolute
 *     (starts with '/', including "//x")
 *   - any component is "..", even where it would stay inside root
 *     ("a/../b" is rejected: there is no reason for a name from outside
 *     to contain one)
 *   - any component, split at backslashes, has a ".." piece ("..\x",
 *     "a\..\b"): a backslash is an ordinary byte on Linux, but a share
 *     served to Windows or a copy to NTFS/exFAT can read it as a
 *     separator; otherwise backslashes are kept as they are
 *   - it is empty after normalisation ("", ".", "./", "//" rejected too)
 *   - rel is PATH_MAX bytes or longer, a component is longer than
 *     NAME_MAX (255) bytes, or the joined result is PATH_MAX bytes or
 *     longer
 *   - an existing component of the result under root is a symbolic link
 *     (including the last one): the existing prefix is walked with
 *     fstatat(AT_SYMLINK_NOFOLLOW) and openat(O_NOFOLLOW) from root;
 *     root itself may be (or pass through) a symbolic link
 *
 * "." components are dropped and repeated or trailing slashes collapsed;
 * names made only of dots other than "." and ".." (such as "...." or
 * "...") are ordinary names on Linux and accepted (use
 * ss_path_sanitize_component to make a library name portable).  root is
 * used as given except that trailing slashes are dropped ("/" stays).
 *
 * out is reset and receives "ROOT/A/B"; on error it is left empty.
 * Returns 0, or -1 with e filled: "escape" as above, "invalid" for a
 * NULL or empty root, "io" when walking the existing prefix fails for
 * another reason than "does not exist" (a missing root is not an error:
 * nothing below it exists yet).  The symbolic-link walk is a check at
 * the time of the call; it does not protect against a local user who
 * swaps a directory for a link afterwards.
 */
int ss_path_join(const char *root, const char *rel, struct sbuf *out,
    struct ss_err *e);
int ss_path_join_n(const char *root, const char *rel, size_t len,
    struct sbuf *out, struct ss_err *e);

/*
 * Appends a safe form of one file-name component (the len bytes at in)
 * to out, safe on ext4 and on FAT/exFAT/NTFS/SMB libraries alike:
 *
 *   - '/', '\', ':', '*', '?', '"', '<', '>', '|', control characters
 *     (U+0000-U+001F, U+007F-U+009F), bidirectional overrides and
 *     isolates (U+202A-U+202E, U+2066-U+2069) each become '_'
 *   - every byte that is not part of valid UTF-8 becomes '_' (not
 *     U+FFFD, which would take three bytes and look like text)
 *   - leading spaces and trailing dots and spaces are removed; a leading
 *     dot becomes '_' (no hidden files); an empty or all-dots result is
 *     "_", so the result is never "", "." or ".."
 *   - a Windows reserved device name (CON PRN AUX NUL CONIN$ CONOUT$
 *     COM0-COM9 LPT0-LPT9 COM1-3/LPT1-3 with superscript digits), in
 *     any case, alone or before the first dot ("con.txt", "Com1",
 *     "nul .tar.gz"), gets '_' appended to that part: "con_.txt"
 *   - the result is at most max bytes (255 for ss_path_sanitize_component),
 *     cut on a UTF-8 character boundary; when the name ends in an
 *     extension (a '.' not at the start followed by 1 to 15 ASCII letters
 *     or digits, at most max/2 bytes long) it is kept and the part
 *     before it is shortened instead; trailing dots and spaces left by
 *     the cut are removed
 *
 * max is clamped to [16, 255].  Unicode normalisation is not done here.
 * Returns 0 if the result equals the input, 1 if anything was changed.
 */
int ss_path_sanitize_component(const char *in, size_t len, struct sbuf *out);
int ss_path_sanitize_component_max(const char *in, size_t len, size_t max,
    struct sbuf *out);

/*
 * Paths are bytes; records are UTF-8 JSON (DESIGN.md section 3), and
 * libjq replaces invalid UTF-8 with U+FFFD.  These two carry any path
 * losslessly:
 *
 * ss_rec_set_path sets (*obj)[key] to the len bytes at path when they are
 * valid UTF-8, and removes a stale key "KEY_b64".  Otherwise (*obj)[key]
 * gets a display form (each invalid byte as U+FFFD) and "KEY_b64" the
 * base64 (RFC 4648, padded) of the raw bytes.  *obj must be an object;
 * it is replaced by the updated object (jv semantics).  len < INT_MAX.
 *
 * ss_rec_get_path resets out and fills it with the path stored under key
 * in obj (borrowed, not consumed): from "KEY_b64" when that is present
 * and not null (it must then be a string of strict base64), else from
 * the string at key.  Returns 0, or -1 with e filled: "missing" when
 * neither is there (or obj is not an object), "parse" for bad base64, a
 * non-string value, an empty path or one containing a NUL byte.
 */
/*
 * Appends the display form of a path to out: its invalid UTF-8 bytes
 * each replaced by U+FFFD (what "path" holds when "path_b64" is needed).
 */
void ss_path_display(const char *path, size_t len, struct sbuf *out);

void ss_rec_set_path(jv *obj, const char *key, const char *path, size_t len);
int ss_rec_get_path(jv obj, const char *key, struct sbuf *out,
    struct ss_err *e);

#endif
