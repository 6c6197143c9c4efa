/* gst-blockwise benchmark: decoding TIFF files, libtiff alone against the
 * reader (gst/tiffreader.c), on the same number of threads.
 *
 * - libtiff alone: each thread opens the file with TIFFOpen (libtiff maps
 *   it) and decodes the strips or tiles it takes from a shared counter with
 *   TIFFReadEncodedTile/Strip into a buffer of its own: the floor of
 *   decoding, with no frame written.
 * - reader: the file mapped (shared, read-only), bw_tiff_reader_open() and
 *   bw_tiff_reader_read_page_as() of every page, in its own layout
 *   ("reader") or as GRAY8 ("gray", colour files only), into one frame
 *   written once before the timing starts.
 * Every page of every file given is decoded in each run; the runs of the
 * modes alternate, and the median of REPS runs of each is printed, wall
 * time and the process's CPU time (on a machine shared with other work the
 * wall time of a run also counts the time it waited for a CPU).
 *
 * With --luma instead of files, the luma of RGB and RGBA rows alone
 * (bw_tiff_luma_row_path()) by each path the build and CPU have: 2000 rows
 * of 20000 pixels, in cache-warm rows, nanoseconds of CPU time per pixel,
 * median of REPS runs.
 *
 * Usage: bench-tiff-decode [-t THREADS] [-r REPS] [-m MODE,...] FILE...
 *        bench-tiff-decode --luma [-r REPS]
 *   THREADS  default 1; MODE: libtiff, reader, gray (default: all three)
 * Run by hand (bench/bench-slide.py runs it on a large pair).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <glib.h>
#include <tiffio.h>

#include "tiffreader.h"
#include "tiffreader-luma.h"

typedef struct
{
  const gchar *path;
  guint page;
  guint n_chunks;
  gint next;
} LibtiffJob;

static gpointer
libtiff_worker (gpointer data)
{
  LibtiffJob *job = data;
  TIFF *tif = TIFFOpen (job->path, "r");
  gboolean tiled;
  tmsize_t size;
  guint8 *buf;
  guint k;

  if (!tif || !TIFFSetDirectory (tif, job->page))
    g_error ("%s: cannot open page %u", job->path, job->page + 1);
  tiled = TIFFIsTiled (tif);
  size = tiled ? TIFFTileSize (tif) : TIFFStripSize (tif);
  buf = g_malloc (size);
  while ((k = g_atomic_int_add (&job->next, 1)) < job->n_chunks) {
    if ((tiled ? TIFFReadEncodedTile (tif, k, buf, size) :
            TIFFReadEncodedStrip (tif, k, buf, size)) < 0)
      g_error ("%s: cannot decode %s %u", job->path, tiled ? "tile" : "strip",
          k);
  }
  g_free (buf);
  TIFFClose (tif);
  return NULL;
}

/* Every page of path with libtiff alone, on n threads. */
static void
libtiff_decode (const gchar * path, guint n)
{
  TIFF *tif = TIFFOpen (path, "r");
  GThread **threads = g_new (GThread *, n);
  guint page = 0, i;

  g_assert (tif);
  do {
    LibtiffJob job = { path, page, TIFFIsTiled (tif) ?
          TIFFNumberOfTiles (tif) : TIFFNumberOfStrips (tif), 0
    };

    for (i = 1; i < n; i++)
      threads[i] = g_thread_new ("libtiff", libtiff_worker, &job);
    libtiff_worker (&job);
    for (i = 1; i < n; i++)
      g_thread_join (threads[i]);
    page++;
  } while (TIFFReadDirectory (tif));
  TIFFClose (tif);
  g_free (threads);
}

typedef struct
{
  const gchar *path;
  const guint8 *data;
  gsize size;
  BwTiffInfo info;
} Mapped;

static void
map_file (Mapped * m, const gchar * path)
{
  int fd = open (path, O_RDONLY);
  struct stat st;
  BwTiffReader *r;

  if (fd < 0 || fstat (fd, &st) != 0)
    g_error ("cannot open %s", path);
  m->path = path;
  m->size = st.st_size;
  m->data = mmap (NULL, m->size, PROT_READ, MAP_SHARED, fd, 0);
  close (fd);
  if (m->data == MAP_FAILED)
    g_error ("cannot map %s", path);
  r = bw_tiff_reader_open (m->data, m->size, G_MAXUINT64, &m->info, NULL);
  if (!r)
    g_error ("%s: not a TIFF file the reader reads", path);
  bw_tiff_reader_free (r);
}

/* Every page of m with the reader, as layout as, on n threads. */
static void
reader_decode (const Mapped * m, BwTiffLayout as, guint8 * frame, guint n)
{
  BwTiffInfo info;
  BwTiffReader *r = bw_tiff_reader_open (m->data, m->size, G_MAXUINT64,
      &info, NULL);
  gsize stride = (gsize) info.width * (as == BW_TIFF_GRAY8 ? 1 :
      info.bytes_per_pixel);
  GError *err = NULL;
  guint page;

  for (page = 0; page < info.n_pages; page++)
    if (!bw_tiff_reader_read_page_as (r, page, as, frame, stride, n, NULL,
            NULL, &err))
      g_error ("%s: %s", m->path, err->message);
  bw_tiff_reader_free (r);
}

static gdouble
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static gint
cmp_double (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y;
}

/* The luma paths alone; see the top of the file. */
static void
bench_luma (gint reps)
{
  static const struct
  {
    BwTiffLumaPath path;
    const gchar *name;
  } paths[] = {
    {BW_TIFF_LUMA_PATH_SCALAR, "scalar"},
    {BW_TIFF_LUMA_PATH_SSSE3, "SSSE3"},
    {BW_TIFF_LUMA_PATH_AVX2, "AVX2"},
  };
  const guint width = 20000, rows = 2000;
  guint8 *src = g_malloc ((gsize) width * 4), *dst = g_malloc (width);
  guint bpp, k, i, row;
  gint rep;

  for (i = 0; i < width * 4; i++)
    src[i] = g_random_int ();
  for (bpp = 3; bpp <= 4; bpp++)
    for (k = 0; k < G_N_ELEMENTS (paths); k++) {
      GArray *c = g_array_new (FALSE, FALSE, sizeof (gdouble));

      if (!bw_tiff_luma_path_supported (paths[k].path))
        continue;
      for (rep = 0; rep < reps; rep++) {
        gdouble c0 = cpu_seconds (), ns;

        for (row = 0; row < rows; row++)
          bw_tiff_luma_row_path (paths[k].path, src, bpp, dst, width);
        ns = (cpu_seconds () - c0) * 1e9 / ((gdouble) width * rows);
        g_array_append_val (c, ns);
      }
      g_array_sort (c, cmp_double);
      g_print ("luma, %s, %u bytes a pixel: %.3f ns/pixel CPU (median of "
          "%d; %.3f-%.3f)\n", paths[k].name, bpp,
          g_array_index (c, gdouble, c->len / 2), reps,
          g_array_index (c, gdouble, 0), g_array_index (c, gdouble,
              c->len - 1));
      g_array_free (c, TRUE);
    }
  g_free (src);
  g_free (dst);
}

int
main (int argc, char **argv)
{
  static const gchar *mode_names[] = { "libtiff", "reader", "gray" };
  static const gchar *mode_labels[] = { "libtiff alone", "reader, own layout",
    "reader, GRAY8"
  };
  gint threads = 1, reps = 5;
  gchar *modes_arg = NULL;
  gboolean luma = FALSE;
  GOptionEntry entries[] = {
    {"threads", 't', 0, G_OPTION_ARG_INT, &threads, "decoding threads", "N"},
    {"reps", 'r', 0, G_OPTION_ARG_INT, &reps, "runs of each mode", "N"},
    {"modes", 'm', 0, G_OPTION_ARG_STRING, &modes_arg,
        "libtiff, reader and/or gray", "LIST"},
    {"luma", 0, 0, G_OPTION_ARG_NONE, &luma,
        "time the luma of rows alone, by each path", NULL},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("FILE... - time TIFF decoding");
  GError *err = NULL;
  gboolean use[3] = { TRUE, TRUE, TRUE };
  GArray *times[3], *cpu[3];
  Mapped *files;
  gsize frame_bytes = 0;
  guint8 *frame;
  gint f, rep;
  guint mode;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &err)
      || (argc < 2 && !luma) || threads < 1 || reps < 1)
    g_error ("%s", err ? err->message : "usage: bench-tiff-decode [-t N] "
        "[-r N] [-m MODES] FILE... | --luma [-r N]");
  g_option_context_free (ctx);
  if (luma) {
    bench_luma (reps);
    return 0;
  }
  TIFFSetWarningHandler (NULL);
  if (modes_arg)
    for (mode = 0; mode < 3; mode++)
      use[mode] = strstr (modes_arg, mode_names[mode]) != NULL;

  files = g_new0 (Mapped, argc - 1);
  for (f = 1; f < argc; f++) {
    Mapped *m = &files[f - 1];

    map_file (m, argv[f]);
    frame_bytes = MAX (frame_bytes, (gsize) m->info.width * m->info.height *
        m->info.bytes_per_pixel);
    if (m->info.layout != BW_TIFF_RGB8 && m->info.layout != BW_TIFF_RGBA8)
      use[2] = FALSE;
  }
  /* written once, so that no run pays for first touching it */
  frame = g_malloc (frame_bytes);
  memset (frame, 1, frame_bytes);

  for (mode = 0; mode < 3; mode++) {
    times[mode] = g_array_new (FALSE, FALSE, sizeof (gdouble));
    cpu[mode] = g_array_new (FALSE, FALSE, sizeof (gdouble));
  }
  for (rep = 0; rep < reps; rep++)
    for (mode = 0; mode < 3; mode++) {
      gint64 t0;
      gdouble s, c0;

      if (!use[mode])
        continue;
      t0 = g_get_monotonic_time ();
      c0 = cpu_seconds ();
      for (f = 0; f < argc - 1; f++) {
        if (mode == 0)
          libtiff_decode (files[f].path, threads);
        else
          reader_decode (&files[f], mode == 1 ? files[f].info.layout :
              BW_TIFF_GRAY8, frame, threads);
      }
      s = (g_get_monotonic_time () - t0) / 1e6;
      g_array_append_val (times[mode], s);
      s = cpu_seconds () - c0;
      g_array_append_val (cpu[mode], s);
    }

  for (mode = 0; mode < 3; mode++) {
    GArray *t = times[mode], *c = cpu[mode];

    if (use[mode]) {
      g_array_sort (t, cmp_double);
      g_array_sort (c, cmp_double);
      g_print ("%s, %d thread%s: %.3f s (median of %d; %.3f-%.3f), CPU "
          "%.3f s\n", mode_labels[mode], threads, threads > 1 ? "s" : "",
          g_array_index (t, gdouble, t->len / 2), reps,
          g_array_index (t, gdouble, 0), g_array_index (t, gdouble,
              t->len - 1), g_array_index (c, gdouble, c->len / 2));
    }
    g_array_free (t, TRUE);
    g_array_free (c, TRUE);
  }
  g_free (frame);
  for (f = 0; f < argc - 1; f++)
    munmap ((gpointer) files[f].data, files[f].size);
  g_free (files);
  g_free (modes_arg);
  return 0;
}
