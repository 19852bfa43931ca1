using FnzChain.Identity.Msp;
using FnzChain.Node.Audit;
using FnzChain.Node.Security;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;

namespace FnzChain.Node.Tests.Audit;

/// <summary>What completing a request's entry records, and how it feeds the throttle.</summary>
public sealed class AuditEntryTests
{
    private string _folder = null!;
    private AuditTrail _trail = null!;
    private AuthenticationThrottle _throttle = null!;
    private RequestAuditor _auditor = null!;

    [SetUp]
    public void Start()
    {
        _folder = Directory.CreateTempSubdirectory("fnzchain-audit-").FullName;
        _trail = new AuditTrail(_folder, new AuditOptions(), TimeProvider.System, NullLogger<AuditTrail>.Instance);
        _trail.Start();
        _throttle = new AuthenticationThrottle(new AuthenticationThrottleOptions { MaxFailures = 1, IdentityMaxFailures = 1 }, TimeProvider.System, NullLogger<AuthenticationThrottle>.Instance);
        _auditor = new RequestAuditor(_trail, _throttle, TimeProvider.System);
    }

    [TearDown]
    public async Task Stop()
    {
        await _trail.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private static readonly byte[] Claimed = [1, 2, 3];

    private async Task FailAsync(string method, string origin)
    {
        Assert.That(await _trail.TryReserveAsync(CancellationToken.None), Is.True); // as the middleware does for every entry
        var entry = new AuditEntry(_auditor, method, origin, 5000, null);
        entry.AuthenticationFailed(IdentityRejection.BadSignature, Claimed);
        entry.Complete(StatusCode.PermissionDenied, "signature does not match");
    }

    [Test]
    public async Task A_failed_authentication_counts_against_the_address_and_the_claimed_identity()
    {
        await FailAsync("/gateway.Gateway/Evaluate", "10.0.0.1");

        Assert.That(_throttle.RetryAfter(ThrottleScope.Address, "10.0.0.1"), Is.Not.Null);
        Assert.That(_throttle.RetryAfter(ThrottleScope.Identity, AuditEntry.IdentityKey(Claimed)), Is.Not.Null);
    }

    [TestCase("/protos.Endorser/ProcessProposal")]
    [TestCase("/orderer.AtomicBroadcast/Broadcast")]
    public async Task A_failure_on_a_method_gateways_forward_counts_against_the_identity_not_the_forwarding_address(string method)
    {
        await FailAsync(method, "10.0.0.2");

        Assert.That(_throttle.RetryAfter(ThrottleScope.Address, "10.0.0.2"), Is.Null);
        Assert.That(_throttle.RetryAfter(ThrottleScope.Identity, AuditEntry.IdentityKey(Claimed)), Is.Not.Null);
    }

    [Test]
    public async Task A_chaincode_error_is_recorded_without_its_message()
    {
        Assert.That(await _trail.TryReserveAsync(CancellationToken.None), Is.True);
        var entry = new AuditEntry(_auditor, "/gateway.Gateway/Evaluate", "10.0.0.3", 5000, null);
        entry.Describe("funds", "tx1", "funds", "ReadFund");
        entry.ChaincodeFailed();
        entry.Complete(StatusCode.Unknown, "evaluate call to endorser returned error: fund SECRET-ID does not exist");
        await _trail.DisposeAsync();

        var text = string.Concat(Directory.EnumerateFiles(_folder, "audit-*.jsonl").Select(File.ReadAllText));
        Assert.That(text, Does.Contain(AuditEntry.ChaincodeReason));
        Assert.That(text, Does.Not.Contain("SECRET-ID"));
    }
}
