/*
 * ActorVisor guest SDK: a small synchronous XenStore client over the store ring
 * page (start_info.store_mfn) and its event channel (start_info.store_evtchn).
 * Every call sends one request and waits (yielding the vCPU) for its reply.
 * Results: 0 or a length on success, a negated errno (XS_E*) on failure.
 */
#ifndef AV_XENSTORE_H
#define AV_XENSTORE_H

#include <stdint.h>

/* Errno numbers for the error names the store replies with. */
#define XS_EPERM    1
#define XS_ENOENT   2
#define XS_EIO      5
#define XS_E2BIG    7
#define XS_EAGAIN  11
#define XS_ENOMEM  12
#define XS_EACCES  13
#define XS_EBUSY   16
#define XS_EEXIST  17
#define XS_EISDIR  21
#define XS_EINVAL  22
#define XS_ENOSPC  28
#define XS_EROFS   30
#define XS_ENOSYS  38
#define XS_ENOTEMPTY 39
#define XS_EISCONN 106

/* Finds the ring page in the bootstrap mapping; 0, or -XS_ENOENT if store_mfn is not in the p2m. */
int xs_init(void);

/* Reads a value into value[0..size-1] (NUL-terminated, truncated if needed); returns the full length. */
int xs_read(uint32_t tx, const char *path, char *value, unsigned size);
int xs_write(uint32_t tx, const char *path, const char *value);
int xs_mkdir(uint32_t tx, const char *path);
int xs_rm(uint32_t tx, const char *path);

/* Lists the children as consecutive NUL-terminated names; returns the bytes used. */
int xs_directory(uint32_t tx, const char *path, char *names, unsigned size);

/* perms: consecutive NUL-terminated entries such as "n1\0r2\0", perms_len bytes in all. */
int xs_set_perms(uint32_t tx, const char *path, const char *perms, unsigned perms_len);
int xs_get_perms(uint32_t tx, const char *path, char *perms, unsigned size);

int xs_transaction_start(uint32_t *tx);
int xs_transaction_end(uint32_t tx, int commit);

int xs_watch(const char *path, const char *token);
int xs_unwatch(const char *path, const char *token);

/* Waits for the next watch event (also those that arrived while waiting for replies). */
int xs_read_watch(char *path, unsigned path_size, char *token, unsigned token_size);

int xs_get_domain_path(unsigned domid, char *path, unsigned size);

#endif
