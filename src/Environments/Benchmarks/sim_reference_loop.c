// Native reference for `mlsh bench sim`: the quadruped maze environment's physics work in plain C.
// Mlsh.Environments.Benchmarks.SimBenchmark compiles it with gcc and runs it on the same composed MJCF
// (robot + maze walls) as the C# environment, with the same control pattern: every policy step the
// open-loop trot of TrotGait (forward 1, turn 0) gives actions, they become joint position targets, and
// before every one of the policy_decimation mj_step calls the joint PD law computes the motor torques.
// Expressions are evaluated in the same order as the C# code so both trajectories are bit-identical.
//
// Usage: sim_reference_loop <model.xml> <spec.txt> <policy_steps> <warmup_policy_steps>
// spec.txt (written by SimBenchmark):
//   physics_dt <dt>  decimation <n>  base_qposadr <adr>  spawn_height <h>
//   gait <freq_hz> <hip_amplitude> <knee_lift> <lift_phase> <hip_fl> <knee_fl> <hip_fr> <knee_fr> <hip_bl> <knee_bl> <hip_br> <knee_br>
//   joints <n>
//   then n lines: <name> <default> <kp> <kd> <torque_limit> <action_scale>
// Prints: "seconds <wall s>", "cpu_seconds <thread CPU s>", "physics_steps <n>", "divergences <n>", "qpos <q0> ...". Exit 2 on bad input.
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <mujoco/mujoco.h>

#define MAXJ 64
#define MLSH_PI 3.14159265358979323846  // rounds to the same double as System.Math.PI
static int nj, decimation, base_adr, gait_hip[4], gait_knee[4];
static double physics_dt, spawn_height, freq, hip_amp, knee_lift, lift_phase;
static double def[MAXJ], kp[MAXJ], kd[MAXJ], lim[MAXJ], scale[MAXJ], lo[MAXJ], hi[MAXJ];
static int qadr[MAXJ], dadr[MAXJ];
static const double leg_phase[4] = {0, MLSH_PI, MLSH_PI, 0};
static const double backward_sign[4] = {1, -1, 1, -1};

static double clampd(double v, double a, double b) { return v < a ? a : (v > b ? b : v); }
static float clampf(float v, float a, float b) { return v < a ? a : (v > b ? b : v); }

// TrotGait.WriteActions(time, forward = 1, turn = 0) then JointPdLaw.TargetToAction.
static void gait_actions(double time, float* actions) {
  const double forward = 1.0, turn = 0.0;
  for (int j = 0; j < nj; j++) actions[j] = 0.0f;
  double activity = fmin(1.0, fabs(forward) + fabs(turn));
  for (int l = 0; l < 4; l++) {
    double phase = 2 * MLSH_PI * freq * time + leg_phase[l];
    double hip_offset = hip_amp * sin(phase) * (backward_sign[l] * forward - turn);
    double knee_offset = -knee_lift * activity * fmax(0, -cos(phase + lift_phase));
    int h = gait_hip[l], k = gait_knee[l];
    actions[h] = (float)clampd(((def[h] + hip_offset) - def[h]) / scale[h], -1.0, 1.0);
    actions[k] = (float)clampd(((def[k] + knee_offset) - def[k]) / scale[k], -1.0, 1.0);
  }
}

static int step_checked(const mjModel* m, mjData* d) {
  mj_step(m, d);
  static const int bad[] = {mjWARN_BADQACC, mjWARN_BADQVEL, mjWARN_BADQPOS, mjWARN_BADCTRL};
  int diverged = 0;
  for (int w = 0; w < 4; w++)
    if (d->warning[bad[w]].number) { d->warning[bad[w]].number = 0; diverged = 1; }
  if (diverged) return 1;
  for (int i = 0; i < m->nq; i++) if (!isfinite(d->qpos[i])) return 1;
  for (int i = 0; i < m->nv; i++) if (!isfinite(d->qvel[i])) return 1;
  return 0;
}

// MazeVectorEnv.ResetInstance with zero reset noise.
static void reset(const mjModel* m, mjData* d) {
  mj_resetData(m, d);
  if (base_adr >= 0) {
    d->qpos[base_adr] = 0; d->qpos[base_adr + 1] = 0; d->qpos[base_adr + 2] = spawn_height;
    d->qpos[base_adr + 3] = 1; d->qpos[base_adr + 4] = 0; d->qpos[base_adr + 5] = 0; d->qpos[base_adr + 6] = 0;
  }
  for (int j = 0; j < nj; j++) d->qpos[qadr[j]] = clampd(def[j], lo[j], hi[j]);
  mj_forward(m, d);
}

static long run(const mjModel* m, mjData* d, long policy_steps, long* divergences) {
  float actions[MAXJ];
  double qt[MAXJ];
  long physics = 0;
  double policy_dt = physics_dt * decimation;
  for (long t = 0; t < policy_steps; t++) {
    gait_actions((double)t * policy_dt, actions);
    for (int j = 0; j < nj; j++) {
      float a = isfinite(actions[j]) ? clampf(actions[j], -1.0f, 1.0f) : 0.0f;
      double ac = (double)(isfinite(a) ? clampf(a, -1.0f, 1.0f) : 0.0f);
      qt[j] = clampd(def[j] + scale[j] * ac, lo[j], hi[j]);
    }
    for (int s = 0; s < decimation; s++) {
      for (int j = 0; j < nj; j++) {
        double q = d->qpos[qadr[j]], qd = d->qvel[dadr[j]];
        double tau = kp[j] * (qt[j] - q) + kd[j] * (0.0 - qd);
        d->ctrl[j] = tau > lim[j] ? lim[j] : (tau < -lim[j] ? -lim[j] : tau);
      }
      physics++;
      if (step_checked(m, d)) { (*divergences)++; reset(m, d); break; }
    }
  }
  return physics;
}

static void quiet_warning(const char* msg) { (void)msg; }

int main(int argc, char** argv) {
  if (argc != 5) { fprintf(stderr, "usage: %s <model.xml> <spec.txt> <policy_steps> <warmup_policy_steps>\n", argv[0]); return 2; }
  long steps = atol(argv[3]), warmup = atol(argv[4]);
  if (steps <= 0 || warmup < 0) { fprintf(stderr, "policy_steps must be > 0 and warmup >= 0\n"); return 2; }
  mju_user_warning = quiet_warning;
  FILE* f = fopen(argv[2], "r");
  if (!f) { fprintf(stderr, "cannot open %s\n", argv[2]); return 2; }
  if (fscanf(f, " physics_dt %lf decimation %d base_qposadr %d spawn_height %lf", &physics_dt, &decimation, &base_adr, &spawn_height) != 4 ||
      fscanf(f, " gait %lf %lf %lf %lf %d %d %d %d %d %d %d %d", &freq, &hip_amp, &knee_lift, &lift_phase,
             &gait_hip[0], &gait_knee[0], &gait_hip[1], &gait_knee[1], &gait_hip[2], &gait_knee[2], &gait_hip[3], &gait_knee[3]) != 12 ||
      fscanf(f, " joints %d", &nj) != 1 || nj <= 0 || nj > MAXJ) {
    fprintf(stderr, "malformed spec file %s\n", argv[2]);
    return 2;
  }
  char names[MAXJ][128];
  for (int j = 0; j < nj; j++)
    if (fscanf(f, " %127s %lf %lf %lf %lf %lf", names[j], &def[j], &kp[j], &kd[j], &lim[j], &scale[j]) != 6) {
      fprintf(stderr, "malformed joint line %d in %s\n", j + 1, argv[2]);
      return 2;
    }
  fclose(f);

  char error[1024] = "";
  mjModel* m = mj_loadXML(argv[1], NULL, error, sizeof(error));
  if (!m) { fprintf(stderr, "%s\n", error); return 2; }
  m->opt.timestep = physics_dt;
  for (int j = 0; j < nj; j++) {
    int id = mj_name2id(m, mjOBJ_JOINT, names[j]);
    if (id < 0) { fprintf(stderr, "joint %s not in model\n", names[j]); return 2; }
    qadr[j] = m->jnt_qposadr[id];
    dadr[j] = m->jnt_dofadr[id];
    lo[j] = m->jnt_limited[id] ? m->jnt_range[2 * id] : -INFINITY;
    hi[j] = m->jnt_limited[id] ? m->jnt_range[2 * id + 1] : INFINITY;
  }

  long divergences = 0;
  mjData* d = mj_makeData(m);
  if (warmup > 0) { reset(m, d); run(m, d, warmup, &divergences); }
  divergences = 0;
  reset(m, d);
  struct timespec t0, t1, c0, c1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
  long physics = run(m, d, steps, &divergences);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
  double cpu_seconds = (double)(c1.tv_sec - c0.tv_sec) + 1e-9 * (double)(c1.tv_nsec - c0.tv_nsec);
  printf("seconds %.17g\ncpu_seconds %.17g\nphysics_steps %ld\ndivergences %ld\nqpos", seconds, cpu_seconds, physics, divergences);
  for (int i = 0; i < m->nq; i++) printf(" %.17g", d->qpos[i]);
  printf("\n");
  mj_deleteData(d);
  mj_deleteModel(m);
  return 0;
}
