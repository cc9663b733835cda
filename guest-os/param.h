// param.h: sizes and fixed addresses of the guest OS.
#pragma once

#define KSTACKSIZE  16384           // boot/trap stack
#define NPTPAGES    64              // page-table pages in vm.c's pool
#define USER_VA     0x1000000000UL  // where umode.c maps .utext with PTE_U
#define USTACK_VA   0x1000100000UL  // top of the one-page U-mode stack
#define MAXARGS     8               // shell: arguments per command
#define MAXLINE     128             // shell: characters per line
