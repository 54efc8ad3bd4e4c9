/*
 * bench/hv.ts's C protocol (driver.h) for the WFG code of While, Bradstreet and Barone (opt = 3:
 * slicing down to its 3-D base), compiled by build.sh from a copy of its wfg.c set to minimize, with
 * its main renamed. WFG keeps its state in globals: the front, the reference point and the work
 * frames are set up once per set (outside the timed calls), as its own main does once per file.
 */
#include "driver.h"
#define main wfg_main
#include "wfg-minimizing.c"
#undef main

static FRONT front;
/* The set whose front is set up (0: none yet). */
static int prepared = 0;

static void release(void) {
  if (prepared == 0) return;
  for (int i = 0; i < front.nPoints; i++) {
    free(front.points[i].objectives);
    free(front.points[i].tnode);
  }
  free(front.points);
  for (int i = 0; i < maxn - 2; i++) {
    for (int j = 0; j < maxm + 2; j++) {
      free(fs[i].points[j].objectives);
      free(fs[i].points[j].tnode);
    }
    free(fs[i].points);
  }
  free(fs);
  free(ref.objectives);
  free(ref.tnode);
}

static void prepare(const double *data, int np, int m, const double *r) {
  release();
  front.nPoints = np;
  front.n = m;
  front.points = malloc(sizeof(POINT) * (size_t)(np > 0 ? np : 1));
  for (int i = 0; i < np; i++) {
    front.points[i].objectives = malloc(sizeof(OBJECTIVE) * (size_t)m);
    front.points[i].tnode = malloc(sizeof(avl_node_t));
    for (int j = 0; j < m; j++) front.points[i].objectives[j] = data[(long)i * m + j];
  }
  maxm = np;
  maxn = m;
  const int depth = m - 2 > 0 ? m - 2 : 0;
  fs = malloc(sizeof(FRONT) * (size_t)(depth > 0 ? depth : 1));
  for (int i = 0; i < depth; i++) {
    fs[i].points = malloc(sizeof(POINT) * (size_t)(np + 2));
    for (int j = 0; j < np + 2; j++) {
      fs[i].points[j].tnode = malloc(sizeof(avl_node_t));
      fs[i].points[j].objectives = malloc(sizeof(OBJECTIVE) * (size_t)(m - (i + 1)));
    }
  }
  if (tree == NULL) tree = avl_alloc_tree((avl_compare_t)compare_tree_asc, (avl_freeitem_t)free);
  ref.objectives = malloc(sizeof(OBJECTIVE) * (size_t)m);
  ref.tnode = malloc(sizeof(avl_node_t));
  for (int j = 0; j < m; j++) ref.objectives[j] = r[j];
}

static double call(const double *data, int np, int m, const double *r, int set) {
  if (prepared != set) {
    prepare(data, np, m, r);
    prepared = set;
  }
  if (np == 0) return 0;
  n = m;
  fr = 0;
  if (m == 2) {
    qsort(front.points, (size_t)np, sizeof(POINT), greater);
    return hv2(front);
  }
  return hv(front);
}

int main(int argc, char **argv) { return run_protocol(argc, argv, call); }
