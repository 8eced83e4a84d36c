/* Image loaders for the board: whole files, ELF64 RISC-V executables and
 * RISC-V Linux Images. They only parse and validate; the board copies the
 * pieces into RAM. Malformed input is an error with a message, never a
 * crash. */
#ifndef DEJA_LOADER_H
#define DEJA_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOADER_MAX_FILE_SIZE (16ull << 30)

/* Reads a whole file into a malloc'ed buffer. */
bool loader_read_file(const char *path, uint8_t **data, uint64_t *size, char *err, size_t err_size);

bool loader_is_elf(const uint8_t *data, uint64_t size);
/* "RSC\x05" at offset 0x38 (Documentation/arch/riscv/boot-image-header.rst). */
bool loader_is_riscv_image(const uint8_t *data, uint64_t size);

/* Called for each PT_LOAD segment with a non-zero memsz: file bytes
 * [data, data+filesz) then zeros up to memsz, at physical address paddr.
 * Returns false (with a message in err) to abort. */
typedef bool (*LoaderSegmentFn)(void *opaque, uint64_t paddr, const uint8_t *data, uint64_t filesz,
                                uint64_t memsz, char *err, size_t err_size);

/* Validates an ELF64 little-endian RISC-V file and reports its loadable
 * segments; *entry = e_entry (translated to
 * its physical address through the segment holding it), [*low, *high) = span of the segments. */
bool loader_load_elf(const uint8_t *data, uint64_t size, LoaderSegmentFn segment, void *opaque,
                     uint64_t *entry, uint64_t *low, uint64_t *high, char *err, size_t err_size);

#endif
