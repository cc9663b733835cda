// param.h: compile-time sizes of the host kernel.
#pragma once

#define KSTACK_SIZE     (64 * 1024)     // the one host stack
#define MAX_VIRTIO_SLOTS 8              // virtio-mmio transports on QEMU virt
#define CONSOLE_RXBUF   256             // host console input ring
