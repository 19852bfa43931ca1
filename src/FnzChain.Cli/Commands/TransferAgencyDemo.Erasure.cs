using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FnzChain.Chaincode;
using FnzChain.Cli.Network;
using FnzChain.Client;
using FnzChain.Protos.Admin;
using FnzChain.TransferAgency.Investors;
using Contract = FnzChain.Client.Contract;

namespace FnzChain.Cli.Commands;

/// <summary>
/// The demo's right-to-erasure chapter: an applicant onboarded at a distributor with personal data; the data read by
/// that distributor, refused to the other distributor and unavailable on the other distributor's peer (outside the
/// collection, it holds only a hash); the application withdrawn before KYC, the account closed and the data erased by
/// compliance; the per-peer evidence table (<see cref="PrivateDataEvidence"/>) before and after, and a byte scan of
/// every node's files that fails the demo if any of the applicant's values is left.
/// </summary>
internal static partial class TransferAgencyDemo
{
    private const string Applicant = "ACC-3";
    private const string ErasureReason = "GDPR art. 17 request: application withdrawn before KYC";
    private static readonly TimeSpan ErasureTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The applicant's personal data: values that occur nowhere else in the demo, so a byte scan can tell where they are.</summary>
    private static readonly PersonalData ApplicantData = new()
    {
        Name = "Lise Meitner",
        Address = "Kaiser-Wilhelm-Platz 1, Berlin",
        DateOfBirth = new DateOnly(1978, 11, 7),
        TaxId = "47036892816",
        BankAccount = "DE89370400440532013000",
    };

    private static readonly ScanMarker[] ApplicantMarkers =
    [
        new("name", ApplicantData.Name), new("address", ApplicantData.Address), new("tax id", ApplicantData.TaxId), new("bank account", ApplicantData.BankAccount),
    ];

    private static async Task RightToErasureAsync(ConnectionInfo info, string folder, BusinessClock clock, Actors actors, TextWriter output, CancellationToken cancellationToken)
    {
        var (ta, dist1, dist2) = (info.Organizations[0], info.Organizations[1], info.Organizations[2]);
        var (operatorTa, compliance) = (actors.Contract(ta, "operator"), actors.Contract(ta, "compliance"));
        var (orders1, orders2) = (actors.Contract(dist1, "orders"), actors.Contract(dist2, "orders"));
        // One gateway per peer (Dist3's too, once it has joined), to wait until each has committed a transaction.
        Contract[] everyPeer = [operatorTa, .. info.Organizations.Skip(1).Select(o => actors.Contract(o, "orders"))];
        var collection = $"ta-personal-{dist1.MspId}";
        var evidence = new PrivateDataStatusRequest { ChannelId = LocalNetwork.Channel, Chaincode = Chaincode, Collection = collection, Key = CompositeKey.Create("ta.personal", Applicant) };
        var peers = info.Organizations.Select(o => new EvidencePeer(o.MspId, o.AdminMsp, o.Peer) { Tls = info.ClientTlsFor(o.AdminMsp) }).ToList();

        output.WriteLine();
        output.WriteLine("8. Thursday: the right to erasure — an applicant's personal data read, refused, erased by compliance, and the evidence");
        clock.Set(Monday.AddDays(3).AddHours(1));
        var transient = new Dictionary<string, byte[]> { [PersonalData.TransientKey] = JsonSerializer.SerializeToUtf8Bytes(ApplicantData, ContractDispatcher.Json) };
        await CommittedEverywhereAsync(await orders1.SubmitAsyncReturningCommit("OpenAccount", [Applicant, dist1.MspId, "payout"], transient, cancellationToken).ConfigureAwait(false), everyPeer, cancellationToken).ConfigureAwait(false);
        output.WriteLine($"  09:00 orders@dist1: account {Applicant} opened for a new applicant (KYC pending), personal data as transient data into {collection}");
        var read = Json<PersonalData>(await orders1.EvaluateAsync("ReadPersonalData", Applicant).ConfigureAwait(false));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  orders@dist1 reads it on its own peer: {read.Name}, {read.Address}, born {read.DateOfBirth:yyyy-MM-dd}, tax id {read.TaxId}, IBAN {read.BankAccount}"));
        output.WriteLine($"  refused as it should be — orders@dist2 for {Applicant}: {await ReadRefusalAsync(orders2, "orders@dist2").ConfigureAwait(false)}");
        output.WriteLine($"  refused as it should be — compliance@ta asking Dist2MSP's peer: {await ReadRefusalAsync(actors.Contract(ta, "compliance", peerOf: dist2), "compliance@ta on Dist2MSP's peer").ConfigureAwait(false)}");

        var before = await PrivateDataEvidence.AskAllAsync(peers, evidence, cancellationToken).ConfigureAwait(false);
        output.WriteLine($"  evidence before erasure, each peer's admin service on key ta.personal/{Applicant} of {Chaincode}/{collection} (fnzchain private status):");
        PrivateDataEvidence.WriteTable(output, before, "    ");
        var (members, others) = ScanPlaces(folder, info, before);
        output.WriteLine($"  {ScanBeforeErasure(folder, members, others)}");

        clock.Set(Monday.AddDays(3).AddHours(8));
        await CommittedEverywhereAsync(await operatorTa.SubmitAsyncReturningCommit("SetAccountStatus", [Applicant, "closed"], null, cancellationToken).ConfigureAwait(false), everyPeer, cancellationToken).ConfigureAwait(false);
        var erasure = await CommittedEverywhereAsync(
            await compliance.SubmitAsyncReturningCommit("ErasePersonalData", [Applicant, ErasureReason], null, cancellationToken).ConfigureAwait(false), everyPeer, cancellationToken).ConfigureAwait(false);
        output.WriteLine($"  16:00 the applicant withdraws and asks for erasure: operator@ta closes {Applicant}; compliance@ta erases its personal data");
        output.WriteLine($"    (ErasePersonalData, reason \"{ErasureReason}\": a purge, valid in block {erasure.BlockNumber})");
        output.WriteLine($"  orders@dist1 reads it again: {await ReadRefusalAsync(orders1, "orders@dist1 after erasure").ConfigureAwait(false)}");

        var after = await UntilErasedAsync(peers, evidence, erasure.BlockNumber, cancellationToken).ConfigureAwait(false);
        output.WriteLine($"  evidence after erasure, once every peer has committed block {erasure.BlockNumber} and finished erasing it from its files:");
        PrivateDataEvidence.WriteTable(output, after, "    ");
        output.WriteLine($"  {ScanAfterErasure(folder, [.. members, .. others])}");
    }

    /// <summary>Waits for a submitted transaction to commit valid, then until every peer of <paramref name="peers"/> has it.</summary>
    private static async Task<CommitStatus> CommittedEverywhereAsync((byte[] Result, Task<CommitStatus> Commit) submitted, IEnumerable<Contract> peers, CancellationToken cancellationToken)
    {
        foreach (var peer in peers)
        {
            await SeenByAsync(peer, submitted, cancellationToken).ConfigureAwait(false);
        }

        return await submitted.Commit.ConfigureAwait(false);
    }

    /// <summary>Why <paramref name="contract"/> may not read the applicant's personal data; a read that succeeds is a privacy failure and ends the demo.</summary>
    private static async Task<string> ReadRefusalAsync(Contract contract, string who)
    {
        try
        {
            await contract.EvaluateAsync("ReadPersonalData", Applicant).ConfigureAwait(false);
        }
        catch (GatewayException e)
        {
            return FirstDetail(e);
        }

        throw new CliException($"{who} read {Applicant}'s personal data: the collection's access rules did not hold");
    }

    /// <summary>
    /// Asks every peer until all have committed past <paramref name="block"/> and none holds the key's plaintext or a
    /// transient copy or is still erasing (the compaction runs in the background after the commit).
    /// </summary>
    private static async Task<IReadOnlyList<PeerEvidence>> UntilErasedAsync(List<EvidencePeer> peers, PrivateDataStatusRequest request, ulong block, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var rows = await PrivateDataEvidence.AskAllAsync(peers, request, cancellationToken).ConfigureAwait(false);
            var pending = rows.Where(r => r.Status.Height <= block || !r.Erased).ToList();
            if (pending.Count == 0)
            {
                return rows;
            }

            if (deadline.Elapsed > ErasureTimeout)
            {
                throw new CliException($"erasure of {Applicant}'s personal data not finished after {ErasureTimeout.TotalSeconds:F0} s: "
                    + string.Join("; ", pending.Select(r => $"{r.Status.MspId}'s peer at height {r.Status.Height}, plaintext {(r.Status.PlaintextHeld ? "held" : "gone")}, {r.Status.TransientCopies} transient copies, {(r.Status.ErasurePending ? "still erasing" : "not erasing")}")));
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The places a byte scan reads: the data folders of the peers of the collection's members (as the peers reported
    /// it in <paramref name="evidence"/>), and the other peers' and the orderer's data folders and every node's log —
    /// and, with the CouchDB state database, every peer's CouchDB server folder, which private data never reaches
    /// (decision 0017), so it counts with the places that must never hold it.
    /// </summary>
    private static (List<string> Members, List<string> Others) ScanPlaces(string folder, ConnectionInfo info, IReadOnlyList<PeerEvidence> evidence)
    {
        var members = new List<string>();
        var others = new List<string>([.. LocalNetwork.OrdererDataFolders(folder, info).SelectMany(o => new[] { o, o + ".log" })]);
        for (var i = 0; i < info.Organizations.Count; i++)
        {
            var data = LocalNetwork.PeerDataFolder(folder, info.Organizations[i].Domain);
            (evidence[i].Status.Member ? members : others).Add(data);
            others.Add(data + ".log");
            if (info.Organizations[i].CouchDb is not null)
            {
                others.Add(CouchDbServers.DataFolder(folder, $"peer0.{info.Organizations[i].Domain}"));
            }
        }

        return (members, others);
    }

    /// <summary>
    /// Before erasure the applicant's values must be in the members' files (else a clean scan later would prove
    /// nothing) and in no other node's files or any log (else they leaked).
    /// </summary>
    private static string ScanBeforeErasure(string folder, List<string> members, List<string> others)
    {
        if (members.Count == 0)
        {
            throw new CliException("no peer reports itself a member of the applicant's collection: the evidence cannot be read");
        }

        var leaked = DataFolderScan.Scan(folder, others, ApplicantMarkers).Traces;
        if (leaked.Count > 0)
        {
            throw new CliException($"personal data outside the collection's members: the applicant's {Describe(leaked)}");
        }

        if (NetworkKeys.IsEnabled(folder))
        {
            // Encrypted at rest: the plaintext never reaches a file, so there is nothing for the scan to find even now.
            var readable = members.SelectMany(m => DataFolderScan.Scan(folder, [m], ApplicantMarkers).Traces).ToList();
            return readable.Count > 0
                ? throw new CliException($"encryption at rest is on, yet the byte scan reads the applicant's {Describe(readable)}")
                : "byte scan before erasure: encrypted at rest, none of the applicant's values is readable in any node's files (members' peers included) or in any log";
        }

        var found = members.Select(m => DataFolderScan.Scan(folder, [m], ApplicantMarkers).Traces).ToList();
        if (found.FindIndex(t => t.Count == 0) is var unseen and >= 0)
        {
            throw new CliException($"the byte scan finds none of the applicant's values in {Path.GetFileName(members[unseen])} (a member's peer): it could not show them erased later");
        }

        var files = found.SelectMany(t => t.Select(trace => trace.File)).Distinct(StringComparer.Ordinal);
        var couchDbFolders = others.Where(o => Path.GetFileName(o).StartsWith("couchdb-", StringComparison.Ordinal)).ToList();
        var couchDb = couchDbFolders.Count;
        // The control: the same scan does read CouchDB's files — the account's public record is found there.
        if (couchDb > 0 && DataFolderScan.Scan(folder, couchDbFolders, [new ScanMarker("account id", Applicant)]).Traces.Count == 0)
        {
            throw new CliException($"the byte scan finds the public account {Applicant} in no CouchDB server's files: it could not show private data absent from them");
        }

        return $"byte scan before erasure: the applicant's values are in {string.Join(" and ", files)} (members' peers), in no file of the other peers or the orderer"
            + (couchDb > 0 ? $", of any peer's CouchDB server ({couchDb})" : string.Empty) + " and in no log";
    }

    /// <summary>After erasure none of the applicant's values may be in any node's files; a trace ends the demo with the field and the file.</summary>
    private static string ScanAfterErasure(string folder, List<string> places)
    {
        var scan = DataFolderScan.Scan(folder, places, ApplicantMarkers);
        if (scan.Traces.Count > 0)
        {
            throw new CliException($"erasure incomplete: the byte scan still finds the applicant's {Describe(scan.Traces)}");
        }

        var dataFolders = places.Count(Directory.Exists);
        return string.Create(CultureInfo.InvariantCulture,
            $"byte scan of {dataFolders} data folders and {places.Count - dataFolders} node logs ({scan.Files} files, {scan.Bytes:N0} bytes): no trace of the applicant's name, address, tax id or bank account");
    }

    private static string Describe(IEnumerable<ScanTrace> traces) => string.Join(", ", traces.Select(t => $"{t.Field} in {t.File}"));
}
