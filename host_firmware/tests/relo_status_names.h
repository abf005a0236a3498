/* SPDX-License-Identifier: Apache-2.0 */
/* RELO_STATUS_* value -> name ("OK", "BAD_SIGNATURE", ...), as spec.STATUS names them. */
#ifndef RELO_STATUS_NAMES_H
#define RELO_STATUS_NAMES_H

const char *relo_status_name(unsigned code);

#endif /* RELO_STATUS_NAMES_H */
