namespace ActorVisor.Devices.Backends;

/// <summary>
/// Why a back-end could not use a page a front-end named by grant reference. Each is the front-end's
/// doing (a guest-caused result, never an exception): the back-end answers the request with an
/// error and counts it.
/// </summary>
public enum GrantAccessError
{
    None,

    /// <summary>The reference lies past the front-end's grant table.</summary>
    BadReference,

    /// <summary>The entry does not grant access to this back-end's domain (wrong domid, not GTF_permit_access).</summary>
    NotGranted,

    /// <summary>The entry is read-only and the back-end needed to write.</summary>
    ReadOnly,

    /// <summary>The granted frame is not the front-end's (or no longer exists).</summary>
    BadFrame,

    /// <summary>Offset and length leave the 4 KiB page.</summary>
    OutOfPage,

    /// <summary>The front-end's domain is gone.</summary>
    FrontendGone,
}
