namespace ActorVisor.Hypervisor.Boot.Compression;

/// <summary>The integrity check a .xz stream stores after each block (the low four bits of the stream flags).</summary>
public enum XzCheck
{
    None = 0x00,
    Crc32 = 0x01,
    Crc64 = 0x04,
    Sha256 = 0x0A,
}
