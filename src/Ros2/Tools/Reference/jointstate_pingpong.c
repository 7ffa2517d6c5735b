/* C reference for `./mlsh bench dds`: the same JointState ping/pong as Mlsh.Ros2.Tools.PingPong, written
 * directly against Cyclone's C API with idlc-generated types (dds_write/dds_take, reliable keep-last-1),
 * triggered by a waitset (default) or, with "listener", by a data-available listener on Cyclone's thread.
 *   jointstate_pingpong pong DOMAIN SECONDS [listener]
 *   jointstate_pingpong ping DOMAIN JOINTS ROUNDTRIPS [listener]     -> prints "rt_us p50 p99 mean count"
 * The Cyclone configuration comes from CYCLONEDDS_URI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dds/dds.h"
#include "joint_state.h"

static double now_us(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e6 + t.tv_nsec / 1e3; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }

/* State of a run, shared with the listeners (which Cyclone never runs concurrently for one reader). */
static dds_entity_t w;
static sensor_msgs_msg_dds__JointState_ m;
static double *pos, *rt, sum, warm_end, sent_at;
static volatile long seq, done_at = -1;
static int n, timed, warm_left = 2000;

static void pong_cb(dds_entity_t rd, void *arg)
{
  (void)arg;
  void *buf[1] = { NULL };
  dds_sample_info_t si;
  while (dds_take(rd, buf, &si, 1, 1) > 0) {
    if (si.valid_data) dds_write(w, buf[0]);
    dds_return_loan(rd, buf, 1);
    buf[0] = NULL;
  }
}

/* One echo: time it (after the warm-up, as the waitset loop) and send the next ping. */
static int on_echo(double p, double now)
{
  if (p != (double)seq) return 0;
  if (warm_left > 0 || now < warm_end) warm_left--;
  else { rt[timed] = now - sent_at; sum += rt[timed]; timed++; }
  if (timed == n) { done_at = seq; return 1; }
  seq++;
  pos[0] = (double)seq;
  sent_at = now_us();
  dds_write(w, &m);
  return 1;
}

static void ping_cb(dds_entity_t rd, void *arg)
{
  (void)arg;
  void *buf[1] = { NULL };
  dds_sample_info_t si;
  while (done_at < 0 && dds_take(rd, buf, &si, 1, 1) > 0) {
    double p = si.valid_data ? ((sensor_msgs_msg_dds__JointState_ *)buf[0])->position._buffer[0] : -1;
    dds_return_loan(rd, buf, 1);
    buf[0] = NULL;
    on_echo(p, now_us());
  }
}

int main(int argc, char **argv)
{
  if (argc < 4) { fprintf(stderr, "usage: ping DOMAIN JOINTS ROUNDTRIPS [listener] | pong DOMAIN SECONDS [listener]\n"); return 2; }
  const int ping = strcmp(argv[1], "ping") == 0;
  const int listen = strcmp(argv[argc - 1], "listener") == 0;
  dds_entity_t pp = dds_create_participant((dds_domainid_t)atoi(argv[2]), NULL, NULL);
  if (pp < 0) { fprintf(stderr, "dds_create_participant: %s\n", dds_strretcode(pp)); return 1; }
  dds_entity_t tping = dds_create_topic(pp, &sensor_msgs_msg_dds__JointState__desc, "rt/mlsh_c_ping", NULL, NULL);
  dds_entity_t tpong = dds_create_topic(pp, &sensor_msgs_msg_dds__JointState__desc, "rt/mlsh_c_pong", NULL, NULL);
  dds_qos_t *q = dds_create_qos();
  dds_qset_reliability(q, DDS_RELIABILITY_RELIABLE, DDS_MSECS(100));
  dds_qset_history(q, DDS_HISTORY_KEEP_LAST, 1);
  w = dds_create_writer(pp, ping ? tping : tpong, q, NULL);
  dds_entity_t r = dds_create_reader(pp, ping ? tpong : tping, q, NULL);
  dds_entity_t ws = dds_create_waitset(pp);
  dds_waitset_attach(ws, dds_create_readcondition(r, DDS_ANY_STATE), 0);
  void *buf[1] = { NULL };
  dds_sample_info_t si;

  if (!ping) {
    dds_time_t end = dds_time() + DDS_SECS(atoi(argv[3]));
    if (listen) {
      dds_listener_t *l = dds_create_listener(NULL);
      dds_lset_data_available(l, pong_cb);
      dds_set_listener(r, l);
      dds_delete_listener(l);
    }
    printf("ready\n"); fflush(stdout);
    while (dds_time() < end) {
      if (listen) { dds_sleepfor(DDS_MSECS(200)); continue; }
      if (dds_waitset_wait(ws, NULL, 0, DDS_MSECS(200)) <= 0) continue;
      while (dds_take(r, buf, &si, 1, 1) > 0) {
        if (si.valid_data) dds_write(w, buf[0]);
        dds_return_loan(r, buf, 1);
        buf[0] = NULL;
      }
    }
    if (listen) dds_set_listener(r, NULL);
    return 0;
  }

  const int joints = atoi(argv[3]);
  n = argc > 4 && strcmp(argv[4], "listener") != 0 ? atoi(argv[4]) : 10000;
  dds_publication_matched_status_t st;
  dds_subscription_matched_status_t rs;
  for (int k = 0; k < 400; k++) {
    dds_get_publication_matched_status(w, &st);
    dds_get_subscription_matched_status(r, &rs);
    if (st.current_count > 0 && rs.current_count > 0) break;
    dds_sleepfor(DDS_MSECS(50));
  }
  char **names = calloc((size_t)joints, sizeof(char *));
  double *vel = calloc((size_t)joints, sizeof(double)), *eff = calloc((size_t)joints, sizeof(double));
  pos = calloc((size_t)joints, sizeof(double));
  for (int i = 0; i < joints; i++) { names[i] = malloc(24); snprintf(names[i], 24, "joint_%02d", i); }
  memset(&m, 0, sizeof(m));
  m.header.frame_id = "base_link";
  m.name._buffer = names; m.name._length = m.name._maximum = (uint32_t)joints;
  m.position._buffer = pos; m.position._length = m.position._maximum = (uint32_t)joints;
  m.velocity._buffer = vel; m.velocity._length = m.velocity._maximum = (uint32_t)joints;
  m.effort._buffer = eff; m.effort._length = m.effort._maximum = (uint32_t)joints;
  rt = calloc((size_t)n, sizeof(double));
  warm_end = now_us() + 2e6; /* warm up for 2000 round trips and at least 2 s, like the C# side */

  if (listen) {
    dds_listener_t *l = dds_create_listener(NULL);
    dds_lset_data_available(l, ping_cb);
    dds_set_listener(r, l);
    dds_delete_listener(l);
    sent_at = now_us();
    dds_write(w, &m);
    long seen = -1;
    while (done_at < 0) {
      dds_sleepfor(DDS_SECS(1));
      if (done_at < 0 && seq == seen) dds_write(w, &m); /* nothing for 1 s: re-send the lost ping */
      seen = seq;
    }
    dds_set_listener(r, NULL);
  } else {
    sent_at = now_us();
    dds_write(w, &m);
    while (timed < n) {
      if (dds_waitset_wait(ws, NULL, 0, DDS_SECS(1)) <= 0) { dds_write(w, &m); continue; }
      int got = dds_take(r, buf, &si, 1, 1);
      if (got <= 0) continue;
      double p = si.valid_data ? ((sensor_msgs_msg_dds__JointState_ *)buf[0])->position._buffer[0] : -1;
      dds_return_loan(r, buf, got);
      buf[0] = NULL;
      on_echo(p, now_us());
    }
  }
  qsort(rt, (size_t)n, sizeof(double), cmp);
  printf("rt_us %.2f %.2f %.2f %d\n", rt[n / 2], rt[(int)(0.99 * n)], sum / n, n);
  return 0;
}
