/* SiFive test finisher / syscon at 0x100000 (QEMU hw/misc/sifive_test
 * behaviour): a write to offset 0 is decoded on its low 16 bits:
 * 0x5555 = power off with status 0, 0x3333 = power off with status
 * value >> 16, 0x7777 = reset. Other values are ignored. The device asks
 * the board to act through a callback (which also stops the running hart). */
#ifndef DEJA_SIFIVE_TEST_H
#define DEJA_SIFIVE_TEST_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/device.h"

#define SIFIVE_TEST_BASE 0x100000ull
#define SIFIVE_TEST_SIZE 0x1000ull

enum { SIFIVE_TEST_FAIL = 0x3333, SIFIVE_TEST_PASS = 0x5555, SIFIVE_TEST_RESET = 0x7777 };

typedef enum SifiveTestAction { SIFIVE_TEST_POWEROFF, SIFIVE_TEST_REBOOT } SifiveTestAction;

typedef void (*SifiveTestRequestFn)(void *opaque, SifiveTestAction action, int status);

typedef struct SifiveTest {
    uint64_t base;
    SifiveTestRequestFn request;
    void *request_opaque;
} SifiveTest;

extern const DeviceClass sifive_test_class;

void sifive_test_init(SifiveTest *test, uint64_t base, SifiveTestRequestFn request, void *opaque);
bool sifive_test_read(void *opaque, uint64_t offset, int size, uint64_t *value);
bool sifive_test_write(void *opaque, uint64_t offset, int size, uint64_t value);

#endif
