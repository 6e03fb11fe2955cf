/* bench_data.h — what the benchmark data generators (gen.c, province_gen.c)
 * share: valid national IDs by number, and output files that end the program
 * when they cannot be written (a generator has nothing to clean up). */
#ifndef TCARD_BENCH_DATA_H
#define TCARD_BENCH_DATA_H

#include <stdio.h>

/* The national ID of number n (n < 10,000,000: distinct n give distinct IDs):
 * region 110105, born 1970-01-01 + n % 10000 days, a sequence from n, and the
 * GB 11643 check character, into out[19]. */
void bench_national_id(unsigned n, char out[19]);
/* DIR/NAME opened for writing; exits with a message on failure. */
FILE *bench_open_out(const char *dir, const char *name);
/* Closes f; exits with a message when a write failed. */
void bench_close_out(FILE *f);
/* A "VmHWM"-style field of /proc/PID/status in KiB, or -1. */
long bench_vm_kb(long pid, const char *key);

#endif
