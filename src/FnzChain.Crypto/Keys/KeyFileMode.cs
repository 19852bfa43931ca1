namespace FnzChain.Crypto.Keys;

/// <summary>
/// Like ssh with a private key: a secret key file (TLS key, MSP signing key, key-encryption key) that its group or
/// others may read, write or execute is refused on Unix, saying how to fix it. Windows ACLs are the operator's.
/// </summary>
public static class KeyFileMode
{
    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Why <paramref name="path"/> is too open, as the end of a sentence that names it
    /// (<c>is accessible by group or others (mode 0644); run chmod 600 &lt;path&gt;</c>), or null when only its owner may
    /// use it, on Windows, or when the file does not exist (its reader names that).
    /// </summary>
    public static string? Problem(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (OperatingSystem.IsWindows() || !File.Exists(path))
        {
            return null;
        }

        var mode = File.GetUnixFileMode(path); // of the target, when path is a symbolic link
        return (mode & GroupOrOthers) == 0
            ? null
            : $"is accessible by group or others (mode {Convert.ToString((int)mode & 0xFFF, 8).PadLeft(4, '0')}); run chmod 600 {path}";
    }
}
