/* Independent reference for Mlsh's serializer: fills each ROS 2 message (types compiled from ros_messages.idl
 * by Cyclone's idlc) with the canonical values of tests/Ros2.Tests/TestSupport/SampleMessages.cs and prints its
 * `cdr` line, then the `desc` line of every type (see TestSupport/Reference/cyclone_reference.h).
 * Built and run by CycloneSerializerParityTests. */
#include "cyclone_reference.h"
#include "ros_messages.h"

static void header(std_msgs_msg_dds__Header_ *h, int32_t sec, uint32_t nsec, char *frame)
{
  h->stamp.sec = sec; h->stamp.nanosec = nsec; h->frame_id = frame;
}

int main(void)
{
  { builtin_interfaces_msg_dds__Time_ m = { .sec = -1700000000, .nanosec = 123456789u };
    emit(&builtin_interfaces_msg_dds__Time__desc, &m); }
  { std_msgs_msg_dds__Header_ m; header(&m, 5, 6u, "base_link");
    emit(&std_msgs_msg_dds__Header__desc, &m); }
  { std_msgs_msg_dds__String_ m = { .data = "h\xc3\xa9llo w\xc3\xb6rld" };
    emit(&std_msgs_msg_dds__String__desc, &m); }
  { std_msgs_msg_dds__MultiArrayDimension_ dims[2] = { { "joints", 3u, 3u }, { "x", 1u, 1u } };
    double data[3] = { 1.5, -2.25, 3e-9 };
    std_msgs_msg_dds__Float64MultiArray_ m;
    SEQ(m.layout.dim, dims, 2); m.layout.data_offset = 2u; SEQ(m.data, data, 3);
    emit(&std_msgs_msg_dds__Float64MultiArray__desc, &m); }
  { char *names[3] = { "hip_fl", "knee_fl", "ankle" };
    double pos[3] = { 0.1, 0.2, 0.3 }, vel[3] = { -1.0, -2.0, -3.0 };
    sensor_msgs_msg_dds__JointState_ m;
    header(&m.header, 12, 345u, "odom");
    SEQ(m.name, names, 3); SEQ(m.position, pos, 3); SEQ(m.velocity, vel, 3); SEQ(m.effort, NULL, 0);
    emit(&sensor_msgs_msg_dds__JointState__desc, &m); }
  { sensor_msgs_msg_dds__Imu_ m;
    header(&m.header, 1, 2u, "imu_link");
    m.orientation.x = 0.1; m.orientation.y = 0.2; m.orientation.z = 0.3; m.orientation.w = 0.9;
    m.angular_velocity.x = 1; m.angular_velocity.y = 2; m.angular_velocity.z = 3;
    m.linear_acceleration.x = 4; m.linear_acceleration.y = 5; m.linear_acceleration.z = 9.81;
    for (int i = 0; i < 9; i++) {
      m.orientation_covariance[i] = i + 0.5;
      m.angular_velocity_covariance[i] = i * -0.25;
      m.linear_acceleration_covariance[i] = 100 + i;
    }
    emit(&sensor_msgs_msg_dds__Imu__desc, &m); }
  { nav_msgs_msg_dds__Odometry_ m;
    header(&m.header, 3, 4u, "odom"); m.child_frame_id = "base_link";
    m.pose.pose.position.x = 1; m.pose.pose.position.y = 2; m.pose.pose.position.z = 3;
    m.pose.pose.orientation.x = 0; m.pose.pose.orientation.y = 0; m.pose.pose.orientation.z = 0.7071; m.pose.pose.orientation.w = 0.7071;
    m.twist.twist.linear.x = 0.5; m.twist.twist.linear.y = 0; m.twist.twist.linear.z = 0;
    m.twist.twist.angular.x = 0; m.twist.twist.angular.y = 0; m.twist.twist.angular.z = -0.25;
    for (int i = 0; i < 36; i++) { m.pose.covariance[i] = i; m.twist.covariance[i] = -i; }
    emit(&nav_msgs_msg_dds__Odometry__desc, &m); }
  { geometry_msgs_msg_dds__PoseStamped_ m;
    header(&m.header, 9, 10u, "map");
    m.pose.position.x = -1; m.pose.position.y = -2; m.pose.position.z = -3;
    m.pose.orientation.x = 0; m.pose.orientation.y = 0; m.pose.orientation.z = 0; m.pose.orientation.w = 1;
    emit(&geometry_msgs_msg_dds__PoseStamped__desc, &m); }
  { rosgraph_msgs_msg_dds__Clock_ m = { .clock = { .sec = 42, .nanosec = 999999999u } };
    emit(&rosgraph_msgs_msg_dds__Clock__desc, &m); }
  { diagnostic_msgs_msg_dds__KeyValue_ kv[2] = { { "steps", "100" }, { "dt", "0.01" } };
    diagnostic_msgs_msg_dds__DiagnosticStatus_ st[2];
    st[0].level = 1; st[0].name = "mlsh_sim: physics"; st[0].message = "ok"; st[0].hardware_id = "mujoco"; SEQ(st[0].values, kv, 2);
    st[1].level = 2; st[1].name = "b"; st[1].message = ""; st[1].hardware_id = ""; SEQ(st[1].values, NULL, 0);
    diagnostic_msgs_msg_dds__DiagnosticArray_ m;
    header(&m.header, 7, 8u, ""); SEQ(m.status, st, 2);
    emit(&diagnostic_msgs_msg_dds__DiagnosticArray__desc, &m); }
  { rmw_dds_common_msg_dds__Gid_ readers[1], writers[2];
    rmw_dds_common_msg_dds__NodeEntitiesInfo_ node;
    rmw_dds_common_msg_dds__ParticipantEntitiesInfo_ m;
    fill_guid(m.gid.data, 1);
    fill_guid(readers[0].data, 0xa0); fill_guid(writers[0].data, 0xb0); fill_guid(writers[1].data, 0xc0);
    strcpy(node.node_namespace, "/");
    strcpy(node.node_name, "mlsh_runtime");
    SEQ(node.reader_gid_seq, readers, 1); SEQ(node.writer_gid_seq, writers, 2);
    SEQ(m.node_entities_info_seq, &node, 1);
    emit(&rmw_dds_common_msg_dds__ParticipantEntitiesInfo__desc, &m); }

  const dds_topic_descriptor_t *all[] = {
    &builtin_interfaces_msg_dds__Time__desc, &std_msgs_msg_dds__Header__desc, &std_msgs_msg_dds__String__desc,
    &std_msgs_msg_dds__MultiArrayDimension__desc, &std_msgs_msg_dds__MultiArrayLayout__desc,
    &std_msgs_msg_dds__Float64MultiArray__desc, &geometry_msgs_msg_dds__Vector3__desc, &geometry_msgs_msg_dds__Point__desc,
    &geometry_msgs_msg_dds__Quaternion__desc, &geometry_msgs_msg_dds__Pose__desc, &geometry_msgs_msg_dds__PoseWithCovariance__desc,
    &geometry_msgs_msg_dds__Twist__desc, &geometry_msgs_msg_dds__TwistWithCovariance__desc, &geometry_msgs_msg_dds__PoseStamped__desc,
    &sensor_msgs_msg_dds__JointState__desc, &sensor_msgs_msg_dds__Imu__desc, &nav_msgs_msg_dds__Odometry__desc,
    &rosgraph_msgs_msg_dds__Clock__desc, &diagnostic_msgs_msg_dds__KeyValue__desc, &diagnostic_msgs_msg_dds__DiagnosticStatus__desc,
    &diagnostic_msgs_msg_dds__DiagnosticArray__desc, &rmw_dds_common_msg_dds__Gid__desc,
    &rmw_dds_common_msg_dds__NodeEntitiesInfo__desc, &rmw_dds_common_msg_dds__ParticipantEntitiesInfo__desc };
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) describe(all[i]);
  return 0;
}
