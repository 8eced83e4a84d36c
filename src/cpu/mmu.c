/* Address translation (Sv39/Sv48/Sv57, privileged spec 1.12 4.3-4.6),
 * physical memory protection (3.7), the software TLB fill and the slow
 * paths of loads and stores.
 *
 * Behaviour choices, as QEMU's virt machine:
 *  - A and D are updated by the walker (set A on any access, D on a store)
 *    with a write to the PTE; if that write fails, the access faults with
 *    an access fault.
 *  - Misaligned loads and stores to RAM are performed (also across pages,
 *    both pages translated and checked); misaligned MMIO accesses raise the
 *    address-misaligned exception.
 *  - No Svnapot, Svpbmt, Svade: PTE bits 63:54 must be zero, and a non-leaf
 *    PTE with D, A or U set is a page fault (those bits are reserved).
 *
 * The TLB holds, per access type, the host address of a guest page for the
 * context in force when it was filled. There is one set of entries per
 * context that Linux switches between often: U, S with SUM=0, S with
 * SUM=1, M (HartTlbSet); a trap, an xRET or a SUM toggle only selects
 * another set. Every other change the entries depend on (satp, sfence.vma,
 * MPRV, MPP or SUM under MPRV, MXR, PMP) flushes all sets, so entries need
 * no tag. Only RAM pages whole-page-allowed by PMP get entries;
 * write entries only for pages that are dirty and hold no decoded code
 * (bus.h), so the slow path sees each first write. */
#include <string.h>

#include "cpu/cpu_internal.h"

#define PAGE_MASK 0xfffull

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK  ((1ull << 44) - 1)
#define PTE_RESERVED_SHIFT 54 /* N, PBMT and reserved bits 63:54 */

#define SATP_PPN_MASK ((1ull << 44) - 1)
enum { SATP_MODE_BARE = 0, SATP_MODE_SV39 = 8, SATP_MODE_SV48 = 9, SATP_MODE_SV57 = 10 };

#define PMP_R    0x01
#define PMP_W    0x02
#define PMP_X    0x04
#define PMP_A    0x18
#define PMP_LOCK 0x80
enum { PMP_OFF = 0x00, PMP_TOR = 0x08, PMP_NA4 = 0x10, PMP_NAPOT = 0x18 };

static Exc page_fault(Access access)
{
    static const Exc causes[] = {EXC_INSN_PAGE_FAULT, EXC_LOAD_PAGE_FAULT, EXC_STORE_PAGE_FAULT};
    return causes[access];
}

static Exc access_fault(Access access)
{
    static const Exc causes[] = {EXC_INSN_ACCESS, EXC_LOAD_ACCESS, EXC_STORE_ACCESS};
    return causes[access];
}

/* Loads and stores in M with MPRV=1 use MPP's privilege (3.1.6.3);
 * fetches never do. */
static int effective_priv(const Hart *h, Access access)
{
    if (access != ACCESS_FETCH && h->priv == PRIV_M && (h->mstatus & MSTATUS_MPRV))
        return (int)((h->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
    return h->priv;
}

/* ---------------------------------------------------------------- PMP */

/* The byte range [*first, *last] covered by PMP entry i; false if the entry
 * is off or matches nothing (TOR with an empty range). */
static bool pmp_entry_range(const Hart *h, int i, uint64_t *first, uint64_t *last)
{
    uint64_t addr = h->pmpaddr[i];
    switch (h->pmpcfg[i] & PMP_A) {
    case PMP_TOR: {
        uint64_t low = i > 0 ? h->pmpaddr[i - 1] << 2 : 0;
        uint64_t high = addr << 2;
        if (low >= high)
            return false;
        *first = low;
        *last = high - 1;
        return true;
    }
    case PMP_NA4:
        *first = addr << 2;
        *last = *first + 3;
        return true;
    case PMP_NAPOT: {
        /* pmpaddr = base/4 with t trailing ones: 2^(t+3) bytes. pmpaddr is
         * 54 bits wide, so t <= 54 and nothing overflows. */
        int t = __builtin_ctzll(~addr);
        *first = (addr & ~((1ull << t) - 1)) << 2;
        *last = *first + ((1ull << (t + 3)) - 1);
        return true;
    }
    default:
        return false;
    }
}

bool mmu_pmp_allows(const Hart *h, uint64_t paddr, uint64_t len, Access access, int priv)
{
    if (len == 0 || len - 1 > UINT64_MAX - paddr)
        return false;
    uint64_t last = paddr + len - 1;
    static const uint8_t needed[] = {PMP_X, PMP_R, PMP_W};
    /* The lowest-numbered entry matching any byte decides; if it does not
     * cover every byte the access fails (3.7.1). */
    for (int i = 0; i < 16; i++) {
        uint64_t first_byte, last_byte;
        if (!pmp_entry_range(h, i, &first_byte, &last_byte))
            continue;
        if (last < first_byte || paddr > last_byte)
            continue;
        if (paddr < first_byte || last > last_byte)
            return false;
        uint8_t cfg = h->pmpcfg[i];
        if (priv == PRIV_M && !(cfg & PMP_LOCK))
            return true;
        return (cfg & needed[access]) != 0;
    }
    /* No match: M succeeds; S and U fail since PMP entries are
     * implemented, even when all are OFF. */
    return priv == PRIV_M;
}

/* ---------------------------------------------------------------- page walk */

static bool pte_read(Hart *h, uint64_t addr, uint64_t *pte)
{
    const uint8_t *host = bus_ram_ptr(h->bus, addr, 8);
    if (host) {
        memcpy(pte, host, 8);
        return true;
    }
    return bus_read(h->bus, addr, 8, pte);
}

static bool pte_write(Hart *h, uint64_t addr, uint64_t pte)
{
    uint8_t *host = bus_ram_ptr(h->bus, addr, 8);
    if (host) {
        bus_note_ram_write(h->bus, addr, 8);
        memcpy(host, &pte, 8);
        return true;
    }
    return bus_write(h->bus, addr, 8, pte);
}

/* The leaf permission check of 4.3.1 step 5. */
static bool leaf_allows(const Hart *h, uint64_t pte, Access access, int priv)
{
    if (pte & PTE_U) {
        /* S may read and write user pages only with SUM, never execute. */
        if (priv == PRIV_S && (access == ACCESS_FETCH || !(h->mstatus & MSTATUS_SUM)))
            return false;
    } else if (priv == PRIV_U) {
        return false;
    }
    switch (access) {
    case ACCESS_FETCH: return (pte & PTE_X) != 0;
    case ACCESS_LOAD:
        return (pte & PTE_R) || ((h->mstatus & MSTATUS_MXR) && (pte & PTE_X));
    case ACCESS_STORE: return (pte & PTE_W) != 0;
    }
    return false;
}

/* The translation algorithm of 4.3.2, for Sv39 (3 levels), Sv48 (4) and
 * Sv57 (5). Page-table accesses are checked by PMP as S-mode accesses. */
static Exc page_walk(Hart *h, uint64_t vaddr, Access access, int priv, int levels,
                     uint64_t *paddr)
{
    int va_bits = 12 + 9 * levels;
    /* Bits above the top VA bit must all equal it (4.4.1, 4.5.1, 4.6.1). */
    if ((uint64_t)((int64_t)(vaddr << (64 - va_bits)) >> (64 - va_bits)) != vaddr)
        return page_fault(access);

    uint64_t table = (h->satp & SATP_PPN_MASK) << 12;
    for (int level = levels - 1; level >= 0; level--) {
        uint64_t pte_addr = table + ((vaddr >> (12 + 9 * level)) & 0x1ff) * 8;
        uint64_t pte;
        if (!mmu_pmp_allows(h, pte_addr, 8, ACCESS_LOAD, PRIV_S) || !pte_read(h, pte_addr, &pte))
            return access_fault(access);
        if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) ||
            (pte >> PTE_RESERVED_SHIFT) != 0)
            return page_fault(access);
        uint64_t ppn = (pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK;
        if (!(pte & (PTE_R | PTE_X))) {
            if (pte & (PTE_D | PTE_A | PTE_U))
                return page_fault(access);
            table = ppn << 12;
            continue;
        }
        if (!leaf_allows(h, pte, access, priv))
            return page_fault(access);
        /* A superpage's PPN must be aligned to its size (step 6). */
        uint64_t level_ppn_mask = (1ull << (9 * level)) - 1;
        if (ppn & level_ppn_mask)
            return page_fault(access);
        uint64_t wanted = PTE_A | (access == ACCESS_STORE ? PTE_D : 0);
        if ((pte & wanted) != wanted) {
            pte |= wanted;
            if (!mmu_pmp_allows(h, pte_addr, 8, ACCESS_STORE, PRIV_S) ||
                !pte_write(h, pte_addr, pte))
                return access_fault(access);
        }
        uint64_t offset_mask = (1ull << (12 + 9 * level)) - 1;
        if (level > 0) {
            if ((vaddr & ~offset_mask) < h->tlb_superpage_first)
                h->tlb_superpage_first = vaddr & ~offset_mask;
            if ((vaddr | offset_mask) > h->tlb_superpage_last)
                h->tlb_superpage_last = vaddr | offset_mask;
        }
        *paddr = ((ppn << 12) & ~offset_mask) | (vaddr & offset_mask);
        return EXC_NONE;
    }
    /* A pointer PTE at level 0 (step 4: i < 0). */
    return page_fault(access);
}

/* Virtual to physical for privilege priv, without the PMP check of the
 * final address. */
static Exc translate(Hart *h, uint64_t vaddr, Access access, int priv, uint64_t *paddr)
{
    unsigned mode = (unsigned)(h->satp >> 60);
    if (priv == PRIV_M || mode == SATP_MODE_BARE) {
        *paddr = vaddr;
        return EXC_NONE;
    }
    return page_walk(h, vaddr, access, priv, (int)mode - 5, paddr);
}

Exc mmu_translate(Hart *h, uint64_t vaddr, Access access, uint64_t *paddr)
{
    return mmu_translate_size(h, vaddr, 1, access, paddr);
}

Exc mmu_translate_size(Hart *h, uint64_t vaddr, int size, Access access, uint64_t *paddr)
{
    int priv = effective_priv(h, access);
    Exc e = translate(h, vaddr, access, priv, paddr);
    if (e != EXC_NONE)
        return e;
    if (!mmu_pmp_allows(h, *paddr, (uint64_t)size, access, priv))
        return access_fault(access);
    return EXC_NONE;
}

/* ---------------------------------------------------------------- TLB */

/* The set for the current context. Loads and stores in M with MPRV=1
 * use the M set too: their entries depend on MPP and SUM, whose changes
 * flush everything while MPRV=1 (csr.c, trap.c). */
static unsigned tlb_set_index(const Hart *h)
{
    switch (h->priv) {
    case PRIV_U: return 0;
    case PRIV_S: return (h->mstatus & MSTATUS_SUM) ? 2 : 1;
    default: return 3;
    }
}

void mmu_select_tlb(Hart *h)
{
    unsigned index = tlb_set_index(h);
    HartTlbSet *set = &h->tlb_sets[index];
    h->tlb_set = (uint8_t)index;
    h->tlb_read = set->read;
    h->tlb_write = set->write;
    h->tlb_fetch = set->fetch;
}

/* tlb_write_rev (cpu.h): finding the write entries of a page being made a
 * code page must not cost a scan of every entry, since code and data
 * sharing a page make that happen at every store. */
#define TLB_REV_MANY 0xffffu
_Static_assert(HART_TLB_SETS * HART_TLB_SIZE < TLB_REV_MANY, "tlb_write_rev encoding");

static inline unsigned tlb_rev_slot(uint64_t ram_offset)
{
    return (unsigned)(ram_offset >> BUS_PAGE_SHIFT) & (HART_TLB_SIZE - 1);
}

void hart_flush_tlb(Hart *h)
{
    memset(h->tlb_write_rev, 0, sizeof h->tlb_write_rev);
    /* Only sets filled since their last flush hold entries. */
    for (unsigned i = 0; i < HART_TLB_SETS; i++)
        if (h->tlb_sets_used & (1u << i))
            memset(&h->tlb_sets[i], 0xff, sizeof h->tlb_sets[i]);
    h->tlb_sets_used = 0;
    h->tlb_superpage_first = UINT64_MAX;
    h->tlb_superpage_last = 0;
    mmu_select_tlb(h);
}

void hart_flush_tlb_page(Hart *h, uint64_t vaddr)
{
    /* Entries are per 4 KiB page, also inside superpages: a fence for one
     * address of a superpage must drop all of them (privileged spec
     * 4.2.1), which only a full flush does. */
    if (vaddr >= h->tlb_superpage_first && vaddr <= h->tlb_superpage_last) {
        hart_flush_tlb(h);
        return;
    }
    uint64_t vpage = vaddr & ~PAGE_MASK;
    unsigned index = (unsigned)(vaddr >> 12) & (HART_TLB_SIZE - 1);
    for (unsigned set = 0; set < HART_TLB_SETS; set++) {
        HartTlbSet *s = &h->tlb_sets[set];
        /* A tag is the page address, with no alignment bits set. */
        if (s->read[index].tag == vpage)
            s->read[index].tag = UINT64_MAX;
        if (s->write[index].tag == vpage)
            s->write[index].tag = UINT64_MAX;
        if (s->fetch[index].tag == vpage)
            s->fetch[index].tag = UINT64_MAX;
    }
}

void hart_flush_write_tlb(Hart *h, uint64_t page_paddr)
{
    if (page_paddr == UINT64_MAX) {
        for (unsigned set = 0; set < HART_TLB_SETS; set++)
            if (h->tlb_sets_used & (1u << set))
                memset(h->tlb_sets[set].write, 0xff, sizeof h->tlb_sets[set].write);
        memset(h->tlb_write_rev, 0, sizeof h->tlb_write_rev);
        return;
    }
    const uint8_t *host = bus_ram_ptr(h->bus, page_paddr & ~PAGE_MASK, BUS_PAGE_SIZE);
    if (!host)
        return;
    unsigned slot = tlb_rev_slot((uint64_t)(host - h->bus->ram));
    unsigned rev = h->tlb_write_rev[slot];
    if (rev == 0)
        return; /* no write entry maps a page of this slot */
    if (rev != TLB_REV_MANY) {
        /* Only one entry was filled for pages of this slot since the
         * slot was last cleared: if it is now another page's, this page
         * has none. */
        HartTlbEntry *e = &h->tlb_sets[(rev - 1) / HART_TLB_SIZE].write[(rev - 1) % HART_TLB_SIZE];
        if (e->tag != UINT64_MAX && e->tag + e->addend == (uintptr_t)host)
            e->tag = UINT64_MAX;
        h->tlb_write_rev[slot] = 0;
        return;
    }
    /* Scan, and recompute the slot for the entries that stay. */
    unsigned remaining = 0;
    for (unsigned set = 0; set < HART_TLB_SETS; set++) {
        if (!(h->tlb_sets_used & (1u << set)))
            continue;
        HartTlbEntry *tlb = h->tlb_sets[set].write;
        for (unsigned i = 0; i < HART_TLB_SIZE; i++) {
            HartTlbEntry *e = &tlb[i];
            if (e->tag == UINT64_MAX)
                continue;
            uintptr_t entry_host = e->tag + e->addend;
            if (entry_host == (uintptr_t)host) {
                e->tag = UINT64_MAX;
            } else if (tlb_rev_slot((uint64_t)(entry_host - (uintptr_t)h->bus->ram)) == slot) {
                remaining = remaining == 0 ? 1 + set * HART_TLB_SIZE + i : TLB_REV_MANY;
            }
        }
    }
    h->tlb_write_rev[slot] = (uint16_t)remaining;
}

/* Installs a TLB entry for the page of vaddr, which translated to paddr
 * for `access` at privilege priv, when the fast path may use it for every
 * access inside that page. */
static void tlb_fill(Hart *h, HartTlbEntry *tlb, uint64_t vaddr, uint64_t paddr, Access access,
                     int priv)
{
    uint64_t page = paddr & ~PAGE_MASK;
    uint8_t *host = bus_ram_ptr(h->bus, page, BUS_PAGE_SIZE);
    if (!host)
        return;
    if (access == ACCESS_STORE) {
        uint8_t flags = *bus_page_flags(h->bus, page);
        if (!(flags & BUS_PAGE_DIRTY) || (flags & BUS_PAGE_CODE))
            return;
    }
    /* Whole page allowed means one entry (or none, for M) covers it, so
     * every access inside gets the same answer. */
    if (!mmu_pmp_allows(h, page, BUS_PAGE_SIZE, access, priv))
        return;
    uint64_t vpage = vaddr & ~PAGE_MASK;
    h->tlb_sets_used |= (uint8_t)(1u << h->tlb_set);
    unsigned index = (unsigned)(vaddr >> 12) & (HART_TLB_SIZE - 1);
    HartTlbEntry *e = &tlb[index];
    e->tag = vpage;
    e->addend = (uintptr_t)host - (uintptr_t)vpage;
    if (access == ACCESS_STORE) {
        uint16_t *rev = &h->tlb_write_rev[tlb_rev_slot(page - h->bus->ram_base)];
        unsigned here = 1 + h->tlb_set * HART_TLB_SIZE + index;
        if (*rev == 0)
            *rev = (uint16_t)here;
        else if (*rev != here)
            *rev = TLB_REV_MANY;
    }
}

/* ---------------------------------------------------------------- slow paths */

/* One access split at a page boundary: up to two physical pieces. */
typedef struct AccessPieces {
    int count;
    uint64_t paddr[2];
    int size[2];
} AccessPieces;

static Exc translate_pieces(Hart *h, uint64_t vaddr, int size, Access access, int priv,
                            AccessPieces *pieces)
{
    uint64_t in_page = BUS_PAGE_SIZE - (vaddr & PAGE_MASK);
    h->split_fault = false;
    pieces->count = (uint64_t)size > in_page ? 2 : 1;
    pieces->size[0] = pieces->count == 2 ? (int)in_page : size;
    pieces->size[1] = size - pieces->size[0];
    for (int i = 0; i < pieces->count; i++) {
        uint64_t piece_vaddr = i == 0 ? vaddr : vaddr + in_page;
        Exc e = translate(h, piece_vaddr, access, priv, &pieces->paddr[i]);
        if (e == EXC_NONE &&
            !mmu_pmp_allows(h, pieces->paddr[i], (uint64_t)pieces->size[i], access, priv))
            e = access_fault(access);
        if (e != EXC_NONE) {
            /* tval must name the faulting portion (3.1.16); otherwise a
             * guest fault handler would map the first page again and again. */
            if (i == 1) {
                h->split_fault = true;
                h->split_fault_vaddr = vaddr;
                h->split_fault_portion = piece_vaddr;
            }
            return e;
        }
    }
    return EXC_NONE;
}

Exc mmu_load_slow(Hart *h, uint64_t vaddr, int size, uint64_t *value)
{
    int priv = effective_priv(h, ACCESS_LOAD);
    AccessPieces pieces;
    Exc e = translate_pieces(h, vaddr, size, ACCESS_LOAD, priv, &pieces);
    if (e != EXC_NONE)
        return e;
    const uint8_t *host0 = bus_ram_ptr(h->bus, pieces.paddr[0], (uint64_t)pieces.size[0]);
    if (pieces.count == 1) {
        if (host0) {
            uint64_t v = 0;
            memcpy(&v, host0, (size_t)size); /* little-endian host */
            *value = v;
            tlb_fill(h, h->tlb_read, vaddr, pieces.paddr[0], ACCESS_LOAD, priv);
            return EXC_NONE;
        }
        if (vaddr & (uint64_t)(size - 1))
            return EXC_LOAD_MISALIGNED;
        return bus_read(h->bus, pieces.paddr[0], size, value) ? EXC_NONE : EXC_LOAD_ACCESS;
    }
    const uint8_t *host1 = bus_ram_ptr(h->bus, pieces.paddr[1], (uint64_t)pieces.size[1]);
    if (!host0 || !host1)
        return EXC_LOAD_MISALIGNED; /* a page-crossing access is misaligned */
    uint8_t bytes[8] = {0};
    memcpy(bytes, host0, (size_t)pieces.size[0]);
    memcpy(bytes + pieces.size[0], host1, (size_t)pieces.size[1]);
    uint64_t v;
    memcpy(&v, bytes, 8);
    *value = v;
    return EXC_NONE;
}

Exc mmu_store_slow(Hart *h, uint64_t vaddr, int size, uint64_t value)
{
    int priv = effective_priv(h, ACCESS_STORE);
    AccessPieces pieces;
    Exc e = translate_pieces(h, vaddr, size, ACCESS_STORE, priv, &pieces);
    if (e != EXC_NONE)
        return e;
    uint8_t *host0 = bus_ram_ptr(h->bus, pieces.paddr[0], (uint64_t)pieces.size[0]);
    if (pieces.count == 1) {
        if (host0) {
            /* Data next to code in a page already dirty: when no decoded
             * instruction is overwritten, the blocks stay valid and the
             * page needs no noting (it stays a code page, so the next
             * store comes here again). */
            uint8_t flags = *bus_page_flags(h->bus, pieces.paddr[0]);
            if ((flags & (BUS_PAGE_CODE | BUS_PAGE_DIRTY)) == (BUS_PAGE_CODE | BUS_PAGE_DIRTY) &&
                h->code_cache && !code_cache_write_hits_code(h->code_cache, pieces.paddr[0], size)) {
                memcpy(host0, &value, (size_t)size);
                return EXC_NONE;
            }
            /* Note first: the code-write hook drops decoded blocks of the
             * page, which must not outlive the old bytes (as bus_dma_write). */
            bus_note_ram_write(h->bus, pieces.paddr[0], (uint64_t)size);
            memcpy(host0, &value, (size_t)size);
            tlb_fill(h, h->tlb_write, vaddr, pieces.paddr[0], ACCESS_STORE, priv);
            return EXC_NONE;
        }
        if (vaddr & (uint64_t)(size - 1))
            return EXC_STORE_MISALIGNED;
        return bus_write(h->bus, pieces.paddr[0], size, value) ? EXC_NONE : EXC_STORE_ACCESS;
    }
    uint8_t *host1 = bus_ram_ptr(h->bus, pieces.paddr[1], (uint64_t)pieces.size[1]);
    if (!host0 || !host1)
        return EXC_STORE_MISALIGNED;
    uint8_t bytes[8];
    memcpy(bytes, &value, 8);
    bus_note_ram_write(h->bus, pieces.paddr[0], (uint64_t)pieces.size[0]);
    bus_note_ram_write(h->bus, pieces.paddr[1], (uint64_t)pieces.size[1]);
    memcpy(host0, bytes, (size_t)pieces.size[0]);
    memcpy(host1, bytes + pieces.size[0], (size_t)pieces.size[1]);
    return EXC_NONE;
}

Exc mmu_fetch_translate(Hart *h, uint64_t vaddr, uint64_t *paddr)
{
    int priv = h->priv;
    Exc e = translate(h, vaddr, ACCESS_FETCH, priv, paddr);
    if (e != EXC_NONE)
        return e;
    /* 2 bytes: the smallest instruction; the block builder translates the
     * second half of a 4-byte instruction that crosses a page separately. */
    if (!mmu_pmp_allows(h, *paddr, 2, ACCESS_FETCH, priv))
        return EXC_INSN_ACCESS;
    tlb_fill(h, h->tlb_fetch, vaddr, *paddr, ACCESS_FETCH, priv);
    return EXC_NONE;
}

bool hart_debug_translate(const Hart *h, uint64_t vaddr, uint64_t *paddr)
{
    unsigned mode = (unsigned)(h->satp >> 60);
    if (h->priv == PRIV_M || mode == 0) {
        *paddr = vaddr;
        return true;
    }
    int levels = mode == 8 ? 3 : mode == 9 ? 4 : mode == 10 ? 5 : 0;
    if (!levels)
        return false;
    int va_bits = 12 + 9 * levels;
    int64_t sext = (int64_t)(vaddr << (64 - va_bits)) >> (64 - va_bits);
    if ((uint64_t)sext != vaddr)
        return false;
    uint64_t table = (h->satp & ((1ull << 44) - 1)) << 12;
    for (int level = levels - 1; level >= 0; level--) {
        uint64_t index = (vaddr >> (12 + 9 * level)) & 0x1ff;
        const uint8_t *p = bus_ram_ptr(h->bus, table + index * 8, 8);
        if (!p)
            return false;
        uint64_t pte;
        memcpy(&pte, p, 8);
        if (!(pte & 1) || ((pte & 6) == 4))
            return false;
        uint64_t ppn = (pte >> 10) & ((1ull << 44) - 1);
        if (pte & 0xa) { /* R or X: a leaf */
            uint64_t low_mask = (1ull << (12 + 9 * level)) - 1;
            if ((ppn << 12) & low_mask)
                return false; /* misaligned superpage */
            *paddr = (ppn << 12) | (vaddr & low_mask);
            return true;
        }
        table = ppn << 12;
    }
    return false;
}
