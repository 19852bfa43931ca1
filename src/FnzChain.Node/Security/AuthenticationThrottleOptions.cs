namespace FnzChain.Node.Security;

/// <summary>
/// Throttling of repeated failed authentication (<c>"authenticationThrottle"</c> in a node's configuration file): after
/// <see cref="MaxFailures"/> failures from one address within <see cref="WindowSeconds"/> (or
/// <see cref="IdentityMaxFailures"/> claiming one identity), requests from it are refused with
/// <c>RESOURCE_EXHAUSTED</c> for a cool-down that starts at <see cref="LockoutSeconds"/> and doubles with each
/// further lock-out up to <see cref="MaxLockoutSeconds"/>.
/// </summary>
public sealed class AuthenticationThrottleOptions
{
    public bool Enabled { get; init; } = true;

    /// <summary>Failed authentications from one address, within the window, that lock it out.</summary>
    public int MaxFailures { get; init; } = 10;

    /// <summary>Failed authentications claiming one identity, within the window, that lock it out; 0 throttles addresses only.</summary>
    public int IdentityMaxFailures { get; init; } = 20;

    public int WindowSeconds { get; init; } = 60;

    /// <summary>The first lock-out's length; each further one (before the origin has been quiet for <see cref="MaxLockoutSeconds"/>) doubles it.</summary>
    public int LockoutSeconds { get; init; } = 30;

    public int MaxLockoutSeconds { get; init; } = 3600;

    /// <summary>Addresses and identities remembered at most (memory bound against an attacker rotating addresses).</summary>
    public int MaxTrackedKeys { get; init; } = 100_000;

    /// <summary>Throws <see cref="ArgumentException"/> naming the field that is out of range.</summary>
    public void Validate()
    {
        if (MaxFailures < 1)
        {
            throw new ArgumentException($"authenticationThrottle.maxFailures {MaxFailures} must be at least 1");
        }

        if (IdentityMaxFailures < 0)
        {
            throw new ArgumentException($"authenticationThrottle.identityMaxFailures {IdentityMaxFailures} must be 0 (off) or more");
        }

        if (WindowSeconds is < 1 or > 86_400)
        {
            throw new ArgumentException($"authenticationThrottle.windowSeconds {WindowSeconds} is outside 1..86400");
        }

        if (LockoutSeconds < 1 || MaxLockoutSeconds < LockoutSeconds || MaxLockoutSeconds > 7 * 86_400)
        {
            throw new ArgumentException($"authenticationThrottle.lockoutSeconds {LockoutSeconds} must be at least 1 and at most maxLockoutSeconds {MaxLockoutSeconds} (at most 604800)");
        }

        if (MaxTrackedKeys is < 16 or > 10_000_000)
        {
            throw new ArgumentException($"authenticationThrottle.maxTrackedKeys {MaxTrackedKeys} is outside 16..10000000");
        }
    }
}
