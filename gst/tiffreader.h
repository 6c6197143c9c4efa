/* gst-blockwise: reading TIFF images held in memory, with libtiff.
 *
 * GLib and libtiff only (no GStreamer), so the fuzzer and the tests can use
 * it alone.  Every page of a file is checked when it is opened: one size and
 * one supported layout for all pages, strip and tile data inside the file
 * and shared by no other strip or tile, no more decoded bytes than the
 * page's compression can make of its stored bytes, the frame size within a
 * limit, directories that do not make libtiff read the same data over and
 * over.  A file whose first page breaks a rule is refused; a later page
 * that breaks one (or a damaged directory) ends the stack there, and the
 * reason is kept for the caller to report after the good pages.  Pages are
 * reached by their remembered directory offsets, so reading all of them
 * costs time linear in their number.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BW_TIFF_READER_H__
#define __BW_TIFF_READER_H__

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  BW_TIFF_GRAY8 = 0,
  BW_TIFF_GRAY16,               /* native byte order */
  BW_TIFF_RGB8,
  BW_TIFF_RGBA8
} BwTiffLayout;

typedef struct
{
  guint width;
  guint height;
  BwTiffLayout layout;
  guint n_pages;
  guint bytes_per_pixel;
} BwTiffInfo;

#define BW_TIFF_ERROR (bw_tiff_error_quark ())
GQuark bw_tiff_error_quark (void);

typedef enum
{
  BW_TIFF_ERROR_NOT_TIFF,       /* not a TIFF file at all */
  BW_TIFF_ERROR_UNSUPPORTED,    /* a TIFF in a layout we do not read */
  BW_TIFF_ERROR_CORRUPT,        /* truncated or inconsistent data */
  BW_TIFF_ERROR_TOO_LARGE,      /* frames larger than the limit */
  BW_TIFF_ERROR_CANCELLED       /* the progress callback stopped a read */
} BwTiffError;

typedef struct _BwTiffReader BwTiffReader;

/* Decoded bytes per stored byte that no page may exceed, whatever its
 * compression (each compression has its own bound, this is the largest):
 * since no two strips or tiles share bytes, a file of n bytes decodes to
 * at most n times this in all. */
#define BW_TIFF_MAX_EXPANSION 32768

/* Opens the TIFF file in data[0..size) (which must outlive the reader) and
 * checks all its pages.  A page of more than max_frame_bytes decoded bytes
 * is refused.  Returns NULL and sets error when the first page cannot be
 * read; info->n_pages counts the pages before the first one that cannot
 * (see bw_tiff_reader_get_stop_error()). */
BwTiffReader *bw_tiff_reader_open (const guint8 * data, gsize size,
    guint64 max_frame_bytes, BwTiffInfo * info, GError ** error);

/* Why the file's pages end after info->n_pages: NULL when its directory
 * chain simply ends there, else what is wrong with the next page (a
 * damaged directory, a page that breaks one of the rules above).  Its
 * message names the page, counted from 1 as in every message here. */
const GError *bw_tiff_reader_get_stop_error (BwTiffReader * reader);

/* The bytes libtiff has read from the data so far: every read goes
 * through the reader, so this measures what finding and decoding pages
 * costs. */
guint64 bw_tiff_reader_get_bytes_read (BwTiffReader * reader);

/* Decodes page into dest: height rows of width * bytes_per_pixel bytes,
 * stride bytes apart.  Gray samples are min-is-black (min-is-white files
 * are inverted), 16-bit samples in native byte order. */
gboolean bw_tiff_reader_read_page (BwTiffReader * reader, guint page,
    guint8 * dest, gsize stride, GError ** error);

/* When page is stored uncompressed, in native byte order, min-is-black,
 * with its rows one after the other in the file, gives where its first row
 * starts in the data: the decoded page is those bytes as they are (rows of
 * width * bytes_per_pixel), and a caller can use them without a copy. */
gboolean bw_tiff_reader_page_in_place (BwTiffReader * reader, guint page,
    gsize * offset);

/* Called from the thread that called bw_tiff_reader_read_page_as() while a
 * page is decoded, with the fraction of its tiles or strips done (0..1,
 * non-decreasing, 1 last), at most about every 100 ms and once at the end.
 * Returning FALSE stops the read: it then fails with
 * BW_TIFF_ERROR_CANCELLED. */
typedef gboolean (*BwTiffProgress) (gpointer user_data, gdouble fraction);

/* Whether a page of layout `from` can be decoded as layout `to`: its own
 * layout, or BW_TIFF_GRAY8 from BW_TIFF_RGB8 or BW_TIFF_RGBA8. */
gboolean bw_tiff_layout_converts (BwTiffLayout from, BwTiffLayout to);

/* As bw_tiff_reader_read_page(), decoding into layout `as` (see
 * bw_tiff_layout_converts()).  GRAY8 from colour is the luma, tile by tile
 * or strip by strip as it is decoded (the colour page never exists whole),
 * with the integer arithmetic of GStreamer's videoconvert from RGB/RGBA to
 * GRAY8, so that a frame is the same bytes whichever element made it (alpha
 * ignored).  Compressed tiles and strips are decoded on up to n_threads
 * threads (0: one per CPU; the calling thread is one of them), each with its
 * own libtiff handle; the result does not depend on the number of threads.
 * progress may be NULL.  Safe to call from one thread at a time. */
gboolean bw_tiff_reader_read_page_as (BwTiffReader * reader, guint page,
    BwTiffLayout as, guint8 * dest, gsize stride, guint n_threads,
    BwTiffProgress progress, gpointer user_data, GError ** error);

/* When the data given to bw_tiff_reader_open() is a read-only shared
 * mapping of a file (page-aligned, MAP_SHARED), the reader may give the
 * pages of compressed tiles and strips it has decoded back to the system
 * (madvise MADV_DONTNEED; they are read from the page cache again when
 * needed), so that a compressed file does not stay resident as a whole.
 * Where the data lies in no shared mapping (memory of the process's own,
 * a private mapping: checked in /proc/self/maps, where dropped pages would
 * read as zeros), or where that cannot be checked, it does nothing. */
void bw_tiff_reader_set_release_input (BwTiffReader * reader,
    gboolean release);

void bw_tiff_reader_free (BwTiffReader * reader);

/* "16-bit gray" etc., for messages. */
const gchar *bw_tiff_layout_name (BwTiffLayout layout);

G_END_DECLS

#endif /* __BW_TIFF_READER_H__ */
