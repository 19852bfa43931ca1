using System.Security.Cryptography;
using System.Text;
using FnzChain.Ledger.Private;
using FnzChain.Ledger.State;
using FnzChain.Ledger.Storage;
using FnzChain.Ledger.Validation;
using FnzChain.Ledger.Verification;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Protos.Peer;
using Google.Protobuf;

using Version = FnzChain.Ledger.State.Version;

namespace FnzChain.Ledger.Tests.Validation;

/// <summary>Private data collections in the ledger: hashes for every peer, plaintext for members, MVCC on hashes, deletes and purges that erase.</summary>
public sealed class PrivateDataTests
{
    private const string Cc = "ta";
    private const string Pii = "investorPII";

    private static string PrivateNs => PrivateNamespaces.Private(Cc, Pii);

    private static string HashedNs => PrivateNamespaces.Hashed(Cc, Pii);

    private static string KeyHash(string key) => PrivateNamespaces.HashKey(PrivateNamespaces.HashOf(key));

    private static async Task<BlockCommitResult> CommitAsync(LedgerFixture fixture, TestTx tx, bool member = true)
    {
        var block = fixture.NextBlock(tx.Build());
        var privateData = member ? new Dictionary<int, TxPvtReadWriteSet> { [0] = tx.PrivateData() } : null;
        return await fixture.Ledger.CommitAsync(ChannelLedger.Prepare(block), verdicts: null, privateData);
    }

    [Test]
    public async Task A_member_stores_the_plaintext_and_every_peer_the_hashes()
    {
        await using var member = await LedgerFixture.CreateAsync();
        await using var other = await LedgerFixture.CreateAsync();
        var tx = TestTx.Id("tx1").Write(Cc, "account:A1", "{}").PrivateWrite(Cc, Pii, "investor:A1", "Ada Lovelace, 12 St James's Sq");

        var atMember = await CommitAsync(member, tx);
        var atOther = await CommitAsync(other, tx, member: false);

        var plaintext = await member.Ledger.State.GetStateAsync(PrivateNs, "investor:A1");
        Assert.Multiple(async () =>
        {
            Assert.That(atMember.Codes.Single(), Is.EqualTo(TxValidationCode.Valid));
            Assert.That(atMember.MissingPrivateData, Is.Empty);
            Assert.That(Encoding.UTF8.GetString(plaintext!.Value.Span), Is.EqualTo("Ada Lovelace, 12 St James's Sq"));
            Assert.That(plaintext.Version, Is.EqualTo(new Version(0, 0)));
            Assert.That(atOther.Codes.Single(), Is.EqualTo(TxValidationCode.Valid), "a non-member validates the transaction too");
            Assert.That(atOther.MissingPrivateData.Single(), Is.EqualTo(new MissingPrivateData(0, Cc, Pii, "not available to this peer")));
            Assert.That(await other.Ledger.State.GetStateAsync(PrivateNs, "investor:A1"), Is.Null);
            foreach (var ledger in new[] { member.Ledger, other.Ledger })
            {
                var hashed = await ledger.State.GetStateAsync(HashedNs, KeyHash("investor:A1"));
                Assert.That(hashed!.Value.ToArray(), Is.EqualTo(SHA256.HashData("Ada Lovelace, 12 St James's Sq"u8)));
            }
        });
    }

    [Test]
    public async Task Private_data_that_does_not_match_the_hashes_is_not_stored()
    {
        await using var fixture = await LedgerFixture.CreateAsync();
        var tx = TestTx.Id("tx1").PrivateWrite(Cc, Pii, "investor:A1", "real");
        var forged = TestTx.Id("tx1").PrivateWrite(Cc, Pii, "investor:A1", "forged").PrivateData();

        var result = await fixture.Ledger.CommitAsync(ChannelLedger.Prepare(fixture.NextBlock(tx.Build())), null, new Dictionary<int, TxPvtReadWriteSet> { [0] = forged });

        Assert.That(result.Codes.Single(), Is.EqualTo(TxValidationCode.Valid), "the transaction itself is valid; this peer just lacks its private data");
        Assert.That(result.MissingPrivateData.Single().Reason, Does.Contain("does not match the transaction's value hash"));
        Assert.That(await fixture.Ledger.State.GetStateAsync(PrivateNs, "investor:A1"), Is.Null);
    }

    [Test]
    public async Task A_stale_private_read_is_an_mvcc_conflict_on_its_hash()
    {
        await using var fixture = await LedgerFixture.CreateAsync();
        await CommitAsync(fixture, TestTx.Id("tx1").PrivateWrite(Cc, Pii, "investor:A1", "v1"));
        await CommitAsync(fixture, TestTx.Id("tx2").PrivateWrite(Cc, Pii, "investor:A1", "v2"));

        var stale = await CommitAsync(fixture, TestTx.Id("tx3").PrivateRead(Cc, Pii, "investor:A1", new Version(0, 0)).PrivateWrite(Cc, Pii, "investor:A1", "v3"));
        var current = await CommitAsync(fixture, TestTx.Id("tx4").PrivateRead(Cc, Pii, "investor:A1", new Version(1, 0)).PrivateWrite(Cc, Pii, "investor:A1", "v4"));

        Assert.That(stale.Codes.Single(), Is.EqualTo(TxValidationCode.MvccReadConflict));
        Assert.That(stale.Reasons.Single(), Does.Contain(HashedNs));
        Assert.That(current.Codes.Single(), Is.EqualTo(TxValidationCode.Valid));
        Assert.That(Encoding.UTF8.GetString((await fixture.Ledger.State.GetStateAsync(PrivateNs, "investor:A1"))!.Value.Span), Is.EqualTo("v4"));
    }

    [Test]
    public async Task A_delete_by_hash_removes_the_plaintext_even_without_private_data()
    {
        await using var fixture = await LedgerFixture.CreateAsync();
        await CommitAsync(fixture, TestTx.Id("tx1").PrivateWrite(Cc, Pii, "investor:A1", "v1"));

        var result = await CommitAsync(fixture, TestTx.Id("tx2").PrivateDelete(Cc, Pii, "investor:A1"), member: false);

        Assert.That(result.Codes.Single(), Is.EqualTo(TxValidationCode.Valid));
        Assert.That(await fixture.Ledger.State.GetStateAsync(PrivateNs, "investor:A1"), Is.Null);
        Assert.That(await fixture.Ledger.State.GetStateAsync(HashedNs, KeyHash("investor:A1")), Is.Null);
    }

    [Test]
    public async Task A_purged_value_and_all_its_versions_leave_every_file_of_the_ledger()
    {
        await using var fixture = await LedgerFixture.CreateAsync(new LedgerOptions { Durability = CommitDurability.Synced, Compression = StorageCompression.None });
        var markers = Enumerable.Range(1, 4).Select(i => $"MARKER-{Guid.NewGuid():N}-v{i}").ToArray();
        const string Key = "investor:PURGE-KEY-7c1e";
        foreach (var (marker, i) in markers.Select((m, i) => (m, i)))
        {
            var result = await CommitAsync(fixture, TestTx.Id($"w{i}").Write(Cc, $"account:{i}", "public").PrivateWrite(Cc, Pii, Key, marker));
            Assert.That(result.Codes.Single(), Is.EqualTo(TxValidationCode.Valid));
        }

        Assert.That(FilesContaining(fixture.Folder, markers[^1]), Is.Not.Empty, "the scan finds a value that is there");

        var purge = await CommitAsync(fixture, TestTx.Id("purge").PrivateDelete(Cc, Pii, Key, purge: true), member: false);
        await fixture.Ledger.WaitForErasureAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(purge.Codes.Single(), Is.EqualTo(TxValidationCode.Valid));
            Assert.That(await fixture.Ledger.State.GetStateAsync(PrivateNs, Key), Is.Null);
            Assert.That(await fixture.Ledger.State.GetStateAsync(HashedNs, KeyHash(Key)), Is.Null);
            Assert.That(fixture.Ledger.History.GetHistoryForKey(PrivateNs, Key), Is.Empty, "no history is kept for private data");
            foreach (var marker in markers)
            {
                Assert.That(FilesContaining(fixture.Folder, marker), Is.Empty, $"bytes of {marker} are still on disk");
            }

            // The key itself (an identifier, not personal data: docs/decisions/0007) may linger only in RocksDB's
            // MANIFEST, which records table-file boundaries until it is rewritten on the next open.
            Assert.That(FilesContaining(fixture.Folder, Key).Where(f => !Path.GetFileName(f).StartsWith("MANIFEST-", StringComparison.Ordinal)), Is.Empty);
        });

        fixture.Close();
        var report = LedgerVerifier.Verify(fixture.Folder);
        Assert.That(report.IsIntact, Is.True, report.Problem);
    }

    [Test]
    public async Task The_private_data_store_keeps_each_blocks_write_sets_and_a_purge_removes_the_key_from_all_of_them()
    {
        await using var fixture = await LedgerFixture.CreateAsync();
        await CommitAsync(fixture, TestTx.Id("w0").PrivateWrite(Cc, Pii, "investor:A1", "a1-v1").PrivateWrite(Cc, Pii, "investor:B2", "b2-v1"));
        await CommitAsync(fixture, TestTx.Id("w1").PrivateWrite(Cc, Pii, "investor:A1", "a1-v2"));
        await CommitAsync(fixture, TestTx.Id("n2").PrivateWrite(Cc, Pii, "investor:C3", "c3"), member: false);

        string[] Keys(ulong block) => fixture.Ledger.PrivateData.ForBlock(block).Values
            .SelectMany(d => d.NsPvtRwset).SelectMany(n => n.CollectionPvtRwset)
            .SelectMany(c => Protos.Ledger.Rwset.Kvrwset.KVRWSet.Parser.ParseFrom(c.Rwset).Writes).Select(w => $"{w.Key}={w.Value.ToStringUtf8()}").ToArray();

        Assert.That(Keys(0), Is.EqualTo(new[] { "investor:A1=a1-v1", "investor:B2=b2-v1" }));
        Assert.That(Keys(1), Is.EqualTo(new[] { "investor:A1=a1-v2" }));
        Assert.That(Keys(2), Is.Empty, "a non-member stores nothing");
        Assert.That(fixture.Ledger.PrivateData.CountHolding(Cc, Pii, KeyHash("investor:A1")), Is.EqualTo(2));

        await CommitAsync(fixture, TestTx.Id("p3").PrivateDelete(Cc, Pii, "investor:A1", purge: true), member: false);

        Assert.That(Keys(0), Is.EqualTo(new[] { "investor:B2=b2-v1" }), "the other key of the same transaction stays");
        Assert.That(Keys(1), Is.Empty);
        Assert.That(fixture.Ledger.PrivateData.ForBlock(1), Is.Empty, "an entry left with nothing is deleted");
        Assert.That(fixture.Ledger.PrivateData.CountHolding(Cc, Pii, KeyHash("investor:A1")), Is.Zero);
    }

    [Test]
    public async Task A_purge_later_in_the_same_block_removes_that_blocks_earlier_write_from_the_store()
    {
        await using var fixture = await LedgerFixture.CreateAsync();
        var write = TestTx.Id("w").PrivateWrite(Cc, Pii, "investor:S1", "same-block-secret");
        var purge = TestTx.Id("p").PrivateDelete(Cc, Pii, "investor:S1", purge: true);
        var block = fixture.NextBlock(write.Build(), purge.Build());

        var result = await fixture.Ledger.CommitAsync(ChannelLedger.Prepare(block), null, new Dictionary<int, TxPvtReadWriteSet> { [0] = write.PrivateData() });

        Assert.That(result.Codes, Is.All.EqualTo(TxValidationCode.Valid));
        Assert.That(fixture.Ledger.PrivateData.ForBlock(0), Is.Empty);
        Assert.That(await fixture.Ledger.State.GetStateAsync(PrivateNs, "investor:S1"), Is.Null);
    }

    [Test]
    public async Task Private_data_expires_after_its_block_to_live_and_leaves_every_file()
    {
        // blockToLive 3: written in block 0, readable in blocks 1..3, gone when block 4 commits (Fabric's rule).
        await using var fixture = await LedgerFixture.CreateAsync(new LedgerOptions { PrivateDataLifetimes = (_, _) => ValueTask.FromResult<BlockToLive>((cc, collection) => collection == Pii ? 3UL : 0UL), Compression = StorageCompression.None });
        var marker = $"EXPIRY-{Guid.NewGuid():N}";
        const string Key = "investor:EXPIRE-KEY-1";
        await CommitAsync(fixture, TestTx.Id("w0").PrivateWrite(Cc, Pii, Key, marker).PrivateWrite(Cc, "forever", "investor:KEEP", "kept"));
        for (var i = 1; i <= 3; i++)
        {
            var filler = await CommitAsync(fixture, TestTx.Id($"f{i}").Write(Cc, $"filler:{i}", "x"));
            Assert.That(filler.ExpiredPrivateKeys, Is.Zero, $"block {i} is within the block-to-live");
            Assert.That(await fixture.Ledger.State.GetStateAsync(PrivateNs, Key), Is.Not.Null, $"still readable at block {i}");
        }

        var expiring = await CommitAsync(fixture, TestTx.Id("f4").Write(Cc, "filler:4", "x"));
        await fixture.Ledger.WaitForErasureAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(expiring.ExpiredPrivateKeys, Is.EqualTo(1));
            Assert.That(await fixture.Ledger.State.GetStateAsync(PrivateNs, Key), Is.Null);
            Assert.That(await fixture.Ledger.State.GetStateAsync(HashedNs, KeyHash(Key)), Is.Null, "expiry removes the hashed entry too, as Fabric does");
            Assert.That(await fixture.Ledger.State.GetStateAsync(PrivateNamespaces.Private(Cc, "forever"), "investor:KEEP"), Is.Not.Null, "a collection without block-to-live keeps its data");
            Assert.That(FilesContaining(fixture.Folder, marker), Is.Empty, "the expired value's bytes are still on disk");
        });

        fixture.Close();
        Assert.That(LedgerVerifier.Verify(fixture.Folder).IsIntact, Is.True);
    }

    [Test]
    public async Task A_key_written_again_lives_from_its_latest_write()
    {
        await using var fixture = await LedgerFixture.CreateAsync(new LedgerOptions { PrivateDataLifetimes = (_, _) => ValueTask.FromResult<BlockToLive>((_, _) => 2UL) });
        const string Key = "investor:RENEWED";
        await CommitAsync(fixture, TestTx.Id("w0").PrivateWrite(Cc, Pii, Key, "v1"));           // block 0: expires at 3
        await CommitAsync(fixture, TestTx.Id("f1").Write(Cc, "filler:1", "x"));
        await CommitAsync(fixture, TestTx.Id("w2").PrivateWrite(Cc, Pii, Key, "v2"));           // block 2: expires at 5
        var atThree = await CommitAsync(fixture, TestTx.Id("f3").Write(Cc, "filler:3", "x"));
        Assert.That(atThree.ExpiredPrivateKeys, Is.Zero, "the first schedule is dropped: the key was written again");
        Assert.That(Encoding.UTF8.GetString((await fixture.Ledger.State.GetStateAsync(PrivateNs, Key))!.Value.Span), Is.EqualTo("v2"));

        await CommitAsync(fixture, TestTx.Id("f4").Write(Cc, "filler:4", "x"));
        var atFive = await CommitAsync(fixture, TestTx.Id("f5").Write(Cc, "filler:5", "x"));

        Assert.That(atFive.ExpiredPrivateKeys, Is.EqualTo(1));
        Assert.That(await fixture.Ledger.State.GetStateAsync(PrivateNs, Key), Is.Null);
    }

    [Test]
    public async Task Two_writes_of_a_key_in_one_block_expire_together_from_the_store()
    {
        await using var fixture = await LedgerFixture.CreateAsync(new LedgerOptions { PrivateDataLifetimes = (_, _) => ValueTask.FromResult<BlockToLive>((_, _) => 1UL) });
        var first = TestTx.Id("w1").PrivateWrite(Cc, Pii, "investor:TWICE", "first-write");
        var second = TestTx.Id("w2").PrivateWrite(Cc, Pii, "investor:TWICE", "second-write");
        await fixture.Ledger.CommitAsync(ChannelLedger.Prepare(fixture.NextBlock(first.Build(), second.Build())), null,
            new Dictionary<int, TxPvtReadWriteSet> { [0] = first.PrivateData(), [1] = second.PrivateData() });
        Assert.That(fixture.Ledger.PrivateData.ForBlock(0), Has.Count.EqualTo(2));

        await CommitAsync(fixture, TestTx.Id("f1").Write(Cc, "filler:1", "x"));
        var expiring = await CommitAsync(fixture, TestTx.Id("f2").Write(Cc, "filler:2", "x"));

        Assert.That(expiring.ExpiredPrivateKeys, Is.EqualTo(1));
        Assert.That(fixture.Ledger.PrivateData.ForBlock(0), Is.Empty, "both transactions' copies expired");
    }

    [Test]
    public async Task Expiry_happens_on_a_non_member_too_and_survives_a_reopen()
    {
        await using var fixture = await LedgerFixture.CreateAsync(new LedgerOptions { PrivateDataLifetimes = (_, _) => ValueTask.FromResult<BlockToLive>((_, _) => 1UL) });
        const string Key = "investor:NONMEMBER";
        await CommitAsync(fixture, TestTx.Id("w0").PrivateWrite(Cc, Pii, Key, "v1"), member: false);
        await fixture.ReopenAsync();
        await CommitAsync(fixture, TestTx.Id("f1").Write(Cc, "filler:1", "x"));
        Assert.That(await fixture.Ledger.State.GetStateAsync(HashedNs, KeyHash(Key)), Is.Not.Null);

        var expiring = await CommitAsync(fixture, TestTx.Id("f2").Write(Cc, "filler:2", "x"));

        Assert.That(expiring.ExpiredPrivateKeys, Is.EqualTo(1));
        Assert.That(await fixture.Ledger.State.GetStateAsync(HashedNs, KeyHash(Key)), Is.Null);
    }

    [Test]
    public async Task The_simulator_produces_hashes_for_the_block_and_plaintext_for_members_only()
    {
        await using var fixture = await LedgerFixture.CreateAsync();
        using (var snapshot = await fixture.Ledger.State.OpenSnapshotAsync())
        {
            var simulator = new FnzChain.Ledger.Simulation.TransactionSimulator(snapshot);
            Assert.That(await simulator.GetPrivateDataAsync(Cc, Pii, "investor:A1"), Is.Null);
            simulator.PutPrivateData(Cc, Pii, "investor:A1", "SECRET-A1"u8.ToArray());
            simulator.PutState(Cc, "account:A1", "{}"u8.ToArray());
            var rwset = simulator.Build();
            Assert.That(rwset.ToByteArray().AsSpan().IndexOf("SECRET-A1"u8), Is.EqualTo(-1), "no plaintext in the public read/write set");
            var block = fixture.NextBlock(TestTx.FromReadWriteSet("sim1", rwset));
            var result = await fixture.Ledger.CommitAsync(ChannelLedger.Prepare(block), null, new Dictionary<int, TxPvtReadWriteSet> { [0] = simulator.BuildPrivate() });
            Assert.That(result.Codes.Single(), Is.EqualTo(TxValidationCode.Valid));
            Assert.That(result.MissingPrivateData, Is.Empty);
        }

        using var next = await fixture.Ledger.State.OpenSnapshotAsync();
        var reader = new FnzChain.Ledger.Simulation.TransactionSimulator(next);
        var read = await reader.GetPrivateDataAsync(Cc, Pii, "investor:A1");
        var hash = await reader.GetPrivateDataHashAsync(Cc, Pii, "investor:A1");
        Assert.That(Encoding.UTF8.GetString(read!.Value.Span), Is.EqualTo("SECRET-A1"));
        Assert.That(hash!.Value.ToArray(), Is.EqualTo(SHA256.HashData("SECRET-A1"u8)));
        Assert.That(reader.HasPrivateWrites, Is.False);
    }

    [TestCase(new byte[] { 1, 2, 3 }, "key hash has 3 bytes, expected 32")]
    public void A_malformed_hashed_write_makes_the_transaction_unparsable(byte[] keyHash, string expected)
    {
        var rwset = new TxReadWriteSet { DataModel = TxReadWriteSet.Types.DataModel.Kv };
        var hashed = new Protos.Ledger.Rwset.Kvrwset.HashedRWSet();
        hashed.HashedWrites.Add(new Protos.Ledger.Rwset.Kvrwset.KVWriteHash { KeyHash = Google.Protobuf.ByteString.CopyFrom(keyHash), ValueHash = Google.Protobuf.ByteString.CopyFrom(new byte[32]) });
        var ns = new NsReadWriteSet { Namespace = Cc, Rwset = new Protos.Ledger.Rwset.Kvrwset.KVRWSet().ToByteString() };
        ns.CollectionHashedRwset.Add(new CollectionHashedReadWriteSet { CollectionName = Pii, HashedRwset = hashed.ToByteString() });
        rwset.NsRwset.Add(ns);

        var parsed = TransactionParser.Parse(0, TestTx.FromReadWriteSet("tx1", rwset));

        Assert.That(parsed.Problem, Does.Contain(expected).And.Contain(Pii));
    }

    private static List<string> FilesContaining(string folder, string marker)
    {
        var needle = Encoding.UTF8.GetBytes(marker);
        return Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => File.ReadAllBytes(f).AsSpan().IndexOf(needle) >= 0)
            .Select(f => Path.GetRelativePath(folder, f))
            .ToList();
    }
}
