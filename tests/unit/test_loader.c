/* The image loaders (src/board/loader.c) on hostile files: every size and
 * offset of an ELF file is checked before it is used, and a file that is
 * not a regular file is refused. Found by review and by fuzzing the
 * loader; each case is an ELF built here byte by byte. */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board/loader.h"
#include "check.h"

#define EM_RISCV_ 243

typedef struct TestElf {
    Elf64_Ehdr eh;
    Elf64_Phdr ph[2];
    uint8_t body[64];
} TestElf;

typedef struct Seen {
    int count;
    uint64_t paddr, filesz, memsz;
    uint8_t first;
} Seen;

static bool note_segment(void *opaque, uint64_t paddr, const uint8_t *data, uint64_t filesz,
                         uint64_t memsz, char *err, size_t err_size)
{
    Seen *s = opaque;
    s->count++;
    s->paddr = paddr;
    s->filesz = filesz;
    s->memsz = memsz;
    s->first = filesz ? data[0] : 0;
    return true;
}

/* A valid executable: one PT_LOAD of the 64-byte body at 0x80000000,
 * linked at virtual 0xffffffff80000000, entry 0x10 bytes in. */
static void make_elf(TestElf *e)
{
    memset(e, 0, sizeof(*e));
    memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
    e->eh.e_ident[EI_CLASS] = ELFCLASS64;
    e->eh.e_ident[EI_DATA] = ELFDATA2LSB;
    e->eh.e_ident[EI_VERSION] = EV_CURRENT;
    e->eh.e_type = ET_EXEC;
    e->eh.e_machine = EM_RISCV_;
    e->eh.e_version = EV_CURRENT;
    e->eh.e_entry = 0xffffffff80000010ull;
    e->eh.e_phoff = offsetof(TestElf, ph);
    e->eh.e_ehsize = sizeof(Elf64_Ehdr);
    e->eh.e_phentsize = sizeof(Elf64_Phdr);
    e->eh.e_phnum = 1;
    e->ph[0].p_type = PT_LOAD;
    e->ph[0].p_offset = offsetof(TestElf, body);
    e->ph[0].p_vaddr = 0xffffffff80000000ull;
    e->ph[0].p_paddr = 0x80000000ull;
    e->ph[0].p_filesz = sizeof(e->body);
    e->ph[0].p_memsz = 0x1000;
    e->body[0] = 0x5a;
}

static bool load(TestElf *e, size_t size, Seen *seen, uint64_t *entry, uint64_t *low, uint64_t *high)
{
    char err[128];
    memset(seen, 0, sizeof(*seen));
    /* A heap copy of exactly `size` bytes, so ASan sees any read past it. */
    uint8_t *copy = malloc(size);
    memcpy(copy, e, size);
    bool ok = loader_load_elf(copy, size, note_segment, seen, entry, low, high, err, sizeof(err));
    free(copy);
    return ok;
}

static void test_valid(void)
{
    TestElf e;
    Seen seen;
    uint64_t entry, low, high;
    make_elf(&e);
    CHECK(loader_is_elf((const uint8_t *)&e, sizeof(e)));
    CHECK(load(&e, sizeof(e), &seen, &entry, &low, &high));
    CHECK_EQ(seen.count, 1);
    CHECK_EQ(seen.paddr, 0x80000000ull);
    CHECK_EQ(seen.filesz, 64);
    CHECK_EQ(seen.memsz, 0x1000);
    CHECK_EQ(seen.first, 0x5a);
    CHECK_EQ(entry, 0x80000010ull); /* through the segment's physical alias */
    CHECK_EQ(low, 0x80000000ull);
    CHECK_EQ(high, 0x80001000ull);
}

static void test_bad_tables(void)
{
    TestElf e;
    Seen seen;
    uint64_t entry, low, high;

    make_elf(&e);
    CHECK(!load(&e, sizeof(Elf64_Ehdr) - 1, &seen, &entry, &low, &high)); /* truncated header */

    make_elf(&e);
    CHECK(!load(&e, offsetof(TestElf, ph) + 8, &seen, &entry, &low, &high)); /* table cut */

    make_elf(&e);
    e.eh.e_phoff = UINT64_MAX - 8; /* offset + size wraps */
    CHECK(!load(&e, sizeof(e), &seen, &entry, &low, &high));

    make_elf(&e);
    e.eh.e_phnum = 0xffff; /* far more entries than the file holds */
    CHECK(!load(&e, sizeof(e), &seen, &entry, &low, &high));

    make_elf(&e);
    e.eh.e_phentsize = sizeof(Elf64_Phdr) - 1; /* entries would overlap */
    CHECK(!load(&e, sizeof(e), &seen, &entry, &low, &high));

    make_elf(&e);
    e.eh.e_machine = EM_X86_64;
    CHECK(!load(&e, sizeof(e), &seen, &entry, &low, &high));

    make_elf(&e);
    e.eh.e_ident[EI_CLASS] = ELFCLASS32;
    CHECK(!load(&e, sizeof(e), &seen, &entry, &low, &high));

    make_elf(&e);
    e.ph[0].p_type = PT_NOTE; /* nothing to load */
    CHECK(!load(&e, sizeof(e), &seen, &entry, &low, &high));
    CHECK_EQ(seen.count, 0);
}

static void test_bad_segments(void)
{
    TestElf e;
    Seen seen;
    uint64_t entry, low, high;

    make_elf(&e);
    e.ph[0].p_offset = sizeof(e) + 1; /* past the end of the file */
    CHECK(!load(&e, sizeof(e), &seen, &entry, &low, &high));
    CHECK_EQ(seen.count, 0);

    make_elf(&e);
    e.ph[0].p_filesz = sizeof(e.body) + 1; /* file bytes run past the end */
    CHECK(!load(&e, sizeof(e), &seen, &entry, &low, &high));

    make_elf(&e);
    e.ph[0].p_offset = 8;
    e.ph[0].p_filesz = UINT64_MAX - 4; /* p_offset + p_filesz wraps */
    e.ph[0].p_memsz = UINT64_MAX;
    CHECK(!load(&e, sizeof(e), &seen, &entry, &low, &high));
    CHECK_EQ(seen.count, 0);

    make_elf(&e);
    e.ph[0].p_filesz = 0x2000; /* more file bytes than memory */
    CHECK(!load(&e, sizeof(e), &seen, &entry, &low, &high));

    make_elf(&e);
    e.ph[0].p_paddr = 0xfffffffffffff000ull; /* end exactly at 2^64: wraps to 0 */
    e.ph[0].p_memsz = 0x1000;
    CHECK(!load(&e, sizeof(e), &seen, &entry, &low, &high));
    CHECK_EQ(seen.count, 0);

    make_elf(&e);
    e.ph[0].p_paddr = 0xfffffffffffff000ull; /* wraps past 0 */
    e.ph[0].p_memsz = 0x2000;
    CHECK(!load(&e, sizeof(e), &seen, &entry, &low, &high));

    /* An empty segment is skipped, not an error, and not reported. */
    make_elf(&e);
    e.eh.e_phnum = 2;
    e.ph[1] = e.ph[0];
    e.ph[1].p_filesz = e.ph[1].p_memsz = 0;
    e.ph[1].p_paddr = UINT64_MAX;
    CHECK(load(&e, sizeof(e), &seen, &entry, &low, &high));
    CHECK_EQ(seen.count, 1);
    CHECK_EQ(high, 0x80001000ull);
}

static void test_image_magic(void)
{
    uint8_t small[0x3f] = { 0 };
    CHECK(!loader_is_riscv_image(small, sizeof(small)));
    CHECK(!loader_is_elf(small, 3));
}

static void test_read_file(void)
{
    uint8_t *data = NULL;
    uint64_t size = 0;
    char err[256];
    CHECK(!loader_read_file("/nonexistent/deja-test", &data, &size, err, sizeof(err)));
    CHECK(strstr(err, "cannot open") != NULL);
    CHECK(!loader_read_file("/tmp", &data, &size, err, sizeof(err))); /* a directory */
    CHECK(strstr(err, "not a regular file") != NULL);

    char path[64];
    snprintf(path, sizeof(path), "/tmp/deja-test-loader-%d", (int)getpid());
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    fclose(f); /* empty: a valid, zero-length read */
    CHECK(loader_read_file(path, &data, &size, err, sizeof(err)));
    CHECK_EQ(size, 0);
    CHECK(data != NULL);
    free(data);
    unlink(path);
}

int main(void)
{
    test_valid();
    test_bad_tables();
    test_bad_segments();
    test_image_magic();
    test_read_file();
    return failures != 0;
}
