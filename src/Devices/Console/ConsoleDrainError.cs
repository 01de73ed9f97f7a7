namespace ActorVisor.Devices.Console;

/// <summary>What can go wrong when the back-end drains a guest's console ring, from the guest's side.</summary>
public enum ConsoleDrainError
{
    /// <summary>The ring was drained normally.</summary>
    None,

    /// <summary>The guest published more output than the ring holds; only the last ring's worth was read.</summary>
    ProducerOverran,
}
