using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using FnzChain.Cli.Network;
using FnzChain.Protos.Admin;
using FnzChain.TransferAgency;
using FnzChain.TransferAgency.Access;
using FnzChain.TransferAgency.Funds;
using FnzChain.TransferAgency.Reports;
using Contract = FnzChain.Client.Contract;

namespace FnzChain.Cli.Commands;

/// <summary>
/// The demo's onboarding chapter: a third distributor joins the running channel the way an operator does it, with the
/// same <c>fnzchain</c> commands run in this process (<see cref="CliRunner"/>): Dist3 generates its own crypto material
/// and hands over its public msp folder; the transfer agent's admin makes the add-org update, signs it and passes it to
/// Dist1's admin, who checks and signs it (2 of 3 organisations' admins: MAJORITY) before it is submitted; Dist3's peer
/// starts, joins with the genesis block and catches up, gets the chaincode package; the channel's admins (now 3 of 4)
/// redefine the chaincode with Dist3's own personal-data collection, and the transfer agent lists Dist3MSP as a
/// distributor. Then Dist3's first dealing day: an account, KYC, a subscription before Tuesday's cut-off, the NAV and
/// the dealing — settled on Thursday with the register showing the three distributors' accounts.
/// </summary>
internal static partial class TransferAgencyDemo
{
    private static readonly NetworkOrganization Dist3 = new("Dist3", "dist3.example.com", "Dist3MSP", [User("orders", "distributor")]);
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(60);
    private const string Dist3Account = "ACC-4";
    private const string Dist3Order = "ORD-3";
    private static readonly ScanMarker[] Dist3Investor = [new("name", "Emmy Noether"), new("address", "Bunsenstrasse 3, Goettingen")];

    private static async Task<OrganizationInfo> OnboardDist3Async(ConnectionInfo info, string folder, TextWriter output, CancellationToken cancellationToken)
    {
        var (ta, dist1) = (info.Organizations[0], info.Organizations[1]);
        var onboarding = Path.Combine(folder, "onboarding");
        var (atDist3, atTa, atDist1) = (Dir(onboarding, "dist3"), Dir(onboarding, "ta"), Dir(onboarding, "dist1"));
        // The in-process commands connect as the network's nodes expect: TLS (the default), or plaintext when it runs --insecure.
        string[] security = info.Security == NetworkShape.Insecure ? ["--insecure"] : [];
        string[] readAsTa = ["--orderer", info.Orderer, "--identity", ta.AdminMsp, "--msp-id", ta.MspId, .. security];

        output.WriteLine();
        output.WriteLine("4. Monday evening: a third distributor, Dist3, joins the running channel — each step the fnzchain command its operator runs");

        // Dist3, on its own machine: its own PKI, like `fnzchain crypto generate` with a crypto config of its own.
        var cryptoConfig = Path.Combine(atDist3, "crypto-config.json");
        await File.WriteAllTextAsync(cryptoConfig, JsonSerializer.Serialize(new
        {
            peerOrgs = new[] { new { name = Dist3.Name, domain = Dist3.Domain, mspId = Dist3.MspId, peers = 1, users = 1, namedUsers = Dist3.NamedUsers } },
        }, new JsonSerializerOptions(JsonSerializerDefaults.Web)), cancellationToken).ConfigureAwait(false);
        await FnzchainAsync(cancellationToken, "crypto", "generate", "--config", cryptoConfig, "--out", Path.Combine(atDist3, "crypto")).ConfigureAwait(false);
        var dist3Org = Path.Combine(atDist3, "crypto", "peerOrganizations", Dist3.Domain);
        output.WriteLine($"  Dist3 (its own folder onboarding/dist3): fnzchain crypto generate — its CA, TLS CA, peer, admin and orders@{Dist3.Domain} (fnz.role=distributor)");
        var handedMsp = HandOverPublicMsp(Path.Combine(dist3Org, "msp"), Path.Combine(atTa, "dist3-msp"));
        output.WriteLine($"  Dist3 hands the transfer agent only its public msp folder ({handedMsp}: certificates, no private key)");

        // The transfer agent's admin makes the update from the configuration in force, and signs it.
        var peerPort = LocalNetwork.FreePort();
        var update = Path.Combine(atTa, "add-dist3.update");
        var made = await FnzchainAsync(cancellationToken, [
            "channel", "update", "add-org", "--channel", LocalNetwork.Channel, .. readAsTa, "--org-msp", Path.Combine(atTa, "dist3-msp"),
            "--new-msp-id", Dist3.MspId, "--anchor-peer", $"127.0.0.1:{peerPort}", "--out", update]).ConfigureAwait(false);
        output.WriteLine($"  Admin@{ta.Domain}: fnzchain channel update add-org --new-msp-id {Dist3.MspId} --anchor-peer 127.0.0.1:{peerPort} --out add-dist3.update");
        var changes = made.Where(IsChange).ToList();
        foreach (var line in changes)
        {
            output.WriteLine($"    {line}");
        }

        output.WriteLine($"  Admin@{ta.Domain}: fnzchain channel update sign add-dist3.update — {Signed(await SignAsync(update, ta, cancellationToken).ConfigureAwait(false))}");
        var alone = await FnzchainRawAsync(cancellationToken, ["channel", "update", "submit", update, .. readAsTa]).ConfigureAwait(false);
        output.WriteLine(alone.ExitCode != 0 && Regex.Match(alone.Error, @"\d+ of \d+ organisations' Admins policies satisfied, \d+ required") is { Success: true } excerpt
            ? $"  Admin@{ta.Domain}: fnzchain channel update submit with that one signature — refused by the orderer: {excerpt.Value}"
            : throw new CliException($"the add-org update was not refused with one signature of three: {alone.Output}{alone.Error}"));

        // Dist1's admin receives the file, checks what it changes and who signed, and signs too.
        var atDist1Update = Path.Combine(atDist1, Path.GetFileName(update));
        File.Copy(update, atDist1Update, overwrite: true);
        var shown = await FnzchainAsync(cancellationToken, ["channel", "update", "show", atDist1Update, "--orderer", info.Orderer, "--identity", dist1.AdminMsp, "--msp-id", dist1.MspId, .. security]).ConfigureAwait(false);
        if (!shown.Where(IsChange).SequenceEqual(changes, StringComparer.Ordinal))
        {
            throw new CliException($"Dist1's admin sees other changes than the transfer agent made: {string.Join("; ", shown.Where(IsChange))}");
        }

        output.WriteLine($"  Admin@{dist1.Domain} gets the file: fnzchain channel update show — the same changes, {shown.Count(l => l.Contains("signature valid over this update", StringComparison.Ordinal))} valid signature ({ta.MspId})");
        output.WriteLine($"  Admin@{dist1.Domain}: fnzchain channel update sign — {Signed(await SignAsync(atDist1Update, dist1, cancellationToken).ConfigureAwait(false))}: 2 of 3 organisations' admins, a MAJORITY; the file goes back");
        File.Copy(atDist1Update, update, overwrite: true);
        var submitted = (await FnzchainAsync(cancellationToken, ["channel", "update", "submit", update, .. readAsTa]).ConfigureAwait(false)).Single();
        var configBlock = ulong.Parse(Regex.Match(submitted, @"config block (\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        output.WriteLine($"  Admin@{ta.Domain}: fnzchain channel update submit add-dist3.update — {submitted}");

        // Dist3's peer: started, joined with the channel's genesis block, caught up by pulling and validating every block.
        // A network whose peers keep their public state in CouchDB gives Dist3's peer a server of its own too.
        var couchDb = info.StateDatabase == "couchdb" ? await CouchDbServers.EnsureInstalledAsync(output, cancellationToken).ConfigureAwait(false) : null;
        var dist3 = await LocalNetwork.StartPeerAsync(folder, Dist3.Name, Dist3.MspId, dist3Org, peerPort, uncompressed: true, cancellationToken, couchDb, info.Security).ConfigureAwait(false);
        info.Organizations.Add(dist3);
        await LocalNetwork.SaveAsync(folder, info, cancellationToken).ConfigureAwait(false);
        output.WriteLine($"  peer of Dist3 listening on {dist3.Peer}, pid {dist3.PeerPid}");
        var joined = (await FnzchainAsync(cancellationToken, ["channel", "join", "--node", dist3.Peer, "--identity", dist3.AdminMsp, "--msp-id", dist3.MspId,
            "--block", Path.Combine(folder, $"{LocalNetwork.Channel}.block"), .. security]).ConfigureAwait(false)).Single();
        output.WriteLine($"  Admin@{Dist3.Domain}: fnzchain channel join --block {LocalNetwork.Channel}.block — {joined}");
        var heights = await UntilSameHeightAsync(info.Organizations, info, configBlock + 1, cancellationToken).ConfigureAwait(false);
        output.WriteLine($"  Dist3's peer caught up, every block validated against the configuration of its height: height {heights[^1]}, the transfer agent's peer {heights[0]}"
            + $" ({string.Join(", ", info.Organizations.Select((o, i) => $"{o.Name} {heights[i]}"))})");

        // The chaincode: the same package on Dist3's peer, and a redefinition that adds Dist3's personal-data collection.
        var package = Path.Combine(atTa, $"{Layout.Label}.pkg");
        var packageId = (await FnzchainAsync(cancellationToken, "chaincode", "package", "--folder", Path.Combine(folder, "chaincode-build"), "--assembly", Layout.Assembly,
            "--contract", Layout.ContractType, "--label", Layout.Label, "--out", package).ConfigureAwait(false)).Single();
        var atDist3Package = Path.Combine(atDist3, Path.GetFileName(package));
        File.Copy(package, atDist3Package, overwrite: true);
        var installed = (await FnzchainAsync(cancellationToken, ["chaincode", "install", "--node", dist3.Peer, "--identity", dist3.AdminMsp, "--msp-id", dist3.MspId, "--package", atDist3Package, .. security]).ConfigureAwait(false)).Single();
        output.WriteLine($"  Admin@{Dist3.Domain}: fnzchain chaincode install {Layout.Label}.pkg (the package the transfer agent sends) — {installed}{(installed == packageId ? ", the id the definition names" : $", NOT the packaged {packageId}")}");

        var collections = Path.Combine(atTa, "collections_config.json");
        await File.WriteAllTextAsync(collections, PersonalDataCollectionsJson("Dist1MSP", "Dist2MSP", Dist3.MspId), cancellationToken).ConfigureAwait(false);
        var signers = new[] { ta, dist1, dist3 };
        // With four organisations the channel's MAJORITY needs three endorsers, but an investor's personal data may
        // only reach the transfer agent and the investor's distributor (the gateway sends transient data to the
        // collection's members alone): the policy becomes the transfer agent and any one distributor.
        var policy = $"AND('{ta.MspId}.peer',OR({string.Join(',', info.Organizations.Skip(1).Select(o => $"'{o.MspId}.peer'"))}))";
        var defined = (await FnzchainAsync(cancellationToken, [
            "chaincode", "define", "--peer", ta.Peer, "--channel", LocalNetwork.Channel, "--name", Chaincode, "--collections-config", collections, "--policy", policy,
            .. signers.SelectMany(o => new[] { "--signer", $"{o.MspId}={o.AdminMsp}" }), .. security]).ConfigureAwait(false)).Single();
        output.WriteLine($"  Admin@{ta.Domain}: fnzchain chaincode define --collections-config collections_config.json, which gains ta-personal-{Dist3.MspId}");
        output.WriteLine($"    (members TransferAgentMSP and {Dist3.MspId}; collections are added, never removed), --policy \"{policy}\"");
        output.WriteLine("    (a MAJORITY of four would need a third organisation, and personal data sent as transient data goes only to a");
        output.WriteLine("    collection's members: the transfer agent and one distributor now endorse), approved by the admins of");
        output.WriteLine($"    {string.Join(", ", signers.Select(o => o.MspId))} (3 of 4 organisations now: MAJORITY) — {defined}");
        var definitionBlock = ulong.Parse(Regex.Match(defined, @"in block (\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        await UntilSameHeightAsync(info.Organizations, info, definitionBlock + 1, cancellationToken).ConfigureAwait(false);
        return dist3;
    }

    /// <summary>The transfer agent lists Dist3MSP as a distributor in the chaincode's role configuration; printed as Dist3's peer reads it back.</summary>
    private static async Task ConfigureDist3RoleAsync(Actors actors, OrganizationInfo ta, OrganizationInfo dist3, TextWriter output, CancellationToken cancellationToken)
    {
        var roles = JsonSerializer.Deserialize<Dictionary<string, List<string>>>(RoleConfiguration)!;
        roles["distributor"].Add(dist3.MspId);
        await SeenByAsync(actors.Contract(dist3, "orders"),
            await actors.Contract(ta, "operator").SubmitAsyncReturningCommit("ConfigureRoles", [JsonSerializer.Serialize(roles)], null, cancellationToken).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        var read = Json<RoleConfiguration>(await actors.Contract(dist3, "orders").EvaluateAsync("ReadRoleConfiguration").ConfigureAwait(false));
        output.WriteLine($"  operator@ta (transfer-agent): ConfigureRoles — distributors now {string.Join(", ", read.MspsFor(Role.Distributor))} (read back on Dist3's peer)");
    }

    /// <summary>Tuesday: Dist3's order desk opens an account and subscribes before the cut-off; the NAV and the dealing at 18:00.</summary>
    private static async Task Dist3DealingDayAsync(ConnectionInfo info, string folder, BusinessClock clock, Actors actors, TextWriter output, CancellationToken cancellationToken)
    {
        var (ta, dist3) = (info.Organizations[0], info.Organizations[^1]);
        var (operatorTa, accountant, orders3) = (actors.Contract(ta, "operator"), actors.Contract(ta, "accountant"), actors.Contract(dist3, "orders"));
        var tuesday = Monday.AddDays(1);
        output.WriteLine();
        output.WriteLine($"5. Tuesday {tuesday:yyyy-MM-dd}: Dist3's first dealing day");
        clock.Set(tuesday.AddHours(1));
        await SeenByAsync(operatorTa, await orders3.SubmitAsyncReturningCommit("OpenAccount", [Dist3Account, dist3.MspId, "payout"], Personal(Dist3Investor[0].Value, Dist3Investor[1].Value), cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await SeenByAsync(orders3, await operatorTa.SubmitAsyncReturningCommit("SetKycStatus", [Dist3Account, "approved"], null, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        output.WriteLine($"  09:00 orders@dist3: account {Dist3Account} opened, personal data as transient data into ta-personal-{dist3.MspId}; operator@ta: KYC approved");
        output.WriteLine($"  {ScanDist3Investor(folder, info)}");
        clock.Set(tuesday.AddHours(2));
        await SeenByAsync(operatorTa, await orders3.SubmitAsyncReturningCommit("PlaceSubscription", [Dist3Order, Dist3Account, ClassId, "15000", "EUR"], null, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        output.WriteLine($"  10:00 orders@dist3: subscription {Dist3Order}, {Dist3Account}, EUR 15,000 (before the 12:00 cut-off: dealt at today's NAV)");

        clock.Set(tuesday.AddHours(10));
        await accountant.SubmitAsync("PublishNav", ClassId, "2026-11-24", "102.40", "EUR").ConfigureAwait(false);
        var dealt = Json<DealingResult>(await operatorTa.SubmitAsync("DealOrders", ClassId, "2026-11-24").ConfigureAwait(false));
        output.WriteLine($"  18:00 accountant@ta: NAV {ClassId} 2026-11-24 = EUR 102.40");
        foreach (var order in dealt.Priced)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  operator@ta: {order.OrderId} {order.AccountId} priced: {order.Units:N3} units for {Money(order.NetAmount, "EUR")}, settles {order.SettlementDate:yyyy-MM-dd}"));
        }
    }

    /// <summary>Thursday: Dist3's order settles at T+2; the register now has the three distributors' accounts.</summary>
    private static async Task Dist3SettlesAsync(BusinessClock clock, Actors actors, OrganizationInfo ta, OrganizationInfo dist3, TextWriter output, CancellationToken cancellationToken)
    {
        var (operatorTa, orders3) = (actors.Contract(ta, "operator"), actors.Contract(dist3, "orders"));
        var thursday = Monday.AddDays(3);
        output.WriteLine();
        output.WriteLine($"7. Thursday {thursday:yyyy-MM-dd}: Dist3's order settles at T+2; the register with three distributors");
        clock.Set(thursday.AddMinutes(30));
        var settlement = await operatorTa.SubmitAsyncReturningCommit("SettleOrders", ["2026-11-26"], null, cancellationToken).ConfigureAwait(false);
        await SeenByAsync(orders3, settlement, cancellationToken).ConfigureAwait(false); // the statement is read on Dist3's peer
        var settled = Json<SettlementResult>(settlement.Result);
        output.WriteLine($"  08:30 operator@ta: {settled.Settled.Count} order settled ({string.Join(", ", settled.Settled.Select(o => $"{o.OrderId} {o.AccountId}"))}), {settled.Failed.Count} failed");
        await WriteRegisterAsync(operatorTa, "2026-11-26", output).ConfigureAwait(false);
        await WriteStatementAsync(orders3, Dist3Account, "orders@dist3, on Dist3's peer", output).ConfigureAwait(false);
        await WriteSearchesAsync(operatorTa, output).ConfigureAwait(false);
    }

    /// <summary>
    /// Two searches across the register as the transfer agent's peer answers them: by a Mango query with the package's
    /// indexes on a CouchDB peer, by the composite-key indexes on a RocksDB peer — the same answers either way.
    /// </summary>
    private static async Task WriteSearchesAsync(Contract operatorTa, TextWriter output)
    {
        var settled = Json<OrderSearchPage>(await operatorTa.EvaluateAsync("FindOrders", "GLOBAL-EQ", "settled", string.Empty, "50", string.Empty).ConfigureAwait(false));
        var large = Json<HoldingSearchPage>(await operatorTa.EvaluateAsync("FindHoldings", ClassId, "150", "50", string.Empty).ConfigureAwait(false));
        var how = settled.AnsweredBy == "couchdb-query" ? "a CouchDB Mango query using the package's indexes" : "a walk of the composite-key indexes";
        output.WriteLine($"  searches on the transfer agent's peer, answered by {settled.AnsweredBy} ({how}):");
        output.WriteLine($"    settled orders of GLOBAL-EQ, newest first: {string.Join(", ", settled.Orders.Select(o => $"{o.OrderId} {o.AccountId} {o.Distributor}"))}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    holdings of {ClassId} of 150 units or more: {string.Join(", ", large.Holdings.Select(h => $"{h.AccountId} {h.Units:N3}"))}"));
    }

    /// <summary>
    /// Where Dist3's investor's personal data is, byte for byte: it must be on the transfer agent's and Dist3's peers
    /// (the collection's members) and in no file of Dist1's or Dist2's peer or the orderer, nor in any log.
    /// </summary>
    private static string ScanDist3Investor(string folder, ConnectionInfo info)
    {
        var (ta, dist3) = (info.Organizations[0], info.Organizations[^1]);
        var members = new[] { ta, dist3 }.Select(o => LocalNetwork.PeerDataFolder(folder, o.Domain)).ToList();
        List<string> others =
        [
            .. LocalNetwork.OrdererDataFolders(folder, info).SelectMany(o => new[] { o, o + ".log" }),
            .. info.Organizations.Where(o => o != ta && o != dist3).Select(o => LocalNetwork.PeerDataFolder(folder, o.Domain)),
            .. info.Organizations.Select(o => LocalNetwork.PeerDataFolder(folder, o.Domain) + ".log"),
            .. info.Organizations.Where(o => o.CouchDb is not null).Select(o => CouchDbServers.DataFolder(folder, $"peer0.{o.Domain}")),
        ];
        if (DataFolderScan.Scan(folder, others, Dist3Investor).Traces is { Count: > 0 } leaked)
        {
            throw new CliException($"{Dist3Account}'s personal data outside ta-personal-{dist3.MspId}'s members: {Describe(leaked)}");
        }

        var held = members.Where(m => DataFolderScan.Scan(folder, [m], Dist3Investor).Traces.Count > 0).Select(Path.GetFileName).ToList();
        if (NetworkKeys.IsEnabled(folder))
        {
            return held.Count > 0
                ? throw new CliException($"encryption at rest is on, yet the byte scan reads {Dist3Account}'s personal data in the files of {string.Join(" and ", held)}")
                : $"byte scan: {Dist3Account}'s name and address are readable in no node's files (encrypted at rest) and in no log";
        }

        return $"byte scan: {Dist3Account}'s name and address are in the files of {(held.Count == 0 ? "no peer yet" : string.Join(" and ", held))}, in none of Dist1's, Dist2's or the orderer's and in no log";
    }

    /// <summary>
    /// Copies what a new organisation may hand over — the certificates and config.yaml of its msp folder — and checks
    /// that no private key went with them; returns what was copied.
    /// </summary>
    private static string HandOverPublicMsp(string msp, string target)
    {
        var copied = new List<string>();
        foreach (var file in Directory.EnumerateFiles(msp, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(msp, file);
            if (relative.StartsWith("keystore", StringComparison.Ordinal) || File.ReadAllText(file).Contains("PRIVATE KEY", StringComparison.Ordinal))
            {
                throw new CliException($"{file}: a private key in the public msp folder; it must not be handed over");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(target, relative))!);
            File.Copy(file, Path.Combine(target, relative), overwrite: true);
            copied.Add(relative.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) ? relative[..(relative.IndexOf(Path.DirectorySeparatorChar, StringComparison.Ordinal) + 1)] : relative);
        }

        return string.Join(", ", copied.Distinct(StringComparer.Ordinal));
    }

    /// <summary>A line of <c>channel update add-org|show</c> that says what the update changes.</summary>
    private static bool IsChange(string line) =>
        line.StartsWith("adds ", StringComparison.Ordinal) || line.StartsWith("modifies ", StringComparison.Ordinal) || line.StartsWith("sets ", StringComparison.Ordinal) || line.StartsWith("removes ", StringComparison.Ordinal);

    private static Task<string[]> SignAsync(string update, OrganizationInfo admin, CancellationToken cancellationToken) =>
        FnzchainAsync(cancellationToken, "channel", "update", "sign", update, "--identity", admin.AdminMsp, "--msp-id", admin.MspId);

    /// <summary>"2 signature(s) now" from <c>channel update sign</c>'s line.</summary>
    private static string Signed(string[] lines) => Regex.Match(lines.Single(), @"\d+ signature\(s\) now").Value;

    /// <summary>Runs an <c>fnzchain</c> command in this process, as an operator would type it; its output lines, or a failure with its error line.</summary>
    private static async Task<string[]> FnzchainAsync(CancellationToken cancellationToken, params string[] args)
    {
        var (exitCode, output, error) = await FnzchainRawAsync(cancellationToken, args).ConfigureAwait(false);
        return exitCode == 0
            ? output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : throw new CliException($"fnzchain {string.Join(' ', args.Take(3))} … failed: {error.Trim()}");
    }

    private static async Task<(int ExitCode, string Output, string Error)> FnzchainRawAsync(CancellationToken cancellationToken, params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        var exitCode = await CliRunner.RunAsync(args, output, error, cancellationToken).ConfigureAwait(false);
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Asks each peer's admin service for its height until all are equal and at least <paramref name="atLeast"/>; the heights in order.</summary>
    private static async Task<ulong[]> UntilSameHeightAsync(IReadOnlyList<OrganizationInfo> organizations, ConnectionInfo security, ulong atLeast, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var heights = new ulong[organizations.Count];
            for (var i = 0; i < heights.Length; i++)
            {
                var organization = organizations[i];
                var list = await ChannelCommand.CallAsync(organization.Peer, organization.AdminMsp, organization.MspId, security.ClientTlsFor(organization.AdminMsp), new AdminRequest { ListChannels = new ListChannelsRequest() },
                    (client, signed) => client.ListChannelsAsync(signed, cancellationToken: cancellationToken).ResponseAsync).ConfigureAwait(false);
                heights[i] = list.Channels.FirstOrDefault(c => c.ChannelId == LocalNetwork.Channel)?.Height ?? 0;
            }

            if (heights.All(h => h == heights[0] && h >= atLeast))
            {
                return heights;
            }

            if (deadline.Elapsed > CatchUpTimeout)
            {
                throw new CliException($"peers not at height {atLeast} after {CatchUpTimeout.TotalSeconds:F0} s: {string.Join(", ", organizations.Select((o, i) => $"{o.Name} {heights[i]}"))}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Dir(string parent, string name) => Directory.CreateDirectory(Path.Combine(parent, name)).FullName;

    /// <summary>The personal-data collections in Fabric's collections_config.json shape, as <see cref="PersonalDataCollections"/> makes them.</summary>
    private static string PersonalDataCollectionsJson(params string[] distributors) =>
        JsonSerializer.Serialize(
            distributors.Select(d => new
            {
                name = $"ta-personal-{d}",
                policy = $"OR('TransferAgentMSP.member','{d}.member')",
                requiredPeerCount = 0,
                maxPeerCount = 1,
                blockToLive = 0,
                memberOnlyRead = true,
            }),
            new JsonSerializerOptions { WriteIndented = true });
}
