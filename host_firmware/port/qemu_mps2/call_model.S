/* SPDX-License-Identifier: Apache-2.0 */
/* int32_t relo_call_model(uintptr_t entry, uint8_t *arena, void *static_base)
 *
 * Enters a position-independent model (built with -msingle-pic-base -mpic-register=r9):
 * r9 must hold the model's GOT origin for the whole call. The firmware may use r9 as an
 * ordinary callee-saved register, so it is saved here and restored afterwards whatever the
 * model did. `entry` carries the Thumb bit (from the manifest); a missing bit faults
 * (INVSTATE) and is reported by the fault handler rather than silently fixed. */
    .syntax unified
    .thumb
    .text
    .global relo_call_model
    .type relo_call_model, %function
    .thumb_func
relo_call_model:
    push    {r9, lr}        /* two words: keeps the stack 8-byte aligned for the callee */
    mov     r9, r2
    mov     r3, r0
    mov     r0, r1
    blx     r3
    pop     {r9, pc}
    .size relo_call_model, . - relo_call_model
