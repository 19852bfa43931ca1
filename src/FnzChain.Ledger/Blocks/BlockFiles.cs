using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using FnzChain.Ledger.Encryption;
using Microsoft.Win32.SafeHandles;

namespace FnzChain.Ledger.Blocks;

/// <summary>
/// The append-only segment files of a block store (<c>blockfile_000000</c>, <c>blockfile_000001</c>, …), each a
/// sequence of <see cref="BlockRecord"/>s. A new file starts when the current one would pass the segment size.
/// </summary>
/// <remarks>
/// One writer appends with positional writes; readers use their own handles and positional reads, so reads of
/// published blocks never contend with the writer. With <c>sync</c>, every append is fsynced before it returns,
/// and so is the folder when a new file is created (otherwise a power cut could lose the file's name).
/// </remarks>
internal sealed partial class BlockFiles : IDisposable
{
    private const string Prefix = "blockfile_";

    private readonly long _segmentBytes;
    private readonly bool _sync;
    private readonly AtRestCipher? _cipher;
    private readonly ConcurrentDictionary<int, SafeFileHandle> _readers = new();
    private SafeFileHandle? _writer;
    private int _writerFile = -1;

    /// <param name="cipher">Encryption at rest: each record's bytes are then the block encrypted and bound to the
    /// record's file and offset (the header's length and checksum are those of the ciphertext, so torn writes are
    /// still told from complete records without the key). Null: blocks are stored as they are.</param>
    public BlockFiles(string folder, long segmentBytes, int maxBlockBytes, bool sync, AtRestCipher? cipher = null)
    {
        Folder = folder;
        _cipher = cipher;
        _segmentBytes = segmentBytes;
        MaxBlockBytes = maxBlockBytes;
        _sync = sync;
        Directory.CreateDirectory(folder);
    }

    public string Folder { get; }

    public int MaxBlockBytes { get; }

    /// <summary>The file the next block goes to, and the offset it goes at.</summary>
    public int AppendFile { get; private set; }

    public long AppendOffset { get; private set; }

    public static string FileName(int number) => Prefix + number.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>The numbers of the segment files present, in order. Gaps mean files were removed: an error.</summary>
    public static IReadOnlyList<int> List(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var numbers = new List<int>();
        foreach (var path in Directory.EnumerateFiles(folder, Prefix + "*"))
        {
            var suffix = Path.GetFileName(path)[Prefix.Length..];
            if (suffix.Length != 6 || !int.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                throw new LedgerCorruptedException($"unexpected file {Path.GetFileName(path)} in block folder {folder}");
            }

            numbers.Add(number);
        }

        numbers.Sort();
        for (var i = 0; i < numbers.Count; i++)
        {
            if (numbers[i] != i)
            {
                throw new LedgerCorruptedException($"block folder {folder} is missing {FileName(i)} (found {FileName(numbers[i])})");
            }
        }

        return numbers;
    }

    public string PathOf(int file) => Path.Combine(Folder, FileName(file));

    public long LengthOf(int file)
    {
        var info = new FileInfo(PathOf(file));
        return info.Exists ? info.Length : -1;
    }

    /// <summary>Sets where the next block goes (after recovery established the end of the last good record).</summary>
    public void SetAppendPosition(int file, long offset)
    {
        AppendFile = file;
        AppendOffset = offset;
    }

    /// <summary>
    /// Writes one record at the append position (rolling to a new file when full). Not durable until
    /// <see cref="FlushAppended"/>: the caller overlaps the fsync with other work.
    /// </summary>
    public BlockLocation Append(ReadOnlyMemory<byte> block)
    {
        if (block.Length == 0 || block.Length > MaxBlockBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(block), $"a block of {block.Length} bytes is outside 1..{MaxBlockBytes}");
        }

        var storedLength = block.Length + (_cipher is null ? 0 : AtRestCipher.Overhead);
        var recordLength = BlockRecord.HeaderLength + storedLength;
        if (AppendOffset > 0 && AppendOffset + recordLength > _segmentBytes)
        {
            AppendFile++;
            AppendOffset = 0;
        }

        var writer = WriterFor(AppendFile);
        var header = new byte[BlockRecord.HeaderLength];
        byte[]? encrypted = null;
        try
        {
            var stored = block;
            if (_cipher is not null)
            {
                encrypted = ArrayPool<byte>.Shared.Rent(storedLength);
                Span<byte> context = stackalloc byte[ContextBytes];
                WriteContext(context, AppendFile, AppendOffset);
                stored = encrypted.AsMemory(0, _cipher.Encrypt(AtRestDomain.Blocks, context, block.Span, encrypted));
            }

            BlockRecord.WriteHeader(header, stored.Span);

            // One gathering write for header and block (no copy): a torn write can only lose the record's tail.
            RandomAccess.Write(writer, [header, stored], AppendOffset);
        }
        finally
        {
            if (encrypted is not null)
            {
                ArrayPool<byte>.Shared.Return(encrypted);
            }
        }

        var location = new BlockLocation(AppendFile, AppendOffset, storedLength);
        AppendOffset = location.End;
        return location;
    }

    /// <summary>fsyncs the file written last (when this store syncs); after it returns, appended records survive a power cut.</summary>
    public void FlushAppended()
    {
        if (_sync && _writer is { } writer)
        {
            RandomAccess.FlushToDisk(writer);
        }
    }

    /// <summary>Cuts a file back to <paramref name="length"/> bytes and makes it the append position; later files are deleted.</summary>
    public void Truncate(int file, long length)
    {
        foreach (var later in List(Folder).Where(n => n > file))
        {
            CloseHandles(later);
            File.Delete(PathOf(later));
        }

        var writer = WriterFor(file);
        RandomAccess.SetLength(writer, length);
        if (_sync)
        {
            RandomAccess.FlushToDisk(writer);
        }

        SetAppendPosition(file, length);
    }

    /// <summary>Reads and checks the record at a known location; null with a reason when it is not the block the index promises.</summary>
    public byte[] Read(BlockLocation location, ulong blockNumber)
    {
        var result = ReadRecord(location.File, location.Offset);
        if (result.Problem is not null)
        {
            throw new LedgerCorruptedException($"block {blockNumber} ({location}) cannot be read: {result.Problem}");
        }

        if (result.Location.Length != location.Length)
        {
            throw new LedgerCorruptedException($"block {blockNumber} ({location}) has length {result.Location.Length}, the index says {location.Length}");
        }

        return result.Block!;
    }

    /// <summary>Reads the records from (<paramref name="file"/>, <paramref name="offset"/>) to the end of the last file, stopping at the first problem.</summary>
    public IEnumerable<ScannedRecord> Scan(int file, long offset)
    {
        var files = List(Folder);
        while (file < files.Count)
        {
            var length = LengthOf(file);
            if (offset > length)
            {
                yield return new ScannedRecord(new BlockLocation(file, offset, 0), null, $"{FileName(file)} ends at {length}, before offset {offset}", IsTornTail: false);
                yield break;
            }

            while (offset < length)
            {
                var record = ReadRecord(file, offset);
                if (record.Problem is not null)
                {
                    yield return record with { IsTornTail = file == files.Count - 1 && IsTail(record, length) };
                    yield break;
                }

                yield return record;
                offset = record.Location.End;
            }

            file++;
            offset = 0;
        }
    }

    public void Dispose()
    {
        _writer?.Dispose();
        foreach (var handle in _readers.Values)
        {
            handle.Dispose();
        }

        _readers.Clear();
    }

    private ScannedRecord ReadRecord(int file, long offset)
    {
        var handle = ReaderFor(file);
        var fileLength = RandomAccess.GetLength(handle);
        Span<byte> header = stackalloc byte[BlockRecord.HeaderLength];
        var read = offset < fileLength ? RandomAccess.Read(handle, header, offset) : 0;
        if (read < BlockRecord.HeaderLength)
        {
            return Problem(file, offset, 0, $"record header is incomplete ({read} of {BlockRecord.HeaderLength} bytes)");
        }

        var (length, checksum) = BlockRecord.ReadHeader(header);
        var maxLength = MaxBlockBytes + (_cipher is null ? 0 : AtRestCipher.Overhead);
        if (length == 0 || length > (uint)maxLength)
        {
            return Problem(file, offset, 0, $"record length {length} is outside 1..{maxLength}");
        }

        var available = fileLength - offset - BlockRecord.HeaderLength;
        if (available < length)
        {
            return Problem(file, offset, (int)length, $"record is incomplete ({available} of {length} bytes)");
        }

        var block = new byte[length];
        read = RandomAccess.Read(handle, block, offset + BlockRecord.HeaderLength);
        if (read != length)
        {
            return Problem(file, offset, (int)length, $"record is incomplete ({read} of {length} bytes)");
        }

        var actual = Crc32C.Compute(block);
        if (actual != checksum)
        {
            return Problem(file, offset, (int)length, $"record checksum mismatch (stored {checksum:x8}, computed {actual:x8})");
        }

        if (_cipher is not null)
        {
            // A complete record that does not decrypt was altered (with its checksum) or moved: never a torn write.
            Span<byte> context = stackalloc byte[ContextBytes];
            WriteContext(context, file, offset);
            try
            {
                block = _cipher.Decrypt(AtRestDomain.Blocks, context, block);
            }
            catch (LedgerCorruptedException e)
            {
                throw new LedgerCorruptedException($"{FileName(file)} at offset {offset}: {e.Message}", e);
            }
        }

        return new ScannedRecord(new BlockLocation(file, offset, (int)length), block, null, IsTornTail: false);

        static ScannedRecord Problem(int file, long offset, int length, string reason) =>
            new(new BlockLocation(file, offset, length), null, reason, IsTornTail: false);
    }

    // A write interrupted by a crash damages only the end of the last file: the bad record reaches (or runs past)
    // the end of the file, or everything from it on is zeros (the file grew but the data never reached the disk).
    private bool IsTail(ScannedRecord record, long fileLength)
    {
        if (record.Location.Length > 0 && record.Location.End >= fileLength)
        {
            return true;
        }

        if (fileLength - record.Location.Offset < BlockRecord.HeaderLength)
        {
            return true;
        }

        var handle = ReaderFor(record.Location.File);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            for (var position = record.Location.Offset; position < fileLength;)
            {
                var read = RandomAccess.Read(handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, fileLength - position)), position);
                if (read <= 0 || buffer.AsSpan(0, read).ContainsAnyExcept((byte)0))
                {
                    return false;
                }

                position += read;
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private const int ContextBytes = 12;

    /// <summary>The associated data of an encrypted record: its file number and offset.</summary>
    private static void WriteContext(Span<byte> context, int file, long offset)
    {
        BinaryPrimitives.WriteInt32BigEndian(context, file);
        BinaryPrimitives.WriteInt64BigEndian(context[4..], offset);
    }

    private SafeFileHandle WriterFor(int file)
    {
        if (_writerFile == file && _writer is not null)
        {
            return _writer;
        }

        _writer?.Dispose();
        var path = PathOf(file);
        var created = !File.Exists(path);
        _writer = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        _writerFile = file;
        if (created && _sync)
        {
            SyncFolder(Folder);
        }

        return _writer;
    }

    private SafeFileHandle ReaderFor(int file) =>
        _readers.GetOrAdd(file, f => File.OpenHandle(PathOf(f), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));

    private void CloseHandles(int file)
    {
        if (_readers.TryRemove(file, out var reader))
        {
            reader.Dispose();
        }

        if (_writerFile == file)
        {
            _writer?.Dispose();
            _writer = null;
            _writerFile = -1;
        }
    }

    /// <summary>fsyncs a folder so that a file created in it survives a power cut (Linux; other systems are best effort).</summary>
    internal static void SyncFolder(string folder)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY
        var fd = Open(folder, ReadOnlyDirectory);
        if (fd < 0)
        {
            throw new IOException($"cannot open block folder {folder} to sync it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"cannot sync block folder {folder} (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}

/// <summary>
/// A record read from a segment file: the block bytes, or the problem that stopped the scan. A problem at the
/// end of the last file that a crash mid-write could leave is a torn tail.
/// </summary>
internal sealed record ScannedRecord(BlockLocation Location, byte[]? Block, string? Problem, bool IsTornTail);
