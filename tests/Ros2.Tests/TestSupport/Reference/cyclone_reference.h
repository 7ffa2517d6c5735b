/* Shared harness of the C reference programs (Messages/Reference/reference_serializer.c,
 * Graph/Reference/humble_discovery_serializer.c), run by TestSupport/CycloneReferenceProgram.cs. Each program fills
 * idlc-generated types with the values of the C# samples and prints, one per line:
 *   cdr <dds type name> <hex payload>          Cyclone's own serialization (dds_stream_writeLE, XCDR1)
 *   desc <dds type name> <m_size> <m_align> <m_flagset> <m_nops> <ops words in hex...>
 * Included by exactly one translation unit per program, hence the static definitions. */
#ifndef MLSH_CYCLONE_REFERENCE_H
#define MLSH_CYCLONE_REFERENCE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "dds/dds.h"
#include "dds/ddsi/ddsi_cdrstream.h"

/* Points an idlc sequence at a caller-owned array of n elements (not released by Cyclone). */
#define SEQ(s, arr, n) do { (s)._maximum = (s)._length = (n); (s)._buffer = (arr); (s)._release = false; } while (0)

/* Prints `cdr`: the sample serialized by Cyclone as XCDR1, little endian, without the encapsulation header. */
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

/* Prints `desc`: every op word, walking until m_nops instructions (RTS included) have been counted. */
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

/* A 16-byte DDS GUID first, first + 1, ... into a GID's data; bytes past 16 (Humble's padding) are left as they are. */
static void fill_guid(uint8_t *gid_data, int first)
{
  for (int i = 0; i < 16; i++) gid_data[i] = (uint8_t)(first + i);
}

#endif
