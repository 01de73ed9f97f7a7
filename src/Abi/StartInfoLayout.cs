namespace ActorVisor.Abi;

/// <summary>
/// Byte offsets of start_info fields for one guest width (xen.h). Fields the 64-bit ABI stores as
/// unsigned long are 8 bytes there and 4 bytes in the 32-bit ABI; <see cref="LongSize"/> says which.
/// </summary>
public sealed record StartInfoLayout(
    int Size,
    int LongSize,
    int NrPages,
    int SharedInfo,
    int Flags,
    int StoreMfn,
    int StoreEvtchn,
    int ConsoleMfn,
    int ConsoleEvtchn,
    int PtBase,
    int NrPtFrames,
    int MfnList,
    int ModStart,
    int ModLen,
    int CmdLine,
    int FirstP2mPfn,
    int NrP2mFrames)
{
    /// <summary>Offset of magic[32].</summary>
    public const int Magic = 0;

    /// <summary>Length of the magic field.</summary>
    public const int MagicLength = 32;

    /// <summary>Length of cmd_line (MAX_GUEST_CMDLINE), including its terminating NUL.</summary>
    public const int CmdLineLength = 1024;

    /// <summary>Layout seen by a 64-bit guest (1168 bytes).</summary>
    public static readonly StartInfoLayout Bits64 = new(
        Size: 1168, LongSize: 8, NrPages: 32, SharedInfo: 40, Flags: 48, StoreMfn: 56, StoreEvtchn: 64,
        ConsoleMfn: 72, ConsoleEvtchn: 80, PtBase: 88, NrPtFrames: 96, MfnList: 104, ModStart: 112,
        ModLen: 120, CmdLine: 128, FirstP2mPfn: 1152, NrP2mFrames: 1160);

    /// <summary>Layout seen by a 32-bit PAE guest (1112 bytes).</summary>
    public static readonly StartInfoLayout Bits32 = new(
        Size: 1112, LongSize: 4, NrPages: 32, SharedInfo: 36, Flags: 40, StoreMfn: 44, StoreEvtchn: 48,
        ConsoleMfn: 52, ConsoleEvtchn: 56, PtBase: 60, NrPtFrames: 64, MfnList: 68, ModStart: 72,
        ModLen: 76, CmdLine: 80, FirstP2mPfn: 1104, NrP2mFrames: 1108);

    /// <summary>The layout for a guest width.</summary>
    public static StartInfoLayout For(GuestWidth width) => width == GuestWidth.Bits64 ? Bits64 : Bits32;
}

/// <summary>start_info.flags bits (SIF_*).</summary>
public static class StartInfoFlags
{
    public const uint Privileged = 1;
    public const uint InitDomain = 2;
    public const uint MultibootMod = 4;
    public const uint ModStartPfn = 8;
    public const uint VirtP2mForTools = 16;
    public const uint PmMask = 0xFF00;
}
