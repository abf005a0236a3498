/* SPDX-License-Identifier: Apache-2.0 */
/* The resident firmware's state, in one place: slots, the install in progress, the loaded
 * model and the protocol (with its retry cache). main.c owns the one instance; tests make
 * their own. */
#ifndef RELO_DEVICE_H
#define RELO_DEVICE_H

#include <stdint.h>

#include "relo/relo_installer.h"
#include "relo/relo_loader.h"
#include "relo/relo_protocol.h"
#include "relo/relo_slots.h"
#include "relo/relo_verify.h"

#define RELO_FIRMWARE_VERSION 0x01000000u /* 1.0.0, manifest version encoding */

typedef struct {
    relo_slots_t slots;
    relo_installer_t installer;
    relo_model_t model;
    relo_trusted_key_t key;
    relo_protocol_t protocol;
    relo_status_t boot_status; /* why the journal's active slot did (not) start */
    uint32_t boot_detail;
} relo_device_t;

/* Opens the slots, reverts a model found still on trial (EVENT_TRIAL_INTERRUPTED), and
 * boots the default model after verifying it from flash.
 * Returns the slot-opening status; a model that fails to boot only leaves NO_MODEL. */
relo_status_t relo_device_init(relo_device_t *device, const relo_trusted_key_t *key);

/* Verifies (once per boot) and loads the package stored in `slot`. */
relo_status_t relo_device_boot_slot(relo_device_t *device, uint8_t slot, uint32_t *detail);

/* Makes the model a request names the loaded one: MODEL_SELECTOR_DEFAULT for the default
 * model, else 1 + the slot of a model's ACTIVE version. Only one model is in RAM at a time:
 * selecting another one loads it (and resets a stateful model's state). NO_MODEL when there
 * is no default model, UNKNOWN_MODEL (detail = selector) when the selector names no ACTIVE
 * slot, or why the model could not be loaded. */
relo_status_t relo_device_select(relo_device_t *device, uint8_t selector, uint32_t *detail);

#endif /* RELO_DEVICE_H */
