/* audio.c: audio payload hash and integrity checks for mp3, flac, ogg, mp4. */
#include <sys/stat.h>

#include <fcntl.h>
#include <unistd.h>

#include "ss.h"
#include "audio.h"
#include "hash.h"
#include "xxh64.h"

enum { K_NONE, K_MP3, K_FLAC, K_OGG, K_MP4 };

#define HEAD_SIZE 4096

static unsigned long
be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
	    (unsigned long)p[2] << 8 | p[3];
}

static unsigned long
le32(const unsigned char *p)
{
	return (unsigned long)p[3] << 24 | (unsigned long)p[2] << 16 |
	    (unsigned long)p[1] << 8 | p[0];
}

/*
 * pread that retries short reads; returns bytes read (< n only at EOF).
 * From the file's bytes in memory when ss_audio_begin_mem was used.
 */
static ssize_t
read_at(const struct ss_audio *a, int fd, void *buf, size_t n, off_t off)
{
	size_t got = 0;
	ssize_t r;

	if (a->mem != NULL) {
		if (off >= a->size)
			return 0;
		if ((off_t)n > a->size - off)
			n = (size_t)(a->size - off);
		memcpy(buf, a->mem + off, n);
		return (ssize_t)n;
	}
	while (got < n) {
		r = pread(fd, (char *)buf + got, n - got, off + (off_t)got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static void
set_broken(struct ss_audio *a, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_broken(struct ss_audio *a, const char *reason, const char *fmt, ...)
{
	va_list ap;

	if (a->broken != NULL)
		return;		/* the first finding is the one to report */
	a->broken = reason;
	va_start(ap, fmt);
	vsnprintf(a->detail, sizeof(a->detail), fmt, ap);
	va_end(ap);
}

/* ---- MPEG audio frames ---- */

static const unsigned short mp3_kbps[2][3][16] = {
	{	/* MPEG-1: layer I, II, III */
		{ 0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384,
		  416, 448, 0 },
		{ 0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
		  384, 0 },
		{ 0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256,
		  320, 0 },
	}, {	/* MPEG-2 and 2.5 */
		{ 0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224,
		  256, 0 },
		{ 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160,
		  0 },
		{ 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160,
		  0 },
	},
};

static const unsigned mp3_rates[4][3] = {
	{ 11025, 12000, 8000 },		/* MPEG-2.5 */
	{ 0, 0, 0 },			/* reserved */
	{ 22050, 24000, 16000 },	/* MPEG-2 */
	{ 44100, 48000, 32000 },	/* MPEG-1 */
};

/* The length of the frame whose header is h, or 0 if h is no header. */
static unsigned
mp3_frame_len(const unsigned char *h)
{
	unsigned ver, layer, bri, sri, pad, kbps, rate;

	if (h[0] != 0xff || (h[1] & 0xe0) != 0xe0)
		return 0;
	ver = (h[1] >> 3) & 3;
	layer = (h[1] >> 1) & 3;
	bri = h[2] >> 4;
	sri = (h[2] >> 2) & 3;
	pad = (h[2] >> 1) & 1;
	if (ver == 1 || layer == 0 || bri == 0 || bri == 15 || sri == 3)
		return 0;
	kbps = mp3_kbps[ver == 3 ? 0 : 1][3 - layer][bri];
	rate = mp3_rates[ver][sri];
	if (layer == 3)		/* layer I */
		return (12 * kbps * 1000 / rate + pad) * 4;
	if (layer == 1 && ver != 3)	/* layer III, MPEG-2/2.5 */
		return 72 * kbps * 1000 / rate + pad;
	return 144 * kbps * 1000 / rate + pad;
}

/* Same stream as the first frame: version, layer and sample rate agree. */
static int
mp3_same_stream(const unsigned char *first, const unsigned char *h)
{
	return (first[1] & 0x1e) == (h[1] & 0x1e) &&
	    (first[2] & 0x0c) == (h[2] & 0x0c);
}

/* Frame count from a Xing/Info or VBRI header in the frame at f, or -1. */
static long long
mp3_vbr_frames(const unsigned char *f, size_t n)
{
	unsigned ver = (f[1] >> 3) & 3, mono = (f[3] >> 6) == 3;
	size_t side = ver == 3 ? (mono ? 17 : 32) : (mono ? 9 : 17);
	const unsigned char *x = f + 4 + side;

	if (4 + side + 12 <= n && (memcmp(x, "Xing", 4) == 0 ||
	    memcmp(x, "Info", 4) == 0) && (be32(x + 4) & 1))
		return (long long)be32(x + 8);
	if (36 + 18 <= n && memcmp(f + 36, "VBRI", 4) == 0)
		return (long long)be32(f + 36 + 14);
	return -1;
}

/* Two frames in a row at p (n bytes): the content is MPEG audio. */
static int
mp3_sync_at(const unsigned char *p, size_t n)
{
	unsigned len = mp3_frame_len(p);

	return len != 0 && len + 4 <= n && mp3_frame_len(p + len) != 0 &&
	    mp3_same_stream(p, p + len);
}

static size_t
id3v2_len(const unsigned char *p, size_t n)
{
	size_t len;

	if (n < 10 || memcmp(p, "ID3", 3) != 0 || p[3] == 0xff ||
	    ((p[6] | p[7] | p[8] | p[9]) & 0x80))
		return 0;
	len = 10 + ((size_t)p[6] << 21 | (size_t)p[7] << 14 |
	    (size_t)p[8] << 7 | p[9]);
	if (p[5] & 0x10)
		len += 10;	/* footer */
	return len;
}

/* ---- FLAC frame headers ---- */

static unsigned char
crc8(const unsigned char *p, size_t n)
{
	unsigned crc = 0;
	size_t i;
	int b;

	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (b = 0; b < 8; b++)
			crc = crc & 0x80 ? (crc << 1) ^ 0x07 : crc << 1;
		crc &= 0xff;
	}
	return (unsigned char)crc;
}

static unsigned
crc16(const unsigned char *p, size_t n)
{
	static unsigned table[256];
	static int ready;
	unsigned crc = 0, c, i;
	size_t k;
	int b;

	if (!ready) {
		for (i = 0; i < 256; i++) {
			c = i << 8;
			for (b = 0; b < 8; b++)
				c = c & 0x8000 ? (c << 1) ^ 0x8005 : c << 1;
			table[i] = c & 0xffff;
		}
		ready = 1;
	}
	for (k = 0; k < n; k++)
		crc = ((crc << 8) ^ table[((crc >> 8) ^ p[k]) & 0xff]) & 0xffff;
	return crc;
}

/*
 * Parses the FLAC frame header at p (n bytes available) against the
 * stream's STREAMINFO; on success sets the sample just after the frame.
 */
static int
flac_frame_end(const struct ss_audio *a, const unsigned char *p, size_t n,
    unsigned long long *end)
{
	static const unsigned rates[12] = { 0, 88200, 176400, 192000, 8000,
	    16000, 22050, 24000, 32000, 44100, 48000, 96000 };
	static const unsigned sizes[8] = { 0, 8, 12, 0, 16, 20, 24, 32 };
	unsigned bs_code, sr_code, ch, ss, blocksize, k, len;
	unsigned long long num;
	size_t i;

	if (n < 6 || p[0] != 0xff || (p[1] & 0xfe) != 0xf8 || (p[3] & 1))
		return -1;
	bs_code = p[2] >> 4;
	sr_code = p[2] & 15;
	ch = p[3] >> 4;
	ss = (p[3] >> 1) & 7;
	if (bs_code == 0 || sr_code == 15 || ch > 10 || ss == 3)
		return -1;
	if ((ch < 8 ? ch + 1 : 2) != a->channels)
		return -1;
	if (ss != 0 && sizes[ss] != a->bps)
		return -1;
	if (sr_code >= 1 && sr_code <= 11 && rates[sr_code] != a->sample_rate)
		return -1;
	/* the frame or sample number, UTF-8 style */
	i = 4;
	if (p[i] < 0x80) {
		num = p[i];
		len = 1;
	} else {
		for (len = 2; len <= 7; len++)
			if ((p[i] & (0x80 >> len)) == 0)
				break;
		if (len > 7 || (p[i] & 0x40) == 0)
			return -1;
		num = p[i] & (0x7f >> len);
		if (i + len > n)
			return -1;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return -1;
			num = num << 6 | (p[i + k] & 0x3f);
		}
	}
	i += len;
	if (bs_code == 1)
		blocksize = 192;
	else if (bs_code <= 5)
		blocksize = 576u << (bs_code - 2);
	else if (bs_code == 6 && i + 1 <= n)
		blocksize = p[i++] + 1u;
	else if (bs_code == 7 && i + 2 <= n) {
		blocksize = (unsigned)(p[i] << 8 | p[i + 1]) + 1;
		i += 2;
	} else if (bs_code >= 8)
		blocksize = 256u << (bs_code - 8);
	else
		return -1;
	if (sr_code == 12)
		i += 1;
	else if (sr_code == 13 || sr_code == 14)
		i += 2;
	if (i + 1 > n || crc8(p, i) != p[i])
		return -1;
	if (a->max_block && blocksize > a->max_block)
		return -1;
	if (p[1] & 1)		/* variable block size: a sample number */
		*end = num + blocksize;
	else
		*end = num * (a->max_block ? a->max_block : blocksize) +
		    blocksize;
	return 0;
}

/* ---- begin: formats, payload ranges, first looks ---- */

const char *
ss_audio_sniff(const unsigned char *p, size_t n)
{
	size_t skip = id3v2_len(p, n), i;

	if (skip > 0) {
		if (skip >= n)
			return "";
		p += skip;
		n -= skip;
		if (n >= 4 && memcmp(p, "fLaC", 4) == 0)
			return "flac";
		for (i = 0; i + 4 <= n && i < 2048; i++)
			if (mp3_sync_at(p + i, n - i))
				return "mp3";
		return "";
	}
	if (n >= 4 && memcmp(p, "fLaC", 4) == 0)
		return "flac";
	if (n >= 12 && memcmp(p + 4, "ftyp", 4) == 0)
		return "m4a";
	if (n >= 28 + 8 && memcmp(p, "OggS", 4) == 0 && p[26] > 0) {
		const unsigned char *body = p + 27 + p[26];

		if (body + 8 > p + n)
			return "";
		if (memcmp(body, "\001vorbis", 7) == 0)
			return "ogg";
		if (memcmp(body, "OpusHead", 8) == 0)
			return "opus";
		return "";
	}
	for (i = 0; i + 4 <= n && i < 2048; i++)
		if (mp3_sync_at(p + i, n - i))
			return "mp3";
	return "";
}

static int
begin_mp3(struct ss_audio *a, int fd, struct ss_err *e)
{
	unsigned char buf[HEAD_SIZE], t[32];
	off_t start = 0, end = a->size, prev;
	ssize_t n;
	size_t len;

	/* ID3v2 tags at the start, possibly more than one */
	for (;;) {
		if (start + 10 > a->size)
			break;
		if (read_at(a, fd, t, 10, start) != 10)
			return ss_err_errno(e, "read error");
		if ((len = id3v2_len(t, 10)) == 0)
			break;
		start += (off_t)len;
	}
	/* trailers: ID3v1, APEv2, Lyrics3v2, in any order */
	do {
		prev = end;
		if (end - start >= 128) {
			if (read_at(a, fd, t, 3, end - 128) != 3)
				return ss_err_errno(e, "read error");
			if (memcmp(t, "TAG", 3) == 0)
				end -= 128;
		}
		if (end - start >= 32) {
			if (read_at(a, fd, t, 32, end - 32) != 32)
				return ss_err_errno(e, "read error");
			if (memcmp(t, "APETAGEX", 8) == 0) {
				off_t tag = (off_t)le32(t + 12) +
				    (le32(t + 20) & 0x80000000ul ? 32 : 0);

				end = tag <= end - start ? end - tag : start;
			}
		}
		if (end - start >= 15) {
			if (read_at(a, fd, t, 15, end - 15) != 15)
				return ss_err_errno(e, "read error");
			if (memcmp(t + 6, "LYRICS200", 9) == 0) {
				off_t tag = 0;
				int i;

				for (i = 0; i < 6 && t[i] >= '0' && t[i] <= '9';
				    i++)
					tag = tag * 10 + (t[i] - '0');
				if (i == 6 && tag + 15 <= end - start)
					end -= tag + 15;
			}
		}
	} while (end != prev);
	a->pay_start = a->next = start;
	a->pay_end = end;
	a->hash_range = 1;
	a->xing_frames = -1;

	n = read_at(a, fd, buf, sizeof(buf), start);
	if (n == -1)
		return ss_err_errno(e, "read error");
	if ((size_t)n >= 4 && mp3_frame_len(buf) != 0) {
		memcpy(a->first_hdr, buf, 4);
		a->xing_frames = mp3_vbr_frames(buf, (size_t)n);
	}
	return 0;
}

static int
begin_flac(struct ss_audio *a, int fd, struct ss_err *e)
{
	unsigned char t[4], si[34];
	off_t pos = 0;
	size_t len;
	int last = 0, type, i;

	if (read_at(a, fd, t, 4, 0) != 4)
		return ss_err_errno(e, "read error");
	/* an ID3v2 tag some taggers put before "fLaC" */
	if (memcmp(t, "ID3", 3) == 0) {
		unsigned char h[10];

		if (read_at(a, fd, h, 10, 0) == 10)
			pos = (off_t)id3v2_len(h, 10);
	}
	pos += 4;	/* "fLaC" */
	while (!last) {
		if (pos + 4 > a->size) {
			set_broken(a, "truncated",
			    "metadata blocks run past the end");
			return 0;
		}
		if (read_at(a, fd, t, 4, pos) != 4)
			return ss_err_errno(e, "read error");
		last = t[0] & 0x80;
		type = t[0] & 0x7f;
		len = (size_t)t[1] << 16 | (size_t)t[2] << 8 | t[3];
		if (type == 0 && len >= 34) {
			if (read_at(a, fd, si, 34, pos + 4) != 34) {
				set_broken(a, "truncated",
				    "STREAMINFO runs past the end");
				return 0;
			}
			a->min_block = (unsigned)(si[0] << 8 | si[1]);
			a->max_block = (unsigned)(si[2] << 8 | si[3]);
			a->max_frame = (unsigned)(si[7] << 16 | si[8] << 8 |
			    si[9]);
			a->sample_rate = (unsigned)(si[10] << 12 |
			    si[11] << 4 | si[12] >> 4);
			a->channels = ((si[12] >> 1) & 7) + 1;
			a->bps = ((unsigned)(si[12] & 1) << 4 | si[13] >> 4) +
			    1;
			a->total_samples = (unsigned long long)(si[13] & 15) <<
			    32 | be32(si + 14);
			memcpy(a->md5, si + 18, 16);
			for (i = 0; i < 16; i++)
				if (a->md5[i] != 0)
					a->md5_set = 1;
		}
		pos += 4 + (off_t)len;
		if (pos > a->size) {
			set_broken(a, "truncated",
			    "metadata blocks run past the end");
			return 0;
		}
	}
	a->pay_start = pos;
	a->pay_end = a->size;
	/* an MD5 can be copied into any file: strong mode hashes frames */
	a->hash_range = !a->md5_set || a->strong;
	return 0;
}

static int
begin_mp4(struct ss_audio *a, int fd, struct ss_err *e)
{
	unsigned char t[16];
	off_t pos = 0, len, hdr;
	int moov = 0;

	while (pos + 8 <= a->size) {
		if (read_at(a, fd, t, 16, pos) < 8)
			return ss_err_errno(e, "read error");
		len = (off_t)be32(t);
		hdr = 8;
		if (len == 1) {
			if (pos + 16 > a->size)
				break;
			len = (off_t)((unsigned long long)be32(t + 8) << 32 |
			    be32(t + 12));
			hdr = 16;
		} else if (len == 0) {
			len = a->size - pos;
		}
		if (len < hdr) {
			set_broken(a, "corrupt", "bad box size at offset %lld",
			    (long long)pos);
			return 0;
		}
		if (len > a->size - pos) {
			set_broken(a, "truncated",
			    "box '%.4s' runs %lld bytes past the end",
			    (const char *)t + 4,
			    (long long)(len - (a->size - pos)));
			return 0;
		}
		if (memcmp(t + 4, "moov", 4) == 0)
			moov = 1;
		if (memcmp(t + 4, "mdat", 4) == 0 && a->nmdat < 16) {
			a->mdat[a->nmdat][0] = pos + hdr;
			a->mdat[a->nmdat][1] = pos + len;
			a->nmdat++;
		}
		pos += len;
	}
	if (!moov)
		set_broken(a, "truncated", "no 'moov' box");
	return 0;
}

/* strong: SHA-256 of the payload, and FLAC frames even with an MD5 set. */
static int
begin(struct ss_audio *a, int fd, const unsigned char *mem, off_t size,
    int strong, struct ss_err *e)
{
	unsigned char head[HEAD_SIZE];
	const char *fmt;
	ssize_t n;
	size_t len;

	memset(a, 0, sizeof(*a));
	a->mem = mem;
	a->size = size;
	a->strong = strong;
	n = read_at(a, fd, head, sizeof(head), 0);
	if (n == -1)
		return ss_err_errno(e, "read error");
	fmt = ss_audio_sniff(head, (size_t)n);
	if (*fmt == '\0' && (len = id3v2_len(head, (size_t)n)) > 0 &&
	    (off_t)len < size) {
		/* a tag longer than the head (a big cover): look past it */
		n = read_at(a, fd, head, sizeof(head), (off_t)len);
		if (n == -1)
			return ss_err_errno(e, "read error");
		if (n >= 4 && memcmp(head, "fLaC", 4) == 0)
			fmt = "flac";
		else
			for (len = 0; len + 4 <= (size_t)n && len < 2048;
			    len++)
				if (mp3_sync_at(head + len, (size_t)n - len)) {
					fmt = "mp3";
					break;
				}
	}
	snprintf(a->format, sizeof(a->format), "%s", fmt);
	if (strcmp(fmt, "mp3") == 0) {
		a->kind = K_MP3;
		if (begin_mp3(a, fd, e) == -1)
			return -1;
	} else if (strcmp(fmt, "flac") == 0) {
		a->kind = K_FLAC;
		if (begin_flac(a, fd, e) == -1)
			return -1;
	} else if (strcmp(fmt, "ogg") == 0 || strcmp(fmt, "opus") == 0) {
		a->kind = K_OGG;
		a->page_need = 27;
		a->corrupt_at = -1;
		a->bad_crc_at = -1;
	} else if (strcmp(fmt, "m4a") == 0) {
		a->kind = K_MP4;
		if (begin_mp4(a, fd, e) == -1)
			return -1;
	}
	if (a->kind != K_NONE)
		ss_xxh64_init(&a->hash, 0);
	if (a->kind != K_NONE && a->strong &&
	    ss_sha256_init(&a->sha, e) == -1)
		return -1;
	if (a->kind == K_NONE)
		a->strong = 0;
	return 0;
}

int
ss_audio_begin(struct ss_audio *a, int fd, off_t size, struct ss_err *e)
{
	return begin(a, fd, NULL, size, 0, e);
}

int
ss_audio_begin_mem(struct ss_audio *a, const unsigned char *data,
    off_t size, struct ss_err *e)
{
	return begin(a, -1, data, size, 0, e);
}

/* ---- feeding: one pass over the file ---- */

/* Audio payload bytes: into the fast hash, or SHA-256 in strong mode. */
static void
payload(struct ss_audio *a, const void *p, size_t n)
{
	if (a->strong)
		ss_sha256_update(&a->sha, p, n);
	else
		ss_xxh64_update(&a->hash, p, n);
}

static void
hash_range(struct ss_audio *a, const unsigned char *p, size_t n, off_t off,
    off_t lo, off_t hi)
{
	off_t s = off > lo ? off : lo;
	off_t t = off + (off_t)n < hi ? off + (off_t)n : hi;

	if (s < t)
		payload(a, p + (s - off), (size_t)(t - s));
}

static unsigned char
byte_at(const struct ss_audio *a, const unsigned char *p, off_t off,
    off_t pos)
{
	return pos >= off ? p[pos - off] : a->carry[pos - a->carry_off];
}

static void
feed_mp3(struct ss_audio *a, const unsigned char *p, size_t n, off_t off)
{
	off_t end = off + (off_t)n;
	unsigned char h[4];
	unsigned len;
	int i, have_first = a->first_hdr[0] == 0xff;

	hash_range(a, p, n, off, a->pay_start, a->pay_end);
	while (a->next < a->pay_end && a->next + 4 <= end) {
		for (i = 0; i < 4; i++)
			h[i] = byte_at(a, p, off, a->next + i);
		len = mp3_frame_len(h);
		if (len != 0 && have_first && !mp3_same_stream(a->first_hdr,
		    h))
			len = 0;
		if (len == 0) {
			a->next++;
			a->junk++;
			continue;
		}
		if (!have_first) {
			memcpy(a->first_hdr, h, 4);
			have_first = 1;
		}
		a->frames++;
		a->next += len;
	}
	/* keep the bytes a header straddling into the next chunk needs */
	if (a->next < end && a->next < a->pay_end) {
		for (i = 0; a->next + i < end; i++)
			h[i] = byte_at(a, p, off, a->next + i);
		memcpy(a->carry, h, (size_t)i);
		a->carry_off = a->next;
		a->carry_n = (size_t)i;
	}
}

static void
ogg_page_done(struct ss_audio *a)
{
	if (a->crc != le32(a->page + 22) && a->corrupt_at < 0 &&
	    a->bad_crc_at < 0)
		a->bad_crc_at = a->page_off;
	a->in_body = 0;
	a->page_have = 0;
	a->page_need = 27;
	a->pages++;
}

/* Ogg's CRC-32: polynomial 0x04c11db7, MSB first, no reflection. */
static unsigned long
ogg_crc(unsigned long crc, const unsigned char *p, size_t n)
{
	static unsigned long table[256];
	static int ready;
	unsigned long c;
	size_t i;
	int b;

	if (!ready) {
		for (i = 0; i < 256; i++) {
			c = (unsigned long)i << 24;
			for (b = 0; b < 8; b++)
				c = c & 0x80000000ul ? (c << 1) ^ 0x04c11db7ul :
				    c << 1;
			table[i] = c & 0xfffffffful;
		}
		ready = 1;
	}
	for (i = 0; i < n; i++)
		crc = ((crc << 8) ^ table[((crc >> 24) ^ p[i]) & 0xff]) &
		    0xfffffffful;
	return crc;
}

/* Ends the segments of zero length (and packets) now due. */
static void
ogg_drain(struct ss_audio *a)
{
	unsigned v;

	while (a->in_body && a->seg_left == 0) {
		v = a->page[27 + a->seg];
		if (v < 255) {
			if (a->packets_done >= a->nheaders)
				a->audio_packets++;
			a->packets_done++;
		}
		if (++a->seg == a->nsegs)
			ogg_page_done(a);
		else
			a->seg_left = a->page[27 + a->seg];
	}
}

static void
feed_ogg(struct ss_audio *a, const unsigned char *p, size_t n, off_t off)
{
	size_t i = 0, take;

	while (i < n && a->corrupt_at < 0) {
		if (!a->in_body) {
			take = a->page_need - a->page_have;
			if (take > n - i)
				take = n - i;
			memcpy(a->page + a->page_have, p + i, take);
			a->page_have += take;
			i += take;
			if (a->page_have < a->page_need)
				break;
			if (a->page_need == 27) {
				if (memcmp(a->page, "OggS", 4) != 0 ||
				    a->page[4] != 0) {
					a->corrupt_at = off + (off_t)i - 27;
					break;
				}
				a->page_need = 27 + a->page[26];
				if (a->page[26] > 0)
					continue;
			}
			/* whole header: the segment table is known */
			a->page_off = off + (off_t)i - (off_t)a->page_need;
			{
				unsigned char zero[4] = { 0, 0, 0, 0 };

				a->crc = ogg_crc(0, a->page, 22);
				a->crc = ogg_crc(a->crc, zero, 4);
				a->crc = ogg_crc(a->crc, a->page + 26,
				    a->page_need - 26);
			}
			if ((a->page[5] & 0x02) && a->pages > 0)
				a->packets_done = 0;	/* a new chained link */
			a->last_eos = (a->page[5] & 0x04) != 0;
			a->nsegs = a->page[26];
			a->seg = 0;
			a->seg_left = a->nsegs ? a->page[27] : 0;
			a->in_body = 1;
			if (a->nsegs == 0)
				ogg_page_done(a);
			else
				ogg_drain(a);
			continue;
		}
		/* body: segment after segment */
		take = a->seg_left < n - i ? a->seg_left : n - i;
		if (a->packets_done >= a->nheaders)
			payload(a, p + i, take);
		a->crc = ogg_crc(a->crc, p + i, take);
		a->seg_left -= take;
		i += take;
		ogg_drain(a);
	}
}

void
ss_audio_feed(const unsigned char *p, size_t n, off_t off, void *arg)
{
	struct ss_audio *a = arg;
	int i;

	switch (a->kind) {
	case K_MP3:
		feed_mp3(a, p, n, off);
		break;
	case K_FLAC:
		if (a->hash_range)
			hash_range(a, p, n, off, a->pay_start, a->pay_end);
		break;
	case K_OGG:
		if (off == 0)
			a->nheaders = strcmp(a->format, "opus") == 0 ? 2 : 3;
		feed_ogg(a, p, n, off);
		break;
	case K_MP4:
		for (i = 0; i < a->nmdat; i++)
			hash_range(a, p, n, off, a->mdat[i][0], a->mdat[i][1]);
		break;
	default:
		break;
	}
}

/* ---- end: verdicts ---- */

static void
end_mp3(struct ss_audio *a)
{
	long long audio_frames = a->frames;

	if (a->frames == 0) {
		set_broken(a, "no_audio_frames", "no MPEG audio frame found");
		return;
	}
	if (a->next > a->pay_end) {
		set_broken(a, "truncated",
		    "the last MPEG frame is cut short by %lld bytes",
		    (long long)(a->next - a->pay_end));
		return;
	}
	if (a->xing_frames >= 0) {
		audio_frames--;		/* the Xing/VBRI frame itself */
		if (audio_frames < a->xing_frames)
			set_broken(a, "truncated",
			    "%lld MPEG frames, the VBR header says %lld",
			    audio_frames, a->xing_frames);
	}
}

static int
end_flac(struct ss_audio *a, int fd, struct ss_err *e)
{
	unsigned long long last_end;
	unsigned char *buf;
	size_t want, n, i;
	ssize_t got;
	off_t from;
	int found = 0, rc = 0;

	if (a->broken != NULL)
		return 0;
	if (a->pay_start >= a->size) {
		set_broken(a, "no_audio_frames", "no FLAC frame after the "
		    "metadata");
		return 0;
	}
	want = a->max_frame ? 2 * (size_t)a->max_frame + 64 : 1 << 20;
	if (want < 65536)
		want = 65536;
	if ((off_t)want > a->size - a->pay_start)
		want = (size_t)(a->size - a->pay_start);
	from = a->size - (off_t)want;
	buf = xmalloc(want);
	got = read_at(a, fd, buf, want, from);
	if (got != (ssize_t)want) {
		rc = ss_err_errno(e, "read error");
		goto out;
	}
	n = want;
	/* the last frame: the highest header whose CRC-16 runs to the end */
	for (i = n - 2; i-- > 0;) {
		if (buf[i] != 0xff || (buf[i + 1] & 0xfe) != 0xf8)
			continue;
		if (flac_frame_end(a, buf + i, n - i, &last_end) == -1)
			continue;
		if (crc16(buf + i, n - i - 2) !=
		    (unsigned)(buf[n - 2] << 8 | buf[n - 1]))
			continue;
		found = 1;
		break;
	}
	if (!found)
		set_broken(a, "truncated", "the last FLAC frame is incomplete");
	else if (a->total_samples && last_end < a->total_samples)
		set_broken(a, "truncated",
		    "the last FLAC frame ends at sample %llu of %llu",
		    last_end, a->total_samples);
out:
	free(buf);
	return rc;
}

static void
end_ogg(struct ss_audio *a)
{
	if (a->corrupt_at >= 0)
		set_broken(a, "corrupt", "no Ogg page at offset %lld",
		    (long long)a->corrupt_at);
	else if (a->bad_crc_at >= 0)
		set_broken(a, "corrupt", "the Ogg page at offset %lld fails "
		    "its CRC", (long long)a->bad_crc_at);
	else if (a->in_body || a->page_have > 0)
		set_broken(a, "truncated", "the stream ends inside a page");
	else if (a->audio_packets == 0)
		set_broken(a, "no_audio_frames", "no audio packet");
	else if (!a->last_eos)
		set_broken(a, "truncated",
		    "the last page is not marked end-of-stream");
}

static void
end_mp4(struct ss_audio *a)
{
	off_t total = 0;
	int i;

	for (i = 0; i < a->nmdat; i++)
		total += a->mdat[i][1] - a->mdat[i][0];
	if (total == 0)
		set_broken(a, "no_audio_frames", "no audio data ('mdat')");
}

void
ss_audio_release(struct ss_audio *a)
{
	if (a->strong)
		ss_sha256_release(&a->sha);
	a->strong = 0;
	a->kind = K_NONE;
}

int
ss_audio_payload_sha256(const char *path, char out[SS_SHA256_HEXLEN + 1],
    struct ss_err *e)
{
	struct ss_audio_result r;
	struct ss_audio a;
	unsigned char sum[SS_SHA256_LEN];
	struct stat st;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return ss_err_errno(e, "'%s'", path);
	if (fstat(fd, &st) == -1) {
		ss_err_errno(e, "'%s'", path);
		goto out;
	}
	if (begin(&a, fd, NULL, st.st_size, 1, e) == -1) {
		ss_audio_release(&a);
		goto out;
	}
	if (a.kind == K_NONE) {
		ss_err_set(e, "not_audio", 0, "'%s': not an audio file", path);
		goto out;
	}
	if (ss_hash_fd(fd, sum, ss_audio_feed, &a, e) == -1) {
		ss_audio_release(&a);
		goto out;
	}
	if (ss_audio_end(&a, fd, &r, e) == -1)
		goto out;
	memcpy(out, r.payload_sha256, SS_SHA256_HEXLEN + 1);
	rc = 0;
out:
	close(fd);
	return rc;
}

int
ss_audio_end(struct ss_audio *a, int fd, struct ss_audio_result *r,
    struct ss_err *e)
{
	int rc = 0;

	memset(r, 0, sizeof(*r));
	snprintf(r->format, sizeof(r->format), "%s", a->format);
	switch (a->kind) {
	case K_MP3:
		end_mp3(a);
		break;
	case K_FLAC:
		rc = end_flac(a, fd, e);
		if (a->md5_set && !a->strong) {
			/* the decoded audio's own MD5 stands for the payload */
			payload(a, "flac-md5:", 9);
			payload(a, a->md5, sizeof(a->md5));
		}
		break;
	case K_OGG:
		end_ogg(a);
		break;
	case K_MP4:
		end_mp4(a);
		break;
	default:
		return 0;
	}
	if (rc == 0 && a->strong) {
		unsigned char sum[SS_SHA256_LEN];

		a->strong = 0;
		if (ss_sha256_final(&a->sha, sum, e) == -1)
			return -1;
		ss_hex(sum, sizeof(sum), r->payload_sha256);
	}
	if (rc == 0) {
		if (a->broken == NULL || strcmp(a->broken, "no_audio_frames"))
			snprintf(r->audio_hash, sizeof(r->audio_hash),
			    "%016llx",
			    (unsigned long long)ss_xxh64_digest(&a->hash));
		r->broken = a->broken;
		memcpy(r->detail, a->detail, sizeof(r->detail));
	}
	ss_audio_release(a);
	return rc;
}
