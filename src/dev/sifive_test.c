/* SiFive test finisher (sifive_test.h). OpenSBI writes it with 16-bit
 * stores (writew), so 2-byte writes count too. */
#include "dev/sifive_test.h"

#include <libfdt.h>

void sifive_test_init(SifiveTest *test, uint64_t base, SifiveTestRequestFn request, void *opaque)
{
    test->base = base;
    test->request = request;
    test->request_opaque = opaque;
}

bool sifive_test_read(void *opaque, uint64_t offset, int size, uint64_t *value)
{
    *value = 0;
    return true;
}

bool sifive_test_write(void *opaque, uint64_t offset, int size, uint64_t value)
{
    SifiveTest *test = opaque;
    if (offset != 0 || size < 2 || !test->request)
        return true;
    switch (value & 0xffff) {
    case SIFIVE_TEST_PASS:
        test->request(test->request_opaque, SIFIVE_TEST_POWEROFF, 0);
        break;
    case SIFIVE_TEST_FAIL:
        test->request(test->request_opaque, SIFIVE_TEST_POWEROFF, (int)((value >> 16) & 0xffff));
        break;
    case SIFIVE_TEST_RESET:
        test->request(test->request_opaque, SIFIVE_TEST_REBOOT, 0);
        break;
    default:
        break;
    }
    return true;
}

static void sifive_test_reset(void *state)
{
}

static int sifive_test_fdt_node(void *state, DevFdtContext *ctx)
{
    SifiveTest *test = state;
    static const char compat[] = "sifive,test1\0sifive,test0\0syscon";
    int err;
    if ((err = dev_fdt_begin_node(ctx, "test", test->base)) ||
        (err = fdt_property_u32(ctx->fdt, "phandle", ctx->test_phandle)) ||
        (err = dev_fdt_reg(ctx, test->base, SIFIVE_TEST_SIZE)) ||
        (err = fdt_property(ctx->fdt, "compatible", compat, sizeof(compat))))
        return err;
    return fdt_end_node(ctx->fdt);
}

/* The finisher has no state: a write acts at once. */
static void sifive_test_save(void *state, StateWriter *w) {}

static bool sifive_test_load(void *state, StateReader *r) { return true; }

const DeviceClass sifive_test_class = {
    .name = "sifive_test",
    .read = sifive_test_read,
    .write = sifive_test_write,
    .reset = sifive_test_reset,
    .fdt_node = sifive_test_fdt_node,
    .save = sifive_test_save,
    .load = sifive_test_load,
};
