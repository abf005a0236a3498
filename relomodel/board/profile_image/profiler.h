/* SPDX-License-Identifier: Apache-2.0 */
/* The profiling image's own pieces (relomodel/board/profiler.py builds and runs it). */
#ifndef RELO_PROFILER_H
#define RELO_PROFILER_H

#include <stdint.h>

/* Called by the generated model after each operator (RELO_MODEL_OP_DONE). */
void relo_profile_op_done(int32_t op_index);
void relo_profile_systick_isr(void);
__attribute__((noreturn)) void relo_profile_exit_failure(const char *why);

#endif /* RELO_PROFILER_H */
