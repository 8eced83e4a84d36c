/* The state serializer (src/snapshot/state.c) and the hart's named-field
 * serializer (src/snapshot/hart_state.c). */
#include <string.h>

#include "check.h"
#include "cpu/cpu.h"
#include "snapshot/hart_state.h"
#include "snapshot/state.h"

static void test_round_trip(void)
{
    StateWriter w;
    state_writer_init(&w);
    state_put_u8(&w, 0xab);
    state_put_u32(&w, 0x12345678);
    state_put_u64(&w, 0x1122334455667788ull);
    state_put_bool(&w, true);
    state_put_varint(&w, 300);
    state_put_varint(&w, UINT64_MAX);
    state_put_string(&w, "uart16550");
    state_put_bytes(&w, "xyz", 3);
    CHECK(!w.failed);
    CHECK_EQ(w.data[1], 0x78); /* little endian */

    StateReader r;
    state_reader_init(&r, w.data, w.len);
    CHECK_EQ(state_get_u8(&r), 0xab);
    CHECK_EQ(state_get_u32(&r), 0x12345678);
    CHECK_EQ(state_get_u64(&r), 0x1122334455667788ull);
    CHECK(state_get_bool(&r));
    CHECK_EQ(state_get_varint(&r), 300);
    CHECK_EQ(state_get_varint(&r), UINT64_MAX);
    char name[16];
    CHECK(state_get_string(&r, name, sizeof(name)));
    CHECK(strcmp(name, "uart16550") == 0);
    char tail[3];
    CHECK(state_get_bytes(&r, tail, 3));
    CHECK(memcmp(tail, "xyz", 3) == 0);
    CHECK(state_reader_at_end(&r));
    CHECK(!r.failed);
    /* Reading past the end fails and stays failed. */
    CHECK_EQ(state_get_u32(&r), 0);
    CHECK(r.failed);
    state_writer_free(&w);
}

static void test_truncated_varint(void)
{
    const uint8_t bytes[2] = { 0x80, 0x80 };
    StateReader r;
    state_reader_init(&r, bytes, sizeof(bytes));
    CHECK_EQ(state_get_varint(&r), 0);
    CHECK(r.failed);
}

static void test_growth(void)
{
    StateWriter w;
    state_writer_init(&w);
    for (int i = 0; i < 10000; i++)
        state_put_u32(&w, (uint32_t)i);
    CHECK_EQ(w.len, 40000);
    state_writer_clear(&w);
    CHECK_EQ(w.len, 0);
    state_writer_free(&w);
}

static void test_hart_fields(void)
{
    CHECK_EQ(hart_state_field_find("a0"), 10);
    CHECK_EQ(hart_state_field_find("x10"), 10);
    CHECK_EQ(hart_state_field_find("fp"), 8);
    CHECK(hart_state_field_find("mstatus") > 0);
    CHECK(hart_state_field_find("pmpaddr15") > 0);
    CHECK_EQ(hart_state_field_find("nonsense"), -1);
    CHECK(strcmp(hart_state_field_name(1), "ra") == 0);
    CHECK(strcmp(hart_state_field_name(32 + 10), "fa0") == 0);

    static Hart a, b;
    for (int i = 0; i < 32; i++)
        a.x[i] = 0x1000u + (uint64_t)i;
    a.f[3] = 0xffffffff3f800000ull;
    a.pc = 0x80200000;
    a.priv = PRIV_S;
    a.wfi = true;
    a.mstatus = 0xa00000000ull;
    a.pmpaddr[5] = 0x2000;
    a.fflags = 0x1f;
    StateWriter w;
    state_writer_init(&w);
    hart_state_save(&a, &w);
    StateReader r;
    state_reader_init(&r, w.data, w.len);
    CHECK(hart_state_load(&b, &r));
    CHECK(state_reader_at_end(&r));
    CHECK_EQ(b.x[31], 0x101f);
    CHECK_EQ(b.f[3], 0xffffffff3f800000ull);
    CHECK_EQ(b.pc, 0x80200000);
    CHECK_EQ(b.priv, PRIV_S);
    CHECK(b.wfi);
    CHECK_EQ(b.mstatus, 0xa00000000ull);
    CHECK_EQ(b.pmpaddr[5], 0x2000);
    CHECK_EQ(b.fflags, 0x1f);
    int mstatus = hart_state_field_find("mstatus");
    CHECK_EQ(hart_state_field_get(&b, mstatus), 0xa00000000ull);
    hart_state_field_set(&b, hart_state_field_find("wfi"), 7);
    CHECK_EQ(hart_state_field_get(&b, hart_state_field_find("wfi")), 1);
    /* A truncated record is refused. */
    state_reader_init(&r, w.data, w.len - 1);
    CHECK(!hart_state_load(&b, &r));
    state_writer_free(&w);
}

int main(void)
{
    test_round_trip();
    test_truncated_varint();
    test_growth();
    test_hart_fields();
    if (!failures)
        printf("test_state: all passed\n");
    return failures != 0;
}
