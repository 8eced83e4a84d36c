/* NS16550A UART as on QEMU virt (reg-shift 0, 8-bit registers, IRQ 10).
 * Transmission is instantaneous: a THR write hands the byte to the
 * transmit callback (the board's chardev) and THR is empty again at once.
 * Received bytes are pushed by the board between hart slices into a
 * 16-byte FIFO (it pushes only when uart16550_can_receive says so). */
#ifndef DEJA_UART16550_H
#define DEJA_UART16550_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/device.h"
#include "dev/irq.h"

#define UART0_BASE 0x10000000ull
#define UART0_SIZE 0x100ull
#define UART0_IRQ 10
#define UART_FIFO_SIZE 16
#define UART_CLOCK_HZ 3686400

typedef void (*UartTransmitFn)(void *opaque, uint8_t byte);

typedef struct Uart16550 {
    uint64_t base;
    uint32_t irq_number; /* for the device tree */
    uint8_t ier, fcr, lcr, mcr, lsr, msr, scr, dll, dlm;
    bool thr_interrupt; /* THRE interrupt pending until IIR read or THR write */
    uint8_t rx_fifo[UART_FIFO_SIZE];
    int rx_head, rx_count;
    IrqLine irq;
    bool irq_level;
    UartTransmitFn transmit;
    void *transmit_opaque;
} Uart16550;

extern const DeviceClass uart16550_class;

void uart16550_init(Uart16550 *uart, uint64_t base, uint32_t irq_number, IrqLine irq,
                    UartTransmitFn transmit, void *transmit_opaque);
void uart16550_reset(Uart16550 *uart);
/* Free space in the receive FIFO (0 in loopback mode: input is ignored). */
int uart16550_can_receive(const Uart16550 *uart);
void uart16550_receive(Uart16550 *uart, uint8_t byte);
bool uart16550_read(void *opaque, uint64_t offset, int size, uint64_t *value);
bool uart16550_write(void *opaque, uint64_t offset, int size, uint64_t value);

#endif
