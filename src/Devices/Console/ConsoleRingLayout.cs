namespace ActorVisor.Devices.Console;

/// <summary>Byte offsets of the PV console page (io/console.h): two character rings and their indices.</summary>
public static class ConsoleRingLayout
{
    public const int InOffset = 0;
    public const int InBytes = 1024;
    public const int OutOffset = 1024;
    public const int OutBytes = 2048;
    public const int InConsumerOffset = 3072;
    public const int InProducerOffset = 3076;
    public const int OutConsumerOffset = 3080;
    public const int OutProducerOffset = 3084;
    public const int ConnectionOffset = 3088;
    public const int PageBytes = 4096;
}
