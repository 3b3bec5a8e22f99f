/* tags.cc: the C interface of tags.h over TagLib's C++ API. */

/*
 * System and TagLib headers come first: ss.h ends with banned.h, whose
 * macros must not meet the libstdc++ headers.  No exception may leave
 * this file: every entry point catches everything and fills ss_err.
 */
#include <fcntl.h>
#include <strings.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include <taglib/attachedpictureframe.h>
#include <taglib/flacfile.h>
#include <taglib/flacpicture.h>
#include <taglib/flacproperties.h>
#include <taglib/id3v2tag.h>
#include <taglib/apetag.h>
#include <taglib/mp4coverart.h>
#include <taglib/mp4file.h>
#include <taglib/mp4item.h>
#include <taglib/mp4properties.h>
#include <taglib/mp4tag.h>
#include <taglib/mpegfile.h>
#include <taglib/oggflacfile.h>
#include <taglib/opusfile.h>
#include <taglib/tdebuglistener.h>
#include <taglib/tbytevectorstream.h>
#include <taglib/tfilestream.h>
#include <taglib/textidentificationframe.h>
#include <taglib/unsynchronizedlyricsframe.h>
#include <taglib/tpropertymap.h>
#include <taglib/vorbisfile.h>
#include <taglib/xiphcomment.h>

extern "C" {
#include "ss.h"
#include "tags.h"
}

namespace {

using TagLib::ByteVector;
using TagLib::PropertyMap;
using TagLib::String;
using TagLib::StringList;

enum kind {
	K_NONE,
	K_MP3,
	K_FLAC,
	K_VORBIS,
	K_OPUS,
	K_OGGFLAC,
	K_MP4
};

/*
 * TagLib reports trouble through a global debug listener that prints to
 * stderr by default; lib/ never prints, so the last message is kept (per
 * thread) and added to our error messages instead.
 */
thread_local std::string last_debug;

class quiet_listener : public TagLib::DebugListener {
public:
	void
	printMessage(const String &msg) override
	{
		try {
			last_debug = msg.to8Bit(true);
			while (!last_debug.empty() &&
			    (last_debug.back() == '\n' ||
			    last_debug.back() == ' '))
				last_debug.pop_back();
		} catch (...) {
			last_debug.clear();
		}
	}
};

quiet_listener listener;

void
quiet_taglib(void)
{
	TagLib::setDebugListener(&listener);
	last_debug.clear();
}

/* Appends TagLib's last complaint, if any, to e's message. */
int
with_debug(struct ss_err *e)
{
	size_t n = strlen(e->msg);

	if (!last_debug.empty() && n + 3 < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n, " (taglib: %s)",
		    last_debug.c_str());
	return -1;
}

/* Reads up to n bytes at off; returns the count, or -1 with errno set. */
ssize_t
read_at(int fd, unsigned char *buf, size_t n, off_t off)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = pread(fd, buf + got, n - got, off + (off_t)got);
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

bool
mpeg_sync(const unsigned char *b, size_t n)
{
	/* 11 sync bits, a known version, a layer (ADTS AAC has layer 0) */
	return n >= 2 && b[0] == 0xff && (b[1] & 0xe0) == 0xe0 &&
	    ((b[1] >> 3) & 3) != 1 && ((b[1] >> 1) & 3) != 0;
}

bool
has_suffix(const char *path, const char *suffix)
{
	size_t n = strlen(path), m = strlen(suffix);

	return n >= m && strcasecmp(path + n - m, suffix) == 0;
}

/* The length of the ID3v2 tag that starts the 10 bytes at b. */
off_t
id3_skip(const unsigned char *b)
{
	off_t skip = 10 + ((off_t)(b[6] & 0x7f) << 21 |
	    (off_t)(b[7] & 0x7f) << 14 | (off_t)(b[8] & 0x7f) << 7 |
	    (off_t)(b[9] & 0x7f));

	return b[5] & 0x10 ? skip + 10 : skip;
}

/* The format of the data at b, which does not start with an ID3v2 tag. */
enum kind
kind_of(const unsigned char *b, size_t len, const char *path)
{
	enum kind kind = K_NONE;

	if (len >= 4 && memcmp(b, "fLaC", 4) == 0) {
		kind = K_FLAC;
	} else if (len >= 28 && memcmp(b, "OggS", 4) == 0) {
		/* the first packet follows the segment table */
		size_t p = 27 + (size_t)b[26];

		if (p + 8 <= len && memcmp(b + p, "OpusHead", 8) == 0)
			kind = K_OPUS;
		else if (p + 7 <= len && memcmp(b + p, "\x01vorbis", 7) == 0)
			kind = K_VORBIS;
		else if (p + 5 <= len && memcmp(b + p, "\x7f" "FLAC", 5) == 0)
			kind = K_OGGFLAC;
	} else if (len >= 8 && memcmp(b + 4, "ftyp", 4) == 0) {
		kind = K_MP4;
	} else if (mpeg_sync(b, len) || has_suffix(path, ".mp3")) {
		kind = K_MP3;
	}
	return kind;
}

/*
 * Chooses the TagLib class from the first bytes of the file.  An MPEG
 * stream may begin with junk, so a ".mp3" name that matched nothing is
 * left to TagLib's own frame search (ss_tags_read checks it found one).
 */
int
sniff(const char *path, int flags, enum kind *kind, struct ss_err *e)
{
	unsigned char b[512];
	ssize_t n;
	size_t len;
	off_t skip;
	int fd, ret = -1;

	*kind = K_NONE;
	if ((fd = open(path, flags | O_CLOEXEC)) == -1) {
		ss_err_errno(e, "cannot open '%s'", path);
		goto out;
	}
	if ((n = read_at(fd, b, sizeof(b), 0)) == -1) {
		ss_err_errno(e, "cannot read '%s'", path);
		goto out;
	}
	len = (size_t)n;
	if (len >= 10 && memcmp(b, "ID3", 3) == 0) {
		/* An ID3v2 tag: look behind it (FLAC files may carry one). */
		skip = id3_skip(b);
		if ((n = read_at(fd, b, 4, skip)) == -1) {
			ss_err_errno(e, "cannot read '%s'", path);
			goto out;
		}
		*kind = n == 4 && memcmp(b, "fLaC", 4) == 0 ? K_FLAC : K_MP3;
	} else {
		*kind = kind_of(b, len, path);
	}
	if (*kind == K_NONE) {
		ss_err_set(e, "not_audio", 0,
		    "'%s': not an audio file of a known format", path);
		goto out;
	}
	ret = 0;
out:
	if (fd != -1)
		close(fd);
	return ret;
}


/*
 * An open TagLib file.  Members are destroyed in reverse order, so the
 * file goes before the stream it reads from.
 */
struct opened {
	enum kind kind = K_NONE;
	std::unique_ptr<TagLib::IOStream> stream;
	std::unique_ptr<TagLib::File> file;
};

int open_stream(const char *path, struct opened *o, struct ss_err *e);

int
open_audio(const char *path, bool readonly, struct opened *o,
    struct ss_err *e)
{
	if (sniff(path, readonly ? O_RDONLY : O_RDWR, &o->kind, e) == -1)
		return -1;
	o->stream.reset(new TagLib::FileStream(path, readonly));
	if (!o->stream->isOpen())
		return ss_err_set(e, "io", 0, "cannot open '%s'", path);
	if (!readonly && o->stream->readOnly())
		return ss_err_set(e, "io", 0, "cannot open '%s' for writing",
		    path);
	return open_stream(path, o, e);
}

/* The same from the whole file's bytes in memory: no system call. */
int
open_audio_mem(const char *path, const void *data, size_t len,
    struct opened *o, struct ss_err *e)
{
	const unsigned char *b = static_cast<const unsigned char *>(data);
	off_t skip;

	if (len >= 10 && memcmp(b, "ID3", 3) == 0) {
		skip = id3_skip(b);
		o->kind = (size_t)skip + 4 <= len &&
		    memcmp(b + skip, "fLaC", 4) == 0 ? K_FLAC : K_MP3;
	} else {
		o->kind = kind_of(b, len, path);
	}
	if (o->kind == K_NONE)
		return ss_err_set(e, "not_audio", 0,
		    "'%s': not an audio file of a known format", path);
	o->stream.reset(new TagLib::ByteVectorStream(TagLib::ByteVector(
	    static_cast<const char *>(data), (unsigned int)len)));
	return open_stream(path, o, e);
}

/* Opens the TagLib class of o->kind on o->stream. */
int
open_stream(const char *path, struct opened *o, struct ss_err *e)
{
	TagLib::AudioProperties *ap = nullptr;
	TagLib::IOStream *s = o->stream.get();
	bool valid;

	switch (o->kind) {
	case K_MP3:
		o->file.reset(new TagLib::MPEG::File(s,
		    TagLib::ID3v2::FrameFactory::instance()));
		break;
	case K_FLAC:
		o->file.reset(new TagLib::FLAC::File(s,
		    TagLib::ID3v2::FrameFactory::instance()));
		break;
	case K_VORBIS:
		o->file.reset(new TagLib::Ogg::Vorbis::File(s));
		break;
	case K_OPUS:
		o->file.reset(new TagLib::Ogg::Opus::File(s));
		break;
	case K_OGGFLAC:
		o->file.reset(new TagLib::Ogg::FLAC::File(s));
		break;
	case K_MP4:
		o->file.reset(new TagLib::MP4::File(s));
		break;
	case K_NONE:
		break;
	}
	valid = o->file && o->file->isValid() &&
	    (ap = o->file->audioProperties()) != nullptr;
	if (valid && o->kind == K_MP3)
		valid = static_cast<TagLib::MPEG::File *>(o->file.get())->
		    firstFrameOffset() >= 0;
	if (valid && o->kind == K_MP4)
		valid = static_cast<TagLib::MP4::Properties *>(ap)->codec() !=
		    TagLib::MP4::Properties::Unknown;
	if (!valid) {
		ss_err_set(e, "not_audio", 0, "'%s': not a valid audio file",
		    path);
		return with_debug(e);
	}
	return 0;
}

char *
dup_string(const String &s)
{
	std::string u = s.to8Bit(true);

	return xmemdupz(u.data(), u.size());
}

void
fill_props(struct ss_tags *t, const PropertyMap &map)
{
	size_t i = 0, j;

	if (map.isEmpty())
		return;
	t->props = static_cast<struct ss_tag_prop *>(
	    xcalloc(map.size(), sizeof(*t->props)));
	for (auto it = map.begin(); it != map.end(); ++it) {
		struct ss_tag_prop *p = &t->props[i++];

		t->nprops = i;
		p->key = dup_string(it->first);
		p->values = static_cast<char **>(
		    xcalloc(it->second.size() + 1, sizeof(*p->values)));
		j = 0;
		for (auto v = it->second.begin(); v != it->second.end(); ++v) {
			p->values[j++] = dup_string(*v);
			p->nvalues = j;
		}
	}
}

void
add_picture(struct ss_tags *t, unsigned flags, const String &mime, int type,
    const String &desc, const ByteVector &data)
{
	struct ss_picture *p;

	t->pictures = static_cast<struct ss_picture *>(xreallocarray(
	    t->pictures, t->npictures + 1, sizeof(*t->pictures)));
	p = &t->pictures[t->npictures++];
	memset(p, 0, sizeof(*p));
	p->mime = dup_string(mime);
	p->type = type;
	p->description = dup_string(desc);
	p->size = data.size();
	if (flags & SS_TAGS_PICTURE_DATA) {
		p->data = static_cast<unsigned char *>(
		    xmalloc(data.size() ? data.size() : 1));
		if (data.size() > 0)
			memcpy(p->data, data.data(), data.size());
	}
}

void
add_flac_pictures(struct ss_tags *t, unsigned flags,
    const TagLib::List<TagLib::FLAC::Picture *> &list)
{
	for (auto it = list.begin(); it != list.end(); ++it)
		add_picture(t, flags, (*it)->mimeType(),
		    static_cast<int>((*it)->type()), (*it)->description(),
		    (*it)->data());
}

const char *
cover_mime(TagLib::MP4::CoverArt::Format f)
{
	switch (f) {
	case TagLib::MP4::CoverArt::JPEG:
		return "image/jpeg";
	case TagLib::MP4::CoverArt::PNG:
		return "image/png";
	case TagLib::MP4::CoverArt::GIF:
		return "image/gif";
	case TagLib::MP4::CoverArt::BMP:
		return "image/bmp";
	default:
		return "application/octet-stream";
	}
}

void
read_pictures(struct opened *o, struct ss_tags *t, unsigned flags)
{
	switch (o->kind) {
	case K_MP3: {
		auto *f = static_cast<TagLib::MPEG::File *>(o->file.get());
		TagLib::ID3v2::Tag *tag = f->ID3v2Tag(false);

		if (tag == nullptr)
			break;
		const TagLib::ID3v2::FrameList &l = tag->frameList("APIC");
		for (auto it = l.begin(); it != l.end(); ++it) {
			auto *pf = dynamic_cast<
			    TagLib::ID3v2::AttachedPictureFrame *>(*it);

			if (pf != nullptr)
				add_picture(t, flags, pf->mimeType(),
				    static_cast<int>(pf->type()),
				    pf->description(), pf->picture());
		}
		break;
	}
	case K_FLAC: {
		auto *f = static_cast<TagLib::FLAC::File *>(o->file.get());

		add_flac_pictures(t, flags, f->pictureList());
		if (f->hasXiphComment())
			add_flac_pictures(t, flags,
			    f->xiphComment()->pictureList());
		break;
	}
	case K_VORBIS:
	case K_OPUS:
	case K_OGGFLAC: {
		auto *x = dynamic_cast<TagLib::Ogg::XiphComment *>(
		    o->file->tag());

		if (x != nullptr)
			add_flac_pictures(t, flags, x->pictureList());
		break;
	}
	case K_MP4: {
		auto *tag = static_cast<TagLib::MP4::File *>(o->file.get())->
		    tag();

		if (tag == nullptr || !tag->contains("covr"))
			break;
		TagLib::MP4::CoverArtList l = tag->item("covr").
		    toCoverArtList();
		for (auto it = l.begin(); it != l.end(); ++it)
			add_picture(t, flags, cover_mime(it->format()),
			    SS_PICTURE_FRONT_COVER, String(), it->data());
		break;
	}
	case K_NONE:
		break;
	}
}

void
read_audio(struct opened *o, struct ss_tags *t)
{
	TagLib::AudioProperties *ap = o->file->audioProperties();
	const char *format = "", *codec = "";

	t->bitrate = ap->bitrate();
	t->sample_rate = ap->sampleRate();
	t->channels = ap->channels();
	t->duration_ms = ap->lengthInMilliseconds();
	switch (o->kind) {
	case K_MP3:
		format = codec = "mp3";
		break;
	case K_FLAC:
		format = codec = "flac";
		t->bits_per_sample = static_cast<TagLib::FLAC::Properties *>(
		    ap)->bitsPerSample();
		break;
	case K_VORBIS:
		format = "ogg";
		codec = "vorbis";
		break;
	case K_OPUS:
		format = codec = "opus";
		break;
	case K_OGGFLAC:
		format = "ogg";
		codec = "flac";
		t->bits_per_sample = static_cast<TagLib::FLAC::Properties *>(
		    ap)->bitsPerSample();
		break;
	case K_MP4: {
		auto *mp = static_cast<TagLib::MP4::Properties *>(ap);

		format = "m4a";
		if (mp->codec() == TagLib::MP4::Properties::ALAC) {
			codec = "alac";
			t->bits_per_sample = mp->bitsPerSample();
		} else {
			/* AAC's sample size field is meaningless */
			codec = "aac";
		}
		break;
	}
	case K_NONE:
		break;
	}
	snprintf(t->format, sizeof(t->format), "%s", format);
	snprintf(t->codec, sizeof(t->codec), "%s", codec);
}

/*
 * The main tag's properties, straight from the tag that setProperties
 * writes to (MPEG::File::properties() would look at what was on disk).
 */
PropertyMap
main_properties(struct opened *o)
{
	switch (o->kind) {
	case K_MP3:
		return static_cast<TagLib::MPEG::File *>(o->file.get())->
		    ID3v2Tag(true)->properties();
	case K_FLAC:
		return static_cast<TagLib::FLAC::File *>(o->file.get())->
		    xiphComment(true)->properties();
	default:
		return o->file->properties();
	}
}

/* Returns what could not be set. */
PropertyMap
set_properties(struct opened *o, const PropertyMap &map)
{
	if (o->kind == K_MP3) {
		auto *f = static_cast<TagLib::MPEG::File *>(o->file.get());

		/* keep an APE tag in step, as MPEG::File does for ID3v1 */
		if (f->hasAPETag())
			f->APETag(false)->setProperties(map);
	}
	return o->file->setProperties(map);
}

/*
 * TagLib 1.13 names the TXXX frames of MusicBrainz properties in upper
 * case ("MUSICBRAINZ ALBUM ID") and the lyrics frame "LYRICS"; Picard,
 * beets and the media servers write and look for "MusicBrainz Album Id"
 * and an empty lyrics description.  TagLib reads both forms alike.
 */
const char *const picard_txxx[] = {
	"MusicBrainz Album Id", "MusicBrainz Artist Id",
	"MusicBrainz Album Artist Id", "MusicBrainz Release Group Id",
	"MusicBrainz Release Track Id", "MusicBrainz Work Id",
	"MusicBrainz Album Type", "MusicBrainz Album Status",
	"MusicBrainz Album Release Country", "Acoustid Id",
	"Acoustid Fingerprint"
};

void
picard_id3_names(struct opened *o)
{
	auto *f = static_cast<TagLib::MPEG::File *>(o->file.get());
	TagLib::ID3v2::Tag *tag = f->ID3v2Tag(false);

	if (tag == nullptr)
		return;
	const TagLib::ID3v2::FrameList &tx = tag->frameList("TXXX");
	for (auto it = tx.begin(); it != tx.end(); ++it) {
		auto *fr = dynamic_cast<
		    TagLib::ID3v2::UserTextIdentificationFrame *>(*it);

		if (fr == nullptr)
			continue;
		for (const char *name : picard_txxx)
			if (fr->description().upper() ==
			    String(name).upper() &&
			    fr->description() != String(name))
				fr->setDescription(String(name));
	}
	const TagLib::ID3v2::FrameList &ly = tag->frameList("USLT");
	for (auto it = ly.begin(); it != ly.end(); ++it) {
		auto *fr = dynamic_cast<
		    TagLib::ID3v2::UnsynchronizedLyricsFrame *>(*it);

		if (fr != nullptr && fr->description() == "LYRICS")
			fr->setDescription(String());
	}
}

bool
valid_key(const char *key)
{
	const unsigned char *p = reinterpret_cast<const unsigned char *>(key);

	if (*p == '\0')
		return false;
	/* the Vorbis comment rule, the strictest of our formats */
	for (; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7d || *p == '=')
			return false;
	return true;
}

StringList
to_list(const struct ss_tag_prop *p)
{
	StringList l;

	for (size_t i = 0; i < p->nvalues; i++)
		l.append(String(p->values[i], String::UTF8));
	return l;
}

void
add_key(std::string &keys, const String &key)
{
	if (!keys.empty())
		keys += ", ";
	keys += key.to8Bit(true);
}

int
check_props(const struct ss_tag_prop *props, size_t nprops, struct ss_err *e)
{
	for (size_t i = 0; i < nprops; i++) {
		if (props[i].key == NULL || !valid_key(props[i].key))
			return ss_err_set(e, "invalid", 0,
			    "invalid tag key '%s'",
			    props[i].key ? props[i].key : "(null)");
		for (size_t j = 0; j < props[i].nvalues; j++)
			if (props[i].values[j] == NULL ||
			    !ss_utf8_valid(props[i].values[j],
			    strlen(props[i].values[j])))
				return ss_err_set(e, "invalid", 0,
				    "value of %s is not valid utf-8",
				    props[i].key);
	}
	return 0;
}

int
check_picture(const struct ss_picture *pic, struct ss_err *e)
{
	if (pic->mime == NULL || pic->mime[0] == '\0')
		return ss_err_set(e, "invalid", 0, "picture without a type");
	if (pic->data == NULL || pic->size == 0)
		return ss_err_set(e, "invalid", 0, "picture without data");
	if (pic->size > 0x7fffffff)
		return ss_err_set(e, "unsupported", 0, "picture too large");
	if (pic->description != NULL && !ss_utf8_valid(pic->description,
	    strlen(pic->description)))
		return ss_err_set(e, "invalid", 0,
		    "picture description is not valid utf-8");
	return 0;
}

TagLib::FLAC::Picture *
new_flac_picture(const struct ss_picture *pic)
{
	auto *p = new TagLib::FLAC::Picture();

	p->setType(TagLib::FLAC::Picture::FrontCover);
	p->setMimeType(String(pic->mime, String::UTF8));
	p->setDescription(String(pic->description ? pic->description : "",
	    String::UTF8));
	p->setData(ByteVector(reinterpret_cast<const char *>(pic->data),
	    static_cast<unsigned int>(pic->size)));
	return p;
}

/* Removes the front covers of a picture list owner (FLAC or Xiph). */
template <class T> void
drop_front_covers(T *owner)
{
	TagLib::List<TagLib::FLAC::Picture *> l = owner->pictureList();

	for (auto it = l.begin(); it != l.end(); ++it)
		if ((*it)->type() == TagLib::FLAC::Picture::FrontCover)
			owner->removePicture(*it, true);
}

int
set_front(struct opened *o, const struct ss_picture *pic, struct ss_err *e)
{
	ByteVector data(reinterpret_cast<const char *>(pic->data),
	    static_cast<unsigned int>(pic->size));

	switch (o->kind) {
	case K_MP3: {
		auto *f = static_cast<TagLib::MPEG::File *>(o->file.get());
		TagLib::ID3v2::Tag *tag = f->ID3v2Tag(true);
		const TagLib::ID3v2::FrameList l = tag->frameList("APIC");

		for (auto it = l.begin(); it != l.end(); ++it) {
			auto *pf = dynamic_cast<
			    TagLib::ID3v2::AttachedPictureFrame *>(*it);

			if (pf != nullptr && pf->type() == TagLib::ID3v2::
			    AttachedPictureFrame::FrontCover)
				tag->removeFrame(pf, true);
		}
		std::unique_ptr<TagLib::ID3v2::AttachedPictureFrame> pf(
		    new TagLib::ID3v2::AttachedPictureFrame());
		pf->setTextEncoding(String::UTF8);
		pf->setMimeType(String(pic->mime, String::UTF8));
		pf->setType(TagLib::ID3v2::AttachedPictureFrame::FrontCover);
		pf->setDescription(String(pic->description ?
		    pic->description : "", String::UTF8));
		pf->setPicture(data);
		tag->addFrame(pf.release());
		break;
	}
	case K_FLAC: {
		auto *f = static_cast<TagLib::FLAC::File *>(o->file.get());

		drop_front_covers(f);
		if (f->hasXiphComment())
			drop_front_covers(f->xiphComment());
		f->addPicture(new_flac_picture(pic));
		break;
	}
	case K_VORBIS:
	case K_OPUS:
	case K_OGGFLAC: {
		auto *x = dynamic_cast<TagLib::Ogg::XiphComment *>(
		    o->file->tag());

		if (x == nullptr)
			return ss_err_set(e, "internal", 0,
			    "no vorbis comment to hold the picture");
		drop_front_covers(x);
		x->addPicture(new_flac_picture(pic));
		break;
	}
	case K_MP4: {
		auto *tag = static_cast<TagLib::MP4::File *>(o->file.get())->
		    tag();
		TagLib::MP4::CoverArt::Format fmt;
		TagLib::MP4::CoverArtList l;

		if (strcmp(pic->mime, "image/jpeg") == 0 ||
		    strcmp(pic->mime, "image/jpg") == 0)
			fmt = TagLib::MP4::CoverArt::JPEG;
		else if (strcmp(pic->mime, "image/png") == 0)
			fmt = TagLib::MP4::CoverArt::PNG;
		else if (strcmp(pic->mime, "image/gif") == 0)
			fmt = TagLib::MP4::CoverArt::GIF;
		else if (strcmp(pic->mime, "image/bmp") == 0)
			fmt = TagLib::MP4::CoverArt::BMP;
		else
			return ss_err_set(e, "unsupported", 0,
			    "m4a cannot hold a picture of type '%s'",
			    pic->mime);
		if (tag == nullptr)
			return ss_err_set(e, "internal", 0,
			    "no mp4 tag to hold the picture");
		l.append(TagLib::MP4::CoverArt(fmt, data));
		tag->setItem("covr", TagLib::MP4::Item(l));
		break;
	}
	case K_NONE:
		break;
	}
	return 0;
}

int
save(struct opened *o, unsigned flags)
{
	if (o->kind == K_MP3) {
		auto *f = static_cast<TagLib::MPEG::File *>(o->file.get());
		int tags = TagLib::MPEG::File::ID3v2;

		if (flags & SS_TAGS_STRIP_V1)
			return f->save(tags, TagLib::File::StripOthers,
			    TagLib::ID3v2::v4, TagLib::File::DoNotDuplicate);
		if (f->hasID3v1Tag())
			tags |= TagLib::MPEG::File::ID3v1;
		if (f->hasAPETag())
			tags |= TagLib::MPEG::File::APE;
		return f->save(tags, TagLib::File::StripNone,
		    TagLib::ID3v2::v4, TagLib::File::DoNotDuplicate);
	}
	return o->file->save();
}

int
tags_read(const char *path, const void *data, size_t len, struct ss_tags *t,
    unsigned flags, struct ss_err *e)
{
	struct opened o;

	if ((data != nullptr ? open_audio_mem(path, data, len, &o, e) :
	    open_audio(path, true, &o, e)) == -1)
		return -1;
	read_audio(&o, t);
	fill_props(t, o.file->properties());
	read_pictures(&o, t, flags);
	return 0;
}

int
tags_write(const char *path, const struct ss_tag_prop *props, size_t nprops,
    unsigned flags, const struct ss_picture *front, struct ss_err *e)
{
	std::string keys;
	struct opened o;
	PropertyMap map, rejected, now;

	if (check_props(props, nprops, e) == -1)
		return -1;
	if (front != NULL && check_picture(front, e) == -1)
		return -1;
	if (open_audio(path, false, &o, e) == -1)
		return -1;
	if (!(flags & SS_TAGS_CLEAR))
		map = main_properties(&o);
	for (size_t i = 0; i < nprops; i++) {
		String key = String(props[i].key, String::UTF8).upper();

		map.erase(key);
		if (props[i].nvalues > 0)
			map.insert(key, to_list(&props[i]));
	}
	rejected = set_properties(&o, map);
	for (auto it = rejected.begin(); it != rejected.end(); ++it)
		add_key(keys, it->first);
	if (!keys.empty())
		return ss_err_set(e, "unsupported", 0,
		    "'%s': this format cannot hold %s", path, keys.c_str());

	/* A value the tag stored differently is dropped too: refuse it. */
	now = main_properties(&o);
	for (size_t i = 0; i < nprops; i++) {
		String key = String(props[i].key, String::UTF8).upper();

		if (props[i].nvalues == 0 ? now.contains(key) :
		    !now.contains(key) || now[key] != to_list(&props[i]))
			add_key(keys, key);
	}
	if (!keys.empty())
		return ss_err_set(e, "unsupported", 0,
		    "'%s': this format cannot hold the values of %s as given",
		    path, keys.c_str());

	if (o.kind == K_MP3)
		picard_id3_names(&o);
	if (front != NULL && set_front(&o, front, e) == -1)
		return -1;
	if (!save(&o, flags)) {
		ss_err_set(e, "io", 0, "cannot save tags to '%s'", path);
		return with_debug(e);
	}
	return 0;
}

}	/* namespace */

int
ss_tags_read(const char *path, struct ss_tags *t, unsigned flags,
    struct ss_err *e)
{
	return ss_tags_read_mem(path, nullptr, 0, t, flags, e);
}

int
ss_tags_read_mem(const char *path, const void *data, size_t len,
    struct ss_tags *t, unsigned flags, struct ss_err *e)
{
	int ret = -1;

	memset(t, 0, sizeof(*t));
	if (data != nullptr && len > UINT_MAX)
		data = nullptr;		/* ByteVector's limit: read the file */
	try {
		quiet_taglib();
		ret = tags_read(path, data, len, t, flags, e);
	} catch (const std::exception &x) {
		ss_err_set(e, "internal", 0, "'%s': taglib failed: %s", path,
		    x.what());
	} catch (...) {
		ss_err_set(e, "internal", 0, "'%s': taglib failed", path);
	}
	if (ret == -1)
		ss_tags_release(t);
	return ret;
}

void
ss_tags_release(struct ss_tags *t)
{
	size_t i, j;

	for (i = 0; i < t->nprops; i++) {
		free(t->props[i].key);
		for (j = 0; j < t->props[i].nvalues; j++)
			free(t->props[i].values[j]);
		free(t->props[i].values);
	}
	free(t->props);
	for (i = 0; i < t->npictures; i++) {
		free(t->pictures[i].mime);
		free(t->pictures[i].description);
		free(t->pictures[i].data);
	}
	free(t->pictures);
	memset(t, 0, sizeof(*t));
}

int
ss_tags_write(const char *path, const struct ss_tag_prop *props,
    size_t nprops, unsigned flags, const struct ss_picture *front,
    struct ss_err *e)
{
	try {
		quiet_taglib();
		return tags_write(path, props, nprops, flags, front, e);
	} catch (const std::exception &x) {
		return ss_err_set(e, "internal", 0,
		    "'%s': taglib failed: %s", path, x.what());
	} catch (...) {
		return ss_err_set(e, "internal", 0, "'%s': taglib failed",
		    path);
	}
}
