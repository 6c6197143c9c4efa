/* gst-blockwise command line: the result files of one run, written under
 * temporary names in the output folder and renamed into place together at
 * the end, so that a result's name never holds a partial file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __BC_OUTPUT_SET_H__
#define __BC_OUTPUT_SET_H__

#include <glib.h>

G_BEGIN_DECLS

typedef struct _BcOutputSet BcOutputSet;
typedef struct _BcOutput BcOutput;

/* Creates the folder dir (and its parents) and locks it against another
 * run writing into it.  result_names is a regular expression matching the
 * names of every file the program may write there: an earlier run's files
 * of such names that this run does not write are removed at the commit. */
BcOutputSet *bc_output_set_new (const gchar * dir,
    const gchar * result_names, GError ** error);

/* A set of one file, path (its folder must exist): the file is written
 * under a temporary name beside it and renamed at the commit.  No lock.
 * advice ends the message refusing an input of that name. */
BcOutputSet *bc_output_set_new_file (const gchar * path,
    const gchar * advice, GError ** error);
/* The name of a set of one file within its folder; NULL for a folder's. */
const gchar *bc_output_set_file_name (const BcOutputSet * set);

/* Refuses (FALSE and error) when an input file is one of the files the
 * results would replace or remove: the same file (device and inode) under
 * any name matching result_names in the folder. */
gboolean bc_output_set_check_inputs (BcOutputSet * set,
    const gchar * const *inputs, guint n_inputs, GError ** error);

/* A new result named name, open for writing under a temporary name
 * (.NAME.XXXXXX in the folder). */
BcOutput *bc_output_set_create (BcOutputSet * set, const gchar * name,
    GError ** error);

/* Syncs the files to the disk, renames every result (all closed) to its
 * name, removes what remains of an earlier run's results, and syncs the
 * folder. */
gboolean bc_output_set_commit (BcOutputSet * set, GError ** error);

/* Closes and deletes every temporary file; the results' names are left as
 * they were before the run. */
void bc_output_set_discard (BcOutputSet * set);

/* The same from a signal handler: unlinks every temporary file of any set,
 * with async-signal-safe calls only. */
void bc_output_discard_all_from_signal (void);

/* Discards what is not committed and frees the set: only once no signal
 * handler can discard any more (bc_interrupt_hold()). */
void bc_output_set_free (BcOutputSet * set);

/* The result's final path, for messages. */
const gchar *bc_output_path (const BcOutput * out);
/* The temporary file's descriptor, open read-write at its start. */
gint bc_output_fd (const BcOutput * out);

/* Writes all of data; FALSE (and the cause recorded) when it cannot. */
gboolean bc_output_write (BcOutput * out, const void *data, gsize size);

/* Records why a write failed, unless a cause is already recorded: an errno
 * value, or 0 and a cause in words. */
void bc_output_fail (BcOutput * out, gint errno_value, const gchar * cause);

/* FALSE and an error naming the result and the first cause recorded (or
 * TRUE when none is). */
gboolean bc_output_report (const BcOutput * out, GError ** error);

/* Starts writing what was written so far to the disk, without waiting:
 * the commit's sync then has that much less to wait for. */
void bc_output_start_writeback (BcOutput * out);

/* Closes the file (starting its writeback).  FALSE and an error naming
 * the result and the first cause recorded when any write or this
 * failed. */
gboolean bc_output_close (BcOutput * out, GError ** error);

G_END_DECLS

#endif /* __BC_OUTPUT_SET_H__ */
