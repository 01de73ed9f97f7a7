namespace ActorVisor.Host.Boot;

/// <summary>How a boot ended, with the process exit code the CLI uses for it.</summary>
public enum BootStatus
{
    /// <summary>The guest powered off (SCHEDOP_shutdown poweroff). Exit code 0.</summary>
    PoweredOff = 0,

    /// <summary>The guest crashed itself or was crashed by the hypervisor. Exit code 1.</summary>
    Crashed = 1,

    /// <summary>The guest shut down with another reason (reboot, suspend, watchdog, soft reset). Exit code 2.</summary>
    ShutDown = 2,

    /// <summary>The time limit passed first. Exit code 124.</summary>
    TimedOut = 124,

    /// <summary>Every vCPU blocked with nothing that could ever wake it. Exit code 125.</summary>
    Hung = 125,

    /// <summary>The kernel image or the configuration was refused before the guest ran. Exit code 126.</summary>
    Refused = 126,
}
