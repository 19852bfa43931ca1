using FnzChain.Node.Security;
using Microsoft.Extensions.Logging;

namespace FnzChain.Node.Tests.Security;

/// <summary>Lock-outs after repeated failed authentication, on a clock the test moves.</summary>
public sealed class AuthenticationThrottleTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class Lines : ILogger<AuthenticationThrottle>
    {
        public List<string> Written { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Written.Add(formatter(state, exception));
    }

    private readonly ManualTime _time = new();
    private readonly Lines _log = new();

    private AuthenticationThrottle Throttle(int maxFailures = 3, int lockout = 10, int maxLockout = 35, int identityMax = 5, int maxKeys = 100_000) =>
        new(new AuthenticationThrottleOptions { MaxFailures = maxFailures, WindowSeconds = 60, LockoutSeconds = lockout, MaxLockoutSeconds = maxLockout, IdentityMaxFailures = identityMax, MaxTrackedKeys = maxKeys }, _time, _log);

    private static void Fail(AuthenticationThrottle throttle, string address, int times)
    {
        for (var i = 0; i < times; i++)
        {
            throttle.Failed(ThrottleScope.Address, address, "BadSignature");
        }
    }

    [Test]
    public void An_address_is_locked_out_after_N_failures_and_others_are_not()
    {
        var throttle = Throttle();
        Fail(throttle, "127.0.0.2", 2);
        var beforeN = throttle.RetryAfter(ThrottleScope.Address, "127.0.0.2");
        Fail(throttle, "127.0.0.2", 1);

        Assert.That(beforeN, Is.Null);
        Assert.That(throttle.RetryAfter(ThrottleScope.Address, "127.0.0.2"), Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(throttle.RetryAfter(ThrottleScope.Address, "127.0.0.1"), Is.Null);
    }

    [Test]
    public void The_cool_down_doubles_with_each_lock_out_up_to_the_cap()
    {
        var throttle = Throttle();
        var cooldowns = new List<TimeSpan>();
        for (var i = 0; i < 4; i++)
        {
            Fail(throttle, "10.0.0.9", 3);
            var wait = throttle.RetryAfter(ThrottleScope.Address, "10.0.0.9")!.Value;
            cooldowns.Add(wait);
            _time.Now += wait; // the lock-out ends
        }

        Assert.That(cooldowns, Is.EqualTo(new[] { TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(35), TimeSpan.FromSeconds(35) }));
        Assert.That(throttle.RetryAfter(ThrottleScope.Address, "10.0.0.9"), Is.Null);
    }

    [Test]
    public void Failures_outside_the_window_do_not_add_up()
    {
        var throttle = Throttle();
        Fail(throttle, "10.0.0.9", 2);
        _time.Now += TimeSpan.FromSeconds(61);
        Fail(throttle, "10.0.0.9", 2);

        Assert.That(throttle.RetryAfter(ThrottleScope.Address, "10.0.0.9"), Is.Null);
    }

    [Test]
    public void A_lock_out_is_logged_once_not_per_failure()
    {
        var throttle = Throttle();
        Fail(throttle, "10.0.0.9", 3);
        Fail(throttle, "10.0.0.9", 5); // still failing during the lock-out (e.g. requests already in flight)

        Assert.That(_log.Written, Has.Count.EqualTo(1));
        Assert.That(_log.Written[0], Is.EqualTo("Authentication throttle: Address 10.0.0.9 failed 3 times within 60 s (last: BadSignature); refused for 10 s (lock-out 1)"));
    }

    [Test]
    public void An_identity_is_locked_out_on_its_own_threshold_and_zero_turns_it_off()
    {
        var throttle = Throttle(identityMax: 5);
        var off = Throttle(identityMax: 0);
        for (var i = 0; i < 5; i++)
        {
            throttle.Failed(ThrottleScope.Identity, "abc", "Revoked");
            off.Failed(ThrottleScope.Identity, "abc", "Revoked");
        }

        Assert.That(throttle.RetryAfter(ThrottleScope.Identity, "abc"), Is.Not.Null);
        Assert.That(off.RetryAfter(ThrottleScope.Identity, "abc"), Is.Null);
    }

    [Test]
    public void Memory_stays_bounded_when_an_attacker_rotates_addresses()
    {
        var throttle = Throttle(maxKeys: 100);
        for (var i = 0; i < 10_000; i++)
        {
            throttle.Failed(ThrottleScope.Address, $"10.1.{i / 256}.{i % 256}", "BadSignature");
            if (i % 1000 == 0)
            {
                _time.Now += TimeSpan.FromSeconds(2);
            }
        }

        Assert.That(throttle.Tracked, Is.LessThanOrEqualTo(100));
    }

    [Test]
    public void Idle_keys_are_swept_to_make_room_for_new_ones()
    {
        var throttle = Throttle(maxKeys: 16);
        for (var i = 0; i < 16; i++)
        {
            throttle.Failed(ThrottleScope.Address, $"10.0.0.{i}", "BadSignature");
        }

        _time.Now += TimeSpan.FromSeconds(120);
        Fail(throttle, "10.9.9.9", 3);

        Assert.That(throttle.RetryAfter(ThrottleScope.Address, "10.9.9.9"), Is.Not.Null);
    }

    [Test]
    public void Options_out_of_range_name_the_field()
    {
        var options = new AuthenticationThrottleOptions { LockoutSeconds = 100, MaxLockoutSeconds = 50 };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.That(error!.Message, Is.EqualTo("authenticationThrottle.lockoutSeconds 100 must be at least 1 and at most maxLockoutSeconds 50 (at most 604800)"));
    }
}
