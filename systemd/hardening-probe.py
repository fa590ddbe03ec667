#!/usr/bin/env python3
"""Runs a command under the kernel-level confinement trainqd.service asks systemd for, without systemd.

    systemd/hardening-probe.py systemd/trainqd.service -- trainqd --simulate ...

On a machine where systemd is not PID 1 (containers, CI), nothing starts a unit, yet the question
"do the Swift runtime, NIO and TLS work under this hardening?" still needs an answer. This applies, in
the process that then execs the command, the settings that change what the kernel lets it do:

- NoNewPrivileges=yes                  prctl(PR_SET_NO_NEW_PRIVS)
- MemoryDenyWriteExecute=yes           prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN) (Linux 6.3+), the
                                       kernel's own form of what systemd enforces with seccomp
- SystemCallFilter= (every line), SystemCallErrorNumber=, SystemCallArchitectures=native
                                       one seccomp allow-list built from `systemd-analyze syscall-filter`,
                                       the same group expansion systemd does; other calls fail with the
                                       configured errno
- RestrictAddressFamilies=             socket(2) only for the listed families

It does not apply the file-system view (ProtectSystem=, PrivateTmp=, ...), user, capabilities or
namespaces: those need systemd itself.
"""
import ctypes
import ctypes.util
import errno
import os
import re
import socket
import subprocess
import sys

PR_SET_NO_NEW_PRIVS = 38
PR_SET_MDWE = 65
PR_MDWE_REFUSE_EXEC_GAIN = 1
SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_CMP_EQ = 4


def SCMP_ACT_ERRNO(number):
    return 0x00050000 | (number & 0xFFFF)


class ScmpArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64), ("datum_b", ctypes.c_uint64)]


def unit_settings(path):
    """Every Key=value of the [Service] section; keys that repeat keep every value in order."""
    settings = {}
    section = None
    with open(path) as unit:
        for raw in unit:
            line = raw.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("["):
                section = line
                continue
            if section == "[Service]" and "=" in line:
                key, value = line.split("=", 1)
                settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def expand(name, cache={}):
    """The system calls of a name: a group (@...) expands recursively, as systemd does."""
    if not name.startswith("@"):
        return {name}
    if name not in cache:
        output = subprocess.run(["systemd-analyze", "syscall-filter", name], check=True, capture_output=True, text=True).stdout
        members = set()
        for line in output.splitlines()[1:]:
            entry = line.strip()
            if entry and not entry.startswith("#"):
                members |= expand(entry)
        cache[name] = members
    return cache[name]


def allowed_syscalls(filters):
    """systemd's rule: the first line decides allow-list or deny-list; `~` lines remove, others add."""
    allowed = None
    for value in filters:
        if value == "":
            allowed = None
            continue
        deny = value.startswith("~")
        names = set()
        for word in value.lstrip("~").split():
            names |= expand(word)
        if allowed is None:
            if deny:
                raise SystemExit("hardening-probe: a deny-list SystemCallFilter= is not supported here")
            allowed = set()
        allowed = allowed - names if deny else allowed | names
    return allowed


def main():
    if "--" not in sys.argv or sys.argv.index("--") != 2:
        raise SystemExit("usage: hardening-probe.py UNIT -- COMMAND [ARG...]")
    settings = unit_settings(sys.argv[1])
    command = sys.argv[3:]
    libc = ctypes.CDLL(None, use_errno=True)

    def prctl(option, value):
        if libc.prctl(option, ctypes.c_ulong(value), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)) != 0:
            number = ctypes.get_errno()
            raise SystemExit(f"hardening-probe: prctl({option}) failed: {os.strerror(number)}")

    applied = []
    if settings.get("NoNewPrivileges", ["no"])[-1] == "yes" or "SystemCallFilter" in settings:
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        applied.append("NoNewPrivileges")
    if settings.get("MemoryDenyWriteExecute", ["no"])[-1] == "yes":
        prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN)
        applied.append("MemoryDenyWriteExecute")

    filters = settings.get("SystemCallFilter", [])
    if filters:
        seccomp = ctypes.CDLL(ctypes.util.find_library("seccomp") or "libseccomp.so.2", use_errno=True)
        seccomp.seccomp_init.restype = ctypes.c_void_p
        seccomp.seccomp_init.argtypes = [ctypes.c_uint32]
        seccomp.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
        seccomp.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint, ctypes.POINTER(ScmpArgCmp)]
        seccomp.seccomp_load.argtypes = [ctypes.c_void_p]
        error_name = settings.get("SystemCallErrorNumber", ["EPERM"])[-1]
        context = seccomp.seccomp_init(SCMP_ACT_ERRNO(getattr(errno, error_name)))
        families = settings.get("RestrictAddressFamilies", [])
        family_numbers = [getattr(socket, name) for value in families for name in value.split()]
        unknown = []
        for name in sorted(allowed_syscalls(filters)):
            number = seccomp.seccomp_syscall_resolve_name(name.encode())
            if number < 0:
                unknown.append(name)  # not a call on this architecture
                continue
            if name == "socket" and family_numbers:
                for family in family_numbers:
                    condition = (ScmpArgCmp * 1)(ScmpArgCmp(0, SCMP_CMP_EQ, family, 0))
                    if seccomp.seccomp_rule_add_array(context, SCMP_ACT_ALLOW, number, 1, condition) != 0:
                        raise SystemExit("hardening-probe: cannot add the socket rule")
                continue
            if seccomp.seccomp_rule_add_array(context, SCMP_ACT_ALLOW, number, 0, None) != 0:
                raise SystemExit(f"hardening-probe: cannot allow {name}")
        if seccomp.seccomp_load(context) != 0:
            raise SystemExit("hardening-probe: cannot load the seccomp filter")
        applied.append(f"SystemCallFilter ({error_name} otherwise)")
        if family_numbers:
            applied.append("RestrictAddressFamilies")

    print("hardening-probe: applied " + ", ".join(applied), file=sys.stderr, flush=True)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
