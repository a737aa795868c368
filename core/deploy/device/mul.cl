// Mul: y = requantize(a·b·m[c] + offset[c], shift[c]), b one value a channel (broadcast = 1,
// squeeze-excitation gates) or a's shape. One work-item per channel plane and sample (dimension
// 0 the channel, 1 the sample); the loop over the plane vectorises.
__kernel BS_ATTR void bs_mul(__global const int* restrict a, __global const int* restrict b,
                             __global int* restrict y, __global const int* restrict m,
                             __global const int* restrict shift,
                             __global const long* restrict offset, int lo, int hi, int channels,
                             int plane, int broadcast, int batch) {
  const int c = get_global_id(0), n = get_global_id(1);
  if (c >= channels || n >= batch) return;
  const int s = shift[c];
  const long mc = m[c], oc = offset[c];
  const int z = n * channels + c;
  __global const int* as = a + z * plane;
  __global const int* bs = b + (broadcast ? z : z * plane);
  __global int* ys = y + z * plane;
  for (int i = 0; i < plane; ++i) {
    const long p = (long)as[i] * bs[broadcast ? 0 : i];
    ys[i] = bs_requantize(p * mc + oc, s, lo, hi);
  }
}
