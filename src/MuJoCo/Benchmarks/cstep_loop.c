// Reference stepping loop for `mlsh bench`: the same work as Mlsh.MuJoCo.Benchmarks.ManagedStepLoop,
// in plain C against libmujoco, so the C# binding is measured against the native floor.
//
// Usage: cstep_loop <model.xml> <steps> <warmup_steps>
// Prints (stdout): "seconds <s>", "steps_per_second <x>", "divergences <n>", "qpos <q0> <q1> ..."
// Exit codes: 0 ok, 2 bad arguments or model load failure (message on stderr).
//
// Control pattern (identical in ManagedStepLoop / StepLoopControlPattern), for step k = 0, 1, ...
// and actuator i:   ctrl[i] = mid_i + half_i * sin(0.01 * k + i)
// with mid_i = (lo_i + hi_i) * 0.5 and half_i = (hi_i - lo_i) * 0.5 from actuator_ctrlrange when
// the actuator is ctrllimited, else mid_i = 0 and half_i = 1.
//
// Per step, like MjData.TryStep: mj_step, then a divergence check (mjWARN_BADQACC/QVEL/QPOS/CTRL
// counters, cleared when seen, and non-finite qpos/qvel, after which the data is reset).
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <mujoco/mujoco.h>

static void set_controls(const mjModel* m, mjData* d, long k, const double* mid, const double* half) {
  for (int i = 0; i < m->nu; i++) d->ctrl[i] = mid[i] + half[i] * sin(0.01 * (double)k + (double)i);
}

static int step_checked(const mjModel* m, mjData* d) {
  mj_step(m, d);
  static const int bad[] = {mjWARN_BADQACC, mjWARN_BADQVEL, mjWARN_BADQPOS, mjWARN_BADCTRL};
  int diverged = 0;
  for (int w = 0; w < 4; w++) {
    if (d->warning[bad[w]].number) { d->warning[bad[w]].number = 0; diverged = 1; }
  }
  if (diverged) return 1;
  for (int i = 0; i < m->nq; i++) if (!isfinite(d->qpos[i])) { mj_resetData(m, d); return 1; }
  for (int i = 0; i < m->nv; i++) if (!isfinite(d->qvel[i])) { mj_resetData(m, d); return 1; }
  return 0;
}

static void quiet_warning(const char* msg) { (void)msg; }

int main(int argc, char** argv) {
  if (argc != 4) { fprintf(stderr, "usage: %s <model.xml> <steps> <warmup_steps>\n", argv[0]); return 2; }
  long steps = atol(argv[2]);
  long warmup = atol(argv[3]);
  if (steps <= 0 || warmup < 0) { fprintf(stderr, "steps must be > 0 and warmup_steps >= 0\n"); return 2; }
  mju_user_warning = quiet_warning;  // as the binding does: no MUJOCO_LOG.TXT, no stdout noise

  char error[1024] = "";
  mjModel* m = mj_loadXML(argv[1], NULL, error, sizeof(error));
  if (!m) { fprintf(stderr, "%s\n", error); return 2; }

  double* mid = calloc((size_t)m->nu + 1, sizeof(double));
  double* half = calloc((size_t)m->nu + 1, sizeof(double));
  for (int i = 0; i < m->nu; i++) {
    if (m->actuator_ctrllimited[i]) {
      double lo = m->actuator_ctrlrange[2 * i], hi = m->actuator_ctrlrange[2 * i + 1];
      mid[i] = (lo + hi) * 0.5;
      half[i] = (hi - lo) * 0.5;
    } else {
      mid[i] = 0.0;
      half[i] = 1.0;
    }
  }

  // Warm-up on a scratch data (caches, page faults), then the measured run from the initial state.
  mjData* scratch = mj_makeData(m);
  for (long k = 0; k < warmup; k++) { set_controls(m, scratch, k, mid, half); step_checked(m, scratch); }
  mj_deleteData(scratch);

  mjData* d = mj_makeData(m);
  long divergences = 0;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long k = 0; k < steps; k++) {
    set_controls(m, d, k, mid, half);
    divergences += step_checked(m, d);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);

  printf("seconds %.17g\n", seconds);
  printf("steps_per_second %.17g\n", (double)steps / seconds);
  printf("divergences %ld\n", divergences);
  printf("qpos");
  for (int i = 0; i < m->nq; i++) printf(" %.17g", d->qpos[i]);
  printf("\n");

  mj_deleteData(d);
  mj_deleteModel(m);
  free(mid);
  free(half);
  return 0;
}
