/* SPDX-License-Identifier: Apache-2.0 */
/* Installing a package received over the link into the inactive slot.
 *
 * BEGIN validates the head (format, board compatibility, key, signature, anti-rollback)
 * before anything is written; DATA must arrive in order and is programmed in whole flash
 * write units, erasing sectors only as the data reaches them; each completed sector is
 * checkpointed in the journal, so a BEGIN with the same head after a reset, a lost link or
 * a killed host resumes there (the sector after it is erased again before use, so re-sent
 * bytes never program flash twice). END re-verifies everything from flash, journals the
 * slot as on TRIAL, loads it, runs its golden test vectors and confirms it only if every
 * output matches; otherwise it reverts to the previous model. On any failure the previously
 * active model stays active and running. */
#ifndef RELO_INSTALLER_H
#define RELO_INSTALLER_H

#include <stdint.h>

#include "relo/relo_loader.h"
#include "relo/relo_package.h"
#include "relo/relo_slots.h"
#include "relo/relo_status.h"
#include "relo/relo_verify.h"

#define RELO_INSTALLER_MAX_WRITE_UNIT 256u

typedef struct {
    uint8_t active;
    uint8_t slot;
    uint32_t slot_offset;
    uint32_t next_offset;   /* package offset the next INSTALL_DATA must start at */
    uint32_t erased_end;    /* package offset up to which the slot has been erased */
    uint32_t unit_start;    /* package offset of the write unit being filled */
    uint32_t unit_fill;     /* bytes already in `unit` */
    uint32_t write_size;
    uint32_t sector_size;
    uint32_t checkpoint;    /* package offset last journalled as programmed */
    uint8_t resumed;        /* BEGIN continued an interrupted install */
    uint8_t head_id[RELO_JOURNAL_HEAD_ID_SIZE];
    relo_slots_t *slots;    /* BEGIN's env->slots, for checkpoints */
    relo_package_t package; /* the head accepted by BEGIN */
    uint8_t unit[RELO_INSTALLER_MAX_WRITE_UNIT];
    uint8_t head[RELO_PACKAGE_HEAD_MAX]; /* the head re-read from flash at END */
} relo_installer_t;

/* Everything an install touches, owned by the caller. */
typedef struct {
    relo_slots_t *slots;
    relo_model_t *model;
    const relo_trusted_key_t *key;
} relo_install_env_t;

void relo_installer_init(relo_installer_t *installer);

/* head = package bytes [0, head size). On OK, *slot and *next_offset say where the package
 * goes and which offset to send next (past the head, or the checkpoint of an interrupted
 * install of the same head). Restarts any install in progress. Besides the head checks:
 * SECURITY_COUNTER (detail = the device's counter) and DOWNGRADE (detail = the installed
 * model's version) unless the manifest has MODEL_FLAG_ALLOW_DOWNGRADE. */
relo_status_t relo_installer_begin(relo_installer_t *installer, const relo_install_env_t *env, const uint8_t *head,
                                   uint32_t length, uint8_t *slot, uint32_t *next_offset, uint32_t *detail);
/* OUT_OF_ORDER (detail = expected offset), OUT_OF_BOUNDS (detail = package size),
 * NO_INSTALL or FLASH_ERROR. */
relo_status_t relo_installer_data(relo_installer_t *installer, uint32_t offset, const uint8_t *data,
                                  uint32_t length, uint32_t *detail);
/* Verify, trial, self-test, confirm. SELF_TEST_FAILED (detail = vector index), LOAD_FAILED
 * or MODEL_FAILED: the previous model was restored and the journal's event says why. */
relo_status_t relo_installer_end(relo_installer_t *installer, const relo_install_env_t *env, uint32_t *detail);
void relo_installer_abort(relo_installer_t *installer);

#endif /* RELO_INSTALLER_H */
