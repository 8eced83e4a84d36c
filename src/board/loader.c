/* Image loaders (loader.h). */
#include "board/loader.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef EM_RISCV
#define EM_RISCV 243
#endif

bool loader_read_file(const char *path, uint8_t **data, uint64_t *size, char *err, size_t err_size)
{
    FILE *f = fopen(path, "rbe"); /* e: not inherited by anything deja runs */
    if (!f) {
        snprintf(err, err_size, "cannot open '%s': %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fileno(f), &st)) {
        snprintf(err, err_size, "cannot stat '%s': %s", path, strerror(errno));
        fclose(f);
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, err_size, "'%s' is not a regular file", path);
        fclose(f);
        return false;
    }
    if ((uint64_t)st.st_size > LOADER_MAX_FILE_SIZE) {
        snprintf(err, err_size, "'%s' is too large", path);
        fclose(f);
        return false;
    }
    uint64_t len = (uint64_t)st.st_size;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) {
        snprintf(err, err_size, "out of memory reading '%s'", path);
        fclose(f);
        return false;
    }
    if (len && fread(buf, 1, len, f) != len) {
        snprintf(err, err_size, "cannot read '%s'", path);
        free(buf);
        fclose(f);
        return false;
    }
    fclose(f);
    *data = buf;
    *size = len;
    return true;
}

bool loader_is_elf(const uint8_t *data, uint64_t size)
{
    return size >= 4 && memcmp(data, ELFMAG, SELFMAG) == 0;
}

bool loader_is_riscv_image(const uint8_t *data, uint64_t size)
{
    return size >= 0x40 && memcmp(data + 0x38, "RSC\x05", 4) == 0;
}

bool loader_load_elf(const uint8_t *data, uint64_t size, LoaderSegmentFn segment, void *opaque,
                     uint64_t *entry, uint64_t *low, uint64_t *high, char *err, size_t err_size)
{
    Elf64_Ehdr eh;
    if (size < sizeof(eh)) {
        snprintf(err, err_size, "truncated ELF header");
        return false;
    }
    memcpy(&eh, data, sizeof(eh));
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB) {
        snprintf(err, err_size, "not a 64-bit little-endian ELF");
        return false;
    }
    if (eh.e_machine != EM_RISCV) {
        snprintf(err, err_size, "ELF is not for RISC-V (e_machine %u)", eh.e_machine);
        return false;
    }
    if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
        snprintf(err, err_size, "ELF is not an executable (e_type %u)", eh.e_type);
        return false;
    }
    if (eh.e_phnum == 0 || eh.e_phentsize < sizeof(Elf64_Phdr) || eh.e_phoff > size ||
        (uint64_t)eh.e_phnum * eh.e_phentsize > size - eh.e_phoff) {
        snprintf(err, err_size, "bad ELF program header table");
        return false;
    }
    uint64_t lo = UINT64_MAX, hi = 0;
    uint64_t entry_paddr = eh.e_entry;
    int loaded = 0;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, data + eh.e_phoff + (uint64_t)i * eh.e_phentsize, sizeof(ph));
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        if (ph.p_filesz > ph.p_memsz || ph.p_offset > size || ph.p_filesz > size - ph.p_offset ||
            ph.p_paddr + ph.p_memsz < ph.p_paddr) {
            snprintf(err, err_size, "ELF segment %u has bad sizes or offsets", i);
            return false;
        }
        if (!segment(opaque, ph.p_paddr, data + ph.p_offset, ph.p_filesz, ph.p_memsz, err,
                     err_size))
            return false;
        /* A kernel linked at a virtual address (vmlinux) enters through
         * its physical alias: translate e_entry by its segment. */
        if (eh.e_entry >= ph.p_vaddr && eh.e_entry - ph.p_vaddr < ph.p_memsz)
            entry_paddr = eh.e_entry - ph.p_vaddr + ph.p_paddr;
        if (ph.p_paddr < lo)
            lo = ph.p_paddr;
        if (ph.p_paddr + ph.p_memsz > hi)
            hi = ph.p_paddr + ph.p_memsz;
        loaded++;
    }
    if (!loaded) {
        snprintf(err, err_size, "ELF has no loadable segment");
        return false;
    }
    *entry = entry_paddr;
    *low = lo;
    *high = hi;
    return true;
}
