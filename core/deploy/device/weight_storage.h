// How a layer's weight codes are stored, byte for byte the same in weights.bin and in the
// device buffer the kernels decode (FORMAT.md, "weights.bin"). Written in the common subset of
// C++ and OpenCL C (macros only): the host code includes it, and the kernel program starts with
// it (it is the first of the device/ files).
//
//   w_bits <= 4: two codes a byte, element 0 in the low nibble ("int4" / "uint4")
//   w_bits <= 8: one code a byte ("int8" / "uint8")
//   wider:       four bytes a code, little-endian ("int32")
// Codes are two's complement, or unsigned table indices when the layer has a table.
#ifndef BITSHIFT_WEIGHT_STORAGE_H
#define BITSHIFT_WEIGHT_STORAGE_H

#define BS_WEIGHTS_PACKED4 4
#define BS_WEIGHTS_INT8 8
#define BS_WEIGHTS_INT32 32

#define BS_WEIGHT_FORMAT(w_bits) \
  ((w_bits) <= 4 ? BS_WEIGHTS_PACKED4 : ((w_bits) <= 8 ? BS_WEIGHTS_INT8 : BS_WEIGHTS_INT32))

// Bytes that hold `count` codes.
#define BS_WEIGHT_BYTES(format, count)                 \
  ((format) == BS_WEIGHTS_PACKED4 ? ((count) + 1) / 2 \
                                  : ((format) == BS_WEIGHTS_INT8 ? (count) : 4 * (count)))

// The stored bits of code i (an unsigned int) from the byte array `b`.
#define BS_WEIGHT_BITS(b, format, i)                                                       \
  ((format) == BS_WEIGHTS_PACKED4                                                          \
       ? (((unsigned int)(b)[(i) >> 1] >> (((i) & 1) << 2)) & 0xFu)                        \
       : ((format) == BS_WEIGHTS_INT8                                                      \
              ? (unsigned int)(b)[i]                                                       \
              : ((unsigned int)(b)[4 * (i)] | ((unsigned int)(b)[4 * (i) + 1] << 8) |      \
                 ((unsigned int)(b)[4 * (i) + 2] << 16) | ((unsigned int)(b)[4 * (i) + 3] << 24))))

// The code those bits stand for: a table index as is, else sign-extended from the format's width.
#define BS_WEIGHT_CODE(bits, format, has_table)                                     \
  ((has_table) ? (int)(bits)                                                        \
               : ((format) == BS_WEIGHTS_PACKED4 ? (int)((bits) ^ 8u) - 8           \
                                                 : ((format) == BS_WEIGHTS_INT8     \
                                                        ? (int)((bits) ^ 128u) - 128 \
                                                        : (int)(bits))))

#endif
