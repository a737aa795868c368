// Weight codes to the values the MACs use, once per model when it is loaded onto the device:
// the layer's stored codes (weight_storage.h: weights.bin's own bytes), through the layer's
// table for non-uniform weights.
// The conv and linear kernels then read plain int values (no decoding per multiply); an FPGA
// build would decode on the fly instead, from the same packed buffers.
//
// Codes are [out][per_out] (per_out = in/groups·k·k for a conv, the fan-in for a linear layer).
// With out_pad > 0 the values are written transposed, [per_out][out_pad] with zeros in the
// padding channels, so that a conv reads the weights of consecutive output channels as one
// vector (bs_conv); out_pad = 0 keeps [out][per_out].
__kernel BS_ATTR void bs_unpack_weights(
    __global const uchar* restrict w, __global const int* restrict table, int w_format,
    int has_table,
    __global int* restrict values, int out, int per_out, int out_pad) {
  const int i = get_global_id(0);  // index into the written layout
  if (out_pad == 0) {
    if (i < out * per_out) values[i] = bs_weight(w, table, w_format, has_table, i);
    return;
  }
  if (i >= per_out * out_pad) return;
  const int o = i % out_pad, p = i / out_pad;
  values[i] = o < out ? bs_weight(w, table, w_format, has_table, o * per_out + p) : 0;
}

// The weights of a conv that runs on 16-bit pairs (conv_pairs.cl): [blocks][in/2][k][k][16] ints,
// each the pair (channel 2p in the low half, 2p+1 in the high half) of one of 16 consecutive
// output channels; zeros past `out` and past `in`. The host checks that every value fits ±32767.
__kernel BS_ATTR void bs_unpack_conv_pairs(
    __global const uchar* restrict w, __global const int* restrict table, int w_format,
    int has_table,
    __global int* restrict values, int out, int in, int taps, int count) {
  const int i = get_global_id(0);
  if (i >= count) return;
  const int pairs = (in + 1) / 2;
  const int j = i % 16, tap = i / 16 % taps, p = i / 16 / taps % pairs;
  const int oc = i / 16 / taps / pairs * 16 + j, ic = 2 * p;
  uint pair = 0;
  if (oc < out) {
    const int first = (oc * in + ic) * taps + tap;
    pair = (uint)bs_weight(w, table, w_format, has_table, first) & 0xFFFFu;
    if (ic + 1 < in)
      pair |= (uint)bs_weight(w, table, w_format, has_table, first + taps) << 16;
  }
  values[i] = as_int(pair);
}
