namespace ActorVisor.Cpu;

public sealed partial class X86Cpu
{
    internal const ulong FlagCf = 1UL << 0;
    internal const ulong FlagPf = 1UL << 2;
    internal const ulong FlagAf = 1UL << 4;
    internal const ulong FlagZf = 1UL << 6;
    internal const ulong FlagSf = 1UL << 7;
    internal const ulong FlagTf = 1UL << 8;
    internal const ulong FlagIf = 1UL << 9;
    internal const ulong FlagDf = 1UL << 10;
    internal const ulong FlagOf = 1UL << 11;
    internal const ulong FlagIopl = 3UL << 12;
    internal const ulong FlagNt = 1UL << 14;
    internal const ulong FlagRf = 1UL << 16;
    internal const ulong FlagVm = 1UL << 17;
    internal const ulong FlagAc = 1UL << 18;
    internal const ulong FlagId = 1UL << 21;
    internal const ulong ArithFlags = FlagCf | FlagPf | FlagAf | FlagZf | FlagSf | FlagOf;

    internal const ulong Cr0Pe = 1UL << 0;
    internal const ulong Cr0Ts = 1UL << 3;
    internal const ulong Cr0Wp = 1UL << 16;
    internal const ulong Cr0Pg = 1UL << 31;
    internal const ulong Cr4Tsd = 1UL << 2;
    internal const ulong Cr4Pae = 1UL << 5;
    internal const ulong Cr4Pge = 1UL << 7;
    internal const ulong EferSce = 1UL << 0;
    internal const ulong EferLme = 1UL << 8;
    internal const ulong EferLma = 1UL << 10;
    internal const ulong EferNxe = 1UL << 11;

    internal const uint MsrEfer = 0xC0000080;
    internal const uint MsrStar = 0xC0000081;
    internal const uint MsrLstar = 0xC0000082;
    internal const uint MsrCstar = 0xC0000083;
    internal const uint MsrSfmask = 0xC0000084;
    internal const uint MsrFsBase = 0xC0000100;
    internal const uint MsrGsBase = 0xC0000101;
    internal const uint MsrKernelGsBase = 0xC0000102;
    internal const uint MsrTscAux = 0xC0000103;
    internal const uint MsrSysenterCs = 0x174;
    internal const uint MsrSysenterEsp = 0x175;
    internal const uint MsrSysenterEip = 0x176;
    internal const uint MsrTsc = 0x10;
}
