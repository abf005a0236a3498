/* SPDX-License-Identifier: Apache-2.0 */
/* relo_sim: the whole resident firmware core (src/main.c and everything it calls) built for
 * the host over port/host, with the flash in a file and the UART on a TCP port.
 *
 *   relo_sim --flash FILE [--port N] [--cut-after K [--torn]]
 *
 * Prints "relo_sim: listening on 127.0.0.1:PORT" once ready. The flash file persists like
 * the emulated board's (created erased when missing), so a "reboot" is a new process on the
 * same file. --cut-after K: the (K+1)-th flash erase/program loses power (with --torn it
 * stops part-way, see flash_sim.h) and the process exits with RELO_SIM_EXIT_POWER_CUT at
 * once, as the device would die. SIGTERM prints the number of completed flash operations.
 *
 * Model code is Thumb and cannot execute here: the model entry points succeed without
 * computing anything. What the simulator proves is which verified package the firmware
 * installs, keeps and boots; execution is proved on the emulated board. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board_host.h"
#include "flash_sim.h"
#include "uart_tcp.h"

#define RELO_SIM_EXIT_USAGE 2
#define RELO_SIM_EXIT_POWER_CUT 75

int relo_firmware_main(void); /* src/main.c, renamed at compile time */

typedef struct {
    const char *flash_path;
    long port;
    long cut_after; /* -1: never */
    int torn;
} sim_options_t;

static int32_t sim_model(uintptr_t entry, uint8_t *arena, void *static_base)
{
    (void)entry;
    (void)arena;
    (void)static_base;
    return 0;
}

/* Async-signal-safe: write(2) only. */
static void say_count(const char *prefix, uint32_t value, const char *suffix)
{
    char digits[16];
    int n = 0;
    do {
        digits[sizeof digits - 1 - (size_t)n++] = (char)('0' + value % 10u);
        value /= 10u;
    } while (value != 0);
    (void)!write(2, prefix, strlen(prefix));
    (void)!write(2, digits + sizeof digits - n, (size_t)n);
    (void)!write(2, suffix, strlen(suffix));
}

static void on_power_cut(uint32_t operation, int tear)
{
    say_count("relo_sim: power cut after ", operation, tear ? " flash operations (torn)\n" : " flash operations\n");
    _exit(RELO_SIM_EXIT_POWER_CUT);
}

static void on_terminate(int signal_number)
{
    (void)signal_number;
    say_count("relo_sim: flash operations ", relo_flash_sim_operations(), "\n");
    _exit(0);
}

static int usage(const char *message)
{
    fprintf(stderr, "relo_sim: %s\nusage: relo_sim --flash FILE [--port N] [--cut-after K [--torn]]\n", message);
    return RELO_SIM_EXIT_USAGE;
}

static int parse_number(const char *text, long max, long *out)
{
    char *end = 0;
    long value = text != 0 ? strtol(text, &end, 10) : -1;
    if (text == 0 || *text == '\0' || *end != '\0' || value < 0 || value > max) {
        return -1;
    }
    *out = value;
    return 0;
}

static int parse_options(int argc, char **argv, sim_options_t *options)
{
    *options = (sim_options_t){0, 0, -1, 0};
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : 0;
        if (strcmp(argv[i], "--flash") == 0 && value != 0) {
            options->flash_path = value;
            i++;
        } else if (strcmp(argv[i], "--port") == 0) {
            if (parse_number(value, 65535, &options->port) != 0) {
                return usage("--port needs a number 0-65535");
            }
            i++;
        } else if (strcmp(argv[i], "--cut-after") == 0) {
            if (parse_number(value, 0x7FFFFFFF, &options->cut_after) != 0) {
                return usage("--cut-after needs a count of flash operations");
            }
            i++;
        } else if (strcmp(argv[i], "--torn") == 0) {
            options->torn = 1;
        } else {
            return usage("unknown or incomplete option");
        }
    }
    return options->flash_path != 0 ? 0 : usage("--flash FILE is required");
}

/* Maps the flash file, creating it erased (0xFF, as factory NOR) when missing or empty. */
static uint8_t *map_flash(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT, 0644);
    struct stat info;
    if (fd < 0 || fstat(fd, &info) != 0) {
        perror(path);
        return 0;
    }
    int fresh = info.st_size == 0;
    if ((fresh && ftruncate(fd, RELO_FLASH_SIM_SIZE) != 0) || (!fresh && info.st_size != RELO_FLASH_SIM_SIZE)) {
        fprintf(stderr, "relo_sim: %s must be empty or exactly %u bytes\n", path, RELO_FLASH_SIM_SIZE);
        close(fd);
        return 0;
    }
    uint8_t *flash = mmap(0, RELO_FLASH_SIM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (flash == MAP_FAILED) {
        perror("mmap");
        return 0;
    }
    if (fresh) {
        memset(flash, 0xFF, RELO_FLASH_SIM_SIZE);
    }
    return flash;
}

int main(int argc, char **argv)
{
    sim_options_t options;
    int status = parse_options(argc, argv, &options);
    if (status != 0) {
        return status;
    }
    uint8_t *flash = map_flash(options.flash_path);
    if (flash == 0) {
        return 1;
    }
    relo_flash_sim_attach(flash);
    relo_flash_sim_on_power_cut(on_power_cut);
    if (options.cut_after >= 0) {
        relo_flash_sim_cut_power_after((uint32_t)options.cut_after, options.torn);
    }
    relo_board_host_set_model(sim_model);
    signal(SIGTERM, on_terminate);
    uint16_t port = 0;
    if (relo_uart_tcp_listen((uint16_t)options.port, &port) != 0) {
        perror("relo_sim: listen");
        return 1;
    }
    printf("relo_sim: listening on 127.0.0.1:%u\n", port);
    fflush(stdout);
    return relo_firmware_main();
}
