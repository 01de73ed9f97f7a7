namespace ActorVisor.Abi;

/// <summary>console_io commands (CONSOLEIO_*).</summary>
public enum ConsoleIoOp
{
    Write = 0,
    Read = 1,
}

/// <summary>xen_version commands (XENVER_* in version.h).</summary>
public enum XenVersionOp
{
    Version = 0,
    ExtraVersion = 1,
    CompileInfo = 2,
    Capabilities = 3,
    Changeset = 4,
    PlatformParameters = 5,
    GetFeatures = 6,
    PageSize = 7,
    GuestHandle = 8,
    CommandLine = 9,
    BuildId = 10,
}

/// <summary>Sizes of xen_version argument buffers.</summary>
public static class XenVersionSizes
{
    public const int ExtraVersion = 16;
    public const int CompileInfo = 144;
    public const int Capabilities = 1024;
    public const int Changeset = 64;
    public const int GuestHandle = 16;
    public const int CommandLine = 1024;
}
