using System.Collections.Concurrent;
using FnzChain.Node.Rpc;
using Microsoft.Extensions.Logging;

namespace FnzChain.Node.Security;

/// <summary>Whom a lock-out applies to.</summary>
public enum ThrottleScope
{
    Address,
    Identity,
}

/// <summary>
/// Counts failed authentications (bad signature, unknown MSP, untrusted, expired or revoked certificate; a failed TLS
/// handshake once TLS lands, through <see cref="Failed"/>) per origin address and per claimed identity, and locks out
/// one that fails <see cref="AuthenticationThrottleOptions.MaxFailures"/> times within the window: its requests are
/// refused with <c>RESOURCE_EXHAUSTED</c> and a retry-after until the cool-down ends. Each lock-out of the same key
/// doubles the cool-down (capped); a key quiet for the longest cool-down starts over. One log line per lock-out.
/// Memory is bounded by <see cref="AuthenticationThrottleOptions.MaxTrackedKeys"/>: when full, keys neither locked nor
/// failing recently are swept (at most once a second); a new key that still finds no room is not tracked (counted).
/// </summary>
public sealed partial class AuthenticationThrottle(AuthenticationThrottleOptions options, TimeProvider time, ILogger<AuthenticationThrottle> logger)
{
    private readonly ConcurrentDictionary<(ThrottleScope, string), Tracker> _keys = new();
    private long _lastSweep;

    public AuthenticationThrottleOptions Options => options;

    /// <summary>Keys tracked now.</summary>
    public int Tracked => _keys.Count;

    /// <summary>How long <paramref name="key"/> stays locked out, or null when it may proceed.</summary>
    public TimeSpan? RetryAfter(ThrottleScope scope, string key)
    {
        if (!options.Enabled || (scope == ThrottleScope.Identity && options.IdentityMaxFailures == 0) || !_keys.TryGetValue((scope, key), out var tracker))
        {
            return null;
        }

        var now = time.GetUtcNow();
        lock (tracker)
        {
            return tracker.LockedUntil > now ? tracker.LockedUntil - now : null;
        }
    }

    /// <summary>Records one failed authentication by <paramref name="key"/>; <paramref name="kind"/> is what failed, for the metric.</summary>
    public void Failed(ThrottleScope scope, string key, string kind)
    {
        RpcMetrics.AuthenticationFailures.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("scope", scope == ThrottleScope.Address ? "address" : "identity"));
        var threshold = scope == ThrottleScope.Address ? options.MaxFailures : options.IdentityMaxFailures;
        if (!options.Enabled || threshold == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        if (!_keys.TryGetValue((scope, key), out var tracker))
        {
            if (_keys.Count >= options.MaxTrackedKeys && !Sweep(now))
            {
                RpcMetrics.AuthenticationUntracked.Add(1);
                return;
            }

            tracker = _keys.GetOrAdd((scope, key), _ => new Tracker());
        }

        TimeSpan? lockedFor = null;
        int failures;
        int lockouts;
        lock (tracker)
        {
            if (tracker.LastFailure != default && now - tracker.LastFailure > TimeSpan.FromSeconds(options.MaxLockoutSeconds) && tracker.LockedUntil <= now)
            {
                tracker.Lockouts = 0; // quiet for the longest cool-down: start over
            }

            if (now - tracker.WindowStart > TimeSpan.FromSeconds(options.WindowSeconds))
            {
                tracker.WindowStart = now;
                tracker.Failures = 0;
            }

            tracker.LastFailure = now;
            tracker.Failures++;
            failures = tracker.Failures;
            if (tracker.Failures >= threshold && tracker.LockedUntil <= now)
            {
                var seconds = Math.Min((double)options.MaxLockoutSeconds, options.LockoutSeconds * Math.Pow(2, Math.Min(tracker.Lockouts, 30)));
                tracker.Lockouts++;
                tracker.LockedUntil = now + TimeSpan.FromSeconds(seconds);
                tracker.Failures = 0;
                tracker.WindowStart = now;
                lockedFor = TimeSpan.FromSeconds(seconds);
            }

            lockouts = tracker.Lockouts;
        }

        if (lockedFor is { } cooldown)
        {
            RpcMetrics.AuthenticationLockouts.Add(1, new KeyValuePair<string, object?>("scope", scope == ThrottleScope.Address ? "address" : "identity"));
            LogLockedOut(logger, scope, key, failures, options.WindowSeconds, cooldown.TotalSeconds, lockouts, kind);
        }
    }

    /// <summary>Removes keys neither locked nor failing within the window; false when still full (or swept less than a second ago).</summary>
    private bool Sweep(DateTimeOffset now)
    {
        var last = Interlocked.Read(ref _lastSweep);
        var ticks = now.UtcTicks;
        if (ticks - last < TimeSpan.TicksPerSecond || Interlocked.CompareExchange(ref _lastSweep, ticks, last) != last)
        {
            return _keys.Count < options.MaxTrackedKeys;
        }

        var window = TimeSpan.FromSeconds(options.WindowSeconds);
        foreach (var (key, tracker) in _keys)
        {
            bool idle;
            lock (tracker)
            {
                idle = tracker.LockedUntil <= now && now - tracker.LastFailure > window;
            }

            if (idle)
            {
                _keys.TryRemove(key, out _);
            }
        }

        return _keys.Count < options.MaxTrackedKeys;
    }

    private sealed class Tracker
    {
        public DateTimeOffset WindowStart;
        public DateTimeOffset LastFailure;
        public DateTimeOffset LockedUntil;
        public int Failures;
        public int Lockouts;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Authentication throttle: {Scope} {Key} failed {Failures} times within {Window} s (last: {Kind}); refused for {Seconds} s (lock-out {Lockouts})")]
    private static partial void LogLockedOut(ILogger logger, ThrottleScope scope, string key, int failures, int window, double seconds, int lockouts, string kind);
}
