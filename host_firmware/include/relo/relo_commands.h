/* SPDX-License-Identifier: Apache-2.0 */
/* The command table: one handler per RELO_CMD_*, each decoding its request payload and
 * calling the module that does the work. Context is a relo_device_t. */
#ifndef RELO_COMMANDS_H
#define RELO_COMMANDS_H

#include <stddef.h>

#include "relo/relo_protocol.h"

const relo_command_entry_t *relo_commands_table(size_t *count);

#endif /* RELO_COMMANDS_H */
