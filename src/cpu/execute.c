/* The interpreter engine: code cache, threaded dispatch, integer, memory
 * and atomic semantics, and hart_run.
 *
 * Code cache. Blocks of up to BLOCK_MAX_INSNS decoded instructions are kept
 * in an arena and found through a hash table keyed by the physical address
 * of their first instruction (buckets chained newest first, so colliding
 * hot blocks do not rebuild each other; a full arena flushes everything). A block never spans two
 * pages: it ends at a control transfer, at an instruction decode_insn
 * says ends a block, or at the end of its 4 KiB page. A 32-bit instruction
 * that straddles two pages is decoded on every execution into a one-
 * instruction block that is never cached (rare: only compressed code hits
 * it), so no cached block depends on the mapping of a second page.
 * Every block ends with an OP_BLOCK_END sentinel whose pc_off is the offset
 * after the last instruction and whose index is the instruction count.
 *
 * Self-modifying code. Building a block on a page sets BUS_PAGE_CODE and
 * removes the page from every hart's write TLB, so the next store to it
 * takes the slow path and the bus calls our code-write hook; the hook
 * bumps the page's generation number, and blocks whose generation differs
 * are rebuilt at lookup. Stores inside the block being executed go through
 * the slow path, which ends the block, so the stale rest of a block is
 * never executed after a write to it (stronger than fence.i requires, so
 * fence.i itself drops nothing). The hart's own slow-path stores to a code
 * page skip the invalidation when they overwrite no decoded instruction
 * (CodeCache.code_chunks, 64-byte granularity), so data sharing a page
 * with code does not make its blocks be rebuilt at every store.
 *
 * Dispatch. Each DecodedInsn holds the address of its handler label in
 * hart_run (computed goto); handlers end with `goto *(++ins)->op`. Jumps,
 * branches and fall-through block ends continue directly into the next
 * block when it was linked before (Block.next, see CHAIN_TO), skipping the
 * hash lookup (and, inside the same virtual page, the fetch-TLB probe);
 * the link is checked by physical address and generation.
 *
 * Instruction counting. h->instret is updated once per block exit with the
 * number of instructions retired. Before any call out of the interpreter
 * (slow memory access, CSR, trap, FPU) h->pc and h->instret are made exact
 * for the instruction doing the call, using its index in the block.
 *
 * Choices documented here:
 *  - misa.C is always on, so jump targets are always 2-byte aligned (bit 0
 *    is cleared by jalr and branch/jal offsets are even): the instruction-
 *    address-misaligned exception cannot occur (unprivileged spec 2.5).
 *  - LR/SC: LR records the physical address and the value read; SC
 *    succeeds if the reservation is valid, for the same address, and the
 *    memory still holds that value (so a store by another hart, which runs
 *    only between our slices, makes it fail unless it wrote back the same
 *    value: the usual emulator compromise, invisible to lock code). The
 *    reservation is dropped at every trap and interrupt entry and by every
 *    SC. It is NOT dropped at the start of a hart_run slice: that would make
 *    SC results depend on how the scheduler or a debugger (stepi = slices
 *    of one instruction, where an LR/SC loop would never succeed) splits
 *    the run, which breaks replay when a seek re-splits it.
 *  - A hart that takes STUCK_TRAP_LIMIT exceptions in a row without
 *    retiring an instruction (e.g. mtvec pointing at unmapped memory)
 *    would otherwise never return from hart_run; it returns
 *    HART_STOP_WFI instead (without setting h->wfi), so the machine stays
 *    responsive. Nothing retires meanwhile, so this is deterministic.
 *  - Interrupts are checked at the start of hart_run and after a block
 *    ending in a CSR instruction, mret/sret, wfi, a trap, or a slow-path
 *    memory access (which may have reached a device). */
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu_internal.h"

#define BLOCK_MAX_INSNS 64
#define CODE_HASH_BITS 16
#define CODE_HASH_SIZE (1u << CODE_HASH_BITS)
#define CODE_ARENA_SIZE (32u << 20)
/* Exceptions in a row without retiring anything after which hart_run
 * gives up its slice (see hart_run). */
#define STUCK_TRAP_LIMIT HART_STUCK_TRAP_LIMIT

typedef struct Block {
    uint64_t paddr;    /* physical address of the first instruction */
    uint32_t gen;      /* generation of its page when built */
    uint16_t count;    /* instructions, not counting the sentinel */
    uint16_t pad;
    /* Last successor blocks: [0] after a taken jump or branch, [1] after
     * falling through. Only hints: checked at use. */
    const struct Block *next[2];
    struct Block *hash_next; /* older blocks of the same bucket */
    DecodedInsn insns[]; /* count + 1 (sentinel) */
} Block;

struct CodeCache {
    Bus *bus;
    Block *table[CODE_HASH_SIZE];
    uint32_t *page_gen; /* one per RAM page */
    /* One per RAM page: bit i set when bytes [64 i, 64 i + 64) of the
     * page hold instructions of a block built since the page's last
     * invalidation (see code_cache_write_hits_code). */
    uint64_t *code_chunks;
    uint8_t *arena;
    size_t arena_used;
    uint64_t flush_count; /* chain links recorded before a flush are void */
};

/* --- code cache -------------------------------------------------------- */

static void code_cache_write_hook(void *opaque, uint64_t page_paddr)
{
    CodeCache *cache = opaque;
    Bus *bus = cache->bus;
    if (bus_is_ram(bus, page_paddr, 1)) {
        uint64_t page = (page_paddr - bus->ram_base) >> BUS_PAGE_SHIFT;
        cache->page_gen[page]++;
        cache->code_chunks[page] = 0;
    }
}

#define CODE_CHUNK_SHIFT 6 /* 64-byte chunks: 64 per page */

bool code_cache_write_hits_code(const CodeCache *cache, uint64_t paddr, int size)
{
    const Bus *bus = cache->bus;
    uint64_t offset = paddr - bus->ram_base;
    unsigned first = (unsigned)(offset & (BUS_PAGE_SIZE - 1)) >> CODE_CHUNK_SHIFT;
    unsigned last = (unsigned)((offset + (uint64_t)size - 1) & (BUS_PAGE_SIZE - 1)) >> CODE_CHUNK_SHIFT;
    uint64_t chunks = cache->code_chunks[offset >> BUS_PAGE_SHIFT];
    /* A write within one page: first <= last. */
    uint64_t mask = (last == 63 ? ~0ull : (1ull << (last + 1)) - 1) & ~((1ull << first) - 1);
    return (chunks & mask) != 0;
}

CodeCache *code_cache_create(Bus *bus)
{
    CodeCache *cache = calloc(1, sizeof(*cache));
    if (!cache)
        return NULL;
    cache->bus = bus;
    size_t pages = (size_t)(bus->ram_size >> BUS_PAGE_SHIFT);
    cache->page_gen = calloc(pages ? pages : 1, sizeof(uint32_t));
    cache->code_chunks = calloc(pages ? pages : 1, sizeof(uint64_t));
    cache->arena = malloc(CODE_ARENA_SIZE);
    if (!cache->page_gen || !cache->code_chunks || !cache->arena) {
        free(cache->page_gen);
        free(cache->code_chunks);
        free(cache->arena);
        free(cache);
        return NULL;
    }
    bus_set_code_write_hook(bus, code_cache_write_hook, cache);
    return cache;
}

void code_cache_destroy(CodeCache *cache)
{
    if (!cache)
        return;
    if (cache->bus->code_write_opaque == cache)
        bus_set_code_write_hook(cache->bus, NULL, NULL);
    free(cache->page_gen);
    free(cache->code_chunks);
    free(cache->arena);
    free(cache);
}

void code_cache_flush(CodeCache *cache)
{
    memset(cache->table, 0, sizeof(cache->table));
    cache->arena_used = 0;
    cache->flush_count++;
}

static inline uint32_t code_hash(uint64_t paddr)
{
    return (uint32_t)((paddr >> 1) ^ (paddr >> (CODE_HASH_BITS + 1))) & (CODE_HASH_SIZE - 1);
}

static inline uint32_t *page_gen_of(CodeCache *cache, uint64_t paddr)
{
    return &cache->page_gen[(paddr - cache->bus->ram_base) >> BUS_PAGE_SHIFT];
}

/* Marks the RAM page holding paddr as code and removes it from the write
 * TLBs of all harts of the machine (the list may be a ring or end in
 * NULL). */
static void mark_code_page(Hart *h, uint64_t paddr)
{
    Bus *bus = h->bus;
    uint8_t *flags = bus_page_flags(bus, paddr);
    if (*flags & BUS_PAGE_CODE)
        return;
    *flags |= BUS_PAGE_CODE;
    uint64_t page = paddr & ~(BUS_PAGE_SIZE - 1);
    Hart *other = h;
    do {
        hart_flush_write_tlb(other, page);
        other = other->next_in_machine;
    } while (other && other != h);
}

/* Handler of a decoded instruction. Ops that only write rd are skipped
 * entirely when rd = x0 (hints and nops), so their handlers need not keep
 * x0 zero; handlers of ops with side effects clear x[0] after writing. */
static const void *insn_handler(const DecodedInsn *d, const void *const *labels)
{
    unsigned op = d->op_id;
    bool pure = (op >= OP_LUI && op <= OP_AUIPC) || (op >= OP_ADDI && op <= OP_SRAW) ||
                (op >= OP_MUL && op <= OP_REMUW);
    if (pure && d->rd == 0)
        return labels[OP_FENCE]; /* the no-op handler */
    return labels[op];
}

static inline uint16_t read_u16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

/* Host bytes of the 2-byte parcel at paddr if instructions may be fetched
 * there (RAM or ROM), else NULL. Slow: for the page-straddling path. */
static const uint8_t *fetch_ptr(const Bus *bus, uint64_t paddr)
{
    const uint8_t *host = bus_ram_ptr(bus, paddr, 2);
    return host ? host : bus_rom_ptr(bus, paddr, 2);
}

/* Bytes from paddr to the end of the ROM region holding it (0 if none). */
static uint64_t rom_bytes_left(const Bus *bus, uint64_t paddr)
{
    for (int i = 0; i < bus->region_count; i++) {
        const BusRegion *r = &bus->regions[i];
        if (r->rom && paddr >= r->base && paddr - r->base < r->size)
            return r->size - (paddr - r->base);
    }
    return 0;
}

/* Decodes a block starting at paddr (RAM or ROM, same page) into `out`, which
 * has room for BLOCK_MAX_INSNS + 1 instructions. Stops before a 32-bit
 * instruction that crosses the page end unless it is the first one; in
 * that case returns 0 and leaves the block empty (the caller handles it). */
static int decode_block(const uint8_t *host, uint64_t paddr, uint64_t mem_left, DecodedInsn *out,
                        const void *const *labels)
{
    uint32_t off = 0, page_left = (uint32_t)(BUS_PAGE_SIZE - (paddr & (BUS_PAGE_SIZE - 1)));
    if (mem_left < page_left)
        page_left = (uint32_t)mem_left; /* RAM or ROM ending inside a page */
    int n = 0;
    while (n < BLOCK_MAX_INSNS && off + 2 <= page_left) {
        uint32_t raw = read_u16(host + off);
        if ((raw & 3) == 3) {
            if (off + 4 > page_left)
                break; /* straddles the page end */
            raw |= (uint32_t)read_u16(host + off + 2) << 16;
        }
        DecodedInsn *d = &out[n];
        bool ends = decode_insn(raw, d);
        d->index = (uint8_t)n;
        d->pc_off = (uint16_t)off;
        d->op = insn_handler(d, labels);
        off += d->len;
        n++;
        if (ends)
            break;
    }
    DecodedInsn *end = &out[n];
    memset(end, 0, sizeof(*end));
    end->op_id = OP_BLOCK_END;
    end->op = labels[OP_BLOCK_END];
    end->index = (uint8_t)n;
    end->pc_off = (uint16_t)off;
    return n;
}

static Block *build_block(Hart *h, uint64_t paddr, const void *const *labels)
{
    CodeCache *cache = h->code_cache;
    DecodedInsn tmp[BLOCK_MAX_INSNS + 1];
    Bus *bus = h->bus;
    const uint8_t *host = bus_ram_ptr(bus, paddr, 2);
    int n = decode_block(host, paddr, bus->ram_base + bus->ram_size - paddr, tmp, labels);
    if (n == 0)
        return NULL;
    size_t size = sizeof(Block) + (size_t)(n + 1) * sizeof(DecodedInsn);
    size = (size + 15) & ~(size_t)15;
    if (cache->arena_used + size > CODE_ARENA_SIZE)
        code_cache_flush(cache);
    Block *b = (Block *)(cache->arena + cache->arena_used);
    cache->arena_used += size;
    mark_code_page(h, paddr);
    {
        /* The bytes the block decoded: [paddr, paddr + end offset). */
        unsigned first = (unsigned)(paddr & (BUS_PAGE_SIZE - 1)) >> CODE_CHUNK_SHIFT;
        unsigned last = (unsigned)((paddr & (BUS_PAGE_SIZE - 1)) + tmp[n].pc_off - 1) >>
                        CODE_CHUNK_SHIFT;
        uint64_t mask = (last == 63 ? ~0ull : (1ull << (last + 1)) - 1) & ~((1ull << first) - 1);
        cache->code_chunks[(paddr - bus->ram_base) >> BUS_PAGE_SHIFT] |= mask;
    }
    b->paddr = paddr;
    b->gen = *page_gen_of(cache, paddr);
    b->count = (uint16_t)n;
    b->pad = 0;
    b->next[0] = b->next[1] = NULL;
    memcpy(b->insns, tmp, (size_t)(n + 1) * sizeof(DecodedInsn));
    Block **bucket = &cache->table[code_hash(paddr)];
    b->hash_next = *bucket;
    *bucket = b;
    return b;
}

/* --- hart setup -------------------------------------------------------- */

void hart_init(Hart *h, uint64_t hartid, Bus *bus, CodeCache *cache, HartEnv env)
{
    memset(h, 0, sizeof(*h));
    h->bus = bus;
    h->code_cache = cache;
    h->env = env;
    h->mhartid = hartid;
    h->next_in_machine = NULL;
    /* All sets hold zeroes, not empty entries: make the flush clear them. */
    h->tlb_sets_used = (uint8_t)((1u << HART_TLB_SETS) - 1);
    hart_reset(h, 0);
}

void hart_reset(Hart *h, uint64_t reset_pc)
{
    /* Keep wiring, id and the clock offsets; reset architectural state
     * (privileged spec 3.4: priv M, MIE = 0, MPRV = 0, misa at maximum). */
    memset(h->x, 0, sizeof(h->x));
    memset(h->f, 0, sizeof(h->f));
    h->pc = reset_pc;
    h->frm = 0;
    h->fflags = 0;
    h->stop_request = false;
    h->wfi = false;
    /* mip bits that mirror device lines (CLINT, PLIC) keep the level the
     * device drives; only the software-written ones reset. */
    h->mip &= (1ull << IRQ_M_SOFT) | (1ull << IRQ_M_TIMER) | (1ull << IRQ_M_EXT) |
              (1ull << IRQ_S_EXT);
    h->mie = 0;
    h->reservation_valid = false;
    /* MXL = 2 (64-bit) in misa; SXL = UXL = 2 in mstatus. */
    h->misa = (2ull << 62) | (1u << ('I' - 'A')) | (1u << ('M' - 'A')) | (1u << ('A' - 'A')) |
              (1u << ('F' - 'A')) | (1u << ('D' - 'A')) | (1u << ('C' - 'A')) |
              (1u << ('S' - 'A')) | (1u << ('U' - 'A'));
    h->mstatus = (2ull << 32) | (2ull << 34);
    h->medeleg = h->mideleg = 0;
    h->mtvec = h->stvec = 0;
    h->mscratch = h->sscratch = 0;
    h->mepc = h->sepc = 0;
    h->mcause = h->scause = 0;
    h->mtval = h->stval = 0;
    h->satp = 0;
    h->mcounteren = h->scounteren = h->mcountinhibit = 0;
    h->menvcfg = h->senvcfg = 0;
    h->stimecmp = UINT64_MAX;
    memset(h->pmpcfg, 0, sizeof(h->pmpcfg));
    memset(h->pmpaddr, 0, sizeof(h->pmpaddr));
    h->priv = PRIV_M;
    hart_flush_tlb(h);
}

/* --- the interpreter --------------------------------------------------- */

static inline uint64_t host_to_paddr(const Bus *bus, const uint8_t *host)
{
    return (uint64_t)(host - bus->ram) + bus->ram_base;
}

/* Atomic read-modify-write on host memory; returns the old value
 * sign-extended for the W forms. */
static uint64_t amo_apply(int op, uint8_t *p, uint64_t src)
{
    bool word = op <= OP_AMOMAXU_W;
    int kind = word ? op - OP_AMOSWAP_W : op - OP_AMOSWAP_D;
    uint64_t old, result;
    if (word) {
        uint32_t w;
        memcpy(&w, p, 4);
        old = (uint64_t)(int64_t)(int32_t)w;
        int32_t a = (int32_t)w, b = (int32_t)src;
        uint32_t ua = w, ub = (uint32_t)src;
        uint32_t r;
        switch (kind) {
        case 0: r = ub; break;
        case 1: r = ua + ub; break;
        case 2: r = ua ^ ub; break;
        case 3: r = ua & ub; break;
        case 4: r = ua | ub; break;
        case 5: r = (uint32_t)(a < b ? a : b); break;
        case 6: r = (uint32_t)(a > b ? a : b); break;
        case 7: r = ua < ub ? ua : ub; break;
        default: r = ua > ub ? ua : ub; break;
        }
        memcpy(p, &r, 4);
        return old;
    }
    memcpy(&old, p, 8);
    int64_t a = (int64_t)old, b = (int64_t)src;
    switch (kind) {
    case 0: result = src; break;
    case 1: result = old + src; break;
    case 2: result = old ^ src; break;
    case 3: result = old & src; break;
    case 4: result = old | src; break;
    case 5: result = (uint64_t)(a < b ? a : b); break;
    case 6: result = (uint64_t)(a > b ? a : b); break;
    case 7: result = old < src ? old : src; break;
    default: result = old > src ? old : src; break;
    }
    memcpy(p, &result, 8);
    return old;
}

/* Finds host memory for an AMO/SC/LR at vaddr: alignment, translation, RAM
 * check. On success *host and *paddr are set. */
static Exc atomic_locate(Hart *h, uint64_t vaddr, int size, Access access, uint8_t **host,
                         uint64_t *paddr)
{
    /* Misaligned atomics raise the misaligned exception (unprivileged spec
     * 8.2/8.4 allow misaligned or access fault; we choose misaligned). */
    if (vaddr & (uint64_t)(size - 1))
        return access == ACCESS_LOAD ? EXC_LOAD_MISALIGNED : EXC_STORE_MISALIGNED;
    Exc e = mmu_translate(h, vaddr, access, paddr);
    if (e != EXC_NONE)
        return e;
    *host = bus_ram_ptr(h->bus, *paddr, (uint64_t)size);
    if (!*host)
        return access == ACCESS_LOAD ? EXC_LOAD_ACCESS : EXC_STORE_ACCESS;
    return EXC_NONE;
}

static inline uint64_t mulhu64(uint64_t a, uint64_t b)
{
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
}

static inline uint64_t mulh64(int64_t a, int64_t b)
{
    return (uint64_t)(((__int128)a * b) >> 64);
}

static inline uint64_t mulhsu64(int64_t a, uint64_t b)
{
    return (uint64_t)(((__int128)a * (__int128)(unsigned __int128)b) >> 64);
}

/* mtval for an illegal instruction: its original encoding (decode.c keeps
 * the 16 bits of a compressed one in pad). */
static inline uint64_t illegal_tval(const DecodedInsn *ins)
{
    return ins->len == 2 ? ins->pad : ins->raw;
}

static inline uint64_t sext32(uint64_t v) { return (uint64_t)(int64_t)(int32_t)v; }

bool hart_take_interrupt(Hart *h)
{
    if (!trap_check_interrupts(h))
        return false;
    h->wfi = false;
    h->reservation_valid = false;
    return true;
}

HartStop hart_run(Hart *h, uint64_t budget)
{
    static const void *const labels[OP_COUNT] = {
        [OP_ILLEGAL] = &&op_illegal,
        [OP_LUI] = &&op_lui, [OP_AUIPC] = &&op_auipc, [OP_JAL] = &&op_jal, [OP_JALR] = &&op_jalr,
        [OP_BEQ] = &&op_beq, [OP_BNE] = &&op_bne, [OP_BLT] = &&op_blt, [OP_BGE] = &&op_bge,
        [OP_BLTU] = &&op_bltu, [OP_BGEU] = &&op_bgeu,
        [OP_LB] = &&op_lb, [OP_LH] = &&op_lh, [OP_LW] = &&op_lw, [OP_LD] = &&op_ld,
        [OP_LBU] = &&op_lbu, [OP_LHU] = &&op_lhu, [OP_LWU] = &&op_lwu,
        [OP_SB] = &&op_sb, [OP_SH] = &&op_sh, [OP_SW] = &&op_sw, [OP_SD] = &&op_sd,
        [OP_ADDI] = &&op_addi, [OP_SLTI] = &&op_slti, [OP_SLTIU] = &&op_sltiu,
        [OP_XORI] = &&op_xori, [OP_ORI] = &&op_ori, [OP_ANDI] = &&op_andi,
        [OP_SLLI] = &&op_slli, [OP_SRLI] = &&op_srli, [OP_SRAI] = &&op_srai,
        [OP_ADD] = &&op_add, [OP_SUB] = &&op_sub, [OP_SLL] = &&op_sll, [OP_SLT] = &&op_slt,
        [OP_SLTU] = &&op_sltu, [OP_XOR] = &&op_xor, [OP_SRL] = &&op_srl, [OP_SRA] = &&op_sra,
        [OP_OR] = &&op_or, [OP_AND] = &&op_and,
        [OP_ADDIW] = &&op_addiw, [OP_SLLIW] = &&op_slliw, [OP_SRLIW] = &&op_srliw,
        [OP_SRAIW] = &&op_sraiw,
        [OP_ADDW] = &&op_addw, [OP_SUBW] = &&op_subw, [OP_SLLW] = &&op_sllw,
        [OP_SRLW] = &&op_srlw, [OP_SRAW] = &&op_sraw,
        [OP_FENCE] = &&op_fence, [OP_FENCE_I] = &&op_fence_i,
        [OP_ECALL] = &&op_ecall, [OP_EBREAK] = &&op_ebreak,
        [OP_CSRRW] = &&op_csr, [OP_CSRRS] = &&op_csr, [OP_CSRRC] = &&op_csr,
        [OP_CSRRWI] = &&op_csr, [OP_CSRRSI] = &&op_csr, [OP_CSRRCI] = &&op_csr,
        [OP_MRET] = &&op_mret, [OP_SRET] = &&op_sret, [OP_WFI] = &&op_wfi,
        [OP_SFENCE_VMA] = &&op_sfence_vma,
        [OP_MUL] = &&op_mul, [OP_MULH] = &&op_mulh, [OP_MULHSU] = &&op_mulhsu,
        [OP_MULHU] = &&op_mulhu, [OP_DIV] = &&op_div, [OP_DIVU] = &&op_divu,
        [OP_REM] = &&op_rem, [OP_REMU] = &&op_remu,
        [OP_MULW] = &&op_mulw, [OP_DIVW] = &&op_divw, [OP_DIVUW] = &&op_divuw,
        [OP_REMW] = &&op_remw, [OP_REMUW] = &&op_remuw,
        [OP_LR_W] = &&op_lr, [OP_LR_D] = &&op_lr, [OP_SC_W] = &&op_sc, [OP_SC_D] = &&op_sc,
        [OP_AMOSWAP_W] = &&op_amo, [OP_AMOADD_W] = &&op_amo, [OP_AMOXOR_W] = &&op_amo,
        [OP_AMOAND_W] = &&op_amo, [OP_AMOOR_W] = &&op_amo, [OP_AMOMIN_W] = &&op_amo,
        [OP_AMOMAX_W] = &&op_amo, [OP_AMOMINU_W] = &&op_amo, [OP_AMOMAXU_W] = &&op_amo,
        [OP_AMOSWAP_D] = &&op_amo, [OP_AMOADD_D] = &&op_amo, [OP_AMOXOR_D] = &&op_amo,
        [OP_AMOAND_D] = &&op_amo, [OP_AMOOR_D] = &&op_amo, [OP_AMOMIN_D] = &&op_amo,
        [OP_AMOMAX_D] = &&op_amo, [OP_AMOMINU_D] = &&op_amo, [OP_AMOMAXU_D] = &&op_amo,
        [OP_FLW] = &&op_flw, [OP_FLD] = &&op_fld, [OP_FSW] = &&op_fsw, [OP_FSD] = &&op_fsd,
        [OP_FP] = &&op_fp,
        [OP_BLOCK_END] = &&op_block_end,
    };

    Bus *const bus = h->bus;
    CodeCache *const cache = h->code_cache;
    uint64_t *const x = h->x;
    uint64_t remaining = budget;
    /* Scratch for truncated blocks and page-straddling instructions. */
    DecodedInsn scratch[BLOCK_MAX_INSNS + 1];

    /* State of the block being executed. */
    const DecodedInsn *ins;
    uint64_t block_pc;      /* virtual pc of the block's first instruction */
    uint64_t block_instret; /* h->instret at block entry */
    uint64_t next_pc;       /* where the block exit continues */
    unsigned retired;       /* instructions of the block retired at exit */
    uint64_t addr, value;
    uint8_t *host;
    Exc cause;
    uint64_t tval;
    /* Block chaining: the cached block being executed (NULL for scratch
     * copies) and, after a chain miss, where to record the successor. */
    const Block *cur_block = NULL;
    Block *link_from = NULL;
    const DecodedInsn *first; /* the block about to run (cached or scratch) */
    unsigned count;
    int link_slot = 0;
    uint64_t link_flush_count = 0;
    unsigned stuck_traps = 0;
    uint64_t last_trap_instret = h->instret;

    if (trap_check_interrupts(h)) {
        h->wfi = false;
        h->reservation_valid = false;
    }
    if (h->wfi) {
        if (!hart_wakeup_pending(h))
            return HART_STOP_WFI;
        h->wfi = false;
    }

    /* Called after every exception taken: gives up the slice when the hart
     * is stuck in a loop of exceptions, or at once for gdb. */
#define NOTE_TRAP() \
    do { \
        if (unlikely(h->stop_at_trap)) \
            return HART_STOP_TRAP; \
        if (h->instret != last_trap_instret) { \
            last_trap_instret = h->instret; \
            stuck_traps = 0; \
        } else if (unlikely(++stuck_traps >= STUCK_TRAP_LIMIT)) { \
            return HART_STOP_WFI; \
        } \
    } while (0)
#define PC (block_pc + ins->pc_off)
#define NEXT \
    do { \
        ins++; \
        goto *ins->op; \
    } while (0)
    /* Makes pc/instret exact for the current instruction before a call. */
#define SYNC() \
    do { \
        h->pc = PC; \
        h->instret = block_instret + ins->index; \
    } while (0)
#define TRAP(c, t) \
    do { \
        cause = (c); \
        tval = (t); \
        goto take_trap; \
    } while (0)
    /* Ends the block after the current instruction (it retired). */
#define EXIT_AFTER(target) \
    do { \
        next_pc = (target); \
        retired = ins->index + 1u; \
        goto block_exit; \
    } while (0)
#define EXIT_AFTER_SLOW() \
    do { \
        next_pc = PC + ins->len; \
        retired = ins->index + 1u; \
        goto block_exit_check; \
    } while (0)
    /* Ends the block and continues at target, directly in the successor
     * block if it was linked and is still valid. A same-virtual-page target
     * has the physical address of our page (the translation cannot change
     * inside a block: satp, sfence.vma, priv changes all end blocks through
     * the non-chaining exits), and a block of our page is current iff its
     * generation equals ours (ours was checked at entry and the page has
     * not been written since: writes to code pages take the slow path,
     * which ends the block without chaining). A target in another page is
     * checked as the main loop would find it: the fetch TLB gives its
     * physical address (the TLB only maps RAM pages; a miss takes the main
     * loop, which translates and may fault) and the successor must be
     * current for that page's generation. Expanded in each handler so
     * that the host predicts each site's indirect jump separately. */
#define CHAIN_TO(target_expr, slot, nretired) \
    do { \
        next_pc = (target_expr); \
        retired = (nretired); \
        remaining -= retired; \
        block_instret += retired; \
        if (likely(cur_block)) { \
            const Block *succ_ = cur_block->next[slot]; \
            if (likely(succ_ && succ_->count <= remaining && !h->stop_request)) { \
                if (likely(((next_pc ^ block_pc) >> 12) == 0)) { \
                    if (likely(succ_->paddr == \
                                   ((cur_block->paddr & ~0xfffull) | (next_pc & 0xfff)) && \
                               succ_->gen == cur_block->gen)) { \
                        cur_block = succ_; \
                        block_pc = next_pc; \
                        ins = succ_->insns; \
                        goto *ins->op; \
                    } \
                } else { \
                    const uint8_t *fetch_ = tlb_hit(h->tlb_fetch, next_pc, 2); \
                    if (likely(fetch_ != NULL)) { \
                        uint64_t ram_off_ = (uint64_t)(fetch_ - bus->ram); \
                        if (likely(succ_->paddr == bus->ram_base + ram_off_ && \
                                   succ_->gen == cache->page_gen[ram_off_ >> BUS_PAGE_SHIFT])) { \
                            cur_block = succ_; \
                            block_pc = next_pc; \
                            ins = succ_->insns; \
                            goto *ins->op; \
                        } \
                    } \
                } \
            } \
            link_from = (Block *)cur_block; \
            link_slot = (slot); \
            link_flush_count = cache->flush_count; \
        } \
        goto chain_miss; \
    } while (0)

    for (;;) {
        if (remaining == 0)
            return HART_STOP_BUDGET;
        if (unlikely(h->stop_request)) {
            h->stop_request = false;
            return HART_STOP_REQUEST;
        }

        /* Find the physical address of pc: fetch TLB, else translate. */
        uint64_t pc = h->pc;
        uint64_t paddr;
        host = tlb_hit(h->tlb_fetch, pc, 2);
        if (likely(host && host >= bus->ram && host < bus->ram + bus->ram_size)) {
            paddr = host_to_paddr(bus, host);
        } else {
            Exc e = mmu_fetch_translate(h, pc, &paddr);
            if (e == EXC_NONE && !bus_is_ram(bus, paddr, 2)) {
                const uint8_t *rom = bus_rom_ptr(bus, paddr, 2);
                if (rom) {
                    /* Fetch from a ROM region (the board's reset vector):
                     * decode an uncached block into scratch each time.
                     * ROM code runs a handful of instructions at reset,
                     * so it gets no cache of its own; ending the block
                     * with cur_block = NULL keeps it out of chaining. */
                    int n = decode_block(rom, paddr, rom_bytes_left(bus, paddr), scratch, labels);
                    first = n ? scratch : NULL;
                    count = (unsigned)n;
                    cur_block = NULL;
                    link_from = NULL;
                    goto run_decoded;
                }
                e = EXC_INSN_ACCESS; /* MMIO or unmapped: never executed */
            }
            if (e != EXC_NONE) {
                h->reservation_valid = false;
                trap_exception(h, e, pc);
                NOTE_TRAP();
                continue;
            }
        }

        Block *b = cache->table[code_hash(paddr)];
        while (b && b->paddr != paddr)
            b = b->hash_next;
        /* The newest block for paddr comes first; if it is stale so are
         * the older ones. */
        if (likely(b && b->gen == *page_gen_of(cache, paddr))) {
            first = b->insns;
            count = b->count;
        } else {
            b = build_block(h, paddr, labels);
            if (b) {
                first = b->insns;
                count = b->count;
            } else {
                first = NULL;
                count = 0;
            }
        }
        if (link_from) {
            /* Record the successor unless the cache was flushed since
             * link_from was current (its memory may hold new blocks). */
            if (b && link_flush_count == cache->flush_count)
                link_from->next[link_slot] = b;
            link_from = NULL;
        }
        cur_block = b;
    run_decoded:
        if (unlikely(!first)) {
            /* A 32-bit instruction straddling a page end: fetch the
             * second half through its own translation. A fault there
             * reports the second page's address (privileged spec
             * 3.1.16: mtval = the faulting portion's address). */
            uint64_t paddr2;
            uint64_t vaddr2 = pc + 2;
            Exc e = mmu_fetch_translate(h, vaddr2, &paddr2);
            if (e == EXC_NONE && !fetch_ptr(bus, paddr2))
                e = EXC_INSN_ACCESS;
            if (e != EXC_NONE) {
                h->reservation_valid = false;
                trap_exception(h, e, vaddr2);
                NOTE_TRAP();
                continue;
            }
            uint32_t raw = read_u16(fetch_ptr(bus, paddr)) |
                           (uint32_t)read_u16(fetch_ptr(bus, paddr2)) << 16;
            decode_insn(raw, &scratch[0]);
            scratch[0].index = 0;
            scratch[0].pc_off = 0;
            scratch[0].op = insn_handler(&scratch[0], labels);
            memset(&scratch[1], 0, sizeof(scratch[1]));
            scratch[1].op_id = OP_BLOCK_END;
            scratch[1].op = labels[OP_BLOCK_END];
            scratch[1].index = 1;
            scratch[1].pc_off = 4;
            first = scratch;
            count = 1;
        }
        if (unlikely(count > remaining)) {
            /* Run only the first `remaining` instructions so that the hart
             * stops exactly at the budget. */
            unsigned n = (unsigned)remaining;
            if (first != scratch)
                memcpy(scratch, first, n * sizeof(DecodedInsn));
            DecodedInsn *end = &scratch[n];
            uint16_t end_off = first[n].pc_off;
            memset(end, 0, sizeof(*end));
            end->op_id = OP_BLOCK_END;
            end->op = labels[OP_BLOCK_END];
            end->index = (uint8_t)n;
            end->pc_off = end_off;
            first = scratch;
            cur_block = NULL;
        }

        block_pc = pc;
        block_instret = h->instret;
        ins = first;
        goto *ins->op;

        /* ---- block exits ---- */
    op_block_end:
        CHAIN_TO(PC, 1, ins->index);
    chain_miss:
        h->pc = next_pc;
        h->instret = block_instret;
        if (unlikely(h->stop_request)) {
            h->stop_request = false;
            return HART_STOP_REQUEST;
        }
        continue;
    block_exit:
        h->pc = next_pc;
        h->instret = block_instret + retired;
        remaining -= retired;
        if (unlikely(h->stop_request)) {
            h->stop_request = false;
            return HART_STOP_REQUEST;
        }
        continue;

    block_exit_check:
        h->pc = next_pc;
        h->instret = block_instret + retired;
        remaining -= retired;
    check_interrupts:
        if (trap_check_interrupts(h))
            h->reservation_valid = false;
        if (unlikely(h->stop_request)) {
            h->stop_request = false;
            return HART_STOP_REQUEST;
        }
        continue;

    take_trap:
        SYNC();
        remaining -= ins->index;
        h->reservation_valid = false;
        trap_exception(h, cause, tval);
        NOTE_TRAP();
        goto check_interrupts;

        /* ---- RV64I ---- */
    op_lui:
        x[ins->rd] = (uint64_t)(int64_t)ins->imm;
        NEXT;
    op_auipc:
        x[ins->rd] = PC + (uint64_t)(int64_t)ins->imm;
        NEXT;
    op_jal: {
        uint64_t link = PC + ins->len;
        uint64_t target = PC + (uint64_t)(int64_t)ins->imm;
        x[ins->rd] = link;
        x[0] = 0;
        CHAIN_TO(target, 0, ins->index + 1u);
    }
    op_jalr: {
        uint64_t target = (x[ins->rs1] + (uint64_t)(int64_t)ins->imm) & ~1ull;
        x[ins->rd] = PC + ins->len;
        x[0] = 0;
        CHAIN_TO(target, 0, ins->index + 1u);
    }
#define BRANCH(name, cond) \
    name: \
        if (cond) \
            CHAIN_TO(PC + (uint64_t)(int64_t)ins->imm, 0, ins->index + 1u); \
        /* Branches end blocks: falling through is the block end. */ \
        CHAIN_TO(PC + ins->len, 1, ins->index + 1u);
    BRANCH(op_beq, x[ins->rs1] == x[ins->rs2])
    BRANCH(op_bne, x[ins->rs1] != x[ins->rs2])
    BRANCH(op_blt, (int64_t)x[ins->rs1] < (int64_t)x[ins->rs2])
    BRANCH(op_bge, (int64_t)x[ins->rs1] >= (int64_t)x[ins->rs2])
    BRANCH(op_bltu, x[ins->rs1] < x[ins->rs2])
    BRANCH(op_bgeu, x[ins->rs1] >= x[ins->rs2])

        /* Loads: inline TLB hit, else the slow path (which may reach a
         * device, so the block ends after it). */
#define LOAD(name, size, type, conv) \
    name: \
        addr = x[ins->rs1] + (uint64_t)(int64_t)ins->imm; \
        host = tlb_hit(h->tlb_read, addr, size); \
        if (likely(host)) { \
            type v_; \
            memcpy(&v_, host, size); \
            x[ins->rd] = conv(v_); \
            x[0] = 0; \
            NEXT; \
        } \
        SYNC(); \
        cause = mmu_load_slow(h, addr, size, &value); \
        if (cause != EXC_NONE) \
            TRAP(cause, addr); \
        { \
            type v_ = (type)value; \
            x[ins->rd] = conv(v_); \
            x[0] = 0; \
        } \
        EXIT_AFTER_SLOW();
#define CONV_S(v) ((uint64_t)(int64_t)(v))
#define CONV_U(v) ((uint64_t)(v))
    LOAD(op_lb, 1, int8_t, CONV_S)
    LOAD(op_lh, 2, int16_t, CONV_S)
    LOAD(op_lw, 4, int32_t, CONV_S)
    LOAD(op_ld, 8, uint64_t, CONV_U)
    LOAD(op_lbu, 1, uint8_t, CONV_U)
    LOAD(op_lhu, 2, uint16_t, CONV_U)
    LOAD(op_lwu, 4, uint32_t, CONV_U)

#define STORE(name, size, type) \
    name: \
        addr = x[ins->rs1] + (uint64_t)(int64_t)ins->imm; \
        host = tlb_hit(h->tlb_write, addr, size); \
        if (likely(host)) { \
            type v_ = (type)x[ins->rs2]; \
            memcpy(host, &v_, size); \
            NEXT; \
        } \
        SYNC(); \
        cause = mmu_store_slow(h, addr, size, x[ins->rs2]); \
        if (cause != EXC_NONE) \
            TRAP(cause, addr); \
        EXIT_AFTER_SLOW();
    STORE(op_sb, 1, uint8_t)
    STORE(op_sh, 2, uint16_t)
    STORE(op_sw, 4, uint32_t)
    STORE(op_sd, 8, uint64_t)

#define ALU(name, expr) \
    name: \
        x[ins->rd] = (expr); \
        NEXT;
#define RS1 x[ins->rs1]
#define RS2 x[ins->rs2]
#define IMM ((uint64_t)(int64_t)ins->imm)
    ALU(op_addi, RS1 + IMM)
    ALU(op_slti, (int64_t)RS1 < (int64_t)IMM)
    ALU(op_sltiu, RS1 < IMM)
    ALU(op_xori, RS1 ^ IMM)
    ALU(op_ori, RS1 | IMM)
    ALU(op_andi, RS1 & IMM)
    ALU(op_slli, RS1 << ins->imm)
    ALU(op_srli, RS1 >> ins->imm)
    ALU(op_srai, (uint64_t)((int64_t)RS1 >> ins->imm))
    ALU(op_add, RS1 + RS2)
    ALU(op_sub, RS1 - RS2)
    ALU(op_sll, RS1 << (RS2 & 63))
    ALU(op_slt, (int64_t)RS1 < (int64_t)RS2)
    ALU(op_sltu, RS1 < RS2)
    ALU(op_xor, RS1 ^ RS2)
    ALU(op_srl, RS1 >> (RS2 & 63))
    ALU(op_sra, (uint64_t)((int64_t)RS1 >> (RS2 & 63)))
    ALU(op_or, RS1 | RS2)
    ALU(op_and, RS1 & RS2)
    ALU(op_addiw, sext32(RS1 + IMM))
    ALU(op_slliw, sext32((uint32_t)RS1 << ins->imm))
    ALU(op_srliw, sext32((uint32_t)RS1 >> ins->imm))
    ALU(op_sraiw, (uint64_t)(int64_t)((int32_t)RS1 >> ins->imm))
    ALU(op_addw, sext32(RS1 + RS2))
    ALU(op_subw, sext32(RS1 - RS2))
    ALU(op_sllw, sext32((uint32_t)RS1 << (RS2 & 31)))
    ALU(op_srlw, sext32((uint32_t)RS1 >> (RS2 & 31)))
    ALU(op_sraw, (uint64_t)(int64_t)((int32_t)RS1 >> (RS2 & 31)))

        /* ---- M (unprivileged spec 7.2: division by zero and overflow
         * produce defined results, no trap) ---- */
    ALU(op_mul, RS1 * RS2)
    ALU(op_mulh, mulh64((int64_t)RS1, (int64_t)RS2))
    ALU(op_mulhsu, mulhsu64((int64_t)RS1, RS2))
    ALU(op_mulhu, mulhu64(RS1, RS2))
    ALU(op_div, RS2 == 0 ? UINT64_MAX
                : ((int64_t)RS1 == INT64_MIN && (int64_t)RS2 == -1)
                    ? RS1
                    : (uint64_t)((int64_t)RS1 / (int64_t)RS2))
    ALU(op_divu, RS2 == 0 ? UINT64_MAX : RS1 / RS2)
    ALU(op_rem, RS2 == 0 ? RS1
                : ((int64_t)RS1 == INT64_MIN && (int64_t)RS2 == -1)
                    ? 0
                    : (uint64_t)((int64_t)RS1 % (int64_t)RS2))
    ALU(op_remu, RS2 == 0 ? RS1 : RS1 % RS2)
    ALU(op_mulw, sext32(RS1 * RS2))
    ALU(op_divw, (int32_t)RS2 == 0 ? UINT64_MAX
                 : ((int32_t)RS1 == INT32_MIN && (int32_t)RS2 == -1)
                     ? sext32(RS1)
                     : (uint64_t)(int64_t)((int32_t)RS1 / (int32_t)RS2))
    ALU(op_divuw, (uint32_t)RS2 == 0 ? UINT64_MAX : sext32((uint32_t)RS1 / (uint32_t)RS2))
    ALU(op_remw, (int32_t)RS2 == 0 ? sext32(RS1)
                 : ((int32_t)RS1 == INT32_MIN && (int32_t)RS2 == -1)
                     ? 0
                     : (uint64_t)(int64_t)((int32_t)RS1 % (int32_t)RS2))
    ALU(op_remuw, (uint32_t)RS2 == 0 ? sext32(RS1) : sext32((uint32_t)RS1 % (uint32_t)RS2))

    op_fence:
        /* One hart runs at a time and memory is sequentially consistent
         * from its point of view: nothing to order. */
        NEXT;
    op_fence_i:
        /* Nothing to drop: every write to RAM holding decoded blocks
         * already invalidated them (see "Self-modifying code" above: the
         * write TLB never maps code pages, and every other writer, i.e.
         * slow-path, misaligned and page-crossing stores, SC and AMOs off
         * the fast path, PTE A/D updates and device DMA, goes through
         * bus_note_ram_write, which calls our code-write hook). Other
         * harts run only between our slices and look blocks up by page
         * generation at slice start. The block still ends here so that
         * the instruction after fence.i is fetched through a fresh lookup. */
        EXIT_AFTER(PC + ins->len);

        /* ---- system ---- */
    op_ecall:
        TRAP(h->priv == PRIV_U ? EXC_ECALL_U : h->priv == PRIV_S ? EXC_ECALL_S : EXC_ECALL_M, 0);
    op_ebreak:
        TRAP(EXC_BREAKPOINT, PC);
    op_illegal:
        TRAP(EXC_ILLEGAL_INSN, illegal_tval(ins));
    op_csr: {
        int op = ins->op_id;
        bool immediate = op >= OP_CSRRWI;
        uint64_t src = immediate ? ins->rs1 : x[ins->rs1];
        bool write_intent = op == OP_CSRRW || op == OP_CSRRWI || ins->rs1 != 0;
        uint64_t old;
        SYNC();
        cause = csr_access(h, ins->imm & 0xfff, op, src, write_intent, &old);
        if (cause != EXC_NONE)
            TRAP(cause, illegal_tval(ins));
        x[ins->rd] = old;
        x[0] = 0;
        EXIT_AFTER_SLOW();
    }
    op_mret:
        SYNC();
        if (!trap_mret(h))
            TRAP(EXC_ILLEGAL_INSN, illegal_tval(ins));
        next_pc = h->pc;
        retired = ins->index + 1u;
        goto block_exit_check;
    op_sret:
        SYNC();
        if (!trap_sret(h))
            TRAP(EXC_ILLEGAL_INSN, illegal_tval(ins));
        next_pc = h->pc;
        retired = ins->index + 1u;
        goto block_exit_check;
    op_wfi:
        /* Privileged spec 3.1.6.6: wfi is illegal in U-mode (S-mode is
         * implemented) and in S-mode when mstatus.TW = 1. */
        if (h->priv == PRIV_U || (h->priv == PRIV_S && (h->mstatus & MSTATUS_TW)))
            TRAP(EXC_ILLEGAL_INSN, illegal_tval(ins));
        h->pc = PC + ins->len;
        h->instret = block_instret + ins->index + 1u;
        remaining -= ins->index + 1u;
        if (!hart_wakeup_pending(h)) {
            h->wfi = true;
            return HART_STOP_WFI;
        }
        goto check_interrupts;
    op_sfence_vma:
        if (h->priv == PRIV_U || (h->priv == PRIV_S && (h->mstatus & MSTATUS_TVM)))
            TRAP(EXC_ILLEGAL_INSN, illegal_tval(ins));
        /* ASIDs are not cached apart (satp writes flush everything), so
         * rs2 does not matter; rs1 != x0 fences one page (4.2.1). */
        if (ins->rs1 != 0)
            hart_flush_tlb_page(h, x[ins->rs1]);
        else
            hart_flush_tlb(h);
        EXIT_AFTER(PC + ins->len);

        /* ---- A ---- */
    op_lr: {
        int size = ins->op_id == OP_LR_W ? 4 : 8;
        uint64_t paddr;
        addr = x[ins->rs1];
        host = tlb_hit(h->tlb_read, addr, size);
        if (likely(host)) {
            paddr = host_to_paddr(bus, host);
        } else {
            SYNC();
            cause = atomic_locate(h, addr, size, ACCESS_LOAD, &host, &paddr);
            if (cause != EXC_NONE)
                TRAP(cause, addr);
        }
        value = 0;
        memcpy(&value, host, (size_t)size);
        h->reservation = paddr;
        h->reservation_value = value;
        h->reservation_valid = true;
        x[ins->rd] = size == 4 ? sext32(value) : value;
        x[0] = 0;
        NEXT;
    }
    op_sc: {
        int size = ins->op_id == OP_SC_W ? 4 : 8;
        uint64_t paddr;
        bool slow = false;
        addr = x[ins->rs1];
        host = tlb_hit(h->tlb_write, addr, size);
        if (likely(host)) {
            paddr = host_to_paddr(bus, host);
        } else {
            SYNC();
            cause = atomic_locate(h, addr, size, ACCESS_STORE, &host, &paddr);
            if (cause != EXC_NONE)
                TRAP(cause, addr);
            slow = true;
        }
        uint64_t current = 0;
        memcpy(&current, host, (size_t)size);
        bool success = h->reservation_valid && h->reservation == paddr &&
                       h->reservation_value == current;
        h->reservation_valid = false;
        if (success) {
            memcpy(host, &x[ins->rs2], (size_t)size);
            if (slow)
                bus_note_ram_write(bus, paddr, (uint64_t)size);
        }
        x[ins->rd] = success ? 0 : 1;
        x[0] = 0;
        if (slow)
            EXIT_AFTER_SLOW();
        NEXT;
    }
    op_amo: {
        int size = ins->op_id <= OP_AMOMAXU_W ? 4 : 8;
        uint64_t paddr;
        addr = x[ins->rs1];
        host = tlb_hit(h->tlb_write, addr, size);
        if (likely(host)) {
            /* A writable page is readable (privileged spec 4.3.1: W
             * without R is reserved), so the write TLB serves both. */
            value = amo_apply(ins->op_id, host, x[ins->rs2]);
            x[ins->rd] = value;
            x[0] = 0;
            NEXT;
        }
        SYNC();
        cause = atomic_locate(h, addr, size, ACCESS_STORE, &host, &paddr);
        if (cause != EXC_NONE)
            TRAP(cause, addr);
        value = amo_apply(ins->op_id, host, x[ins->rs2]);
        bus_note_ram_write(bus, paddr, (uint64_t)size);
        x[ins->rd] = value;
        x[0] = 0;
        EXIT_AFTER_SLOW();
    }

        /* ---- F/D memory ---- */
    op_flw:
    op_fld: {
        int size = ins->op_id == OP_FLW ? 4 : 8;
        if (unlikely(!fpu_enabled(h)))
            TRAP(EXC_ILLEGAL_INSN, illegal_tval(ins));
        addr = x[ins->rs1] + IMM;
        host = tlb_hit(h->tlb_read, addr, size);
        bool slow = !host;
        if (likely(host)) {
            value = 0;
            memcpy(&value, host, (size_t)size);
        } else {
            SYNC();
            cause = mmu_load_slow(h, addr, size, &value);
            if (cause != EXC_NONE)
                TRAP(cause, addr);
        }
        h->f[ins->rd] = size == 4 ? fpu_box32((uint32_t)value) : value;
        fpu_mark_dirty(h);
        if (slow)
            EXIT_AFTER_SLOW();
        NEXT;
    }
    op_fsw:
    op_fsd: {
        int size = ins->op_id == OP_FSW ? 4 : 8;
        if (unlikely(!fpu_enabled(h)))
            TRAP(EXC_ILLEGAL_INSN, illegal_tval(ins));
        addr = x[ins->rs1] + IMM;
        value = size == 4 ? (uint32_t)h->f[ins->rs2] : h->f[ins->rs2];
        host = tlb_hit(h->tlb_write, addr, size);
        if (likely(host)) {
            memcpy(host, &value, (size_t)size);
            NEXT;
        }
        SYNC();
        cause = mmu_store_slow(h, addr, size, value);
        if (cause != EXC_NONE)
            TRAP(cause, addr);
        EXIT_AFTER_SLOW();
    }
    op_fp:
        SYNC();
        cause = fpu_execute(h, ins);
        if (cause != EXC_NONE)
            TRAP(cause, illegal_tval(ins));
        EXIT_AFTER(PC + ins->len);
    }
#undef PC
#undef NOTE_TRAP
#undef CHAIN_TO
#undef NEXT
#undef SYNC
#undef TRAP
#undef EXIT_AFTER
#undef EXIT_AFTER_SLOW
}
