/* Independent reference for Mlsh's Humble ros_discovery_info layout: fills ParticipantEntitiesInfo (types compiled
 * from humble_discovery.idl by Cyclone's idlc) with the values of HumbleDiscoveryLayoutTests.Sample, GUIDs of 16
 * bytes zero-padded to 24 as rmw_cyclonedds_cpp (humble) does, serializes it with Cyclone's own C serializer
 * (XCDR1) and prints the same lines as Messages/Reference/reference_serializer.c:
 *   cdr <dds type name> <hex payload>
 *   desc <dds type name> <m_size> <m_align> <m_flagset> <m_nops> <ops words in hex...>
 * Built and run by HumbleDiscoveryLayoutTests. */
#include <stdio.h>
#include <string.h>
#include "dds/dds.h"
#include "dds/ddsi/ddsi_cdrstream.h"
#include "humble_discovery.h"

#define SEQ(s, arr, n) do { (s)._maximum = (s)._length = (n); (s)._buffer = (arr); (s)._release = false; } while (0)

static void emit(const dds_topic_descriptor_t *desc, const void *sample)
{
  dds_ostreamLE_t os;
  dds_ostreamLE_init(&os, 0, 1 /* CDR_ENC_VERSION_1 */);
  dds_stream_writeLE(&os, (const char *)sample, desc->m_ops);
  printf("cdr %s ", desc->m_typename);
  for (uint32_t i = 0; i < os.x.m_index; i++) printf("%02x", os.x.m_buffer[i]);
  printf("\n");
  dds_ostreamLE_fini(&os);
}

static void describe(const dds_topic_descriptor_t *desc)
{
  uint32_t words = 0, instr = 0;
  printf("desc %s %u %u %u %u", desc->m_typename, desc->m_size, desc->m_align, desc->m_flagset, desc->m_nops);
  for (words = 0; instr < desc->m_nops; ) {
    uint32_t op = desc->m_ops[words];
    uint32_t len = 1;
    if ((op >> 24) == 0x01) { /* ADR */
      uint32_t type = (op >> 16) & 0x7f, sub = (op >> 8) & 0xff;
      switch (type) {
        case 0x0d: len = 3; break;                          /* EXT: op, offset, jump */
        case 0x06: len = 3; break;                          /* BST: op, offset, bound */
        case 0x07: len = (sub == 0x0a) ? 4 : 2; break;      /* SEQ: of structs adds size + jump */
        case 0x08: len = 3; break;                          /* ARR of primitives: op, offset, count */
        default: len = 2; break;
      }
    }
    for (uint32_t k = 0; k < len; k++) printf(" %08x", desc->m_ops[words + k]);
    words += len;
    instr++;
  }
  printf("\n");
}

int main(void)
{
  rmw_dds_common_msg_dds__Gid_ readers[1], writers[2];
  rmw_dds_common_msg_dds__NodeEntitiesInfo_ node;
  rmw_dds_common_msg_dds__ParticipantEntitiesInfo_ m;
  memset(readers, 0, sizeof(readers)); memset(writers, 0, sizeof(writers)); memset(&m, 0, sizeof(m));
  for (int i = 0; i < 16; i++) {
    m.gid.data[i] = (uint8_t)(i + 1);
    readers[0].data[i] = (uint8_t)(0xa0 + i);
    writers[0].data[i] = (uint8_t)(0xb0 + i);
    writers[1].data[i] = (uint8_t)(0xc0 + i);
  }
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
