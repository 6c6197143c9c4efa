/* gst-blockwise: the enumeration types of blockcorr and blockdrift.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gstblockcorrtypes.h"

/**
 * GstBlockCorrEdgeMode:
 * @BW_EDGE_TRIM: drop the partial blocks at the right and bottom edges
 * @BW_EDGE_PARTIAL: keep them as smaller blocks
 *
 * What happens to the pixels at the right and bottom edges when the block
 * size does not divide the frame size.
 */
GType
gst_blockcorr_edge_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {BW_EDGE_TRIM, "Drop the partial blocks at the right and bottom edges",
        "trim"},
    {BW_EDGE_PARTIAL, "Keep the partial blocks at the edges as smaller blocks",
        "partial"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstBlockCorrEdgeMode",
            values));
  return type;
}

/**
 * GstBlockCorrMeasure:
 * @GST_BLOCKCORR_MEASURE_PEARSON: Pearson correlation r; automatic range
 *   -1..1
 * @GST_BLOCKCORR_MEASURE_COVARIANCE: covariance of the two inputs; automatic
 *   range ±max0·max1/4 (the largest possible)
 * @GST_BLOCKCORR_MEASURE_MEAN_0: mean of sink_0; automatic range 0..max0
 * @GST_BLOCKCORR_MEASURE_MEAN_1: mean of sink_1; automatic range 0..max1
 * @GST_BLOCKCORR_MEASURE_STDDEV_0: standard deviation of sink_0; automatic
 *   range 0..max0/2
 * @GST_BLOCKCORR_MEASURE_STDDEV_1: standard deviation of sink_1; automatic
 *   range 0..max1/2
 * @GST_BLOCKCORR_MEASURE_SHIFT: length of the displacement (dx, dy) found
 *   by the search, px; automatic range 0..#GstBlockCorr:search-radius
 * @GST_BLOCKCORR_MEASURE_R_BEST: r at the best offset of the search;
 *   automatic range -1..1
 *
 * What the heatmap shows (the metadata always carries every grid).  max0
 * and max1 are the largest sample values of the inputs: 255 for 8-bit
 * inputs, 65535 for 16-bit ones.
 */
GType
gst_blockcorr_measure_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_BLOCKCORR_MEASURE_PEARSON,
        "Pearson correlation r (automatic range -1..1)", "pearson"},
    {GST_BLOCKCORR_MEASURE_COVARIANCE,
          "Covariance of the two inputs (automatic range +-max0*max1/4)",
        "covariance"},
    {GST_BLOCKCORR_MEASURE_MEAN_0,
        "Mean of the reference (sink_0; blockdrift: the reference frame) "
          "(automatic range 0..max0)", "mean-0"},
    {GST_BLOCKCORR_MEASURE_MEAN_1,
          "Mean of the compared input (sink_1; blockdrift: the frame) "
          "(automatic range 0..max1)",
        "mean-1"},
    {GST_BLOCKCORR_MEASURE_STDDEV_0,
          "Standard deviation of the reference (automatic range 0..max0/2)",
        "stddev-0"},
    {GST_BLOCKCORR_MEASURE_STDDEV_1,
          "Standard deviation of the compared input (automatic range "
          "0..max1/2)",
        "stddev-1"},
    {GST_BLOCKCORR_MEASURE_SHIFT,
        "Length of the block's displacement in px, from the search "
          "(automatic range 0..search-radius)", "shift"},
    {GST_BLOCKCORR_MEASURE_R_BEST,
        "r at the block's best offset, from the search (automatic range "
          "-1..1)", "r-best"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstBlockCorrMeasure",
            values));
  return type;
}

/**
 * GstBlockCorrColormap:
 * @GST_BLOCKCORR_COLORMAP_COOLWARM: Moreland's diverging blue-white-red map
 * @GST_BLOCKCORR_COLORMAP_VIRIDIS: viridis, perceptually uniform
 * @GST_BLOCKCORR_COLORMAP_MAGMA: magma, perceptually uniform
 * @GST_BLOCKCORR_COLORMAP_GRAY: a gray ramp
 * @GST_BLOCKCORR_COLORMAP_AUTO: coolwarm, and viridis (sequential) for the
 *   shift
 *
 * The 256-entry colormap of the heatmap.
 */
GType
gst_blockcorr_colormap_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_BLOCKCORR_COLORMAP_COOLWARM, "Moreland's diverging blue-white-red map",
        "coolwarm"},
    {GST_BLOCKCORR_COLORMAP_VIRIDIS, "Viridis (perceptually uniform)",
        "viridis"},
    {GST_BLOCKCORR_COLORMAP_MAGMA, "Magma (perceptually uniform)", "magma"},
    {GST_BLOCKCORR_COLORMAP_GRAY, "Gray ramp", "gray"},
    {GST_BLOCKCORR_COLORMAP_AUTO,
        "coolwarm, and viridis (sequential) for the shift", "auto"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstBlockCorrColormap",
            values));
  return type;
}

/**
 * GstBlockCorrOutputSize:
 * @GST_BLOCKCORR_OUTPUT_SIZE_GRID: one pixel per block
 * @GST_BLOCKCORR_OUTPUT_SIZE_INPUT: the input size, each block filled with
 *   its colour
 *
 * The size of the heatmap video.
 */
GType
gst_blockcorr_output_size_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_BLOCKCORR_OUTPUT_SIZE_GRID, "One pixel per block", "grid"},
    {GST_BLOCKCORR_OUTPUT_SIZE_INPUT,
        "The input size, each block filled with its colour", "input"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        g_enum_register_static ("GstBlockCorrOutputSize", values));
  return type;
}

/**
 * GstBlockDriftReference:
 * @GST_BLOCKDRIFT_REFERENCE_FIRST: every frame is compared with the first
 *   frame after the start, a flushing seek, a caps change or
 *   #GstBlockDrift::reset-reference
 * @GST_BLOCKDRIFT_REFERENCE_PREVIOUS: every frame is compared with the
 *   frame before it; the steps add up to the trajectory
 *
 * What blockdrift compares each frame with.
 */
GType
gst_blockdrift_reference_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_BLOCKDRIFT_REFERENCE_FIRST,
          "Each frame against the first (after start, seek, caps change or reset-reference)",
        "first"},
    {GST_BLOCKDRIFT_REFERENCE_PREVIOUS,
          "Each frame against the frame before it, the steps accumulated",
        "previous"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        g_enum_register_static ("GstBlockDriftReference", values));
  return type;
}

/**
 * GstBlockDriftCorrect:
 * @GST_BLOCKDRIFT_CORRECT_NONE: the frames pass through untouched
 * @GST_BLOCKDRIFT_CORRECT_SHIFT: each frame is moved back by its drift
 *   (a translation, to a fraction of a pixel)
 * @GST_BLOCKDRIFT_CORRECT_AFFINE: each frame is mapped back by a robust
 *   affine fit (rotation, scale, shear, shift) to its blocks'
 *   displacements
 *
 * The correction blockdrift applies to the frames it outputs.
 */
GType
gst_blockdrift_correct_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_BLOCKDRIFT_CORRECT_NONE,
        "Frames pass through untouched", "none"},
    {GST_BLOCKDRIFT_CORRECT_SHIFT,
        "Move each frame back by its drift (sub-pixel translation)", "shift"},
    {GST_BLOCKDRIFT_CORRECT_AFFINE,
          "Map each frame back by a robust affine fit (rotation, scale, shear, shift)",
        "affine"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        g_enum_register_static ("GstBlockDriftCorrect", values));
  return type;
}

/**
 * GstBlockDriftBorder:
 * @GST_BLOCKDRIFT_BORDER_EDGE: the nearest edge pixel is repeated
 * @GST_BLOCKDRIFT_BORDER_CONSTANT: #GstBlockDrift:fill (chroma planes:
 *   their neutral middle)
 *
 * What a corrected frame shows where its content moved out of the frame.
 */
GType
gst_blockdrift_border_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_BLOCKDRIFT_BORDER_EDGE,
        "Repeat the nearest edge pixel", "edge"},
    {GST_BLOCKDRIFT_BORDER_CONSTANT,
        "The fill value (chroma: its neutral middle)", "constant"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        g_enum_register_static ("GstBlockDriftBorder", values));
  return type;
}

/**
 * GstBlockDriftOutput:
 * @GST_BLOCKDRIFT_OUTPUT_FRAMES: the frames (corrected as
 *   #GstBlockDrift:correct says), in their own format
 * @GST_BLOCKDRIFT_OUTPUT_HEATMAP: the heatmap of each frame against its
 *   reference, as blockcorr draws it
 *
 * What blockdrift outputs.
 */
GType
gst_blockdrift_output_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_BLOCKDRIFT_OUTPUT_FRAMES,
        "The frames, corrected as correct says, in their own format", "frames"},
    {GST_BLOCKDRIFT_OUTPUT_HEATMAP,
          "The heatmap of each frame against its reference (as blockcorr draws it)",
        "heatmap"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        g_enum_register_static ("GstBlockDriftOutput", values));
  return type;
}

BwGrid
gst_blockcorr_measure_grid (GstBlockCorrMeasure measure)
{
  switch (measure) {
    case GST_BLOCKCORR_MEASURE_PEARSON:
      return BW_GRID_R;
    case GST_BLOCKCORR_MEASURE_COVARIANCE:
      return BW_GRID_COVARIANCE;
    case GST_BLOCKCORR_MEASURE_MEAN_0:
      return BW_GRID_MEAN_0;
    case GST_BLOCKCORR_MEASURE_MEAN_1:
      return BW_GRID_MEAN_1;
    case GST_BLOCKCORR_MEASURE_STDDEV_0:
      return BW_GRID_STDDEV_0;
    case GST_BLOCKCORR_MEASURE_STDDEV_1:
      return BW_GRID_STDDEV_1;
    case GST_BLOCKCORR_MEASURE_R_BEST:
      return BW_GRID_R_BEST;
    case GST_BLOCKCORR_MEASURE_SHIFT:
    default:
      return BW_N_GRIDS;
  }
}
