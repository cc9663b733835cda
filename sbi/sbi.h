// sbi.h: SBI extension IDs, function IDs and error codes (RISC-V SBI spec
// v2.0). Shared by the host kernel (calling OpenSBI), the hypervisor's SBI
// server (hyp/sbi.c) and the guest OS.
#pragma once

// Legacy v0.1 extensions (SBI spec §5); EID is the function.
#define SBI_LEGACY_SET_TIMER        0x00
#define SBI_LEGACY_CONSOLE_PUTCHAR  0x01
#define SBI_LEGACY_CONSOLE_GETCHAR  0x02
#define SBI_LEGACY_CLEAR_IPI        0x03
#define SBI_LEGACY_SEND_IPI         0x04
#define SBI_LEGACY_REMOTE_FENCE_I   0x05
#define SBI_LEGACY_REMOTE_SFENCE    0x06
#define SBI_LEGACY_REMOTE_SFENCE_ASID 0x07
#define SBI_LEGACY_SHUTDOWN         0x08

// Base extension (§4)
#define SBI_EXT_BASE                0x10
#define SBI_BASE_GET_SPEC_VERSION   0
#define SBI_BASE_GET_IMPL_ID        1
#define SBI_BASE_GET_IMPL_VERSION   2
#define SBI_BASE_PROBE_EXT          3
#define SBI_BASE_GET_MVENDORID      4
#define SBI_BASE_GET_MARCHID        5
#define SBI_BASE_GET_MIMPID         6

#define SBI_EXT_TIME                0x54494D45  // "TIME"
#define SBI_TIME_SET_TIMER          0
#define SBI_EXT_IPI                 0x735049    // "sPI"
#define SBI_IPI_SEND_IPI            0
#define SBI_EXT_RFNC                0x52464E43  // "RFNC"
#define SBI_RFNC_FENCE_I            0
#define SBI_RFNC_SFENCE_VMA         1
#define SBI_RFNC_SFENCE_VMA_ASID    2
#define SBI_RFNC_HFENCE_GVMA_VMID   3
#define SBI_RFNC_HFENCE_GVMA        4
#define SBI_RFNC_HFENCE_VVMA_ASID   5
#define SBI_RFNC_HFENCE_VVMA        6
#define SBI_EXT_HSM                 0x48534D    // "HSM"
#define SBI_HSM_HART_START          0
#define SBI_HSM_HART_STOP           1
#define SBI_HSM_HART_GET_STATUS     2
#define SBI_HSM_HART_SUSPEND        3
#define SBI_HSM_STARTED             0
#define SBI_HSM_STOPPED             1
#define SBI_HSM_START_PENDING       2
#define SBI_HSM_STOP_PENDING        3
#define SBI_EXT_SRST                0x53525354  // "SRST"
#define SBI_SRST_RESET              0
#define SBI_SRST_TYPE_SHUTDOWN      0
#define SBI_SRST_TYPE_COLD_REBOOT   1
#define SBI_SRST_TYPE_WARM_REBOOT   2
#define SBI_SRST_REASON_NONE        0
#define SBI_SRST_REASON_FAILURE     1
#define SBI_EXT_DBCN                0x4442434E  // "DBCN"
#define SBI_DBCN_WRITE              0
#define SBI_DBCN_READ               1
#define SBI_DBCN_WRITE_BYTE         2

// Error codes (§3.2)
#define SBI_SUCCESS                 0
#define SBI_ERR_FAILED              -1
#define SBI_ERR_NOT_SUPPORTED       -2
#define SBI_ERR_INVALID_PARAM       -3
#define SBI_ERR_DENIED              -4
#define SBI_ERR_INVALID_ADDRESS     -5
#define SBI_ERR_ALREADY_AVAILABLE   -6
#define SBI_ERR_ALREADY_STARTED     -7
#define SBI_ERR_ALREADY_STOPPED     -8

// hv6's implementation ID for BASE get_impl_id. IDs 0-9 are assigned by
// the spec (0 BBL, 1 OpenSBI, ...); hv6 is not registered, so it reports a
// private value outside that table.
#define SBI_IMPL_ID_HV6             0x6876
#define SBI_IMPL_VERSION_HV6        0x10000
#define SBI_SPEC_VERSION_2_0        0x02000000  // major 2 << 24 | minor 0
