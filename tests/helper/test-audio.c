/* test-audio: prints what lib/audio finds in each file, one JSON per line. */
#include <sys/stat.h>

#include <fcntl.h>
#include <unistd.h>

#include "ss.h"
#include "audio.h"
#include "hash.h"

int
main(int argc, char *argv[])
{
	struct ss_err e = SS_ERR_INIT;
	struct ss_audio_result r;
	struct ss_audio a;
	unsigned char sum[SS_SHA256_LEN];
	char hex[SS_SHA256_HEXLEN + 1];
	struct stat st;
	int i, fd, status = 0;

	ss_init(argv[0]);
	for (i = 1; i < argc; i++) {
		if ((fd = open(argv[i], O_RDONLY)) == -1 ||
		    fstat(fd, &st) == -1) {
			ss_error("'%s': %s", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		if (ss_audio_begin(&a, fd, st.st_size, &e) == -1 ||
		    ss_hash_fd(fd, sum, ss_audio_feed, &a, &e) == -1 ||
		    ss_audio_end(&a, fd, &r, &e) == -1) {
			ss_error("'%s': %s", argv[i], e.msg);
			status = 1;
			close(fd);
			continue;
		}
		close(fd);
		ss_hex(sum, sizeof(sum), hex);
		printf("{\"path\":\"%s\",\"format\":\"%s\",\"sha256\":\"%s\","
		    "\"audio_hash\":\"%s\",\"broken\":%s%s%s,\"detail\":\"%s\"}\n",
		    argv[i], r.format, hex, r.audio_hash,
		    r.broken ? "\"" : "", r.broken ? r.broken : "null",
		    r.broken ? "\"" : "", r.detail);
	}
	return status;
}
