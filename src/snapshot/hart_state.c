/* Hart architectural state as named fields (hart_state.h). */
#include "snapshot/hart_state.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct HartStateField {
    char name[24];
    uint32_t offset;
    uint8_t size; /* 1, 2, 4 or 8 bytes in struct Hart */
} HartStateField;

#define HART_STATE_MAX_FIELDS 160

static HartStateField hart_fields[HART_STATE_MAX_FIELDS];
static int hart_field_count;

static const char *const x_names[32] = {
    "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static const char *const f_names[32] = {
    "ft0", "ft1", "ft2",  "ft3",  "ft4", "ft5", "ft6",  "ft7",  "fs0",  "fs1", "fa0",
    "fa1", "fa2", "fa3",  "fa4",  "fa5", "fa6", "fa7",  "fs2",  "fs3",  "fs4", "fs5",
    "fs6", "fs7", "fs8",  "fs9",  "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
};

static void add_field(const char *name, size_t offset, size_t size)
{
    HartStateField *f = &hart_fields[hart_field_count++];
    snprintf(f->name, sizeof(f->name), "%s", name);
    f->offset = (uint32_t)offset;
    f->size = (uint8_t)size;
}

#define FIELD(member) add_field(#member, offsetof(Hart, member), sizeof(((Hart *)0)->member))

/* Built once; the order is part of the serialized format: append only. */
static void hart_state_build_table(void)
{
    if (hart_field_count)
        return;
    for (int i = 0; i < 32; i++)
        add_field(x_names[i], offsetof(Hart, x) + 8 * (size_t)i, 8);
    for (int i = 0; i < 32; i++)
        add_field(f_names[i], offsetof(Hart, f) + 8 * (size_t)i, 8);
    FIELD(pc);
    FIELD(instret);
    FIELD(priv);
    FIELD(wfi);
    FIELD(frm);
    FIELD(fflags);
    FIELD(mip);
    FIELD(mie);
    FIELD(icount_offset);
    FIELD(reservation);
    FIELD(reservation_value);
    FIELD(reservation_valid);
    FIELD(seip_software);
    FIELD(seip_line);
    FIELD(mstatus);
    FIELD(misa);
    FIELD(medeleg);
    FIELD(mideleg);
    FIELD(mtvec);
    FIELD(stvec);
    FIELD(mscratch);
    FIELD(sscratch);
    FIELD(mepc);
    FIELD(sepc);
    FIELD(mcause);
    FIELD(scause);
    FIELD(mtval);
    FIELD(stval);
    FIELD(satp);
    FIELD(mcounteren);
    FIELD(scounteren);
    FIELD(mcountinhibit);
    FIELD(menvcfg);
    FIELD(senvcfg);
    FIELD(stimecmp);
    FIELD(mhartid);
    FIELD(cycle_offset);
    FIELD(instret_write_offset);
    for (int i = 0; i < 16; i++) {
        char name[24];
        snprintf(name, sizeof(name), "pmpcfg%d", i);
        add_field(name, offsetof(Hart, pmpcfg) + (size_t)i, 1);
    }
    for (int i = 0; i < 16; i++) {
        char name[24];
        snprintf(name, sizeof(name), "pmpaddr%d", i);
        add_field(name, offsetof(Hart, pmpaddr) + 8 * (size_t)i, 8);
    }
    FIELD(split_fault);
    FIELD(split_fault_vaddr);
    FIELD(split_fault_portion);
}

int hart_state_field_count(void)
{
    hart_state_build_table();
    return hart_field_count;
}

const char *hart_state_field_name(int index)
{
    hart_state_build_table();
    return index >= 0 && index < hart_field_count ? hart_fields[index].name : NULL;
}

int hart_state_field_find(const char *name)
{
    hart_state_build_table();
    for (int i = 0; i < hart_field_count; i++)
        if (strcmp(hart_fields[i].name, name) == 0)
            return i;
    if (name[0] == 'x' || name[0] == 'f') { /* x10, f3 */
        char *end;
        long n = strtol(name + 1, &end, 10);
        if (end != name + 1 && !*end && n >= 0 && n < 32)
            return (name[0] == 'x' ? 0 : 32) + (int)n;
    }
    if (strcmp(name, "fp") == 0)
        return 8;
    return -1;
}

uint64_t hart_state_field_get(const Hart *h, int index)
{
    const HartStateField *f = &hart_fields[index];
    const uint8_t *p = (const uint8_t *)h + f->offset;
    switch (f->size) {
    case 1: return *p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

void hart_state_field_set(Hart *h, int index, uint64_t value)
{
    const HartStateField *f = &hart_fields[index];
    uint8_t *p = (uint8_t *)h + f->offset;
    switch (f->size) {
    case 1:
        /* bool fields must stay 0 or 1 */
        if (f->offset == offsetof(Hart, wfi) || f->offset == offsetof(Hart, reservation_valid) ||
            f->offset == offsetof(Hart, seip_software) || f->offset == offsetof(Hart, seip_line) ||
            f->offset == offsetof(Hart, split_fault))
            value = value != 0;
        *p = (uint8_t)value;
        break;
    case 2: { uint16_t v = (uint16_t)value; memcpy(p, &v, 2); break; }
    case 4: { uint32_t v = (uint32_t)value; memcpy(p, &v, 4); break; }
    default: memcpy(p, &value, 8); break;
    }
}

void hart_state_save(const Hart *h, StateWriter *w)
{
    hart_state_build_table();
    state_put_u32(w, (uint32_t)hart_field_count);
    for (int i = 0; i < hart_field_count; i++)
        state_put_u64(w, hart_state_field_get(h, i));
}

bool hart_state_load(Hart *h, StateReader *r)
{
    hart_state_build_table();
    uint32_t count = state_get_u32(r);
    if (r->failed || count > (uint32_t)hart_field_count)
        return false;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t v = state_get_u64(r);
        if (r->failed)
            return false;
        hart_state_field_set(h, (int)i, v);
    }
    /* The TLBs cache translations of the old state and the TLB set is
     * chosen by privilege and SUM: drop them all and reselect. */
    hart_flush_tlb(h);
    return true;
}
