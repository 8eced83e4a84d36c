/* NS16550A UART (uart16550.h), after the TI PC16550D data sheet. */
#include "dev/uart16550.h"

#include <libfdt.h>
#include <string.h>

enum {
    REG_RBR_THR_DLL = 0,
    REG_IER_DLM = 1,
    REG_IIR_FCR = 2,
    REG_LCR = 3,
    REG_MCR = 4,
    REG_LSR = 5,
    REG_MSR = 6,
    REG_SCR = 7,
};

enum {
    IER_RDA = 0x01,
    IER_THRE = 0x02,
    IER_RLS = 0x04,
    IER_MS = 0x08,
    IIR_NONE = 0x01,
    IIR_MS = 0x00,
    IIR_THRE = 0x02,
    IIR_RDA = 0x04,
    IIR_RLS = 0x06,
    IIR_FIFO_ENABLED = 0xc0,
    FCR_ENABLE = 0x01,
    FCR_CLEAR_RX = 0x02,
    LCR_DLAB = 0x80,
    MCR_DTR = 0x01,
    MCR_RTS = 0x02,
    MCR_OUT1 = 0x04,
    MCR_OUT2 = 0x08,
    MCR_LOOP = 0x10,
    LSR_DR = 0x01,
    LSR_OE = 0x02,
    LSR_PE = 0x04,
    LSR_FE = 0x08,
    LSR_BI = 0x10,
    LSR_THRE = 0x20,
    LSR_TEMT = 0x40,
    MSR_DCTS = 0x01,
    MSR_DDSR = 0x02,
    MSR_TERI = 0x04,
    MSR_DDCD = 0x08,
    MSR_CTS = 0x10,
    MSR_DSR = 0x20,
    MSR_RI = 0x40,
    MSR_DCD = 0x80,
    LSR_ERRORS = LSR_OE | LSR_PE | LSR_FE | LSR_BI,
};

/* Interrupt identification, highest priority first (16550 table 4). */
static uint8_t uart_iir(const Uart16550 *uart)
{
    if ((uart->ier & IER_RLS) && (uart->lsr & LSR_ERRORS))
        return IIR_RLS;
    if ((uart->ier & IER_RDA) && uart->rx_count > 0)
        return IIR_RDA;
    if ((uart->ier & IER_THRE) && uart->thr_interrupt)
        return IIR_THRE;
    if ((uart->ier & IER_MS) && (uart->msr & (MSR_DCTS | MSR_DDSR | MSR_TERI | MSR_DDCD)))
        return IIR_MS;
    return IIR_NONE;
}

static void uart_update_irq(Uart16550 *uart)
{
    bool level = uart_iir(uart) != IIR_NONE;
    if (level != uart->irq_level) {
        uart->irq_level = level;
        irq_set(uart->irq, level);
    }
}

/* In loopback the modem inputs follow the modem outputs (16550 MCR bit 4). */
static void uart_update_msr(Uart16550 *uart)
{
    uint8_t status;
    if (uart->mcr & MCR_LOOP) {
        status = (uint8_t)(((uart->mcr & MCR_RTS) ? MSR_CTS : 0) |
                           ((uart->mcr & MCR_DTR) ? MSR_DSR : 0) |
                           ((uart->mcr & MCR_OUT1) ? MSR_RI : 0) |
                           ((uart->mcr & MCR_OUT2) ? MSR_DCD : 0));
    } else {
        status = MSR_DCD | MSR_DSR | MSR_CTS; /* a terminal is always there */
    }
    uint8_t old = uart->msr;
    uint8_t delta = 0;
    if ((old ^ status) & MSR_CTS)
        delta |= MSR_DCTS;
    if ((old ^ status) & MSR_DSR)
        delta |= MSR_DDSR;
    if ((old ^ status) & MSR_DCD)
        delta |= MSR_DDCD;
    if ((old & MSR_RI) && !(status & MSR_RI))
        delta |= MSR_TERI;
    uart->msr = (uint8_t)(status | (old & 0x0f) | delta);
}

void uart16550_reset(Uart16550 *uart)
{
    uart->ier = 0;
    uart->fcr = 0;
    uart->lcr = 0;
    uart->mcr = MCR_OUT2;
    uart->lsr = LSR_THRE | LSR_TEMT;
    uart->msr = MSR_DCD | MSR_DSR | MSR_CTS;
    uart->scr = 0;
    uart->dll = 12; /* any divisor: transmission timing is not modelled */
    uart->dlm = 0;
    uart->thr_interrupt = false;
    uart->rx_head = 0;
    uart->rx_count = 0;
    uart->irq_level = false;
    irq_set(uart->irq, false);
}

void uart16550_init(Uart16550 *uart, uint64_t base, uint32_t irq_number, IrqLine irq,
                    UartTransmitFn transmit, void *transmit_opaque)
{
    memset(uart, 0, sizeof(*uart));
    uart->base = base;
    uart->irq_number = irq_number;
    uart->irq = irq;
    uart->transmit = transmit;
    uart->transmit_opaque = transmit_opaque;
    uart16550_reset(uart);
}

/* Without the FIFO the 16550 holds a single byte (16450 mode). */
static int uart_rx_capacity(const Uart16550 *uart)
{
    return (uart->fcr & FCR_ENABLE) ? UART_FIFO_SIZE : 1;
}

/* A byte that finds no room is an overrun (16550 LSR bit 1). The board
 * only delivers what uart16550_can_receive allows, but loopback writes and
 * the serial input of a replayed (possibly damaged) trace do not ask. */
static void uart_push_rx(Uart16550 *uart, uint8_t byte)
{
    if (uart->rx_count >= uart_rx_capacity(uart)) {
        uart->lsr |= LSR_OE;
    } else {
        uart->rx_fifo[(uart->rx_head + uart->rx_count) % UART_FIFO_SIZE] = byte;
        uart->rx_count++;
        uart->lsr |= LSR_DR;
    }
}

int uart16550_can_receive(const Uart16550 *uart)
{
    if (uart->mcr & MCR_LOOP)
        return 0;
    int capacity = uart_rx_capacity(uart);
    return capacity > uart->rx_count ? capacity - uart->rx_count : 0;
}

void uart16550_receive(Uart16550 *uart, uint8_t byte)
{
    uart_push_rx(uart, byte);
    uart_update_irq(uart);
}

static uint8_t uart_pop_rx(Uart16550 *uart)
{
    if (uart->rx_count == 0)
        return 0;
    uint8_t byte = uart->rx_fifo[uart->rx_head];
    uart->rx_head = (uart->rx_head + 1) % UART_FIFO_SIZE;
    uart->rx_count--;
    if (uart->rx_count == 0)
        uart->lsr &= (uint8_t)~LSR_DR;
    return byte;
}

bool uart16550_read(void *opaque, uint64_t offset, int size, uint64_t *value)
{
    Uart16550 *uart = opaque;
    uint8_t v = 0;
    switch (offset) {
    case REG_RBR_THR_DLL:
        v = (uart->lcr & LCR_DLAB) ? uart->dll : uart_pop_rx(uart);
        break;
    case REG_IER_DLM:
        v = (uart->lcr & LCR_DLAB) ? uart->dlm : uart->ier;
        break;
    case REG_IIR_FCR: {
        uint8_t id = uart_iir(uart);
        /* Reading IIR while it reports THRE clears that source (16550). */
        if (id == IIR_THRE)
            uart->thr_interrupt = false;
        v = (uint8_t)(id | ((uart->fcr & FCR_ENABLE) ? IIR_FIFO_ENABLED : 0));
        break;
    }
    case REG_LCR:
        v = uart->lcr;
        break;
    case REG_MCR:
        v = uart->mcr;
        break;
    case REG_LSR:
        v = uart->lsr;
        uart->lsr &= (uint8_t)~LSR_ERRORS; /* error bits clear on read */
        break;
    case REG_MSR:
        v = uart->msr;
        uart->msr &= 0xf0; /* delta bits clear on read */
        break;
    case REG_SCR:
        v = uart->scr;
        break;
    default:
        break; /* rest of the 0x100 window reads as 0 */
    }
    *value = v;
    uart_update_irq(uart);
    return true;
}

bool uart16550_write(void *opaque, uint64_t offset, int size, uint64_t value)
{
    Uart16550 *uart = opaque;
    uint8_t v = (uint8_t)value;
    switch (offset) {
    case REG_RBR_THR_DLL:
        if (uart->lcr & LCR_DLAB) {
            uart->dll = v;
        } else {
            if (uart->mcr & MCR_LOOP)
                uart_push_rx(uart, v);
            else if (uart->transmit)
                uart->transmit(uart->transmit_opaque, v);
            /* Sent at once: THR is empty again and raises THRE. */
            uart->lsr |= LSR_THRE | LSR_TEMT;
            uart->thr_interrupt = true;
        }
        break;
    case REG_IER_DLM:
        if (uart->lcr & LCR_DLAB) {
            uart->dlm = v;
        } else {
            uint8_t old = uart->ier;
            uart->ier = v & 0x0f;
            /* Enabling ETBEI while THR is empty raises THRE at once. */
            if (!(old & IER_THRE) && (uart->ier & IER_THRE) && (uart->lsr & LSR_THRE))
                uart->thr_interrupt = true;
        }
        break;
    case REG_IIR_FCR:
        if ((v ^ uart->fcr) & FCR_ENABLE) {
            uart->rx_head = uart->rx_count = 0; /* toggling FIFO mode clears them */
            uart->lsr &= (uint8_t)~LSR_DR;
        }
        if (v & FCR_CLEAR_RX) {
            uart->rx_head = uart->rx_count = 0;
            uart->lsr &= (uint8_t)~LSR_DR;
        }
        uart->fcr = v & 0xc9; /* bits 1,2 self-clear; 4,5 reserved */
        break;
    case REG_LCR:
        uart->lcr = v;
        break;
    case REG_MCR:
        uart->mcr = v & 0x1f;
        uart_update_msr(uart);
        break;
    case REG_LSR:
    case REG_MSR:
        break; /* read-only (factory test writes are not modelled) */
    case REG_SCR:
        uart->scr = v;
        break;
    default:
        break;
    }
    uart_update_irq(uart);
    return true;
}

static void uart16550_reset_opaque(void *state)
{
    uart16550_reset(state);
}

static int uart16550_fdt_node(void *state, DevFdtContext *ctx)
{
    Uart16550 *uart = state;
    int err;
    if ((err = dev_fdt_begin_node(ctx, "serial", uart->base)) ||
        (err = dev_fdt_plic_irq(ctx, uart->irq_number)) ||
        (err = fdt_property_u32(ctx->fdt, "clock-frequency", UART_CLOCK_HZ)) ||
        (err = dev_fdt_reg(ctx, uart->base, UART0_SIZE)) ||
        (err = fdt_property_string(ctx->fdt, "compatible", "ns16550a")))
        return err;
    return fdt_end_node(ctx->fdt);
}

/* The receive FIFO is written oldest byte first, so the digest does not
 * depend on where the ring happens to start. */
static void uart16550_save(void *state, StateWriter *w)
{
    const Uart16550 *uart = state;
    const uint8_t regs[9] = { uart->ier, uart->fcr, uart->lcr, uart->mcr, uart->lsr,
                              uart->msr, uart->scr, uart->dll, uart->dlm };
    state_put_bytes(w, regs, sizeof(regs));
    state_put_bool(w, uart->thr_interrupt);
    state_put_bool(w, uart->irq_level);
    state_put_u8(w, (uint8_t)uart->rx_count);
    for (int i = 0; i < uart->rx_count; i++)
        state_put_u8(w, uart->rx_fifo[(uart->rx_head + i) % UART_FIFO_SIZE]);
}

static bool uart16550_load(void *state, StateReader *r)
{
    Uart16550 *uart = state;
    uint8_t regs[9];
    state_get_bytes(r, regs, sizeof(regs));
    bool thr_interrupt = state_get_bool(r);
    bool irq_level = state_get_bool(r);
    unsigned count = state_get_u8(r);
    uint8_t fifo[UART_FIFO_SIZE];
    if (r->failed || count > UART_FIFO_SIZE || !state_get_bytes(r, fifo, count))
        return false;
    uart->ier = regs[0];
    uart->fcr = regs[1];
    uart->lcr = regs[2];
    uart->mcr = regs[3];
    uart->lsr = regs[4];
    uart->msr = regs[5];
    uart->scr = regs[6];
    uart->dll = regs[7];
    uart->dlm = regs[8];
    uart->thr_interrupt = thr_interrupt;
    uart->irq_level = irq_level;
    memcpy(uart->rx_fifo, fifo, count);
    uart->rx_head = 0;
    uart->rx_count = (int)count;
    return true;
}

const DeviceClass uart16550_class = {
    .name = "uart16550",
    .read = uart16550_read,
    .write = uart16550_write,
    .reset = uart16550_reset_opaque,
    .fdt_node = uart16550_fdt_node,
    .save = uart16550_save,
    .load = uart16550_load,
};
