namespace FnzChain.KafkaTests;

/// <summary>
/// The mock cluster host's own contract (tools/FnzChain.KafkaMock): its start-up lines, one answer line per command,
/// a one-line error naming the cause for every bad command, and an exit when its stdin closes.
/// </summary>
[Category("Kafka")]
public sealed class KafkaMockHostTests
{
    private const string Known = "known-topic";
    private KafkaMockProcess _host = null!;

    [OneTimeSetUp]
    public async Task StartHost()
    {
        if (TestKafka.External is not null)
        {
            Assert.Ignore($"the mock cluster host is not used: {TestKafka.Variable} points this run at a real cluster");
        }

        _host = await KafkaMockProcess.StartAsync("--brokers", "3", "--topic", $"{Known}:2:3");
    }

    [OneTimeTearDown]
    public async Task StopHost()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Test]
    public void Bootstrap_line_lists_one_loopback_address_per_broker()
    {
        var brokers = _host.Bootstrap.Split(',');

        Assert.That(brokers, Has.Length.EqualTo(3));
        foreach (var broker in brokers)
        {
            Assert.That(broker, Does.Match(@"^(127\.0\.0\.1|localhost):\d+$"));
        }
    }

    [Test]
    public async Task Host_says_it_is_an_in_memory_stand_in_and_which_library_it_loaded()
    {
        Assert.That(await _host.WaitForErrorsAsync("not a durable cluster"), Is.True, _host.Errors);
        Assert.That(_host.Errors, Does.Match("librdkafka .* loaded from .*librdkafka"));
    }

    [TestCase("", "empty command")]
    [TestCase("frobnicate", "unknown command 'frobnicate'")]
    [TestCase("create-topic", "create-topic takes <name> <partitions> <replication>")]
    [TestCase("create-topic t 1", "create-topic takes <name> <partitions> <replication>")]
    [TestCase("create-topic bad/name 1 1", "illegal topic name 'bad/name'")]
    [TestCase("create-topic t x 1", "partitions must be a whole number from 1 to 1000, not 'x'")]
    [TestCase("create-topic t 0 1", "partitions must be a whole number from 1 to 1000, not '0'")]
    [TestCase("create-topic t 1 4", "replication must be a whole number from 1 to the broker count 3, not '4'")]
    [TestCase("create-topic " + Known + " 1 1", "already exists")]
    [TestCase("down", "down takes <brokerId|all>")]
    [TestCase("down 0", "broker ids run from 1 to 3, not '0'")]
    [TestCase("up 4", "broker ids run from 1 to 3, not '4'")]
    [TestCase("up x", "broker ids run from 1 to 3, not 'x'")]
    [TestCase("leader no-such-topic 0 1", "unknown topic 'no-such-topic'")]
    [TestCase("leader " + Known + " 2 1", "has partitions 0 to 1, not '2'")]
    [TestCase("leader " + Known + " -1 1", "has partitions 0 to 1, not '-1'")]
    [TestCase("leader " + Known + " 0 9", "broker ids run from 1 to 3, not '9'")]
    [TestCase("leader " + Known + " 0", "leader takes <topic> <partition> <brokerId>")]
    public async Task A_bad_command_is_answered_with_one_error_line_naming_the_cause(string command, string cause)
    {
        var answer = await _host.SendAsync(command);

        Assert.That(answer, Does.StartWith("error "));
        Assert.That(answer, Does.Contain(cause));
        // One line per command: the next command gets its own answer, and the host still serves.
        Assert.That(await _host.SendAsync("help"), Does.StartWith("ok commands: "));
        Assert.That(_host.HasExited, Is.False);
    }

    [Test]
    public async Task Good_commands_are_answered_ok_and_clients_still_produce_and_read_after_bad_ones()
    {
        Assert.That(await _host.SendAsync("frobnicate"), Does.StartWith("error "));
        var topic = $"served-{Guid.NewGuid():N}";

        Assert.That(await _host.SendAsync($"create-topic {topic} 1 3"), Is.EqualTo($"ok create-topic {topic} 1 3"));
        Assert.That(await _host.SendAsync($"leader {topic} 0 2"), Is.EqualTo($"ok leader {topic} 0 2"));
        Assert.That(await _host.SendAsync("down 1"), Is.EqualTo("ok down 1"));
        Assert.That(await _host.SendAsync("up 1"), Is.EqualTo("ok up 1"));
        using var producer = KafkaClients.IdempotentProducer(_host.Bootstrap);
        await KafkaClients.ProduceAsync(producer, topic, first: 0, count: 10);
        var read = await KafkaClients.ReadAsync(_host.Bootstrap, topic, fromOffset: 0, count: 10);

        Assert.That(read.Select(r => r.Message.Value), Is.EqualTo(Enumerable.Range(0, 10).Select(KafkaClients.Payload)));
    }

    [Test]
    public async Task Host_exits_when_its_stdin_closes()
    {
        await using var host = await KafkaMockProcess.StartAsync("--brokers", "1");

        Assert.That(await host.CloseInputAsync(), Is.EqualTo(0));
    }

    [Test]
    public async Task Detached_host_keeps_serving_after_stdin_closes_and_stops_on_SIGTERM()
    {
        await using var host = await KafkaMockProcess.StartAsync("--brokers", "1", "--topic", "detached:1:1", "--detach");
        host.CloseInput();
        using (var producer = KafkaClients.IdempotentProducer(host.Bootstrap))
        {
            await KafkaClients.ProduceAsync(producer, "detached", first: 0, count: 3);
        }

        var read = await KafkaClients.ReadAsync(host.Bootstrap, "detached", fromOffset: 0, count: 3);
        var exitCode = await host.TerminateAsync();

        Assert.Multiple(() =>
        {
            Assert.That(read, Has.Count.EqualTo(3), "records produced after stdin closed are served");
            Assert.That(host.Errors, Does.Contain("Detached: no commands"));
            Assert.That(exitCode, Is.EqualTo(0), "SIGTERM stops it cleanly");
        });
    }

    [Test]
    public async Task Quit_is_answered_and_ends_the_host()
    {
        await using var host = await KafkaMockProcess.StartAsync("--brokers", "1");

        Assert.That(await host.SendAsync("quit"), Is.EqualTo("ok quit"));
        Assert.That(await host.CloseInputAsync(), Is.EqualTo(0));
    }

    [TestCase("--brokers", "0")]
    [TestCase("--brokers", "3", "--topic", "t:1:4")]
    [TestCase("--topic", "t:1:1")]
    [TestCase("--frobnicate")]
    public void Bad_arguments_stop_the_host_with_a_message_before_it_prints_a_bootstrap(params string[] args)
    {
        var failure = Assert.ThrowsAsync<InvalidOperationException>(() => KafkaMockProcess.StartAsync(args));

        Assert.That(failure!.Message, Does.Contain("the mock host did not start").And.Contain("usage: FnzChain.KafkaMock"));
    }
}
