/* SPDX-License-Identifier: Apache-2.0 */
/* port_uart.h for relo_sim: the "UART" is one TCP connection on 127.0.0.1, so the real
 * Python transport (pyserial's socket:// URL) talks to the simulated device exactly as it
 * talks to the emulated board. A new connection replaces the current one, as a host that
 * reopens the port; bytes sent while nobody is connected are lost, as on a real UART. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relo/port_uart.h"
#include "uart_tcp.h"

#define RX_BUFFER_SIZE 4096u

static int listen_fd = -1;
static int client_fd = -1;
static uint8_t rx_buffer[RX_BUFFER_SIZE];
static size_t rx_head, rx_tail;

int relo_uart_tcp_listen(uint16_t port, uint16_t *bound_port)
{
    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd < 0) {
        return -1;
    }
    int yes = 1;
    (void)setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* loopback only, never a real network */
    socklen_t length = sizeof address;
    if (bind(listen_fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(listen_fd, 4) != 0 ||
        getsockname(listen_fd, (struct sockaddr *)&address, &length) != 0) {
        return -1;
    }
    *bound_port = ntohs(address.sin_port);
    return 0;
}

static void drop_client(void)
{
    if (client_fd >= 0) {
        close(client_fd);
        client_fd = -1;
    }
    rx_head = rx_tail = 0;
}

static void accept_client(void)
{
    int fd = accept(listen_fd, 0, 0);
    if (fd >= 0) {
        drop_client();
        client_fd = fd;
    }
}

void relo_uart_init(void) { rx_head = rx_tail = 0; }

int relo_uart_read_byte(void)
{
    if (rx_head == rx_tail && client_fd >= 0) {
        ssize_t n = recv(client_fd, rx_buffer, sizeof rx_buffer, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            drop_client(); /* the host closed the port */
        } else if (n > 0) {
            rx_head = 0;
            rx_tail = (size_t)n;
        }
    }
    return rx_head < rx_tail ? rx_buffer[rx_head++] : -1;
}

/* Sleeps until the client sends something or a new client connects. */
void relo_uart_wait_rx(void)
{
    if (rx_head < rx_tail) {
        return;
    }
    struct pollfd fds[2] = {{listen_fd, POLLIN, 0}, {client_fd, POLLIN, 0}};
    if (poll(fds, client_fd >= 0 ? 2u : 1u, -1) <= 0) {
        return;
    }
    if (fds[0].revents & POLLIN) {
        accept_client();
    }
}

void relo_uart_write(const uint8_t *data, size_t length)
{
    while (length > 0 && client_fd >= 0) {
        ssize_t n = send(client_fd, data, length, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            drop_client();
            return;
        }
        data += n;
        length -= (size_t)n;
    }
}
