/*
 * The timing side of bench/hv.ts's protocol for C hypervolume codes (see the comment at the top of
 * bench/hv.ts): `BINARY FILE MIN_MS BATCHES`, where FILE holds `count`, then per set a line `n m`,
 * a line with the reference point and n lines of m values (minimization). For each set: a warm-up
 * of 300 calls (at most 25 batch lengths of CPU time), then BATCHES batches, each repeating the
 * call for at least MIN_MS of process CPU time; prints `<median ms per call> <value>`.
 * Each adapter (moocore.c, wfg.c) defines the call and includes this file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef double (*hv_call)(const double *data, int n, int m, const double *ref, int set);

static double cpu_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int fail(const char *file, const char *what, int set) {
  fprintf(stderr, "%s: set %d: %s\n", file, set, what);
  return 2;
}

static int run_protocol(int argc, char **argv, hv_call call) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s FILE MIN_MS BATCHES\n", argv[0]);
    return 2;
  }
  FILE *in = fopen(argv[1], "r");
  if (in == NULL) return fail(argv[1], "cannot open", 0);
  const double min_ms = atof(argv[2]);
  const int batches = atoi(argv[3]);
  if (!(min_ms > 0) || batches < 1) return fail(argv[1], "MIN_MS and BATCHES must be positive", 0);
  int count;
  if (fscanf(in, "%d", &count) != 1) return fail(argv[1], "no set count", 0);
  double *times = malloc(sizeof(double) * (size_t)batches);
  for (int s = 1; s <= count; s++) {
    int n, m;
    if (fscanf(in, "%d %d", &n, &m) != 2 || n < 0 || m < 1) return fail(argv[1], "bad `n m` line", s);
    double *ref = malloc(sizeof(double) * (size_t)m);
    double *data = malloc(sizeof(double) * (size_t)n * (size_t)m + 1);
    for (int j = 0; j < m; j++)
      if (fscanf(in, "%lf", &ref[j]) != 1) return fail(argv[1], "bad reference point", s);
    for (long i = 0; i < (long)n * m; i++)
      if (fscanf(in, "%lf", &data[i]) != 1) return fail(argv[1], "bad point", s);
    volatile double sink = 0;
    double value = 0;
    const double warm = cpu_ms();
    for (int k = 0; k < 300 && cpu_ms() - warm < 25 * min_ms; k++) sink += call(data, n, m, ref, s);
    for (int b = 0; b < batches; b++) {
      long calls = 0;
      const double start = cpu_ms();
      double now;
      do {
        value = call(data, n, m, ref, s);
        sink += value;
        calls++;
        now = cpu_ms();
      } while (now - start < min_ms);
      times[b] = (now - start) / (double)calls;
    }
    qsort(times, (size_t)batches, sizeof(double), by_value);
    const double median =
        batches % 2 ? times[batches / 2] : 0.5 * (times[batches / 2 - 1] + times[batches / 2]);
    printf("%.9g %.17g\n", median, value);
    fflush(stdout);
    free(ref);
    free(data);
  }
  free(times);
  fclose(in);
  return 0;
}
