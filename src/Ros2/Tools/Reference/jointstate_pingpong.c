/* C reference for `./mlsh bench dds`: the same JointState ping/pong as Mlsh.Ros2.Tools.PingPong, written
 * directly against Cyclone's C API with idlc-generated types (dds_write/dds_take, waitset, reliable keep-last-1).
 *   jointstate_pingpong pong DOMAIN SECONDS
 *   jointstate_pingpong ping DOMAIN JOINTS ROUNDTRIPS      -> prints "rt_us p50 p99 mean count"
 * The Cyclone configuration comes from CYCLONEDDS_URI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dds/dds.h"
#include "joint_state.h"

static double now_us(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e6 + t.tv_nsec / 1e3; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }

int main(int argc, char **argv)
{
  if (argc < 4) { fprintf(stderr, "usage: ping DOMAIN JOINTS ROUNDTRIPS | pong DOMAIN SECONDS\n"); return 2; }
  const int ping = strcmp(argv[1], "ping") == 0;
  dds_entity_t pp = dds_create_participant((dds_domainid_t)atoi(argv[2]), NULL, NULL);
  if (pp < 0) { fprintf(stderr, "dds_create_participant: %s\n", dds_strretcode(pp)); return 1; }
  dds_entity_t tping = dds_create_topic(pp, &sensor_msgs_msg_dds__JointState__desc, "rt/mlsh_c_ping", NULL, NULL);
  dds_entity_t tpong = dds_create_topic(pp, &sensor_msgs_msg_dds__JointState__desc, "rt/mlsh_c_pong", NULL, NULL);
  dds_qos_t *q = dds_create_qos();
  dds_qset_reliability(q, DDS_RELIABILITY_RELIABLE, DDS_MSECS(100));
  dds_qset_history(q, DDS_HISTORY_KEEP_LAST, 1);
  dds_entity_t w = dds_create_writer(pp, ping ? tping : tpong, q, NULL);
  dds_entity_t r = dds_create_reader(pp, ping ? tpong : tping, q, NULL);
  dds_entity_t ws = dds_create_waitset(pp);
  dds_waitset_attach(ws, dds_create_readcondition(r, DDS_ANY_STATE), 0);
  void *buf[1] = { NULL };
  dds_sample_info_t si;

  if (!ping) {
    dds_time_t end = dds_time() + DDS_SECS(atoi(argv[3]));
    printf("ready\n"); fflush(stdout);
    while (dds_time() < end) {
      if (dds_waitset_wait(ws, NULL, 0, DDS_MSECS(200)) <= 0) continue;
      while (dds_take(r, buf, &si, 1, 1) > 0) {
        if (si.valid_data) dds_write(w, buf[0]);
        dds_return_loan(r, buf, 1);
        buf[0] = NULL;
      }
    }
    return 0;
  }

  const int joints = atoi(argv[3]), n = argc > 4 ? atoi(argv[4]) : 10000;
  dds_publication_matched_status_t st;
  dds_subscription_matched_status_t rs;
  for (int k = 0; k < 400; k++) {
    dds_get_publication_matched_status(w, &st);
    dds_get_subscription_matched_status(r, &rs);
    if (st.current_count > 0 && rs.current_count > 0) break;
    dds_sleepfor(DDS_MSECS(50));
  }
  char **names = calloc((size_t)joints, sizeof(char *));
  double *pos = calloc((size_t)joints, sizeof(double)), *vel = calloc((size_t)joints, sizeof(double)), *eff = calloc((size_t)joints, sizeof(double));
  for (int i = 0; i < joints; i++) { names[i] = malloc(24); snprintf(names[i], 24, "joint_%02d", i); }
  sensor_msgs_msg_dds__JointState_ m;
  memset(&m, 0, sizeof(m));
  m.header.frame_id = "base_link";
  m.name._buffer = names; m.name._length = m.name._maximum = (uint32_t)joints;
  m.position._buffer = pos; m.position._length = m.position._maximum = (uint32_t)joints;
  m.velocity._buffer = vel; m.velocity._length = m.velocity._maximum = (uint32_t)joints;
  m.effort._buffer = eff; m.effort._length = m.effort._maximum = (uint32_t)joints;
  double *rt = calloc((size_t)n, sizeof(double)), sum = 0, warm_end = now_us() + 2e6;
  long seq = 0;
  for (int i = -2000; i < n; i++) {
    if (i == -1 && now_us() < warm_end) i = -2; /* warm up for at least 2 s, like the C# side */
    pos[0] = (double)seq;
    double a = now_us();
    dds_write(w, &m);
    for (;;) {
      if (dds_waitset_wait(ws, NULL, 0, DDS_SECS(1)) <= 0) { dds_write(w, &m); continue; }
      int got = dds_take(r, buf, &si, 1, 1);
      if (got <= 0) continue;
      double p = si.valid_data ? ((sensor_msgs_msg_dds__JointState_ *)buf[0])->position._buffer[0] : -1;
      dds_return_loan(r, buf, got);
      buf[0] = NULL;
      if (p == (double)seq) break;
    }
    seq++;
    if (i >= 0) { rt[i] = now_us() - a; sum += rt[i]; }
  }
  qsort(rt, (size_t)n, sizeof(double), cmp);
  printf("rt_us %.2f %.2f %.2f %d\n", rt[n / 2], rt[(int)(0.99 * n)], sum / n, n);
  return 0;
}
