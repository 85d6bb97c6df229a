#ifndef SLUICE_CSLUICELINUX_H
#define SLUICE_CSLUICELINUX_H

/// Linux calls Swift cannot import directly (prctl is variadic), wrapped with fixed arguments.
/// Only SluiceWorker's ProcessHardening uses this module; no pointer crosses it.

/// prctl(PR_SET_DUMPABLE, value): 0 makes the process non-dumpable, so processes of the same uid
/// can neither ptrace it nor read its /proc/<pid>/environ or memory. Returns 0 or -1 (errno set).
int c_sluice_set_dumpable(int value);

/// prctl(PR_GET_DUMPABLE): the current value, or -1.
int c_sluice_get_dumpable(void);

#endif
