using System.Globalization;
using System.Text.Json;
using FnzChain.Chaincode;
using FnzChain.Cli.Network;
using FnzChain.Client;
using FnzChain.Crypto.Cryptogen;
using FnzChain.Protos.Peer;
using FnzChain.TransferAgency;
using FnzChain.TransferAgency.Funds;
using FnzChain.TransferAgency.Reports;
using ClientIdentity = FnzChain.Client.ClientIdentity;
using Contract = FnzChain.Client.Contract;

namespace FnzChain.Cli.Commands;

/// <summary>
/// The main job (<c>fnzchain demo</c>): a transfer agent and two distributors, each with its own peer, a solo
/// orderer, RocksDB ledgers in a temporary folder — the transfer-agency chaincode deployed with a private data
/// collection per distributor for investors' personal data — and one dealing cycle played on a simulated business
/// calendar (the transaction time is the client's proposal timestamp): accounts opened with personal data as
/// transient data, subscriptions before the cut-off, the fund accountant's NAV, dealing at that forward price,
/// settlement at T+2, then the register and an investor statement; a distributor refused another's investor; a third
/// distributor onboarded to the running channel, dealing on Tuesday (<c>TransferAgencyDemo.Onboarding.cs</c>); the
/// right to erasure (<c>TransferAgencyDemo.Erasure.cs</c>); everything stopped and every ledger verified.
/// </summary>
internal static partial class TransferAgencyDemo
{
    private const string Chaincode = "ta";
    private const string ClassId = "GLOBAL-EQ-A";
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Which organisation may hold which business role on the <see cref="Layout"/> network (the chaincode's role configuration).</summary>
    public const string RoleConfiguration =
        """{"transfer-agent":["TransferAgentMSP"],"distributor":["Dist1MSP","Dist2MSP"],"fund-accountant":["TransferAgentMSP"],"approver":["TransferAgentMSP"],"compliance":["TransferAgentMSP"]}""";

    /// <summary>Three organisations; users carry their business role in the <c>fnz.role</c> certificate attribute.</summary>
    public static NetworkLayout Layout { get; } = new(
        [
            new("TransferAgent", "ta.example.com", "TransferAgentMSP",
            [
                User("operator", "transfer-agent"), User("accountant", "fund-accountant"), User("approver", "approver"), User("compliance", "compliance"),
            ]),
            new("Dist1", "dist1.example.com", "Dist1MSP", [User("orders", "distributor")]),
            new("Dist2", "dist2.example.com", "Dist2MSP", [User("orders", "distributor")]),
        ],
        Chaincode, "FnzChain.TransferAgency.dll", "FnzChain.TransferAgency.TransferAgencyContract", "ta_1.0", EndorsementPolicy: null,
        Collections: PersonalDataCollections("Dist1MSP", "Dist2MSP"));

    public static Task<int> RunAsync(TextWriter output, string? keepFolder, bool force, NetworkShape ordering, CancellationToken cancellationToken) =>
        DemoRunner.RunAsync(output, keepFolder, force, "a fund transfer agency network", $"Starting the network: a transfer agent, two distributors, {DemoRunner.Describe(ordering)}", 9, Layout, ordering,
            (info, folder) => DayAsync(info, folder, output, cancellationToken), cancellationToken);

    private static async Task DayAsync(ConnectionInfo info, string folder, TextWriter output, CancellationToken cancellationToken)
    {
        var clock = new BusinessClock(Monday);
        var ta = info.Organizations[0];
        var (dist1, dist2) = (info.Organizations[1], info.Organizations[2]);
        using var actors = new Actors(clock, info);
        var operatorTa = actors.Contract(ta, "operator");
        var accountant = actors.Contract(ta, "accountant");
        var orders1 = actors.Contract(dist1, "orders");
        var orders2 = actors.Contract(dist2, "orders");

        output.WriteLine();
        output.WriteLine($"2. Monday {Monday:yyyy-MM-dd}: the transfer agent sets up the fund; distributors open accounts (simulated business clock)");
        await operatorTa.SubmitAsync("ConfigureRoles", RoleConfiguration).ConfigureAwait(false);
        await operatorTa.SubmitAsync("CreateFund", "GLOBAL-EQ", "Global Equity Fund", "[]").ConfigureAwait(false);
        await operatorTa.SubmitAsync("CreateShareClass",
            $$"""{"classId":"{{ClassId}}","fundId":"GLOBAL-EQ","isin":"IE00B4L5Y983","currency":"EUR","cutOff":"12:00:00","settlementDays":2,"minimumSubscription":1000,"unitDecimals":3}""").ConfigureAwait(false);
        output.WriteLine($"  operator@ta (transfer-agent): roles configured, fund GLOBAL-EQ with class {ClassId} (ISIN IE00B4L5Y983, EUR, cut-off 12:00 UTC, T+2)");
        clock.Set(Monday.AddHours(1));
        // Each organisation's peer commits on its own clock: before the TA acts on what a distributor wrote, wait until
        // the TA's peer has that transaction too (docs/client.md, "Reading across organisations").
        await SeenByAsync(operatorTa, await orders1.SubmitAsyncReturningCommit("OpenAccount", ["ACC-1", "Dist1MSP", "payout"], Personal("Ada Lovelace", "12 St James's Square, London"), cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await SeenByAsync(operatorTa, await orders2.SubmitAsyncReturningCommit("OpenAccount", ["ACC-2", "Dist2MSP", "reinvest"], Personal("Grace Hopper", "1 Navy Yard, Arlington"), cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await SeenByAsync(orders1, await operatorTa.SubmitAsyncReturningCommit("SetKycStatus", ["ACC-1", "approved"], null, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await SeenByAsync(orders2, await operatorTa.SubmitAsyncReturningCommit("SetKycStatus", ["ACC-2", "approved"], null, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        output.WriteLine("  orders@dist1: account ACC-1 opened; orders@dist2: account ACC-2 opened — personal data sent as transient data into");
        output.WriteLine("    each distributor's private collection (ta-personal-Dist1MSP / -Dist2MSP); the ledger holds only salted hashes");
        output.WriteLine("  operator@ta: KYC approved for both accounts");

        clock.Set(Monday.AddHours(2));
        await SeenByAsync(operatorTa, await orders1.SubmitAsyncReturningCommit("PlaceSubscription", ["ORD-1", "ACC-1", ClassId, "10000", "EUR"], null, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await SeenByAsync(operatorTa, await orders2.SubmitAsyncReturningCommit("PlaceSubscription", ["ORD-2", "ACC-2", ClassId, "25000", "EUR"], null, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        output.WriteLine("  10:00 orders@dist1: subscription ORD-1, ACC-1, EUR 10,000; orders@dist2: subscription ORD-2, ACC-2, EUR 25,000");
        try
        {
            await orders2.SubmitAsync("PlaceSubscription", "ORD-X", "ACC-1", ClassId, "5000", "EUR").ConfigureAwait(false);
            output.WriteLine("  unexpected: a distributor placed an order for another distributor's investor");
        }
        catch (GatewayException e)
        {
            output.WriteLine($"  refused as it should be — orders@dist2 for ACC-1: {FirstDetail(e)}");
        }

        output.WriteLine();
        output.WriteLine("3. Monday 18:00: forward pricing — the fund accountant publishes the NAV, the transfer agent deals");
        clock.Set(Monday.AddHours(10));
        await accountant.SubmitAsync("PublishNav", ClassId, "2026-11-23", "101.25", "EUR").ConfigureAwait(false);
        var dealt = Json<DealingResult>(await operatorTa.SubmitAsync("DealOrders", ClassId, "2026-11-23").ConfigureAwait(false));
        output.WriteLine($"  accountant@ta: NAV {ClassId} 2026-11-23 = EUR 101.25");
        foreach (var order in dealt.Priced)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  operator@ta: {order.OrderId} {order.AccountId} priced: {order.Units:N3} units for {Money(order.NetAmount, "EUR")}, settles {order.SettlementDate:yyyy-MM-dd}"));
        }

        // Monday evening a third distributor joins the running channel and deals on Tuesday (TransferAgencyDemo.Onboarding.cs).
        var dist3 = await OnboardDist3Async(info, folder, output, cancellationToken).ConfigureAwait(false);
        clock.Set(Monday.AddHours(11));
        await ConfigureDist3RoleAsync(actors, ta, dist3, output, cancellationToken).ConfigureAwait(false);
        await Dist3DealingDayAsync(info, folder, clock, actors, output, cancellationToken).ConfigureAwait(false);

        output.WriteLine();
        output.WriteLine("6. Wednesday: settlement at T+2, the register and an investor statement");
        clock.Set(Monday.AddDays(2).AddHours(2));
        var settlement = await operatorTa.SubmitAsyncReturningCommit("SettleOrders", ["2026-11-25"], null, cancellationToken).ConfigureAwait(false);
        await SeenByAsync(orders1, settlement, cancellationToken).ConfigureAwait(false); // the statement is read on Dist1's peer
        var settled = Json<SettlementResult>(settlement.Result);
        output.WriteLine($"  operator@ta: {settled.Settled.Count} orders settled, {settled.Failed.Count} failed");
        await WriteRegisterAsync(operatorTa, "2026-11-25", output).ConfigureAwait(false);
        await WriteStatementAsync(orders1, "ACC-1", "orders@dist1", output).ConfigureAwait(false);

        await Dist3SettlesAsync(clock, actors, ta, dist3, output, cancellationToken).ConfigureAwait(false);
        await RightToErasureAsync(info, folder, clock, actors, output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The register of the demo's share class at <paramref name="asOf"/>, one line per account, and its total.</summary>
    private static async Task WriteRegisterAsync(Contract operatorTa, string asOf, TextWriter output)
    {
        var register = Json<RegisterPage>(await operatorTa.EvaluateAsync("GetRegister", ClassId, asOf, "50", string.Empty).ConfigureAwait(false));
        output.WriteLine($"  register of {register.ClassId} at {register.AsOf:yyyy-MM-dd}:");
        output.WriteLine($"    {"account",-8} {"distributor",-10} {"units",14}");
        foreach (var entry in register.Entries)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {entry.AccountId,-8} {entry.Distributor,-10} {entry.Units,14:N3}"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {"total",-19} {register.UnitsOnPage,14:N3}"));
    }

    /// <summary>An account's statement as its distributor (<paramref name="who"/>) reads it: holdings valued at the latest NAV, and orders.</summary>
    private static async Task WriteStatementAsync(Contract distributor, string accountId, string who, TextWriter output)
    {
        var statement = Json<InvestorStatement>(await distributor.EvaluateAsync("GetInvestorStatement", accountId, "50", string.Empty).ConfigureAwait(false));
        output.WriteLine($"  statement of {statement.Account.AccountId} (read by its distributor, {who}):");
        foreach (var holding in statement.Holdings)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    holding {holding.ClassId} ({holding.Isin}): {holding.Units:N3} units at NAV {holding.Nav} {holding.Currency} = {(holding.Value is { } value ? Money(value, holding.Currency) : "no NAV yet")}"));
        }

        foreach (var order in statement.Orders)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    order {order.OrderId}: {order.Type} {(order.Amount is { } amount ? Money(amount, order.Currency) : $"{order.Units:N3} units")} dealt {order.DealingDate:yyyy-MM-dd} at {order.Nav} -> {order.DealtUnits:N3} units, {order.Status}"));
        }
    }

    /// <summary>Waits for a submitted transaction to commit valid, and then until <paramref name="other"/>'s peer has it too.</summary>
    private static async Task SeenByAsync(Contract other, (byte[] Result, Task<CommitStatus> Commit) submitted, CancellationToken cancellationToken)
    {
        var status = await submitted.Commit.ConfigureAwait(false);
        if (!status.IsSuccessful)
        {
            throw new CommitException(status.TransactionId, status.Result, status.BlockNumber);
        }

        await other.Network.GetCommitStatusAsync(status.TransactionId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// "EUR 9,999.96": an amount the register has already rounded (half up to the currency's minor units, see
    /// OrderPricing.Money), shown with exactly those minor units — printing never rounds again.
    /// </summary>
    private static string Money(decimal amount, string currency) =>
        string.Create(CultureInfo.InvariantCulture, $"{currency} {amount.ToString("N" + Currencies.MinorUnitsOf(currency).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)}");

    private static T Json<T>(byte[] payload) => JsonSerializer.Deserialize<T>(payload, ContractDispatcher.Json)!;

    private static string FirstDetail(GatewayException e) =>
        e.Details.Select(d => d.Message).FirstOrDefault(m => m.Length > 0) ?? e.Message;

    private static Dictionary<string, byte[]> Personal(string name, string address) => new()
    {
        ["personal"] = JsonSerializer.SerializeToUtf8Bytes(new { name, address, dateOfBirth = "1980-01-01", taxId = "AB123456C", bankAccount = "GB33BUKB20201555555555" }),
    };

    private static NamedUserSpec User(string name, string role) => new() { Name = name, Attributes = new Dictionary<string, string> { ["fnz.role"] = role } };

    private static CollectionConfigPackage PersonalDataCollections(params string[] distributors)
    {
        var package = new CollectionConfigPackage();
        foreach (var distributor in distributors)
        {
            package.Config.Add(new CollectionConfig
            {
                StaticCollectionConfig = new StaticCollectionConfig
                {
                    Name = $"ta-personal-{distributor}",
                    MemberOrgsPolicy = new CollectionPolicyConfig { SignaturePolicy = Identity.Policies.PolicyDsl.Parse($"OR('TransferAgentMSP.member','{distributor}.member')") },
                    RequiredPeerCount = 0,
                    MaximumPeerCount = 1,
                    MemberOnlyRead = true,
                },
            });
        }

        return package;
    }

    /// <summary>A settable clock: the demo's business calendar.</summary>
    private sealed class BusinessClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public void Set(DateTimeOffset now) => _now = now;

        public override DateTimeOffset GetUtcNow() => _now;
    }

    /// <summary>Gateways of the demo's users, each connected to its own organisation's peer unless asked otherwise; one per user and peer.</summary>
    private sealed class Actors(TimeProvider clock, ConnectionInfo network) : IDisposable
    {
        private readonly List<IDisposable> _owned = [];
        private readonly Dictionary<(string MspId, string User, string Peer), Contract> _contracts = [];

        /// <summary>The chaincode as <paramref name="user"/> of <paramref name="organization"/> sees it through its own peer, or through <paramref name="peerOf"/>'s.</summary>
        public Contract Contract(OrganizationInfo organization, string user, OrganizationInfo? peerOf = null)
        {
            var peer = (peerOf ?? organization).Peer;
            if (_contracts.TryGetValue((organization.MspId, user, peer), out var known))
            {
                return known;
            }

            var identity = ClientIdentity.FromMspFolder(organization.NamedUserMsp(user), organization.MspId);
            // Through another organisation's peer, the client trusts that peer's TLS CA too (Dist3's lives in its own crypto folder).
            var tls = network.ClientTlsFor(organization.NamedUserMsp(user));
            if ((peerOf ?? organization).TlsRootCert is { } peerCa && !tls.Insecure)
            {
                tls = tls.AlsoTrusting(Crypto.Keys.PemFiles.ReadCertificates(peerCa));
            }

            var gateway = Gateway.Connect(peer, identity, new GatewayOptions { Clock = clock, Tls = tls });
            _owned.Add(gateway);
            _owned.Add(identity);
            var contract = gateway.GetNetwork(LocalNetwork.Channel).GetContract(Chaincode);
            _contracts.Add((organization.MspId, user, peer), contract);
            return contract;
        }

        public void Dispose()
        {
            foreach (var owned in _owned)
            {
                owned.Dispose();
            }
        }
    }
}
