/* audio.h: what an audio file's own bytes say: format, payload hash, wholeness. */
#ifndef SS_AUDIO_H
#define SS_AUDIO_H

#include <sys/types.h>

#include "hash.h"
#include "xxh64.h"

struct ss_err;

/*
 * ss-scan reads every file once; this module rides along on that read
 * (through the chunk hook of ss_hash_fd) and works out, without TagLib:
 *
 *   format      "mp3", "flac", "ogg" (Vorbis), "opus" or "m4a" from the
 *               content, or "" when the bytes are none of these
 *   audio hash  an XXH64 (16 hex digits) of the audio payload only, so
 *               that copies of one encoding with different tags hash the
 *               same (a fast hash for grouping: whoever acts on a match
 *               compares the payloads themselves first):
 *                 mp3   the bytes between the ID3v2 tag(s) at the start
 *                       and the ID3v1 / APEv2 / Lyrics3v2 trailers
 *                 flac  the STREAMINFO MD5 of the decoded audio when the
 *                       encoder set it, else the bytes after the metadata
 *                       blocks
 *                 ogg, opus  the bytes of every audio packet (the header
 *                       packets, where the tags live, and the page
 *                       framing, which retagging renumbers, are left out)
 *                 m4a   the payload of the 'mdat' box(es)
 *   broken      NULL, or why the file is not whole:
 *                 "no_audio_frames"  no MPEG frame, no Ogg audio packet,
 *                                    an empty 'mdat'
 *                 "truncated"        the file ends before its own headers
 *                                    say it should (an MPEG frame cut
 *                                    short or fewer frames than the Xing/
 *                                    VBRI header counts; a FLAC whose
 *                                    last frame fails its CRC or ends
 *                                    before STREAMINFO's total samples;
 *                                    an Ogg stream ending inside a page
 *                                    or without an end-of-stream page; an
 *                                    MP4 box running past the end or no
 *                                    'moov')
 *                 "corrupt"          damage in the middle (an Ogg page
 *                                    without its capture pattern or
 *                                    failing its CRC)
 *
 * Use:
 *   struct ss_audio a;
 *   if (ss_audio_begin(&a, fd, size, e) == -1) ...   (preads head, tail)
 *   ss_hash_fd(fd, sha, ss_audio_feed, &a, e);       (one sequential read)
 *   ss_audio_end(&a, fd, &result, e);                (a few preads)
 * ss_audio_end (or ss_audio_release, for a caller that gives up) frees
 * what begin allocated.  The chunks must start at offset 0 and follow
 * each other, as ss_hash_fd hands them out.
 */

struct ss_audio_result {
	char format[8];
	char audio_hash[17];			/* "" when there is none */
	char payload_sha256[SS_SHA256_HEXLEN + 1];	/* strong mode only */
	const char *broken;			/* static string or NULL */
	char detail[160];			/* for a person; "" if whole */
};

/* The state; the fields are private to audio.c. */
struct ss_audio {
	char format[8];
	off_t size;
	const unsigned char *mem;	/* the whole file, or NULL: use fd */
	int kind;
	off_t pay_start, pay_end;	/* hashed range (mp3, plain flac) */
	int hash_range;			/* 1: hash [pay_start, pay_end) */
	struct ss_xxh64 hash;
	struct ss_sha256 sha;		/* strong mode */
	int strong;
	unsigned char md5[16];		/* flac STREAMINFO */
	int md5_set;
	/* mp3 frame walk */
	off_t next;
	unsigned char carry[4];
	off_t carry_off;
	size_t carry_n;
	long long frames, xing_frames, junk;
	unsigned char first_hdr[4];
	/* flac */
	unsigned long long total_samples;
	unsigned min_block, max_block, max_frame, sample_rate, channels, bps;
	/* ogg page walk */
	unsigned char page[27 + 255];
	size_t page_have, page_need;
	unsigned seg, nsegs;
	size_t seg_left;
	int in_body, last_eos, nheaders, packets_done;
	long long audio_packets, pages;
	off_t corrupt_at, bad_crc_at, page_off;
	unsigned long crc;
	/* mp4 */
	off_t mdat[16][2];
	int nmdat;
	/* what begin found wrong already */
	const char *broken;
	char detail[160];
};

/*
 * Looks at the first bytes and the trailers of the file open on fd (size
 * bytes long) and gets ready for ss_audio_feed.  Returns 0 (a->format is
 * "" when the content is no known audio format; feeding is then a no-op),
 * or -1 with e filled ("io") when a read fails.
 */
int ss_audio_begin(struct ss_audio *a, int fd, off_t size,
    struct ss_err *e);

/*
 * The same for a file whose size bytes are all at data (a small file read
 * whole): no read at all.  Feed it data once, then call ss_audio_end with
 * fd -1; data must stay valid until then.
 */
int ss_audio_begin_mem(struct ss_audio *a, const unsigned char *data,
    off_t size, struct ss_err *e);

/* The chunk hook: pass it and a to ss_hash_fd. */
void ss_audio_feed(const unsigned char *p, size_t n, off_t off, void *arg);

/*
 * Finishes: the audio hash and the verdict into *r.  fd is used for the
 * last checks (the FLAC tail).  Returns 0, or -1 with e filled.  Frees
 * the state either way.
 */
int ss_audio_end(struct ss_audio *a, int fd, struct ss_audio_result *r,
    struct ss_err *e);

void ss_audio_release(struct ss_audio *a);

/*
 * The SHA-256 of the audio payload of the file at path (the same bytes
 * the audio hash covers), as 64 hex digits: what a program checks before
 * it acts on two files having the same fast audio hash.  Returns 0, or -1
 * with e filled ("io", "not_audio").
 */
int ss_audio_payload_sha256(const char *path,
    char out[SS_SHA256_HEXLEN + 1], struct ss_err *e);

/*
 * The format the first n bytes at p show ("mp3", "flac", "ogg", "opus",
 * "m4a"), or "" when none.  An ID3v2 tag at the start is looked through
 * only if its whole length is within n.
 */
const char *ss_audio_sniff(const unsigned char *p, size_t n);

#endif
