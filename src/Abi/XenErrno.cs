namespace ActorVisor.Abi;

/// <summary>
/// Xen's errno values (xen/include/public/errno.h). Hypercalls return them negated in rax/eax.
/// </summary>
public enum XenErrno
{
    /// <summary>Success; not an error.</summary>
    None = 0,
    Perm = 1,
    NoEnt = 2,
    Srch = 3,
    Intr = 4,
    Io = 5,
    NxIo = 6,
    TooBig = 7,
    Again = 11,
    NoMem = 12,
    Acces = 13,
    Fault = 14,
    Busy = 16,
    Exist = 17,
    NoDev = 19,
    Inval = 22,
    NoSpc = 28,
    Range = 34,
    NoSys = 38,
    NoData = 61,
    Time = 62,
    IlSeq = 84,
    Restart = 85,
    OpNotSupp = 95,
    TimedOut = 110,
}

/// <summary>The negative return convention of Xen hypercalls.</summary>
public static class XenErrnoExtensions
{
    /// <summary>Returns the value a hypercall puts in rax for this error: zero or the negated errno.</summary>
    public static long ToReturnValue(this XenErrno errno) => -(long)errno;

    /// <summary>Reads a hypercall return value back as an errno; non-negative values are <see cref="XenErrno.None"/>.</summary>
    public static XenErrno FromReturnValue(long value) => value >= 0 ? XenErrno.None : (XenErrno)(-value);
}
