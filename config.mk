# config.mk: knobs for the build; override any of them on the make command line.
PREFIX     = /usr/local
BINDIR     = $(PREFIX)/bin
MANDIR     = $(PREFIX)/share/man
DATADIR    = $(PREFIX)/share/soulspot
SYSCONFDIR = $(PREFIX)/etc/soulspot

CC         = cc
CXX        = c++
AR         = ar
PKG_CONFIG = pkg-config
CFLAGS     = -O2 -g
CXXFLAGS   = -O2 -g
LDFLAGS    =
