using System.Text;
using FnzChain.Ledger.Blocks;
using FnzChain.Ledger.Encryption;
using FnzChain.Ledger.State;
using FnzChain.Ledger.State.RocksDb;
using FnzChain.Ledger.Storage;
using FnzChain.Ledger.Verification;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Protos.Peer;

namespace FnzChain.Ledger.Tests.Encryption;

/// <summary>A real ledger (RocksDB, block files) encrypted at rest: every store round trips, nothing is readable in the files, keys rotate.</summary>
[TestFixture]
public sealed class EncryptedLedgerTests
{
    private const string Cc = "ta";
    private const string Pii = "investorPII";

    private static string PrivateNs => PrivateNamespaces.Private(Cc, Pii);

    [Test]
    public async Task Every_store_reads_back_what_it_wrote_also_after_a_reopen_and_ledger_verify_passes()
    {
        using var keys = new KeyFolder();
        using var cipher = await keys.CipherAsync();
        await using var fixture = await LedgerFixture.CreateAsync(Options(cipher));
        var markers = await WriteEverywhereAsync(fixture);

        await AssertEverythingReadableAsync(fixture, markers);
        await fixture.ReopenAsync();
        await AssertEverythingReadableAsync(fixture, markers);

        fixture.Close();
        using var readOnly = await (await Keyring.OpenAsync(keys.KeyringPath, keys.Kek)).CreateCipherAsync(readOnly: true);
        var report = LedgerVerifier.Verify(fixture.Folder, encryption: readOnly);
        Assert.That(report.IsIntact, Is.True, report.Problem);
        Assert.That(report.Blocks, Is.EqualTo(3UL));
    }

    [Test]
    public async Task With_encryption_on_no_marker_value_is_in_any_file_of_the_ledger_folder()
    {
        using var keys = new KeyFolder();
        using var cipher = await keys.CipherAsync();
        await using var fixture = await LedgerFixture.CreateAsync(Options(cipher));
        var markers = await WriteEverywhereAsync(fixture);
        await FlushToTableFilesAsync(fixture);

        Assert.Multiple(() =>
        {
            foreach (var marker in markers.All)
            {
                Assert.That(FilesContaining(fixture.Folder, marker), Is.Empty, $"{marker} is readable on disk");
            }
        });
    }

    [Test]
    public async Task Control_with_encryption_off_the_same_scan_finds_every_marker()
    {
        await using var fixture = await LedgerFixture.CreateAsync(Options(cipher: null));
        var markers = await WriteEverywhereAsync(fixture);
        await FlushToTableFilesAsync(fixture);

        Assert.Multiple(() =>
        {
            foreach (var marker in markers.All)
            {
                Assert.That(FilesContaining(fixture.Folder, marker), Is.Not.Empty, $"{marker} should be in the clear without encryption");
            }

            Assert.That(FilesContaining(fixture.Folder, markers.Public).Any(f => f.StartsWith(ChannelLedger.BlocksFolder, StringComparison.Ordinal)), Is.True, "public values travel in blocks");
            Assert.That(FilesContaining(fixture.Folder, markers.Public).Any(f => f.EndsWith(".sst", StringComparison.Ordinal)), Is.True, "and reach table files once flushed");
        });
    }

    [Test]
    public async Task After_a_data_key_rotation_old_data_stays_readable_and_new_writes_use_the_new_key_id()
    {
        using var keys = new KeyFolder();
        var before = await keys.CipherAsync();
        await using var fixture = await LedgerFixture.CreateAsync(Options(before));
        var markers = await WriteEverywhereAsync(fixture);
        fixture.Close();
        before.Dispose();

        var rotated = await Keyring.RotateAsync(keys.KeyringPath, keys.Kek);
        using var after = await keys.CipherAsync();
        var reopened = await ChannelLedger.OpenAsync(fixture.Folder, Options(after));
        try
        {
            Assert.That(rotated, Is.EqualTo(2u));
            await CommitAsync(reopened, TestTx.Id("after-rotation").Write(Cc, "fund:new", "written under key 2"));
            Assert.That(Text((await reopened.State.GetStateAsync(Cc, "fund:new"))!.Value), Is.EqualTo("written under key 2"));
            Assert.That(Text((await reopened.State.GetStateAsync(Cc, "fund:1"))!.Value), Is.EqualTo(markers.Public));
            Assert.That(reopened.Blocks.GetBlock(0), Is.Not.Null);
        }
        finally
        {
            reopened.Dispose();
        }

        using (var raw = ChannelDatabase.OpenReadOnly(Path.Combine(fixture.Folder, ChannelLedger.DatabaseFolder)))
        {
            Assert.Multiple(() =>
            {
                Assert.That(KeyIdOfState(raw, Cc, "fund:1"), Is.EqualTo(1u), "history is not rewritten");
                Assert.That(KeyIdOfState(raw, Cc, "fund:new"), Is.EqualTo(2u));
            });
        }

        var records = RecordKeyIds(fixture.BlocksFolder);
        Assert.That(records, Is.EqualTo(new uint[] { 1, 1, 1, 2 }), "block records name the key they were written under");
    }

    [Test]
    public async Task An_encrypted_ledger_opened_without_encryption_is_refused_in_one_line()
    {
        using var keys = new KeyFolder();
        using var cipher = await keys.CipherAsync();
        await using var fixture = await LedgerFixture.CreateAsync(Options(cipher));
        await CommitAsync(fixture.Ledger, TestTx.Id("t1").Write(Cc, "k", "v"));
        fixture.Close();

        var e = Assert.ThrowsAsync<EncryptionAtRestException>(() => ChannelLedger.OpenAsync(fixture.Folder, Options(cipher: null)));

        Assert.That(e!.Message, Is.EqualTo($"ledger {fixture.Folder} is encrypted at rest (keyring {cipher.KeyringId}) but encryption at rest is not configured"));
        Assert.That(() => LedgerVerifier.Verify(fixture.Folder), Throws.TypeOf<EncryptionAtRestException>());
        await fixture.OpenAsync();
    }

    [Test]
    public async Task A_ledger_in_the_clear_opened_with_encryption_is_refused_in_one_line()
    {
        using var keys = new KeyFolder();
        using var cipher = await keys.CipherAsync();
        await using var fixture = await LedgerFixture.CreateAsync(Options(cipher: null));
        await CommitAsync(fixture.Ledger, TestTx.Id("t1").Write(Cc, "k", "v"));
        fixture.Close();

        var e = Assert.ThrowsAsync<EncryptionAtRestException>(() => ChannelLedger.OpenAsync(fixture.Folder, Options(cipher)));

        Assert.That(e!.Message, Is.EqualTo($"ledger {fixture.Folder} is not encrypted at rest but encryption at rest is configured: a ledger is encrypted from its first block or never"));
        await fixture.OpenAsync();
    }

    [Test]
    public async Task A_ledger_of_another_keyring_is_refused_in_one_line()
    {
        using var keys = new KeyFolder();
        using var other = new KeyFolder();
        using var cipher = await keys.CipherAsync();
        using var otherCipher = await other.CipherAsync();
        await using var fixture = await LedgerFixture.CreateAsync(Options(cipher));
        fixture.Close();

        var e = Assert.ThrowsAsync<EncryptionAtRestException>(() => ChannelLedger.OpenAsync(fixture.Folder, Options(otherCipher)));

        Assert.That(e!.Message, Is.EqualTo($"ledger {fixture.Folder} is encrypted under keyring {cipher.KeyringId}, not the configured keyring {otherCipher.KeyringId}"));
        await fixture.OpenAsync();
    }

    [Test]
    public async Task A_value_moved_to_another_key_is_detected_not_read()
    {
        using var keys = new KeyFolder();
        using var cipher = await keys.CipherAsync();
        await using var fixture = await LedgerFixture.CreateAsync(Options(cipher));
        await CommitAsync(fixture.Ledger, TestTx.Id("t1").Write(Cc, "investor:1:balance", "100").Write(Cc, "investor:2:balance", "999999"));
        fixture.Close();

        // Someone with write access to the folder copies the ciphertext of one balance over the other.
        using (var raw = ChannelDatabase.Open(Path.Combine(fixture.Folder, ChannelLedger.DatabaseFolder), new StorageOptions()))
        {
            var rich = raw.Get(StorageColumn.State, StateKey(Cc, "investor:2:balance"))!;
            raw.Put(StorageColumn.State, StateKey(Cc, "investor:1:balance"), rich);
        }

        await fixture.OpenAsync();
        Assert.That(
            async () => await fixture.Ledger.State.GetStateAsync(Cc, "investor:1:balance"),
            Throws.TypeOf<LedgerCorruptedException>().With.Message.EqualTo("a stored state value does not decrypt: its authentication tag does not match under data key 1: it was altered or moved from another place"));
        Assert.That(Text((await fixture.Ledger.State.GetStateAsync(Cc, "investor:2:balance"))!.Value), Is.EqualTo("999999"));
    }

    [Test]
    public async Task An_altered_block_record_with_a_recomputed_checksum_is_named_not_read()
    {
        using var keys = new KeyFolder();
        using var cipher = await keys.CipherAsync();
        await using var fixture = await LedgerFixture.CreateAsync(Options(cipher));
        await CommitAsync(fixture.Ledger, TestTx.Id("t1").Write(Cc, "k", "v"));
        var location = fixture.Ledger.Blocks.Index.GetBlockLocation(0)!.Value;
        fixture.Close();

        using (var file = File.Open(Path.Combine(fixture.BlocksFolder, BlockFiles.FileName(0)), FileMode.Open, FileAccess.ReadWrite))
        {
            var record = new byte[location.Length];
            file.Position = location.Offset + BlockRecord.HeaderLength;
            file.ReadExactly(record);
            record[^1] ^= 0x01;
            var header = new byte[BlockRecord.HeaderLength];
            BlockRecord.WriteHeader(header, record);
            file.Position = location.Offset;
            file.Write(header);
            file.Write(record);
        }

        var e = Assert.ThrowsAsync<LedgerCorruptedException>(() => ChannelLedger.OpenAsync(fixture.Folder, fixture.Options));
        Assert.That(e!.Message, Does.StartWith("blockfile_000000 at offset 0: a stored block record value does not decrypt"));
    }

    [Test]
    public async Task A_purge_removes_the_encrypted_bytes_of_every_version_from_the_files_not_just_the_key()
    {
        using var keys = new KeyFolder();
        using var cipher = await keys.CipherAsync();
        await using var fixture = await LedgerFixture.CreateAsync(Options(cipher) with { Durability = CommitDurability.Synced });
        const string Key = "investor:PURGE";
        var ciphertexts = new List<byte[]>();
        for (var i = 0; i < 3; i++)
        {
            await CommitAsync(fixture.Ledger, TestTx.Id($"w{i}").PrivateWrite(Cc, Pii, Key, $"personal data version {i}"), member: true);
            using var raw = ChannelDatabase.OpenReadOnly(fixture.DatabaseFolder);
            var stored = raw.Get(StorageColumn.State, StateKey(PrivateNs, Key))!;
            ciphertexts.Add(stored[AtRestCipher.Overhead..]); // the encrypted bytes themselves
        }

        Assert.That(FilesContaining(fixture.Folder, ciphertexts[^1]), Is.Not.Empty, "the scan finds the current ciphertext before the purge");

        await CommitAsync(fixture.Ledger, TestTx.Id("purge").PrivateDelete(Cc, Pii, Key, purge: true), member: false);
        await fixture.Ledger.WaitForErasureAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(await fixture.Ledger.State.GetStateAsync(PrivateNs, Key), Is.Null);
            foreach (var (ciphertext, i) in ciphertexts.Select((c, i) => (c, i)))
            {
                Assert.That(FilesContaining(fixture.Folder, ciphertext), Is.Empty, $"the ciphertext of version {i} is still on disk");
            }
        });
    }

    [Test]
    public async Task Public_state_in_a_database_of_its_own_is_encrypted_too()
    {
        using var keys = new KeyFolder();
        using var cipher = await keys.CipherAsync();
        await using var fixture = await LedgerFixture.CreateAsync(Options(cipher) with { StateDatabase = RocksDbStateDatabaseProvider.InFolder("public", new StorageOptions { Compression = StorageCompression.None }) });
        var marker = $"PUBLIC-SPLIT-{Guid.NewGuid():N}";
        await CommitAsync(fixture.Ledger, TestTx.Id("t1").Write(Cc, "fund:split", marker));
        await fixture.ReopenAsync();

        Assert.That(Text((await fixture.Ledger.State.GetStateAsync(Cc, "fund:split"))!.Value), Is.EqualTo(marker));
        fixture.Close();
        Assert.That(FilesContaining(fixture.Folder, marker), Is.Empty);
        await fixture.OpenAsync();
    }

    private static LedgerOptions Options(AtRestCipher? cipher) =>
        new() { Durability = CommitDurability.Buffered, Compression = StorageCompression.None, Encryption = cipher };

    /// <summary>Marker values written as public state (so also history and a block), private state and the private data store, and the transient store.</summary>
    private sealed record Markers(string Public, string Private, string Transient, string Updated)
    {
        public IEnumerable<string> All => [Public, Private, Transient, Updated];
    }

    private static async Task<Markers> WriteEverywhereAsync(LedgerFixture fixture)
    {
        var markers = new Markers($"PUBLIC-{Guid.NewGuid():N}", $"PRIVATE-{Guid.NewGuid():N}", $"TRANSIENT-{Guid.NewGuid():N}", $"UPDATED-{Guid.NewGuid():N}");
        await CommitAsync(fixture.Ledger, TestTx.Id("t1").Write(Cc, "fund:1", markers.Public).Write(Cc, "fund:2", "other").PrivateWrite(Cc, Pii, "investor:1", markers.Private));
        await CommitAsync(fixture.Ledger, TestTx.Id("t2").Write(Cc, "fund:2", markers.Updated));
        var pending = TestTx.Id("t3").PrivateWrite(Cc, Pii, "investor:2", markers.Transient);
        fixture.Ledger.Transient.Persist("t3", pending.PrivateData(), fixture.Ledger.Height);
        await CommitAsync(fixture.Ledger, TestTx.Id("t4").Write(Cc, "fund:3", "third block"));
        return markers;
    }

    private static async Task AssertEverythingReadableAsync(LedgerFixture fixture, Markers markers)
    {
        var ledger = fixture.Ledger;
        var page = await ledger.State.GetStateRangeAsync(Cc, "fund:", "fund;", 10);
        using var snapshot = await ledger.State.OpenSnapshotAsync();
        var history = ledger.History.GetHistoryForKey(Cc, "fund:2");
        var stored = ledger.PrivateData.ForBlock(0);
        Assert.Multiple(async () =>
        {
            Assert.That(Text((await ledger.State.GetStateAsync(Cc, "fund:1"))!.Value), Is.EqualTo(markers.Public));
            Assert.That(page.Results.Select(r => Text(r.Value.Value)), Is.EqualTo(new[] { markers.Public, markers.Updated, "third block" }));
            Assert.That(Text((await snapshot.GetStateAsync(Cc, "fund:2"))!.Value), Is.EqualTo(markers.Updated));
            Assert.That((await ledger.State.GetStatesAsync([new StateKey(Cc, "fund:1"), new StateKey(Cc, "absent")])).Select(v => v is null ? null : Text(v.Value)), Is.EqualTo(new[] { markers.Public, null }));
            Assert.That(Text((await ledger.State.GetStateAsync(PrivateNs, "investor:1"))!.Value), Is.EqualTo(markers.Private));
            Assert.That(history.Select(h => Text(h.Value.ToArray())), Is.EqualTo(new[] { markers.Updated, "other" }));
            Assert.That(Holds(stored[0], markers.Private), Is.True, "private data store");
            Assert.That(Holds(ledger.Transient.Get("t3")!, markers.Transient), Is.True, "transient store");
            Assert.That(Holds(ledger.Blocks.GetBlock(0)!, markers.Public), Is.True, "block 0");
            Assert.That(ledger.Blocks.GetTxLocation("t2")!.Value.BlockNumber, Is.EqualTo(1UL));
            Assert.That(ledger.Blocks.GetTransaction("t4")!.ValidationCode, Is.EqualTo((int)TxValidationCode.Valid));
        });
    }

    private static async Task CommitAsync(ChannelLedger ledger, TestTx tx, bool member = true)
    {
        var block = BlockFactory.Create(ledger.Height, ledger.Blocks.LastBlockHash, [tx.Build()]);
        var privateData = member ? new Dictionary<int, TxPvtReadWriteSet> { [0] = tx.PrivateData() } : null;
        var result = await ledger.CommitAsync(ChannelLedger.Prepare(block), verdicts: null, privateData);
        Assert.That(result.Codes.Single(), Is.EqualTo(TxValidationCode.Valid));
    }

    /// <summary>Purges an unrelated key: erasure flushes every column family, so values reach table files as well as the WAL.</summary>
    private static async Task FlushToTableFilesAsync(LedgerFixture fixture)
    {
        await CommitAsync(fixture.Ledger, TestTx.Id("flush").PrivateDelete(Cc, "other", "unrelated", purge: true), member: false);
        await fixture.Ledger.WaitForErasureAsync();
        Assert.That(Directory.EnumerateFiles(fixture.DatabaseFolder, "*.sst"), Is.Not.Empty);
    }

    private static bool Holds(Google.Protobuf.IMessage message, string marker) => Google.Protobuf.MessageExtensions.ToByteArray(message).AsSpan().IndexOf(Encoding.UTF8.GetBytes(marker)) >= 0;

    private static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    private static byte[] StateKey(string ns, string key) => [.. Encoding.UTF8.GetBytes(ns), 0, .. Encoding.UTF8.GetBytes(key)];

    private static uint? KeyIdOfState(ChannelDatabase raw, string ns, string key) => AtRestCipher.KeyIdOf(raw.Get(StorageColumn.State, StateKey(ns, key)));

    private static List<uint> RecordKeyIds(string blocksFolder)
    {
        var ids = new List<uint>();
        var bytes = File.ReadAllBytes(Path.Combine(blocksFolder, BlockFiles.FileName(0)));
        for (var offset = 0; offset < bytes.Length;)
        {
            var (length, _) = BlockRecord.ReadHeader(bytes.AsSpan(offset));
            ids.Add(AtRestCipher.KeyIdOf(bytes.AsSpan(offset + BlockRecord.HeaderLength, (int)length))!.Value);
            offset += BlockRecord.HeaderLength + (int)length;
        }

        return ids;
    }

    private static List<string> FilesContaining(string folder, string marker) => FilesContaining(folder, Encoding.UTF8.GetBytes(marker));

    private static List<string> FilesContaining(string folder, byte[] needle) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => File.ReadAllBytes(f).AsSpan().IndexOf(needle) >= 0)
            .Select(f => Path.GetRelativePath(folder, f))
            .ToList();
}
