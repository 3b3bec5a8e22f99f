# Makefile: GNU make.  Knobs live in config.mk.
# Targets: all check bench install uninstall clean.
include config.mk
VERSION := $(shell cat VERSION)

PROGS   = ss-ledger ss-scan ss-tag ss-rename ss-dedupe ss-fetch-playlists
BINS    = $(PROGS:%=bin/%)
MAN1    = $(PROGS:%=bin/%.1)
MAN5    = etc/ss.conf.5
LIBOBJ  = $(sort $(patsubst %.c,%.o,$(wildcard lib/*.c)) \
          $(patsubst %.cc,%.o,$(wildcard lib/*.cc)) lib/migrations.o)
MIGRATIONS = $(sort $(wildcard sql/[0-9]*.sql))
UNIT    = $(patsubst %.c,%,$(wildcard tests/unit/t-*.c))
HELPERS = $(patsubst %.c,%,$(wildcard tests/helper/*.c))

WARN = -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
       -Wmissing-prototypes -Wold-style-definition -Wwrite-strings \
       -Wvla -Wformat=2 -Wno-unused-parameter
CXXWARN = -std=c++17 -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter
ifdef DEVELOPER
WARN    += -Werror
CXXWARN += -Werror
endif
ifdef SANITIZE
SAN       = -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
CFLAGS   += $(SAN)
CXXFLAGS += $(SAN)
LDFLAGS  += $(SAN)
endif

pccflags = $(shell $(PKG_CONFIG) --cflags $(1))
pclibs   = $(shell $(PKG_CONFIG) --libs $(1))
CPPFLAGS += -D_GNU_SOURCE -DSS_VERSION='"$(VERSION)"' \
            -DSS_DATADIR='"$(DATADIR)"' -DSS_SYSCONFDIR='"$(SYSCONFDIR)"' -Ilib \
            $(call pccflags,sqlite3 libcurl libarchive libcrypto taglib libutf8proc)

# What each external library costs to link.  Debian's libjq 1.6 has no .pc.
L_JSON    = -ljq
L_SQL     = $(call pclibs,sqlite3)
L_CURL    = $(call pclibs,libcurl)
L_CRYPTO  = $(call pclibs,libcrypto)
L_ARCHIVE = $(call pclibs,libarchive)
L_TAGS    = $(call pclibs,taglib) -lstdc++
L_UTF8    = $(call pclibs,libutf8proc)
L_ALL     = $(L_JSON) $(L_SQL) $(L_CURL) $(L_CRYPTO) $(L_ARCHIVE) $(L_TAGS) \
            $(L_UTF8) -lm

# Each program links only what it uses (libss.a is a static archive, so
# only the lib/ objects a program calls are pulled in).
bin/ss-ledger: LDLIBS = $(L_JSON) $(L_SQL) $(L_ARCHIVE) -lm
bin/ss-scan: LDLIBS = $(L_JSON) $(L_SQL) $(L_CRYPTO) $(L_TAGS) -lpthread -lm
bin/ss-tag: LDLIBS = $(L_JSON) $(L_CRYPTO) $(L_TAGS) -lm
bin/ss-dedupe: LDLIBS = $(L_JSON) $(L_SQL) $(L_CRYPTO) $(L_UTF8) -lm
bin/ss-rename: LDLIBS = $(L_JSON) $(L_SQL) $(L_CRYPTO) $(L_TAGS) $(L_UTF8) -lm
bin/ss-fetch-playlists: LDLIBS = $(L_JSON) $(L_SQL) $(L_CURL) $(L_CRYPTO) \
    $(L_UTF8) -lm
$(UNIT) $(HELPERS): LDLIBS = $(L_ALL)

# Objects are rebuilt when the flags change (e.g. SANITIZE=1 then a plain
# build): .build-flags holds the flags of the last build.
BUILD_FLAGS := $(strip $(CC) $(CXX) $(CPPFLAGS) $(WARN) $(CXXWARN) $(CFLAGS) \
               $(CXXFLAGS) $(LDFLAGS))
ifneq ($(BUILD_FLAGS),$(strip $(shell cat .build-flags 2>/dev/null)))
$(file >.build-flags,$(BUILD_FLAGS))
endif

all: $(BINS) $(HELPERS)

bin/%: bin/%.o lib/libss.a
	$(CC) $(LDFLAGS) -o $@ $< lib/libss.a $(LDLIBS)
tests/unit/%: tests/unit/%.o lib/libss.a
	$(CC) $(LDFLAGS) -o $@ $< lib/libss.a $(LDLIBS)
tests/helper/%: tests/helper/%.o lib/libss.a
	$(CC) $(LDFLAGS) -o $@ $< lib/libss.a $(LDLIBS)
lib/libss.a: $(LIBOBJ)
	rm -f $@
	$(AR) rcs $@ $(LIBOBJ)
# The ledger migrations are compiled in: programs never read sql/.
lib/migrations.c: lib/gen-migrations.sh $(MIGRATIONS)
	sh lib/gen-migrations.sh $(MIGRATIONS) >$@
%.o: %.c .build-flags
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c -o $@ $<
%.o: %.cc .build-flags
	$(CXX) $(CPPFLAGS) $(CXXWARN) $(CXXFLAGS) -MMD -MP -c -o $@ $<

# make check: every unit test and shell test through prove, then a line
# "N passed, N failed" (tests/run counts the TAP lines of every test).
check: all $(UNIT)
	tests/run $(UNIT) $(sort $(wildcard tests/t[0-9]*.t))

bench: all
	tests/bench/run

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DATADIR)/sql \
	    $(DESTDIR)$(DATADIR)/pipelines $(DESTDIR)$(SYSCONFDIR)
	install -m 0755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1
	install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5
	install -m 0644 sql/*.sql $(DESTDIR)$(DATADIR)/sql
	install -m 0644 etc/ss.conf $(DESTDIR)$(SYSCONFDIR)/ss.conf.example
	install -m 0755 pipelines/* $(DESTDIR)$(DATADIR)/pipelines

uninstall:
	rm -f $(PROGS:%=$(DESTDIR)$(BINDIR)/%) \
	    $(MAN1:bin/%=$(DESTDIR)$(MANDIR)/man1/%) \
	    $(DESTDIR)$(MANDIR)/man5/ss.conf.5 \
	    $(DESTDIR)$(SYSCONFDIR)/ss.conf.example
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -f $(BINS) $(UNIT) $(HELPERS) lib/libss.a lib/*.o lib/*.d \
	    lib/migrations.c \
	    bin/*.o bin/*.d tests/unit/*.o tests/unit/*.d \
	    tests/helper/*.o tests/helper/*.d
	rm -rf tests/log .build-flags

-include $(wildcard lib/*.d bin/*.d tests/unit/*.d tests/helper/*.d)
.PHONY: all check bench install uninstall clean
.SECONDARY:
.DELETE_ON_ERROR:

# valgrind checks need a build without SANITIZE (.ci/run rebuilds for it)
check-valgrind: all $(UNIT)
	tests/run tests/t0002-valgrind.t tests/t0300-tags.t \
	    tests/t5003-tag-rename-valgrind.t
.PHONY: check-valgrind
