namespace ActorVisor.Hypervisor.Grants;

/// <summary>
/// Why a back-end inside the host could not use a page a front-end named by grant reference. Each
/// is the front-end's doing (a guest-caused result): the back-end answers the request with an error.
/// </summary>
public enum BackendGrantError
{
    None,

    /// <summary>The reference lies past the front-end's grant table (GNTST_bad_gntref).</summary>
    BadReference,

    /// <summary>The entry is not GTF_permit_access, or it names another domain than the back-end's.</summary>
    NotGranted,

    /// <summary>The entry is GTF_readonly and the back-end needed to write.</summary>
    ReadOnly,

    /// <summary>The granted frame is not the front-end's, or cannot take a writable type (a page table).</summary>
    BadFrame,

    /// <summary>Offset and length leave the 4 KiB page (GNTST_bad_copy_arg).</summary>
    OutOfPage,

    /// <summary>The front-end's domain is gone (its table was relinquished).</summary>
    GranterGone,
}
