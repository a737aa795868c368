// Sum pool over int32 values (an average pool whose 1/k² joins the reader's multiplier), one
// work-item per output value: dimension 0 is x, 1 is y and 2 is sample·channel. Padding adds
// nothing (the window is cut to the map). A global pool is a window of the whole map
// (kernel_h = in_h, kernel_w = in_w, stride 1, no pads).

// The sum fits int32: prove_accumulator_bounds checks max|x|·window.
__kernel BS_ATTR void bs_sumpool(__global const int* restrict x, __global int* restrict y,
                                 int channels, int in_h, int in_w, int out_h, int out_w,
                                 int kernel_h, int kernel_w, int stride_h, int stride_w,
                                 int pad_top, int pad_left, int batch) {
  const int ox = get_global_id(0), oy = get_global_id(1), z = get_global_id(2);
  if (ox >= out_w || oy >= out_h || z >= batch * channels) return;
  const bs_window win = bs_pool_window(oy, ox, in_h, in_w, kernel_h, kernel_w, stride_h, stride_w,
                                        pad_top, pad_left);
  y[(z * out_h + oy) * out_w + ox] = bs_window_sum(x + z * in_h * in_w, win, in_w);
}
