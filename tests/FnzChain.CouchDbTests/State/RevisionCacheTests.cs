using FnzChain.Ledger.State.CouchDb;

namespace FnzChain.CouchDbTests.State;

/// <summary>The revision cache keeps what reads saw only when no block was applied meanwhile, and stays bounded.</summary>
[Category("CouchDb")]
public sealed class RevisionCacheTests
{
    [Test]
    public void Read_that_started_before_an_apply_caches_nothing()
    {
        var cache = new RevisionCache(100);
        var epoch = cache.Epoch;
        cache.BumpEpoch(); // an apply starts while the read is in flight
        cache.BumpEpoch(); // ... and ends

        cache.SetIfUnchanged(epoch, "db", ["k"], [null]);

        Assert.That(cache.TryGet("db", "k", out _), Is.False);
    }

    [Test]
    public void Read_that_started_during_an_apply_caches_nothing()
    {
        var cache = new RevisionCache(100);
        cache.BumpEpoch();

        cache.SetIfUnchanged(cache.Epoch, "db", ["k"], ["1-a"]);

        Assert.That(cache.TryGet("db", "k", out _), Is.False);
    }

    [Test]
    public void Read_with_no_apply_around_it_caches_its_revisions_including_absence()
    {
        var cache = new RevisionCache(100);

        cache.SetIfUnchanged(cache.Epoch, "db", ["k", "gone"], ["1-a", null]);

        Assert.That(cache.TryGet("db", "k", out var rev) && rev == "1-a", Is.True);
        Assert.That(cache.TryGet("db", "gone", out var none) && none is null, Is.True);
    }

    [Test]
    public void Full_cache_is_emptied_before_a_new_entry()
    {
        var cache = new RevisionCache(2);
        cache.Set("db", "a", "1");
        cache.Set("db", "b", "1");

        cache.Set("db", "c", "1");

        Assert.That(cache.Count, Is.EqualTo(1));
        Assert.That(cache.TryGet("db", "c", out _), Is.True);
    }
}
