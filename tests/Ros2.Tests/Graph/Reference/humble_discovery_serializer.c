/* Independent reference for Mlsh's Humble ros_discovery_info layout: fills ParticipantEntitiesInfo (types compiled
 * from humble_discovery.idl by Cyclone's idlc) with the values of SampleMessages.ParticipantEntitiesInfoSample for
 * HumbleLayout, GUIDs of 16 bytes zero-padded to 24 as rmw_cyclonedds_cpp (humble) does, and prints its `cdr` line
 * and the `desc` lines of the three types (see TestSupport/Reference/cyclone_reference.h).
 * Built and run by HumbleDiscoveryLayoutTests. */
#include "cyclone_reference.h"
#include "humble_discovery.h"

int main(void)
{
  rmw_dds_common_msg_dds__Gid_ readers[1], writers[2];
  rmw_dds_common_msg_dds__NodeEntitiesInfo_ node;
  rmw_dds_common_msg_dds__ParticipantEntitiesInfo_ m;
  memset(readers, 0, sizeof(readers)); memset(writers, 0, sizeof(writers)); memset(&m, 0, sizeof(m));
  fill_guid(m.gid.data, 1);
  fill_guid(readers[0].data, 0xa0); fill_guid(writers[0].data, 0xb0); fill_guid(writers[1].data, 0xc0);
  strcpy(node.node_namespace, "/robot1");
  strcpy(node.node_name, "mlsh_sim");
  SEQ(node.reader_gid_seq, readers, 1); SEQ(node.writer_gid_seq, writers, 2);
  SEQ(m.node_entities_info_seq, &node, 1);
  emit(&rmw_dds_common_msg_dds__ParticipantEntitiesInfo__desc, &m);
  describe(&rmw_dds_common_msg_dds__Gid__desc);
  describe(&rmw_dds_common_msg_dds__NodeEntitiesInfo__desc);
  describe(&rmw_dds_common_msg_dds__ParticipantEntitiesInfo__desc);
  return 0;
}
