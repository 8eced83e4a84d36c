# deja build. `make` builds build/deja with -O2; `make asan` builds
# build-asan/deja with AddressSanitizer and UBSan; `make check` runs the
# whole test suite (tests/run-all.sh).
CC ?= cc
BUILD ?= build
OPT ?= -O2
SANITIZE ?=
CFLAGS_BASE := -std=gnu11 -g $(OPT) -Wall -Wextra -Wno-unused-parameter \
	-fno-strict-aliasing -Isrc $(SANITIZE)
LDLIBS := -lfdt -lm -lpthread -lutil -lzstd -lxxhash -lslirp -lz -lpng -ljansson $(shell pkg-config --libs sdl2) $(shell pkg-config --libs libvncserver)
LDFLAGS += $(SANITIZE)

CORE_SRCS := $(sort $(wildcard src/cpu/*.c src/bus/*.c src/dev/*.c src/board/*.c \
	src/replay/*.c src/snapshot/*.c src/host/*.c src/monitor/*.c src/gdb/*.c \
	src/util/*.c))
CORE_OBJS := $(CORE_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)

all: $(BUILD)/deja $(BUILD)/deja-trace

$(BUILD)/deja: $(CORE_OBJS) $(BUILD)/src/main.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/deja-trace: $(BUILD)/tools/deja-trace.o $(CORE_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/unit/%: tests/unit/%.c $(CORE_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(CFLAGS) -Itests -o $@ $^ $(LDFLAGS) $(LDLIBS)

unit: $(UNIT_BINS)

asan:
	$(MAKE) BUILD=build-asan OPT=-O1 \
		SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"

check: all
	tests/run-all.sh

clean:
	rm -rf build build-asan

-include $(CORE_OBJS:.o=.d) $(BUILD)/src/main.d $(BUILD)/tools/deja-trace.d

.PHONY: all unit asan check clean
